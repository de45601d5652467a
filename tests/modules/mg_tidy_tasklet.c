// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_tasklet: well-behaved fixture. Schedules a tasklet at init and
 * tasklet_kill()s it at exit (waits for it to run/finish if still pending).
 */
#include <linux/module.h>
#include <linux/interrupt.h>

static struct tasklet_struct mg_tidy_tasklet;

static void mg_tidy_tasklet_fn(struct tasklet_struct *t)
{
	pr_info("mg_tidy_tasklet: tasklet ran\n");
}

static int __init mg_tidy_tasklet_init(void)
{
	tasklet_setup(&mg_tidy_tasklet, mg_tidy_tasklet_fn);
	tasklet_schedule(&mg_tidy_tasklet);
	pr_info("mg_tidy_tasklet: loaded\n");
	return 0;
}

static void __exit mg_tidy_tasklet_exit(void)
{
	tasklet_kill(&mg_tidy_tasklet);
	pr_info("mg_tidy_tasklet: unloaded\n");
}

module_init(mg_tidy_tasklet_init);
module_exit(mg_tidy_tasklet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: tasklet killed at exit");
