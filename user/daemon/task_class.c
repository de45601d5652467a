// SPDX-License-Identifier: GPL-2.0
/* The one foreign/own classifier of scanned tasks: see task_class.h. */
#include <string.h>

#include "task_class.h"

static uint64_t kthread_worker_fn;

void mg_task_class_set_kthread_worker_fn(uint64_t addr)
{
	kthread_worker_fn = addr;
}

int mg_task_is_kthread_worker(const struct mg_task_record *t)
{
	return kthread_worker_fn && (t->flags & MG_TASKF_KTHREAD) &&
	       t->threadfn == kthread_worker_fn;
}

int mg_task_unread(const struct mg_task_record *t)
{
	return !t->mod && (t->flags & MG_TASKF_UNREAD);
}

enum mg_task_class mg_task_classify(const struct mg_task_record *t,
				    uint64_t mod)
{
	int worker = ((t->flags & MG_TASKF_KTHREAD) &&
		      !strncmp(t->comm, "kworker/", 8)) ||
		     mg_task_is_kthread_worker(t);

	/* its thread function says so, whatever its stack shows */
	if (mod && t->threadfn_mod == mod)
		return MG_TASK_OWN_KTHREAD;
	/* unread: may be inside any module, a worker too (when in doubt) */
	if (mg_task_unread(t))
		return MG_TASK_UNTRUSTED;
	if (!mod || t->mod != mod)
		return MG_TASK_ELSEWHERE;
	if (worker)
		return MG_TASK_WORKER;
	if (t->flags & MG_TASKF_RUNNING)
		return MG_TASK_UNTRUSTED;
	return MG_TASK_FOREIGN;
}

int mg_task_is_foreign(const struct mg_task_record *t, uint64_t mod)
{
	enum mg_task_class c = mg_task_classify(t, mod);

	return c == MG_TASK_UNTRUSTED || c == MG_TASK_FOREIGN;
}
