// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_fs: tidy fixture. A mountable filesystem type ("mg_tidy_fs", an
 * empty directory), registered at init and unregistered at exit.  A mount
 * of it holds a module reference (.owner) until it is unmounted.
 */
#include <linux/fs.h>
#include <linux/module.h>

static int mg_tidy_fs_fill_super(struct super_block *sb, void *data, int silent)
{
	static const struct tree_descr none[] = { { "" } };

	return simple_fill_super(sb, 0x4d475446, none);
}

static struct dentry *mg_tidy_fs_mount(struct file_system_type *t, int flags,
				       const char *dev, void *data)
{
	return mount_nodev(t, flags, data, mg_tidy_fs_fill_super);
}

static struct file_system_type mg_tidy_fs_type = {
	.owner = THIS_MODULE,
	.name = "mg_tidy_fs",
	.mount = mg_tidy_fs_mount,
	.kill_sb = kill_litter_super,
};

static int __init mg_tidy_fs_init(void)
{
	return register_filesystem(&mg_tidy_fs_type);
}

static void __exit mg_tidy_fs_exit(void)
{
	unregister_filesystem(&mg_tidy_fs_type);
}

module_init(mg_tidy_fs_init);
module_exit(mg_tidy_fs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (tidy): a filesystem type, unregistered at exit");
