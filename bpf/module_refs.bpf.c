// SPDX-License-Identifier: GPL-2.0
/*
 * Module references: every try_module_get()/__module_get() that succeeded
 * and every module_put(), with the call site, so modguardd can say who holds
 * a module instead of a bare count (kernel/module/main.c: trace_module_get
 * fires only for a real, live module, trace_module_put for every put).
 *
 * Most references are short: open() takes one and close() drops it, a
 * module takes and drops its own around a call.  Sending both to the ring
 * buffer costs more than the work itself and, in a tight loop, fills the
 * buffer, so that real holders show up as unattributed.  So each thread
 * keeps its newest get in a slot of its own (task storage): a put of the
 * same module by the same thread cancels it there, and nothing is sent.
 * The slot is sent as a get event when the thread takes another reference,
 * drops one of another kind, exits, or while an unload waits for puts; a
 * report reads the slots still held with mg_scan_held_refs.  The stack of
 * a get through plumbing is read once for a thread and call site, not on
 * every open.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

/* a thread's newest get not yet sent (see above) */
struct mg_ref_slot {
	struct mg_ref_event r; /* the get, as it would have been sent */
	/* r.stack was read for a get of stack_mod at stack_site (plumbing) */
	__u64 stack_site;
	__u64 stack_mod;
	__u32 stack_n;
	__u32 held; /* 1: r is a reference still held, unsent */
	__u32 busy; /* a program of this thread is changing it */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mg_ref_slot);
} mg_ref_slots SEC(".maps");

/*
 * The functions that take references for someone else (set by modguardd
 * from kallsyms, sorted by start, disjoint): a get from one of them
 * carries the taker's stack.
 */
const volatile __u64 mg_plumbing_lo[MG_PLUMBING_MAX] = {};
const volatile __u64 mg_plumbing_hi[MG_PLUMBING_MAX] = {};
const volatile __u32 mg_nplumbing = 0;
/* all of them lie in [min, max): a module's own call is outside, one test */
const volatile __u64 mg_plumbing_min = 0;
const volatile __u64 mg_plumbing_max = 0;

_Static_assert((MG_PLUMBING_MAX & (MG_PLUMBING_MAX - 1)) == 0 &&
		       MG_PLUMBING_MAX <= 128,
	       "the binary search below: 7 halvings, a power-of-two mask");

static __always_inline int in_plumbing(__u64 ip)
{
	__u32 a = 0, b = mg_nplumbing;

	if (ip < mg_plumbing_min || ip >= mg_plumbing_max)
		return 0;
	/* a = how many ranges start at or below ip */
	for (int k = 0; k < 7 && a < b; k++) {
		__u32 mid = a + (b - a) / 2;

		if (mg_plumbing_lo[mid & (MG_PLUMBING_MAX - 1)] <= ip)
			a = mid + 1;
		else
			b = mid;
	}
	return a && ip < mg_plumbing_hi[(a - 1) & (MG_PLUMBING_MAX - 1)];
}

/*
 * Every open() of a file a module serves takes and drops a reference, so
 * the events are lazy (maps.bpf.h: no wake-up unless an unload waits;
 * never the last quarter of the buffer) and carry no name (modguardd knows
 * the module by address).
 */
static __always_inline void ref_fill(struct mg_event *e, struct module *mod,
				     unsigned long ip)
{
	e->mod = (__u64)mod;
	e->ref.site = ip;
	e->refcnt = mg_module_refcnt(mod);
	e->state = BPF_CORE_READ(mod, state);
}

static __always_inline int ref_event(struct module *mod, unsigned long ip,
				     __u32 type)
{
	struct mg_event *e = mg_event_reserve_lazy(type);

	if (!e)
		return 0;
	ref_fill(e, mod, ip);
	mg_event_submit_lazy(e);
	return 0;
}

/* a get sent at once, with the stack when it came through plumbing */
static __always_inline int get_event(void *ctx, struct module *mod,
				     unsigned long ip)
{
	struct mg_ref_event *r;
	long n;

	/* a direct caller is its own taker: the short record, no unwind */
	if (!in_plumbing(ip))
		return ref_event(mod, ip, MG_EV_REF_GET);
	r = mg_event_reserve_lazy_sized(MG_EV_REF_GET, sizeof(*r));
	if (!r)
		return 0;
	ref_fill(&r->e, mod, ip);
	n = bpf_get_stack(ctx, r->stack, sizeof(r->stack), 0);
	r->e.ref.nstack = n > 0 ? n / sizeof(r->stack[0]) : 0;
	mg_event_submit_lazy(&r->e);
	return 0;
}

/* send the slot's held get (the current thread's), then it is empty */
static __always_inline void slot_send(struct mg_ref_slot *s)
{
	struct mg_ref_event *r;
	struct mg_event *e;

	s->held = 0;
	if (s->r.e.ref.nstack) {
		r = mg_event_reserve_lazy_sized(MG_EV_REF_GET, sizeof(*r));
		if (!r)
			return;
		__builtin_memcpy(r->stack, s->r.stack, sizeof(r->stack));
		e = &r->e;
	} else {
		e = mg_event_reserve_lazy(MG_EV_REF_GET);
		if (!e)
			return;
	}
	/* pid, tgid and comm are the reserve's: this thread's */
	ref_fill(e, (struct module *)s->r.e.mod, s->r.e.ref.site);
	e->ts_ns = s->r.e.ts_ns;
	e->ref.nstack = s->r.e.ref.nstack;
	e->kind = MG_REFF_HELD;
	mg_event_submit_lazy(e);
}

static __always_inline struct mg_ref_slot *slot_of_current(__u64 create)
{
	struct mg_ref_slot *s;

	s = bpf_task_storage_get(&mg_ref_slots, bpf_get_current_task_btf(), 0,
				 create);
	/* busy: an interrupt inside this thread's own program */
	return s && !s->busy ? s : NULL;
}

SEC("tp_btf/module_get")
int BPF_PROG(mg_module_get, struct module *mod, unsigned long ip)
{
	struct mg_ref_slot *s;
	long n;

	if (mg_someone_waits())
		return get_event(ctx, mod, ip);
	s = slot_of_current(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return get_event(ctx, mod, ip);
	s->busy = 1;
	if (s->held)
		slot_send(s);
	if (!in_plumbing(ip)) {
		s->r.e.ref.nstack = 0;
	} else {
		/* the stack of this thread's last get here is kept */
		if (s->stack_site != ip || s->stack_mod != (__u64)mod) {
			n = bpf_get_stack(ctx, s->r.stack, sizeof(s->r.stack),
					  0);
			s->stack_n = n > 0 ? n / sizeof(s->r.stack[0]) : 0;
			s->stack_site = s->stack_n ? ip : 0;
			s->stack_mod = (__u64)mod;
		}
		s->r.e.ref.nstack = s->stack_n;
	}
	s->r.e.mod = (__u64)mod;
	s->r.e.ref.site = ip;
	s->r.e.ts_ns = bpf_ktime_get_ns();
	s->held = 1;
	s->busy = 0;
	return 0;
}

SEC("tp_btf/module_put")
int BPF_PROG(mg_module_put, struct module *mod, unsigned long ip)
{
	struct mg_ref_slot *s = slot_of_current(0);

	if (s && s->held) {
		/* the common case: this thread drops what it just took */
		if (s->r.e.mod == (__u64)mod && !mg_someone_waits()) {
			s->held = 0;
			return 0;
		}
		/* a waiting unload sees every get and put, in order */
		if (mg_someone_waits()) {
			s->busy = 1;
			slot_send(s);
			s->busy = 0;
		}
	}
	return ref_event(mod, ip, MG_EV_REF_PUT);
}

/* a thread that exits with a reference held: its get is sent */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(mg_ref_exit, struct task_struct *p)
{
	struct mg_ref_slot *s = slot_of_current(0);

	if (s && s->held) {
		s->busy = 1;
		slot_send(s);
		s->busy = 0;
	}
	return 0;
}

/*
 * On demand: every thread's held get, as the struct mg_ref_event it
 * would have been sent as (pid, tgid and comm from the task).  A slot
 * changed while it is read is at worst one reference shown or not; the
 * report counts no holder beyond the kernel's refcount.
 */
SEC("iter/task")
int mg_scan_held_refs(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct mg_ref_event r = {};
	struct mg_ref_slot *s;

	if (!task)
		return 0;
	s = bpf_task_storage_get(&mg_ref_slots, task, 0, 0);
	if (!s || !s->held)
		return 0;
	r = s->r;
	if (!s->held)
		return 0;
	r.e.type = MG_EV_REF_GET;
	r.e.kind = MG_REFF_HELD;
	r.e.pid = task->pid;
	r.e.tgid = task->tgid;
	BPF_CORE_READ_INTO(&r.e.comm, task, comm);
	r.e.refcnt = mg_module_refcnt((void *)r.e.mod);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
