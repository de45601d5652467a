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
static __always_inline int ref_event(struct module *mod, unsigned long ip,
				     __u32 type)
{
	struct mg_event *e = mg_event_reserve_lazy(type);

	if (!e)
		return 0;
	e->mod = (__u64)mod;
	e->ref.site = ip;
	e->refcnt = mg_module_refcnt(mod);
	e->state = BPF_CORE_READ(mod, state);
	mg_event_submit_lazy(e);
	return 0;
}

SEC("tp_btf/module_get")
int BPF_PROG(mg_module_get, struct module *mod, unsigned long ip)
{
	return ref_event(mod, ip, MG_EV_REF_GET);
}

SEC("tp_btf/module_put")
int BPF_PROG(mg_module_put, struct module *mod, unsigned long ip)
{
	return ref_event(mod, ip, MG_EV_REF_PUT);
}
