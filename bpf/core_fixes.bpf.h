/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference modguard's BPF code depends on, in one
 * place.  Each difference is a ___flavor struct (libbpf strips the suffix
 * when it relocates) plus a bpf_core_field_exists() switch, with the kernel
 * commit that changed the layout.
 */
#ifndef MODGUARD_CORE_FIXES_BPF_H
#define MODGUARD_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * Up to 6.3 a module's core memory is struct module_layout core_layout, text
 * first: [base, base + text_size).  Commit ac3b43283923 ("module: replace
 * module_layout with module_memory", 6.4) split it into mem[MOD_TEXT] etc.
 */
struct module_layout___61 {
	void *base;
	unsigned int size;
	unsigned int text_size;
} __attribute__((preserve_access_index));

struct module___61 {
	struct module_layout___61 core_layout;
	struct module_layout___61 init_layout;
} __attribute__((preserve_access_index));

struct module_memory___64 {
	void *base;
	unsigned int size;
} __attribute__((preserve_access_index));

struct module___64 {
	struct module_memory___64 mem[7]; /* MOD_TEXT is index 0 */
} __attribute__((preserve_access_index));

static __always_inline void mg_module_text(const void *mod, __u64 *start,
					   __u64 *size)
{
	const struct module___61 *m61 = mod;
	const struct module___64 *m64 = mod;

	if (bpf_core_field_exists(m61->core_layout)) {
		*start = (__u64)BPF_CORE_READ(m61, core_layout.base);
		*size = BPF_CORE_READ(m61, core_layout.text_size);
	} else {
		*start = (__u64)BPF_CORE_READ(m64, mem[0].base);
		*size = BPF_CORE_READ(m64, mem[0].size);
	}
}

/* init text: init_layout up to 6.3, mem[MOD_INIT_TEXT] (index 4) since */
static __always_inline void mg_module_init_text(const void *mod, __u64 *start,
						__u64 *size)
{
	const struct module___61 *m61 = mod;
	const struct module___64 *m64 = mod;

	if (bpf_core_field_exists(m61->init_layout)) {
		*start = (__u64)BPF_CORE_READ(m61, init_layout.base);
		*size = BPF_CORE_READ(m61, init_layout.text_size);
	} else {
		*start = (__u64)BPF_CORE_READ(m64, mem[4].base);
		*size = BPF_CORE_READ(m64, mem[4].size);
	}
}

/* refcnt exists only with CONFIG_MODULE_UNLOAD (include/linux/module.h) */
/*
 * A module's own symbol table (CONFIG_KALLSYMS): mod->kallsyms, the table
 * module_get_kallsym() lists in /proc/kallsyms, with one type character
 * per symbol in typetab (5.x and later; 6.1 and 6.12).  NULL when this
 * kernel has neither.
 */
struct mod_kallsyms___typed {
	Elf64_Sym *symtab;
	unsigned int num_symtab;
	char *strtab;
	char *typetab;
} __attribute__((preserve_access_index));

struct module___kallsyms {
	struct mod_kallsyms___typed *kallsyms;
} __attribute__((preserve_access_index));

static __always_inline struct mod_kallsyms___typed *
mg_module_kallsyms(const void *mod)
{
	const struct module___kallsyms *m = mod;
	struct mod_kallsyms___typed *ks;

	if (!bpf_core_field_exists(m->kallsyms))
		return NULL;
	ks = BPF_CORE_READ(m, kallsyms);
	if (!ks || !bpf_core_field_exists(ks->typetab))
		return NULL;
	return ks;
}

struct module___unload {
	atomic_t refcnt;
} __attribute__((preserve_access_index));

static __always_inline int mg_module_refcnt(const void *mod)
{
	const struct module___unload *m = mod;

	if (!bpf_core_field_exists(m->refcnt))
		return -1;
	return BPF_CORE_READ(m, refcnt.counter);
}

/*
 * A kthread's thread function: ((struct kthread *)task->worker_private)
 * ->threadfn since commit e32cf5dfbe22 ("kthread: Generalize pf_io_worker so
 * it can point to struct kthread", 5.17); before that task->set_child_tid.
 */
struct task_struct___517 {
	void *worker_private;
} __attribute__((preserve_access_index));

struct task_struct___516 {
	int *set_child_tid;
} __attribute__((preserve_access_index));

/* older kernels' struct kthread may lack threadfn: probe instead of assuming */
struct kthread___fn {
	int (*threadfn)(void *);
} __attribute__((preserve_access_index));

/* only meaningful for a task with PF_KTHREAD; 0 when unknown */
static __always_inline __u64 mg_kthread_fn(const void *task)
{
	const struct task_struct___517 *t517 = task;
	const struct task_struct___516 *t516 = task;
	const struct kthread___fn *k;

	if (bpf_core_field_exists(t517->worker_private))
		k = BPF_CORE_READ(t517, worker_private);
	else
		k = (const void *)BPF_CORE_READ(t516, set_child_tid);
	if (!k || !bpf_core_field_exists(k->threadfn))
		return 0;
	return (__u64)BPF_CORE_READ(k, threadfn);
}

/*
 * Has the task a kretprobe return pending (anyone's, not only ours)?  Then
 * its stack holds the rethook trampoline, and unwinding it while it is
 * (or becomes) runnable WARNs (rethook_find_ret_addr(),
 * kernel/trace/rethook.c).  The list is task_struct::rethooks since kretprobes moved onto rethook (5.19,
 * CONFIG_KRETPROBE_ON_RETHOOK), ::kretprobe_instances before (5.11).
 */
struct task_struct___rethook {
	struct llist_head rethooks;
} __attribute__((preserve_access_index));

struct task_struct___kretprobe {
	struct llist_head kretprobe_instances;
} __attribute__((preserve_access_index));

static __always_inline int mg_task_rethook_pending(const void *task)
{
	const struct task_struct___rethook *r = task;
	const struct task_struct___kretprobe *k = task;

	if (bpf_core_field_exists(r->rethooks))
		return BPF_CORE_READ(r, rethooks.first) != NULL;
	if (bpf_core_field_exists(k->kretprobe_instances))
		return BPF_CORE_READ(k, kretprobe_instances.first) != NULL;
	return 0;
}

/*
 * The return addresses a kretprobe took off a task's stack: each pending
 * return is a node on task->rethooks (newest first) holding the original
 * ret_addr, and the stack holds the trampoline in its place
 * (arch_rethook_prepare(), arch/x86/kernel/rethook.c).  Read without the
 * unwinder, for the raw scan of bpf/task_scan.bpf.c: i is the node's
 * position, and 0 ends the walk.  Older kernels keep kretprobe_instance
 * nodes of their own; there the walk finds nothing.
 */
struct rethook_node___mg {
	struct llist_node llist;
	unsigned long ret_addr;
} __attribute__((preserve_access_index));

#define MG_RETHOOK_NODES 8

static __always_inline __u64 mg_task_rethook_ret(const void *task, int i,
						  __u64 *next)
{
	const struct task_struct___rethook *r = task;
	struct llist_node *n;
	struct rethook_node___mg *node;

	if (!bpf_core_field_exists(r->rethooks) ||
	    !bpf_core_type_exists(struct rethook_node___mg))
		return 0;
	n = i ? (struct llist_node *)*next : BPF_CORE_READ(r, rethooks.first);
	if (!n)
		return 0;
	node = (void *)((char *)n -
			bpf_core_field_offset(struct rethook_node___mg, llist));
	*next = (__u64)BPF_CORE_READ(n, next);
	return BPF_CORE_READ(node, ret_addr);
}

/*
 * An SRCU domain's grace-period sequence: in struct srcu_struct up to 6.4;
 * commit 95433f726301 ("srcu: Begin offloading srcu_struct fields to
 * srcu_update", 6.5) moved it into struct srcu_usage *srcu_sup.
 */
struct srcu_struct___61 {
	unsigned long srcu_gp_seq;
} __attribute__((preserve_access_index));

struct srcu_usage___65 {
	unsigned long srcu_gp_seq;
} __attribute__((preserve_access_index));

struct srcu_struct___65 {
	struct srcu_usage___65 *srcu_sup;
} __attribute__((preserve_access_index));

static __always_inline __u64 mg_srcu_gp_seq(const void *ssp)
{
	const struct srcu_struct___61 *s61 = ssp;
	const struct srcu_struct___65 *s65 = ssp;

	if (bpf_core_field_exists(s61->srcu_gp_seq))
		return BPF_CORE_READ(s61, srcu_gp_seq);
	return BPF_CORE_READ(s65, srcu_sup, srcu_gp_seq);
}

/*
 * The block device of a block device inode: struct bdev_inode (block/
 * bdev.c) puts the block_device first and the inode after it, on 6.1 and
 * on 6.12 alike (I_BDEV()); the layout is private, so CO-RE finds it.
 */
static __always_inline void *mg_bdev_of_inode(const void *inode)
{
	if (!inode || !bpf_core_type_exists(struct bdev_inode))
		return 0;
	return (void *)inode - bpf_core_field_offset(struct bdev_inode,
						     vfs_inode) +
	       bpf_core_field_offset(struct bdev_inode, bdev);
}

/* the module a block device's disk belongs to (its fops->owner), or 0 */
static __always_inline __u64 mg_bdev_owner(const void *bdev)
{
	const struct block_device *b = bdev;

	if (!b)
		return 0;
	return (__u64)BPF_CORE_READ(b, bd_disk, fops, owner);
}

#endif /* MODGUARD_CORE_FIXES_BPF_H */
