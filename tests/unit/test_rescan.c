// SPDX-License-Identifier: GPL-2.0
/*
 * The latest task scan (user/daemon/rescan.c): who is inside which module,
 * published per module to the enforcement and watched.
 */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static int watched(uint32_t pid)
{
	for (size_t i = 0; i < mg_stub.nwatched; i++)
		if (mg_stub.watched[i] == pid)
			return 1;
	return 0;
}

static void busy_counts_and_watch(void)
{
	struct mg_task_record *t;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	fx_load(&fx, "mg_gone", 0xffffffffc0910000ull, 0xffffffffc0900000ull,
		0x1000, 0);
	fx_module_free(&fx, 0xffffffffc0910000ull, 1, "rmmod");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	mg_stub_task(403, "dd", FX_MOD, FX_FN_READ + 0x20)->flags =
		MG_TASKF_RUNNING;
	t = mg_stub_task(400, "mg_buggy_kt", FX_MOD, FX_FN_THREAD + 0x30);
	t->flags = MG_TASKF_KTHREAD | MG_TASKF_OWN_FN;
	t->threadfn_mod = FX_MOD;
	mg_stub_task(401, "kworker/0:1", FX_MOD, FX_FN_WORK)->flags =
		MG_TASKF_KTHREAD;
	/* unread: may be inside either */
	mg_stub_task(404, "perf", 0, 0)->flags =
		MG_TASKF_RUNNING | MG_TASKF_RETHOOK | MG_TASKF_UNREAD;
	mg_stub_task(405, "other", FX_MOD2, FX_FN2);
	fx.d.rescan_needed = 1;
	mg_daemon_rescan(&fx.d);
	CHECK_INT(fx.d.scan_err, 0);
	CHECK_INT(fx.d.ntasks, 6);
	CHECK_INT(fx.d.rescan_needed, 0);
	/* cat, dd and perf; not its kthread, not its worker */
	CHECK_INT(mg_stub_busy_of(FX_MOD), 3);
	CHECK_INT(mg_stub_busy_of(FX_MOD2), 2);
	/* a gone module is not published */
	CHECK_INT(mg_stub_busy_of(0xffffffffc0910000ull), -1);
	CHECK_INT(mg_stub.nwatched, 4);
	CHECK(watched(402) && watched(403) && watched(404) && watched(405));
	CHECK(!watched(400) && !watched(401));

	/* they left: zero published, nothing watched */
	mg_stub.ntasks = 0;
	mg_daemon_rescan(&fx.d);
	CHECK_INT(mg_stub_busy_of(FX_MOD), 0);
	CHECK_INT(mg_stub_busy_of(FX_MOD2), 0);
	CHECK_INT(mg_stub.nwatched, 0);
	CHECK(fx.d.tasks == NULL);
	fx_fini(&fx);
}

static void failed_scan_publishes_nothing(void)
{
	int calls;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	mg_daemon_rescan(&fx.d);
	CHECK_INT(mg_stub_busy_of(FX_MOD), 1);
	calls = mg_stub.watch_calls;
	mg_stub.scan_err = -ENOMEM;
	mg_daemon_rescan(&fx.d);
	CHECK_INT(fx.d.scan_err, -ENOMEM);
	CHECK_INT(fx.d.ntasks, 0);
	CHECK(fx.d.tasks == NULL);
	/* the last count stands; the watch is left as it was */
	CHECK_INT(mg_stub_busy_of(FX_MOD), 1);
	CHECK_INT(mg_stub.watch_calls, calls);
	/* and the next good scan clears the error */
	mg_stub.scan_err = 0;
	mg_daemon_rescan(&fx.d);
	CHECK_INT(fx.d.scan_err, 0);
	fx_fini(&fx);
}

static void waiting_unload_keeps_the_watch(void)
{
	fx_init(&fx);
	/* nothing to watch, nobody waits: detached */
	mg_daemon_update_watch(&fx.d);
	CHECK_INT(mg_stub.watch_calls, 1);
	CHECK_INT(mg_stub.nwatched, 0);
	/* a waiting unload also wants init completions: pid 0 */
	fx.d.unload_watch = 1;
	mg_daemon_update_watch(&fx.d);
	CHECK_INT(mg_stub.nwatched, 1);
	CHECK_INT(mg_stub.watched[0], 0);
	fx.d.unload_watch = 0;
	fx_fini(&fx);
}

/* rescan.c watches at most 256 tasks; all of them still count */
static void watch_is_bounded(void)
{
	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	for (uint32_t i = 0; i < 300; i++)
		mg_stub_task(1000 + i, "cat", FX_MOD, FX_FN_READ);
	mg_daemon_rescan(&fx.d);
	CHECK_INT(mg_stub_busy_of(FX_MOD), 300);
	CHECK_INT(mg_stub.nwatched, 256);
	CHECK_INT(mg_stub.watched[255], 1255);
	fx_fini(&fx);
}

int main(void)
{
	RUN(busy_counts_and_watch);
	RUN(failed_scan_publishes_nothing);
	RUN(waiting_unload_keeps_the_watch);
	RUN(watch_is_bounded);
	return check_done();
}
