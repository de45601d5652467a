// SPDX-License-Identifier: GPL-2.0
/*
 * The guarded-unload state machine (user/daemon/guarded_unload.c) on the
 * stubbed BPF layer, driven through modguardd's own event loop and socket:
 * wait, wake, deadline, refuse, unload, aftermath, dry-run, force,
 * quarantine, bad arguments, a client that goes away, who may unload.
 *
 * The test plays modguard-rmmod: it sends "unload", reads "wait" and "go",
 * does what the kernel would in delete_module() (the module leaves
 * /proc/modules, module_free is queued in the stub's ring buffer) and
 * answers "MG1 done <errno>"; rounds of the event loop run in between
 * (fixtures.h: fx_serve_until()).
 */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "guarded_unload.h"
#include "outcome.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"
#include "fsutil.h"

/* capabilities of <linux/capability.h> */
#define CAP_SYS_MODULE_BIT (1ull << 16)
#define CAP_SYSLOG_BIT (1ull << 34)

static struct fx fx;

/* a daemon serving; the stub as new (a case may set up several in turn) */
static void setup(void)
{
	memset(&mg_stub, 0, sizeof(mg_stub));
	fx_init(&fx);
	fx_serve_init(&fx);
}

static void teardown(void)
{
	fx_serve_fini(&fx);
	fx_fini(&fx);
}

/* "unload" with nargs of a0..a2, from a new client as euid */
static struct fx_client *request_as(uid_t euid, int nargs, const char *a0,
				    const char *a1, const char *a2)
{
	const char *args[3] = { a0, a1, a2 };
	struct fx_client *c = fx_connect_as(&fx, euid);

	CHECK_INT(fx_client_request(c, "unload", args, nargs), 0);
	return c;
}

static struct fx_client *request(const char *module, const char *timeout_ms,
				 const char *mode)
{
	return request_as(geteuid(), 3, module, timeout_ms, mode);
}

/* serve until c has a line tagged tag; what it got since the last take */
static const char *serve_to(struct fx_client *c, const char *tag)
{
	CHECK(fx_serve_until_tag(&fx, c, tag, FX_SERVE_MS) >= 0);
	return fx_client_take(&fx, c);
}

/* serve until the daemon closed c; what it got since the last take */
static const char *serve_to_eof(struct fx_client *c)
{
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	return fx_client_take(&fx, c);
}

/* the client's delete_module() returned e (0 or an errno) */
static void client_done(struct fx_client *c, int e)
{
	char line[32];

	snprintf(line, sizeof(line), "MG1 done %d\n", e);
	CHECK_INT(fx_client_say(c, line), 0);
}

static int no_ops(struct fx *f, void *arg)
{
	(void)arg;
	return f->d.ops == NULL;
}

/* serve until no unload is left */
static void serve_until_no_ops(void)
{
	CHECK(fx_serve_until(&fx, no_ops, NULL, FX_SERVE_MS) >= 0);
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
 * What the kernel does in the client's delete_module(): the module leaves
 * /proc/modules and module_free is in the ring buffer; its timer is
 * cancelled by its exit, or (stale) left behind.
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
	/* records name the client the daemon knows, not the event's task */
	e.pid = e.tgid = 4321;
	snprintf(e.comm, sizeof(e.comm), "modguard-rmmod");
	mg_stub_queue(&e);
}

/*
 * An unload of mg_buggy in mode: told to go, the client's delete_module()
 * returned e (nothing was unloaded: no event).  Returns the client.
 */
static struct fx_client *kernel_answers(int e, const char *timeout_ms,
					const char *mode)
{
	struct fx_client *c = request("mg_buggy", timeout_ms, mode);

	CHECK_STR(serve_to(c, "go"), "go module=mg_buggy\n");
	client_done(c, e);
	return c;
}

static const char *result_of(const char *text)
{
	const char *l = fx_find_line(&fx, text, "result");

	return l ? l : "(no result line)";
}

/* the reply ends with "ok" and the daemon closed the connection */
static void check_answered(const struct fx_client *c, const char *text)
{
	size_t n;
	char **l = fx_lines_of(&fx, text, &n);

	CHECK(n > 0);
	if (n)
		CHECK_STR(l[n - 1], "ok");
	CHECK(c->eof);
}

static void busy_waits_and_says_so_once(void)
{
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	text = serve_to(c, "wait");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "module"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ref"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ok"), 0);
	CHECK_STR(fx_field(&fx, fx_find_line(&fx, text, "ref"), "comm"), "cat");
	/* "wait" last: it closes the group */
	CHECK_CONTAINS(text, "\nwait module=mg_buggy remaining_ms=");
	CHECK(atoi(fx_field(&fx, fx_find_line(&fx, text, "wait"),
			    "remaining_ms")) > 9000);
	/* while it waits, every reference drop wakes the daemon */
	CHECK_INT(mg_stub.wake_on_refs, 1);
	CHECK(mg_stub.watch_calls > 0);

	/* looked at again, nothing changed: nothing new to say */
	fx.d.unload_eval = 1;
	fx_serve_once(&fx, 0);
	CHECK_STR(fx_client_take(&fx, c), "");
	CHECK(!c->eof);

	/* the evidence changed: said again, all of it */
	mg_stub_open_file(FX_MOD, FX_FN_OPEN, MG_MKDEV(10, 57))->tgid = 300;
	fx.d.unload_eval = 1;
	text = serve_to(c, "wait");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 1);
	CHECK_INT(fx_count_tag(&fx, text, "ref"), 2);
	CHECK_CONTAINS(text, "ref kind=file ");
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	CHECK(!c->eof);
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

	setup();
	/* nobody waits: nothing to re-check */
	e = fx_ev(MG_EV_REF_PUT, FX_MOD, NULL, 1);
	mg_unload_note_event(&fx.d, &e);
	CHECK_INT(fx.d.unload_eval, 0);
	busy_buggy();
	serve_to(request("mg_buggy", "10000", "guarded"), "wait");
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
	teardown();
}

/* the holder lets go: the put wakes the unload, which goes ahead */
static void wakes_when_the_reference_goes(void)
{
	struct mg_event put = fx_ev(MG_EV_REF_PUT, FX_MOD, NULL, 9);
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	CHECK_INT(fx_count_tag(&fx, serve_to(c, "wait"), "wait"), 1);
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	put.pid = put.tgid = 200;
	put.refcnt = 1;
	/* the ring buffer wakes the loop; the event wakes the unload */
	mg_stub_queue(&put);
	CHECK_STR(serve_to(c, "go"), "go module=mg_buggy\n");
	kernel_frees(0);
	client_done(c, 0);
	text = serve_to_eof(c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=unloaded exit=0 "
		  "message=unloaded forced=0");
	check_answered(c, text);
	/* nothing waits any more */
	CHECK_INT(mg_stub.wake_on_refs, 0);
	teardown();
}

static void deadline_refuses_and_records(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text, *res;
	size_t n;

	setup();
	busy_buggy();
	c = request("mg_buggy", "50", "guarded");
	CHECK_INT(fx_count_tag(&fx, serve_to(c, "wait"), "wait"), 1);
	/* the unloads' timer fires at the deadline */
	text = serve_to_eof(c);
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
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	check_answered(c, text);

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
	teardown();
}

/*
 * The client goes away (Ctrl-C) while it waits: the unload is dropped and
 * logged; when the module becomes clean, nothing unloads it.
 */
static void client_gone_while_waiting(void)
{
	struct mg_event put = fx_ev(MG_EV_REF_PUT, FX_MOD, NULL, 9);
	struct mg_unload_record *recs;
	struct mg_module *m;
	struct fx_client *c;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "wait");
	fx_client_close(c);
	serve_until_no_ops();
	CHECK_CONTAINS(fx_log(&fx), "unload mg_buggy: ");
	CHECK_CONTAINS(fx_log(&fx), " went away while it waited: dropped, the "
				    "module stays loaded");
	/* nothing recorded: there was no verdict */
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK_INT(fx.d.nconns, 0);
	CHECK_INT(mg_stub.wake_on_refs, 0);
	/* clean now: still loaded, nobody is told to go */
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	put.pid = put.tgid = 200;
	mg_stub_queue(&put);
	fx_serve_once(&fx, 50);
	CHECK(fx.d.ops == NULL);
	CHECK(fx.d.unloading == NULL);
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->state == MG_MOD_LIVE);
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

/* a request whose client leaves at once, before it was even looked at */
static void client_gone_before_the_verdict(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	fx_client_close(c);
	CHECK(fx_serve_until_log(&fx, "went away", FX_SERVE_MS) >= 0);
	CHECK(fx.d.ops == NULL);
	CHECK(fx.d.unloading == NULL);
	/* no intent is left, nothing unloaded it */
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) != NULL);
	CHECK_CONTAINS(fx_log(&fx), "the module is still loaded");
	teardown();
}

/*
 * Told to go, the client unloaded the module and left without "done":
 * the ring is drained, the aftermath recorded as for any unload, the
 * intent removed.
 */
static void client_gone_after_go_records_the_aftermath(void)
{
	struct mg_unload_record *recs;
	struct mg_module *m;
	struct fx_client *c;
	size_t n;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "go");
	CHECK_INT(fx_records(&fx, &recs), 1); /* the intent */
	kernel_frees(1);
	fx_client_close(c);
	serve_until_no_ops();
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "stale");
		CHECK_INT(recs[0].requester_pid, getpid());
		CHECK_INT(recs[0].nrefs, 1);
	}
	CHECK_CONTAINS(fx_log(&fx), "went away after it was told to go: it "
				    "unloaded the module");
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->state == MG_MOD_GONE);
	CHECK(fx.d.unloading == NULL);
	teardown();
}

/* ... and a clean exit: the intent goes, the module is forgotten */
static void client_gone_after_go_clean_exit(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "go");
	kernel_frees(0);
	fx_client_close(c);
	serve_until_no_ops();
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) == NULL);
	CHECK(mg_stub_forgot(FX_MOD));
	teardown();
}

/* ... or it left before it unloaded anything: the module stays */
static void client_gone_after_go_before_unloading(void)
{
	struct mg_unload_record *recs;
	struct mg_module *m;
	struct fx_client *c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "go");
	fx_client_close(c);
	serve_until_no_ops();
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK_CONTAINS(fx_log(&fx), "went away after it was told to go: the "
				    "module is still loaded");
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->state == MG_MOD_LIVE);
	teardown();
}

/* "done" before "go": an error, the unload dropped, nothing unloaded */
static void done_out_of_turn(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "wait");
	client_done(c, 0);
	text = serve_to_eof(c);
	CHECK_STR(fx_keys(&fx, text), "err code msg");
	CHECK_STR(fx_field(&fx, text, "code"), "2");
	CHECK_STR(fx_field(&fx, text, "msg"),
		  "unexpected 'done': after \"go\" only \"done <errno>\"");
	CHECK_CONTAINS(fx_log(&fx), "sent 'done' out of turn: dropped");
	CHECK(fx.d.ops == NULL);
	CHECK_INT(fx_records(&fx, &recs), 0);
	/* in the request's own packet: the same */
	c = fx_connect(&fx);
	fx_client_say(c, "MG1 unload mg_buggy 10000 guarded\nMG1 done 0\n");
	text = serve_to_eof(c);
	CHECK_STR(fx_field(&fx, fx_find_line(&fx, text, "err"), "msg"),
		  "unexpected 'done': after \"go\" only \"done <errno>\"");
	CHECK(fx.d.ops == NULL);
	teardown();
}

/*
 * After "go" only "done <errno>": anything else drops the unload, with an
 * error for a request line (one that is not even that is only dropped).
 */
static void garbage_after_go(void)
{
	static const struct {
		const char *line;
		int answered;
	} bad[] = {
		{ "MG1 frob 1\n", 1 }, { "MG1 done\n", 1 }, { "MG1 done x\n", 1 },
		{ "MG1 done 4096\n", 1 }, { "MG1 done -1\n", 1 },
		{ "MG1 done 0 0\n", 1 }, { "hello\n", 0 }, { "MG1  done 0\n", 0 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mg_unload_record *recs;
		struct fx_client *c;
		const char *text;

		setup();
		clean_buggy();
		c = request("mg_buggy", "10000", "guarded");
		serve_to(c, "go");
		CHECK_INT(fx_client_say(c, bad[i].line), 0);
		text = serve_to_eof(c);
		CHECK_CONTAINS(text, "err code=2 msg=unexpected%20%27");
		CHECK_INT(fx_count_tag(&fx, text, "result"), 0);
		CHECK(fx.d.ops == NULL);
		CHECK(fx.d.unloading == NULL);
		/* the intent is gone with it */
		CHECK_INT(fx_records(&fx, &recs), 0);
		teardown();
	}
}

static void no_time_to_wait_refuses_at_once(void)
{
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	c = request("mg_buggy", "0", "guarded");
	text = serve_to_eof(c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	teardown();
}

static void clean_unloads_and_retires(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *comm;
	pid_t pid = 0;
	size_t n;

	setup();
	clean_buggy();
	c = request("mg-buggy", "10000", "guarded");
	/* nothing but "go" before the unload is done */
	CHECK_STR(serve_to(c, "go"), "go module=mg_buggy\n");
	/* in flight: its intent is durable, and named on the console */
	CHECK(mg_unload_in_flight(&fx.d, "mg_buggy", &pid, &comm));
	CHECK_INT(pid, getpid());
	CHECK(!mg_unload_in_flight(&fx.d, "mg_other", &pid, &comm));
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].outcome, "unloading");
		CHECK_INT(recs[0].requester_pid, getpid());
		CHECK_INT(recs[0].nrefs, 1);
	}
	CHECK_CONTAINS(fx_kmsg(&fx), "<4>modguard: unloading mg_buggy: its exit "
				     "must cancel timer mg_buggy_timer_fn+0x0 "
				     "(record ");
	kernel_frees(0);
	client_done(c, 0);
	CHECK_STR(serve_to_eof(c), "result module=mg_buggy outcome=unloaded "
				   "exit=0 message=unloaded forced=0\nok\n");
	/* settled: no intent left, nothing recorded, the module forgotten */
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) == NULL);
	CHECK(mg_stub_forgot(FX_MOD));
	CHECK(!mg_unload_in_flight(&fx.d, "mg_buggy", &pid, &comm));
	teardown();
}

static void stale_unload_names_the_leftovers(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text, *res;
	struct mg_module *m;
	size_t n;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "go");
	kernel_frees(1);
	client_done(c, 0);
	text = serve_to_eof(c);
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
	teardown();
}

/* a reference got in between the verdict and the call: wait, go again */
static void kernel_says_wouldblock_then_unloads(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text;

	setup();
	clean_buggy();
	c = kernel_answers(EWOULDBLOCK, "10000", "guarded");
	/* evaluated again at once, clean again: told to go again */
	CHECK_STR(serve_to(c, "go"), "go module=mg_buggy\n");
	kernel_frees(0);
	client_done(c, 0);
	text = serve_to_eof(c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "unloaded");
	check_answered(c, text);
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

/*
 * EPERM while enforcing, for a client the kernel vouched has
 * CAP_SYS_MODULE: the daemon's own enforcement saw a caller get in, so it
 * is waited out like EWOULDBLOCK.
 */
static void enforcement_eperm_waits_again(void)
{
	struct fx_client *c;

	setup();
	clean_buggy();
	mg_stub.caps.enforcing = 1;
	mg_stub.peer_cred = (struct mg_peer_cred){ .caps = CAP_SYS_MODULE_BIT,
						   .valid = 1 };
	c = kernel_answers(EPERM, "10000", "guarded");
	serve_to(c, "go");
	kernel_frees(0);
	client_done(c, 0);
	CHECK_STR(fx_field(&fx, result_of(serve_to_eof(c)), "outcome"),
		  "unloaded");
	teardown();
}

static void kernel_refusals(void)
{
	static const struct {
		int err;
		const char *timeout;
		int enforcing;
		const char *message;
	} cases[] = {
		{ EWOULDBLOCK, "0", 0, "the kernel refused to unload mg_buggy: "
				       "Resource temporarily unavailable" },
		{ EBUSY, "10000", 0, "the kernel refused to unload mg_buggy: "
				     "Device or resource busy" },
		{ EPERM, "10000", 0, "the kernel refused to unload mg_buggy: "
				     "Operation not permitted" },
		/* enforcing, but nobody vouched for the client's capability */
		{ EPERM, "10000", 1, "the kernel refused to unload mg_buggy: "
				     "Operation not permitted" },
		{ EIO, "10000", 0, "the kernel refused to unload mg_buggy: "
				   "Input/output error" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_unload_record *recs;
		struct fx_client *c;
		const char *text, *res;
		size_t n;

		setup();
		clean_buggy();
		mg_stub.caps.enforcing = cases[i].enforcing;
		c = kernel_answers(cases[i].err, cases[i].timeout, "guarded");
		text = serve_to_eof(c);
		res = result_of(text);
		CHECK_STR(fx_field(&fx, res, "outcome"), "refused");
		CHECK_STR(fx_field(&fx, res, "exit"), "1");
		CHECK_STR(fx_field(&fx, res, "message"), cases[i].message);
		CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
		check_answered(c, text);
		/* the intent is gone, the refusal recorded */
		n = fx_records(&fx, &recs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(recs[0].outcome, "refused");
		teardown();
	}
}

static void kernel_says_not_loaded(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;

	setup();
	clean_buggy();
	c = kernel_answers(ENOENT, "10000", "guarded");
	CHECK_STR(serve_to_eof(c),
		  "err code=2 msg=module%20mg_buggy%20is%20not%20loaded\n");
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

static void dry_run_changes_nothing(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "dry-run");
	text = serve_to_eof(c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=dry-run exit=0 "
		  "message=clean:%20would%20unload%20now forced=0");
	/* the evidence follows the result */
	CHECK_CONTAINS(text, "forced=0\nmodule name=mg_buggy state=live "
			     "refcnt=0 verdict=clean ");
	CHECK_CONTAINS(text, "\nref kind=timer ");
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	check_answered(c, text);

	/* busy: what an unload would wait on */
	fx_set_modules(&fx, "mg_buggy 16384 1 - Live 0xffffffffc0000000\n");
	c = request("mg_buggy", "10000", "dry-run");
	text = serve_to_eof(c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=dry-run exit=1 "
		  "message=busy:%20an%20unload%20would%20wait%20on%20these "
		  "forced=0");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	check_answered(c, text);
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

static void force_unloads_a_busy_module(void)
{
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	fx_arm_timer(FX_OBJ_TIMER);
	c = request("mg_buggy", "10000", "force");
	CHECK_STR(serve_to(c, "go"), "go module=mg_buggy\n");
	CHECK_CONTAINS(fx_log(&fx), "forced unload of mg_buggy requested by ");
	kernel_frees(0);
	client_done(c, 0);
	text = serve_to_eof(c);
	CHECK_STR(result_of(text),
		  "result module=mg_buggy outcome=unloaded exit=0 "
		  "message=unloaded%20%28forced%29 forced=1");
	check_answered(c, text);
	teardown();
}

static void force_kernel_refusal_does_not_wait(void)
{
	struct fx_client *c;
	const char *text;

	setup();
	busy_buggy();
	c = kernel_answers(EWOULDBLOCK, "10000", "force");
	text = serve_to_eof(c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_STR(fx_field(&fx, result_of(text), "forced"), "1");
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	teardown();
}

/* a stale record of this build: the next unload is refused */
static void quarantined_build_is_refused(void)
{
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text, *res, *id;
	char want[512];
	size_t n;

	setup();
	clean_buggy();
	id = fx_stale_record(&fx, "mg_buggy", "SRC1", "left a timer", NULL, 0);

	c = request("mg_buggy", "10000", "guarded");
	text = serve_to_eof(c);
	res = result_of(text);
	snprintf(want, sizeof(want),
		 "quarantined: this build of mg_buggy left stale references "
		 "behind before (record %s); use --force to unload it anyway",
		 id);
	CHECK_STR(fx_field(&fx, res, "outcome"), "refused");
	CHECK_STR(fx_field(&fx, res, "exit"), "1");
	CHECK_STR(fx_field(&fx, res, "message"), want);
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	check_answered(c, text);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK_STR(recs[1].outcome, "refused");

	/* a dry run says so, and records nothing */
	text = serve_to_eof(request("mg_buggy", "10000", "dry-run"));
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "quarantined");
	CHECK_STR(fx_field(&fx, result_of(text), "exit"), "1");
	CHECK_INT(fx_records(&fx, &recs), 2);

	/* another build of it is not quarantined */
	fx_sysfs_module(&fx, "mg_buggy", "SRC9");
	text = serve_to_eof(request("mg_buggy", "10000", "dry-run"));
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "dry-run");
	CHECK_STR(fx_field(&fx, result_of(text), "exit"), "0");

	/* --force unloads it anyway */
	fx_sysfs_module(&fx, "mg_buggy", "SRC1");
	c = request("mg_buggy", "10000", "force");
	serve_to(c, "go");
	kernel_frees(0);
	client_done(c, 0);
	CHECK_STR(fx_field(&fx, result_of(serve_to_eof(c)), "outcome"),
		  "unloaded");
	teardown();
}

/* records that cannot be read may hide a quarantine: refused, untouched */
static void unreadable_records_refuse(void)
{
	char path[FX_PATH_MAX + 16];
	const char *text;
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
	text = serve_to_eof(request("mg_buggy", "10000", "guarded"));
	CHECK_CONTAINS(text, "err code=3 ");
	CHECK_CONTAINS(text, "cannot%20be%20ruled%20out");
	CHECK_INT(fx_count_tag(&fx, text, "go"), 0);
	teardown();
}

/* an intent that cannot be written: refused with exit 3, untouched */
static void unwritable_intent_refuses(void)
{
	struct rlimit small = { .rlim_cur = 16 }, saved;
	struct mg_unload_record *recs;
	struct fx_client *c;
	const char *text;
	char want[400];

	setup();
	clean_buggy();
	/* loads fine; a record of more than 16 bytes cannot be written */
	CHECK_INT(mg_records_init(fx.state), 0);
	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small.rlim_max = saved.rlim_max;
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
	c = request("mg_buggy", "10000", "guarded");
	text = serve_to_eof(c);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &saved), 0);
	snprintf(want, sizeof(want),
		 "cannot write the intent of this unload to %s (File too "
		 "large): refused, mg_buggy is untouched", fx.state);
	CHECK_STR(fx_keys(&fx, text), "err code msg");
	CHECK_STR(fx_field(&fx, text, "code"), "3");
	CHECK_STR(fx_field(&fx, text, "msg"), want);
	CHECK(fx.d.ops == NULL);
	CHECK(fx.d.unloading == NULL);
	CHECK_INT(fx_records(&fx, &recs), 0);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) != NULL);
	teardown();
}

static void dependents_refuse_at_once(void)
{
	struct fx_client *c;
	const char *text;

	setup();
	fx_load_buggy(&fx, 1, "mg_dep");
	c = request("mg_buggy", "10000", "guarded");
	text = serve_to_eof(c);
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_STR(fx_field(&fx, result_of(text), "message"),
		  "mg_buggy is in use by mg_dep: unload mg_dep first");
	CHECK_INT(fx_count_tag(&fx, text, "wait"), 0);
	check_answered(c, text);
	teardown();
}

static void bad_arguments(void)
{
	static const char usage[] =
		"err code=2 msg=usage:%20unload%20MODULE%20TIMEOUT_MS%20"
		"guarded%7Cdry-run%7Cforce\n";
	static const char *const bad[][3] = {
		{ "bad/name", "10", "guarded" },
		{ "mg_buggy", "ten", "guarded" },
		{ "mg_buggy", "-1", "guarded" },
		{ "mg_buggy", "604800001", "guarded" }, /* over a week */
		{ "mg_buggy", "10", "maybe" },
	};
	const struct mg_peer root = { .pid = getpid() };
	struct mg_unload_record *recs;
	char empty[1] = "", ten[] = "10", guarded[] = "guarded";
	char *args[3] = { empty, ten, guarded };
	struct fx_client *c;
	FILE *out;

	setup();
	clean_buggy();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STR(serve_to_eof(request(bad[i][0], bad[i][1], bad[i][2])),
			  usage);
	CHECK_STR(serve_to_eof(request_as(geteuid(), 2, "mg_buggy", "10", NULL)),
		  usage);
	c = fx_connect(&fx);
	fx_client_say(c, "MG1 unload mg_buggy 10 guarded extra\n");
	CHECK_STR(serve_to_eof(c), usage);
	/* an empty name, which no request line can carry */
	out = fx_out_open(&fx);
	CHECK_INT(mg_unload_request(&fx.d, NULL, &root, args, 3, out), 0);
	CHECK_STR(fx_out_close(&fx, out), usage);
	/* not loaded, built in: bad input too */
	CHECK_STR(serve_to_eof(request("mg_nope", "10", "guarded")),
		  "err code=2 msg=module%20mg_nope%20is%20not%20loaded\n");
	fx_write(&fx, "sys/module/ext4/parameters/x", "1\n");
	CHECK_CONTAINS(serve_to_eof(request("ext4", "10", "guarded")),
		       "err code=2 msg=module%20ext4%20is%20built%20into");
	CHECK(fx.d.ops == NULL);
	CHECK_INT(fx_records(&fx, &recs), 0);
	teardown();
}

/*
 * Who may unload through the daemon: a peer that could do it itself.
 * The kernel's word on its capabilities (the BPF LSM) decides; without
 * it, uid 0 at least.
 */
static void only_a_peer_with_cap_sys_module_unloads(void)
{
	/* what the refusal says: why, in a word */
	static const char need_cap[] = "needs CAP_SYS_MODULE in the initial user "
				       "namespace",
			  need_root[] = "needs root (CAP_SYS_MODULE)";
	static const struct {
		uid_t euid;
		struct mg_peer_cred cred;
		const char *msg; /* NULL: permitted */
	} cases[] = {
		/* nobody, no word from the kernel */
		{ 65534, { 0 }, need_root },
		/* root of its own user namespace: its real uid, no caps */
		{ 65534, { .caps = 0, .uid = 65534, .valid = 1 }, need_cap },
		{ 65534, { .caps = ~CAP_SYS_MODULE_BIT, .valid = 1 }, need_cap },
		/* uid 0 with CAP_SYS_MODULE out of its bounding set */
		{ 0, { .caps = ~CAP_SYS_MODULE_BIT & ((1ull << 41) - 1),
		       .valid = 1 }, need_cap },
		{ 0, { .caps = 0, .valid = 1 }, need_cap },
		/* uid 0, capabilities unknown (no BPF LSM): permitted */
		{ 0, { 0 }, NULL },
		{ 0, { .caps = CAP_SYS_MODULE_BIT, .valid = 1 }, NULL },
		/* the capability without uid 0 is enough */
		{ 65534, { .caps = CAP_SYS_MODULE_BIT, .valid = 1 }, NULL },
	};

	if (geteuid() != 0)
		check_skip("connecting as another uid needs root");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx_client *c;
		const char *text;

		setup();
		busy_buggy();
		mg_stub.peer_cred = cases[i].cred;
		c = request_as(cases[i].euid, 3, "mg_buggy", "10000", "guarded");
		if (cases[i].msg) {
			text = serve_to_eof(c);
			CHECK_STR(fx_keys(&fx, text), "err code msg");
			CHECK_STR(fx_field(&fx, text, "code"), "2");
			CHECK_CONTAINS(fx_field(&fx, text, "msg"), cases[i].msg);
			CHECK(fx.d.ops == NULL);
		} else {
			CHECK_INT(fx_count_tag(&fx, serve_to(c, "wait"), "wait"), 1);
			CHECK(fx.d.ops != NULL);
		}
		CHECK(mg_table_find(&fx.d.table, FX_MOD) != NULL);
		teardown();
	}
}

/*
 * What an unload says (the evidence it waits on, or was refused on)
 * carries raw addresses only for a peer that /proc/kallsyms would show
 * them to.  Does the "wait" of an unload for a peer with cred, under
 * kptr_restrict, hold any?  mg_buggy with one of everything, mg_dep's
 * dependency dropped so that it waits.
 */
static int wait_has_raw_addr(const struct mg_peer_cred *cred,
			     const char *kptr_restrict)
{
	const char *text;
	int raw;

	setup();
	fx_everything(&fx);
	fx_set_modules(&fx, "mg_buggy 16384 4 - Live 0xffffffffc0000000\n");
	fx_write(&fx, "proc/sys/kernel/kptr_restrict", kptr_restrict);
	mg_stub.peer_cred = *cred;
	text = serve_to(request("mg_buggy", "10000", "guarded"), "wait");
	CHECK_CONTAINS(text, "function=mg_buggy_timer_fn+0x0");
	raw = fx_has_raw_addr(text);
	teardown();
	return raw;
}

static void unload_evidence_follows_the_address_rule(void)
{
	const struct mg_peer_cred unknown = { 0 }, syslog = {
		.caps = CAP_SYS_MODULE_BIT | CAP_SYSLOG_BIT, .valid = 1 };
	const char *text;

	/* root, its capabilities unknown */
	CHECK(!wait_has_raw_addr(&unknown, "1\n"));
	CHECK(wait_has_raw_addr(&syslog, "1\n"));
	CHECK(!wait_has_raw_addr(&syslog, "2\n"));
	/* the evidence of a refusal (mg_dep depends on it) */
	setup();
	fx_everything(&fx);
	text = serve_to_eof(request("mg_buggy", "10000", "guarded"));
	CHECK_STR(fx_field(&fx, result_of(text), "outcome"), "refused");
	CHECK_CONTAINS(text, "\nref kind=timer ");
	CHECK(!fx_has_raw_addr(text));
	teardown();
}

/*
 * mg_buggy (busy: one reference, or clean with its timer) and mg_other
 * (clean), both loaded; an unload of each asked for, in this order
 */
static void unload_both(int busy, struct fx_client **c1, struct fx_client **c2)
{
	char modules[256];

	if (busy)
		busy_buggy();
	else
		clean_buggy();
	snprintf(modules, sizeof(modules),
		 "mg_buggy 16384 %d - Live 0xffffffffc0000000\n"
		 "mg_other 8192 0 - Live 0xffffffffc0100000\n", busy);
	fx_set_modules(&fx, modules);
	fx_sysfs_module(&fx, "mg_other", "SRC2");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	*c1 = request("mg_buggy", "10000", "guarded");
	*c2 = request("mg_other", "10000", "guarded");
}

/* one delete_module() at a time: the next request waits its turn */
static void one_unload_at_a_time(void)
{
	struct fx_client *c1, *c2;
	const char *text;

	setup();
	unload_both(0, &c1, &c2);
	CHECK_STR(serve_to(c1, "go"), "go module=mg_buggy\n");
	CHECK_STR(fx_client_take(&fx, c2), "");
	kernel_frees(0);
	fx_set_modules(&fx, "mg_other 8192 0 - Live 0xffffffffc0100000\n");
	client_done(c1, 0);
	CHECK_STR(fx_field(&fx, result_of(serve_to_eof(c1)), "outcome"),
		  "unloaded");
	/* then the second */
	CHECK_STR(serve_to(c2, "go"), "go module=mg_other\n");
	fx_set_modules(&fx, "");
	client_done(c2, 0);
	text = serve_to_eof(c2);
	/* module_free was never seen for it */
	CHECK_STR(fx_field(&fx, result_of(text), "message"),
		  "unloaded; modguardd did not see its exit, so what it left "
		  "behind is unknown");
	teardown();
}

/* the first client leaves after "go": the next one gets its turn */
static void next_unload_goes_when_a_client_left(void)
{
	struct fx_client *c1, *c2;
	void *op1;

	setup();
	unload_both(0, &c1, &c2);
	serve_to(c1, "go");
	op1 = fx.d.unloading;
	fx_client_close(c1);
	for (int i = 0; fx.d.unloading == op1 && i < 100; i++)
		fx_serve_once(&fx, 50);
	/* in the round that let the first go, the second was told to go */
	CHECK(fx.d.unloading != NULL);
	CHECK_STR(serve_to(c2, "go"), "go module=mg_other\n");
	teardown();
	/* the same when the first is dropped for a line out of turn */
	setup();
	unload_both(0, &c1, &c2);
	serve_to(c1, "go");
	fx_client_say(c1, "MG1 frob\n");
	fx_serve_once(&fx, 50);
	CHECK(fx.d.unloading != NULL);
	CHECK_STR(serve_to(c2, "go"), "go module=mg_other\n");
	teardown();
}

static void stopping_answers_the_waiting(void)
{
	struct fx_client *c1, *c2;

	setup();
	unload_both(1, &c1, &c2);
	serve_to(c1, "wait");
	serve_to(c2, "go");
	fx_serve_fini(&fx);
	CHECK(fx.d.ops == NULL);
	CHECK_STR(fx_client_take(&fx, c1),
		  "err code=3 msg=modguardd%20is%20stopping:%20mg_buggy%20was"
		  "%20not%20unloaded\n");
	CHECK(c1->eof);
	/* told to go: its own answer says whether it unloaded */
	CHECK_STR(fx_client_take(&fx, c2),
		  "err code=3 msg=modguardd%20is%20stopping:%20what%20the%20"
		  "unload%20of%20mg_other%20left%20behind%20is%20not%20checked\n");
	CHECK(c2->eof);
	fx_fini(&fx);
}

/*
 * A clean module's unload goes without the task watch: attaching it
 * registers a kprobe, which patches kernel text (the biggest part of a
 * guarded unload's cost under TCG); a busy one gets it
 */
static void clean_unload_attaches_no_watch(void)
{
	struct fx_client *c;

	setup();
	clean_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "go");
	kernel_frees(0);
	client_done(c, 0);
	serve_to_eof(c);
	CHECK_INT(mg_stub.watched_most, 0);
	CHECK_INT(fx.d.unload_watch, 0);
	teardown();
	setup();
	busy_buggy();
	c = request("mg_buggy", "10000", "guarded");
	serve_to(c, "wait");
	CHECK(mg_stub.watched_most > 0);
	CHECK_INT(fx.d.unload_watch, 1);
	fx_client_close(c);
	serve_until_no_ops();
	CHECK_INT(fx.d.unload_watch, 0);
	CHECK_INT(mg_stub.nwatched, 0);
	teardown();
}

int main(void)
{
	RUN(clean_unload_attaches_no_watch);
	RUN(busy_waits_and_says_so_once);
	RUN(events_that_wake_a_waiting_unload);
	RUN(wakes_when_the_reference_goes);
	RUN(deadline_refuses_and_records);
	RUN(client_gone_while_waiting);
	RUN(client_gone_before_the_verdict);
	RUN(client_gone_after_go_records_the_aftermath);
	RUN(client_gone_after_go_clean_exit);
	RUN(client_gone_after_go_before_unloading);
	RUN(done_out_of_turn);
	RUN(garbage_after_go);
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
	RUN(unwritable_intent_refuses);
	RUN(dependents_refuse_at_once);
	RUN(bad_arguments);
	RUN(only_a_peer_with_cap_sys_module_unloads);
	RUN(unload_evidence_follows_the_address_rule);
	RUN(one_unload_at_a_time);
	RUN(next_unload_goes_when_a_client_left);
	RUN(stopping_answers_the_waiting);
	return check_done();
}
