// SPDX-License-Identifier: GPL-2.0
/*
 * The socket's transport: non-blocking connections, each with its own
 * state in the daemon's one epoll loop, so that no client can delay
 * another, the ring buffer or a deadline.  A client gets MG_REQUEST_MS to
 * send one whole request line and MG_REPLY_MS to take its answer; the
 * connections open at once are bounded in total and per uid.  The verbs
 * themselves are requests.c.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "guarded_unload.h"
#include "log.h"
#include "outcome.h"
#include "proto.h"
#include "requests.h"
#include "server.h"

#define MS 1000000ull

enum conn_state {
	CONN_READING, /* waiting for its request line */
	CONN_HANDED,  /* a guarded unload answers on it */
	CONN_CLOSING, /* answered: closed once the answer is out */
};

struct mg_conn {
	struct mg_source src; /* first: the epoll tag */
	struct mg_conn *next;
	int fd;
	enum conn_state state;
	struct mg_peer peer;
	uint64_t read_deadline;  /* CLOCK_MONOTONIC ns; 0: none */
	uint64_t write_deadline; /* while output is pending */
	char in[MG_REQUEST_MAX + 1];
	size_t in_len;
	char *out; /* pending output */
	size_t out_len, out_off;
	void *owner; /* the guarded unload, while handed */
	int gone;    /* the peer hung up or failed */
};

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

static int epoll_add(struct mg_daemon *d, int fd, uint32_t events,
		     struct mg_source *src)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void epoll_mod(struct mg_daemon *d, struct mg_conn *c)
{
	struct epoll_event ev = { .events = 0, .data.ptr = &c->src };

	/*
	 * Reading, and a handed connection: its request, follow-ups and
	 * hang-ups.  An answered one only writes: a client may half-close
	 * once it has sent its request.
	 */
	if (c->state != CONN_CLOSING)
		ev.events |= EPOLLIN | EPOLLRDHUP;
	if (c->out_off < c->out_len)
		ev.events |= EPOLLOUT;
	epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
}

static int listen_on(struct mg_daemon *d, const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err;

	if (fd < 0)
		return -errno;
	/* a socket file nobody answers on is a leftover of a crash */
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		mg_err("server: another modguardd already answers on %s",
		       d->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	/* connections to this socket get their credentials recorded */
	if (d->bpf)
		mg_bpf_mark_listener(d->bpf, fd);
	unlink(d->socket_path);
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, 64)) {
		err = -errno;
		mg_err("server: cannot listen on %s: %s", d->socket_path,
		       strerror(-err));
		close(fd);
		return err;
	}
	/* anyone may ask for a report; what they see is their peer's right */
	chmod(d->socket_path, 0666);
	return fd;
}

int mg_server_open(struct mg_daemon *d)
{
	static struct mg_source listen_src = { MG_SRC_LISTEN };
	static struct mg_source timer_src = { MG_SRC_SERVER_TIMER };
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
	if (d->epoll_fd < 0)
		d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	d->server_timer_fd = timerfd_create(CLOCK_MONOTONIC,
					    TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epoll_fd < 0 || d->server_timer_fd < 0)
		return -errno;
	fd = listen_on(d, &sa);
	if (fd < 0)
		return fd;
	d->listen_fd = fd;
	err = epoll_add(d, fd, EPOLLIN, &listen_src);
	if (!err)
		err = epoll_add(d, d->server_timer_fd, EPOLLIN, &timer_src);
	return err;
}

static void conn_free(struct mg_daemon *d, struct mg_conn *c)
{
	struct mg_conn **pp;

	for (pp = &d->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	d->nconns--;
	epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/*
 * The peer is gone (or failed): it is freed at the next reap, never under
 * the feet of whoever is sending to it.
 */
static void conn_drop(struct mg_conn *c)
{
	c->gone = 1;
}

void mg_server_reap(struct mg_daemon *d)
{
	struct mg_conn *c, *next;

	for (c = d->conns; c; c = next) {
		next = c->next;
		if (c->gone && c->owner) {
			void *owner = c->owner;

			/* its unload hears of it (and may send no more) */
			c->owner = NULL;
			mg_unload_client_gone(d, owner);
			next = d->conns; /* the list may have changed */
			continue;
		}
		if (c->gone || (c->state == CONN_CLOSING &&
				c->out_off == c->out_len))
			conn_free(d, c);
	}
}

static void rearm_timer(struct mg_daemon *d)
{
	uint64_t next = 0;

	for (struct mg_conn *c = d->conns; c; c = c->next) {
		if (c->read_deadline && (!next || c->read_deadline < next))
			next = c->read_deadline;
		if (c->write_deadline && (!next || c->write_deadline < next))
			next = c->write_deadline;
	}
	mg_timerfd_at(d->server_timer_fd, next);
}

/* write what the socket takes now; the rest waits for EPOLLOUT */
static void conn_flush(struct mg_daemon *d, struct mg_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_drop(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
		c->write_deadline = 0;
	} else if (!c->write_deadline) {
		c->write_deadline = mg_clock_ns(CLOCK_MONOTONIC) +
				    MG_REPLY_MS * MS;
	}
	epoll_mod(d, c);
	rearm_timer(d);
}

void mg_conn_send(struct mg_daemon *d, struct mg_conn *c, const void *buf,
		  size_t len)
{
	char *n;

	if (c->gone || !len)
		return;
	n = realloc(c->out, c->out_len + len);
	if (!n) {
		mg_err("server: out of memory: dropping the client of pid %d",
		       (int)c->peer.pid);
		conn_drop(c);
		return;
	}
	memcpy(n + c->out_len, buf, len);
	c->out = n;
	c->out_len += len;
	conn_flush(d, c);
}

void mg_conn_finish(struct mg_daemon *d, struct mg_conn *c)
{
	c->owner = NULL;
	c->state = CONN_CLOSING;
	c->read_deadline = 0;
	if (!c->gone)
		epoll_mod(d, c);
}

const struct mg_peer *mg_conn_peer(const struct mg_conn *c)
{
	return &c->peer;
}

void mg_conn_hand_over(struct mg_conn *c, void *owner)
{
	c->owner = owner;
	c->state = CONN_HANDED;
}

/* an answer for a client that is not let in, best effort, then close */
static void turn_away(int fd, const char *msg)
{
	struct mg_line l = { 0 };

	if (!mg_line_err(&l, MG_OUTCOME_FAILED, msg))
		if (send(fd, l.buf, l.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			mg_dbg("server: could not tell a client: %s",
			       strerror(errno));
	mg_line_free(&l);
	close(fd);
}

static size_t conns_of(const struct mg_daemon *d, uid_t uid)
{
	size_t n = 0;

	for (const struct mg_conn *c = d->conns; c; c = c->next)
		n += c->peer.uid == uid;
	return n;
}

/* the limits: in total, and per uid (root only counts in the total) */
static const char *over_limit(const struct mg_daemon *d, const struct mg_peer *p)
{
	if (d->nconns >= MG_MAX_CONNS)
		return "modguardd is serving too many connections; retry";
	if (p->uid != 0 && conns_of(d, p->uid) >= MG_MAX_CONNS_PER_UID)
		return "too many connections of this user to modguardd; retry";
	return NULL;
}

void mg_server_on_listen(struct mg_daemon *d)
{
	for (int i = 0; i < 16; i++) {
		struct mg_peer peer;
		struct mg_conn *c;
		const char *why;
		int fd = accept4(d->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		if (mg_peer_of_fd(d, fd, &peer)) {
			turn_away(fd, "modguardd cannot tell who you are "
				      "(SO_PEERCRED failed)");
			continue;
		}
		why = over_limit(d, &peer);
		c = why ? NULL : calloc(1, sizeof(*c));
		if (!c) {
			turn_away(fd, why ? why : "modguardd is out of memory");
			continue;
		}
		c->src.kind = MG_SRC_CONN;
		c->fd = fd;
		c->peer = peer;
		c->read_deadline = mg_clock_ns(CLOCK_MONOTONIC) +
				   MG_REQUEST_MS * MS;
		if (epoll_add(d, fd, EPOLLIN | EPOLLRDHUP, &c->src)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = d->conns;
		d->conns = c;
		d->nconns++;
		rearm_timer(d);
	}
}

/* the request line of c is complete: answer it */
static void conn_answer(struct mg_daemon *d, struct mg_conn *c, size_t len)
{
	char *reply = NULL;
	size_t reply_len = 0;
	FILE *out = open_memstream(&reply, &reply_len);
	int handed;

	c->read_deadline = 0;
	if (!out) {
		conn_drop(c);
		return;
	}
	handed = mg_requests_answer(d, c, &c->peer, c->in, len, out);
	fclose(out);
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
	if (!handed) {
		mg_conn_send(d, c, reply, reply_len);
		mg_conn_finish(d, c);
	}
	free(reply);
}

/* a line from the client of a guarded unload ("MG1 done <errno>") */
static void conn_follow_up(struct mg_daemon *d, struct mg_conn *c, size_t len)
{
	char *verb, *args[4];
	int nargs;

	/* not even a request line: out of turn too, answered and dropped */
	if (mg_request_parse_n(c->in, len, &verb, args, 4, &nargs)) {
		verb = "(not a request line)";
		nargs = 0;
	}
	if (c->owner)
		mg_unload_client_line(d, c->owner, verb, args, nargs);
	else
		conn_drop(c);
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
}

/* what c sent cannot become a request line: say so, then close */
static void conn_not_a_line(struct mg_daemon *d, struct mg_conn *c)
{
	struct mg_line l = { 0 };

	if (!mg_line_errf(&l, MG_OUTCOME_BAD_INPUT,
			  "request is not one line of at most %d bytes",
			  MG_REQUEST_MAX))
		mg_conn_send(d, c, l.buf, l.len);
	mg_line_free(&l);
	mg_conn_finish(d, c);
}

/* the complete lines in c->in: the request, or a handed one's follow-ups */
static void conn_lines(struct mg_daemon *d, struct mg_conn *c)
{
	size_t len;
	int framed;

	while (!c->gone && c->state != CONN_CLOSING &&
	       (framed = mg_frame_request(c->in, c->in_len, &len)) != 0) {
		if (framed < 0 && c->state == CONN_READING) {
			conn_not_a_line(d, c);
		} else if (framed < 0) {
			conn_drop(c);
		} else if (c->state == CONN_READING) {
			conn_answer(d, c, len);
		} else {
			conn_follow_up(d, c, len);
		}
	}
}

static void conn_read(struct mg_daemon *d, struct mg_conn *c)
{
	while (!c->gone && c->state != CONN_CLOSING) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 MG_REQUEST_MAX - c->in_len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == 0 && c->state == CONN_READING && c->in_len) {
			/* it stopped sending before the end of its line */
			conn_not_a_line(d, c);
			return;
		}
		if (n <= 0) {
			/* closed before its request, or a waiting client left */
			conn_drop(c);
			return;
		}
		c->in_len += (size_t)n;
		conn_lines(d, c);
	}
}

void mg_server_on_conn(struct mg_daemon *d, struct mg_conn *c,
		       uint32_t events)
{
	if ((events & EPOLLOUT) && !c->gone)
		conn_flush(d, c);
	if ((events & EPOLLIN) && !c->gone)
		conn_read(d, c);
	if ((events & (EPOLLHUP | EPOLLERR)) ||
	    ((events & EPOLLRDHUP) && c->state != CONN_CLOSING))
		conn_drop(c);
}

void mg_server_on_timer(struct mg_daemon *d)
{
	uint64_t ticks, now = mg_clock_ns(CLOCK_MONOTONIC);
	struct mg_conn *c, *next;

	if (read(d->server_timer_fd, &ticks, sizeof(ticks)) < 0 &&
	    errno != EAGAIN)
		return;
	for (c = d->conns; c; c = next) {
		next = c->next;
		if (c->write_deadline && c->write_deadline <= now) {
			mg_dbg("server: the client of pid %d did not take its "
			       "answer: dropped", (int)c->peer.pid);
			conn_drop(c);
		} else if (c->read_deadline && c->read_deadline <= now) {
			struct mg_line l = { 0 };

			if (!mg_line_errf(&l, MG_OUTCOME_BAD_INPUT,
					  "no complete request line within %d ms",
					  MG_REQUEST_MS))
				mg_conn_send(d, c, l.buf, l.len);
			mg_line_free(&l);
			mg_conn_finish(d, c);
		}
	}
	rearm_timer(d);
}

void mg_server_close(struct mg_daemon *d)
{
	for (struct mg_conn *c = d->conns; c; c = c->next)
		conn_drop(c);
	mg_server_reap(d);
	if (d->server_timer_fd >= 0)
		close(d->server_timer_fd);
	d->server_timer_fd = -1;
	if (d->listen_fd < 0)
		return;
	close(d->listen_fd);
	unlink(d->socket_path);
	d->listen_fd = -1;
}
