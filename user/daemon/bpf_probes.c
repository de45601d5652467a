// SPDX-License-Identifier: GPL-2.0
/*
 * The probes attached on demand: entry kprobes on owner-less fops functions
 * and the system call hooks that end their counted calls (both
 * bpf/inflight.bpf.c), and the task watch of a waiting unload
 * (bpf/task_watch.bpf.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf_internal.h"
#include "log.h"

static void calls_ends_progs(struct mg_bpf *b,
			     struct bpf_program *progs[MG_CALLS_ENDS])
{
	progs[0] = b->skel->progs.mg_calls_sys_enter;
	progs[1] = b->skel->progs.mg_calls_sys_exit;
	progs[2] = b->skel->progs.mg_calls_work_end;
}

/*
 * The hooks that end counted calls (bpf/inflight.bpf.c): every system call
 * runs them, so they are on only while there is an entry point to count
 * (most hosts have none).
 */
void mg_calls_ends_detach(struct mg_bpf *b, int unpin)
{
	for (int i = 0; i < MG_CALLS_ENDS; i++) {
		mg_link_drop(b->calls_ends[i], unpin);
		b->calls_ends[i] = NULL;
	}
}

void mg_calls_ends_forget(struct mg_bpf *b)
{
	struct bpf_program *progs[MG_CALLS_ENDS];

	calls_ends_progs(b, progs);
	for (int i = 0; i < MG_CALLS_ENDS; i++)
		mg_pins_forget(b, bpf_program__name(progs[i]));
}

int mg_calls_ends_attach(struct mg_bpf *b)
{
	struct bpf_program *progs[MG_CALLS_ENDS];

	calls_ends_progs(b, progs);
	for (int i = 0; i < MG_CALLS_ENDS; i++) {
		if (b->calls_ends[i])
			continue;
		b->calls_ends[i] = mg_pins_attach(b, progs[i]);
		if (!b->calls_ends[i]) {
			int err = -errno ? -errno : -EINVAL;

			mg_calls_ends_detach(b, 1);
			return err;
		}
	}
	return 0;
}

int mg_entries_add(struct mg_bpf *b, uint64_t mod, uint64_t func,
		   struct bpf_link *link)
{
	struct mg_entry_probe *n;

	n = realloc(b->entries, (b->nentries + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->entries = n;
	b->entries[b->nentries++] = (struct mg_entry_probe){
		.mod = mod, .func = func, .entry = link };
	return 0;
}

void mg_entries_drop(struct mg_bpf *b, int unpin)
{
	for (size_t i = 0; i < b->nentries; i++)
		mg_link_drop(b->entries[i].entry, unpin);
	free(b->entries);
	b->entries = NULL;
	b->nentries = 0;
}

int mg_bpf_watch_entry(struct mg_bpf *b, uint64_t mod, uint64_t func)
{
	LIBBPF_OPTS(bpf_kprobe_opts, eopts, .bpf_cookie = mod, .offset = func);
	struct bpf_link *link;
	int err;

	for (size_t i = 0; i < b->nentries; i++)
		if (b->entries[i].func == func && b->entries[i].mod == mod)
			return 0;
	/*
	 * What ends a counted call goes on first (bpf/inflight.bpf.c): then
	 * every counted entry is ended.  Without it, counting would keep the
	 * module busy for good: better not to count.
	 */
	err = mg_calls_ends_attach(b);
	if (err) {
		mg_warn("bpf: cannot watch entry point 0x%llx: the system call "
			"hooks that end its calls did not attach; callers entering "
			"there are seen only by task scans",
			(unsigned long long)func);
		return err;
	}
	/*
	 * By address (no name: module functions often share names); a kprobe
	 * takes no module reference, unlike fentry, and no return probe: see
	 * bpf/inflight.bpf.c.  Not kprobe.multi either, although 6.12 has it
	 * and it would attach many at once: from 6.2 on its link takes a
	 * reference on the module of every address for as long as it lives
	 * (bpf_kprobe_multi_link_attach(), get_modules_for_addrs()), which
	 * would pin the very module we watch.
	 */
	link = bpf_program__attach_kprobe_opts(b->skel->progs.mg_entry, NULL,
					       &eopts);
	if (!link) {
		err = -errno;
		mg_warn("bpf: cannot watch entry point 0x%llx: %s; callers "
			"entering there are seen only by task scans",
			(unsigned long long)func, strerror(-err));
		return err;
	}
	if (mg_entries_add(b, mod, func, link)) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	/* pinned, so a restarted daemon keeps counting without a gap */
	mg_pins_entry(b, &b->entries[b->nentries - 1]);
	return 0;
}

void mg_bpf_unwatch_entries(struct mg_bpf *b, uint64_t mod)
{
	size_t j = 0;

	for (size_t i = 0; i < b->nentries; i++) {
		if (b->entries[i].mod == mod) {
			mg_link_drop(b->entries[i].entry, 1);
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
		mg_calls_ends_detach(b, 1);
}

void mg_task_watch_detach(struct mg_bpf *b)
{
	for (int i = 0; i < MG_WATCH_PROGS; i++) {
		bpf_link__destroy(b->watch[i]);
		b->watch[i] = NULL;
	}
}

int mg_bpf_watch(struct mg_bpf *b, const uint32_t *pids, size_t n)
{
	struct bpf_program *progs[MG_WATCH_PROGS] = {
		b->skel->progs.mg_watch_switch, b->skel->progs.mg_watch_sys_exit,
		b->skel->progs.mg_watch_exit, b->skel->progs.mg_watch_init_done,
	};
	int fd = bpf_map__fd(b->skel->maps.mg_watch_pids);
	uint32_t one = 1;

	if (!n) {
		mg_task_watch_detach(b);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_update_elem(fd, &pids[i], &one, BPF_ANY);
	for (int i = 0; i < MG_WATCH_PROGS; i++) {
		if (b->watch[i])
			continue;
		b->watch[i] = bpf_program__attach(progs[i]);
		if (!b->watch[i])
			mg_warn("bpf: cannot attach %s: %s; a waiting unload "
				"re-checks only on reference drops and its timeout",
				bpf_program__name(progs[i]), strerror(errno));
	}
	return 0;
}
