// SPDX-License-Identifier: GPL-2.0
/*
 * mg_holder_user: fixture for dependencies. Calling mg_holder_ping makes
 * this module depend on mg_holder (load mg_holder first), which then cannot
 * be unloaded while this one is loaded.
 */
#include <linux/module.h>

int mg_holder_ping(void);	/* exported by mg_holder.ko */

static int __init mg_holder_user_init(void)
{
	pr_info("mg_holder_user: loaded (ping %d)\n", mg_holder_ping());
	return 0;
}

static void __exit mg_holder_user_exit(void)
{
	pr_info("mg_holder_user: unloaded\n");
}

module_init(mg_holder_user_init);
module_exit(mg_holder_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: depends on mg_holder");
