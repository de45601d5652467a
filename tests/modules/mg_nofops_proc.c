// SPDX-License-Identifier: GPL-2.0
/*
 * mg_nofops_proc: fixture. /proc/mg_nofops_proc's proc_read sleeps sleep_ms
 * then returns EOF. struct proc_ops has no .owner at all (6.1), so an open
 * file does not pin the module and rmmod succeeds while a reader sleeps.
 * It is nevertheless safe: proc_remove() -> proc_entry_rundown() waits for
 * in-flight callers (fs/proc/inode.c, use_pde/unuse_pde), so exit blocks
 * until the read returns. Useful to check modguard does not flag it.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/delay.h>

static unsigned int sleep_ms = 3000;
module_param(sleep_ms, uint, 0444);
MODULE_PARM_DESC(sleep_ms, "time proc_read sleeps before returning EOF (ms)");

static struct proc_dir_entry *mg_nofops_proc_pde;

static noinline ssize_t mg_nofops_proc_read(struct file *f, char __user *buf,
					    size_t len, loff_t *pos)
{
	msleep(sleep_ms);
	return 0;
}

static const struct proc_ops mg_nofops_proc_ops = {
	.proc_read = mg_nofops_proc_read,
	.proc_lseek = noop_llseek,
};

static int __init mg_nofops_proc_init(void)
{
	mg_nofops_proc_pde = proc_create("mg_nofops_proc", 0444, NULL,
					 &mg_nofops_proc_ops);
	if (!mg_nofops_proc_pde)
		return -ENOMEM;
	pr_info("mg_nofops_proc: loaded (sleep_ms=%u)\n", sleep_ms);
	return 0;
}

static void __exit mg_nofops_proc_exit(void)
{
	proc_remove(mg_nofops_proc_pde);	/* waits for in-flight reads */
	pr_info("mg_nofops_proc: unloaded\n");
}

module_init(mg_nofops_proc_init);
module_exit(mg_nofops_proc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: proc entry with slow read, removed correctly");
