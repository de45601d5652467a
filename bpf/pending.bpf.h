/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a recorded callback still armed?  Some disarms have no tracepoint on
 * 6.1 (work taken off a queue by cancel_work_sync(), tasklets run or killed)
 * so the ledger asks the object itself, with the same test the kernel uses:
 * timer_pending(), hrtimer_is_queued(), work_pending(), TASKLET_STATE_SCHED,
 * a kthread_work on its worker's list.
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

/* on a worker's list: kthread_insert_work() put it there, running took it off */
static __always_inline int mg_kthread_work_queued(__u64 obj)
{
	struct kthread_work *w = (void *)obj;

	return (__u64)BPF_CORE_READ(w, node.next) != (__u64)&w->node;
}

/* &file_systems (fs/filesystems.c), set by modguardd; 0 if unknown */
extern const volatile __u64 mg_file_systems;

/*
 * Is fs on the list of registered filesystems?  A failed registration (a
 * name taken: -EBUSY) went through register_filesystem() too; 1, 0, or -1
 * when the list is unknown or longer than we walk.
 */
static __always_inline int mg_fs_registered(__u64 fs)
{
	struct file_system_type *p = NULL;

	if (!mg_file_systems ||
	    bpf_probe_read_kernel(&p, sizeof(p), (void *)mg_file_systems))
		return -1;
	for (int i = 0; i < 512 && p; i++) {
		if ((__u64)p == fs)
			return 1;
		p = BPF_CORE_READ(p, next);
	}
	return p ? -1 : 0;
}

/*
 * Is the irqaction still on its irq_desc's list?  free_irq() takes it off
 * (and frees it); a request that failed never put it there.  Shared lines
 * hold a few actions; -1 past the walk.
 */
static __always_inline int mg_irq_action_on(__u64 action, __u64 desc)
{
	struct irqaction *p = BPF_CORE_READ((struct irq_desc *)desc, action);

	for (int i = 0; i < 32 && p; i++) {
		if ((__u64)p == action)
			return 1;
		p = BPF_CORE_READ(p, next);
	}
	return p ? -1 : 0;
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
	case MG_KIND_KTHREAD_WORK:
		if (a->flags & MG_ARMF_DWORK) {
			struct kthread_delayed_work *dw =
				container_of((struct timer_list *)obj,
					     struct kthread_delayed_work, timer);

			return mg_timer_pending(obj) ||
			       mg_kthread_work_queued((__u64)&dw->work);
		}
		return mg_kthread_work_queued(obj);
	case MG_KIND_FILESYSTEM:
		return mg_fs_registered(obj);
	case MG_KIND_IRQ:
		return mg_irq_action_on(obj, a->expires);
	case MG_KIND_TASKLET: {
		struct tasklet_struct *t = (void *)obj;

		return BPF_CORE_READ(t, state) & 1; /* TASKLET_STATE_SCHED */
	}
	default:
		return -1;
	}
}

#endif /* MODGUARD_PENDING_BPF_H */
