// SPDX-License-Identifier: GPL-2.0
/*
 * mg_control: the well-behaved control module for the harness.
 *
 * Keeps a self re-arming timer running (every 100 ms) for as long as it is
 * loaded and cancels it properly on unload, so "insmod; rmmod; sleep" must
 * leave the kernel clean.  If this one ever faults, the harness is broken.
 */
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/version.h>

static struct timer_list mg_control_timer;
/* Belt and braces: the handler stops re-arming once exit has begun. */
static bool mg_control_stopping;

static void mg_control_timer_fn(struct timer_list *t)
{
	if (!READ_ONCE(mg_control_stopping))
		mod_timer(t, jiffies + msecs_to_jiffies(100));
}

static int __init mg_control_init(void)
{
	timer_setup(&mg_control_timer, mg_control_timer_fn, 0);
	mod_timer(&mg_control_timer, jiffies + msecs_to_jiffies(100));
	pr_info("mg_control: loaded, timer armed\n");
	return 0;
}

static void __exit mg_control_exit(void)
{
	WRITE_ONCE(mg_control_stopping, true);
	/*
	 * Waits for a running handler and copes with it re-arming itself.
	 * timer_shutdown_sync() (6.2+) additionally forbids any re-arming.
	 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	timer_shutdown_sync(&mg_control_timer);
#else
	del_timer_sync(&mg_control_timer);
#endif
	pr_info("mg_control: unloaded cleanly\n");
}

module_init(mg_control_init);
module_exit(mg_control_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard test: well-behaved timer module (control)");
