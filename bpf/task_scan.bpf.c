// SPDX-License-Identifier: GPL-2.0
/*
 * Task scan: which tasks are inside module text right now?
 *
 * A task that sleeps in a module function (a read() without .owner, a
 * kthread the module forgot to stop) holds no module reference, so
 * delete_module() frees the text under it (kernel/module/main.c).  This
 * iterator walks every task's saved kernel stack (bpf_get_task_stack: the
 * ORC unwinder starts from the sp saved at its last switch) and emits one
 * struct mg_task_record per task that has a return address in module text,
 * or is a kthread whose thread function lies there.
 *
 * A task on a CPU has no reliable saved stack (livepatch's
 * klp_check_stack() treats it as "busy, retry", kernel/livepatch/
 * transition.c): it is always emitted, with MG_TASKF_RUNNING and mod == 0
 * when its stale stack shows no module frame, so that user space never
 * reads "no record" as "not inside" for it.
 *
 * Cost: this runs for every task in the system, so the common case (a
 * sleeping task with no module frame) is one stack walk plus two compares
 * per frame against the module text bounds; the hash lookup only happens
 * for frames inside [lo, hi).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

#define MG_PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* on_cpu exists only with CONFIG_SMP; without it only the scanner runs */
static __always_inline int task_on_cpu(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->on_cpu))
		return 0;
	return BPF_CORE_READ(task, on_cpu);
}

static __always_inline __u64 task_switches(struct task_struct *task)
{
	return BPF_CORE_READ(task, nvcsw) + BPF_CORE_READ(task, nivcsw);
}

SEC("iter/task")
int mg_scan_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct mg_task_record rec;
	struct mg_text_bounds *b;
	__u64 lo, hi, sw, threadfn = 0, tfn_mod = 0;
	__u32 zero = 0, flags = 0, pid;
	long len;
	int n, i, running;

	if (!task)
		return 0;
	pid = BPF_CORE_READ(task, pid);
	/* the scanner itself: running here, so its stack says nothing */
	if (pid == (__u32)bpf_get_current_pid_tgid())
		return 0;
	/* no module text known: nothing can be inside one */
	b = bpf_map_lookup_elem(&mg_bounds, &zero);
	if (!b || !b->hi)
		return 0;
	lo = b->lo;
	hi = b->hi;

	/*
	 * A task that runs, or switches, while we unwind it leaves a torn
	 * trace: check on_cpu and the switch count on both sides.
	 */
	running = task_on_cpu(task);
	sw = task_switches(task);
	/*
	 * Never unwind a task on a CPU: it has no saved stack.  A runnable
	 * task off CPU (preempted, just woken) has one, from its last
	 * switch, and is unwound, unless a kretprobe return is pending in it
	 * (ours on an owner-less fops function, or anyone's: rcu_barrier()
	 * in a module's exit, say): then the unwinder WARNs
	 * (rethook_find_ret_addr(), kernel/trace/rethook.c: tsk != current
	 * && task_is_running(tsk)).  Such a task is "unknown, retry"; one in
	 * an owner-less fops function is counted in mg_inflight anyway.
	 */
	if (running || (mg_task_runnable(task) && mg_task_rethook_pending(task))) {
		running = 1;
		len = 0;
	} else {
		len = bpf_get_task_stack(task, rec.stack, sizeof(rec.stack), 0);
		if (task_on_cpu(task) || task_switches(task) != sw)
			running = 1;
	}
	n = len > 0 ? len / sizeof(__u64) : 0;

	rec.mod = 0;
	rec.frame = 0;
	for (i = 0; i < MG_STACK_DEPTH; i++) {
		/* a return address: the call that made it is one byte back */
		__u64 ip = rec.stack[i] - 1;
		__u64 mod;

		if (i >= n)
			break;
		if (ip < lo || ip >= hi)
			continue;
		mod = mg_text_owner(ip);
		if (mod) {
			rec.mod = mod;
			rec.frame = rec.stack[i];
			break;
		}
	}

	if (BPF_CORE_READ(task, flags) & MG_PF_KTHREAD) {
		flags |= MG_TASKF_KTHREAD;
		threadfn = mg_kthread_fn(task);
		if (threadfn >= lo && threadfn < hi)
			tfn_mod = mg_text_owner(threadfn);
		if (tfn_mod) {
			flags |= MG_TASKF_OWN_FN;
			if (!rec.mod)
				rec.mod = tfn_mod;
		}
	}
	if (running)
		flags |= MG_TASKF_RUNNING;
	if (!rec.mod && !running)
		return 0;

	rec.threadfn = threadfn;
	rec.threadfn_mod = tfn_mod;
	rec.pid = pid;
	rec.tgid = BPF_CORE_READ(task, tgid);
	rec.flags = flags;
	rec.nstack = n;
	BPF_CORE_READ_STR_INTO(&rec.comm, task, comm);
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}
