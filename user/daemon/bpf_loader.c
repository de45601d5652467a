// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"
#include "modguard.skel.h"

struct mg_bpf {
	struct modguard_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[40];
	int nlinks;
	/* the system call hooks that end in-flight calls; NULL: detached */
	struct bpf_link *calls_ends[3];
	struct mg_bpf_caps caps;
	struct bpf_link *watch[4];
	char pin_base[200];  /* the --pin-dir folder */
	char pin_dir[240];   /* pin_base/<build id>; "" when nothing is pinned */
	int same_version;    /* the pinned programs are ours: adopt them */
	int keep_pins;       /* leave everything pinned on stop */
	struct entry_probe {
		uint64_t mod, func;
		struct bpf_link *entry;
	} *entries;
	size_t nentries;
	mg_event_fn fn;
	void *ctx;
};

/* struct mg_config of bpf/maps.bpf.h */
struct mg_config_user {
	uint32_t enforcing;
	uint32_t wake_on_refs;
};

static void set_config(struct mg_bpf *b, size_t off, uint32_t v)
{
	int fd = bpf_map__fd(b->skel->maps.mg_config);
	struct mg_config_user c = { 0 };
	uint32_t zero = 0;

	bpf_map_lookup_elem(fd, &zero, &c);
	memcpy((char *)&c + off, &v, sizeof(v));
	bpf_map_update_elem(fd, &zero, &c, BPF_ANY);
}

static int on_ringbuf(void *ctx, void *data, size_t len)
{
	struct mg_bpf *b = ctx;

	if (len < sizeof(struct mg_event))
		return 0;
	b->fn(data, b->ctx);
	return 0;
}

/*
 * Restarts (see mg_bpf_start()): links live in PIN/links/<program>.  One of
 * the same build is adopted as it is, so its program never stops running;
 * anything else is replaced after ours is attached.
 */
static struct bpf_link *attach_link(struct mg_bpf *b, struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);
	struct bpf_link *link, *old = NULL;
	char path[320];

	if (b->pin_dir[0]) {
		snprintf(path, sizeof(path), "%s/links/%s", b->pin_dir, name);
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

static int attach(struct mg_bpf *b, struct bpf_program *prog)
{
	struct bpf_link *link = attach_link(b, prog);

	if (!link)
		return -errno ? -errno : -EINVAL;
	b->links[b->nlinks++] = link;
	return 0;
}

/* a build's identity: FNV-1a of the embedded BPF object */
static uint64_t object_id(void)
{
	size_t sz = 0;
	const unsigned char *p = modguard_bpf__elf_bytes(&sz);
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sz; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
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

/*
 * Pins live in PIN/<build id>/{maps,links,entries}: a restarted daemon of
 * the same build finds its own folder and adopts all of it, so its
 * programs never stop running and the ledger (armed callbacks, in-flight
 * counts, text pages, unread events) is intact.  Another build's folder
 * is swept once ours is attached (maps may have changed layout).  bpffs
 * holds no regular files, hence the id in the folder name.
 */
static int prepare_pins(struct mg_bpf *b, const char *base)
{
	char path[400];
	struct bpf_map *map;
	struct stat st;

	if (mkdir(base, 0700) && errno != EEXIST) {
		mg_warn("bpf: cannot use %s (%s): modguardd's state will not "
			"survive its own crash; is bpffs mounted?", base,
			strerror(errno));
		return -errno;
	}
	snprintf(b->pin_base, sizeof(b->pin_base), "%s", base);
	snprintf(b->pin_dir, sizeof(b->pin_dir), "%s/%016llx", base,
		 (unsigned long long)object_id());
	b->same_version = !stat(b->pin_dir, &st);
	mkdir(b->pin_dir, 0700);
	for (const char *sub = "maps"; sub; sub = !strcmp(sub, "maps") ? "links"
				: !strcmp(sub, "links") ? "entries" : NULL) {
		snprintf(path, sizeof(path), "%s/%s", b->pin_dir, sub);
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

static void rm_pin_tree(const char *dir)
{
	char path[400];

	for (const char *sub = "maps"; sub; sub = !strcmp(sub, "maps") ? "links"
				: !strcmp(sub, "links") ? "entries" : NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
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
		struct entry_probe *n;
		struct bpf_link *e;

		if (sscanf(de->d_name, "%llx-%llx-ent", &mod, &func) != 2 ||
		    !strstr(de->d_name, "-ent"))
			continue;
		snprintf(path, sizeof(path), "%s/%llx-%llx-ent", dir, mod, func);
		e = bpf_link__open(path);
		n = e ? realloc(b->entries, (b->nentries + 1) * sizeof(*n)) : NULL;
		if (!n) {
			bpf_link__destroy(e);
			continue;
		}
		b->entries = n;
		b->entries[b->nentries++] = (struct entry_probe){
			.mod = mod, .func = func, .entry = e };
	}
	closedir(d);
}

/* the address of a core kernel symbol from kallsyms, 0 if not found */
static uint64_t kernel_symbol(const char *kallsyms, const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	uint64_t found = 0;
	FILE *f = fopen(kallsyms, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3)
			continue;
		if (!strcmp(sym, name) && !strchr(line, '[')) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * The hooks that end counted calls (bpf/inflight.bpf.c): every system call
 * runs them, so they are on only while there is an entry point to count
 * (most hosts have none).
 */
static void detach_calls_ends(struct mg_bpf *b, int unpin)
{
	for (int i = 0; i < 3; i++) {
		if (!b->calls_ends[i])
			continue;
		if (unpin)
			bpf_link__unpin(b->calls_ends[i]);
		bpf_link__destroy(b->calls_ends[i]);
		b->calls_ends[i] = NULL;
	}
}

/* a predecessor's hooks, pinned, with no entry point left to end */
static void unpin_calls_ends(struct mg_bpf *b)
{
	const char *names[3] = { "mg_calls_sys_enter", "mg_calls_sys_exit",
				 "mg_calls_work_end" };
	char path[320];

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/links/%s", b->pin_dir, names[i]);
		unlink(path);
	}
}

static int attach_calls_ends(struct mg_bpf *b)
{
	struct bpf_program *progs[3] = { b->skel->progs.mg_calls_sys_enter,
					 b->skel->progs.mg_calls_sys_exit,
					 b->skel->progs.mg_calls_work_end };

	for (int i = 0; i < 3; i++) {
		if (b->calls_ends[i])
			continue;
		b->calls_ends[i] = attach_link(b, progs[i]);
		if (!b->calls_ends[i]) {
			int err = -errno ? -errno : -EINVAL;

			detach_calls_ends(b, 1);
			return err;
		}
	}
	return 0;
}

/* attach a group of programs; the group counts only if all attached */
static int attach_group(struct mg_bpf *b, struct bpf_program **progs, int n,
			const char *what)
{
	int ok = 1;

	for (int i = 0; i < n; i++)
		if (attach(b, progs[i]))
			ok = 0;
	if (!ok)
		mg_warn("bpf: %s are not tracked on this kernel", what);
	return ok;
}

/* is the BPF LSM among the active LSMs? (lsm= on the command line) */
static int bpf_lsm_active(char *why, size_t len)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (!f) {
		snprintf(why, len, "/sys/kernel/security/lsm cannot be read "
			 "(securityfs not mounted?)");
		return 0;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(why, len, "the BPF LSM is not active (active LSMs: %s); add "
		 "\"bpf\" to lsm= on the kernel command line", buf);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
		if (!strcmp(tok, "bpf")) {
			why[0] = '\0';
			return 1;
		}
	return 0;
}

int mg_bpf_start(struct mg_bpf **out, const char *kallsyms, int enforce,
		 const char *pin_dir, mg_event_fn fn, void *ctx)
{
	struct mg_bpf *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fn = fn;
	b->ctx = ctx;

	b->skel = modguard_bpf__open();
	if (!b->skel) {
		err = -errno;
		mg_err("bpf: cannot open the embedded object: %s", strerror(-err));
		goto fail;
	}
	/* delayed work arms a core timer; the work's function is what counts */
	b->skel->rodata->mg_dwork_timer_fn =
		kernel_symbol(kallsyms, "delayed_work_timer_fn");
	b->skel->rodata->mg_rcu_state = kernel_symbol(kallsyms, "rcu_state");
	b->skel->rodata->mg_module_notify_list =
		kernel_symbol(kallsyms, "module_notify_list");
	if (!b->skel->rodata->mg_dwork_timer_fn)
		mg_warn("bpf: delayed_work_timer_fn not in %s: delayed work "
			"shows as a core timer", kallsyms);
	if (!b->skel->rodata->mg_module_notify_list)
		mg_warn("bpf: module_notify_list not in %s: an unload waiting "
			"for a module's init re-checks on its next reference "
			"drop", kallsyms);
	if (!b->skel->rodata->mg_rcu_state)
		mg_warn("bpf: rcu_state not in %s: an RCU callback counts as "
			"pending until a later rcu_barrier()", kallsyms);

	if (pin_dir)
		prepare_pins(b, pin_dir);
	err = modguard_bpf__load(b->skel);
	if (err) {
		mg_err("bpf: the verifier or the kernel refused modguard's programs: %s "
		       "(run with -v for the verifier log)", strerror(-err));
		goto fail;
	}

	/* without the lifecycle tracepoints there is nothing to guard */
	err = attach(b, b->skel->progs.mg_module_load);
	if (!err)
		err = attach(b, b->skel->progs.mg_module_free);
	if (err) {
		mg_err("bpf: module:module_load/module_free did not attach; "
		       "this kernel lacks module tracepoints (CONFIG_MODULES?)");
		goto fail;
	}
	b->caps.lifecycle = 1;
	{
		__typeof__(b->skel->progs) *p = &b->skel->progs;
		struct bpf_program *refs[] = { p->mg_module_get, p->mg_module_put };
		struct bpf_program *timers[] = { p->mg_timer_start, p->mg_timer_cancel,
						 p->mg_hrtimer_start,
						 p->mg_hrtimer_cancel };
		struct bpf_program *work[] = { p->mg_work_queue, p->mg_work_start };
		struct bpf_program *tasklets[] = { p->mg_tasklet_schedule,
						   p->mg_tasklet_hi_schedule };
		struct bpf_program *rcu[] = { p->mg_call_rcu, p->mg_rcu_barrier_enter };
		struct bpf_program *notifiers[] = {
			p->mg_notifier_register, p->mg_atomic_notifier_unregister,
			p->mg_blocking_notifier_unregister,
			p->mg_raw_notifier_unregister, p->mg_srcu_notifier_unregister
		};
		struct bpf_program *fops[] = { p->mg_misc_register,
					       p->mg_misc_registered,
					       p->mg_misc_deregister,
					       p->mg_cdev_add, p->mg_cdev_del,
					       p->mg_unregister_chrdev,
					       p->mg_proc_register, p->mg_pde_free,
					       p->mg_calls_task_free };
		struct bpf_program *files[] = { p->mg_file_open, p->mg_file_free };
		char no_lsm[256];
		int lsm = bpf_lsm_active(no_lsm, sizeof(no_lsm));
#define GROUP(a, what) attach_group(b, a, sizeof(a) / sizeof(a[0]), what)
		b->caps.refs = GROUP(refs, "module references");
		b->caps.timers = GROUP(timers, "timers and hrtimers");
		b->caps.work = GROUP(work, "work items");
		b->caps.tasklets = GROUP(tasklets, "tasklets");
		b->caps.rcu = GROUP(rcu, "RCU callbacks");
		b->caps.notifiers = GROUP(notifiers, "notifier blocks");
		b->caps.fops = GROUP(fops, "owner-less file operations");
		/* earlier than sched_process_free for a zombie; optional */
		if (b->caps.fops && attach(b, p->mg_calls_task_dead))
			mg_warn("bpf: do_task_dead is not probed: a caller that "
				"died counts until its parent reaps it");
		/* open files on owner-less devices: BPF LSM hooks */
		if (lsm && b->caps.fops)
			b->caps.open_files = GROUP(files, "files open on "
						   "owner-less devices");
		else
			mg_warn("bpf: files open on owner-less devices are not "
				"counted: %s", lsm ? "the fops kprobes did not attach"
						   : no_lsm);
		if (!enforce) {
			snprintf(b->caps.advisory_reason,
				 sizeof(b->caps.advisory_reason),
				 "modguardd runs with --advisory");
		} else if (!lsm) {
			snprintf(b->caps.advisory_reason,
				 sizeof(b->caps.advisory_reason), "%s", no_lsm);
		} else {
			struct bpf_program *enf[] = { p->mg_delete_enter,
						      p->mg_delete_exit,
						      p->mg_capable };

			b->caps.enforcing = GROUP(enf, "plain delete_module() calls");
			if (!b->caps.enforcing)
				snprintf(b->caps.advisory_reason,
					 sizeof(b->caps.advisory_reason),
					 "the lsm/capable or delete_module "
					 "programs did not attach (see the log)");
		}
		if (enforce && !b->caps.fops && b->caps.enforcing) {
			/* without entry points the picture is stack scans only */
			mg_warn("bpf: enforcement without owner-less fops "
				"tracking: only tasks seen by scans count");
		}
		set_config(b, offsetof(struct mg_config_user, enforcing),
			   b->caps.enforcing);
#undef GROUP
	}
	if (b->pin_dir[0]) {
		adopt_entries(b);
		/* adopted entry probes count again: so must their ends */
		if (b->nentries && attach_calls_ends(b))
			mg_warn("bpf: the adopted entry probes count callers "
				"that nothing ends: those modules stay busy");
		if (!b->nentries)
			unpin_calls_ends(b);
		sweep_old_builds(b);
		if (b->same_version)
			mg_info("bpf: adopted the programs and state pinned in %s "
				"by a previous modguardd", b->pin_dir);
	}

	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.mg_events),
				 on_ringbuf, b, NULL);
	if (!b->rb) {
		err = -errno;
		mg_err("bpf: cannot set up the ring buffer: %s", strerror(-err));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	mg_bpf_stop(b);
	return err ? err : -EINVAL;
}

int mg_bpf_scan_modules(struct mg_bpf *b)
{
	struct bpf_link *link;
	char buf[4096];
	int fd, err = 0;
	ssize_t n;

	link = bpf_program__attach_iter(b->skel->progs.mg_scan_modules, NULL);
	if (!link) {
		err = -errno;
		mg_err("bpf: cannot create the kallsyms iterator: %s", strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		mg_err("bpf: cannot start the kallsyms iterator: %s", strerror(-err));
		goto out;
	}
	/* the program emits events; reading drives it to the end */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0) {
		err = -errno;
		mg_err("bpf: kallsyms iterator failed: %s", strerror(-err));
	}
	close(fd);
out:
	bpf_link__destroy(link);
	return err;
}

/*
 * A copy of every entry of a hash map: the ksz-byte keys at keys + i * ksz,
 * the vsz-byte values at vals + i * vsz.  Entries deleted during the walk
 * are left out.  A deleted key makes the kernel's walk start over
 * (htab_map_get_next_key()), so a map that changes fast can list a key
 * twice: the walk is bounded, and callers that care drop duplicates.  The
 * caller frees both.
 */
static int map_copy(const struct bpf_map *map, size_t ksz, void **keys,
		    void **vals, size_t vsz, size_t *n)
{
	int fd = bpf_map__fd(map);
	size_t cap = 64, cnt = 0, steps = 0;
	size_t max_steps = 4 * (size_t)bpf_map__max_entries(map) + 64;
	char *k = malloc(cap * ksz), *v = malloc(cap * vsz);
	uint64_t key[2] = { 0 }, next[2] = { 0 }; /* keys of up to 16 bytes */
	void *prev = NULL;

	if (!k || !v || ksz > sizeof(key))
		goto nomem;
	while (steps++ < max_steps && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		if (cnt == cap) {
			char *k2 = realloc(k, 2 * cap * ksz), *v2;

			if (!k2)
				goto nomem;
			k = k2;
			v2 = realloc(v, 2 * cap * vsz);
			if (!v2)
				goto nomem;
			v = v2;
			cap *= 2;
		}
		if (bpf_map_lookup_elem(fd, key, v + cnt * vsz))
			continue; /* deleted meanwhile */
		memcpy(k + cnt * ksz, key, ksz);
		cnt++;
	}
	*keys = k;
	*vals = v;
	*n = cnt;
	return 0;
nomem:
	free(k);
	free(v);
	return -ENOMEM;
}

/* the same for a map with 8-byte keys */
static int map_dump(const struct bpf_map *map, uint64_t **keys, void **vals,
		    size_t vsz, size_t *n)
{
	return map_copy(map, sizeof(**keys), (void **)keys, vals, vsz, n);
}

int mg_bpf_armed(struct mg_bpf *b, uint64_t **objs, struct mg_armed_info **infos,
		 size_t *n)
{
	return map_dump(b->skel->maps.mg_armed, objs,
			(void **)infos, sizeof(**infos), n);
}

int mg_bpf_settle_armed(struct mg_bpf *b)
{
	int map_fd = bpf_map__fd(b->skel->maps.mg_armed), fd, err, dropped = 0;
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = { .map.map_fd = map_fd };
	struct bpf_link *link;
	uint64_t obj;
	ssize_t n;

	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	link = bpf_program__attach_iter(b->skel->progs.mg_check_armed, &opts);
	if (!link) {
		err = -errno;
		mg_warn("bpf: cannot check the callback ledger: %s", strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	while ((n = read(fd, &obj, sizeof(obj))) == sizeof(obj)) {
		if (!bpf_map_delete_elem(map_fd, &obj))
			dropped++;
	}
	close(fd);
	bpf_link__destroy(link);
	return dropped;
}

/* ledger entries of mod armed before "before" (ns, bpf_ktime) */
static void forget_armed(struct mg_bpf *b, uint64_t mod, uint64_t before)
{
	struct mg_armed_info *infos;
	uint64_t *objs;
	size_t n;

	if (mg_bpf_armed(b, &objs, &infos, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (infos[i].mod == mod && infos[i].ts_ns < before)
			bpf_map_delete_elem(bpf_map__fd(b->skel->maps.mg_armed),
					    &objs[i]);
	free(objs);
	free(infos);
}

static void watch_detach(struct mg_bpf *b)
{
	for (int i = 0; i < 4; i++) {
		bpf_link__destroy(b->watch[i]);
		b->watch[i] = NULL;
	}
}

int mg_bpf_watch(struct mg_bpf *b, const uint32_t *pids, size_t n)
{
	struct bpf_program *progs[4] = {
		b->skel->progs.mg_watch_switch, b->skel->progs.mg_watch_sys_exit,
		b->skel->progs.mg_watch_exit, b->skel->progs.mg_watch_init_done,
	};
	int fd = bpf_map__fd(b->skel->maps.mg_watch_pids);
	uint32_t one = 1;

	if (!n) {
		watch_detach(b);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_update_elem(fd, &pids[i], &one, BPF_ANY);
	for (int i = 0; i < 4; i++) {
		if (b->watch[i])
			continue;
		b->watch[i] = bpf_program__attach(progs[i]);
		if (!b->watch[i]) {
			int err = -errno;

			mg_warn("bpf: cannot attach %s: %s; a waiting unload "
				"re-checks only on reference drops and its timeout",
				bpf_program__name(progs[i]), strerror(-err));
		}
	}
	return 0;
}

int mg_bpf_watch_entry(struct mg_bpf *b, uint64_t mod, uint64_t func)
{
	LIBBPF_OPTS(bpf_kprobe_opts, eopts, .bpf_cookie = mod, .offset = func);
	struct entry_probe *e, *n;
	int err;

	for (size_t i = 0; i < b->nentries; i++)
		if (b->entries[i].func == func && b->entries[i].mod == mod)
			return 0;
	/*
	 * What ends a counted call goes on first (bpf/inflight.bpf.c): then
	 * every counted entry is ended.  Without it, counting would keep the
	 * module busy for good: better not to count.
	 */
	err = attach_calls_ends(b);
	if (err) {
		mg_warn("bpf: cannot watch entry point 0x%llx: the system call "
			"hooks that end its calls did not attach; callers entering "
			"there are seen only by task scans",
			(unsigned long long)func);
		return err;
	}
	n = realloc(b->entries, (b->nentries + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->entries = n;
	e = &b->entries[b->nentries];
	memset(e, 0, sizeof(*e));
	e->mod = mod;
	e->func = func;
	/*
	 * By address (no name: module functions often share names); a kprobe
	 * takes no module reference, unlike fentry, and no return probe: see
	 * bpf/inflight.bpf.c.
	 */
	e->entry = bpf_program__attach_kprobe_opts(b->skel->progs.mg_entry,
						   NULL, &eopts);
	if (!e->entry) {
		err = -errno;
		mg_warn("bpf: cannot watch entry point 0x%llx: %s; callers "
			"entering there are seen only by task scans",
			(unsigned long long)func, strerror(-err));
		return err;
	}
	/* pinned, so a restarted daemon keeps counting without a gap */
	if (b->pin_dir[0]) {
		char path[400];

		snprintf(path, sizeof(path), "%s/entries/%llx-%llx-ent", b->pin_dir,
			 (unsigned long long)mod, (unsigned long long)func);
		bpf_link__pin(e->entry, path);
	}
	b->nentries++;
	return 0;
}

void mg_bpf_unwatch_entries(struct mg_bpf *b, uint64_t mod)
{
	size_t j = 0;

	for (size_t i = 0; i < b->nentries; i++) {
		if (b->entries[i].mod == mod) {
			bpf_link__unpin(b->entries[i].entry);
			bpf_link__destroy(b->entries[i].entry);
			continue;
		}
		b->entries[j++] = b->entries[i];
	}
	b->nentries = j;
	/*
	 * No entry point left: nothing can be counted any more, and the
	 * module_free of each module cleared its callers' slots.
	 */
	if (!b->nentries)
		detach_calls_ends(b, 1);
}

int mg_bpf_module_reused(struct mg_bpf *b, uint64_t mod)
{
	struct mg_module_info info;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_modules), &mod,
				&info))
		return 0;
	return info.state != MG_MOD_GONE;
}

void mg_bpf_wake_on_refs(struct mg_bpf *b, int on)
{
	set_config(b, offsetof(struct mg_config_user, wake_on_refs), !!on);
}

int64_t mg_bpf_inflight(struct mg_bpf *b, uint64_t mod)
{
	int64_t v = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_inflight), &mod, &v))
		return 0;
	return v > 0 ? v : 0;
}

int mg_bpf_open_files(struct mg_bpf *b, uint64_t mod, struct mg_open_file **out,
		      size_t *n)
{
	struct mg_open_file *v;
	uint64_t *files;
	size_t all, cnt = 0;
	int err;

	err = map_dump(b->skel->maps.mg_open_files, &files,
		       (void **)&v, sizeof(*v), &all);
	if (err)
		return err;
	free(files);
	for (size_t i = 0; i < all; i++)
		if (v[i].mod == mod)
			v[cnt++] = v[i];
	*out = v;
	*n = cnt;
	return 0;
}

int mg_bpf_callers(struct mg_bpf *b, uint64_t mod, uint32_t **tids,
		   struct mg_thread_calls **calls, size_t *n)
{
	struct mg_thread_calls *c;
	uint32_t *t;
	size_t all, cnt = 0;
	int err;

	err = map_copy(b->skel->maps.mg_thread_calls, sizeof(*t), (void **)&t,
		       (void **)&c, sizeof(*c), &all);
	if (err)
		return err;
	for (size_t i = 0; i < all; i++) {
		int inside = 0, dup = 0;

		/* a walk that started over lists a thread twice */
		for (size_t j = 0; j < cnt && !dup; j++)
			dup = t[j] == t[i];
		if (dup)
			continue;

		for (int j = 0; j < MG_THREAD_MODS; j++)
			inside |= c[i].mod[j] == mod && c[i].depth[j];
		if (!inside)
			continue;
		t[cnt] = t[i];
		c[cnt++] = c[i];
	}
	*tids = t;
	*calls = c;
	*n = cnt;
	return 0;
}

void mg_bpf_set_stack_busy(struct mg_bpf *b, uint64_t mod, uint32_t tasks)
{
	int fd = bpf_map__fd(b->skel->maps.mg_stack_busy);

	if (tasks)
		bpf_map_update_elem(fd, &mod, &tasks, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &mod);
}

int mg_bpf_ringbuf_fd(struct mg_bpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int mg_bpf_consume(struct mg_bpf *b)
{
	return ring_buffer__consume(b->rb);
}

static void forget_pages(int fd, uint64_t mod, uint64_t start, uint64_t size)
{
	uint64_t page, owner;

	if (!size)
		return;
	for (page = start >> MG_PAGE_SHIFT;
	     page <= (start + size - 1) >> MG_PAGE_SHIFT; page++) {
		/* a newer module may have the page now: leave it alone */
		if (!bpf_map_lookup_elem(fd, &page, &owner) && owner == mod)
			bpf_map_delete_elem(fd, &page);
	}
}

void mg_bpf_forget_module(struct mg_bpf *b, uint64_t mod)
{
	struct mg_module_info info;
	int fd = bpf_map__fd(b->skel->maps.mg_modules);
	uint64_t before = UINT64_MAX;

	/*
	 * The kernel side is ahead of the events: a module loaded at the same
	 * address since (a quick reload lands there) owns the address's pages
	 * and info now.  Then only what the old one armed goes.
	 */
	if (!bpf_map_lookup_elem(fd, &mod, &info)) {
		if (info.state == MG_MOD_GONE) {
			forget_pages(bpf_map__fd(b->skel->maps.mg_text_pages), mod,
				     info.text_start, info.text_size);
			forget_pages(bpf_map__fd(b->skel->maps.mg_init_pages), mod,
				     info.init_start, info.init_size);
			bpf_map_delete_elem(fd, &mod);
		} else {
			before = info.load_ns;
		}
	}
	forget_armed(b, mod, before);
}

int mg_bpf_stats(struct mg_bpf *b, uint64_t out[MG_STAT_MAX])
{
	int fd = bpf_map__fd(b->skel->maps.mg_stats);
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < MG_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

const struct mg_bpf_caps *mg_bpf_caps(struct mg_bpf *b)
{
	return &b->caps;
}

struct modguard_bpf *mg_bpf_skel(struct mg_bpf *b)
{
	return b->skel;
}

void mg_bpf_keep_pins(struct mg_bpf *b, int keep)
{
	b->keep_pins = keep;
}

void mg_bpf_stop(struct mg_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	watch_detach(b);
	/*
	 * A clean stop detaches everything (unpinned links go with their last
	 * fd); --keep-enforcing leaves the pinned programs running for the
	 * next modguardd, e.g. across an upgrade.
	 */
	for (size_t i = 0; i < b->nentries; i++) {
		if (!b->keep_pins)
			bpf_link__unpin(b->entries[i].entry);
		bpf_link__destroy(b->entries[i].entry);
	}
	free(b->entries);
	detach_calls_ends(b, !b->keep_pins);
	for (int i = 0; i < b->nlinks; i++) {
		if (!b->keep_pins)
			bpf_link__unpin(b->links[i]);
		bpf_link__destroy(b->links[i]);
	}
	if (!b->keep_pins && b->pin_dir[0] && b->skel) {
		struct bpf_map *map;

		bpf_object__for_each_map(map, b->skel->obj)
			if (bpf_map__pin_path(map))
				bpf_map__unpin(map, NULL);
		rm_pin_tree(b->pin_dir);
		rmdir(b->pin_base);
	}
	modguard_bpf__destroy(b->skel);
	free(b);
}
