// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_tasklet: BUGGY fixture. The tasklet re-schedules itself until it
 * has run `spins` times, so it stays pending for a while after load; exit
 * does not tasklet_kill() it. Unloading before the spins are done leaves a
 * queued tasklet whose struct and function are in freed module memory.
 *
 * Sanity: each run is tiny and the count is bounded. A self-rescheduling
 * tasklet makes __do_softirq hand over to ksoftirqd after a few restarts
 * (MAX_SOFTIRQ_RESTART / 2 ms), and ksoftirqd is an ordinary preemptible
 * thread, so the CPU is busy but not locked up, and the spinning ends.
 */
#include <linux/module.h>
#include <linux/interrupt.h>

static unsigned int spins = 1000000;
module_param(spins, uint, 0444);
MODULE_PARM_DESC(spins, "number of times the tasklet re-schedules itself");

static struct tasklet_struct mg_leak_tasklet;
static unsigned int mg_leak_tasklet_runs;

static void mg_leak_tasklet_fn(struct tasklet_struct *t)
{
	if (++mg_leak_tasklet_runs < spins)
		tasklet_hi_schedule(t);
	else
		pr_info("mg_leak_tasklet: done after %u runs\n",
			mg_leak_tasklet_runs);
}

static int __init mg_leak_tasklet_init(void)
{
	tasklet_setup(&mg_leak_tasklet, mg_leak_tasklet_fn);
	tasklet_hi_schedule(&mg_leak_tasklet);
	pr_info("mg_leak_tasklet: loaded (spins=%u)\n", spins);
	return 0;
}

static void __exit mg_leak_tasklet_exit(void)
{
	/* BUG: no tasklet_kill(&mg_leak_tasklet) */
	pr_info("mg_leak_tasklet: unloaded after %u runs\n",
		READ_ONCE(mg_leak_tasklet_runs));
}

module_init(mg_leak_tasklet_init);
module_exit(mg_leak_tasklet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): self-rescheduling tasklet not killed at exit");
