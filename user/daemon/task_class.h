/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one classifier of a task the scan found: is it inside a module, and
 * if so, is it the module's own (its exit accounts for it) or a foreign
 * caller (its exit cannot undo it)?  The report, the enforcement's
 * per-module counts and the task watch all ask here.
 */
#ifndef MG_TASK_CLASS_H
#define MG_TASK_CLASS_H

#include <stdint.h>

#include "modguard_abi.h"

enum mg_task_class {
	MG_TASK_ELSEWHERE,   /* not inside the module */
	MG_TASK_OWN_KTHREAD, /* a kthread whose thread function is the module's */
	MG_TASK_WORKER,	     /* a kworker or kthread worker running its work */
	MG_TASK_UNTRUSTED,   /* its stack could not be trusted: maybe inside */
	MG_TASK_FOREIGN,     /* a caller inside the module's text */
};

/*
 * The address of kthread_worker_fn(), the thread function of every kthread
 * worker (kthread_create_worker()); 0, unknown: they are not told apart.
 */
void mg_task_class_set_kthread_worker_fn(uint64_t addr);
/* t is a kthread worker's thread (it runs kthread_work items) */
int mg_task_is_kthread_worker(const struct mg_task_record *t);
/* a task whose stack nothing could read: it may be inside any module */
int mg_task_unread(const struct mg_task_record *t);
/* t with respect to the module at struct module address mod */
enum mg_task_class mg_task_classify(const struct mg_task_record *t,
				    uint64_t mod);
/* untrusted or foreign: what keeps mod busy */
int mg_task_is_foreign(const struct mg_task_record *t, uint64_t mod);

#endif /* MG_TASK_CLASS_H */
