// SPDX-License-Identifier: GPL-2.0
/*
 * mg_slow_init: fixture for "unload while still in init". init sleeps
 * init_ms; while it does, the module is COMING and delete_module returns
 * EBUSY. Exit is harmless (an exit function must exist or the module can
 * never be unloaded).
 */
#include <linux/module.h>
#include <linux/delay.h>

static unsigned int init_ms = 3000;
module_param(init_ms, uint, 0444);
MODULE_PARM_DESC(init_ms, "time init sleeps before returning (ms)");

static int __init mg_slow_init_init(void)
{
	pr_info("mg_slow_init: init sleeping %u ms\n", init_ms);
	msleep(init_ms);
	pr_info("mg_slow_init: loaded\n");
	return 0;
}

static void __exit mg_slow_init_exit(void)
{
	pr_info("mg_slow_init: unloaded\n");
}

module_init(mg_slow_init_init);
module_exit(mg_slow_init_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: slow init");
