// SPDX-License-Identifier: GPL-2.0
/* protocol client; see client.h */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

const char *mg_client_socket_path(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv(MG_SOCKET_ENV);
	if (env && *env)
		return env;
	return MG_DEFAULT_SOCKET;
}

static void client_init(struct mg_client *c, int fd, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
}

void mg_client_attach_fd(struct mg_client *c, int fd, int timeout_ms)
{
	client_init(c, fd, timeout_ms);
}

int mg_client_connect(struct mg_client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);
	int fd, err;

	client_init(c, -1, timeout_ms);
	if (!plen)
		return -EINVAL;
	if (plen >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, plen + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * a unix stream connect does not block on a live listener except when
	 * its backlog is full; that case is rare enough to wait it out
	 */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	c->fd = fd;
	return 0;
}

void mg_client_close(struct mg_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->err_msg);
	client_init(c, -1, c->timeout_ms);
}

int mg_client_send(struct mg_client *c, const char *verb,
		   const char *const *args, int nargs)
{
	struct mg_line l;
	size_t off = 0;
	int err;

	err = mg_request_build(&l, verb, args, nargs);
	if (err)
		goto out;
	while (off < l.len) {
		/* MSG_NOSIGNAL: a daemon that went away must not kill us */
		ssize_t n = send(c->fd, l.buf + off, l.len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		off += (size_t)n;
	}
out:
	mg_line_free(&l);
	return err;
}

/* read more bytes into buf; 0, -ETIMEDOUT, -EPROTO on EOF, or -errno */
static int client_fill(struct mg_client *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;
	int r;

	/* drop consumed bytes first so buf never grows past one line */
	if (c->off) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->cap - c->len < 4096) {
		size_t cap = c->cap ? c->cap * 2 : 8192;
		char *nb;

		/* a full line plus one read fits; the caller caps the length */
		if (cap > 2 * (size_t)MG_LINE_MAX + 8192)
			cap = 2 * (size_t)MG_LINE_MAX + 8192;
		if (cap <= c->cap)
			return -EMSGSIZE;
		nb = realloc(c->buf, cap);
		if (!nb)
			return -ENOMEM;
		c->buf = nb;
		c->cap = cap;
	}
	for (;;) {
		r = poll(&pfd, 1, c->timeout_ms < 0 ? -1 : c->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		/* leave a byte for the parser's NUL terminator */
		n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPROTO;
		c->len += (size_t)n;
		return 0;
	}
}

int mg_client_next(struct mg_client *c, const struct mg_record **rec)
{
	char *line, *nl;
	size_t llen;
	enum mg_outcome code;
	const char *msg;
	int err;

	*rec = NULL;
	if (c->done)
		return c->err_code ? -EREMOTEIO : 0;
	for (;;) {
		nl = c->buf ? memchr(c->buf + c->off, '\n', c->len - c->off)
			    : NULL;
		if (nl)
			break;
		if (c->len - c->off >= MG_LINE_MAX)
			return -EMSGSIZE;
		err = client_fill(c);
		if (err)
			return err;
	}
	line = c->buf + c->off;
	llen = (size_t)(nl - line) + 1;
	c->off += llen;
	err = mg_record_parse(line, llen, &c->rec);
	if (err == -EMSGSIZE)
		return err;
	if (err)
		return -EBADMSG;
	if (!mg_record_is_final(&c->rec)) {
		*rec = &c->rec;
		return 1;
	}
	c->done = 1;
	err = mg_record_final_status(&c->rec, &code, &msg);
	if (!err)
		return 0;
	c->err_code = code;
	c->err_msg = strdup(msg);
	if (!c->err_msg)
		return -ENOMEM;
	return -EREMOTEIO;
}

void mg_reply_free(struct mg_reply *r)
{
	for (int i = 0; i < r->nrecs; i++)
		free(r->recs[i].line);
	free(r->recs);
	free(r->err_msg);
	memset(r, 0, sizeof(*r));
}

/* deep-copy a record so it survives the client buffer */
static int reply_add(struct mg_reply *r, const struct mg_record *rec)
{
	struct mg_reply_rec *nr, *dst;
	size_t total = 0, off = 0;
	char *line;

	/* fields are NUL-separated in the copy: key\0value\0... */
	for (int i = 0; i < rec->nfields; i++)
		total += strlen(rec->f[i].key) + strlen(rec->f[i].value) + 2;
	line = malloc(total ? total : 1);
	if (!line)
		return -ENOMEM;
	nr = realloc(r->recs, sizeof(*nr) * (size_t)(r->nrecs + 1));
	if (!nr) {
		free(line);
		return -ENOMEM;
	}
	r->recs = nr;
	dst = &r->recs[r->nrecs++];
	dst->line = line;
	memcpy(dst->rec.tag, rec->tag, sizeof(dst->rec.tag));
	dst->rec.nfields = rec->nfields;
	for (int i = 0; i < rec->nfields; i++) {
		size_t kl = strlen(rec->f[i].key) + 1;
		size_t vl = strlen(rec->f[i].value) + 1;

		dst->rec.f[i].key = memcpy(line + off, rec->f[i].key, kl);
		off += kl;
		dst->rec.f[i].value = memcpy(line + off, rec->f[i].value, vl);
		off += vl;
	}
	return 0;
}

int mg_client_collect(struct mg_client *c, struct mg_reply *r)
{
	const struct mg_record *rec;
	int err;

	memset(r, 0, sizeof(*r));
	while ((err = mg_client_next(c, &rec)) == 1) {
		err = reply_add(r, rec);
		if (err)
			goto fail;
	}
	if (err == -EREMOTEIO) {
		r->err_code = c->err_code;
		r->err_msg = c->err_msg;
		c->err_msg = NULL;
		return 0;
	}
	if (!err)
		return 0;
fail:
	mg_reply_free(r);
	return err;
}

int mg_client_request(const char *path, int timeout_ms, const char *verb,
		      const char *const *args, int nargs, struct mg_reply *r)
{
	struct mg_client c;
	int err;

	memset(r, 0, sizeof(*r));
	err = mg_client_connect(&c, path, timeout_ms);
	if (!err)
		err = mg_client_send(&c, verb, args, nargs);
	if (!err)
		err = mg_client_collect(&c, r);
	mg_client_close(&c);
	return err;
}
