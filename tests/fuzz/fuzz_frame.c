// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the server's framing of what a client sends, cut into
 * reads of any size.  mg_frame_request() (user/lib/proto.c) says whether
 * the bytes received so far start with a complete request line; each line
 * it cuts out goes to mg_request_parse_n(), as the daemon does.
 *
 * Input: the first byte picks the read size (1 + 17 * byte, 1 to 4336
 * bytes), the rest is the byte stream.  The stream is fed to a connection
 * buffer of MG_REQUEST_MAX bytes one read at a time, as the daemon's
 * non-blocking server does; the buffer's free part is poisoned, so ASan
 * sees any read past the bytes received.  Checks, besides the sanitizers:
 *   - a framed line is 1..MG_REQUEST_MAX bytes, ends in its only '\n';
 *   - 0 (more bytes needed) only without a '\n' and below MG_REQUEST_MAX;
 *     -EMSGSIZE only with MG_REQUEST_MAX bytes and no '\n' in them;
 *   - the lines and the final state do not depend on the read size: they
 *     are those of a reference framing of the whole stream.
 *
 * Until user/lib has mg_frame_request() (the weak reference below is then
 * NULL), the harness frames with its own reference framing, which is what
 * the blocking server did, and says so once at start-up; run-fuzz.sh
 * reports the harness as pending.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include "proto.h"

/* proto.h declares it once the framing is there; weak: NULL until then */
extern int mg_frame_request(const char *buf, size_t len, size_t *line_len)
	__attribute__((weak));

/* the contract, written out: at most MG_REQUEST_MAX bytes, '\n' included */
static int ref_frame(const char *buf, size_t len, size_t *line_len)
{
	size_t n = len < MG_REQUEST_MAX ? len : MG_REQUEST_MAX;
	const char *nl = memchr(buf, '\n', n);

	if (nl) {
		*line_len = (size_t)(nl - buf) + 1;
		return 1;
	}
	return len >= MG_REQUEST_MAX ? -EMSGSIZE : 0;
}

static int (*frame)(const char *, size_t, size_t *);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	frame = mg_frame_request;
	if (!frame) {
		fprintf(stderr, "fuzz_frame: PENDING: mg_frame_request() is not "
				"in user/lib; framing with the harness's own "
				"reference framing\n");
		frame = ref_frame;
	}
	return 0;
}

/* one call, with the invariants of the result */
static int frame_checked(const char *buf, size_t len, size_t *line_len)
{
	size_t ll = (size_t)-1;
	int r = frame(buf, len, &ll);
	const char *nl = memchr(buf, '\n', len < MG_REQUEST_MAX ? len : MG_REQUEST_MAX);

	switch (r) {
	case 1:
		if (ll < 1 || ll > len || ll > MG_REQUEST_MAX ||
		    buf[ll - 1] != '\n' || memchr(buf, '\n', ll - 1))
			abort();
		*line_len = ll;
		break;
	case 0:
		if (nl || len >= MG_REQUEST_MAX)
			abort();
		break;
	case -EMSGSIZE:
		if (nl || len < MG_REQUEST_MAX)
			abort();
		break;
	default:
		abort();
	}
	return r;
}

/* what happened to a stream: a hash of the lines framed, and how it ended */
struct outcome {
	uint64_t hash;
	size_t nlines;
	int end; /* 0: clean or partial line at EOF, -EMSGSIZE */
	size_t left; /* bytes of an unfinished line at EOF */
};

static void add_line(struct outcome *o, const char *line, size_t len)
{
	char *copy, *verb, *args[MG_MAX_ARGS];
	int nargs, err;

	for (size_t i = 0; i < len; i++)
		o->hash = (o->hash ^ (unsigned char)line[i]) * 0x100000001b3ull;
	o->hash = (o->hash ^ 0x1ff) * 0x100000001b3ull; /* line boundary */
	o->nlines++;
	/* the daemon parses it: a buffer of exactly len + 1 bytes */
	copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, line, len);
	err = mg_request_parse_n(copy, len, &verb, args, MG_MAX_ARGS, &nargs);
	if (!err && !mg_proto_ident_valid(verb))
		abort();
	free(copy);
}

/* the whole stream at once, with the reference framing */
static void reference(const char *s, size_t len, struct outcome *o)
{
	size_t off = 0, ll;
	int r = 0;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325ull;
	while (off < len && (r = ref_frame(s + off, len - off, &ll)) == 1) {
		add_line(o, s + off, ll);
		off += ll;
	}
	if (off < len && r == -EMSGSIZE)
		o->end = -EMSGSIZE;
	else
		o->left = len - off;
}

/* read by read into one connection buffer, as the server does */
static void incremental(const char *s, size_t len, size_t rd,
			struct outcome *o)
{
	static char conn[MG_REQUEST_MAX];
	size_t have = 0, off = 0, ll;
	int r = 0;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325ull;
	ASAN_POISON_MEMORY_REGION(conn, sizeof(conn));
	while (off < len) {
		size_t n = len - off;

		if (n > rd)
			n = rd;
		if (n > sizeof(conn) - have)
			n = sizeof(conn) - have;
		ASAN_UNPOISON_MEMORY_REGION(conn + have, n);
		memcpy(conn + have, s + off, n);
		have += n;
		off += n;
		/* every complete line in what is buffered */
		while (have && (r = frame_checked(conn, have, &ll)) == 1) {
			add_line(o, conn, ll);
			memmove(conn, conn + ll, have - ll);
			have -= ll;
			ASAN_POISON_MEMORY_REGION(conn + have, sizeof(conn) - have);
		}
		if (r == -EMSGSIZE) {
			o->end = -EMSGSIZE;
			break;
		}
	}
	if (!o->end)
		o->left = have;
	ASAN_UNPOISON_MEMORY_REGION(conn, sizeof(conn));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome a, b;
	size_t rd, ll;
	char *s;

	if (!size)
		return 0;
	rd = 1 + 17 * (size_t)data[0];
	data++;
	size--;
	/* the stream as one buffer of exactly its size */
	s = malloc(size ? size : 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	frame_checked(s, size, &ll);

	reference(s, size, &a);
	incremental(s, size, rd, &b);
	if (a.hash != b.hash || a.nlines != b.nlines || a.end != b.end ||
	    a.left != b.left)
		abort();
	free(s);
	return 0;
}
