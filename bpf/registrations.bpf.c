// SPDX-License-Identifier: GPL-2.0
/*
 * Callbacks with no tracepoint on 6.1, seen through kprobes (kprobes do not
 * take a module reference, unlike fentry): tasklets, RCU callbacks,
 * notifier blocks, and file_operations registered without an .owner.
 *
 * These probes sit on core kernel functions, never on module text, and are
 * cold paths except __tasklet_schedule, which filters first like the
 * timer programs do.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "arming.bpf.h"
#include "core_fixes.bpf.h"

/* names of filesystem types and interrupt handlers, by ledger key */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct mg_reg_name);
} mg_reg_names SEC(".maps");

static __always_inline void reg_name(__u64 obj, const char *name)
{
	struct mg_reg_name n = {};

	bpf_probe_read_kernel_str(n.name, sizeof(n.name), name);
	bpf_map_update_elem(&mg_reg_names, &obj, &n, BPF_ANY);
}

/* &file_systems, for the ledger check (pending.bpf.h); 0 if unknown */
const volatile __u64 mg_file_systems = 0;

/* &rcu_state, set by modguardd from kallsyms; 0 if unknown */
const volatile __u64 mg_rcu_state = 0;

static __always_inline __u64 rcu_gp_seq(void)
{
	struct rcu_state *rs = (void *)mg_rcu_state;

	return mg_rcu_state ? BPF_CORE_READ(rs, gp_seq) : 0;
}

static __always_inline int tasklet_armed(void *ctx, struct tasklet_struct *t)
{
	__u64 func, mod;

	if (BPF_CORE_READ(t, use_callback))
		func = (__u64)BPF_CORE_READ(t, callback);
	else
		func = (__u64)BPF_CORE_READ(t, func);
	mod = mg_text_owner(func);
	if (mod)
		mg_rearm(ctx, (__u64)t, mod, func, MG_KIND_TASKLET, 0, 0, 1);
	return 0;
}

SEC("kprobe/__tasklet_schedule")
int BPF_KPROBE(mg_tasklet_schedule, struct tasklet_struct *t)
{
	return tasklet_armed(ctx, t);
}

SEC("kprobe/__tasklet_hi_schedule")
int BPF_KPROBE(mg_tasklet_hi_schedule, struct tasklet_struct *t)
{
	return tasklet_armed(ctx, t);
}

/* the grace period sequence goes in "expires": see the module_free check */
SEC("kprobe/call_rcu")
int BPF_KPROBE(mg_call_rcu, struct callback_head *head, void *func)
{
	__u64 mod = mg_text_owner((__u64)func);

	if (mod)
		mg_arm(ctx, (__u64)head, mod, (__u64)func, MG_KIND_RCU, 0,
		       rcu_gp_seq(), 1);
	return 0;
}

/*
 * rcu_barrier() waits for every callback queued before it started.  Its
 * end is not probed (a kretprobe would put a return trampoline on the
 * stack of a task the task scan may unwind, bpf/inflight.bpf.c): it is the
 * module_free that follows in the same thread (an exit that called it has
 * returned), or the thread's death.
 */
SEC("kprobe/rcu_barrier")
int BPF_KPROBE(mg_rcu_barrier_enter)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mg_barrier b = { .start_ns = bpf_ktime_get_ns(),
				.task = (__u64)bpf_get_current_task() };

	bpf_map_update_elem(&mg_barrier_start, &tid, &b, BPF_ANY);
	return 0;
}

/*
 * SRCU callbacks, as RCU's: the domain goes in "expires", its grace-period
 * sequence at the call in mg_srcu_gp_snap.  Done after a later
 * srcu_barrier() on that domain (its end: as rcu_barrier's), or once a
 * grace period of it has completed (the module_free check).
 */
SEC("kprobe/call_srcu")
int BPF_KPROBE(mg_call_srcu, struct srcu_struct *ssp, struct callback_head *rhp,
	       void *func)
{
	__u64 mod = mg_text_owner((__u64)func), head = (__u64)rhp, seq;

	if (!mod)
		return 0;
	mg_arm(ctx, head, mod, (__u64)func, MG_KIND_SRCU, 0, (__u64)ssp, 1);
	seq = mg_srcu_gp_seq(ssp);
	bpf_map_update_elem(&mg_srcu_gp_snap, &head, &seq, BPF_ANY);
	return 0;
}

SEC("kprobe/srcu_barrier")
int BPF_KPROBE(mg_srcu_barrier_enter, struct srcu_struct *ssp)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mg_srcu_barrier b = { .start_ns = bpf_ktime_get_ns(),
				     .task = (__u64)bpf_get_current_task(),
				     .ssp = (__u64)ssp };

	bpf_map_update_elem(&mg_srcu_barrier_start, &tid, &b, BPF_ANY);
	return 0;
}

/* every notifier chain flavour registers through this one function */
SEC("kprobe/notifier_chain_register")
int BPF_KPROBE(mg_notifier_register, struct notifier_block **nl,
	       struct notifier_block *n)
{
	__u64 func = (__u64)BPF_CORE_READ(n, notifier_call);
	__u64 mod = mg_text_owner(func);

	if (mod)
		mg_arm(ctx, (__u64)n, mod, func, MG_KIND_NOTIFIER, 0, 0, 2);
	return 0;
}

/* notifier_chain_unregister() is inlined on 6.1: probe each flavour */
#define NOTIFIER_UNREGISTER(flavour)                                        \
	SEC("kprobe/" #flavour "_notifier_chain_unregister")                \
	int BPF_KPROBE(mg_##flavour##_notifier_unregister, void *nh,        \
		       struct notifier_block *n)                            \
	{                                                                   \
		mg_disarm((__u64)n);                                        \
		return 0;                                                   \
	}
NOTIFIER_UNREGISTER(atomic)
NOTIFIER_UNREGISTER(blocking)
NOTIFIER_UNREGISTER(raw)
NOTIFIER_UNREGISTER(srcu)

/* tell modguardd an entry point to watch for callers the kernel won't count */
static __always_inline void entry_point(__u64 mod, __u64 func)
{
	struct mg_event *e = mg_event_reserve(MG_EV_ENTRY_POINT);

	if (!e)
		return;
	e->mod = mod;
	e->entry.func = func;
	mg_event_submit(e);
}

/*
 * An owner-less registration (obj: the fops or proc entry) whose functions
 * fns[0..n) may lie in module text: one ledger entry, naming the first,
 * and every one of them named to modguardd as an entry point.  The module
 * and that first function go to *hit (hit->mod stays 0 if none is in a
 * module).
 */
static __always_inline void owner_less_registered(void *ctx, __u64 obj,
						  const __u64 *fns, const int n,
						  int site_skip,
						  struct mg_chrdev *hit)
{
	__u64 mod;

	/* unrolled: 6.1's verifier rejects the loop clang makes of this */
#pragma clang loop unroll(full)
	for (int i = 0; i < n; i++) {
		mod = mg_text_owner(fns[i]);
		if (!mod)
			continue;
		if (!hit->mod) {
			hit->func = fns[i];
			hit->mod = mod;
		}
		entry_point(mod, fns[i]);
	}
	if (hit->mod)
		mg_arm(ctx, obj, hit->mod, hit->func, MG_KIND_FOPS,
		       MG_ARMF_NO_OWNER, 0, site_skip);
}

/*
 * Only file_operations without .owner are hazards: with an owner, every
 * open file holds a module reference and the unload is refused.  Each of
 * their functions in module text is an entry point the kernel cannot
 * protect: record the first, and name them all to modguardd.
 */
static __always_inline void fops_registered(void *ctx,
					    const struct file_operations *f,
					    struct mg_chrdev *hit)
{
	__u64 fns[9];

	if (!f || BPF_CORE_READ(f, owner))
		return;
	hit->fops = (__u64)f;
	fns[0] = (__u64)BPF_CORE_READ(f, read);
	fns[1] = (__u64)BPF_CORE_READ(f, write);
	fns[2] = (__u64)BPF_CORE_READ(f, read_iter);
	fns[3] = (__u64)BPF_CORE_READ(f, write_iter);
	fns[4] = (__u64)BPF_CORE_READ(f, unlocked_ioctl);
	fns[5] = (__u64)BPF_CORE_READ(f, open);
	fns[6] = (__u64)BPF_CORE_READ(f, poll);
	fns[7] = (__u64)BPF_CORE_READ(f, mmap);
	fns[8] = (__u64)BPF_CORE_READ(f, release);
	owner_less_registered(ctx, (__u64)f, fns, 9, 1, hit);
}

/*
 * Device numbers of owner-less devices, for the open-file guard
 * (bpf/open_files.bpf.c).  A misc device's minor may be dynamic: it is
 * known once misc_register() has picked it and calls
 * device_create_with_groups(misc_class, parent, MKDEV(MISC_MAJOR, minor),
 * misc, ...) (drivers/char/misc.c, 6.1 and 6.12), which is where it is
 * read, with the miscdevice as drvdata.  That comes before the device is
 * put on misc_list, so before any open can find it.  Not a kretprobe on
 * misc_register(): see bpf/inflight.bpf.c.  The registration waits here
 * per thread.
 *
 * A number stays mapped after its device is deregistered, until the number
 * is given to another device (a new registration overwrites or drops it)
 * or the module is freed (module_lifecycle.bpf.c).  Not dropped at
 * misc_deregister() or cdev_del(): those take a mutex (misc_mtx, the
 * cdev_map lock) before the device is out of reach, a point where the
 * exit can be scheduled away; an open that came then found no mapping,
 * was not refused although the module was unloading, and its read() ran
 * in the module while the exit did (seen once in 693 reads of the
 * 200-cycle stress).  A cdev whose inode still caches it can even be
 * opened after cdev_del() returned, while another file holds it.
 */
#define MG_MISC_MAJOR 10

struct misc_pending {
	struct miscdevice *misc;
	struct mg_chrdev c;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct misc_pending);
} mg_misc_pending SEC(".maps");

static __always_inline void chrdev_add(__u32 dev, const struct mg_chrdev *c)
{
	__u64 *w = mg_major_word(dev);

	/* the bit first: file_open must not skip a number being added */
	if (w)
		__sync_fetch_and_or(w, mg_major_bit(dev));
	if (bpf_map_update_elem(&mg_chrdevs, &dev, c, BPF_ANY))
		mg_stat_inc(MG_STAT_CHRDEVS_FULL);
}

SEC("kprobe/misc_register")
int BPF_KPROBE(mg_misc_register, struct miscdevice *misc)
{
	struct misc_pending p = { .misc = misc };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	fops_registered(ctx, BPF_CORE_READ(misc, fops), &p.c);
	if (p.c.mod)
		bpf_map_update_elem(&mg_misc_pending, &tid, &p, BPF_ANY);
	else
		bpf_map_delete_elem(&mg_misc_pending, &tid);
	return 0;
}

/*
 * Called for every device any driver creates (cold), so the per-thread
 * lookup comes first.  A device_create that then fails leaves the number
 * mapped until misc_deregister() or the module's free drops it.
 */
SEC("kprobe/device_create_with_groups")
int BPF_KPROBE(mg_misc_registered, void *class, void *parent, __u32 devt,
	       void *drvdata)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct misc_pending *p;

	if (MG_DEV_MAJOR(devt) != MG_MISC_MAJOR)
		return 0;
	p = bpf_map_lookup_elem(&mg_misc_pending, &tid);
	if (p && (void *)p->misc == drvdata) {
		chrdev_add(devt, &p->c);
		bpf_map_delete_elem(&mg_misc_pending, &tid);
	} else {
		/* the number is another misc device's now */
		bpf_map_delete_elem(&mg_chrdevs, &devt);
	}
	return 0;
}

SEC("kprobe/misc_deregister")
int BPF_KPROBE(mg_misc_deregister, struct miscdevice *misc)
{
	mg_disarm((__u64)BPF_CORE_READ(misc, fops));
	return 0;
}

/* the minors [dev, dev + n) of one cdev; loop callbacks for bpf_loop() */
struct cdev_range {
	__u32 dev;
	struct mg_chrdev c;
};

static long cdev_map_minor(__u32 i, struct cdev_range *r)
{
	chrdev_add(r->dev + i, &r->c);
	return 0;
}

static long cdev_unmap_minor(__u32 i, struct cdev_range *r)
{
	__u32 dev = r->dev + i;

	bpf_map_delete_elem(&mg_chrdevs, &dev);
	return 0;
}

static __always_inline __u32 cdev_minors(__u32 count)
{
	return count < MG_MAX_CDEV_MINORS ? count : MG_MAX_CDEV_MINORS;
}

/* also what register_chrdev() uses underneath */
SEC("kprobe/cdev_add")
int BPF_KPROBE(mg_cdev_add, struct cdev *p, dev_t dev, unsigned int count)
{
	struct cdev_range r = { .dev = dev };

	fops_registered(ctx, BPF_CORE_READ(p, ops), &r.c);
	if (r.c.mod)
		bpf_loop(cdev_minors(count), cdev_map_minor, &r, 0);
	else /* the numbers are another device's now */
		bpf_loop(cdev_minors(count), cdev_unmap_minor, &r, 0);
	return 0;
}

/*
 * unregister_chrdev(): its cdev_del() is inlined into __unregister_chrdev()
 * on 6.1, so the cdev_del probe does not see it.  The first minor's
 * mapping leads to the fops.
 */
SEC("kprobe/__unregister_chrdev")
int BPF_KPROBE(mg_unregister_chrdev, unsigned int major, unsigned int baseminor,
	       unsigned int count)
{
	__u32 dev = MG_MKDEV(major, baseminor);
	struct mg_chrdev *c = bpf_map_lookup_elem(&mg_chrdevs, &dev);

	if (c)
		mg_disarm(c->fops);
	return 0;
}

SEC("kprobe/cdev_del")
int BPF_KPROBE(mg_cdev_del, struct cdev *p)
{
	mg_disarm((__u64)BPF_CORE_READ(p, ops));
	return 0;
}

/* proc_ops have no .owner at all since 5.6: proc_reg_*() pin the entry */
SEC("kprobe/proc_register")
int BPF_KPROBE(mg_proc_register, struct proc_dir_entry *dir,
	       struct proc_dir_entry *dp)
{
	const struct proc_ops *ops = BPF_CORE_READ(dp, proc_ops);
	struct mg_chrdev hit = {};
	__u64 fns[4];

	if (!ops)
		return 0;
	fns[0] = (__u64)BPF_CORE_READ(ops, proc_read);
	fns[1] = (__u64)BPF_CORE_READ(ops, proc_write);
	fns[2] = (__u64)BPF_CORE_READ(ops, proc_open);
	fns[3] = (__u64)BPF_CORE_READ(ops, proc_ioctl);
	owner_less_registered(ctx, (__u64)dp, fns, 4, 2, &hit);
	return 0;
}

/*
 * Every removal of a proc entry (remove_proc_entry(), remove_proc_subtree(),
 * proc_remove()) runs proc_entry_rundown() on it, which also waits for
 * callers inside; pde_free() is partly inlined and misses some.
 */
SEC("kprobe/proc_entry_rundown")
int BPF_KPROBE(mg_pde_free, struct proc_dir_entry *pde)
{
	mg_disarm((__u64)pde);
	return 0;
}

/*
 * kthread work taken off its worker's list by a cancel (no tracepoint);
 * the timer of a delayed one goes through timer_cancel.  Work that was
 * already running is on the worker's stack, which the task scan sees.
 */
SEC("kprobe/kthread_cancel_work_sync")
int BPF_KPROBE(mg_kthread_work_cancel, struct kthread_work *work)
{
	mg_disarm((__u64)work);
	return 0;
}

SEC("kprobe/kthread_cancel_delayed_work_sync")
int BPF_KPROBE(mg_kthread_dwork_cancel, struct kthread_delayed_work *dwork)
{
	mg_disarm((__u64)&dwork->work);
	return 0;
}

/*
 * A filesystem type belongs to its .owner (every module filesystem sets
 * it; else the module whose text holds its functions).  The ledger names
 * its own function: init_fs_context, or mount, or kill_sb.
 */
SEC("kprobe/register_filesystem")
int BPF_KPROBE(mg_register_filesystem, struct file_system_type *fs)
{
	__u64 fns[3], mod = (__u64)BPF_CORE_READ(fs, owner), func = 0;

	fns[0] = (__u64)BPF_CORE_READ(fs, init_fs_context);
	fns[1] = (__u64)BPF_CORE_READ(fs, mount);
	fns[2] = (__u64)BPF_CORE_READ(fs, kill_sb);
#pragma clang loop unroll(full)
	for (int i = 0; i < 3; i++) {
		__u64 owner = mg_text_owner(fns[i]);

		if (owner && !func && (!mod || owner == mod)) {
			func = fns[i];
			mod = owner;
		}
	}
	if (mod && (func || bpf_map_lookup_elem(&mg_modules, &mod))) {
		mg_arm(ctx, (__u64)fs, mod, func, MG_KIND_FILESYSTEM, 0, 0, 1);
		reg_name((__u64)fs, BPF_CORE_READ(fs, name));
	}
	return 0;
}

SEC("kprobe/unregister_filesystem")
int BPF_KPROBE(mg_unregister_filesystem, struct file_system_type *fs)
{
	__u64 key = (__u64)fs;

	mg_disarm(key);
	bpf_map_delete_elem(&mg_reg_names, &key);
	return 0;
}

/*
 * Netfilter hooks: nf_register_net_hook() and nf_register_net_hooks()
 * both end in __nf_register_net_hook() (once per family for NFPROTO_INET),
 * and every unregister in __nf_unregister_net_hook().  One ops is often
 * registered in every namespace (pernet_operations), so the key is the
 * nf_hook_ops mixed with its namespace (mg_nf_hook_key()), and "expires"
 * holds the namespace: one that goes away takes its hooks along.
 */
SEC("kprobe/__nf_register_net_hook")
int BPF_KPROBE(mg_nf_register_hook, struct net *net, int pf,
	       const struct nf_hook_ops *reg)
{
	__u64 func = (__u64)BPF_CORE_READ(reg, hook);
	__u64 mod = mg_text_owner(func);

	if (mod)
		mg_arm(ctx, mg_nf_hook_key((__u64)reg, (__u64)net), mod, func,
		       MG_KIND_NF_HOOK, 0, (__u64)net, 2);
	return 0;
}

SEC("kprobe/__nf_unregister_net_hook")
int BPF_KPROBE(mg_nf_unregister_hook, struct net *net, int pf,
	       const struct nf_hook_ops *reg)
{
	mg_disarm(mg_nf_hook_key((__u64)reg, (__u64)net));
	return 0;
}

static long drop_net_hooks(struct bpf_map *map, __u64 *key,
			   struct mg_armed_info *a, __u64 *net)
{
	if (a->kind == MG_KIND_NF_HOOK && a->expires == *net)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* cleanup_net() drops each dead namespace here, after its pernet exits */
SEC("kprobe/net_drop_ns")
int BPF_KPROBE(mg_net_drop, struct net *net)
{
	__u64 key = (__u64)net;

	if (net)
		bpf_for_each_map_elem(&mg_armed, drop_net_hooks, &key, 0);
	return 0;
}

/*
 * Interrupt handlers: request_threaded_irq(), request_any_context_irq(),
 * their devm_ forms and request_nmi paths all install the irqaction in
 * __setup_irq(); the ledger check finds it on the irq_desc's list until
 * free_irq() takes it off, so a request that failed does not linger.  The
 * handler names it, or the thread function of a threaded one.
 */
SEC("kprobe/__setup_irq")
int BPF_KPROBE(mg_setup_irq, unsigned int irq, struct irq_desc *desc,
	       struct irqaction *new)
{
	__u64 func = (__u64)BPF_CORE_READ(new, handler), mod;

	mod = mg_text_owner(func);
	if (!mod) {
		func = (__u64)BPF_CORE_READ(new, thread_fn);
		mod = mg_text_owner(func);
	}
	if (mod) {
		mg_arm(ctx, (__u64)new, mod, func, MG_KIND_IRQ, 0, (__u64)desc,
		       2);
		reg_name((__u64)new, BPF_CORE_READ(new, name));
	}
	return 0;
}
