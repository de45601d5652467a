// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_notifier: well-behaved fixture. Registers a reboot notifier and
 * unregisters it at exit, so the chain never points into freed text.
 */
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/reboot.h>

static int mg_tidy_notifier_cb(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	pr_info("mg_tidy_notifier: reboot event %lu\n", action);
	return NOTIFY_DONE;
}

static struct notifier_block mg_tidy_notifier_nb = {
	.notifier_call = mg_tidy_notifier_cb,
};

static int __init mg_tidy_notifier_init(void)
{
	int ret = register_reboot_notifier(&mg_tidy_notifier_nb);

	if (!ret)
		pr_info("mg_tidy_notifier: loaded\n");
	return ret;
}

static void __exit mg_tidy_notifier_exit(void)
{
	unregister_reboot_notifier(&mg_tidy_notifier_nb);
	pr_info("mg_tidy_notifier: unloaded\n");
}

module_init(mg_tidy_notifier_init);
module_exit(mg_tidy_notifier_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture: reboot notifier unregistered at exit");
