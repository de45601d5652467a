// SPDX-License-Identifier: GPL-2.0
/*
 * Callers inside owner-less entry points, counted without return probes.
 *
 * The kernel cannot protect a file_operations function registered without
 * .owner: a task inside it holds no module reference.  modguardd puts
 * mg_entry (a kprobe: no module reference, unlike fentry) on each such
 * function, with the module as cookie; mg_inflight counts, per module, the
 * threads inside, for the enforcement (bpf/enforce.bpf.c) and the report.
 *
 * Why no kretprobe ends the count: a kretprobe swaps the return address on
 * the probed task's stack for the rethook trampoline, and the kernel's
 * unwinder, asked for the stack of another task (the task scan's
 * bpf_get_task_stack()), WARNs when it meets that trampoline while the task
 * is runnable: rethook_find_ret_addr(), kernel/trace/rethook.c (6.1 and
 * 6.12), "WARN_ON_ONCE(tsk != current && task_is_running(tsk))".  A task
 * asleep in read() can be woken between any check and the unwind, so no
 * check makes that safe.  modguard therefore puts no return trampoline on
 * any stack (it has no kretprobe at all), and takes "the call has returned"
 * from a later event of the same thread that the kernel cannot produce
 * while the call is still on that thread's stack:
 *   - its next system call entry or exit (tp_btf/sys_enter, sys_exit:
 *     trace_sys_enter()/trace_sys_exit() in kernel/entry/common.c).  Every
 *     file_operations call runs inside a system call, and sys_exit fires
 *     only once the call chain below it has unwound;
 *   - for a kworker, the end of the work item it ran
 *     (tp_btf/workqueue_execute_end);
 *   - its death (do_task_dead(), the last call of do_exit(), and as a
 *     backstop tp_btf/sched_process_free, kernel/exit.c): exit_files()
 *     and exit_task_work() ran every ->flush()/->release() of the dying
 *     task before.
 * A ->release() that __fput() runs from task work after sys_exit
 * (task_work_run() in exit_to_user_mode_loop()) is ended by the thread's
 * next system call; while it runs, its file is also still counted by the
 * open-file guard, whose count drops at file_free_security, after
 * ->release() returned (fs/file_table.c, __fput()).  A caller that never
 * returns to user space (a kthread, an io_uring worker) stays counted until
 * it dies: busy for longer, never wrongly clean.
 *
 * Cost: mg_entry runs only on the watched functions of buggy modules.  The
 * system call hooks see every system call, so they stop at one array read
 * while no thread is inside (mg_threads_inside), and modguardd attaches
 * them only while it watches an entry point.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "inflight.bpf.h"

static __always_inline void inflight_add(__u64 mod, __s64 delta)
{
	__s64 zero = 0, *b;

	b = bpf_map_lookup_elem(&mg_inflight, &mod);
	if (!b) {
		if (delta < 0)
			return;
		bpf_map_update_elem(&mg_inflight, &mod, &zero, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&mg_inflight, &mod);
		if (!b)
			return;
	}
	__sync_fetch_and_add(b, delta);
}

static __always_inline void threads_inside_add(__s64 delta)
{
	__u32 zero = 0;
	__s64 *n = bpf_map_lookup_elem(&mg_threads_inside, &zero);

	if (n)
		__sync_fetch_and_add(n, delta);
}

/*
 * tid has left every call it was making: end them all.  task, if set, must
 * be the thread's own (a dead thread's id may be reused before its free).
 */
static __always_inline void calls_ended(__u32 tid, __u64 task)
{
	struct mg_thread_calls *c = bpf_map_lookup_elem(&mg_thread_calls, &tid);

	if (!c || (task && c->task != task))
		return;
#pragma clang loop unroll(full)
	for (int i = 0; i < MG_THREAD_MODS; i++)
		if (c->mod[i] && c->depth[i])
			inflight_add(c->mod[i], -1);
	if (!bpf_map_delete_elem(&mg_thread_calls, &tid))
		threads_inside_add(-1);
}

/* attached by modguardd to each owner-less fops function, cookie = module */
SEC("kprobe")
int mg_entry(struct pt_regs *ctx)
{
	__u64 mod = bpf_get_attach_cookie(ctx), id = bpf_get_current_pid_tgid();
	__u64 task = (__u64)bpf_get_current_task();
	__u32 tid = (__u32)id;
	struct mg_thread_calls *c, fresh = {};
	int slot = -1, free_slot = -1;

	if (!mod)
		return 0;
	c = bpf_map_lookup_elem(&mg_thread_calls, &tid);
	if (c && c->task != task) {
		/* a dead thread's entry under a reused id: its calls are over */
		calls_ended(tid, 0);
		c = NULL;
	}
	if (!c) {
		fresh.task = task;
		fresh.since_ns = bpf_ktime_get_ns();
		fresh.tgid = id >> 32;
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		if (!bpf_map_update_elem(&mg_thread_calls, &tid, &fresh,
					 BPF_NOEXIST))
			threads_inside_add(1);
		c = bpf_map_lookup_elem(&mg_thread_calls, &tid);
	}
	if (c) {
#pragma clang loop unroll(full)
		for (int i = 0; i < MG_THREAD_MODS; i++) {
			if (c->mod[i] == mod)
				slot = i;
			else if (!c->mod[i] && free_slot < 0)
				free_slot = i;
		}
		if (slot < 0)
			slot = free_slot;
	}
	if (slot < 0 || !c) {
		/*
		 * Nowhere to remember it (map full, or a thread inside more
		 * modules at once than MG_THREAD_MODS): counted and never
		 * ended, so the module stays busy (refused) until modguardd
		 * is stopped or runs --advisory, or a forced unload frees it;
		 * `modguard status` counts it in "overflow".  Never wrongly
		 * clean.
		 */
		mg_stat_inc(MG_STAT_THREADS_FULL);
		inflight_add(mod, 1);
		return 0;
	}
	slot &= MG_THREAD_MODS - 1;
	if (c->mod[slot] != mod) {
		c->mod[slot] = mod;
		c->depth[slot] = 0;
	}
	/*
	 * No atomics: besides the thread itself, only module_free's sweep
	 * (of a freed module's slots) and the thread's own death write its
	 * entry, and neither runs while it is inside a live module's call.
	 */
	if (c->depth[slot]++ == 0)
		inflight_add(mod, 1);
	return 0;
}

/* the hot path: every system call of every task */
static __always_inline int thread_left_calls(void)
{
	__u32 zero = 0;
	__s64 *n = bpf_map_lookup_elem(&mg_threads_inside, &zero);

	if (!n || *n <= 0)
		return 0;
	calls_ended((__u32)bpf_get_current_pid_tgid(), 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(mg_calls_sys_enter)
{
	return thread_left_calls();
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mg_calls_sys_exit)
{
	return thread_left_calls();
}

/*
 * A kworker that ran a work item has left everything that item called: a
 * ->release() that __fput() deferred to a kthread (delayed_fput(),
 * fs/file_table.c) ends here, not at the worker's death.
 * trace_workqueue_execute_end() fires after the work function returned
 * (process_one_work(), kernel/workqueue.c).
 */
SEC("tp_btf/workqueue_execute_end")
int BPF_PROG(mg_calls_work_end)
{
	return thread_left_calls();
}

/*
 * The task is dying: do_exit() ran exit_files() and exit_task_work() (its
 * last ->release()s) before it calls do_task_dead() (kernel/exit.c), in
 * the task's own context.  Earlier than sched_process_free, which waits
 * for the parent to reap it: a zombie must not keep a module busy.
 */
SEC("kprobe/do_task_dead")
int BPF_KPROBE(mg_calls_task_dead)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	calls_ended(tid, (__u64)bpf_get_current_task());
	mg_barrier_returned(tid, (__u64)bpf_get_current_task());
	return 0;
}

/* a task is gone for good; also the end of an rcu_barrier() it was in */
SEC("tp_btf/sched_process_free")
int BPF_PROG(mg_calls_task_free, struct task_struct *p)
{
	__u32 tid = p->pid;

	calls_ended(tid, (__u64)p);
	mg_barrier_returned(tid, (__u64)p);
	return 0;
}
