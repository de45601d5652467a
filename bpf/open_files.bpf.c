// SPDX-License-Identifier: GPL-2.0
/*
 * The open-file guard: files open on char devices whose file_operations
 * have no .owner.
 *
 * With .owner, each open file holds a module reference and delete_module()
 * refuses while one is open.  Without it nothing pins the module: a task
 * can open the device, and its next read() enters the module after its
 * exit ran and its text was freed.  Counting only the callers inside a
 * read() (enforce.bpf.c's entry kprobes) leaves two windows open:
 *   - a file opened before the unload, whose read() comes after the
 *     capable() check passed;
 *   - a file opened after the check, before the exit deregisters the
 *     device.
 * So modguard keeps the count the kernel would have kept with .owner,
 * through two BPF LSM hooks (BPF LSM is what enforcement needs anyway):
 *   - lsm/file_open: an open of a device in mg_chrdevs adds one to its
 *     module's word in mg_guard, and the file goes into mg_open_files;
 *   - lsm/file_free_security: when such a file is freed (after its
 *     release), one is taken off again.
 * enforce.bpf.c's lsm/capable adds MG_GUARD_UNLOADING to the same word
 * before it lets a delete_module() through, and refuses if the word held
 * open files.  An open that sees MG_GUARD_UNLOADING is refused (ENODEV:
 * the device is on its way out).  Both sides change the word with one
 * atomic add and look at the value it had, so whichever comes second sees
 * the first: no open file, and no new one, while the exit runs.  For that
 * the device's number must still be in mg_chrdevs while the exit
 * deregisters it: registrations.bpf.c keeps it there until the number is
 * reused or the module is freed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"

#define MG_ENODEV 19
#define MG_S_IFMT 00170000
#define MG_S_IFCHR 0020000

static __always_inline __s64 *open_total(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mg_open_total, &zero);
}

SEC("lsm/file_open")
int BPF_PROG(mg_file_open, struct file *file, int ret)
{
	struct mg_open_file rec = {};
	struct mg_chrdev *c;
	struct inode *inode;
	__s64 *g, *total;
	__u64 key, id, *w;
	__u32 dev;

	/*
	 * filter first: only char devices, then only majors that ever had
	 * an owner-less number, then only numbers in the map
	 */
	if (ret)
		return ret;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & MG_S_IFMT) != MG_S_IFCHR)
		return 0;
	dev = inode->i_rdev;
	w = mg_major_word(dev);
	if (!w || !(*w & mg_major_bit(dev)))
		return 0;
	c = bpf_map_lookup_elem(&mg_chrdevs, &dev);
	if (!c)
		return 0;
	rec.mod = c->mod;
	rec.func = c->func;
	g = mg_guard_word(rec.mod);
	total = open_total();
	if (!g || !total)
		return 0;
	if (__sync_fetch_and_add(g, 1) >= MG_GUARD_UNLOADING) {
		__sync_fetch_and_add(g, -1);
		mg_stat_inc(MG_STAT_OPENS_REFUSED);
		return -MG_ENODEV;
	}
	id = bpf_get_current_pid_tgid();
	rec.ts_ns = bpf_ktime_get_ns();
	rec.dev = dev;
	rec.pid = (__u32)id;
	rec.tgid = id >> 32;
	bpf_get_current_comm(rec.comm, sizeof(rec.comm));
	key = (__u64)file;
	if (bpf_map_update_elem(&mg_open_files, &key, &rec, BPF_NOEXIST)) {
		/* untracked: counted as lost, never left in the guard word */
		__sync_fetch_and_add(g, -1);
		mg_stat_inc(MG_STAT_FILES_FULL);
		return 0;
	}
	__sync_fetch_and_add(total, 1);
	return 0;
}

/* every struct file the system frees passes here, after its ->release() */
SEC("lsm/file_free_security")
int BPF_PROG(mg_file_free, struct file *file)
{
	__u64 key = (__u64)file, mod;
	struct mg_open_file *rec;
	struct mg_event *e;
	__s64 *total, *g;

	total = open_total();
	if (!total || *total <= 0)
		return 0;
	rec = bpf_map_lookup_elem(&mg_open_files, &key);
	if (!rec)
		return 0;
	mod = rec->mod;
	if (bpf_map_delete_elem(&mg_open_files, &key))
		return 0;
	__sync_fetch_and_add(total, -1);
	g = bpf_map_lookup_elem(&mg_guard, &mod);
	if (g)
		__sync_fetch_and_add(g, -1);
	e = mg_event_reserve_lazy(MG_EV_FILE_CLOSED);
	if (e) {
		e->mod = mod;
		e->closed.file = key;
		mg_event_submit_lazy(e);
	}
	return 0;
}
