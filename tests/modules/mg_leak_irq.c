// SPDX-License-Identifier: GPL-2.0
/*
 * mg_leak_irq: BUGGY fixture. Adds a handler to a shared interrupt line
 * (irq=1: the i8042 keyboard controller's, which QEMU emulates and the
 * i8042 driver requests IRQF_SHARED) and never frees it: after the unload
 * the next interrupt on that line calls mg_leak_irq_handler in freed text.
 * A byte written to the controller raises one (tests/vm/host/stale_kinds.sh
 * sends the keyboard an ECHO command through /dev/port).
 */
#include <linux/interrupt.h>
#include <linux/module.h>

static unsigned int irq = 1;
module_param(irq, uint, 0444);
MODULE_PARM_DESC(irq, "the shared interrupt line to add a handler to");

static int mg_leak_irq_dev;
static atomic_t mg_leak_irq_seen = ATOMIC_INIT(0);

static irqreturn_t mg_leak_irq_handler(int irq, void *dev)
{
	atomic_inc(&mg_leak_irq_seen);
	return IRQ_NONE; /* not ours: the line's own driver handles it */
}

static int __init mg_leak_irq_init(void)
{
	return request_irq(irq, mg_leak_irq_handler, IRQF_SHARED, "mg_leak_irq",
			   &mg_leak_irq_dev);
}

static void __exit mg_leak_irq_exit(void)
{
	/* BUG: no free_irq(irq, &mg_leak_irq_dev) */
	pr_info("mg_leak_irq: unloaded after %d interrupts\n",
		atomic_read(&mg_leak_irq_seen));
}

module_init(mg_leak_irq_init);
module_exit(mg_leak_irq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (buggy): interrupt handler left installed at exit");
