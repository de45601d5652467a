// SPDX-License-Identifier: GPL-2.0
#include "modguard_abi.h"
#include "taker_site.h"

/*
 * Each takes a reference on behalf of its caller, or calls one that does
 * (6.1 and 6.12 names; those a kernel lacks are skipped).
 */
const char *const mg_plumbing_names[] = {
	/* the reference itself */
	"try_module_get", "__module_get",
	/* opening a file: fops_get() of its f_op, a device's replaced fops */
	"do_dentry_open", "vfs_open", "dentry_open", "finish_open",
	"path_openat", "do_filp_open", "do_sys_openat2", "do_sys_open",
	"file_open_name", "filp_open", "file_open_root", "kernel_file_open",
	"chrdev_open", "misc_open",
	/* a filesystem type: mounts, fs contexts */
	"get_filesystem", "get_fs_type", "__get_fs_type", "alloc_fs_context",
	"fs_context_for_mount", "sget", "sget_fc", "alloc_super",
	"mount_bdev", "mount_nodev", "mount_single", "get_tree_bdev",
	"get_tree_nodev", "get_tree_single", "vfs_get_super", "vfs_get_tree",
	/* a block device: its disk's driver */
	"blkdev_get_no_open", "blkdev_get_by_dev", "blkdev_get_by_path",
	"blkdev_open", "bdev_open", "bdev_file_open_by_dev",
	"bdev_file_open_by_path",
	/* a socket: its family's and its protocol's owners */
	"__sock_create", "sock_create", "sock_create_kern", "sk_prot_alloc",
	"sk_alloc", "inet_create", "inet6_create", "__sys_socket",
	"__sys_socket_create",
	NULL,
};

static uint64_t plumb_lo[MG_PLUMBING_MAX], plumb_hi[MG_PLUMBING_MAX];
static size_t nplumb;

/* by start: the ranges of distinct functions never overlap */
static void sort_ranges(void)
{
	for (size_t i = 1; i < nplumb; i++) {
		uint64_t lo = plumb_lo[i], hi = plumb_hi[i];
		size_t j = i;

		for (; j > 0 && plumb_lo[j - 1] > lo; j--) {
			plumb_lo[j] = plumb_lo[j - 1];
			plumb_hi[j] = plumb_hi[j - 1];
		}
		plumb_lo[j] = lo;
		plumb_hi[j] = hi;
	}
}

size_t mg_taker_site_set_plumbing(const uint64_t *lo, const uint64_t *hi,
				  size_t n)
{
	nplumb = 0;
	for (size_t i = 0; i < n && nplumb < MG_PLUMBING_MAX; i++) {
		if (!lo[i] || hi[i] <= lo[i])
			continue;
		plumb_lo[nplumb] = lo[i];
		plumb_hi[nplumb] = hi[i];
		nplumb++;
	}
	sort_ranges();
	return nplumb;
}

size_t mg_taker_site_plumbing(const uint64_t **lo, const uint64_t **hi)
{
	*lo = plumb_lo;
	*hi = plumb_hi;
	return nplumb;
}

int mg_taker_site_is_plumbing(uint64_t addr)
{
	size_t a = 0, b = nplumb;

	/* the last range starting at or below addr */
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (plumb_lo[mid] <= addr)
			a = mid + 1;
		else
			b = mid;
	}
	return a && addr < plumb_hi[a - 1];
}

uint64_t mg_taker_site(uint64_t ip, const uint64_t *stack, size_t n,
		       size_t *first)
{
	size_t i;

	*first = 0;
	for (i = 0; i < n; i++)
		if (stack[i] == ip) {
			*first = i;
			break;
		}
	for (i = *first; i < n; i++)
		if (stack[i] && !mg_taker_site_is_plumbing(stack[i]))
			return stack[i];
	return ip;
}
