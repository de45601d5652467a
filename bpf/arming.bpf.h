/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recording callbacks into module text in mg_armed: shared by the timer,
 * workqueue, tasklet, rcu, notifier and fops programs.
 */
#ifndef MODGUARD_ARMING_BPF_H
#define MODGUARD_ARMING_BPF_H

#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

/*
 * Who armed it: the first return address inside a module's text (the
 * module's own code calling mod_timer() and friends), or inside the init
 * text of a module whose init is running; else frame "skip", the caller of
 * the arming API.  An init-text site is stored as an offset from mod->init
 * with MG_ARMF_SITE_INIT, because that text is freed once init returns.
 */
static __always_inline __u64 mg_arming_site(void *ctx, int skip, __u32 *flags)
{
	__u32 zero = 0;
	__u64 *st = bpf_map_lookup_elem(&mg_site_scratch, &zero), *mod;
	struct mg_module_info *info;
	long n;

	if (!st)
		return 0;
	n = bpf_get_stack(ctx, st, MG_SITE_DEPTH * sizeof(__u64), 0);
	if (n <= 0)
		return 0;
	n /= sizeof(__u64);
	for (int i = 0; i < MG_SITE_DEPTH; i++) {
		__u64 page;

		if (i >= n)
			break;
		if (mg_text_owner(st[i]))
			return st[i];
		page = st[i] >> MG_PAGE_SHIFT;
		mod = bpf_map_lookup_elem(&mg_init_pages, &page);
		if (!mod)
			continue;
		info = bpf_map_lookup_elem(&mg_modules, mod);
		if (!info || BPF_CORE_READ((struct module *)*mod, state) !=
				     MG_MOD_COMING)
			continue;
		*flags |= MG_ARMF_SITE_INIT;
		return st[i] - info->init_fn;
	}
	if (skip >= 0 && skip < MG_SITE_DEPTH && skip < n)
		return st[skip];
	return 0;
}

/*
 * memo: the object is armed again and again (a timer, hrtimer or work item
 * re-armed with the same function): its arming site is read from the stack
 * at its first arm only, then from mg_site_memos (maps.bpf.h).
 */
static __always_inline void mg_arm_at(void *ctx, __u64 obj, __u64 mod,
				      __u64 func, __u32 kind, __u32 flags,
				      __u64 expires, int site_skip, int memo)
{
	struct mg_armed_info a = {};
	__u64 id = bpf_get_current_pid_tgid();
	struct mg_site_memo *m = NULL, fresh = {};

	a.mod = mod;
	a.func = func;
	a.kind = kind;
	a.flags = flags;
	a.expires = expires;
	a.ts_ns = bpf_ktime_get_ns();
	a.pid = (__u32)id;
	a.tgid = id >> 32;
	if (memo)
		m = bpf_map_lookup_elem(&mg_site_memos, &obj);
	if (m && m->mod == mod && m->func == func) {
		a.site = m->site;
		a.flags |= m->flags;
	} else {
		a.site = mg_arming_site(ctx, site_skip, &a.flags);
		if (memo) {
			fresh.mod = mod;
			fresh.func = func;
			fresh.site = a.site;
			fresh.flags = a.flags & MG_ARMF_SITE_INIT;
			bpf_map_update_elem(&mg_site_memos, &obj, &fresh, BPF_ANY);
		}
	}
	bpf_get_current_comm(a.comm, sizeof(a.comm));
	if (bpf_map_update_elem(&mg_armed, &obj, &a, BPF_ANY))
		mg_stat_inc(MG_STAT_ARMED_FULL);
}

/* a callback armed or registered: its site from the stack */
static __always_inline void mg_arm(void *ctx, __u64 obj, __u64 mod, __u64 func,
				   __u32 kind, __u32 flags, __u64 expires,
				   int site_skip)
{
	mg_arm_at(ctx, obj, mod, func, kind, flags, expires, site_skip, 0);
}

/* one armed again and again (timers, work): its site read once */
static __always_inline void mg_rearm(void *ctx, __u64 obj, __u64 mod,
				     __u64 func, __u32 kind, __u32 flags,
				     __u64 expires, int site_skip)
{
	mg_arm_at(ctx, obj, mod, func, kind, flags, expires, site_skip, 1);
}

static __always_inline void mg_disarm(__u64 obj)
{
	/* most disarms are of callbacks we never recorded: a failed delete */
	bpf_map_delete_elem(&mg_armed, &obj);
}

#endif /* MODGUARD_ARMING_BPF_H */
