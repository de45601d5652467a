// SPDX-License-Identifier: GPL-2.0
/* the one classifier of scanned tasks (user/daemon/task_class.c) */
#include "task_class.h"
#include "check.h"

#define MOD 0xffffffffc0010000ull
#define OTHER 0xffffffffc0110000ull

static struct mg_task_record task(const char *comm, uint64_t mod,
				  uint32_t flags)
{
	struct mg_task_record t;

	memset(&t, 0, sizeof(t));
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	t.pid = t.tgid = 77;
	t.mod = mod;
	t.frame = mod ? 0xffffffffc0000010ull : 0;
	t.flags = flags;
	return t;
}

static void caller_inside_is_foreign(void)
{
	struct mg_task_record t = task("cat", MOD, 0);

	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
	CHECK(mg_task_is_foreign(&t, MOD));
	/* for another module it is elsewhere */
	CHECK_INT(mg_task_classify(&t, OTHER), MG_TASK_ELSEWHERE);
	CHECK(!mg_task_is_foreign(&t, OTHER));
	/* no module: never inside */
	CHECK_INT(mg_task_classify(&t, 0), MG_TASK_ELSEWHERE);
}

static void own_kthread_by_its_thread_function(void)
{
	struct mg_task_record t = task("mg_buggy_kt", 0, MG_TASKF_KTHREAD |
							     MG_TASKF_OWN_FN);

	t.threadfn = 0xffffffffc0000500ull;
	t.threadfn_mod = MOD;
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_OWN_KTHREAD);
	CHECK(!mg_task_is_foreign(&t, MOD));
	/* whatever its stack shows, even when running */
	t.mod = MOD;
	t.flags |= MG_TASKF_RUNNING;
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_OWN_KTHREAD);
	/* another module's kthread inside mod is a foreign caller */
	t.threadfn_mod = OTHER;
	t.flags &= ~MG_TASKF_RUNNING;
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
}

static void kworker_running_module_work_is_a_worker(void)
{
	struct mg_task_record t = task("kworker/0:1", MOD, MG_TASKF_KTHREAD);

	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_WORKER);
	CHECK(!mg_task_is_foreign(&t, MOD));
	/* a user task named kworker/ is no worker */
	t = task("kworker/0:1", MOD, 0);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
	/* nor is a kthread of another name */
	t = task("kswapd0", MOD, MG_TASKF_KTHREAD);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
}

/* a kthread worker (kthread_create_worker()) is told by its thread function */
static void kthread_worker_running_module_work_is_a_worker(void)
{
	const uint64_t worker_fn = 0xffffffff81300400ull;
	struct mg_task_record t = task("mg_kworker", MOD, MG_TASKF_KTHREAD);

	t.threadfn = worker_fn;
	/* unknown kthread_worker_fn: a foreign caller, when in doubt */
	mg_task_class_set_kthread_worker_fn(0);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
	CHECK(!mg_task_is_kthread_worker(&t));
	mg_task_class_set_kthread_worker_fn(worker_fn);
	CHECK(mg_task_is_kthread_worker(&t));
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_WORKER);
	CHECK(!mg_task_is_foreign(&t, MOD));
	/* a user task is no worker, whatever it says */
	t.flags = 0;
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
	/* another thread function: a foreign caller */
	t = task("mg_kworker", MOD, MG_TASKF_KTHREAD);
	t.threadfn = worker_fn + 0x40;
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_FOREIGN);
	mg_task_class_set_kthread_worker_fn(0);
}

static void running_task_is_untrusted(void)
{
	struct mg_task_record t = task("cat", MOD, MG_TASKF_RUNNING);

	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_UNTRUSTED);
	CHECK(mg_task_is_foreign(&t, MOD));
	/* a running task whose stale stack shows no module: elsewhere */
	t = task("cat", 0, MG_TASKF_RUNNING);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_ELSEWHERE);
	CHECK(!mg_task_unread(&t));
}

static void unread_stack_is_untrusted_for_every_module(void)
{
	struct mg_task_record t = task("perf", 0, MG_TASKF_RUNNING |
						      MG_TASKF_RETHOOK |
						      MG_TASKF_UNREAD);

	CHECK(mg_task_unread(&t));
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_UNTRUSTED);
	CHECK_INT(mg_task_classify(&t, OTHER), MG_TASK_UNTRUSTED);
	CHECK(mg_task_is_foreign(&t, OTHER));
	/* a worker too, when in doubt */
	t = task("kworker/1:0", 0, MG_TASKF_KTHREAD | MG_TASKF_UNREAD);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_UNTRUSTED);
	/* a raw scan that found a module: read, and inside that one only */
	t = task("perf", MOD, MG_TASKF_RUNNING | MG_TASKF_RETHOOK |
				      MG_TASKF_UNREAD);
	CHECK(!mg_task_unread(&t));
	CHECK_INT(mg_task_classify(&t, OTHER), MG_TASK_ELSEWHERE);
	CHECK_INT(mg_task_classify(&t, MOD), MG_TASK_UNTRUSTED);
}

int main(void)
{
	RUN(caller_inside_is_foreign);
	RUN(own_kthread_by_its_thread_function);
	RUN(kworker_running_module_work_is_a_worker);
	RUN(kthread_worker_running_module_work_is_a_worker);
	RUN(running_task_is_untrusted);
	RUN(unread_stack_is_untrusted_for_every_module);
	return check_done();
}
