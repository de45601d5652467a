// SPDX-License-Identifier: GPL-2.0
/*
 * The socket server (user/daemon/server.c): a listening socket in a temp
 * dir, a client that connects and sends raw request bytes, and one
 * mg_server_handle() per connection.  Every verb, and every way a request
 * can be wrong.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "fixtures/fixtures.h"
#include "guarded_unload.h"
#include "records.h"
#include "server.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static void setup(void)
{
	fx_init(&fx);
	CHECK_INT(mg_unload_init(&fx.d), 0);
	CHECK_INT(mg_server_open(&fx.d), 0);
	CHECK(fx.d.listen_fd >= 0);
}

static void teardown(void)
{
	mg_server_close(&fx.d);
	mg_unload_fini(&fx.d);
	fx_fini(&fx);
}

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(fx.socket) >= sizeof(sa.sun_path))
		abort();
	memcpy(sa.sun_path, fx.socket, strlen(fx.socket) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		check_fail(__FILE__, __LINE__, "connect %s: %s", fx.socket,
			   strerror(errno));
		return -1;
	}
	return fd;
}

/* send len bytes of req (then, close_write: end of input), get the answer */
static const char *ask_raw(const char *req, size_t len, int close_write)
{
	int fd = connect_client();
	const char *answer;

	if (fd < 0)
		return "";
	CHECK(write(fd, req, len) == (ssize_t)len);
	if (close_write)
		shutdown(fd, SHUT_WR);
	CHECK(fx_wait_readable(fx.d.listen_fd, 2000));
	mg_server_handle(&fx.d);
	answer = fx_read_to_eof(&fx, fd);
	close(fd);
	return answer;
}

static const char *ask(const char *req)
{
	return ask_raw(req, strlen(req), 0);
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
	CHECK(strlen(text) >= 3 && !strcmp(text + strlen(text) - 3, "ok\n"));

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
	struct mg_unload_record r = { 0 };
	struct mg_ref_summary ref = { .kind = "timer" };
	char state_file[FX_PATH_MAX];
	const char *text;
	size_t n;
	char **l;

	setup();
	CHECK_STR(ask("MG1 history\n"), "ok\n");
	snprintf(ref.function, sizeof(ref.function), "mg_buggy_timer_fn+0x0");
	snprintf(r.outcome, sizeof(r.outcome), "stale");
	snprintf(r.module, sizeof(r.module), "mg_buggy");
	snprintf(r.build, sizeof(r.build), "SRC1");
	snprintf(r.reason, sizeof(r.reason), "a timer");
	r.refs = &ref;
	r.nrefs = 1;
	CHECK_INT(mg_record_write(fx.state, &r), 0);
	text = ask("MG1 history\n");
	l = fx_lines_of(&fx, text, &n);
	CHECK_INT(n, 3);
	CHECK_STR(fx_field(&fx, n ? l[0] : "", "id"), r.id);
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
	char big[MG_REQUEST_MAX + 2];

	setup();
	CHECK_STR(ask("MG1 frobnicate\n"),
		  "err code=2 msg=unknown%20request%20%27frobnicate%27\n");
	CHECK_STR(ask("MG2 status\n"),
		  "err code=2 msg=unsupported%20protocol%20version%20%28this%20"
		  "is%20MG1%29\n");
	CHECK_STR(ask("MG1  status\n"),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	CHECK_STR(ask_raw("MG1 status\0x\n", 13, 0),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	/* an empty line has no MG1 either */
	CHECK_STR(ask("\n"),
		  "err code=2 msg=unsupported%20protocol%20version%20%28this%20"
		  "is%20MG1%29\n");
	/* no newline before the client stops sending */
	CHECK_STR(ask_raw("MG1 status", 10, 1),
		  "err code=2 msg=request%20is%20not%20one%20line%20of%20at%20"
		  "most%204096%20bytes\n");
	/* the longest request is read whole: a bad name, not a bad line */
	memcpy(big, "MG1 report ", 11);
	memset(big + 11, 'a', MG_REQUEST_MAX - 12);
	big[MG_REQUEST_MAX - 1] = '\n';
	CHECK_CONTAINS(ask_raw(big, MG_REQUEST_MAX, 0),
		       "err code=2 msg=invalid%20module%20name%20%27aaaa");
	/* one byte more is too long */
	big[MG_REQUEST_MAX - 1] = 'a';
	big[MG_REQUEST_MAX] = '\n';
	CHECK_STR(ask_raw(big, MG_REQUEST_MAX + 1, 0),
		  "err code=2 msg=request%20is%20not%20one%20line%20of%20at%20"
		  "most%204096%20bytes\n");
	/* the server is still there */
	CHECK_STR(ask("MG1 history\n"), "ok\n");
	teardown();
}

/* an unload request from uid 65534: the answer, read in a child */
static const char *unload_as_nobody(int *skipped)
{
	int pfd[2], status;
	char buf[512];
	ssize_t n;
	pid_t pid;

	*skipped = 0;
	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		const char *req = "MG1 unload mg_buggy 1000 guarded\n";
		struct timeval tv = { .tv_sec = 5 };
		int fd;

		close(pfd[0]);
		if (getuid() == 0 && setuid(65534))
			_exit(77);
		fd = connect_client();
		if (fd < 0 || write(fd, req, strlen(req)) < 0)
			_exit(1);
		/* handed over to an unload by mistake: no answer comes */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0 && write(pfd[1], buf, (size_t)n) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (fx_wait_readable(fx.d.listen_fd, 2000))
		mg_server_handle(&fx.d);
	n = fx_wait_readable(pfd[0], 10000) ? read(pfd[0], buf, sizeof(buf) - 1)
					    : 0;
	buf[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		*skipped = 1;
	return fx_own(&fx, strdup(buf));
}

static void unload_needs_root(void)
{
	const char *text;
	int skipped;

	setup();
	fx_load_buggy(&fx, 0, "-");
	text = unload_as_nobody(&skipped);
	if (skipped) {
		teardown();
		check_skip("cannot become uid 65534 here");
	}
	CHECK_STR(text, "err code=2 msg=unloading%20a%20module%20needs%20root%20"
			"%28CAP_SYS_MODULE%29\n");
	CHECK(fx.d.ops == NULL);
	teardown();
}

static void unload_is_handed_over(void)
{
	const char *text;

	if (getuid() != 0)
		check_skip("an unload request needs uid 0");
	setup();
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	/* a dry run is answered at once, by the guarded unload */
	text = ask("MG1 unload mg_buggy 1000 dry-run\n");
	CHECK_CONTAINS(text, "result module=mg_buggy outcome=dry-run exit=0 ");
	CHECK_CONTAINS(text, "\nref kind=timer ");
	CHECK(strlen(text) >= 3 && !strcmp(text + strlen(text) - 3, "ok\n"));
	CHECK_STR(ask("MG1 unload mg_buggy\n"),
		  "err code=2 msg=usage:%20unload%20MODULE%20TIMEOUT_MS%20"
		  "guarded%7Cdry-run%7Cforce\n");
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
	/* a second daemon on the same socket is refused */
	other = fx.d;
	CHECK_INT(mg_server_open(&other), -EADDRINUSE);
	CHECK_CONTAINS(fx_log(&fx), "another modguardd already answers on");
	/* gone: the socket goes with it */
	mg_server_close(&fx.d);
	CHECK_INT(fx.d.listen_fd, -1);
	CHECK(stat(fx.socket, &st) < 0 && errno == ENOENT);
	mg_server_close(&fx.d); /* twice is harmless */
	/* a leftover socket file nobody answers on is replaced */
	CHECK_INT(mg_server_open(&other), 0);
	close(other.listen_fd);
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
	RUN(unload_needs_root);
	RUN(unload_is_handed_over);
	RUN(socket_setup);
	return check_done();
}
