// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_dwork: BUGGY fixture. Queues a delayed work delay_ms ahead and
 * never cancels it: after an early unload, delayed_work_timer_fn (kernel
 * text) still fires on the freed delayed_work and a worker then calls
 * mg_leak_dwork_fn in freed text.  heap=1 (default) keeps the delayed_work
 * in leaked kmalloc memory so the crash is exactly that call; heap=0 keeps
 * it in module data, where the timer wheel breaks as soon as it is freed.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/slab.h>

static unsigned int delay_ms = 1500;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "delayed work delay after load (ms)");

static unsigned int heap = 1;
module_param(heap, uint, 0444);
MODULE_PARM_DESC(heap, "1: delayed_work in leaked kmalloc memory, 0: in module data");

static struct delayed_work mg_leak_dwork_static;
static struct delayed_work *mg_leak_dwork;

static void mg_leak_dwork_fn(struct work_struct *w)
{
	pr_info("mg_leak_dwork: ran\n");
}

static int __init mg_leak_dwork_init(void)
{
	mg_leak_dwork = heap ? kzalloc(sizeof(*mg_leak_dwork), GFP_KERNEL)
			     : &mg_leak_dwork_static;
	if (!mg_leak_dwork)
		return -ENOMEM;
	INIT_DELAYED_WORK(mg_leak_dwork, mg_leak_dwork_fn);
	queue_delayed_work(system_wq, mg_leak_dwork, msecs_to_jiffies(delay_ms));
	pr_info("mg_leak_dwork: loaded (delay_ms=%u)\n", delay_ms);
	return 0;
}

static void __exit mg_leak_dwork_exit(void)
{
	/* BUG: no cancel_delayed_work_sync(mg_leak_dwork), and the heap copy leaks */
	pr_info("mg_leak_dwork: unloaded\n");
}

module_init(mg_leak_dwork_init);
module_exit(mg_leak_dwork_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): delayed work left queued at exit");
