// SPDX-License-Identifier: GPL-2.0
/*
 * mg_bench_load: workload module for tools/bench (not a fixture).
 *
 * Writing "N [MASK]" to /proc/mg_bench_load runs N rounds, synchronously in
 * the writer's context, of (MASK bits, default 0x1f): 1 arm + cancel a
 * timer_list, 2 arm + cancel an hrtimer, 4 queue + flush a work item (so it
 * executes), 8 arm + cancel a delayed work, 16 take + drop a module
 * reference (module_get/module_put tracepoints).  Every callback lives in
 * this module's text, so modguardd's BPF programs take their module path
 * (ledger updates) rather than the cheap "not module text" exit.  Timing is
 * done by the writer (tests/bench/mg_bench.c).  Nothing is left pending when
 * the write returns, so unloading is always clean.
 */
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define MG_BENCH_MAX_ROUNDS 10000000UL
#define MG_BENCH_ALL 0x3f
#define MG_BENCH_DEFAULT 0x1f /* the default: all but the nested references */

static struct timer_list mg_bench_timer;
static struct hrtimer mg_bench_hrtimer;
static struct work_struct mg_bench_work;
static struct delayed_work mg_bench_dwork;
static struct proc_dir_entry *mg_bench_pde;
/* one writer at a time: the timers and works are shared */
static DEFINE_MUTEX(mg_bench_lock);
static unsigned long mg_bench_count;

/* the timers are always cancelled long before they could fire */
static void mg_bench_timer_fn(struct timer_list *t)
{
	mg_bench_count++;
}

static enum hrtimer_restart mg_bench_hrtimer_fn(struct hrtimer *t)
{
	mg_bench_count++;
	return HRTIMER_NORESTART;
}

static void mg_bench_work_fn(struct work_struct *w)
{
	WRITE_ONCE(mg_bench_count, mg_bench_count + 1);
}

static void mg_bench_round(unsigned int mask)
{
	if (mask & 1) {
		mod_timer(&mg_bench_timer, jiffies + HZ);
		del_timer_sync(&mg_bench_timer);
	}
	if (mask & 2) {
		hrtimer_start(&mg_bench_hrtimer, ms_to_ktime(1000),
			      HRTIMER_MODE_REL);
		hrtimer_cancel(&mg_bench_hrtimer);
	}
	if (mask & 4) {
		queue_work(system_wq, &mg_bench_work);
		flush_work(&mg_bench_work);
	}
	if (mask & 8) {
		queue_delayed_work(system_wq, &mg_bench_dwork, HZ);
		cancel_delayed_work_sync(&mg_bench_dwork);
	}
	if ((mask & 16) && try_module_get(THIS_MODULE))
		module_put(THIS_MODULE);
	if ((mask & 32) && try_module_get(THIS_MODULE)) {
		__module_get(THIS_MODULE);
		module_put(THIS_MODULE);
		module_put(THIS_MODULE);
	}
}

static ssize_t mg_bench_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	unsigned long rounds, i;
	unsigned int mask = MG_BENCH_DEFAULT;
	char kbuf[32];
	int n;

	if (len >= sizeof(kbuf))
		return -EINVAL;
	if (copy_from_user(kbuf, buf, len))
		return -EFAULT;
	kbuf[len] = '\0';
	n = sscanf(kbuf, "%lu %i", &rounds, &mask);
	if (n < 1 || !mask || (mask & ~MG_BENCH_ALL))
		return -EINVAL;
	if (rounds > MG_BENCH_MAX_ROUNDS)
		return -ERANGE;
	if (mutex_lock_interruptible(&mg_bench_lock))
		return -EINTR;
	for (i = 0; i < rounds; i++) {
		mg_bench_round(mask);
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	mutex_unlock(&mg_bench_lock);
	return len;
}

static const struct proc_ops mg_bench_proc_ops = {
	.proc_write = mg_bench_write,
	.proc_lseek = noop_llseek,
};

static int __init mg_bench_init(void)
{
	timer_setup(&mg_bench_timer, mg_bench_timer_fn, 0);
	hrtimer_init(&mg_bench_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	mg_bench_hrtimer.function = mg_bench_hrtimer_fn;
	INIT_WORK(&mg_bench_work, mg_bench_work_fn);
	INIT_DELAYED_WORK(&mg_bench_dwork, mg_bench_work_fn);

	mg_bench_pde = proc_create("mg_bench_load", 0200, NULL,
				   &mg_bench_proc_ops);
	if (!mg_bench_pde)
		return -ENOMEM;
	return 0;
}

static void __exit mg_bench_exit(void)
{
	/* no writer can be inside after this; then nothing is pending */
	proc_remove(mg_bench_pde);
	del_timer_sync(&mg_bench_timer);
	hrtimer_cancel(&mg_bench_hrtimer);
	cancel_work_sync(&mg_bench_work);
	cancel_delayed_work_sync(&mg_bench_dwork);
}

module_init(mg_bench_init);
module_exit(mg_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard bench workload: module timers, hrtimers and work in a loop");
