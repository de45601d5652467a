/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of modguardd: open, load and attach the embedded skeleton,
 * find the modules that were loaded before us, and hand ring buffer events
 * to a callback.  The implementation is split by job: bpf_skeleton.c
 * (lifecycle, ring buffer), bpf_groups.c (attach groups), bpf_pins.c
 * (pinning, adoption), bpf_maps.c (the maps), bpf_probes.c (entry probes,
 * task watch), bpf_iter.c (iterators).
 */
#ifndef MG_BPF_LOADER_H
#define MG_BPF_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "modguard_abi.h"

struct mg_bpf;
struct bpf_program;
struct bpf_iter_attach_opts;

typedef void (*mg_event_fn)(const struct mg_event *e, void *ctx);

/* what attached; modguard status reports it */
struct mg_bpf_caps {
	int lifecycle; /* module_load + module_free: required */
	int refs;      /* module_get + module_put */
	int timers;    /* timer_* and hrtimer_* tracepoints */
	int work;      /* workqueue_* tracepoints (and delayed work) */
	int tasklets;  /* kprobes on __tasklet_schedule, __tasklet_hi_schedule */
	int rcu;       /* kprobes on call_rcu, rcu_barrier */
	int notifiers; /* kprobes on the notifier chain (un)register functions */
	int fops;      /* kprobes on misc/cdev/proc registration */
	int open_files; /* lsm/file_open + file_free: owner-less open files */
	int enforcing; /* plain delete_module() of a busy module is refused */
	char advisory_reason[256]; /* why not, when not */
};

/*
 * One attach group (bpf_groups.c): programs that attach whole or not at
 * all.  name is a lowercase identifier (a protocol value), what is what
 * the group tracks in words; reason says why an inactive group is not
 * attached ("" when active).
 */
struct mg_group_status {
	const char *name;
	const char *what;
	int required;
	int active;
	char reason[200];
};

/*
 * kallsyms: where the addresses of a few core functions are looked up.
 * pin_dir (bpffs; NULL: none): where maps and links are pinned so that a
 * restarted modguardd finds the ledger intact and, for the same build,
 * adopts the programs that kept running while it was down.  Fails when a
 * required attach group (lifecycle) does not attach.
 */
int mg_bpf_start(struct mg_bpf **out, const char *kallsyms, int enforce,
		 const char *pin_dir, mg_event_fn fn, void *ctx);
/* on stop, leave programs and maps pinned (enforcement keeps running) */
void mg_bpf_keep_pins(struct mg_bpf *b, int keep);
/*
 * Count callers entering func (an owner-less fops function of module mod)
 * for the enforcement: a kprobe with mod as cookie, ended by the system
 * call hooks of bpf/inflight.bpf.c (attached before the first one).
 */
int mg_bpf_watch_entry(struct mg_bpf *b, uint64_t mod, uint64_t func);
/*
 * drop the entry probes of a module that is gone; call it in event order
 * (at its MG_EV_MODULE_FREE), before a successor at the same address can
 * have named entry points of its own
 */
void mg_bpf_unwatch_entries(struct mg_bpf *b, uint64_t mod);
/* has a new module been loaded at the struct module address mod? */
int mg_bpf_module_reused(struct mg_bpf *b, uint64_t mod);
/* wake the daemon on every reference drop (while an unload waits) */
void mg_bpf_wake_on_refs(struct mg_bpf *b, int on);
/*
 * The threads inside mod's owner-less fops, as bpf/inflight.bpf.c counts
 * them: tids[i] and its calls[i] (a copy; the caller frees both).
 */
int mg_bpf_callers(struct mg_bpf *b, uint64_t mod, uint32_t **tids,
		   struct mg_thread_calls **calls, size_t *n);
/* threads inside mod's owner-less fops right now (kprobe counts) */
int64_t mg_bpf_inflight(struct mg_bpf *b, uint64_t mod);
/* files open on mod's owner-less devices (a copy; caller frees *out) */
int mg_bpf_open_files(struct mg_bpf *b, uint64_t mod, struct mg_open_file **out,
		      size_t *n);
/* how many tasks the last scan found inside mod, for the enforcement */
void mg_bpf_set_stack_busy(struct mg_bpf *b, uint64_t mod, uint32_t tasks);
/*
 * Mark the listening socket fd, so that bpf/peer_creds.bpf.c records who
 * connects to it; then read what it recorded for an accepted fd (-ENOENT:
 * nothing, e.g. no BPF LSM).
 */
void mg_bpf_mark_listener(struct mg_bpf *b, int fd);
int mg_bpf_peer_cred(struct mg_bpf *b, int fd, struct mg_peer_cred *out);
/* walk kallsyms once: one MG_EV_MODULE_SCAN per module already loaded */
int mg_bpf_scan_modules(struct mg_bpf *b);
int mg_bpf_ringbuf_fd(struct mg_bpf *b);
/* deliver whatever is in the ring buffer; returns events or -errno */
int mg_bpf_consume(struct mg_bpf *b);
/* a copy of every ledger entry (object address + info); caller frees */
int mg_bpf_armed(struct mg_bpf *b, uint64_t **objs, struct mg_armed_info **infos,
		 size_t *n);
/* the name a registration gave itself (mg_reg_names); -ENOENT: none */
int mg_bpf_reg_name(struct mg_bpf *b, uint64_t obj, char *buf, size_t len);
/*
 * Check each armed entry against its object (still pending?) and drop the
 * ones disarmed where no tracepoint saw it.  Returns how many were dropped.
 */
int mg_bpf_settle_armed(struct mg_bpf *b);
/*
 * The settle's walk also serves mg_bpf_armed() for the rest of the same
 * request (at most 100 ms): this ends it.  Called at each turn of the
 * event loop and when an unload goes; a module loaded or freed ends it too.
 */
void mg_bpf_armed_snapshot_end(struct mg_bpf *b);
/*
 * drop a retired module from the in-kernel filter and ledger, leaving
 * alone whatever a module loaded at the same address since owns
 */
void mg_bpf_forget_module(struct mg_bpf *b, uint64_t mod);
/*
 * Watch these pids (and init completions) for a waiting unload: one
 * MG_EV_TASK_MOVED each when they move.  n == 0 detaches the watch.
 */
int mg_bpf_watch(struct mg_bpf *b, const uint32_t *pids, size_t n);
/* one counter, summed over the CPUs */
int mg_bpf_stat(struct mg_bpf *b, enum mg_stat which, uint64_t *out);
/* sum of the per-CPU counters, enum mg_stat order */
int mg_bpf_stats(struct mg_bpf *b, uint64_t out[MG_STAT_MAX]);
const struct mg_bpf_caps *mg_bpf_caps(struct mg_bpf *b);
/* every attach group in table order; valid until mg_bpf_stop */
size_t mg_bpf_groups(struct mg_bpf *b, const struct mg_group_status **out);
/*
 * Run one pass of the iterator program prog (opts: e.g. the map it walks;
 * NULL for none): create its link, read its output to the end and hand it
 * to on_recs in batches of n whole rec_size-byte records.  on_recs NULL:
 * the output is dropped (the program's effect, e.g. its events, is what
 * counts).  Returns 0, on_recs's first non-zero value, or -errno, logged
 * with what (e.g. "task" for "cannot start the task iterator").
 */
int mg_bpf_iter_read(struct bpf_program *prog,
		     const struct bpf_iter_attach_opts *opts, const char *what,
		     size_t rec_size,
		     int (*on_recs)(const void *recs, size_t n, void *ctx),
		     void *ctx);
/* the skeleton itself, for the parts that run their own programs */
struct modguard_bpf *mg_bpf_skel(struct mg_bpf *b);
void mg_bpf_stop(struct mg_bpf *b);

#endif /* MG_BPF_LOADER_H */
