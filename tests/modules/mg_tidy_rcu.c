// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_rcu: well-behaved fixture. Frees an object through call_rcu() at
 * init, and rcu_barrier()s at exit so no callback into this module's text
 * can still be queued once it is freed.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

struct mg_tidy_rcu_obj {
	struct rcu_head rcu;
	int payload;
};

static void mg_tidy_rcu_cb(struct rcu_head *head)
{
	kfree(container_of(head, struct mg_tidy_rcu_obj, rcu));
}

static int __init mg_tidy_rcu_init(void)
{
	struct mg_tidy_rcu_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return -ENOMEM;
	call_rcu(&obj->rcu, mg_tidy_rcu_cb);
	pr_info("mg_tidy_rcu: loaded\n");
	return 0;
}

static void __exit mg_tidy_rcu_exit(void)
{
	rcu_barrier();	/* wait for every queued mg_tidy_rcu_cb to run */
	pr_info("mg_tidy_rcu: unloaded\n");
}

module_init(mg_tidy_rcu_init);
module_exit(mg_tidy_rcu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: call_rcu with rcu_barrier at exit");
