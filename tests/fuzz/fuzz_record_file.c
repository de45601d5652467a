// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a record file as the daemon reads it back from
 * STATE/records/ (mg_record_format_parse(), user/lib/record_format.c),
 * after a crash, a copy or disk trouble.  The input is the whole file.
 * Checks, besides the sanitizers:
 *   - a failure sets why and leaves no refs allocated;
 *   - a parsed record is written back (mg_record_format_write) into a file
 *     that parses again into the same record, field by field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record_format.h"

#define ID "20261129T012233.123456Z-fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mg_log_init("fuzz_record_file", 0, 0); /* no debug chatter */
	return 0;
}

static int parse(const char *data, size_t size, struct mg_unload_record *r)
{
	const char *why = NULL;
	char *buf = malloc(size + 1); /* the parser's room: len + 1 */
	int err;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	memset(r, 0, sizeof(*r));
	memcpy(r->id, ID, sizeof(ID));
	err = mg_record_format_parse(buf, size, r, &why);
	if (err && (!why || r->refs || r->nrefs))
		abort();
	if (!err && r->nrefs > MG_RECORD_MAX_REFS)
		abort();
	free(buf);
	return err;
}

#define SAME(f) (strcmp(a->f, b->f) == 0)

static void same(const struct mg_unload_record *a,
		 const struct mg_unload_record *b)
{
	if (!SAME(id) || !SAME(outcome) || !SAME(module) || !SAME(build) ||
	    !SAME(requester_comm) || !SAME(reason) || !SAME(boot) ||
	    a->time_ns != b->time_ns || a->requester_pid != b->requester_pid ||
	    a->refs_omitted != b->refs_omitted || a->nrefs != b->nrefs)
		abort();
	for (size_t i = 0; i < a->nrefs; i++) {
		const struct mg_ref_summary *x = &a->refs[i], *y = &b->refs[i];

		if (strcmp(x->kind, y->kind) || strcmp(x->function, y->function) ||
		    strcmp(x->site, y->site) || x->pid != y->pid ||
		    strcmp(x->comm, y->comm) || strcmp(x->note, y->note))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_unload_record a, b;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (parse((const char *)data, size, &a))
		return 0;
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	if (mg_record_format_write(f, &a))
		abort();
	if (fclose(f))
		abort();
	if (parse(out, outlen, &b))
		abort();
	same(&a, &b);
	free(a.refs);
	free(b.refs);
	free(out);
	return 0;
}
