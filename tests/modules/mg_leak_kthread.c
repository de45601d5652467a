// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_kthread: BUGGY fixture. Starts a kthread that loops forever,
 * ignoring kthread_should_stop(), and exit never stops it: after unload the
 * thread wakes from msleep() and returns into freed text.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/err.h>

static unsigned int period_ms = 100;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "how long the thread sleeps between wake-ups (ms)");

static int mg_leak_kthread_fn(void *arg)
{
	for (;;)	/* BUG: never checks kthread_should_stop() */
		msleep(period_ms);
	return 0;
}

static int __init mg_leak_kthread_init(void)
{
	struct task_struct *t = kthread_run(mg_leak_kthread_fn, NULL,
					    "mg_leak_kthread");

	if (IS_ERR(t))
		return PTR_ERR(t);
	pr_info("mg_leak_kthread: loaded\n");
	return 0;
}

static void __exit mg_leak_kthread_exit(void)
{
	/* BUG: no kthread_stop() */
	pr_info("mg_leak_kthread: unloaded\n");
}

module_init(mg_leak_kthread_init);
module_exit(mg_leak_kthread_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): kthread left running at exit");
