// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what a client reads from the daemon's socket.  Two
 * parsers of it: mg_record_parse() on one reply line (user/lib/proto.c),
 * and the client's collector, mg_client_collect() (user/lib/client.c),
 * which cuts the stream into lines, parses them and stops at the final
 * "ok"/"err" line.
 *
 * Input: the first byte picks the most a read of the client gets (1 +
 * 16 * byte: 1 to 4081 bytes; 4081 means as much as the client asks for),
 * the rest is the byte stream the "daemon" sends before it closes.  The
 * client's recv() and poll() are the harness's own (see feed below), so a
 * read returns exactly such a piece.  Checks, besides the sanitizers:
 *   - every line that mg_record_parse() takes rebuilds (mg_line_*) into a
 *     line that parses again into the same tag, keys and values;
 *   - the collected reply (or the error) does not depend on how the
 *     stream was cut: reads of the chosen size give what reads of all
 *     the client asks for give;
 *   - a collected reply has valid tags and keys, err_msg exactly when
 *     err_code is not MG_OUTCOME_OK.
 * Formerly tests/unit/fuzz_proto.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "proto.h"

/* mg_record_parse() of one line; a parsed line must rebuild and reparse */
static void line_roundtrip(const char *data, size_t size)
{
	struct mg_record rec, again;
	struct mg_line l;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (mg_record_parse(buf, size, &rec)) {
		if (rec.nfields)
			abort();
		free(buf);
		return;
	}
	if (rec.nfields < 0 || rec.nfields > MG_MAX_FIELDS ||
	    !mg_proto_ident_valid(rec.tag))
		abort();
	/* the canonical form is never longer: it must build */
	if (mg_line_init(&l, rec.tag))
		abort();
	for (int i = 0; i < rec.nfields; i++)
		mg_line_add_str(&l, rec.f[i].key, rec.f[i].value);
	if (mg_line_finish(&l))
		abort();
	if (mg_record_parse(l.buf, l.len, &again) ||
	    strcmp(again.tag, rec.tag) || again.nfields != rec.nfields)
		abort();
	for (int i = 0; i < rec.nfields; i++)
		if (strcmp(again.f[i].key, rec.f[i].key) ||
		    strcmp(again.f[i].value, rec.f[i].value))
			abort();
	mg_line_free(&l);
	free(buf);
}

/*
 * The daemon's side of the connection: recv() and poll() on the client's
 * fd are these (linked with -Wl,--wrap=recv,--wrap=poll: only the calls
 * in user/lib are redirected), which hand out the stream in pieces of at
 * most feed_rd bytes and then report the end of the stream.
 */
static struct {
	int fd; /* the client's fd: a /dev/null that close() may close */
	const uint8_t *data;
	size_t size, off, rd;
} feed = { .fd = -1 };

ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	size_t n;

	if (fd != feed.fd || feed.fd < 0)
		return __real_recv(fd, buf, len, flags);
	n = feed.size - feed.off;
	if (n > feed.rd)
		n = feed.rd;
	if (n > len)
		n = len;
	memcpy(buf, feed.data + feed.off, n);
	feed.off += n;
	return (ssize_t)n;
}

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (nfds != 1 || fds[0].fd != feed.fd || feed.fd < 0)
		return __real_poll(fds, nfds, timeout);
	fds[0].revents = POLLIN;
	return 1;
}

struct result {
	int err;
	struct mg_reply r;
};

static void collect(const uint8_t *data, size_t size, size_t rd,
		    struct result *res)
{
	struct mg_client c;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		abort();
	feed.fd = fd;
	feed.data = data;
	feed.size = size;
	feed.off = 0;
	feed.rd = rd;
	mg_client_attach_fd(&c, fd, 10000);
	res->err = mg_client_collect(&c, &res->r);
	/* the stream always ends: no read ever waits for the timeout */
	if (res->err == -ETIMEDOUT)
		abort();
	mg_client_close(&c); /* closes fd */
	feed.fd = -1;
}

static void check_reply(const struct result *a)
{
	if (a->err) {
		if (a->r.nrecs || a->r.recs || a->r.err_msg)
			abort();
		return;
	}
	if ((a->r.err_code == MG_OUTCOME_OK) != (a->r.err_msg == NULL))
		abort();
	for (int i = 0; i < a->r.nrecs; i++) {
		const struct mg_record *rec = &a->r.recs[i].rec;

		if (!mg_proto_ident_valid(rec->tag) || mg_record_is_final(rec))
			abort();
		for (int j = 0; j < rec->nfields; j++)
			if (!mg_proto_ident_valid(rec->f[j].key))
				abort();
	}
}

static void same_reply(const struct result *a, const struct result *b)
{
	if (a->err != b->err || a->r.nrecs != b->r.nrecs ||
	    a->r.err_code != b->r.err_code ||
	    !a->r.err_msg != !b->r.err_msg ||
	    (a->r.err_msg && strcmp(a->r.err_msg, b->r.err_msg)))
		abort();
	for (int i = 0; i < a->r.nrecs; i++) {
		const struct mg_record *x = &a->r.recs[i].rec;
		const struct mg_record *y = &b->r.recs[i].rec;

		if (strcmp(x->tag, y->tag) || x->nfields != y->nfields)
			abort();
		for (int j = 0; j < x->nfields; j++)
			if (strcmp(x->f[j].key, y->f[j].key) ||
			    strcmp(x->f[j].value, y->f[j].value))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b;
	size_t rd;

	if (!size)
		return 0;
	rd = 1 + 16 * (size_t)data[0];
	data++;
	size--;

	/* each line of the stream, as mg_record_parse() gets it */
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : size - off;

		line_roundtrip((const char *)data + off, n);
		off += n;
	}

	if (rd == 4081)
		rd = SIZE_MAX;
	collect(data, size, rd, &a);
	check_reply(&a);
	if (rd != SIZE_MAX) {
		collect(data, size, SIZE_MAX, &b);
		same_reply(&a, &b);
		mg_reply_free(&b.r);
	}
	mg_reply_free(&a.r);
	return 0;
}
