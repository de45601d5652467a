// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-ups for a guarded unload that is waiting.  While modguard-rmmod waits
 * for tasks to leave a module's text, modguardd puts their pids here and
 * attaches these programs; each tells it, once per pid, that the task moved
 * (switched out, left its system call, or exited), so the daemon re-scans
 * instead of polling.  Detached when nobody waits: sched_switch is hot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} mg_watch_pids SEC(".maps");

static __always_inline int moved(__u32 pid)
{
	struct mg_event *e;

	/* once per pid: the daemon re-arms it if the task is still inside */
	if (bpf_map_delete_elem(&mg_watch_pids, &pid))
		return 0;
	e = mg_event_reserve(MG_EV_TASK_MOVED);
	if (!e)
		return 0;
	e->pid = pid;
	mg_event_submit(e);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(mg_watch_switch, bool preempt, struct task_struct *prev)
{
	return moved(prev->pid);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mg_watch_sys_exit)
{
	return moved((__u32)bpf_get_current_pid_tgid());
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(mg_watch_exit, struct task_struct *p)
{
	return moved(p->pid);
}

/* &module_notify_list, set by modguardd from kallsyms; 0 if unknown */
const volatile __u64 mg_module_notify_list = 0;

/*
 * A module finished its init: do_init_module() sets it LIVE and then tells
 * the module notifier chain, blocking_notifier_call_chain(&module_notify_list,
 * MODULE_STATE_LIVE, mod) (kernel/module/main.c, 6.1 and 6.12).  An entry
 * probe on that call, not a return probe on do_init_module(): see
 * bpf/inflight.bpf.c.  A failed init goes through module_free instead.
 */
SEC("kprobe/blocking_notifier_call_chain")
int BPF_KPROBE(mg_watch_init_done, void *nh, unsigned long val)
{
	struct mg_event *e;

	if (!mg_module_notify_list || (__u64)nh != mg_module_notify_list ||
	    val != 0 /* MODULE_STATE_LIVE */)
		return 0;
	e = mg_event_reserve(MG_EV_TASK_MOVED);
	if (e)
		mg_event_submit(e);
	return 0;
}
