// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_hrtimer: BUGGY fixture. Arms a one-shot hrtimer delay_ms ahead and
 * never cancels it: if the module is unloaded before it fires, the hrtimer
 * base calls mg_leak_hrtimer_fn in freed text.  With heap=1 (default) the
 * hrtimer is kmalloc'd and leaked, so the crash is exactly that call; with
 * heap=0 it lives in module data and the hrtimer queue itself is corrupted
 * the moment the module's memory is freed (a crash during the unload).
 */
#include <linux/module.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>

static unsigned int delay_ms = 1500;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "hrtimer expiry after load (ms)");

static unsigned int heap = 1;
module_param(heap, uint, 0444);
MODULE_PARM_DESC(heap, "1: hrtimer in leaked kmalloc memory, 0: in module data");

static struct hrtimer mg_leak_hrtimer_static;
static struct hrtimer *mg_leak_hrtimer;

static enum hrtimer_restart mg_leak_hrtimer_fn(struct hrtimer *t)
{
	pr_info("mg_leak_hrtimer: fired\n");
	return HRTIMER_NORESTART;
}

static int __init mg_leak_hrtimer_init(void)
{
	mg_leak_hrtimer = heap ? kzalloc(sizeof(*mg_leak_hrtimer), GFP_KERNEL)
			       : &mg_leak_hrtimer_static;
	if (!mg_leak_hrtimer)
		return -ENOMEM;
	hrtimer_init(mg_leak_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	mg_leak_hrtimer->function = mg_leak_hrtimer_fn;
	hrtimer_start(mg_leak_hrtimer, ms_to_ktime(delay_ms), HRTIMER_MODE_REL);
	pr_info("mg_leak_hrtimer: loaded (delay_ms=%u)\n", delay_ms);
	return 0;
}

static void __exit mg_leak_hrtimer_exit(void)
{
	/* BUG: no hrtimer_cancel(mg_leak_hrtimer), and the heap copy leaks */
	pr_info("mg_leak_hrtimer: unloaded\n");
}

module_init(mg_leak_hrtimer_init);
module_exit(mg_leak_hrtimer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): hrtimer left armed at exit");
