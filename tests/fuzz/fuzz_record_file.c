// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a record file as the daemon reads it back from
 * STATE/records/ (mg_record_format_parse(), user/lib/record_format.c),
 * after a crash, a copy or disk trouble.  The input is the whole file.
 * Checks, besides the sanitizers:
 *   - a failure sets why and leaves no refs allocated;
 *   - a parsed record is written back (mg_record_format_write) into a file
 *     that parses again into the same record, field by field;
 *   - mg_record_format_outcome() (the outcome of a file that may not parse
 *     as a whole) leaves the bytes alone, and on a file that parses gives
 *     its outcome;
 *   - the start of the input taken as a file name (an id):
 *     mg_record_id_parse() gives a valid module, and the id that
 *     mg_record_id_format() makes of that module and time parses back into
 *     both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
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

/* the outcome of the first line, from a copy of exactly size bytes */
static int outcome(const uint8_t *data, size_t size, char *dst, size_t dsz)
{
	char *buf = malloc(size ? size : 1);
	int err;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	err = mg_record_format_outcome(buf, size, dst, dsz);
	if (memcmp(buf, data, size) || (err && dst[0]) ||
	    (!err && (!dst[0] || strlen(dst) >= dsz)))
		abort();
	free(buf);
	return err;
}

/* the input's first bytes as a record's file name */
static void id_roundtrip(const uint8_t *data, size_t size)
{
	char id[sizeof(((struct mg_unload_record *)0)->id)], again[sizeof(id)];
	char module[MG_MODULE_NAME_LEN], module2[MG_MODULE_NAME_LEN];
	uint64_t t = 1, t2 = 1;
	size_t n = size < sizeof(id) - 1 ? size : sizeof(id) - 1;

	memcpy(id, data, n);
	id[n] = '\0';
	if (mg_record_id_parse(id, module, sizeof(module), &t))
		return;
	if (!mg_module_name_valid(module))
		abort();
	if (mg_record_id_format(again, sizeof(again), t, module))
		return; /* a name too long for the id */
	/*
	 * an id keeps microseconds; t % 1000 is not 0 only when the time
	 * of a year past 2554 wrapped around (see the issue 10 report)
	 */
	if (mg_record_id_parse(again, module2, sizeof(module2), &t2) ||
	    strcmp(module, module2) || t2 != t)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_unload_record a, b;
	char oc[sizeof(a.outcome)];
	char *out = NULL;
	size_t outlen = 0;
	int oerr;
	FILE *f;

	id_roundtrip(data, size);
	oerr = outcome(data, size, oc, sizeof(oc));
	if (parse((const char *)data, size, &a))
		return 0;
	/* a file that parses has its outcome on its first line */
	if (oerr || strcmp(oc, a.outcome))
		abort();
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
