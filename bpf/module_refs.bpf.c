// SPDX-License-Identifier: GPL-2.0
/*
 * Module references: every try_module_get()/__module_get() that succeeded
 * and every module_put(), with the call site, so modguardd can say who holds
 * a module instead of a bare count (kernel/module/main.c: trace_module_get
 * fires only for a real, live module, trace_module_put for every put).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

/*
 * Every open() of a file a module serves takes and drops a reference, so
 * these fire often: no name copy (modguardd knows it by address), and the
 * lazy reserve/submit of maps.bpf.h (no wake-up unless an unload waits;
 * never the last quarter of the buffer).
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

/*
 * The functions that take references for someone else (set by modguardd
 * from kallsyms): a get from one of them carries the taker's stack.
 */
const volatile __u64 mg_plumbing_lo[MG_PLUMBING_MAX] = {};
const volatile __u64 mg_plumbing_hi[MG_PLUMBING_MAX] = {};
const volatile __u32 mg_nplumbing = 0;
/* all of them lie in [min, max): a module's own call is outside, one test */
const volatile __u64 mg_plumbing_min = 0;
const volatile __u64 mg_plumbing_max = 0;

static __always_inline int in_plumbing(__u64 ip)
{
	if (ip < mg_plumbing_min || ip >= mg_plumbing_max)
		return 0;
	for (__u32 i = 0; i < MG_PLUMBING_MAX && i < mg_nplumbing; i++)
		if (ip >= mg_plumbing_lo[i] && ip < mg_plumbing_hi[i])
			return 1;
	return 0;
}

SEC("tp_btf/module_get")
int BPF_PROG(mg_module_get, struct module *mod, unsigned long ip)
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

SEC("tp_btf/module_put")
int BPF_PROG(mg_module_put, struct module *mod, unsigned long ip)
{
	return ref_event(mod, ip, MG_EV_REF_PUT);
}
