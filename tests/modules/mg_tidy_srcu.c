// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_srcu: tidy fixture. An SRCU domain of its own with a callback
 * kept queued by a reader it holds until exit, and one queued at init that
 * runs at once; the exit ends the reader, calls srcu_barrier() and cleans
 * the domain up.
 */
#include <linux/module.h>
#include <linux/srcu.h>

DEFINE_STATIC_SRCU(mg_tidy_ss);
static struct rcu_head mg_tidy_held_head, mg_tidy_done_head;
static int mg_tidy_idx;

static void mg_tidy_srcu_cb(struct rcu_head *head)
{
}

static int __init mg_tidy_srcu_init(void)
{
	call_srcu(&mg_tidy_ss, &mg_tidy_done_head, mg_tidy_srcu_cb);
	srcu_barrier(&mg_tidy_ss);
	mg_tidy_idx = srcu_read_lock(&mg_tidy_ss);
	call_srcu(&mg_tidy_ss, &mg_tidy_held_head, mg_tidy_srcu_cb);
	return 0;
}

static void __exit mg_tidy_srcu_exit(void)
{
	srcu_read_unlock(&mg_tidy_ss, mg_tidy_idx);
	srcu_barrier(&mg_tidy_ss);
}

module_init(mg_tidy_srcu_init);
module_exit(mg_tidy_srcu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (tidy): SRCU callbacks barriered at exit");
