// SPDX-License-Identifier: GPL-2.0
/*
 * The socket server (user/daemon/server.c) in modguardd's event loop:
 * clients connect to a socket in a temp dir and send raw request bytes,
 * non-blocking, while rounds of the loop run (fixtures.h:
 * fx_serve_until()).  Every verb, every way a request can be wrong, and
 * that no client can delay another: slow and idle clients, the request
 * deadline, a reader that does not read, the connection limits.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "clock.h"
#include "fixtures/fixtures.h"
#include "records.h"
#include "server.h"
#include "stubs/bpf_stub.h"
#include "check.h"

#define NOBODY 65534

static struct fx fx;

static void setup(void)
{
	fx_init(&fx);
	fx_serve_init(&fx);
	CHECK(fx.d.listen_fd >= 0);
}

static void teardown(void)
{
	fx_serve_fini(&fx);
	fx_fini(&fx);
}

/* a client as euid sends len bytes of req; the answer, to end-of-file */
static const char *ask_raw_as(uid_t euid, const char *req, size_t len)
{
	struct fx_client *c = fx_connect_as(&fx, euid);

	CHECK_INT(fx_client_send(c, req, len), 0);
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	return fx_client_take(&fx, c);
}

static const char *ask_raw(const char *req, size_t len)
{
	return ask_raw_as(geteuid(), req, len);
}

static const char *ask(const char *req)
{
	return ask_raw(req, strlen(req));
}

static int ends_with_ok(const char *text)
{
	size_t n = strlen(text);

	return n >= 3 && !strcmp(text + n - 3, "ok\n");
}

static int nconns_is(struct fx *f, void *arg)
{
	return f->d.nconns == *(size_t *)arg;
}

/* serve until the daemon holds n connections */
static void serve_until_nconns(size_t n)
{
	CHECK(fx_serve_until(&fx, nconns_is, &n, FX_SERVE_MS) >= 0);
}

static uint64_t now_ms(void)
{
	return mg_clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static void status_verb(void)
{
	const char *text;
	size_t n;
	char **l;

	setup();
	mg_stub.groups[0] = (struct mg_group_status){
		.name = "lifecycle", .what = "module loads", .required = 1,
		.active = 1 };
	mg_stub.ngroups = 1;
	text = ask("MG1 status\n");
	l = fx_lines_of(&fx, text, &n);
	CHECK_INT(n, 3);
	CHECK(n == 3 && !strncmp(l[0], "status version=", 15));
	CHECK(n == 3 && !strncmp(l[1], "group name=lifecycle ", 21));
	CHECK_STR(n == 3 ? l[2] : "", "ok");
	CHECK_STR(ask("MG1 status now\n"),
		  "err code=2 msg=status%20takes%20no%20arguments\n");
	/* answered and closed: nothing is left open */
	CHECK_INT(fx.d.nconns, 0);
	teardown();
}

static void report_verb(void)
{
	const char *text;

	setup();
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	/* disarmed where no tracepoint saw it: settled before the report */
	mg_stub_arm(0x99, FX_MOD, MG_KIND_HRTIMER, FX_FN_HRTIMER);
	mg_stub.armed_settles[1] = 1;
	text = ask("MG1 report mg_buggy\n");
	CHECK_INT(mg_stub.settle_calls, 1);
	CHECK(mg_stub.scan_calls >= 1);
	CHECK_CONTAINS(text, "module name=mg_buggy state=live refcnt=0 "
			     "verdict=clean ");
	CHECK_CONTAINS(text, "\nref kind=timer function=mg_buggy_timer_fn+0x0 ");
	CHECK_NOT_CONTAINS(text, "hrtimer");
	CHECK_INT(fx_count_tag(&fx, text, "ref"), 1);
	CHECK(ends_with_ok(text));

	/* every module: the same records */
	CHECK_STR(ask("MG1 report\n"), text);
	teardown();
}

static void report_errors(void)
{
	setup();
	fx_load_buggy(&fx, 0, "-");
	CHECK_STR(ask("MG1 report mg_nope\n"),
		  "err code=2 msg=module%20mg_nope%20is%20not%20loaded\n");
	/* several modules: all or nothing */
	CHECK_STR(ask("MG1 report mg_buggy mg_nope\n"),
		  "err code=2 msg=module%20mg_nope%20is%20not%20loaded\n");
	CHECK_STR(ask("MG1 report mg_buggy bad/x\n"),
		  "err code=2 msg=invalid%20module%20name%20%27bad/x%27\n");
	fx_write(&fx, "sys/module/ext4/parameters/x", "1\n");
	CHECK_STR(ask("MG1 report ext4\n"),
		  "err code=2 msg=module%20ext4%20is%20built%20into%20the%20kernel\n");
	/* no /proc/modules to read */
	fx.d.proc_modules = "/nonexistent/modules";
	CHECK_STR(ask("MG1 report\n"),
		  "err code=3 msg=cannot%20read%20modules:%20No%20such%20file%20"
		  "or%20directory\n");
	teardown();
}

static void history_verb(void)
{
	struct mg_ref_summary ref = { .kind = "timer" };
	char state_file[FX_PATH_MAX];
	const char *text, *id;
	size_t n;
	char **l;

	setup();
	CHECK_STR(ask("MG1 history\n"), "ok\n");
	snprintf(ref.function, sizeof(ref.function), "mg_buggy_timer_fn+0x0");
	id = fx_stale_record(&fx, "mg_buggy", "SRC1", "a timer", &ref, 1);
	text = ask("MG1 history\n");
	l = fx_lines_of(&fx, text, &n);
	CHECK_INT(n, 3);
	CHECK_STR(fx_field(&fx, n ? l[0] : "", "id"), id);
	CHECK_STR(fx_field(&fx, n ? l[0] : "", "outcome"), "stale");
	CHECK_STR(fx_field(&fx, n > 1 ? l[1] : "", "function"),
		  "mg_buggy_timer_fn+0x0");
	CHECK_STR(n > 2 ? l[2] : "", "ok");
	CHECK_STR(ask("MG1 history all\n"),
		  "err code=2 msg=history%20takes%20no%20arguments\n");
	/* a state dir that cannot be read */
	fx_write(&fx, "state-file", "x");
	fx.d.state_dir = fx_path(&fx, "state-file", state_file,
				 sizeof(state_file));
	CHECK_CONTAINS(ask("MG1 history\n"), "err code=3 msg=cannot%20read%20records");
	teardown();
}

static void bad_requests(void)
{
	static const char too_long[] =
		"err code=2 msg=request%20is%20not%20one%20line%20of%20at%20"
		"most%204096%20bytes\n";
	char big[MG_REQUEST_MAX + 2];
	struct fx_client *c;

	setup();
	CHECK_STR(ask("MG1 frobnicate\n"),
		  "err code=2 msg=unknown%20request%20%27frobnicate%27\n");
	CHECK_STR(ask("MG2 status\n"),
		  "err code=2 msg=unsupported%20protocol%20version%20%28this%20"
		  "is%20MG1%29\n");
	CHECK_STR(ask("MG1  status\n"),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	CHECK_STR(ask_raw("MG1 status\0x\n", 13),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	/* an empty line has no MG1 either */
	CHECK_STR(ask("\n"),
		  "err code=2 msg=unsupported%20protocol%20version%20%28this%20"
		  "is%20MG1%29\n");
	/* the longest request is read whole: a bad name, not a bad line */
	memcpy(big, "MG1 report ", 11);
	memset(big + 11, 'a', MG_REQUEST_MAX - 12);
	big[MG_REQUEST_MAX - 1] = '\n';
	CHECK_CONTAINS(ask_raw(big, MG_REQUEST_MAX),
		       "err code=2 msg=invalid%20module%20name%20%27aaaa");
	/* one byte more is too long */
	big[MG_REQUEST_MAX - 1] = 'a';
	big[MG_REQUEST_MAX] = '\n';
	CHECK_STR(ask_raw(big, MG_REQUEST_MAX + 1), too_long);
	/* ... and so is as much without a newline, never ending */
	CHECK_STR(ask_raw(big, MG_REQUEST_MAX), too_long);
	/* no newline before the client stops sending: no answer, closed */
	c = fx_connect(&fx);
	CHECK_INT(fx_client_say(c, "MG1 status"), 0);
	shutdown(c->fd, SHUT_WR);
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	CHECK_STR(fx_client_take(&fx, c), too_long);
	/* the server is still there */
	CHECK_STR(ask("MG1 history\n"), "ok\n");
	CHECK_INT(fx.d.nconns, 0);
	teardown();
}

/* a request in pieces, a half-closed client, one after another */
static void requests_in_pieces(void)
{
	static const char req[] = "MG1 history\n";
	struct fx_client *slow, *c;

	setup();
	slow = fx_connect(&fx);
	for (size_t i = 0; i + 1 < sizeof(req) - 1; i++) {
		CHECK_INT(fx_client_send(slow, req + i, 1), 0);
		fx_serve_once(&fx, 0);
		/* another client meanwhile is answered at once */
		if (i == 3)
			CHECK_STR(ask("MG1 history\n"), "ok\n");
	}
	CHECK_STR(fx_client_take(&fx, slow), "");
	CHECK(!slow->eof);
	CHECK_INT(fx_client_send(slow, "\n", 1), 0);
	CHECK(fx_serve_until_eof(&fx, slow, FX_SERVE_MS) >= 0);
	CHECK_STR(fx_client_take(&fx, slow), "ok\n");
	/* the request, then the end of its input: still answered */
	c = fx_connect(&fx);
	CHECK_INT(fx_client_say(c, req), 0);
	shutdown(c->fd, SHUT_WR);
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	CHECK_STR(fx_client_take(&fx, c), "ok\n");
	/* a second request on the same connection is not read */
	c = fx_connect(&fx);
	CHECK_INT(fx_client_say(c, "MG1 history\nMG1 status\n"), 0);
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	CHECK_STR(fx_client_take(&fx, c), "ok\n");
	teardown();
}

/* a request from a new client: the rounds until its "ok" came */
static int rounds_for(const char *req, const char **answer)
{
	struct fx_client *c = fx_connect(&fx);
	int rounds;

	CHECK_INT(fx_client_say(c, req), 0);
	rounds = fx_serve_until_tag(&fx, c, "ok", FX_SERVE_MS);
	*answer = fx_client_take(&fx, c);
	return rounds;
}

#define IDLE 30

/*
 * 30 idle connections and one sending a byte every 100 ms: another
 * client's status and report are answered within two rounds of the loop
 * (one accepts, one reads and answers), as on an idle daemon.  At the
 * request deadline each of the 31 is told so and closed.
 */
static void slow_and_idle_clients_delay_nobody(void)
{
	static const char partial[] = "MG1 report mg_buggy mg_buggy mg_buggy";
	struct fx_client *idle[IDLE], *slow;
	const char *answer;
	uint64_t start = now_ms(), next;
	size_t sent = 0;
	int rounds;

	setup();
	fx_load_buggy(&fx, 0, "-");
	for (int i = 0; i < IDLE; i++)
		idle[i] = fx_connect(&fx);
	slow = fx_connect(&fx);
	serve_until_nconns(IDLE + 1);
	/* the slow one's first bytes; then the others ask, in between */
	for (next = now_ms(); sent < 5; next += 100) {
		fx_client_send(slow, partial + sent++, 1);
		while (now_ms() < next + 100)
			fx_serve_once(&fx, 20);
	}
	rounds = rounds_for("MG1 status\n", &answer);
	CHECK(rounds >= 1 && rounds <= 2);
	CHECK(!strncmp(answer, "status version=", 15));
	rounds = rounds_for("MG1 report mg_buggy\n", &answer);
	CHECK(rounds >= 1 && rounds <= 2);
	CHECK_CONTAINS(answer, "module name=mg_buggy ");
	CHECK(ends_with_ok(answer));
	/* nobody was answered or closed for it (unless this took so long) */
	for (int i = 0; i < IDLE && now_ms() - start < MG_REQUEST_MS; i++)
		CHECK(!idle[i]->eof && !idle[i]->len);
	CHECK(now_ms() - start >= MG_REQUEST_MS || (!slow->eof && !slow->len));

	/* the slow one goes on until the deadline ends it */
	for (next = now_ms(); !slow->eof && now_ms() - start < 10000;
	     next += 100) {
		if (sent < sizeof(partial) - 1)
			fx_client_send(slow, partial + sent++, 1);
		while (!slow->eof && now_ms() < next + 100)
			fx_serve_once(&fx, 20);
	}
	CHECK(fx_serve_until_eof(&fx, slow, 10000) >= 0);
	/* never before MG_REQUEST_MS: it is the whole request's deadline */
	CHECK(now_ms() - start >= MG_REQUEST_MS);
	CHECK_STR(fx_client_take(&fx, slow),
		  "err code=2 msg=no%20complete%20request%20line%20within%20"
		  "2000%20ms\n");
	for (int i = 0; i < IDLE; i++) {
		CHECK(fx_serve_until_eof(&fx, idle[i], 10000) >= 0);
		CHECK_STR(fx_client_take(&fx, idle[i]),
			  "err code=2 msg=no%20complete%20request%20line%20"
			  "within%202000%20ms\n");
	}
	CHECK_INT(fx.d.nconns, 0);
	teardown();
}

/* has c input it did not read? */
static int has_input(struct fx *f, void *arg)
{
	(void)f;
	return fx_wait_readable(((struct fx_client *)arg)->fd, 0);
}

/*
 * A client that does not read a long answer: the rest is queued, the loop
 * goes on (another client is answered within two rounds), and the whole
 * answer arrives once it reads.
 */
static void a_client_that_does_not_read_delays_nobody(void)
{
	static struct mg_ref_summary refs[MG_RECORD_MAX_REFS];
	struct fx_client *lazy;
	const char *answer;
	size_t n = 24;

	setup();
	for (size_t i = 0; i < MG_RECORD_MAX_REFS; i++) {
		snprintf(refs[i].kind, sizeof(refs[i].kind), "timer");
		memset(refs[i].note, 'n', sizeof(refs[i].note) - 1);
	}
	/* far more than a socket takes at once */
	for (size_t i = 0; i < n; i++)
		fx_stale_record(&fx, "mg_buggy", "", "", refs, MG_RECORD_MAX_REFS);
	lazy = fx_connect(&fx);
	lazy->paused = 1;
	CHECK_INT(fx_client_say(lazy, "MG1 history\n"), 0);
	CHECK(fx_serve_until(&fx, has_input, lazy, FX_SERVE_MS) >= 0);
	fx_serve_once(&fx, 0);
	CHECK(rounds_for("MG1 status\n", &answer) <= 2);
	CHECK(!strncmp(answer, "status version=", 15));
	/* still there, its answer waiting */
	CHECK_INT(fx.d.nconns, 1);
	lazy->paused = 0;
	CHECK(fx_serve_until_eof(&fx, lazy, FX_SERVE_MS) >= 0);
	answer = fx_client_take(&fx, lazy);
	CHECK(strlen(answer) > 1000000);
	CHECK_INT(fx_count_tag(&fx, answer, "record"), n);
	CHECK(ends_with_ok(answer));
	CHECK_INT(fx.d.nconns, 0);
	teardown();
}

/* connect n clients as euid and serve until the daemon holds want */
static void connect_many(uid_t euid, size_t n, size_t want)
{
	for (size_t i = 0; i < n; i++)
		fx_connect_as(&fx, euid);
	serve_until_nconns(want);
}

/* a client over a limit: one err line, closed */
static void check_turned_away(uid_t euid, const char *msg)
{
	struct fx_client *c = fx_connect_as(&fx, euid);
	const char *text;

	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	text = fx_client_take(&fx, c);
	CHECK_STR(fx_keys(&fx, text), "err code msg");
	CHECK_STR(fx_field(&fx, text, "code"), "3");
	CHECK_STR(fx_field(&fx, text, "msg"), msg);
}

/*
 * MG_MAX_CONNS_PER_UID connections of one uid, then the next of it is
 * turned away; another uid and root still get in.  MG_MAX_CONNS in all,
 * then everybody is turned away, root too.  (The idle ones are all
 * connected well within their request deadline; a machine too slow for
 * that cannot tell.)
 */
static void connection_limits(void)
{
	uint64_t start;
	const char *answer;

	if (geteuid() != 0)
		check_skip("connecting as other uids needs root");
	setup();
	start = now_ms();
	connect_many(NOBODY, MG_MAX_CONNS_PER_UID, MG_MAX_CONNS_PER_UID);
	check_turned_away(NOBODY, "too many connections of this user to "
				  "modguardd; retry");
	CHECK_INT(fx.d.nconns, MG_MAX_CONNS_PER_UID);
	/* root counts only in the total, another user on its own */
	CHECK(rounds_for("MG1 status\n", &answer) >= 0);
	CHECK(!strncmp(answer, "status version=", 15));
	answer = ask_raw_as(NOBODY - 1, "MG1 history\n", 12);
	CHECK_STR(answer, "ok\n");
	/* the rest as root, up to the total */
	connect_many(0, MG_MAX_CONNS - MG_MAX_CONNS_PER_UID, MG_MAX_CONNS);
	check_turned_away(0, "modguardd is serving too many connections; "
			     "retry");
	check_turned_away(NOBODY - 1, "modguardd is serving too many "
				      "connections; retry");
	CHECK_INT(fx.d.nconns, MG_MAX_CONNS);
	if (now_ms() - start >= MG_REQUEST_MS) {
		teardown();
		check_skip("too slow to connect them within the request deadline");
	}
	teardown();
}

/* an unload from a peer that may not is answered by the server at once */
static void unload_needs_the_capability(void)
{
	const char *text;

	if (geteuid() != 0)
		check_skip("connecting as uid 65534 needs root");
	setup();
	fx_load_buggy(&fx, 0, "-");
	text = ask_raw_as(NOBODY, "MG1 unload mg_buggy 1000 guarded\n", 33);
	CHECK_STR(fx_field(&fx, text, "code"), "2");
	CHECK_CONTAINS(fx_field(&fx, text, "msg"), "needs root (CAP_SYS_MODULE)");
	CHECK(fx.d.ops == NULL);
	teardown();
}

static void unload_is_handed_over(void)
{
	const char *text;

	setup();
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	/* a dry run is answered at once, by the guarded unload */
	text = ask("MG1 unload mg_buggy 1000 dry-run\n");
	CHECK_CONTAINS(text, "result module=mg_buggy outcome=dry-run exit=0 ");
	CHECK_CONTAINS(text, "\nref kind=timer ");
	CHECK(ends_with_ok(text));
	CHECK_STR(ask("MG1 unload mg_buggy\n"),
		  "err code=2 msg=usage:%20unload%20MODULE%20TIMEOUT_MS%20"
		  "guarded%7Cdry-run%7Cforce\n");
	CHECK_INT(fx.d.nconns, 0);
	teardown();
}

/* report and history for nobody: symbols, pids, verdicts, no address */
static void nobody_sees_no_addresses(void)
{
	struct mg_ref_summary ref = { .kind = "timer", .pid = 150 };
	const char *report, *history;

	if (geteuid() != 0)
		check_skip("connecting as uid 65534 needs root");
	setup();
	fx_everything(&fx);
	snprintf(ref.function, sizeof(ref.function), "0xffffffffc0001234");
	snprintf(ref.note, sizeof(ref.note), "object 0xffff888000100000");
	fx_stale_record(&fx, "mg_buggy", "", "left at 0xffffffffc0000100",
			&ref, 1);
	report = ask_raw_as(NOBODY, "MG1 report\n", 11);
	history = ask_raw_as(NOBODY, "MG1 history\n", 12);
	CHECK_CONTAINS(report, "verdict=busy");
	CHECK_CONTAINS(report, "function=mg_buggy_timer_fn+0x0");
	CHECK_CONTAINS(report, "pid=402");
	CHECK(!fx_has_raw_addr(report));
	CHECK_CONTAINS(history, "pid=150");
	CHECK(!fx_has_raw_addr(history));
	/* root, its capabilities unknown: none either */
	CHECK(!fx_has_raw_addr(ask("MG1 history\n")));
	/* CAP_SYSLOG: they are there, as on disk */
	mg_stub.peer_cred = (struct mg_peer_cred){ .caps = 1ull << 34,
						   .valid = 1 };
	CHECK(fx_has_raw_addr(ask("MG1 history\n")));
	CHECK(fx_has_raw_addr(ask("MG1 report\n")));
	teardown();
}

static void socket_setup(void)
{
	struct mg_daemon other;
	struct stat st;
	char longpath[200];

	setup();
	/* its folder was created, the socket is open to everyone */
	CHECK_INT(stat(fx.socket, &st), 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0666);
	/* connections are marked for their credentials */
	CHECK_INT(mg_stub.listener_fd, fx.d.listen_fd);
	/* a second daemon on the same socket is refused */
	other = fx.d;
	other.epoll_fd = -1;
	CHECK_INT(mg_server_open(&other), -EADDRINUSE);
	CHECK_CONTAINS(fx_log(&fx), "another modguardd already answers on");
	/* gone: the socket goes with it, and the connections */
	fx_connect(&fx);
	serve_until_nconns(1);
	mg_server_close(&fx.d);
	CHECK_INT(fx.d.listen_fd, -1);
	CHECK_INT(fx.d.nconns, 0);
	CHECK(stat(fx.socket, &st) < 0 && errno == ENOENT);
	mg_server_close(&fx.d); /* twice is harmless */
	/* a leftover socket file nobody answers on is replaced */
	other = fx.d;
	other.epoll_fd = -1;
	CHECK_INT(mg_server_open(&other), 0);
	close(other.listen_fd);
	close(other.server_timer_fd);
	close(other.epoll_fd);
	CHECK_INT(stat(fx.socket, &st), 0);
	CHECK_INT(mg_server_open(&fx.d), 0);
	CHECK_STR(ask("MG1 history\n"), "ok\n");
	/* a path longer than a socket address holds */
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	other.socket_path = longpath;
	CHECK_INT(mg_server_open(&other), -ENAMETOOLONG);
	teardown();
}

int main(void)
{
	RUN(status_verb);
	RUN(report_verb);
	RUN(report_errors);
	RUN(history_verb);
	RUN(bad_requests);
	RUN(requests_in_pieces);
	RUN(slow_and_idle_clients_delay_nobody);
	RUN(a_client_that_does_not_read_delays_nobody);
	RUN(connection_limits);
	RUN(unload_needs_the_capability);
	RUN(unload_is_handed_over);
	RUN(nobody_sees_no_addresses);
	RUN(socket_setup);
	return check_done();
}
