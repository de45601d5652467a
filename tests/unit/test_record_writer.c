// SPDX-License-Identifier: GPL-2.0
/*
 * Evidence into durable records and the kernel log
 * (user/daemon/record_writer.c).
 */
#include <errno.h>

#include "evidence.h"
#include "fixtures/fixtures.h"
#include "kernel_view.h"
#include "record_writer.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static void evidence_of(const char *name, struct mg_evidence *ev)
{
	struct mg_kmod k;

	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, name, &k), 0);
	CHECK_INT(mg_evidence_of_kmod(&fx.d, &k, ev), 0);
}

/* refs named with addresses (records are for root), notes left out */
static void refs_as_summaries(void)
{
	struct mg_unload_record rec = { 0 };
	struct mg_evidence ev;

	fx_init(&fx);
	fx_everything(&fx);
	mg_stub.scan_err = -EIO; /* a note among the refs */
	mg_daemon_rescan(&fx.d);
	evidence_of("mg_buggy", &ev);
	CHECK_INT(mg_record_fill_refs(&fx.d, &ev, &rec), 0);
	CHECK_INT(rec.nrefs, mg_evidence_nrefs(&ev));
	/* the scan failed: callers 402 and 406, the rest counted */
	CHECK_INT(rec.nrefs, 13);
	if (rec.nrefs != 13)
		return;
	CHECK_STR(rec.refs[0].kind, "holder");
	CHECK_STR(rec.refs[0].function, "0xffff888000001000");
	CHECK_STR(rec.refs[0].site, "0xffff888000001000");
	CHECK_INT(rec.refs[0].pid, 202);
	CHECK_STR(rec.refs[0].comm, "mystery");
	CHECK_STR(rec.refs[2].kind, "file");
	CHECK_STR(rec.refs[2].site, "");
	CHECK_STR(rec.refs[2].note, "open on a device registered without "
				    ".owner: its next call enters the module");
	CHECK_STR(rec.refs[3].function, "mg_buggy_timer_fn+0x0");
	CHECK_STR(rec.refs[3].site, "init_module+0x3c");
	CHECK_STR(rec.refs[3].note, "");
	/* what the exit should have called, next to where it was armed */
	CHECK_STR(rec.refs[3].hint,
		  "del_timer_sync() (timer_shutdown_sync() since 6.2)");
	CHECK_STR(rec.refs[0].hint, "");
	CHECK_STR(rec.refs[9].function, "owner-less file operations");
	CHECK_INT(rec.refs[9].pid, 406);
	/* no pid: 0 */
	CHECK_STR(rec.refs[10].function, "owner-less file operations");
	CHECK_INT(rec.refs[10].pid, 0);
	CHECK_STR(rec.refs[12].function, "dependent modules");
	free(rec.refs);
	mg_evidence_free(&ev);

	/* no refs: no array */
	fx_set_modules(&fx, "mg_other 8192 0 - Live 0xffffffffc0100000\n");
	mg_stub.scan_err = 0;
	mg_stub.ntasks = 0;
	mg_daemon_rescan(&fx.d);
	evidence_of("mg_other", &ev);
	rec.refs = (void *)&rec;
	CHECK_INT(mg_record_fill_refs(&fx.d, &ev, &rec), 0);
	CHECK(rec.refs == NULL);
	CHECK_INT(rec.nrefs, 0);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void commit_writes_then_logs(void)
{
	struct mg_unload_record *recs;
	struct mg_evidence ev;
	struct mg_record_request r = {
		.outcome = "refused",
		.module = "mg_buggy",
		.build = "SRC1",
		.requester_pid = 77,
		.requester_comm = "rmmod",
		.reason = "busy",
	};
	char id[96] = "", want[512];
	size_t n;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	evidence_of("mg_buggy", &ev);
	r.evidence = &ev;
	CHECK_INT(mg_record_commit(&fx.d, &r, id, sizeof(id)), 0);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n != 1)
		return;
	CHECK_STR(id, recs[0].id);
	CHECK_CONTAINS(id, "Z-mg_buggy");
	CHECK_STR(recs[0].outcome, "refused");
	CHECK_STR(recs[0].build, "SRC1");
	CHECK_INT(recs[0].requester_pid, 77);
	CHECK_STR(recs[0].requester_comm, "rmmod");
	CHECK_STR(recs[0].reason, "busy");
	CHECK_STR(recs[0].boot, "boot-A");
	CHECK_INT(recs[0].nrefs, 1);
	snprintf(want, sizeof(want),
		 "<4>modguard: module mg_buggy (build SRC1) refused: busy; 1 "
		 "reference: timer mg_buggy_timer_fn+0x0 (record %s)\n", id);
	CHECK_STR(fx_kmsg(&fx), want);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void intent_is_not_logged(void)
{
	struct mg_record_request r = {
		.outcome = "unloading",
		.module = "mg_buggy",
		.reason = "unload began",
	};
	struct mg_unload_record *recs;
	size_t n;

	fx_init(&fx);
	/* no build, no comm, no evidence, no id wanted */
	CHECK_INT(mg_record_commit(&fx.d, &r, NULL, 0), 0);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "unloading");
		CHECK_STR(recs[0].build, "");
		CHECK_STR(recs[0].requester_comm, "");
		CHECK_INT(recs[0].nrefs, 0);
	}
	CHECK_STR(fx_kmsg(&fx), "");
	fx_fini(&fx);
}

static void write_failure_is_returned(void)
{
	struct mg_record_request r = {
		.outcome = "stale",
		.module = "mg_buggy",
		.reason = "left a timer",
	};
	char state[FX_PATH_MAX], id[96] = "unset";

	fx_init(&fx);
	/* the state dir is a file */
	fx_write(&fx, "state-file", "x");
	fx.d.state_dir = fx_path(&fx, "state-file", state, sizeof(state));
	CHECK(mg_record_commit(&fx.d, &r, id, sizeof(id)) < 0);
	CHECK_STR(id, "unset");
	CHECK_CONTAINS(fx_log(&fx), "records: cannot write the stale record of "
				    "mg_buggy");
	/* an invalid module name is refused by the store */
	fx.d.state_dir = fx.state;
	r.module = "bad/name";
	CHECK_INT(mg_record_commit(&fx.d, &r, id, sizeof(id)), -EINVAL);
	/* a kernel log that cannot be written does not fail the record */
	r.module = "mg_buggy";
	fx.d.kmsg_path = "/nonexistent/kmsg";
	CHECK_INT(mg_record_commit(&fx.d, &r, id, sizeof(id)), 0);
	CHECK_CONTAINS(fx_log(&fx), "records: cannot write to /nonexistent/kmsg");
	fx_fini(&fx);
}

int main(void)
{
	RUN(refs_as_summaries);
	RUN(commit_writes_then_logs);
	RUN(intent_is_not_logged);
	RUN(write_failure_is_returned);
	return check_done();
}
