// SPDX-License-Identifier: GPL-2.0
/*
 * mg_srcu_domain: test helper (not buggy). An SRCU domain for other test
 * modules, and a read-side critical section the test opens and closes:
 * echo 1 > /sys/module/mg_srcu_domain/parameters/hold holds its grace
 * periods back, echo 0 lets them end.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/srcu.h>

DEFINE_SRCU(mg_srcu_domain);
EXPORT_SYMBOL_GPL(mg_srcu_domain);

static DEFINE_MUTEX(mg_srcu_hold_lock);
static bool mg_srcu_held;
static int mg_srcu_idx;

static int hold_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (err)
		return err;
	mutex_lock(&mg_srcu_hold_lock);
	if (on && !mg_srcu_held)
		mg_srcu_idx = srcu_read_lock(&mg_srcu_domain);
	else if (!on && mg_srcu_held)
		srcu_read_unlock(&mg_srcu_domain, mg_srcu_idx);
	mg_srcu_held = on;
	mutex_unlock(&mg_srcu_hold_lock);
	return 0;
}

static int hold_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", mg_srcu_held);
}

static const struct kernel_param_ops hold_ops = { .set = hold_set, .get = hold_get };
module_param_cb(hold, &hold_ops, NULL, 0644);
MODULE_PARM_DESC(hold, "1: a reader holds the domain's grace periods back");

static void __exit mg_srcu_domain_exit(void)
{
	if (mg_srcu_held)
		srcu_read_unlock(&mg_srcu_domain, mg_srcu_idx);
	srcu_barrier(&mg_srcu_domain);
}

module_exit(mg_srcu_domain_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard test helper: an SRCU domain whose grace periods a test can hold");
