// SPDX-License-Identifier: GPL-2.0
/*
 * The enforcement refused a plain delete_module() (MG_EV_REFUSED): the
 * refusal is recorded with the evidence as it is now
 * (user/daemon/enforcement_refusals.c).
 */
#include "enforcement_refusals.h"
#include "fixtures/fixtures.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static struct mg_event refused(uint64_t mod, const char *name, uint64_t callers,
			       uint64_t files, uint64_t tasks)
{
	struct mg_event e = fx_ev(MG_EV_REFUSED, mod, name, 20);

	e.refused.callers = callers;
	e.refused.open_files = files;
	e.refused.stack_tasks = tasks;
	e.pid = e.tgid = 999;
	snprintf(e.comm, sizeof(e.comm), "rmmod");
	return e;
}

static void refusal_is_recorded_with_evidence(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	size_t n;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	e = refused(FX_MOD, "mg_buggy", 2, 0, 1);
	fx_event(&fx, &e);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n != 1)
		return;
	CHECK_STR(recs[0].outcome, "refused");
	CHECK_STR(recs[0].module, "mg_buggy");
	CHECK_STR(recs[0].build, "SRC1");
	CHECK_INT(recs[0].requester_pid, 999);
	CHECK_STR(recs[0].requester_comm, "rmmod");
	CHECK_STR(recs[0].reason,
		  "delete_module() refused by modguard: 2 callers inside its "
		  "owner-less file operations, 1 task seen inside its text, 0 "
		  "files open on its owner-less devices");
	/* the scan ran again: the task it found now is the evidence */
	CHECK_INT(recs[0].nrefs, 1);
	CHECK_STR(recs[0].refs[0].kind, "task");
	CHECK_INT(recs[0].refs[0].pid, 402);
	CHECK_CONTAINS(fx_kmsg(&fx), "module mg_buggy (build SRC1) refused: "
				     "delete_module() refused by modguard: 2 "
				     "callers");
	CHECK_CONTAINS(fx_log(&fx), "refused rmmod[999]'s delete_module(mg_buggy)");
	fx_fini(&fx);
}

/* a module gone by now, and one the table never knew: still recorded */
static void unknown_or_gone_module(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	size_t n;

	fx_init(&fx);
	e = refused(FX_MOD, "mg_buggy", 1, 1, 0);
	mg_enforcement_refused(&fx.d, NULL, &e);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].build, "");
		CHECK_INT(recs[0].nrefs, 0);
		CHECK_STR(recs[0].reason,
			  "delete_module() refused by modguard: 1 caller inside "
			  "its owner-less file operations, 0 tasks seen inside "
			  "its text, 1 file open on its owner-less devices");
	}
	fx_fini(&fx);
}

int main(void)
{
	RUN(refusal_is_recorded_with_evidence);
	RUN(unknown_or_gone_module);
	return check_done();
}
