// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_fs: BUGGY fixture. Registers a filesystem type and never
 * unregisters it: after the unload the kernel's list of filesystems runs
 * through the freed file_system_type, and the next walk of it (a read of
 * /proc/filesystems, a mount of any type) faults on the freed memory.
 */
#include <linux/fs.h>
#include <linux/module.h>

static int mg_leak_fs_fill_super(struct super_block *sb, void *data, int silent)
{
	static const struct tree_descr none[] = { { "" } };

	return simple_fill_super(sb, 0x4d474c46, none);
}

static struct dentry *mg_leak_fs_mount(struct file_system_type *t, int flags,
				       const char *dev, void *data)
{
	return mount_nodev(t, flags, data, mg_leak_fs_fill_super);
}

static struct file_system_type mg_leak_fs_type = {
	.owner = THIS_MODULE,
	.name = "mg_leak_fs",
	.mount = mg_leak_fs_mount,
	.kill_sb = kill_litter_super,
};

static int __init mg_leak_fs_init(void)
{
	return register_filesystem(&mg_leak_fs_type);
}

static void __exit mg_leak_fs_exit(void)
{
	/* BUG: no unregister_filesystem(&mg_leak_fs_type) */
	pr_info("mg_leak_fs: unloaded\n");
}

module_init(mg_leak_fs_init);
module_exit(mg_leak_fs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): filesystem type left registered at exit");
