// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: refuse delete_module() of a busy module, whoever calls it.
 *
 * 6.1 has no module-removal LSM hook, no fmod_ret on syscalls and no
 * bpf_override_return on Debian's config (KERNEL-NOTES.md).  What it has is
 * the capable() LSM hook, which delete_module() calls first, for
 * CAP_SYS_MODULE (kernel/module/main.c).  So the name is remembered per
 * thread at sys_enter_delete_module, and lsm/capable denies CAP_SYS_MODULE
 * for that thread when the module is busy: the caller gets EPERM before the
 * module's exit can run.
 *
 * "Busy" must be known synchronously, so it is kept in three maps:
 *   - mg_inflight: threads inside an owner-less file_operations function
 *     (the entry points the kernel cannot protect), counted from a kprobe
 *     that modguardd attaches to each such function when the module
 *     registers it (MG_EV_ENTRY_POINT) until the thread's return to user
 *     space (bpf/inflight.bpf.c);
 *   - mg_stack_busy: foreign tasks modguardd's last task scan found inside;
 *   - mg_guard: files open on its owner-less devices (open_files.bpf.c).
 * A delete_module() that passes marks the module's mg_guard word as
 * unloading until the syscall returns, so that no file can be opened on
 * those devices while the exit runs: then no caller can enter them.
 * References the kernel counts itself (refcnt) are left to the kernel:
 * it refuses those with EWOULDBLOCK, the error users know.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"

#define MG_CAP_SYS_MODULE 16
#define MG_EPERM 1

/* the module each thread asked delete_module() to remove */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mg_name_key);
} mg_unload_req SEC(".maps");

/* the module each thread's passing delete_module() marked as unloading */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} mg_unloading SEC(".maps");

/* syscalls:sys_enter_delete_module (include/trace/events/syscalls.h) */
struct mg_sys_enter_delete_module {
	__u64 common;
	int nr;
	int pad;
	const char *name;
	__u64 flags;
};

struct mg_sys_exit {
	__u64 common;
	int nr;
	int pad;
	long ret;
};

SEC("tracepoint/syscalls/sys_enter_delete_module")
int mg_delete_enter(struct mg_sys_enter_delete_module *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mg_name_key k = {};

	if (bpf_probe_read_user_str(k.name, sizeof(k.name), ctx->name) <= 0)
		return 0;
	bpf_map_update_elem(&mg_unload_req, &tid, &k, BPF_ANY);
	return 0;
}

/*
 * The unload is over.  If it failed the module lives on: its devices may
 * be opened again.  If it succeeded, module_free already dropped its
 * mg_guard word, and a new module may sit at the same address: hands off.
 */
SEC("tracepoint/syscalls/sys_exit_delete_module")
int mg_delete_exit(struct mg_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *mod = bpf_map_lookup_elem(&mg_unloading, &tid);
	__s64 *g;

	bpf_map_delete_elem(&mg_unload_req, &tid);
	if (!mod)
		return 0;
	if (ctx->ret) {
		g = bpf_map_lookup_elem(&mg_guard, mod);
		if (g)
			__sync_fetch_and_add(g, -MG_GUARD_UNLOADING);
	}
	bpf_map_delete_elem(&mg_unloading, &tid);
	return 0;
}

SEC("lsm/capable")
int BPF_PROG(mg_capable, const struct cred *cred, struct user_namespace *ns,
	     int cap, unsigned int opts, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mg_config *cfg;
	struct mg_name_key *req;
	__s64 *inflight, in = 0, *g, open = 0;
	__u32 *stack, st = 0;
	struct mg_event *e;
	__u64 *mod, m;

	/* filter first: every capable() check in the kernel comes here */
	if (ret || cap != MG_CAP_SYS_MODULE)
		return ret;
	cfg = mg_get_config();
	if (!cfg || !cfg->enforcing)
		return 0;
	req = bpf_map_lookup_elem(&mg_unload_req, &tid);
	if (!req)
		return 0;
	mod = bpf_map_lookup_elem(&mg_module_names, req);
	if (!mod)
		return 0;
	m = *mod;
	/* mark it unloading first: from now on no file opens on its devices */
	g = mg_guard_word(m);
	if (g) {
		open = __sync_fetch_and_add(g, MG_GUARD_UNLOADING);
		open &= MG_GUARD_UNLOADING - 1; /* other unloads' marks off */
	}
	inflight = bpf_map_lookup_elem(&mg_inflight, &m);
	if (inflight)
		in = *inflight;
	stack = bpf_map_lookup_elem(&mg_stack_busy, &m);
	if (stack)
		st = *stack;
	if (in <= 0 && !st && open <= 0) {
		if (g && bpf_map_update_elem(&mg_unloading, &tid, &m, BPF_ANY))
			__sync_fetch_and_add(g, -MG_GUARD_UNLOADING);
		bpf_map_delete_elem(&mg_unload_req, &tid);
		return 0;
	}
	if (g)
		__sync_fetch_and_add(g, -MG_GUARD_UNLOADING);

	e = mg_event_reserve(MG_EV_REFUSED);
	if (e) {
		e->mod = m;
		e->refused.callers = in > 0 ? in : 0;
		e->refused.stack_tasks = st;
		e->refused.open_files = open > 0 ? open : 0;
		__builtin_memcpy(e->name, req->name, sizeof(e->name));
		mg_event_submit(e);
	}
	bpf_map_delete_elem(&mg_unload_req, &tid);
	return -MG_EPERM;
}
