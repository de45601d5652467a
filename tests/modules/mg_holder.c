// SPDX-License-Identifier: GPL-2.0
/*
 * mg_holder: fixture for dependencies. Exports mg_holder_ping; while
 * mg_holder_user (which uses it) is loaded, delete_module("mg_holder")
 * fails with EWOULDBLOCK.
 */
#include <linux/module.h>

static unsigned int mg_holder_pings;

int mg_holder_ping(void);	/* mg_holder_user.c declares it the same way */

noinline int mg_holder_ping(void)
{
	return ++mg_holder_pings;
}
EXPORT_SYMBOL_GPL(mg_holder_ping);

static int __init mg_holder_init(void)
{
	pr_info("mg_holder: loaded\n");
	return 0;
}

static void __exit mg_holder_exit(void)
{
	pr_info("mg_holder: unloaded (%u pings)\n", mg_holder_pings);
}

module_init(mg_holder_init);
module_exit(mg_holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: exports a symbol another module depends on");
