// SPDX-License-Identifier: GPL-2.0
/* the verdict rules of user/daemon/verdict.c, one case per rule */
#include "../../user/daemon/verdict.h"
#include "check.h"

static struct mg_verdict_input live(void)
{
	struct mg_verdict_input in = { .live = 1 };

	return in;
}

static void nothing_inside_is_clean(void)
{
	struct mg_verdict_input in = live();

	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_CLEAN);
}

static void own_callbacks_do_not_make_busy(void)
{
	struct mg_verdict_input in = live();

	in.own_pointers = 4; /* timer, hrtimer, dwork, kthread */
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_CLEAN);
}

static void reference_is_busy(void)
{
	struct mg_verdict_input in = live();

	in.refcnt = 1;
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
	in.refcnt = -1; /* unknown: when in doubt, refuse */
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
}

static void task_inside_is_busy(void)
{
	struct mg_verdict_input in = live();

	in.foreign_tasks = 1;
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
	in = live();
	in.unknown_tasks = 1; /* running: cannot be unwound, retry */
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
}

static void open_file_on_ownerless_device_is_busy(void)
{
	struct mg_verdict_input in = live();

	in.open_files = 1;
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
}

static void not_live_is_busy(void)
{
	struct mg_verdict_input in = { 0 };

	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_BUSY);
}

static void gone_with_anything_left_is_stale(void)
{
	struct mg_verdict_input in = { .gone = 1 };

	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_CLEAN);
	in.own_pointers = 1;
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_STALE);
	in = (struct mg_verdict_input){ .gone = 1, .foreign_tasks = 1 };
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_STALE);
	in = (struct mg_verdict_input){ .gone = 1, .open_files = 1 };
	CHECK_INT(mg_verdict_decide(&in), MG_VERDICT_STALE);
}

static void names(void)
{
	CHECK(!strcmp(mg_verdict_name(MG_VERDICT_CLEAN), "clean"));
	CHECK(!strcmp(mg_verdict_name(MG_VERDICT_BUSY), "busy"));
	CHECK(!strcmp(mg_verdict_name(MG_VERDICT_STALE), "stale"));
	/* an out-of-range value reads as the safe answer */
	CHECK(!strcmp(mg_verdict_name((enum mg_verdict)42), "busy"));
}

int main(void)
{
	RUN(nothing_inside_is_clean);
	RUN(own_callbacks_do_not_make_busy);
	RUN(reference_is_busy);
	RUN(task_inside_is_busy);
	RUN(open_file_on_ownerless_device_is_busy);
	RUN(not_live_is_busy);
	RUN(gone_with_anything_left_is_stale);
	RUN(names);
	return check_done();
}
