// SPDX-License-Identifier: GPL-2.0
/*
 * mg_nofops_reader: BUGGY fixture. /dev/mg_nofops_reader has no .owner in
 * its file_operations, so an open file takes no module reference and rmmod
 * succeeds while a reader sleeps in mg_nofops_reader_read(). msleep() is
 * not interruptible: the reader wakes sleep_ms later and returns into freed
 * module text -> oops. This is the classic unload bug.
 *
 * chrdev=1 serves the same fops through register_chrdev() (a dynamic
 * major, minor 0; no /dev node: mknod one) instead of a misc device.
 * interruptible=1 lets a signal end the sleep (tests that must not wait
 * for it).  spin=1 makes read() busy-loop on the CPU (with cond_resched())
 * instead of sleeping, until spin is written 0 in /sys/module (or sleep_ms
 * ran out): a caller that is running, not asleep, inside the module, held
 * there for as long as a test needs.  release_ms makes ->release() sleep
 * that long (it runs from task work after close()'s system call exit, or
 * in exit_files() of a dying task), ending early once release_hold is
 * written 0.  vary_ms adds a random 0..vary_ms-1 ms to each read()'s sleep.  exit_delay_ms makes the exit sleep before it deregisters the device,
 * widening the window in which a file can still be opened on a module
 * whose unload has begun.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/random.h>

static unsigned int sleep_ms = 3000;
module_param(sleep_ms, uint, 0444);
MODULE_PARM_DESC(sleep_ms, "time read() sleeps before returning EOF (ms)");
static bool chrdev;
module_param(chrdev, bool, 0444);
MODULE_PARM_DESC(chrdev, "register_chrdev() instead of misc_register()");
static unsigned int exit_delay_ms;
module_param(exit_delay_ms, uint, 0444);
MODULE_PARM_DESC(exit_delay_ms, "exit sleeps this long before deregistering");
static bool interruptible;
module_param(interruptible, bool, 0444);
MODULE_PARM_DESC(interruptible, "read() sleeps interruptibly (a signal ends it)");
static unsigned int vary_ms;
module_param(vary_ms, uint, 0444);
MODULE_PARM_DESC(vary_ms, "each read() sleeps up to this much longer, at random");
static bool spin;
module_param(spin, bool, 0644);
MODULE_PARM_DESC(spin, "read() busy-loops with cond_resched() while set (at most sleep_ms)");
static unsigned int release_ms;
module_param(release_ms, uint, 0444);
MODULE_PARM_DESC(release_ms, "release() sleeps up to this long (ms)");
static bool release_hold = true;
module_param(release_hold, bool, 0644);
MODULE_PARM_DESC(release_hold, "write 0 to end release()'s sleep early");
static int major;

static noinline ssize_t mg_nofops_reader_read(struct file *f, char __user *buf,
					      size_t len, loff_t *pos)
{
	unsigned int ms = sleep_ms + (vary_ms ? get_random_u32() % vary_ms : 0);

	if (spin) {
		unsigned long end = jiffies + msecs_to_jiffies(ms);

		while (READ_ONCE(spin) && time_before(jiffies, end))
			cond_resched();
	} else if (interruptible) {
		msleep_interruptible(ms);
	} else {
		msleep(ms);
	}
	return 0;
}

static noinline int mg_nofops_reader_release(struct inode *inode,
					     struct file *f)
{
	unsigned long end = jiffies + msecs_to_jiffies(release_ms);

	while (READ_ONCE(release_hold) && time_before(jiffies, end))
		msleep(10);
	return 0;
}

static const struct file_operations mg_nofops_reader_fops = {
	/* BUG: no .owner = THIS_MODULE */
	.read = mg_nofops_reader_read,
	.release = mg_nofops_reader_release,
	.llseek = noop_llseek,
};

static struct miscdevice mg_nofops_reader_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mg_nofops_reader",
	.fops = &mg_nofops_reader_fops,
	.mode = 0444,
};

static int __init mg_nofops_reader_init(void)
{
	int ret;

	if (chrdev) {
		major = register_chrdev(0, "mg_nofops_reader",
					&mg_nofops_reader_fops);
		ret = major < 0 ? major : 0;
	} else {
		ret = misc_register(&mg_nofops_reader_dev);
	}
	if (!ret)
		pr_info("mg_nofops_reader: loaded (sleep_ms=%u, major %d)\n",
			sleep_ms, chrdev ? major : 10);
	return ret;
}

static void __exit mg_nofops_reader_exit(void)
{
	if (exit_delay_ms)
		msleep(exit_delay_ms);
	if (chrdev)
		unregister_chrdev(major, "mg_nofops_reader");
	else
		misc_deregister(&mg_nofops_reader_dev);
	pr_info("mg_nofops_reader: unloaded\n");
}

module_init(mg_nofops_reader_init);
module_exit(mg_nofops_reader_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): misc device without .owner, slow read");
