// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_notifier: BUGGY fixture. Registers on the module notifier chain
 * (called on every module load and unload) and never unregisters: the next
 * module load/unload after this one is gone walks a notifier_block in freed
 * data and calls mg_leak_notifier_cb in freed text.
 * Trigger it by unloading a module that was loaded BEFORE this one: that
 * oopses. Loading a new module instead usually reuses the freed area, so the
 * chain jumps into the newcomer's code at the old offset (seen: it ran the
 * new module's exit function, then insmod failed with a garbage errno).
 */
#include <linux/module.h>
#include <linux/notifier.h>

static int mg_leak_notifier_cb(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	struct module *mod = data;

	pr_info("mg_leak_notifier: module %s state %lu\n", mod->name, action);
	return NOTIFY_DONE;
}

static struct notifier_block mg_leak_notifier_nb = {
	.notifier_call = mg_leak_notifier_cb,
};

static int __init mg_leak_notifier_init(void)
{
	int ret = register_module_notifier(&mg_leak_notifier_nb);

	if (!ret)
		pr_info("mg_leak_notifier: loaded\n");
	return ret;
}

static void __exit mg_leak_notifier_exit(void)
{
	/* BUG: no unregister_module_notifier(&mg_leak_notifier_nb) */
	pr_info("mg_leak_notifier: unloaded\n");
}

module_init(mg_leak_notifier_init);
module_exit(mg_leak_notifier_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): module notifier left registered at exit");
