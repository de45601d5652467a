// SPDX-License-Identifier: GPL-2.0
/*
 * Holder scan: the objects of the kernel's own state that hold module
 * references, for the references taken before modguardd saw them (or while
 * it could not).  Two iterators, run on demand by modguardd:
 *
 *   - iter/task_file: every open file of every process.  One record per
 *     file whose f_op->owner is a module (do_dentry_open's fops_get, a
 *     char device's replaced fops included), per open block device whose
 *     disk's fops->owner is (blkdev_get_no_open), and per socket whose
 *     family ops or protocol a module owns (__sock_create, sk_prot_alloc).
 *     The path is the file's own (bpf_d_path, allowed in iterators).
 *   - iter/task, first task only: the kernel's list of superblocks.  One
 *     record per superblock whose filesystem type a module owns (sget_fc's
 *     get_filesystem) and per superblock on a block device a module drives
 *     (the mount's blkdev open), with the mount point of its first mount,
 *     built from the dentries (no path helper is allowed there).
 *
 * Nothing here runs unless modguardd asks; the walk is read-only, under
 * the RCU read lock the iterator holds: superblocks, mounts and dentries
 * are freed after a grace period, and a list node already unlinked reads
 * as a poisoned pointer, whose read fails and ends the walk (the count is
 * then short, which leaves references unattributed, never invented).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

/* set by modguardd from kallsyms; 0: that part of the scan is skipped */
const volatile __u64 mg_def_blk_fops = 0;
const volatile __u64 mg_super_blocks = 0;

#define MG_MAX_SUPERS 4096 /* superblocks walked, at most */
#define MG_MAX_DEPTH 32	   /* path components of a mount point */
#define MG_PATH_MASK (MG_SCAN_PATH_LEN - 1)

/* the record being built: too big for the BPF stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_scan_holder);
} mg_scan_holder_rec SEC(".maps");

/* a mount point is built backwards, leaf first: room for the last name */
struct mount_path {
	char buf[2 * MG_SCAN_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mount_path);
} mg_scan_path SEC(".maps");

static __always_inline struct mg_scan_holder *new_rec(void)
{
	__u32 zero = 0;
	struct mg_scan_holder *r = bpf_map_lookup_elem(&mg_scan_holder_rec, &zero);

	if (r)
		__builtin_memset(r, 0, sizeof(*r) - MG_SCAN_PATH_LEN);
	return r;
}

static __always_inline __u64 sock_owner_refs(struct socket *sock, __u64 *mod2)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	*mod2 = sk ? (__u64)BPF_CORE_READ(sk, sk_prot_creator, owner) : 0;
	return (__u64)BPF_CORE_READ(sock, ops, owner);
}

static __always_inline void emit_file(struct seq_file *seq,
				      struct task_struct *task,
				      struct file *file, __u32 fd,
				      __u64 mod, __u32 via, __u32 count)
{
	struct mg_scan_holder *r = new_rec();

	if (!r)
		return;
	r->mod = mod;
	r->object = (__u64)file;
	r->via = via;
	r->count = count;
	r->pid = task->pid;
	r->tgid = task->tgid;
	r->fd = fd;
	r->dev = BPF_CORE_READ(file, f_inode, i_rdev);
	bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), task->comm);
	if (bpf_d_path(&file->f_path, r->path, sizeof(r->path)) < 0)
		r->path[0] = '\0';
	bpf_seq_write(seq, r, sizeof(*r));
}

SEC("iter/task_file")
int mg_scan_files(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct socket *sock;
	__u64 owner, owner2;
	__u32 fd = ctx->fd;

	if (!file || !task)
		return 0;
	/* filter first: most files are served by the core kernel */
	owner = (__u64)BPF_CORE_READ(file, f_op, owner);
	if (owner) {
		emit_file(seq, task, file, fd, owner, MG_SCAN_FILE, 1);
		return 0;
	}
	if (mg_def_blk_fops && (__u64)BPF_CORE_READ(file, f_op) == mg_def_blk_fops) {
		void *bdev = mg_bdev_of_inode(BPF_CORE_READ(file, f_mapping, host));

		owner = mg_bdev_owner(bdev);
		if (owner)
			emit_file(seq, task, file, fd, owner, MG_SCAN_BDEV, 1);
		return 0;
	}
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	owner = sock_owner_refs(sock, &owner2);
	if (owner && owner == owner2) {
		emit_file(seq, task, file, fd, owner, MG_SCAN_SOCKET, 2);
		return 0;
	}
	if (owner)
		emit_file(seq, task, file, fd, owner, MG_SCAN_SOCKET, 1);
	if (owner2)
		emit_file(seq, task, file, fd, owner2, MG_SCAN_SOCKET, 1);
	return 0;
}

struct path_walk {
	struct mount *mnt;
	struct dentry *dentry;
	char *buf;
	__u32 pos; /* the path so far is buf[pos, MG_SCAN_PATH_LEN) */
	__u32 done;
	__u32 cut;
};

/*
 * one step towards the root, like the kernel's prepend_path(); a
 * bpf_loop() callback (6.1 takes no bounded loop inside one)
 */
static long path_step(__u32 i, struct path_walk *w)
{
	struct mount *mnt = w->mnt, *up;
	struct dentry *dentry = w->dentry, *parent;
	const unsigned char *name;
	char *buf = w->buf;
	__u32 len, pos = w->pos;

	if (w->done)
		return 1;
	if (dentry == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (!up || up == mnt) {
			w->done = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) {
		w->done = 1;
		return 1;
	}
	len = BPF_CORE_READ(dentry, d_name.len);
	name = BPF_CORE_READ(dentry, d_name.name);
	if (len + 1 > pos || len > MG_SCAN_PATH_LEN - 2) {
		w->cut = 1;
		w->done = 1;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(buf + (pos & MG_PATH_MASK), len & MG_PATH_MASK,
			      name);
	pos--;
	buf[pos & MG_PATH_MASK] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/* the mount point of sb's first mount into r->path */
static __always_inline void mount_point(struct super_block *sb,
					struct mg_scan_holder *r)
{
	struct list_head *first = BPF_CORE_READ(sb, s_mounts.next);
	struct mount_path *p;
	struct mount *mnt;
	struct path_walk w = {};
	__u32 zero = 0;

	if (!first || first == &sb->s_mounts) {
		r->flags |= MG_SCANF_UNMOUNTED;
		return;
	}
	mnt = (void *)first - bpf_core_field_offset(struct mount, mnt_instance);
	if (!BPF_CORE_READ(mnt, mnt_ns)) {
		r->flags |= MG_SCANF_INTERNAL;
		return;
	}
	p = bpf_map_lookup_elem(&mg_scan_path, &zero);
	if (!p)
		return;
	w.mnt = mnt;
	w.dentry = BPF_CORE_READ(mnt, mnt.mnt_root);
	w.pos = MG_SCAN_PATH_LEN - 1;
	w.buf = p->buf;
	p->buf[MG_SCAN_PATH_LEN - 1] = '\0';
	/* a name and a mount crossing per component, at most */
	bpf_loop(2 * MG_MAX_DEPTH, path_step, &w, 0);
	if (!w.done || w.cut)
		r->flags |= MG_SCANF_PATH_CUT;
	if (w.pos == MG_SCAN_PATH_LEN - 1) {
		r->path[0] = '/';
		r->path[1] = '\0';
		return;
	}
	bpf_probe_read_kernel(r->path, MG_SCAN_PATH_LEN - 1,
			      p->buf + (w.pos & MG_PATH_MASK));
	r->path[MG_SCAN_PATH_LEN - 1] = '\0';
}

struct super_walk {
	struct seq_file *seq;
	struct list_head *node;
};

static __always_inline void emit_super(struct seq_file *seq,
				       struct super_block *sb, __u64 mod,
				       __u32 via)
{
	struct mg_scan_holder *r = new_rec();

	if (!r)
		return;
	r->mod = mod;
	r->object = (__u64)sb;
	r->via = via;
	r->count = 1;
	r->fd = -1;
	r->dev = BPF_CORE_READ(sb, s_dev);
	r->path[0] = '\0';
	mount_point(sb, r);
	bpf_seq_write(seq, r, sizeof(*r));
}

static long super_one(__u32 i, struct super_walk *w)
{
	struct list_head *head = (void *)mg_super_blocks, *next;
	struct super_block *sb;
	__u64 owner;

	if (bpf_probe_read_kernel(&next, sizeof(next), &w->node->next) ||
	    !next || next == head)
		return 1;
	w->node = next;
	sb = (void *)next - bpf_core_field_offset(struct super_block, s_list);
	owner = (__u64)BPF_CORE_READ(sb, s_type, owner);
	if (owner)
		emit_super(w->seq, sb, owner, MG_SCAN_MOUNT);
	owner = mg_bdev_owner(BPF_CORE_READ(sb, s_bdev));
	if (owner)
		emit_super(w->seq, sb, owner, MG_SCAN_MOUNT_BDEV);
	return 0;
}

SEC("iter/task")
int mg_scan_supers(struct bpf_iter__task *ctx)
{
	struct super_walk w = { .seq = ctx->meta->seq };

	/* one walk per pass: at the first task */
	if (!ctx->task || ctx->meta->seq_num || !mg_super_blocks)
		return 0;
	w.node = (void *)mg_super_blocks;
	bpf_loop(MG_MAX_SUPERS, super_one, &w, 0);
	return 0;
}
