// SPDX-License-Identifier: GPL-2.0
/* protocol client against a fake daemon (a forked child) */
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../../user/lib/client.h"
#include "check.h"

/*
 * Fake server on one end of a socketpair: read the request, check it, then
 * write the canned reply (in small pieces, to exercise reassembly) and
 * either close or hang.
 */
static pid_t fake_server(int fd, const char *want_req, const char *reply,
			 size_t reply_len, int hang)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	{
		char req[MG_REQUEST_MAX + 1];
		size_t n = 0;

		while (n < sizeof(req) - 1) {
			ssize_t r = read(fd, req + n, 1);

			if (r <= 0)
				_exit(10);
			if (req[n++] == '\n')
				break;
		}
		req[n] = '\0';
		if (want_req && strcmp(req, want_req))
			_exit(11);
		for (size_t off = 0; off < reply_len; off += 7) {
			size_t chunk = reply_len - off < 7 ? reply_len - off : 7;

			if (write(fd, reply + off, chunk) < 0)
				_exit(12);
		}
		if (hang)
			pause();
		_exit(0);
	}
}

static int pair_client(struct mg_client *c, int timeout_ms, int *srv)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	mg_client_attach_fd(c, sv[0], timeout_ms);
	*srv = sv[1];
	return 0;
}

static int server_status(pid_t pid, int srv)
{
	int st;

	close(srv);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void t_records_and_ok(void)
{
	const char reply[] = "module name=mg_tidy refcnt=0 verdict=clean\n"
			     "ref kind=timer function=f%2B0x0\n"
			     "note text=a%20b\n"
			     "ok\n";
	const char *args[] = { "mg_tidy" };
	const struct mg_record *rec;
	struct mg_client c;
	int srv = -1;
	pid_t pid;

	CHECK_INT(pair_client(&c, 2000, &srv), 0);
	pid = fake_server(srv, "MG1 report mg_tidy\n", reply,
			  sizeof(reply) - 1, 0);
	CHECK_INT(mg_client_send(&c, "report", args, 1), 0);
	CHECK_INT(mg_client_next(&c, &rec), 1);
	CHECK_STR(rec->tag, "module");
	CHECK_STR(mg_record_get(rec, "verdict"), "clean");
	CHECK_INT(mg_client_next(&c, &rec), 1);
	CHECK_STR(rec->tag, "ref");
	CHECK_STR(mg_record_get(rec, "function"), "f+0x0");
	CHECK_INT(mg_client_next(&c, &rec), 1);
	CHECK_STR(mg_record_get(rec, "text"), "a b");
	CHECK_INT(mg_client_next(&c, &rec), 0);
	CHECK(rec == NULL);
	/* the end is sticky */
	CHECK_INT(mg_client_next(&c, &rec), 0);
	mg_client_close(&c);
	CHECK_INT(server_status(pid, srv), 0);
}

static void t_err_reply(void)
{
	const char reply[] = "err code=2 msg=module%20foo%20is%20not%20loaded\n";
	const char *args[] = { "foo" };
	struct mg_client c;
	struct mg_reply r;
	int srv = -1;
	pid_t pid;

	CHECK_INT(pair_client(&c, 2000, &srv), 0);
	pid = fake_server(srv, "MG1 report foo\n", reply, sizeof(reply) - 1, 0);
	CHECK_INT(mg_client_send(&c, "report", args, 1), 0);
	CHECK_INT(mg_client_collect(&c, &r), 0);
	CHECK_INT(r.nrecs, 0);
	CHECK_INT(r.err_code, MG_OUTCOME_BAD_INPUT);
	CHECK_STR(r.err_msg, "module foo is not loaded");
	mg_reply_free(&r);
	mg_client_close(&c);
	CHECK_INT(server_status(pid, srv), 0);
}

static void t_truncated_reply(void)
{
	static const char *const replies[] = {
		"",                          /* nothing at all */
		"module name=x\n",           /* records, no final line */
		"module name=x\nok",         /* final line without newline */
	};

	for (size_t i = 0; i < 3; i++) {
		struct mg_client c;
		struct mg_reply r;
		int srv = -1;
		pid_t pid;

		CHECK_INT(pair_client(&c, 2000, &srv), 0);
		pid = fake_server(srv, NULL, replies[i], strlen(replies[i]), 0);
		CHECK_INT(mg_client_send(&c, "status", NULL, 0), 0);
		close(srv);
		CHECK_INT(mg_client_collect(&c, &r), -EPROTO);
		CHECK_INT(r.nrecs, 0);
		mg_client_close(&c);
		CHECK_INT(server_status(pid, -1), 0);
	}
}

static void t_malformed_reply(void)
{
	const char reply[] = "module name=x\nthis is not=valid\nok\n";
	const struct mg_record *rec;
	struct mg_client c;
	int srv = -1;
	pid_t pid;

	CHECK_INT(pair_client(&c, 2000, &srv), 0);
	pid = fake_server(srv, NULL, reply, sizeof(reply) - 1, 0);
	CHECK_INT(mg_client_send(&c, "status", NULL, 0), 0);
	CHECK_INT(mg_client_next(&c, &rec), 1);
	CHECK_INT(mg_client_next(&c, &rec), -EBADMSG);
	mg_client_close(&c);
	server_status(pid, srv);
}

static void t_overlong_reply(void)
{
	size_t len = MG_LINE_MAX + 100;
	char *reply = malloc(len);
	struct mg_client c;
	struct mg_reply r;
	int srv = -1;
	pid_t pid;

	memset(reply, 'a', len);
	memcpy(reply, "t k=", 4);
	CHECK_INT(pair_client(&c, 2000, &srv), 0);
	pid = fake_server(srv, NULL, reply, len, 1);
	CHECK_INT(mg_client_send(&c, "status", NULL, 0), 0);
	CHECK_INT(mg_client_collect(&c, &r), -EMSGSIZE);
	mg_client_close(&c);
	kill(pid, SIGKILL);
	server_status(pid, srv);
	free(reply);
}

static void t_timeout(void)
{
	struct mg_client c;
	struct mg_reply r;
	int srv = -1;
	pid_t pid;

	CHECK_INT(pair_client(&c, 100, &srv), 0);
	pid = fake_server(srv, NULL, "module a=b\n", 11, 1);
	CHECK_INT(mg_client_send(&c, "status", NULL, 0), 0);
	CHECK_INT(mg_client_collect(&c, &r), -ETIMEDOUT);
	mg_client_close(&c);
	kill(pid, SIGKILL);
	server_status(pid, srv);
}

static void t_bad_request(void)
{
	const char *args[] = { "" };
	struct mg_client c;
	int srv = -1;

	CHECK_INT(pair_client(&c, 100, &srv), 0);
	CHECK_INT(mg_client_send(&c, "Bad", NULL, 0), -EINVAL);
	CHECK_INT(mg_client_send(&c, "report", args, 1), -EINVAL);
	mg_client_close(&c);
	close(srv);
}

static void t_socket_path(void)
{
	unsetenv(MG_SOCKET_ENV);
	CHECK_STR(mg_client_socket_path(NULL), MG_DEFAULT_SOCKET);
	CHECK_STR(mg_client_socket_path(""), MG_DEFAULT_SOCKET);
	setenv(MG_SOCKET_ENV, "/tmp/env.sock", 1);
	CHECK_STR(mg_client_socket_path(NULL), "/tmp/env.sock");
	CHECK_STR(mg_client_socket_path("/tmp/opt.sock"), "/tmp/opt.sock");
	setenv(MG_SOCKET_ENV, "", 1);
	CHECK_STR(mg_client_socket_path(NULL), MG_DEFAULT_SOCKET);
}

/* the whole path through a real listening socket */
static void t_unix_socket(void)
{
	char dir[] = "/tmp/mgtestXXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char reply[] = "status version=0.1 attached=1\nok\n";
	struct mg_reply r;
	int lfd;
	pid_t pid;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	strcpy(sa.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_INT(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT(listen(lfd, 4), 0);
	pid = fork();
	if (!pid) {
		for (int i = 0; i < 2; i++) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				_exit(1);
			waitpid(fake_server(fd, "MG1 status\n", reply,
					    sizeof(reply) - 1, 0),
				NULL, 0);
			close(fd);
		}
		_exit(0);
	}
	CHECK_INT(mg_client_request(path, 2000, "status", NULL, 0, &r), 0);
	CHECK_INT(r.nrecs, 1);
	CHECK_STR(r.recs[0].rec.tag, "status");
	CHECK_STR(mg_record_get(&r.recs[0].rec, "version"), "0.1");
	CHECK_INT(r.err_code, MG_OUTCOME_OK);
	mg_reply_free(&r);
	/* the listener takes one connection after another */
	CHECK_INT(mg_client_request(path, 2000, "status", NULL, 0, &r), 0);
	CHECK_INT(r.nrecs, 1);
	mg_reply_free(&r);
	waitpid(pid, NULL, 0);
	close(lfd);

	/* nobody listening any more */
	CHECK_INT(mg_client_request(path, 100, "status", NULL, 0, &r),
		  -ECONNREFUSED);
	unlink(path);
	CHECK_INT(mg_client_request(path, 100, "status", NULL, 0, &r), -ENOENT);
	rmdir(dir);
	{
		char longp[200];

		memset(longp, 'x', sizeof(longp));
		longp[0] = '/';
		longp[199] = '\0';
		CHECK_INT(mg_client_request(longp, 100, "status", NULL, 0, &r),
			  -ENAMETOOLONG);
	}
}

int main(void)
{
	RUN(t_records_and_ok);
	RUN(t_err_reply);
	RUN(t_truncated_reply);
	RUN(t_malformed_reply);
	RUN(t_overlong_reply);
	RUN(t_timeout);
	RUN(t_bad_request);
	RUN(t_socket_path);
	RUN(t_unix_socket);
	return check_done();
}
