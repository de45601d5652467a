// SPDX-License-Identifier: GPL-2.0
/*
 * mg_tidy_irq: tidy fixture. A handler and a threaded handler on a shared
 * interrupt line (irq=1, as mg_leak_irq), both freed at exit; its init
 * also tries a non-shared request of that line, which fails (-EBUSY) and
 * must not be counted as installed.
 */
#include <linux/interrupt.h>
#include <linux/module.h>

static unsigned int irq = 1;
module_param(irq, uint, 0444);
MODULE_PARM_DESC(irq, "the shared interrupt line to add handlers to");

static int mg_tidy_irq_dev, mg_tidy_irq_thread_dev, mg_tidy_irq_busy_dev;

static irqreturn_t mg_tidy_irq_handler(int irq, void *dev)
{
	return IRQ_NONE;
}

static irqreturn_t mg_tidy_irq_check(int irq, void *dev)
{
	return IRQ_NONE; /* never wakes the thread: the line is not ours */
}

static irqreturn_t mg_tidy_irq_thread(int irq, void *dev)
{
	return IRQ_HANDLED;
}

static int __init mg_tidy_irq_init(void)
{
	int err = request_irq(irq, mg_tidy_irq_handler, IRQF_SHARED,
			      "mg_tidy_irq", &mg_tidy_irq_dev);

	if (err)
		return err;
	err = request_threaded_irq(irq, mg_tidy_irq_check, mg_tidy_irq_thread,
				   IRQF_SHARED, "mg_tidy_irq_thread",
				   &mg_tidy_irq_thread_dev);
	if (err) {
		free_irq(irq, &mg_tidy_irq_dev);
		return err;
	}
	/* the line is shared: a request that is not fails, and is gone */
	if (!request_irq(irq, mg_tidy_irq_handler, 0, "mg_tidy_irq_busy",
			 &mg_tidy_irq_busy_dev))
		free_irq(irq, &mg_tidy_irq_busy_dev);
	return 0;
}

static void __exit mg_tidy_irq_exit(void)
{
	free_irq(irq, &mg_tidy_irq_thread_dev);
	free_irq(irq, &mg_tidy_irq_dev);
}

module_init(mg_tidy_irq_init);
module_exit(mg_tidy_irq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modguard fixture (tidy): interrupt handlers freed at exit");
