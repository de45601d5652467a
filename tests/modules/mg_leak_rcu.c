// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_rcu: BUGGY fixture. Frees objects with call_rcu(); exit queues one
 * more callback and returns without rcu_barrier(), so when exit returns an
 * RCU callback pointing into this module's text is still pending.
 * free_module() does call synchronize_rcu(), but that only waits for a grace
 * period, not for queued callbacks to be invoked. In practice the window is
 * small (a callback queued on the CPU that then runs synchronize_rcu() is
 * invoked before synchronize_rcu's own wake-up callback): 30 insmod/rmmod
 * rounds under TCG did not crash. Detect the pending callback, don't rely
 * on an oops.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

struct mg_leak_rcu_obj {
	struct rcu_head rcu;
	int payload;
};

static void mg_leak_rcu_cb(struct rcu_head *head)
{
	kfree(container_of(head, struct mg_leak_rcu_obj, rcu));
}

static int mg_leak_rcu_queue(void)
{
	struct mg_leak_rcu_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return -ENOMEM;
	call_rcu(&obj->rcu, mg_leak_rcu_cb);
	return 0;
}

static int __init mg_leak_rcu_init(void)
{
	int ret = mg_leak_rcu_queue();

	if (!ret)
		pr_info("mg_leak_rcu: loaded\n");
	return ret;
}

static void __exit mg_leak_rcu_exit(void)
{
	mg_leak_rcu_queue();
	/* BUG: no rcu_barrier() */
	pr_info("mg_leak_rcu: unloaded\n");
}

module_init(mg_leak_rcu_init);
module_exit(mg_leak_rcu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): call_rcu without rcu_barrier at exit");
