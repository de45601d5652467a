// SPDX-License-Identifier: GPL-2.0
/*
 * The aftermath of any unload (user/daemon/aftermath.c): module_free of a
 * module, guarded or a plain rmmod; a clean exit is forgotten, a stale
 * one recorded, logged and kept, at most MG_MAX_GONE of them.
 */
#include "aftermath.h"
#include "fixtures/fixtures.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static void clean_exit_is_forgotten(void)
{
	struct mg_unload_record *recs;
	int scans;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	/* its exit cancelled the timer; a plain rmmod freed it */
	mg_stub_disarm(FX_OBJ_TIMER);
	scans = mg_stub.scan_calls;
	fx_module_free(&fx, FX_MOD, 1234, "rmmod");
	/* the tasks inside were looked at again */
	CHECK_INT(mg_stub.scan_calls, scans + 1);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) == NULL);
	CHECK(mg_stub_forgot(FX_MOD));
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK_STR(fx_kmsg(&fx), "");
	/* its entry probes went with its text */
	CHECK_INT(mg_stub.nunwatched, 1);
	CHECK_U64(mg_stub.unwatched[0], FX_MOD);
	fx_fini(&fx);
}

static void stale_exit_is_recorded_and_kept(void)
{
	struct mg_unload_record *recs;
	struct mg_module *m;
	char want[512];
	size_t n;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	mg_stub_mark_left(FX_MOD);
	fx_module_free(&fx, FX_MOD, 1234, "rmmod");
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_INT(m->state, MG_MOD_GONE);
	CHECK(!mg_stub_forgot(FX_MOD));
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n != 1)
		return;
	/* the record: who freed it, the build, what is left */
	CHECK_STR(recs[0].outcome, "stale");
	CHECK_STR(recs[0].module, "mg_buggy");
	CHECK_STR(recs[0].build, "SRC1");
	CHECK_INT(recs[0].requester_pid, 1234);
	CHECK_STR(recs[0].requester_comm, "rmmod");
	CHECK_STR(recs[0].reason, "unloaded with 1 stale reference: the kernel "
				  "may crash when they fire");
	CHECK_INT(recs[0].nrefs, 1);
	CHECK_STR(recs[0].refs[0].kind, "timer");
	CHECK_STR(recs[0].refs[0].function, "mg_buggy_timer_fn+0x0");
	CHECK_STR(recs[0].refs[0].site, "init_module+0x3c");
	/* its id stays with the module, for the reports */
	CHECK_STR(m->record, recs[0].id);
	snprintf(want, sizeof(want),
		 "<4>modguard: module mg_buggy (build SRC1) stale: unloaded with "
		 "1 stale reference: the kernel may crash when they fire; 1 "
		 "reference: timer mg_buggy_timer_fn+0x0 (record %s)\n",
		 recs[0].id);
	CHECK_STR(fx_kmsg(&fx), want);
	fx_fini(&fx);
}

/* a caller still inside freed text is left behind too */
static void task_inside_is_left_behind(void)
{
	struct mg_unload_record *recs;
	size_t n;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	fx_module_free(&fx, FX_MOD, 1234, "rmmod");
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(recs[0].nrefs, 1);
		CHECK_STR(recs[0].refs[0].kind, "task");
		CHECK_INT(recs[0].refs[0].pid, 402);
	}
	CHECK(mg_table_find(&fx.d.table, FX_MOD) != NULL);
	fx_fini(&fx);
}

static void at_most_max_gone_are_kept(void)
{
	size_t gone = 0;

	fx_init(&fx);
	for (unsigned int i = 0; i <= MG_MAX_GONE; i++) {
		uint64_t mod = 0xffffffffd0000000ull + i * 0x10000ull;
		char name[32];
		struct mg_event e;

		snprintf(name, sizeof(name), "mg_m%u", i);
		fx_load(&fx, name, mod, mod - 0x8000, 0x1000, 0);
		mg_stub_arm(0x1000 + i, mod, MG_KIND_TIMER, mod - 0x8000);
		mg_stub_mark_left(mod);
		/* freed in a shuffled order: mg_m1 is the oldest to go */
		e = fx_ev(MG_EV_MODULE_FREE, mod, name,
			  10 + (i == 1 ? 0 : i == 0 ? 2 : i + 1));
		fx_event(&fx, &e);
	}
	for (size_t i = 0; i < fx.d.table.n; i++)
		gone += fx.d.table.mods[i]->state == MG_MOD_GONE;
	CHECK_INT(gone, MG_MAX_GONE);
	CHECK_INT(fx.d.table.n, MG_MAX_GONE);
	CHECK(mg_table_find_name(&fx.d.table, "mg_m1") == NULL);
	CHECK(mg_table_find_name(&fx.d.table, "mg_m0") != NULL);
	CHECK(mg_table_find_name(&fx.d.table, "mg_m2") != NULL);
	CHECK(mg_stub_forgot(0xffffffffd0010000ull));
	CHECK_INT(mg_stub.nforgotten, 1);
	/* its record stays: the build is still quarantined */
	{
		struct mg_unload_record *recs;

		CHECK_INT(fx_records(&fx, &recs), MG_MAX_GONE + 1);
	}
	fx_fini(&fx);
}

static void retire_forgets_ledger_and_table(void)
{
	struct mg_module *m;

	fx_init(&fx);
	m = fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	mg_stub_arm(0x2, FX_MOD2, MG_KIND_TIMER, FX_FN2);
	mg_aftermath_retire(&fx.d, m);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) == NULL);
	CHECK(mg_stub_forgot(FX_MOD));
	/* another module's entries stay */
	CHECK_INT(mg_stub.narmed, 1);
	CHECK_U64(mg_stub.armed[0].mod, FX_MOD2);
	fx_fini(&fx);
}

int main(void)
{
	RUN(clean_exit_is_forgotten);
	RUN(stale_exit_is_recorded_and_kept);
	RUN(task_inside_is_left_behind);
	RUN(at_most_max_gone_are_kept);
	RUN(retire_forgets_ledger_and_table);
	return check_done();
}
