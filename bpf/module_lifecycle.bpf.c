// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle: keep mg_modules and the text-page filter in step with
 * the modules the kernel has, and tell modguardd about each change.
 *
 * Sources: module:module_load fires in load_module() before the module's
 * init runs; module:module_free fires first thing in free_module(), after
 * its exit ran, while its memory is still mapped (kernel/module/main.c).
 * Modules loaded before we started are found by walking kallsyms for their
 * __this_module symbol (iter/ksym, 6.0+).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MG_DEFINE_MAPS
#include "maps.bpf.h"
#include "core_fixes.bpf.h"
#include "pending.bpf.h"
#include "inflight.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct page_walk {
	__u64 first_page;
	__u64 mod;
};

static long map_text_page(__u32 i, void *data)
{
	struct page_walk *w = data;
	__u64 page = w->first_page + i;

	if (bpf_map_update_elem(&mg_text_pages, &page, &w->mod, BPF_ANY)) {
		mg_stat_inc(MG_STAT_PAGES_FULL);
		return 1;
	}
	return 0;
}

static long map_init_page(__u32 i, void *data)
{
	struct page_walk *w = data;
	__u64 page = w->first_page + i;

	if (bpf_map_update_elem(&mg_init_pages, &page, &w->mod, BPF_ANY)) {
		mg_stat_inc(MG_STAT_PAGES_FULL);
		return 1;
	}
	return 0;
}

static __always_inline void widen_bounds(__u64 start, __u64 end)
{
	struct mg_text_bounds *b;
	__u32 zero = 0;

	b = bpf_map_lookup_elem(&mg_bounds, &zero);
	if (!b)
		return;
	/* only ever widened: a stale wide bound costs a hash lookup, no more */
	if (!b->lo || start < b->lo)
		b->lo = start;
	if (end > b->hi)
		b->hi = end;
	/* the task scan's memos of stacks without module frames are stale */
	__sync_fetch_and_add(&b->gen, 1);
}

/* entries a gone module left behind must not be pinned on its successor */
static long forget_left(struct bpf_map *map, __u64 *key,
			struct mg_armed_info *a, __u64 *mod)
{
	if (a->mod == *mod)
		bpf_map_delete_elem(map, key);
	return 0;
}

static __always_inline int track_module(struct module *mod, __u32 type,
					__u32 flags)
{
	struct mg_module_info info = {};
	struct page_walk walk;
	struct mg_event *e;
	__u64 key = (__u64)mod;
	__u64 npages;

	mg_module_text(mod, &info.text_start, &info.text_size);
	mg_module_init_text(mod, &info.init_start, &info.init_size);
	info.init_fn = (__u64)BPF_CORE_READ(mod, init);
	info.load_ns = bpf_ktime_get_ns();
	info.state = BPF_CORE_READ(mod, state);
	info.flags = flags;
	BPF_CORE_READ_STR_INTO(&info.name, mod, name);

	if (bpf_map_update_elem(&mg_modules, &key, &info, BPF_ANY))
		mg_stat_inc(MG_STAT_MODULES_FULL);
	{
		struct mg_name_key nk = {};

		__builtin_memcpy(nk.name, info.name, sizeof(nk.name));
		bpf_map_update_elem(&mg_module_names, &nk, &key, BPF_ANY);
	}

	walk.mod = key;
	if (info.text_size) {
		walk.first_page = info.text_start >> MG_PAGE_SHIFT;
		npages = ((info.text_start + info.text_size - 1) >> MG_PAGE_SHIFT) -
			 walk.first_page + 1;
		bpf_loop(npages, map_text_page, &walk, 0);
		widen_bounds(info.text_start, info.text_start + info.text_size);
	}
	/* init text is mapped only while init can still run */
	if (info.init_size && info.state == MG_MOD_COMING) {
		walk.first_page = info.init_start >> MG_PAGE_SHIFT;
		npages = ((info.init_start + info.init_size - 1) >> MG_PAGE_SHIFT) -
			 walk.first_page + 1;
		bpf_loop(npages, map_init_page, &walk, 0);
	}

	e = mg_event_reserve(type);
	if (!e)
		return 0;
	e->mod = key;
	e->text_start = info.text_start;
	e->text_size = info.text_size;
	e->load.init_fn = info.init_fn;
	e->load.init_start = info.init_start;
	e->load.init_size = info.init_size;
	e->state = info.state;
	e->refcnt = mg_module_refcnt(mod);
	__builtin_memcpy(e->name, info.name, sizeof(e->name));
	mg_event_submit(e);
	return 0;
}

SEC("tp_btf/module_load")
int BPF_PROG(mg_module_load, struct module *mod)
{
	__u64 key = (__u64)mod;

	/* a new module whose struct module sits where a gone one's did */
	bpf_for_each_map_elem(&mg_armed, forget_left, &key, 0);
	return track_module(mod, MG_EV_MODULE_LOAD, 0);
}

/*
 * After exit: every callback of this module still armed is left behind and
 * will jump into freed text.  Name each one now, while the module's memory
 * (which may hold the object itself) is still mapped; drop the entries
 * that were disarmed without a tracepoint seeing it.
 */
/* defined in registrations.bpf.c */
extern const volatile __u64 mg_rcu_state;

/*
 * 6.1 has no tracepoint for an RCU callback being invoked (CONFIG_RCU_TRACE
 * is off), so "done" is inferred: a full grace period has completed since
 * call_rcu() (rcu_seq_snap()/rcu_seq_done() in kernel/rcu/rcu.h) and a
 * second has passed for the callback to be run after it.
 */
#define MG_RCU_SETTLE_NS 1000000000ull

static __always_inline int rcu_callback_done(const struct mg_armed_info *a)
{
	struct rcu_state *rs = (void *)mg_rcu_state;
	unsigned long snap, cur;

	if (!mg_rcu_state)
		return 0;
	cur = BPF_CORE_READ(rs, gp_seq);
	snap = (a->expires + 2 * 3 + 1) & ~3ul;
	return (long)(cur - snap) >= 0 &&
	       bpf_ktime_get_ns() - a->ts_ns > MG_RCU_SETTLE_NS;
}

/* the same for an SRCU callback, on its own domain's sequence */
static __always_inline int srcu_callback_done(const struct mg_armed_info *a,
					      __u64 head)
{
	__u64 *snap = bpf_map_lookup_elem(&mg_srcu_gp_snap, &head);
	unsigned long want, cur;

	if (!snap || !a->expires)
		return 0;
	cur = mg_srcu_gp_seq((void *)a->expires);
	want = (*snap + 2 * 3 + 1) & ~3ul;
	return (long)(cur - want) >= 0 &&
	       bpf_ktime_get_ns() - a->ts_ns > MG_RCU_SETTLE_NS;
}

static long settle_armed(struct bpf_map *map, __u64 *key,
			 struct mg_armed_info *a, __u64 *mod)
{
	struct mg_event *e;
	int pending;

	if (a->mod != *mod)
		return 0;
	pending = mg_object_pending(a, *key);
	if (a->kind == MG_KIND_RCU && rcu_callback_done(a))
		pending = 0;
	if (a->kind == MG_KIND_SRCU && srcu_callback_done(a, *key))
		pending = 0;
	if (pending == 0) {
		bpf_map_delete_elem(map, key);
		return 0;
	}
	a->flags |= MG_ARMF_LEFT;
	e = mg_event_reserve(MG_EV_LEFT_BEHIND);
	if (!e)
		return 0;
	e->mod = *mod;
	e->cb.obj = *key;
	e->cb.func = a->func;
	e->cb.site = a->site;
	e->kind = a->kind;
	e->cb.expires = a->expires;
	mg_event_submit(e);
	return 0;
}

/* device numbers still mapped to a module that goes: nothing to guard */
static long drop_chrdev(struct bpf_map *map, __u32 *dev, struct mg_chrdev *c,
			__u64 *mod)
{
	if (c->mod == *mod)
		bpf_map_delete_elem(map, dev);
	return 0;
}

/*
 * The module's exit has run.  Its text pages stay in the filter on purpose:
 * anything that fires into them from now on is a stale callback, and that is
 * what modguard must name.  modguardd drops the pages when it retires the
 * module, and a new module loaded at the same place overwrites them.
 */
SEC("tp_btf/module_free")
int BPF_PROG(mg_module_free, struct module *mod)
{
	struct mg_module_info *info;
	struct mg_event *e;
	__u64 key = (__u64)mod;

	info = bpf_map_lookup_elem(&mg_modules, &key);
	if (info) {
		struct mg_name_key nk = {};

		info->state = MG_MOD_GONE;
		__builtin_memcpy(nk.name, info->name, sizeof(nk.name));
		bpf_map_delete_elem(&mg_module_names, &nk);
	}
	bpf_map_delete_elem(&mg_inflight, &key);
	mg_forget_callers(key);
	bpf_map_delete_elem(&mg_stack_busy, &key);
	bpf_map_delete_elem(&mg_guard, &key);
	bpf_for_each_map_elem(&mg_chrdevs, drop_chrdev, &key, 0);
	/* an rcu_barrier() the exit called has returned: settle it first */
	mg_barrier_returned((__u32)bpf_get_current_pid_tgid(),
			    (__u64)bpf_get_current_task());
	bpf_for_each_map_elem(&mg_armed, settle_armed, &key, 0);

	e = mg_event_reserve(MG_EV_MODULE_FREE);
	if (!e)
		return 0;
	e->mod = key;
	mg_module_text(mod, &e->text_start, &e->text_size);
	e->state = MG_MOD_GONE;
	e->refcnt = mg_module_refcnt(mod);
	BPF_CORE_READ_STR_INTO(&e->name, mod, name);
	mg_event_submit(e);
	return 0;
}

/* every loaded module has exactly one __this_module symbol, in its own name */
SEC("iter/ksym")
int mg_scan_modules(struct bpf_iter__ksym *ctx)
{
	static const char this_module[] = "__this_module";
	struct kallsym_iter *ksym = ctx->ksym;
	char name[sizeof(this_module)];

	if (!ksym || !ksym->module_name[0])
		return 0;
	if (bpf_probe_read_kernel_str(name, sizeof(name), ksym->name) !=
	    sizeof(this_module))
		return 0;
	for (int i = 0; i < sizeof(this_module); i++)
		if (name[i] != this_module[i])
			return 0;
	return track_module((struct module *)ksym->value, MG_EV_MODULE_SCAN,
			    MG_MODF_PRELOADED);
}
