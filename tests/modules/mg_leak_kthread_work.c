// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_kthread_work: BUGGY fixture. Creates a kthread worker and queues
 * a delayed kthread work delay_ms ahead (or, delay_ms=0, a plain one that
 * blocks the worker behind a first item for block_ms), then neither
 * cancels nor destroys anything at exit: when the work comes due, the
 * worker calls mg_leak_kthread_work_fn in freed text.  The work lives in
 * leaked kmalloc memory so that the crash is exactly that call.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>

static unsigned int delay_ms = 8000;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "delay of the kthread work (ms); 0: queued at once");

static unsigned int block_ms = 8000;
module_param(block_ms, uint, 0444);
MODULE_PARM_DESC(block_ms, "delay_ms=0: how long a first item holds the worker");

static struct kthread_worker *mg_leak_worker;

struct mg_leak_items {
	struct kthread_delayed_work dwork;
	struct kthread_work blocker, work;
};

static struct mg_leak_items *mg_leak_items;

static void mg_leak_kthread_work_fn(struct kthread_work *w)
{
	pr_info("mg_leak_kthread_work: ran\n");
}

static void mg_leak_kthread_blocker_fn(struct kthread_work *w)
{
	msleep(block_ms);
}

static int __init mg_leak_kthread_work_init(void)
{
	mg_leak_items = kzalloc(sizeof(*mg_leak_items), GFP_KERNEL);
	if (!mg_leak_items)
		return -ENOMEM;
	mg_leak_worker = kthread_create_worker(0, "mg_leak_kworker");
	if (IS_ERR(mg_leak_worker)) {
		kfree(mg_leak_items);
		return PTR_ERR(mg_leak_worker);
	}
	if (delay_ms) {
		kthread_init_delayed_work(&mg_leak_items->dwork,
					  mg_leak_kthread_work_fn);
		kthread_queue_delayed_work(mg_leak_worker, &mg_leak_items->dwork,
					   msecs_to_jiffies(delay_ms));
	} else {
		kthread_init_work(&mg_leak_items->blocker,
				  mg_leak_kthread_blocker_fn);
		kthread_init_work(&mg_leak_items->work, mg_leak_kthread_work_fn);
		kthread_queue_work(mg_leak_worker, &mg_leak_items->blocker);
		kthread_queue_work(mg_leak_worker, &mg_leak_items->work);
	}
	return 0;
}

static void __exit mg_leak_kthread_work_exit(void)
{
	/*
	 * BUG: no kthread_cancel_delayed_work_sync() or
	 * kthread_cancel_work_sync(), no kthread_destroy_worker()
	 */
	pr_info("mg_leak_kthread_work: unloaded\n");
}

module_init(mg_leak_kthread_work_init);
module_exit(mg_leak_kthread_work_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): kthread work left queued at exit");
