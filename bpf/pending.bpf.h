/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a recorded callback still armed?  Some disarms have no tracepoint on
 * 6.1 (work taken off a queue by cancel_work_sync(), tasklets run or killed)
 * so the ledger asks the object itself, with the same test the kernel uses:
 * timer_pending(), hrtimer_is_queued(), work_pending(), TASKLET_STATE_SCHED.
 * Registrations (notifiers, fops) and RCU callbacks have no such bit: they
 * stay until their unregister (or rcu_barrier) is seen.
 */
#ifndef MODGUARD_PENDING_BPF_H
#define MODGUARD_PENDING_BPF_H

#include <bpf/bpf_core_read.h>
#include "modguard_abi.h"

static __always_inline int mg_timer_pending(__u64 obj)
{
	struct timer_list *t = (void *)obj;

	return BPF_CORE_READ(t, entry.pprev) != NULL;
}

static __always_inline int mg_work_pending(__u64 obj)
{
	struct work_struct *w = (void *)obj;

	return BPF_CORE_READ(w, data.counter) & 1; /* WORK_STRUCT_PENDING */
}

/* 1 pending, 0 not, -1 cannot tell from the object */
static __always_inline int mg_object_pending(const struct mg_armed_info *a,
					     __u64 obj)
{
	switch (a->kind) {
	case MG_KIND_TIMER:
		return mg_timer_pending(obj);
	case MG_KIND_HRTIMER: {
		struct hrtimer *h = (void *)obj;

		return BPF_CORE_READ(h, state) & 1; /* HRTIMER_STATE_ENQUEUED */
	}
	case MG_KIND_WORK:
		if (a->flags & MG_ARMF_DWORK) {
			struct delayed_work *dw =
				container_of((struct timer_list *)obj,
					     struct delayed_work, timer);

			return mg_timer_pending(obj) ||
			       mg_work_pending((__u64)&dw->work);
		}
		return mg_work_pending(obj);
	case MG_KIND_TASKLET: {
		struct tasklet_struct *t = (void *)obj;

		return BPF_CORE_READ(t, state) & 1; /* TASKLET_STATE_SCHED */
	}
	default:
		return -1;
	}
}

#endif /* MODGUARD_PENDING_BPF_H */
