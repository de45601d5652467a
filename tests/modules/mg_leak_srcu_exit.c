// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_srcu_exit: BUGGY fixture. Its exit queues an SRCU callback (the
 * deferred free of the classic bug) on mg_srcu_domain's domain and returns
 * without srcu_barrier(): when that grace period ends after the unload
 * (the test holds it with mg_srcu_domain's hold=1, then lets go) the
 * callback is called in freed text.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/srcu.h>

extern struct srcu_struct mg_srcu_domain;

static struct rcu_head *mg_leak_exit_head;

static void mg_leak_srcu_exit_cb(struct rcu_head *head)
{
	pr_info("mg_leak_srcu_exit: callback ran\n");
}

static int __init mg_leak_srcu_exit_init(void)
{
	mg_leak_exit_head = kzalloc(sizeof(*mg_leak_exit_head), GFP_KERNEL);
	return mg_leak_exit_head ? 0 : -ENOMEM;
}

static void __exit mg_leak_srcu_exit_exit(void)
{
	/* BUG: a callback in this module's text, and no srcu_barrier() */
	call_srcu(&mg_srcu_domain, mg_leak_exit_head, mg_leak_srcu_exit_cb);
}

module_init(mg_leak_srcu_exit_init);
module_exit(mg_leak_srcu_exit_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): SRCU callback queued by the exit, no srcu_barrier()");
