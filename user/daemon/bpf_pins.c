// SPDX-License-Identifier: GPL-2.0
/*
 * Pins live in PIN/<build id>/{maps,links,entries}: a restarted daemon of
 * the same build finds its own folder and adopts all of it, so its
 * programs never stop running and the ledger (armed callbacks, in-flight
 * counts, text pages, unread events) is intact.  Another build's folder
 * is swept once ours is attached (maps may have changed layout).  bpffs
 * holds no regular files, hence the id in the folder name.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_internal.h"
#include "log.h"

static const char *const pin_subdirs[] = { "maps", "links", "entries" };
#define NSUBDIRS (sizeof(pin_subdirs) / sizeof(pin_subdirs[0]))

/* a build's identity: FNV-1a of the embedded BPF object */
static uint64_t object_id(const struct mg_bpf *b)
{
	const unsigned char *p = b->skel->skeleton->data;
	size_t sz = b->skel->skeleton->data_sz;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sz; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void link_path(const struct mg_bpf *b, const char *prog, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/links/%s", b->pin_dir, prog);
}

static void entry_path(const struct mg_bpf *b, uint64_t mod, uint64_t func,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%s/entries/%llx-%llx-ent", b->pin_dir,
		 (unsigned long long)mod, (unsigned long long)func);
}

int mg_pins_prepare(struct mg_bpf *b, const char *base)
{
	char path[400];
	struct bpf_map *map;
	struct stat st;

	if (mkdir(base, 0700) && errno != EEXIST) {
		int err = -errno;

		mg_warn("bpf: cannot use %s (%s): modguardd's state will not "
			"survive its own crash; is bpffs mounted?", base,
			strerror(-err));
		return err;
	}
	snprintf(b->pin_base, sizeof(b->pin_base), "%s", base);
	snprintf(b->pin_dir, sizeof(b->pin_dir), "%s/%016llx", base,
		 (unsigned long long)object_id(b));
	b->same_version = !stat(b->pin_dir, &st);
	mkdir(b->pin_dir, 0700);
	for (size_t i = 0; i < NSUBDIRS; i++) {
		snprintf(path, sizeof(path), "%s/%s", b->pin_dir, pin_subdirs[i]);
		mkdir(path, 0700);
	}
	bpf_object__for_each_map(map, b->skel->obj) {
		const char *name = bpf_map__name(map);

		if (strchr(name, '.'))
			continue; /* .bss, .rodata: per program instance */
		snprintf(path, sizeof(path), "%s/maps/%s", b->pin_dir, name);
		bpf_map__set_pin_path(map, path);
	}
	return 0;
}

/*
 * Restarts: links live in PIN/links/<program>.  One of the same build is
 * adopted as it is, so its program never stops running; anything else is
 * replaced after ours is attached.
 */
struct bpf_link *mg_pins_attach(struct mg_bpf *b, struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);
	struct bpf_link *link, *old = NULL;
	char path[320];

	if (b->pin_dir[0]) {
		link_path(b, name, path, sizeof(path));
		if (b->same_version && !access(path, F_OK))
			old = bpf_link__open(path);
		if (old)
			return old;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		int err = errno;

		mg_warn("bpf: cannot attach %s: %s", name, strerror(err));
		errno = err;
		return NULL;
	}
	if (b->pin_dir[0] && bpf_link__pin(link, path))
		mg_warn("bpf: cannot pin %s: %s; it will not survive a crash "
			"of modguardd", path, strerror(errno));
	return link;
}

void mg_pins_forget(struct mg_bpf *b, const char *prog)
{
	char path[320];

	if (!b->pin_dir[0])
		return;
	link_path(b, prog, path, sizeof(path));
	unlink(path);
}

void mg_pins_entry(struct mg_bpf *b, const struct mg_entry_probe *e)
{
	char path[400];

	if (!b->pin_dir[0])
		return;
	entry_path(b, e->mod, e->func, path, sizeof(path));
	bpf_link__pin(e->entry, path);
}

void mg_link_drop(struct bpf_link *link, int unpin)
{
	if (!link)
		return;
	if (unpin)
		bpf_link__unpin(link);
	bpf_link__destroy(link);
}

static void rm_pins_in(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

static void rm_pin_tree(const char *dir)
{
	char path[400];

	for (size_t i = 0; i < NSUBDIRS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin_subdirs[i]);
		rm_pins_in(path);
		rmdir(path);
	}
	rmdir(dir);
}

/* other builds' pins: ours are attached now, theirs can go */
static void sweep_old_builds(struct mg_bpf *b)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(b->pin_base);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->pin_base, de->d_name);
		if (strcmp(path, b->pin_dir))
			rm_pin_tree(path);
	}
	closedir(d);
}

/* entry probes a predecessor of the same build left attached */
static void adopt_entries(struct mg_bpf *b)
{
	char dir[320], path[PATH_MAX];
	unsigned long long mod, func;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/entries", b->pin_dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_link *e;

		if (sscanf(de->d_name, "%llx-%llx-ent", &mod, &func) != 2 ||
		    !strstr(de->d_name, "-ent"))
			continue;
		entry_path(b, mod, func, path, sizeof(path));
		e = bpf_link__open(path);
		if (e && mg_entries_add(b, mod, func, e))
			bpf_link__destroy(e);
	}
	closedir(d);
}

void mg_pins_adopt(struct mg_bpf *b)
{
	if (!b->pin_dir[0])
		return;
	adopt_entries(b);
	/* adopted entry probes count again: so must their ends */
	if (b->nentries && mg_calls_ends_attach(b))
		mg_warn("bpf: the adopted entry probes count callers "
			"that nothing ends: those modules stay busy");
	if (!b->nentries)
		mg_calls_ends_forget(b);
	sweep_old_builds(b);
	if (b->same_version)
		mg_info("bpf: adopted the programs and state pinned in %s "
			"by a previous modguardd", b->pin_dir);
}

void mg_pins_remove(struct mg_bpf *b)
{
	struct bpf_map *map;

	if (!b->pin_dir[0] || !b->skel)
		return;
	bpf_object__for_each_map(map, b->skel->obj)
		if (bpf_map__pin_path(map))
			bpf_map__unpin(map, NULL);
	rm_pin_tree(b->pin_dir);
	rmdir(b->pin_base);
}
