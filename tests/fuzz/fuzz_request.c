// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a request line as a client sends it (the daemon's
 * mg_request_parse_n(), user/lib/proto.c).  The input is the line, '\n'
 * and all.  Checks, besides the sanitizers:
 *   - mg_request_parse() (NUL-terminated) agrees with mg_request_parse_n()
 *     on a line without NUL bytes;
 *   - a parsed request rebuilds (mg_request_build) into a line that parses
 *     again into the same verb and arguments.
 * Built and run by `make fuzz` (tests/fuzz/run-fuzz.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

struct parsed {
	int err;
	int nargs;
	char *verb;
	char *args[MG_MAX_ARGS];
};

/* a copy of exactly len + 1 bytes, so ASan sees any read past it */
static char *copy(const uint8_t *data, size_t len)
{
	char *buf = malloc(len + 1);

	if (!buf)
		abort();
	memcpy(buf, data, len);
	buf[len] = '\x7f'; /* the parser's to overwrite, not to read */
	return buf;
}

static void same(const struct parsed *a, const struct parsed *b)
{
	if (a->err != b->err)
		abort();
	if (a->err)
		return;
	if (a->nargs != b->nargs || strcmp(a->verb, b->verb))
		abort();
	for (int i = 0; i < a->nargs; i++)
		if (strcmp(a->args[i], b->args[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed p, q;
	struct mg_line l;
	char *buf, *buf2;

	buf = copy(data, size);
	p.err = mg_request_parse_n(buf, size, &p.verb, p.args, MG_MAX_ARGS,
				   &p.nargs);
	if (p.err && (p.verb || p.nargs))
		abort();
	if (!p.err && (p.nargs < 0 || p.nargs > MG_MAX_ARGS ||
		       !mg_proto_ident_valid(p.verb)))
		abort();

	/* the NUL-terminated variant, on a line without NUL */
	if (!memchr(data, '\0', size)) {
		buf2 = copy(data, size);
		buf2[size] = '\0';
		q.err = mg_request_parse(buf2, &q.verb, q.args, MG_MAX_ARGS,
					 &q.nargs);
		same(&p, &q);
		free(buf2);
	}

	/* fewer argument slots: -E2BIG, never a write past them */
	if (!p.err && p.nargs > 0) {
		char *few[MG_MAX_ARGS];

		buf2 = copy(data, size);
		q.err = mg_request_parse_n(buf2, size, &q.verb, few,
					   p.nargs - 1, &q.nargs);
		if (q.err != -E2BIG)
			abort();
		free(buf2);
	}

	/* rebuild: the canonical form is never longer, so it must build */
	if (!p.err) {
		if (mg_request_build(&l, p.verb, (const char *const *)p.args,
				     p.nargs))
			abort();
		if (l.len > MG_REQUEST_MAX || l.buf[l.len - 1] != '\n')
			abort();
		buf2 = copy((const uint8_t *)l.buf, l.len);
		q.err = mg_request_parse_n(buf2, l.len, &q.verb, q.args,
					   MG_MAX_ARGS, &q.nargs);
		same(&p, &q);
		free(buf2);
		mg_line_free(&l);
	}
	free(buf);
	return 0;
}
