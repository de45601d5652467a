/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls in progress in a thread, and how they end without a return probe.
 * The why is in bpf/inflight.bpf.c; these helpers are shared with the
 * module_free program, which must settle a thread's rcu_barrier() before it
 * looks for RCU callbacks left behind, and forget a freed module's callers.
 */
#ifndef MODGUARD_INFLIGHT_BPF_H
#define MODGUARD_INFLIGHT_BPF_H

#include "maps.bpf.h"

static long mg_drop_rcu_before(struct bpf_map *map, __u64 *key,
			       struct mg_armed_info *a, __u64 *start)
{
	if (a->kind == MG_KIND_RCU && a->ts_ns < *start)
		bpf_map_delete_elem(map, key);
	return 0;
}

/*
 * Thread tid (struct task_struct * task) is no longer inside rcu_barrier():
 * every RCU callback queued before it entered has been invoked
 * (kernel/rcu/tree.c, rcu_barrier()).  The task check keeps a dead
 * thread's end from settling the barrier of a new thread with its id.
 */
struct mg_srcu_done {
	__u64 start_ns;
	__u64 ssp;
};

static long mg_drop_srcu_before(struct bpf_map *map, __u64 *key,
				struct mg_armed_info *a, struct mg_srcu_done *d)
{
	if (a->kind == MG_KIND_SRCU && a->expires == d->ssp &&
	    a->ts_ns < d->start_ns)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* the same for srcu_barrier(ssp): the callbacks queued on ssp before it */
static __always_inline void mg_srcu_barrier_returned(__u32 tid, __u64 task)
{
	struct mg_srcu_barrier *b =
		bpf_map_lookup_elem(&mg_srcu_barrier_start, &tid);
	struct mg_srcu_done d;

	if (!b || b->task != task)
		return;
	d.start_ns = b->start_ns;
	d.ssp = b->ssp;
	bpf_map_delete_elem(&mg_srcu_barrier_start, &tid);
	bpf_for_each_map_elem(&mg_armed, mg_drop_srcu_before, &d, 0);
}

static __always_inline void mg_barrier_returned(__u32 tid, __u64 task)
{
	struct mg_barrier *b = bpf_map_lookup_elem(&mg_barrier_start, &tid);
	__u64 s;

	mg_srcu_barrier_returned(tid, task);
	if (!b || b->task != task)
		return;
	s = b->start_ns;
	bpf_map_delete_elem(&mg_barrier_start, &tid);
	bpf_for_each_map_elem(&mg_armed, mg_drop_rcu_before, &s, 0);
}

static long mg_forget_callers_of(struct bpf_map *map, __u32 *tid,
				 struct mg_thread_calls *c, __u64 *mod)
{
#pragma clang loop unroll(full)
	for (int i = 0; i < MG_THREAD_MODS; i++)
		if (c->mod[i] == *mod) {
			c->mod[i] = 0;
			c->depth[i] = 0;
		}
	return 0;
}

/*
 * A module is freed: slots that still name it (a thread that has not made
 * a system call since it left) must not count against a new module loaded
 * at the same address.  Its mg_inflight word is deleted by the caller.
 */
static __always_inline void mg_forget_callers(__u64 mod)
{
	bpf_for_each_map_elem(&mg_thread_calls, mg_forget_callers_of, &mod, 0);
}

#endif /* MODGUARD_INFLIGHT_BPF_H */
