// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy: well-behaved fixture. Keeps a timer_list, an hrtimer, a delayed
 * work and a kthread busy in module text, and cancels every one of them
 * correctly at exit. modguard must let it unload without complaint.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/hrtimer.h>
#include <linux/workqueue.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/err.h>

#define MG_TIDY_PERIOD_MS 200

static struct timer_list mg_tidy_timer;
static struct hrtimer mg_tidy_hrtimer;
static struct delayed_work mg_tidy_work;
static struct task_struct *mg_tidy_thread;
/* Set before del_timer_sync so the timer callback stops re-arming itself. */
static bool mg_tidy_stopping;

static void mg_tidy_timer_fn(struct timer_list *t)
{
	if (!READ_ONCE(mg_tidy_stopping))
		mod_timer(t, jiffies + msecs_to_jiffies(MG_TIDY_PERIOD_MS));
}

static enum hrtimer_restart mg_tidy_hrtimer_fn(struct hrtimer *t)
{
	hrtimer_forward_now(t, ms_to_ktime(MG_TIDY_PERIOD_MS));
	return HRTIMER_RESTART;	/* hrtimer_cancel copes with self-restart */
}

static void mg_tidy_work_fn(struct work_struct *w)
{
	/* cancel_delayed_work_sync copes with self-requeueing work */
	queue_delayed_work(system_wq, to_delayed_work(w),
			   msecs_to_jiffies(MG_TIDY_PERIOD_MS));
}

static int mg_tidy_thread_fn(void *arg)
{
	while (!kthread_should_stop())
		msleep_interruptible(100);
	return 0;
}

static int __init mg_tidy_init(void)
{
	mg_tidy_thread = kthread_run(mg_tidy_thread_fn, NULL, "mg_tidy");
	if (IS_ERR(mg_tidy_thread))
		return PTR_ERR(mg_tidy_thread);

	timer_setup(&mg_tidy_timer, mg_tidy_timer_fn, 0);
	mod_timer(&mg_tidy_timer, jiffies + msecs_to_jiffies(MG_TIDY_PERIOD_MS));

	hrtimer_init(&mg_tidy_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	mg_tidy_hrtimer.function = mg_tidy_hrtimer_fn;
	hrtimer_start(&mg_tidy_hrtimer, ms_to_ktime(MG_TIDY_PERIOD_MS),
		      HRTIMER_MODE_REL);

	INIT_DELAYED_WORK(&mg_tidy_work, mg_tidy_work_fn);
	queue_delayed_work(system_wq, &mg_tidy_work,
			   msecs_to_jiffies(MG_TIDY_PERIOD_MS));

	pr_info("mg_tidy: loaded\n");
	return 0;
}

static void __exit mg_tidy_exit(void)
{
	/*
	 * Flag + del_timer_sync rather than timer_shutdown_sync: the latter
	 * only appeared in 6.2 (later backported to some 6.1 stable releases).
	 */
	WRITE_ONCE(mg_tidy_stopping, true);
	del_timer_sync(&mg_tidy_timer);
	hrtimer_cancel(&mg_tidy_hrtimer);
	cancel_delayed_work_sync(&mg_tidy_work);
	kthread_stop(mg_tidy_thread);
	pr_info("mg_tidy: unloaded\n");
}

module_init(mg_tidy_init);
module_exit(mg_tidy_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: timer, hrtimer, dwork, kthread all cancelled at exit");
