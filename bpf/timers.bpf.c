// SPDX-License-Identifier: GPL-2.0
/*
 * Timers, hrtimers and work items whose function lies in module text.
 *
 * The always-on part of modguard: these tracepoints fire for every timer
 * and work item in the kernel, so each program first asks mg_text_owner()
 * (two compares for the rest of the kernel) and does nothing more unless
 * the callback is a module's.
 *
 * timer_cancel and hrtimer_cancel also fire when a timer expires
 * (detach_timer()/__remove_hrtimer() in kernel/time/), so "armed" means
 * "pending": a timer re-armed by its callback shows up again through
 * timer_start/hrtimer_start.  Work leaves the ledger when it starts to run
 * (it is then on a worker's stack, which the task scan sees).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "arming.bpf.h"

/* delayed_work_timer_fn and kthread_delayed_work_timer_fn, from kallsyms */
const volatile __u64 mg_dwork_timer_fn = 0;
const volatile __u64 mg_kthread_dwork_timer_fn = 0;

/*
 * Delayed work (of a workqueue or of a kthread worker) arms a core timer:
 * the work's own function is what counts.  0 for any other timer, else
 * the work's function with *kind set.
 */
static __always_inline __u64 dwork_func(struct timer_list *timer, __u64 func,
					__u32 *kind)
{
	if (!func)
		return 0;
	if (func == mg_dwork_timer_fn) {
		struct delayed_work *dw =
			container_of(timer, struct delayed_work, timer);

		*kind = MG_KIND_WORK;
		return (__u64)BPF_CORE_READ(dw, work.func);
	}
	if (func == mg_kthread_dwork_timer_fn) {
		struct kthread_delayed_work *dw =
			container_of(timer, struct kthread_delayed_work, timer);

		*kind = MG_KIND_KTHREAD_WORK;
		return (__u64)BPF_CORE_READ(dw, work.func);
	}
	return 0;
}

SEC("tp_btf/timer_start")
int BPF_PROG(mg_timer_start, struct timer_list *timer, unsigned long expires)
{
	__u64 func = (__u64)timer->function, mod, wfunc;
	__u32 kind;

	wfunc = dwork_func(timer, func, &kind);
	if (wfunc) {
		mod = mg_text_owner(wfunc);
		if (mod)
			mg_rearm(ctx, (__u64)timer, mod, wfunc, kind,
			       MG_ARMF_DWORK, expires, 2);
		return 0;
	}
	mod = mg_text_owner(func);
	if (mod)
		mg_rearm(ctx, (__u64)timer, mod, func, MG_KIND_TIMER, 0, expires, 2);
	return 0;
}

SEC("tp_btf/timer_cancel")
int BPF_PROG(mg_timer_cancel, struct timer_list *timer)
{
	__u64 func = (__u64)timer->function, wfunc;
	__u32 kind;

	wfunc = dwork_func(timer, func, &kind);
	if (!mg_text_owner(wfunc ? wfunc : func))
		return 0;
	mg_disarm((__u64)timer);
	return 0;
}

SEC("tp_btf/hrtimer_start")
int BPF_PROG(mg_hrtimer_start, struct hrtimer *timer)
{
	__u64 func = (__u64)timer->function, mod = mg_text_owner(func);

	if (mod)
		mg_rearm(ctx, (__u64)timer, mod, func, MG_KIND_HRTIMER, 0,
		       (__u64)timer->node.expires, 2);
	return 0;
}

SEC("tp_btf/hrtimer_cancel")
int BPF_PROG(mg_hrtimer_cancel, struct hrtimer *timer)
{
	if (mg_text_owner((__u64)timer->function))
		mg_disarm((__u64)timer);
	return 0;
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(mg_work_queue, int req_cpu, struct pool_workqueue *pwq,
	     struct work_struct *work)
{
	__u64 func = (__u64)work->func, mod = mg_text_owner(func);

	if (mod)
		mg_rearm(ctx, (__u64)work, mod, func, MG_KIND_WORK, 0, 0, 2);
	return 0;
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(mg_work_start, struct work_struct *work)
{
	if (mg_text_owner((__u64)work->func))
		mg_disarm((__u64)work);
	return 0;
}

/*
 * kthread workers (kthread_create_worker()): queued work leaves the ledger
 * when it starts to run, as workqueue items do, or when it is cancelled.
 */
SEC("tp_btf/sched_kthread_work_queue_work")
int BPF_PROG(mg_kthread_work_queue, struct kthread_worker *worker,
	     struct kthread_work *work)
{
	__u64 func = (__u64)work->func, mod = mg_text_owner(func);

	if (mod)
		mg_rearm(ctx, (__u64)work, mod, func, MG_KIND_KTHREAD_WORK, 0, 0,
		       2);
	return 0;
}

SEC("tp_btf/sched_kthread_work_execute_start")
int BPF_PROG(mg_kthread_work_start, struct kthread_work *work)
{
	if (mg_text_owner((__u64)work->func))
		mg_disarm((__u64)work);
	return 0;
}
