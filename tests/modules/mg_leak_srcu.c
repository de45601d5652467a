// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_srcu: BUGGY fixture. Queues an SRCU callback in its own domain
 * (srcu_struct in kmalloc memory) and never calls srcu_barrier(); its init
 * holds a read-side critical section of the domain open for good, so the
 * callback stays queued across the unload: left behind, but its grace
 * period never ends, so it never fires (mg_leak_srcu_exit is the one that
 * crashes).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/srcu.h>

static struct srcu_struct *mg_leak_ss;
static struct rcu_head *mg_leak_head;

static void mg_leak_srcu_cb(struct rcu_head *head)
{
	pr_info("mg_leak_srcu: callback ran\n");
}

static int __init mg_leak_srcu_init(void)
{
	mg_leak_ss = kzalloc(sizeof(*mg_leak_ss), GFP_KERNEL);
	mg_leak_head = kzalloc(sizeof(*mg_leak_head), GFP_KERNEL);
	if (!mg_leak_ss || !mg_leak_head || init_srcu_struct(mg_leak_ss)) {
		kfree(mg_leak_ss);
		kfree(mg_leak_head);
		return -ENOMEM;
	}
	srcu_read_lock(mg_leak_ss); /* never unlocked */
	call_srcu(mg_leak_ss, mg_leak_head, mg_leak_srcu_cb);
	return 0;
}

static void __exit mg_leak_srcu_exit(void)
{
	/* BUG: no srcu_barrier(mg_leak_ss); the domain and head leak */
	pr_info("mg_leak_srcu: unloaded\n");
}

module_init(mg_leak_srcu_init);
module_exit(mg_leak_srcu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): SRCU callback left queued at exit");
