// SPDX-License-Identifier: GPL-2.0
/*
 * Write-ahead intents of guarded unloads (user/daemon/intents.c): written
 * before delete_module() when something is armed, and settled at the next
 * start: a crash record when the kernel went down (another boot), gone
 * when only modguardd restarted (the same boot).
 */
#include <errno.h>

#include "evidence.h"
#include "fixtures/fixtures.h"
#include "intents.h"
#include "kernel_view.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

/* the evidence about mg_buggy with its own timer armed */
static void armed_buggy(struct mg_evidence *ev)
{
	struct mg_kmod k;

	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_buggy", &k), 0);
	CHECK_INT(mg_evidence_of_kmod(&fx.d, &k, ev), 0);
}

/* mg_buggy, its timer armed, and the intent of its unload by 4242 */
static void intent_of_armed_buggy(struct mg_evidence *ev, char *id, size_t len)
{
	fx_init(&fx);
	armed_buggy(ev);
	CHECK_INT(mg_intent_write(&fx.d, "mg_buggy", "SRC1", 4242,
				  "modguard-rmmod", ev, id, len), 0);
}

static void intent_names_what_is_armed(void)
{
	struct mg_unload_record *recs;
	struct mg_evidence ev;
	char id[96] = "x", want[400];
	size_t n;

	intent_of_armed_buggy(&ev, id, sizeof(id));
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n != 1)
		return;
	CHECK_STR(id, recs[0].id);
	CHECK_STR(recs[0].outcome, "unloading");
	CHECK_STR(recs[0].module, "mg_buggy");
	CHECK_STR(recs[0].build, "SRC1");
	CHECK_INT(recs[0].requester_pid, 4242);
	CHECK_STR(recs[0].requester_comm, "modguard-rmmod");
	CHECK_STR(recs[0].boot, "boot-A");
	CHECK_INT(recs[0].nrefs, 1);
	CHECK_STR(recs[0].refs[0].function, "mg_buggy_timer_fn+0x0");
	/* on the console: it must be there if a crash follows */
	snprintf(want, sizeof(want),
		 "<4>modguard: unloading mg_buggy: its exit must cancel timer "
		 "mg_buggy_timer_fn+0x0 (record %s)\n", id);
	CHECK_STR(fx_kmsg(&fx), want);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void nothing_armed_no_intent(void)
{
	struct mg_unload_record *recs;
	struct mg_evidence ev;
	struct mg_kmod k;
	char id[96] = "x";

	fx_init(&fx);
	CHECK_INT(mg_intent_write(&fx.d, "mg_buggy", "SRC1", 1, "rmmod", NULL,
				  id, sizeof(id)), 0);
	CHECK_STR(id, "");
	/* notes alone are nothing to suspect */
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	CHECK_INT(mg_kmod_read(fx.proc_modules, fx.sys_module, "mg_buggy", &k), 0);
	CHECK_INT(mg_evidence_of_kmod(&fx.d, &k, &ev), 0);
	CHECK(ev.nitems > 0);
	strcpy(id, "x");
	CHECK_INT(mg_intent_write(&fx.d, "mg_buggy", "SRC1", 1, "rmmod", &ev,
				  id, sizeof(id)), 0);
	CHECK_STR(id, "");
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK_STR(fx_kmsg(&fx), "");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

/*
 * An intent that cannot be written: its error, so that the unload does not
 * go ahead (guarded_unload.c refuses it); no id, nothing on the console
 * that names a record which does not exist.
 */
static void intent_that_cannot_be_written(void)
{
	struct mg_evidence ev;
	char id[96] = "x";

	fx_init(&fx);
	armed_buggy(&ev);
	/* a file where the records folder should be */
	fx_write(&fx, "state/records", "not a folder\n");
	CHECK_INT(mg_intent_write(&fx.d, "mg_buggy", "SRC1", 4242,
				  "modguard-rmmod", &ev, id, sizeof(id)),
		  -ENOTDIR);
	CHECK_STR(id, "");
	CHECK_STR(fx_kmsg(&fx), "");
	CHECK_CONTAINS(fx_log(&fx), "cannot write the unloading record");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

/* an intent of another boot is a crash: the build is quarantined */
static void crash_in_an_earlier_boot(void)
{
	struct mg_unload_record *recs, other = { 0 };
	struct mg_evidence ev;
	char id[96];
	size_t n;

	intent_of_armed_buggy(&ev, id, sizeof(id));
	/* a refusal of the same boot is no intent: left alone */
	snprintf(other.outcome, sizeof(other.outcome), "refused");
	snprintf(other.module, sizeof(other.module), "mg_other");
	CHECK_INT(mg_record_write(fx.state, &other), 0);
	/* the next boot */
	snprintf(fx.d.boot_id, sizeof(fx.d.boot_id), "boot-B");
	fx_write(&fx, "dev/kmsg", "");
	mg_intents_recover(&fx.d);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 2);
	if (n != 2)
		return;
	CHECK_STR(recs[0].outcome, "refused");
	CHECK_STR(recs[1].outcome, "stale");
	CHECK(strcmp(recs[1].id, id) != 0); /* a new record; the intent is gone */
	CHECK_STR(recs[1].module, "mg_buggy");
	CHECK_STR(recs[1].build, "SRC1");
	CHECK_STR(recs[1].boot, "boot-B");
	CHECK_INT(recs[1].requester_pid, 4242);
	CHECK_STR(recs[1].reason, "the kernel went down during or after this "
				  "unload; these were armed when its exit began");
	CHECK_INT(recs[1].nrefs, 1);
	CHECK(mg_records_quarantine(recs, n, "mg_buggy", "SRC1") == &recs[1]);
	CHECK_CONTAINS(fx_kmsg(&fx), "<4>modguard: module mg_buggy (build SRC1) "
				     "stale: the kernel went down");
	CHECK_CONTAINS(fx_log(&fx), "did not finish before the kernel went down");
	/* settled once: a second start finds nothing to do */
	mg_intents_recover(&fx.d);
	CHECK_INT(fx_records(&fx, &recs), 2);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

/* an intent of this boot: only modguardd restarted, nothing is known */
static void restart_in_the_same_boot(void)
{
	struct mg_unload_record *recs, noboot = { 0 };
	struct mg_evidence ev;
	char id[96];

	intent_of_armed_buggy(&ev, id, sizeof(id));
	/* one without a boot id (written before boot ids were kept) */
	snprintf(noboot.outcome, sizeof(noboot.outcome), "unloading");
	snprintf(noboot.module, sizeof(noboot.module), "mg_old");
	CHECK_INT(mg_record_write(fx.state, &noboot), 0);
	CHECK_INT(fx_records(&fx, &recs), 2);
	fx_write(&fx, "dev/kmsg", "");
	mg_intents_recover(&fx.d);
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK_STR(fx_kmsg(&fx), "");
	CHECK_CONTAINS(fx_log(&fx), "modguardd stopped during the unload of "
				    "mg_buggy");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

int main(void)
{
	RUN(intent_names_what_is_armed);
	RUN(nothing_armed_no_intent);
	RUN(intent_that_cannot_be_written);
	RUN(crash_in_an_earlier_boot);
	RUN(restart_in_the_same_boot);
	return check_done();
}
