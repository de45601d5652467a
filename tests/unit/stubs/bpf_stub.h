/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF layer of modguardd without a kernel: bpf_stub.c implements every
 * function of user/daemon/bpf_loader.h and task_scan.h, and the map listing
 * of map_memory.h (mg_map_memory_list), over the fake data
 * below, so that the daemon's logic (evidence, guarded unloads, the
 * server, ...) runs in a unit test.  A test fills mg_stub (zeroed at
 * start; each case runs in its own process), the daemon reads it through
 * the usual calls, and what the daemon asked of the BPF layer is recorded
 * in it for the test to check.
 */
#ifndef MG_BPF_STUB_H
#define MG_BPF_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "bpf_loader.h"
#include "map_memory.h"
#include "modguard_abi.h"

#define MG_STUB_MAX 512

struct mg_stub {
	/* peer credentials the BPF LSM would have recorded; the listener */
	struct mg_peer_cred peer_cred;
	int listener_fd;
	/* mg_bpf_armed(): the callback ledger, object -> info */
	uint64_t armed_obj[MG_STUB_MAX];
	struct mg_armed_info armed[MG_STUB_MAX];
	/* mg_bpf_reg_name(): the name an entry registered under ("": none) */
	char reg_names[MG_STUB_MAX][MG_REG_NAME_LEN];
	/* mg_bpf_settle_armed() drops the entry: disarmed unseen */
	int armed_settles[MG_STUB_MAX];
	size_t narmed;
	/* mg_bpf_open_files(): files open on owner-less devices */
	struct mg_open_file files[MG_STUB_MAX];
	size_t nfiles;
	/* mg_bpf_callers(): threads inside owner-less fops */
	uint32_t caller_tids[MG_STUB_MAX];
	struct mg_thread_calls callers[MG_STUB_MAX];
	size_t ncallers;
	/* mg_bpf_inflight(): kprobe counts per module */
	uint64_t inflight_mod[MG_STUB_MAX];
	int64_t inflight[MG_STUB_MAX];
	size_t ninflight;
	/* mg_bpf_module_reused(): a new module lives at these addresses */
	uint64_t reused[MG_STUB_MAX];
	size_t nreused;
	/* mg_task_scan(): its records, or its error */
	struct mg_task_record tasks[MG_STUB_MAX];
	size_t ntasks;
	int scan_err;
	/* what the holder scan finds (mg_holder_scan) */
	struct mg_scan_holder holders[MG_STUB_MAX];
	size_t nholders;
	int holder_scan_err, holder_scan_calls;
	/* the gets threads hold in their slots (mg_held_refs_scan) */
	struct mg_ref_event held[MG_STUB_MAX];
	size_t nheld;
	int held_scan_err, held_scan_calls;
	/* a failing dump: mg_bpf_armed/open_files/callers return this */
	int armed_err, files_err, callers_err;
	struct mg_bpf_caps caps;
	struct mg_group_status groups[16];
	size_t ngroups;
	uint64_t stats[MG_STAT_MAX];
	/*
	 * mg_ksym_iter_modules(): off (-ENOSYS: read kallsyms) unless
	 * ksym_on; then every record of ksyms is handed over, and ksym_err
	 * returned after them (-E2BIG: a walk cut short)
	 */
	int ksym_on, ksym_err, ksym_calls;
	struct {
		uint64_t addr;
		char type;
		char name[64];
		char module[MG_MODULE_NAME_LEN];
	} ksyms[16];
	size_t nksyms;
	/* mg_map_memory_list(): the maps and their memory, or its error */
	struct mg_map_memory maps[64];
	size_t nmaps;
	int maps_err;
	/*
	 * what mg_bpf_consume() delivers next, oldest first; the ring's fd
	 * (mg_bpf_ringbuf_fd(), an eventfd) is readable while it is not empty
	 */
	struct mg_event queue[MG_STUB_MAX];
	size_t nqueue;

	/* what the daemon asked for */
	int started, stopped;
	int wake_on_refs;
	int watch_calls;
	uint32_t watched[1024]; /* the pids of the last mg_bpf_watch() */
	size_t nwatched;
	size_t watched_most; /* the most pids one mg_bpf_watch() was given */
	int snapshot_ends; /* mg_bpf_armed_snapshot_end() calls */
	uint64_t busy_mod[MG_STUB_MAX]; /* mg_bpf_set_stack_busy(), latest */
	uint32_t busy[MG_STUB_MAX];
	size_t nbusy;
	uint64_t forgotten[MG_STUB_MAX]; /* mg_bpf_forget_module() */
	size_t nforgotten;
	uint64_t unwatched[MG_STUB_MAX]; /* mg_bpf_unwatch_entries() */
	size_t nunwatched;
	uint64_t entry_mod[MG_STUB_MAX], entry_func[MG_STUB_MAX];
	size_t nentries; /* mg_bpf_watch_entry() */
	int settle_calls, scan_calls, consume_calls;
};

extern struct mg_stub mg_stub;

/* one ledger entry of kind for module mod; the caller fills in more */
struct mg_armed_info *mg_stub_arm(uint64_t obj, uint64_t mod, uint32_t kind,
				  uint64_t func);
/* drop the ledger entry of obj (disarmed); 0 or -ENOENT */
int mg_stub_disarm(uint64_t obj);
/* module_free: what is still armed for mod is left behind */
void mg_stub_mark_left(uint64_t mod);
struct mg_open_file *mg_stub_open_file(uint64_t mod, uint64_t func,
				       uint32_t dev);
struct mg_thread_calls *mg_stub_caller(uint32_t tid, uint64_t mod);
void mg_stub_set_inflight(uint64_t mod, int64_t n);
struct mg_task_record *mg_stub_task(uint32_t pid, const char *comm,
				    uint64_t mod, uint64_t frame);
void mg_stub_set_reused(uint64_t mod);
/* queue e for the next mg_bpf_consume() */
void mg_stub_queue(const struct mg_event *e);
/* the stack-busy count last published for mod; -1 if never */
int64_t mg_stub_busy_of(uint64_t mod);
/* did mg_bpf_forget_module(mod) happen? */
int mg_stub_forgot(uint64_t mod);

#endif /* MG_BPF_STUB_H */
