// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_kthread_work: tidy fixture. A kthread worker with a delayed
 * kthread work pending far ahead and a plain one queued behind a blocker,
 * all cancelled and the worker destroyed at exit.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>

static struct kthread_worker *mg_tidy_worker;
static struct kthread_delayed_work mg_tidy_kdwork;
static struct kthread_work mg_tidy_blocker, mg_tidy_kwork;
static bool mg_tidy_stopping;

static void mg_tidy_kthread_work_fn(struct kthread_work *w)
{
	pr_info("mg_tidy_kthread_work: ran\n");
}

/* holds the worker, so that the plain work stays queued, until exit */
static void mg_tidy_kthread_blocker_fn(struct kthread_work *w)
{
	while (!READ_ONCE(mg_tidy_stopping))
		msleep(20);
}

static int __init mg_tidy_kthread_work_init(void)
{
	mg_tidy_worker = kthread_create_worker(0, "mg_tidy_kworker");
	if (IS_ERR(mg_tidy_worker))
		return PTR_ERR(mg_tidy_worker);
	kthread_init_delayed_work(&mg_tidy_kdwork, mg_tidy_kthread_work_fn);
	kthread_queue_delayed_work(mg_tidy_worker, &mg_tidy_kdwork, 600 * HZ);
	kthread_init_work(&mg_tidy_blocker, mg_tidy_kthread_blocker_fn);
	kthread_init_work(&mg_tidy_kwork, mg_tidy_kthread_work_fn);
	kthread_queue_work(mg_tidy_worker, &mg_tidy_blocker);
	kthread_queue_work(mg_tidy_worker, &mg_tidy_kwork);
	return 0;
}

static void __exit mg_tidy_kthread_work_exit(void)
{
	kthread_cancel_delayed_work_sync(&mg_tidy_kdwork);
	kthread_cancel_work_sync(&mg_tidy_kwork);
	WRITE_ONCE(mg_tidy_stopping, true);
	kthread_destroy_worker(mg_tidy_worker);
}

module_init(mg_tidy_kthread_work_init);
module_exit(mg_tidy_kthread_work_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (tidy): kthread work cancelled, worker destroyed at exit");
