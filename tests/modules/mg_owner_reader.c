// SPDX-License-Identifier: GPL-2.0
/*
 * mg_owner_reader: well-behaved fixture. /dev/mg_owner_reader's read()
 * sleeps sleep_ms then returns EOF. Because fops.owner = THIS_MODULE, an
 * open file holds a module reference, so rmmod fails with "in use" while a
 * reader is inside read(): the kernel itself prevents the bug.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/delay.h>

static unsigned int sleep_ms = 3000;
module_param(sleep_ms, uint, 0444);
MODULE_PARM_DESC(sleep_ms, "time read() sleeps before returning EOF (ms)");

static noinline ssize_t mg_owner_reader_read(struct file *f, char __user *buf,
					     size_t len, loff_t *pos)
{
	msleep_interruptible(sleep_ms);
	return 0;
}

static const struct file_operations mg_owner_reader_fops = {
	.owner = THIS_MODULE,	/* open file pins the module */
	.read = mg_owner_reader_read,
	.llseek = noop_llseek,
};

static struct miscdevice mg_owner_reader_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mg_owner_reader",
	.fops = &mg_owner_reader_fops,
	.mode = 0444,
};

static int __init mg_owner_reader_init(void)
{
	int ret = misc_register(&mg_owner_reader_dev);

	if (!ret)
		pr_info("mg_owner_reader: loaded (sleep_ms=%u)\n", sleep_ms);
	return ret;
}

static void __exit mg_owner_reader_exit(void)
{
	misc_deregister(&mg_owner_reader_dev);
	pr_info("mg_owner_reader: unloaded\n");
}

module_init(mg_owner_reader_init);
module_exit(mg_owner_reader_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: misc device with .owner, slow read");
