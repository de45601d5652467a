// SPDX-License-Identifier: GPL-2.0
/*
 * The guarded-unload state machine (user/daemon/guarded_unload.c) on the
 * stubbed BPF layer, a socketpair as the client and a fake
 * delete_module(): wait, wake, deadline, refuse, unload, aftermath,
 * dry-run, force, quarantine, bad arguments.
 *
 * The event loop is played by hand: a request is handed over with
 * mg_unload_request(); events reach the daemon through mg_bpf_consume()
 * (queued in the stub); when the worker thread has called the fake
 * delete_module() and written the eventfd, the ring buffer is drained
 * first and then mg_unload_on_done() runs, as modguardd's loop does.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "guarded_unload.h"
#include "outcome.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"
#include "fsutil.h"

static struct fx fx;

/* delete_module(2) as the worker thread calls it */
static struct {
	int results[8]; /* returned by call i; 0 after the last */
	int nresults;
	int calls;
	char name[64];
	unsigned int flags;
} fake;

static int fake_delete_module(const char *name, unsigned int flags)
{
	int i = fake.calls++;

	snprintf(fake.name, sizeof(fake.name), "%s", name);
	fake.flags = flags;
	return i < fake.nresults ? fake.results[i] : 0;
}

static void setup(void)
{
	fx_init(&fx);
	fx.d.delete_module = fake_delete_module;
	CHECK_INT(mg_unload_init(&fx.d), 0);
	/* a substitute is kept */
	CHECK(fx.d.delete_module == fake_delete_module);
}

static void teardown(void)
{
	mg_unload_fini(&fx.d);
	fx_fini(&fx);
}

/* "unload" with nargs of a0..a2 from a client; returns its end */
static int request_n(int nargs, const char *a0, const char *a1, const char *a2)
{
	char b0[128], b1[64], b2[64];
	char *args[3] = { b0, b1, b2 };
	int sv[2];

	snprintf(b0, sizeof(b0), "%s", a0 ? a0 : "");
	snprintf(b1, sizeof(b1), "%s", a1 ? a1 : "");
	snprintf(b2, sizeof(b2), "%s", a2 ? a2 : "");
	fx_socketpair(sv);
	mg_unload_request(&fx.d, sv[1], args, nargs, getpid());
	return sv[0];
}

static int request(const char *module, const char *timeout_ms,
		   const char *mode)
{
	return request_n(3, module, timeout_ms, mode);
}

/* mg_buggy, busy: one reference, held by cat[200] */
static void busy_buggy(void)
{
	fx_load_buggy(&fx, 1, "-");
	fx_ref_get(&fx, FX_MOD, FX_K_CHRDEV_OPEN + 0x10, 200, "cat", 2, 2);
}

/* mg_buggy, clean: nothing but its own timer */
static void clean_buggy(void)
{
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
}

/*
 * What the kernel does in delete_module(): the module leaves
 * /proc/modules and module_free fires; its timer is cancelled by its
 * exit, or (stale) left behind.
 */
static void kernel_frees(int stale)
{
	struct mg_event e = fx_ev(MG_EV_MODULE_FREE, FX_MOD, "mg_buggy", 60);

	fx_set_modules(&fx, "");
	if (stale)
		mg_stub_mark_left(FX_MOD);
	else
		mg_stub_disarm(FX_OBJ_TIMER);
	e.text_start = FX_TEXT;
	e.text_size = FX_TEXT_SIZE;
	e.pid = e.tgid = (uint32_t)getpid() + 1; /* the worker thread */
	snprintf(e.comm, sizeof(e.comm), "modguardd");
	mg_stub_queue(&e);
}

/*
 * An unload of module in mode whose delete_module() returns err: the
 * worker is done and mg_unload_on_done() ran (nothing was unloaded: no
 * event to drain).  Returns the client's end.
 */
static int kernel_answers(int err, const char *timeout_ms, const char *mode)
{
	int c;

	fake.results[fake.nresults++] = err;
	c = request("mg_buggy", timeout_ms, mode);
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	mg_unload_on_done(&fx.d);
	return c;
}

/* the worker is done: the event loop drains the ring, then answers */
static void worker_done(void)
{
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	mg_bpf_consume(fx.d.bpf);
	mg_unload_on_done(&fx.d);
}

static const char *result_of(const char *text)
{
	const char *l = fx_find_line(&fx, text, "result");

	return l ? l : "(no result line)";
}

/* the reply ends with "ok" and the daemon closed the connection */
static void check_answered(int c, const char *text)
{
	size_t n;
	char **l = fx_lines_of(&fx, text, &n);

	CHECK(n > 0);
	if (n)
		CHECK_STR(l[n - 1], "ok");
	CHECK(fx_eof(c));
}

static void busy_waits_and_says_so_once(void)
{
	const char *text;
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	text = fx_drain(&fx, c);
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "module"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ref"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ok"), 0);
	CHECK_STR(fx_field(&fx, fx_find_line(&fx, text, "ref"), "comm"), "cat");
	/* "wait" last: it closes the group */
	CHECK_CONTAINS(text, "\nwait module=mg_buggy remaining_ms=");
	CHECK(atoi(fx_field(&fx, fx_find_line(&fx, text, "wait"),
			    "remaining_ms")) > 9000);
	CHECK_INT(fake.calls, 0);
	/* while it waits, every reference drop wakes the daemon */
	CHECK_INT(mg_stub.wake_on_refs, 1);
	CHECK(mg_stub.watch_calls > 0);

	/* looked at again, nothing changed: nothing new to say */
	fx.d.unload_eval = 1;
	mg_unload_run(&fx.d);
	CHECK_STR(fx_drain(&fx, c), "");
	CHECK(!fx_eof(c));

	/* the evidence changed: said again, all of it */
	mg_stub_open_file(FX_MOD, FX_FN_OPEN, MG_MKDEV(10, 57))->tgid = 300;
	fx.d.unload_eval = 1;
	mg_unload_run(&fx.d);
	text = fx_drain(&fx, c);
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ref"), 2);
	CHECK_CONTAINS(text, "ref kind=file ");
	CHECK_INT(fake.calls, 0);
	close(c);
	teardown();
}

static void events_that_wake_a_waiting_unload(void)
{
	static const uint32_t wake[] = { MG_EV_REF_PUT, MG_EV_FILE_CLOSED,
					 MG_EV_TASK_MOVED, MG_EV_MODULE_FREE,
					 MG_EV_MODULE_LOAD };
	static const uint32_t sleep_on[] = { MG_EV_REF_GET, MG_EV_ENTRY_POINT,
					     MG_EV_LEFT_BEHIND, MG_EV_REFUSED };
	struct mg_event e;
	int c;

	setup();
	/* nobody waits: nothing to re-check */
	e = fx_ev(MG_EV_REF_PUT, FX_MOD, NULL, 1);
	mg_unload_note_event(&fx.d, &e);
	CHECK_INT(fx.d.unload_eval, 0);
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	for (size_t i = 0; i < sizeof(wake) / sizeof(wake[0]); i++) {
		fx.d.unload_eval = 0;
		e = fx_ev(wake[i], 0x1234, NULL, 1);
		mg_unload_note_event(&fx.d, &e);
		CHECK_INT(fx.d.unload_eval, 1);
	}
	for (size_t i = 0; i < sizeof(sleep_on) / sizeof(sleep_on[0]); i++) {
		fx.d.unload_eval = 0;
		e = fx_ev(sleep_on[i], FX_MOD, NULL, 1);
		mg_unload_note_event(&fx.d, &e);
		CHECK_INT(fx.d.unload_eval, 0);
	}
	close(c);
	teardown();
}

/* the holder lets go: the put wakes the unload, which goes ahead */
static void wakes_when_the_reference_goes(void)
{
	struct mg_event put = fx_ev(MG_EV_REF_PUT, FX_MOD, NULL, 9);
	const char *text;
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	CHECK_INT(fx_count_tag(&fx, fx_drain(&fx, c), "wait"), 1);
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	put.pid = put.tgid = 200;
	put.refcnt = 1;
	mg_stub_queue(&put);
	mg_bpf_consume(fx.d.bpf);
	CHECK_INT(fx.d.unload_eval, 1);
	mg_unload_run(&fx.d);
	kernel_frees(0);
	worker_done();
	CHECK_INT(fake.calls, 1);
	CHECK_STR(fake.name, "mg_buggy");
	/* what rmmod passes */
	CHECK_INT(fake.flags, O_NONBLOCK);
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=unloaded exit=0 "
		  "message=unloaded forced=0");
	check_answered(c, text);
	/* nothing waits any more */
	CHECK_INT(mg_stub.wake_on_refs, 0);
	close(c);
	teardown();
}

static void deadline_refuses_and_records(void)
{
	struct mg_unload_record *recs;
	const char *text, *res;
	size_t n;
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "50", "guarded");
	CHECK_INT(fx_count_tag(&fx, fx_drain(&fx, c), "wait"), 1);
	/* the timer fires at the deadline */
	CHECK(fx_wait_readable(fx.d.unload_timer_fd, 5000));
	mg_unload_on_timer(&fx.d);
	text = fx_read_to_eof(&fx, c);
	res = result_of(text);
	CHECK_STR(fx_keys(&fx, res),
		  "result module outcome exit message record forced");
	CHECK_STR(fx_field(&fx, res, "outcome"), "refused");
	CHECK_STR(fx_field(&fx, res, "exit"), "1");
	CHECK_STR(fx_field(&fx, res, "message"),
		  "mg_buggy is still busy at the timeout");
	CHECK_STR(fx_field(&fx, res, "forced"), "0");
	/* then the evidence it was refused on, then ok */
	CHECK_CONTAINS(text, "\nmodule name=mg_buggy state=live refcnt=1 "
			     "verdict=busy ");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	CHECK_INT(fake.calls, 0);

	/* durable before the answer: the record names the build and the ref */
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "refused");
		CHECK_STR(recs[0].module, "mg_buggy");
		CHECK_STR(recs[0].build, "SRC1");
		CHECK_STR(recs[0].id, fx_field(&fx, res, "record"));
		CHECK_INT(recs[0].requester_pid, getpid());
		CHECK_STR(recs[0].reason, "mg_buggy is still busy at the timeout");
		CHECK_STR(recs[0].boot, "boot-A");
		CHECK_INT(recs[0].nrefs, 1);
		if (recs[0].nrefs)
			CHECK_STR(recs[0].refs[0].function, "chrdev_open+0x10");
	}
	CHECK_CONTAINS(fx_kmsg(&fx), "modguard: module mg_buggy (build SRC1) "
				     "refused: mg_buggy is still busy");
	CHECK_INT(mg_stub.wake_on_refs, 0);
	close(c);
	teardown();
}

/* the client goes away while it waits: the refusal is still recorded */
static void client_gone_while_waiting(void)
{
	struct mg_unload_record *recs;
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "50", "guarded");
	close(c);
	CHECK(fx_wait_readable(fx.d.unload_timer_fd, 5000));
	mg_unload_on_timer(&fx.d);
	CHECK(fx.d.ops == NULL);
	CHECK_INT(fx_records(&fx, &recs), 1);
	teardown();
}

static void no_time_to_wait_refuses_at_once(void)
{
	const char *text;
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "0", "guarded");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	close(c);
	teardown();
}

static void clean_unloads_and_retires(void)
{
	struct mg_unload_record *recs;
	const char *text, *comm;
	pid_t pid = 0;
	size_t n;
	int c;

	setup();
	clean_buggy();
	c = request("mg-buggy", "10000", "guarded");
	/* in flight: its intent is durable, and named on the console */
	CHECK(mg_unload_in_flight(&fx.d, "mg_buggy", &pid, &comm));
	CHECK_INT(pid, getpid());
	CHECK(!mg_unload_in_flight(&fx.d, "mg_other", &pid, &comm));
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "unloading");
		CHECK_INT(recs[0].nrefs, 1);
	}
	CHECK_CONTAINS(fx_kmsg(&fx), "<4>modguard: unloading mg_buggy: its exit "
				     "must cancel timer mg_buggy_timer_fn+0x0 "
				     "(record ");
	/* nothing is said before the unload is done */
	CHECK_STR(fx_drain(&fx, c), "");
	kernel_frees(0);
	worker_done();
	CHECK_INT(fake.calls, 1);
	CHECK_STR(fake.name, "mg_buggy");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(text, "result module=mg_buggy outcome=unloaded exit=0 "
			"message=unloaded forced=0\nok\n");
	CHECK(fx_eof(c));
	/* settled: no intent left, nothing recorded, the module forgotten */
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) == NULL);
	CHECK(mg_stub_forgot(FX_MOD));
	CHECK(!mg_unload_in_flight(&fx.d, "mg_buggy", &pid, &comm));
	close(c);
	teardown();
}

static void stale_unload_names_the_leftovers(void)
{
	struct mg_unload_record *recs;
	const char *text, *res;
	struct mg_module *m;
	size_t n;
	int c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	kernel_frees(1);
	worker_done();
	text = fx_read_to_eof(&fx, c);
	res = result_of(text);
	CHECK_STR(fx_field(&fx, res, "outcome"), "stale");
	CHECK_INT(atoi(fx_field(&fx, res, "exit")), MG_OUTCOME_STALE);
	CHECK_STR(fx_field(&fx, res, "message"),
		  "unloaded, but 1 stale reference remains: the kernel may "
		  "crash when they fire");
	/* the evidence: gone, and what is left in its freed memory */
	CHECK_CONTAINS(text, "\nmodule name=mg_buggy state=gone refcnt=0 "
			     "verdict=stale ");
	CHECK_CONTAINS(text, "\nref kind=timer function=mg_buggy_timer_fn+0x0 ");
	check_answered(c, text);
	/* one record, the stale one, for the client that asked */
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "stale");
		CHECK_STR(recs[0].id, fx_field(&fx, res, "record"));
		CHECK_INT(recs[0].requester_pid, getpid());
		CHECK_STR(recs[0].build, "SRC1");
		CHECK_INT(recs[0].nrefs, 1);
	}
	CHECK_CONTAINS(fx_kmsg(&fx), "module mg_buggy (build SRC1) stale: ");
	/* kept for reports */
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->state == MG_MOD_GONE);
	CHECK(!mg_stub_forgot(FX_MOD));
	close(c);
	teardown();
}

/* a reference got in between the verdict and the call: wait, try again */
static void kernel_says_wouldblock_then_unloads(void)
{
	struct mg_unload_record *recs;
	const char *text;
	int c;

	setup();
	clean_buggy();
	c = kernel_answers(-EWOULDBLOCK, "10000", "guarded");
	/* evaluated again at once, clean again: a second call */
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 2);
	kernel_frees(0);
	mg_bpf_consume(fx.d.bpf);
	mg_unload_on_done(&fx.d);
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "unloaded");
	check_answered(c, text);
	CHECK_INT(fx_records(&fx, &recs), 0);
	close(c);
	teardown();
}

/* the daemon's own enforcement said no (EPERM): as EWOULDBLOCK */
static void enforcement_eperm_waits_again(void)
{
	const char *text;
	int c;

	setup();
	clean_buggy();
	mg_stub.caps.enforcing = 1;
	c = kernel_answers(-EPERM, "10000", "guarded");
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 2);
	kernel_frees(0);
	worker_done();
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "unloaded");
	close(c);
	teardown();
}

static void kernel_refusals(void)
{
	static const struct {
		int err;
		const char *timeout;
		const char *message;
	} cases[] = {
		{ -EWOULDBLOCK, "0", "the kernel refused to unload mg_buggy: "
				     "Resource temporarily unavailable" },
		{ -EBUSY, "10000", "the kernel refused to unload mg_buggy: "
				   "Device or resource busy" },
		{ -EPERM, "10000", "the kernel refused to unload mg_buggy: "
				   "Operation not permitted" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_unload_record *recs;
		const char *text, *res;
		size_t n;
		int c;

		setup();
		clean_buggy();
		memset(&fake, 0, sizeof(fake));
		c = kernel_answers(cases[i].err, cases[i].timeout, "guarded");
		text = fx_read_to_eof(&fx, c);
		res = result_of(text);
		CHECK_STR(fx_field(&fx, res, "outcome"), "refused");
		CHECK_STR(fx_field(&fx, res, "exit"), "1");
		CHECK_STR(fx_field(&fx, res, "message"), cases[i].message);
		check_answered(c, text);
		CHECK_INT(fake.calls, 1);
		/* the intent is gone, the refusal recorded */
		n = fx_records(&fx, &recs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(recs[0].outcome, "refused");
		close(c);
		teardown();
	}
}

static void kernel_says_not_loaded(void)
{
	struct mg_unload_record *recs;
	const char *text;
	int c;

	setup();
	clean_buggy();
	c = kernel_answers(-ENOENT, "10000", "guarded");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(text, "err code=2 msg=module%20mg_buggy%20is%20not%20loaded\n");
	CHECK(fx_eof(c));
	CHECK_INT(fx_records(&fx, &recs), 0);
	close(c);
	teardown();
}

static void dry_run_changes_nothing(void)
{
	struct mg_unload_record *recs;
	const char *text;
	int c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "dry-run");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=dry-run exit=0 "
		  "message=clean:%20would%20unload%20now forced=0");
	/* the evidence follows the result */
	CHECK_CONTAINS(text, "forced=0\nmodule name=mg_buggy state=live "
			     "refcnt=0 verdict=clean ");
	CHECK_CONTAINS(text, "\nref kind=timer ");
	check_answered(c, text);
	close(c);

	/* busy: what an unload would wait on */
	fx_set_modules(&fx, "mg_buggy 16384 1 - Live 0xffffffffc0000000\n");
	c = request("mg_buggy", "10000", "dry-run");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=dry-run exit=1 "
		  "message=busy:%20an%20unload%20would%20wait%20on%20these "
		  "forced=0");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	CHECK_INT(fake.calls, 0);
	CHECK_INT(fx_records(&fx, &recs), 0);
	close(c);
	teardown();
}

static void force_unloads_a_busy_module(void)
{
	const char *text;
	int c;

	setup();
	busy_buggy();
	fx_arm_timer(FX_OBJ_TIMER);
	c = request("mg_buggy", "10000", "force");
	CHECK_CONTAINS(fx_log(&fx), "forced unload of mg_buggy requested by ");
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 1);
	kernel_frees(0);
	worker_done();
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=unloaded exit=0 "
		  "message=unloaded%20%28forced%29 forced=1");
	check_answered(c, text);
	close(c);
	teardown();
}

static void force_kernel_refusal_does_not_wait(void)
{
	const char *text;
	int c;

	setup();
	busy_buggy();
	c = kernel_answers(-EWOULDBLOCK, "10000", "force");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_STR(fx_field(&fx, result_of(text), "forced"), "1");
	CHECK_INT(fake.calls, 1);
	close(c);
	teardown();
}

/* a stale record of this build: the next unload is refused */
static void quarantined_build_is_refused(void)
{
	struct mg_unload_record old = { 0 }, *recs;
	const char *text, *res;
	char want[512];
	size_t n;
	int c;

	setup();
	clean_buggy();
	snprintf(old.outcome, sizeof(old.outcome), "stale");
	snprintf(old.module, sizeof(old.module), "mg_buggy");
	snprintf(old.build, sizeof(old.build), "SRC1");
	snprintf(old.reason, sizeof(old.reason), "left a timer");
	CHECK_INT(mg_record_write(fx.state, &old), 0);

	c = request("mg_buggy", "10000", "guarded");
	text = fx_read_to_eof(&fx, c);
	res = result_of(text);
	snprintf(want, sizeof(want),
		 "quarantined: this build of mg_buggy left stale references "
		 "behind before (record %s); use --force to unload it anyway",
		 old.id);
	CHECK_STR(fx_field(&fx, res, "outcome"), "refused");
	CHECK_STR(fx_field(&fx, res, "exit"), "1");
	CHECK_STR(fx_field(&fx, res, "message"), want);
	check_answered(c, text);
	close(c);
	CHECK_INT(fake.calls, 0);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK_STR(recs[1].outcome, "refused");

	/* a dry run says so, and records nothing */
	c = request("mg_buggy", "10000", "dry-run");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "quarantined");
	CHECK_STR(fx_field(&fx, result_of(text), "exit"), "1");
	CHECK_INT(fx_records(&fx, &recs), 2);
	close(c);

	/* another build of it is not quarantined */
	fx_sysfs_module(&fx, "mg_buggy", "SRC9");
	c = request("mg_buggy", "10000", "dry-run");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "dry-run");
	CHECK_STR(fx_field(&fx, result_of(text), "exit"), "0");
	close(c);

	/* --force unloads it anyway */
	fx_sysfs_module(&fx, "mg_buggy", "SRC1");
	c = request("mg_buggy", "10000", "force");
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 1);
	kernel_frees(0);
	worker_done();
	CHECK_STR(fx_field(&fx, result_of(fx_read_to_eof(&fx, c)), "outcome"),
		  "unloaded");
	close(c);
	teardown();
}

/* records that cannot be read may hide a quarantine: refused, untouched */
static void unreadable_records_refuse(void)
{
	char path[FX_PATH_MAX + 16];
	const char *text;
	int c;
	FILE *f;

	setup();
	clean_buggy();
	/* a file where the records folder should be */
	snprintf(path, sizeof(path), "%s/records", fx.state);
	CHECK_INT(mg_mkdir_p(fx.state, 0700, 0700, 0), 0);
	fx_rm_tree(path);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	c = request("mg_buggy", "10000", "guarded");
	text = fx_read_to_eof(&fx, c);
	CHECK_CONTAINS(text, "err code=3 ");
	CHECK_CONTAINS(text, "cannot%20be%20ruled%20out");
	CHECK_INT(fake.calls, 0);
	close(c);
	teardown();
}

static void dependents_refuse_at_once(void)
{
	const char *text;
	int c;

	setup();
	fx_load_buggy(&fx, 1, "mg_dep");
	c = request("mg_buggy", "10000", "guarded");
	text = fx_read_to_eof(&fx, c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_STR(fx_field(&fx, result_of(text), "message"),
		  "mg_buggy is in use by mg_dep: unload mg_dep first");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	close(c);
	teardown();
}

static void bad_arguments(void)
{
	static const char usage[] =
		"err code=2 msg=usage:%20unload%20MODULE%20TIMEOUT_MS%20"
		"guarded%7Cdry-run%7Cforce\n";
	static const char *const bad[][3] = {
		{ "bad/name", "10", "guarded" },
		{ "", "10", "guarded" },
		{ "mg_buggy", "ten", "guarded" },
		{ "mg_buggy", "-1", "guarded" },
		{ "mg_buggy", "604800001", "guarded" }, /* over a week */
		{ "mg_buggy", "10", "maybe" },
	};
	struct mg_unload_record *recs;
	int c;

	setup();
	clean_buggy();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = request(bad[i][0], bad[i][1], bad[i][2]);
		CHECK_STR(fx_read_to_eof(&fx, c), usage);
		CHECK(fx_eof(c));
		close(c);
	}
	c = request_n(2, "mg_buggy", "10", NULL);
	CHECK_STR(fx_read_to_eof(&fx, c), usage);
	close(c);
	/* not loaded, built in: bad input too */
	c = request("mg_nope", "10", "guarded");
	CHECK_STR(fx_read_to_eof(&fx, c),
		  "err code=2 msg=module%20mg_nope%20is%20not%20loaded\n");
	close(c);
	fx_write(&fx, "sys/module/ext4/parameters/x", "1\n");
	c = request("ext4", "10", "guarded");
	CHECK_CONTAINS(fx_read_to_eof(&fx, c),
		       "err code=2 msg=module%20ext4%20is%20built%20into");
	close(c);
	CHECK_INT(fake.calls, 0);
	CHECK(fx.d.ops == NULL);
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

/* one delete_module() at a time: the next request waits its turn */
static void one_unload_at_a_time(void)
{
	const char *text;
	int c1, c2;

	setup();
	clean_buggy();
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n"
			    "mg_other 8192 0 - Live 0xffffffffc0100000\n");
	fx_sysfs_module(&fx, "mg_other", "SRC2");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	c1 = request("mg_buggy", "10000", "guarded");
	c2 = request("mg_other", "10000", "guarded");
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 1);
	CHECK_STR(fake.name, "mg_buggy");
	kernel_frees(0);
	fx_set_modules(&fx, "mg_other 8192 0 - Live 0xffffffffc0100000\n");
	worker_done();
	CHECK_STR(fx_field(&fx, result_of(fx_read_to_eof(&fx, c1)), "outcome"),
		  "unloaded");
	/* then the second */
	CHECK(fx_wait_readable(fx.d.unload_done_fd, 5000));
	CHECK_INT(fake.calls, 2);
	CHECK_STR(fake.name, "mg_other");
	fx_set_modules(&fx, "");
	worker_done();
	text = fx_read_to_eof(&fx, c2);
	/* module_free was never seen for it */
	CHECK_STR(fx_field(&fx, result_of(text), "message"),
		  "unloaded; modguardd did not see its exit, so what it left "
		  "behind is unknown");
	close(c1);
	close(c2);
	teardown();
}

static void stopping_answers_the_waiting(void)
{
	int c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	fx_drain(&fx, c);
	mg_unload_fini(&fx.d);
	CHECK_STR(fx_read_to_eof(&fx, c),
		  "err code=3 msg=modguardd%20is%20stopping:%20mg_buggy%20was"
		  "%20not%20unloaded\n");
	CHECK(fx.d.ops == NULL);
	close(c);
	fx_fini(&fx);
}

int main(void)
{
	RUN(busy_waits_and_says_so_once);
	RUN(events_that_wake_a_waiting_unload);
	RUN(wakes_when_the_reference_goes);
	RUN(deadline_refuses_and_records);
	RUN(client_gone_while_waiting);
	RUN(no_time_to_wait_refuses_at_once);
	RUN(clean_unloads_and_retires);
	RUN(stale_unload_names_the_leftovers);
	RUN(kernel_says_wouldblock_then_unloads);
	RUN(enforcement_eperm_waits_again);
	RUN(kernel_refusals);
	RUN(kernel_says_not_loaded);
	RUN(dry_run_changes_nothing);
	RUN(force_unloads_a_busy_module);
	RUN(force_kernel_refusal_does_not_wait);
	RUN(quarantined_build_is_refused);
	RUN(unreadable_records_refuse);
	RUN(dependents_refuse_at_once);
	RUN(bad_arguments);
	RUN(one_unload_at_a_time);
	RUN(stopping_answers_the_waiting);
	return check_done();
}
