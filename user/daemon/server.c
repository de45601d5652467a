// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "caps.h"
#include "fsutil.h"
#include "log.h"
#include "parse.h"
#include "proto.h"
#include "report.h"
#include "records.h"
#include "server.h"
#include "guarded_unload.h"
#include "outcome.h"
#include "status.h"

/* a client gets this long to send its request and to take the answer */
#define MG_CLIENT_TIMEOUT_S 2

/* the socket's folder (0755: clients must reach the socket) */
static int socket_dir(const char *socket_path)
{
	char *copy = strdup(socket_path);
	int err;

	if (!copy)
		return -ENOMEM;
	err = mg_mkdir_p(dirname(copy), 0755, 0755, 0);
	free(copy);
	return err;
}

int mg_server_open(struct mg_daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path)) {
		mg_err("server: socket path %s is too long", d->socket_path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, d->socket_path);
	err = socket_dir(d->socket_path);
	if (err) {
		mg_err("server: cannot create the folder of %s: %s",
		       d->socket_path, strerror(-err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a socket file nobody answers on is a leftover of a crash */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		mg_err("server: another modguardd already answers on %s",
		       d->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(d->socket_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		err = -errno;
		mg_err("server: cannot listen on %s: %s", d->socket_path,
		       strerror(-err));
		close(fd);
		return err;
	}
	/* anyone may ask for a report; what they see is checked per request */
	chmod(d->socket_path, 0666);
	d->listen_fd = fd;
	return 0;
}

void mg_server_close(struct mg_daemon *d)
{
	if (d->listen_fd < 0)
		return;
	close(d->listen_fd);
	unlink(d->socket_path);
	d->listen_fd = -1;
}

static int read_int_file(const char *path, int dflt)
{
	char buf[32];
	int64_t v;

	if (mg_read_first_line(path, buf, sizeof(buf)) ||
	    mg_parse_s64(buf, INT32_MIN, INT32_MAX, &v))
		return dflt;
	return (int)v;
}

static int peer_has_cap(pid_t pid, int cap)
{
	char path[64];
	uint64_t eff;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return !mg_cap_eff_read(path, &eff) && mg_cap_has(eff, cap);
}

/*
 * Raw kernel addresses only for whom /proc/kallsyms would show them
 * (kallsyms_show_value(), kernel/ksyms_common.c): kptr_restrict 2 hides
 * them from everyone, 1 shows them with CAP_SYSLOG, 0 also when
 * perf_event_paranoid <= 1.
 */
static int may_see_addrs(pid_t pid)
{
	const int cap_syslog = 34;

	switch (read_int_file("/proc/sys/kernel/kptr_restrict", 1)) {
	case 0:
		if (read_int_file("/proc/sys/kernel/perf_event_paranoid", 2) <= 1)
			return 1;
		/* fall through */
	case 1:
		return peer_has_cap(pid, cap_syslog);
	default:
		return 0;
	}
}

static void reply_err(FILE *out, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_err(FILE *out, int code, const char *fmt, ...)
{
	struct mg_line l = { 0 };
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mg_line_verrf(&l, code, fmt, ap);
	va_end(ap);
	if (!err)
		fwrite(l.buf, 1, l.len, out);
	mg_line_free(&l);
}

static void reply_ok(FILE *out)
{
	struct mg_line l = { 0 };

	if (!mg_line_ok(&l))
		fwrite(l.buf, 1, l.len, out);
	mg_line_free(&l);
}

static void do_status(struct mg_daemon *d, char **args, int nargs, pid_t peer,
		      FILE *out)
{
	(void)args;
	(void)peer;
	if (nargs) {
		reply_err(out, MG_OUTCOME_BAD_INPUT, "status takes no arguments");
		return;
	}
	mg_status_encode(d, out);
	reply_ok(out);
}

/* -ENOENT/-EEXIST from the report as the message users should read */
static void reply_module_err(FILE *out, const char *name, int err)
{
	if (err == -ENOENT)
		reply_err(out, MG_OUTCOME_BAD_INPUT, "module %s is not loaded", name);
	else if (err == -EEXIST)
		reply_err(out, MG_OUTCOME_BAD_INPUT,
			  "module %s is built into the kernel", name);
	else
		reply_err(out, MG_OUTCOME_FAILED, "cannot report %s: %s", name,
			  strerror(-err));
}

static void do_report(struct mg_daemon *d, char **args, int nargs, pid_t peer,
		      FILE *out)
{
	int show_addrs = may_see_addrs(peer);
	char *body = NULL;
	size_t body_len = 0;
	FILE *b;
	int err = 0, i;

	for (i = 0; i < nargs; i++) {
		if (!mg_module_name_valid(args[i])) {
			reply_err(out, MG_OUTCOME_BAD_INPUT,
				  "invalid module name '%.64s'", args[i]);
			return;
		}
	}
	/* callbacks disarmed where no tracepoint saw it must not be listed */
	mg_bpf_settle_armed(d->bpf);
	mg_daemon_rescan(d);
	/* all or nothing: records only when every module could be reported */
	b = open_memstream(&body, &body_len);
	if (!b) {
		reply_err(out, MG_OUTCOME_FAILED, "out of memory");
		return;
	}
	if (!nargs)
		err = mg_report_all(d, show_addrs, b);
	for (i = 0; i < nargs && !err; i++)
		err = mg_report_module(d, args[i], show_addrs, b);
	fclose(b);
	if (err) {
		if (nargs)
			reply_module_err(out, args[i - 1], err);
		else
			reply_err(out, MG_OUTCOME_FAILED, "cannot read modules: %s",
				  strerror(-err));
	} else {
		fwrite(body, 1, body_len, out);
		reply_ok(out);
	}
	free(body);
}

static void do_history(struct mg_daemon *d, char **args, int nargs,
		       pid_t peer, FILE *out)
{
	struct mg_unload_record *recs = NULL;
	size_t n = 0, skipped = 0;
	int err;

	(void)args;
	(void)peer;
	if (nargs) {
		reply_err(out, MG_OUTCOME_BAD_INPUT, "history takes no arguments");
		return;
	}
	err = mg_records_load(d->state_dir, &recs, &n, &skipped);
	if (err) {
		reply_err(out, MG_OUTCOME_FAILED, "cannot read records in %s: %s",
			  d->state_dir, strerror(-err));
		return;
	}
	mg_records_emit(out, recs, n);
	mg_records_free(recs, n);
	reply_ok(out);
}

static const struct {
	const char *verb;
	void (*fn)(struct mg_daemon *, char **, int, pid_t, FILE *);
} verbs[] = {
	{ "status", do_status },
	{ "report", do_report },
	{ "history", do_history },
};

/* returns 1 when the connection was handed over (a guarded unload) */
static int answer(struct mg_daemon *d, int fd, char *req, size_t len,
		  struct ucred *cred, FILE *out)
{
	char *verb, *args[MG_MAX_ARGS];
	pid_t peer = cred->pid;
	int nargs, err;

	err = mg_request_parse_n(req, len, &verb, args, MG_MAX_ARGS, &nargs);
	if (err == -EPROTONOSUPPORT) {
		reply_err(out, MG_OUTCOME_BAD_INPUT,
			  "unsupported protocol version (this is %s)",
			  MG_PROTO_VERSION);
		return 0;
	}
	if (err) {
		reply_err(out, MG_OUTCOME_BAD_INPUT, "malformed request: %s",
			  strerror(-err));
		return 0;
	}
	if (!strcmp(verb, "unload")) {
		/* unloading is for whom the kernel would let unload */
		if (cred->uid != 0) {
			reply_err(out, MG_OUTCOME_BAD_INPUT,
				  "unloading a module needs root (CAP_SYS_MODULE)");
			return 0;
		}
		mg_unload_request(d, fd, args, nargs, peer);
		return 1;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(verb, verbs[i].verb)) {
			verbs[i].fn(d, args, nargs, peer, out);
			return 0;
		}
	}
	reply_err(out, MG_OUTCOME_BAD_INPUT, "unknown request '%.32s'", verb);
	return 0;
}

void mg_server_handle(struct mg_daemon *d)
{
	struct timeval tv = { .tv_sec = MG_CLIENT_TIMEOUT_S };
	char req[MG_REQUEST_MAX + 1];
	struct ucred cred = { 0 };
	socklen_t clen = sizeof(cred);
	char *reply = NULL;
	size_t len = 0, reply_len = 0, off;
	ssize_t n;
	FILE *out;
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen);

	/* one line; a request without '\n' is malformed, not waited on */
	while (len < MG_REQUEST_MAX && !memchr(req, '\n', len)) {
		n = read(fd, req + len, MG_REQUEST_MAX - len);
		if (n <= 0)
			break;
		len += n;
	}
	out = open_memstream(&reply, &reply_len);
	if (!out)
		goto out;
	if (!memchr(req, '\n', len)) {
		reply_err(out, MG_OUTCOME_BAD_INPUT, "request is not one line of at most %d bytes",
			  MG_REQUEST_MAX);
	} else if (answer(d, fd, req, (char *)memchr(req, '\n', len) - req + 1,
			  &cred, out)) {
		fclose(out);
		free(reply);
		return; /* the unload owns fd now */
	}
	fclose(out);
	for (off = 0; off < reply_len; off += n) {
		n = write(fd, reply + off, reply_len - off);
		if (n <= 0)
			break;
	}
	free(reply);
out:
	close(fd);
}
