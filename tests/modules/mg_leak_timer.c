// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_timer: deliberately buggy module.
 *
 * init arms a one-shot timer (mg_leak_timer_fn) that fires 1.5 s later;
 * exit does NOT cancel it.  After a plain `rmmod` within that window the
 * module text is freed while the timer is still queued, and the stock kernel
 * oopses in softirq context when the timer wheel jumps into the freed text
 * (a fatal exception in interrupt, so the kernel panics).
 *
 * The timer_list itself is kmalloc'ed and leaked on purpose: that keeps the
 * timer wheel's own bookkeeping valid, so the crash is exactly the jump into
 * freed module text (instruction fetch fault at mg_leak_timer_fn's old
 * address) rather than a data fault on a timer inside freed module memory.
 */
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>

static unsigned int delay_ms = 1500;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "timer expiry after load (ms)");

static struct timer_list *mg_leak_timer;

static void mg_leak_timer_fn(struct timer_list *t)
{
	pr_info("mg_leak_timer: timer fired (module still loaded)\n");
}

static int __init mg_leak_timer_init(void)
{
	mg_leak_timer = kzalloc(sizeof(*mg_leak_timer), GFP_KERNEL);
	if (!mg_leak_timer)
		return -ENOMEM;
	timer_setup(mg_leak_timer, mg_leak_timer_fn, 0);
	mod_timer(mg_leak_timer, jiffies + msecs_to_jiffies(delay_ms));
	pr_info("mg_leak_timer: loaded, timer fires in %u ms\n", delay_ms);
	return 0;
}

static void __exit mg_leak_timer_exit(void)
{
	/* BUG (intentional): no del_timer_sync(mg_leak_timer), no kfree. */
	pr_info("mg_leak_timer: unloaded, timer left armed\n");
}

module_init(mg_leak_timer_init);
module_exit(mg_leak_timer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard test: leaves a timer armed across unload");
