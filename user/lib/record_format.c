// SPDX-License-Identifier: GPL-2.0
/* The record format: see record_format.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "parse.h"
#include "proto.h"
#include "record_format.h"

#define ADD_FIELD(l, key, f) mg_line_add_mem(l, key, f, mg_field_len(f, sizeof(f)))
/* the string in a fixed-size field, which may lack its NUL */
size_t mg_field_len(const char *f, size_t size)
{
	return strnlen(f, size - 1);
}

void mg_field_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int put_line(FILE *f, struct mg_line *l)
{
	int err = mg_line_finish(l);

	if (err)
		return err;
	/* a full disk says so here when the line overflows the buffer */
	errno = 0;
	if (fwrite(l->buf, 1, l->len, f) != l->len)
		return errno ? -errno : -EIO;
	return 0;
}

int mg_record_id_format(char *buf, size_t size, uint64_t t_ns,
			const char *module)
{
	time_t secs = (time_t)(t_ns / 1000000000ULL);
	unsigned usec = (unsigned)(t_ns % 1000000000ULL / 1000);
	struct tm tm;
	char stamp[32];
	int n;

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm))
		return -EOVERFLOW;
	n = snprintf(buf, size, "%s.%06uZ-%s", stamp, usec, module);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* the time part of an id, or 0 */
static uint64_t id_time(const char *id, size_t len)
{
	struct tm tm = { 0 };
	unsigned usec;
	char stamp[32];
	int end = -1;
	time_t secs;

	if (len >= sizeof(stamp))
		return 0;
	memcpy(stamp, id, len);
	stamp[len] = '\0';
	if (sscanf(stamp, "%4d%2d%2dT%2d%2d%2d.%6uZ%n", &tm.tm_year,
		   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &usec, &end) != 7 || end != (int)len)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	secs = timegm(&tm);
	if (secs < 0 || (uint64_t)secs >= UINT64_MAX / 1000000000ULL)
		return 0;
	return (uint64_t)secs * 1000000000ULL + (uint64_t)usec * 1000ULL;
}

int mg_record_id_parse(const char *id, char *module, size_t size,
		       uint64_t *t_ns)
{
	const char *dash = strchr(id, '-');

	if (!dash || strlen(dash + 1) >= size ||
	    !mg_module_name_valid(dash + 1))
		return -EINVAL;
	strcpy(module, dash + 1);
	if (t_ns)
		*t_ns = id_time(id, (size_t)(dash - id));
	return 0;
}

int mg_record_format_write(FILE *f, const struct mg_unload_record *r)
{
	size_t nrefs = r->refs ? r->nrefs : 0;
	uint64_t omitted = r->refs_omitted;
	struct mg_line l;
	int err;

	if (nrefs > MG_RECORD_MAX_REFS)
		nrefs = MG_RECORD_MAX_REFS;
	omitted += r->nrefs - nrefs;

	mg_line_init(&l, "record");
	ADD_FIELD(&l, "id", r->id);
	ADD_FIELD(&l, "outcome", r->outcome);
	ADD_FIELD(&l, "module", r->module);
	ADD_FIELD(&l, "build", r->build);
	mg_line_add_u64(&l, "time_ns", r->time_ns);
	mg_line_add_u64(&l, "requester_pid", r->requester_pid);
	ADD_FIELD(&l, "requester_comm", r->requester_comm);
	ADD_FIELD(&l, "reason", r->reason);
	ADD_FIELD(&l, "boot", r->boot);
	mg_line_add_u64(&l, "nrefs", nrefs);
	if (omitted)
		mg_line_add_u64(&l, "refs_omitted", omitted);
	if (r->damaged)
		mg_line_add_u64(&l, "damaged", 1);
	if (r->cleared)
		mg_line_add_u64(&l, "cleared", 1);
	err = put_line(f, &l);
	for (size_t i = 0; !err && i < nrefs; i++) {
		const struct mg_ref_summary *s = &r->refs[i];

		mg_line_reset(&l, "ref");
		ADD_FIELD(&l, "kind", s->kind);
		ADD_FIELD(&l, "function", s->function);
		ADD_FIELD(&l, "site", s->site);
		mg_line_add_u64(&l, "pid", s->pid);
		ADD_FIELD(&l, "comm", s->comm);
		ADD_FIELD(&l, "note", s->note);
		if (s->hint[0])
			ADD_FIELD(&l, "hint", s->hint);
		err = put_line(f, &l);
	}
	mg_line_free(&l);
	return err;
}

static uint32_t get_u32(const struct mg_record *r, const char *key)
{
	uint64_t v;

	if (mg_record_get_u64(r, key, &v) || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

static void get_field(const struct mg_record *r, const char *key, char *dst,
		      size_t size)
{
	const char *v = mg_record_get(r, key);

	mg_field_copy(dst, size, v ? v : "");
}

#define GET_FIELD(r, key, dst) get_field(r, key, dst, sizeof(dst))

int mg_record_format_parse(char *buf, size_t len, struct mg_unload_record *out,
			   const char **why)
{
	struct mg_record r;
	char *p = buf, *end = buf + len;
	size_t got = 0;
	uint64_t nrefs = 0, omitted;
	int first = 1;

	if (!len) {
		*why = "empty file";
		return -EINVAL;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!nl) {
			*why = "truncated (last line unterminated)";
			goto bad;
		}
		n = (size_t)(nl - p) + 1;
		if (mg_record_parse(p, n, &r)) {
			*why = "malformed line";
			goto bad;
		}
		p = nl + 1;
		if (first) {
			const char *id;

			first = 0;
			if (strcmp(r.tag, "record")) {
				*why = "does not start with a record line";
				goto bad;
			}
			GET_FIELD(&r, "module", out->module);
			GET_FIELD(&r, "outcome", out->outcome);
			GET_FIELD(&r, "build", out->build);
			GET_FIELD(&r, "requester_comm", out->requester_comm);
			GET_FIELD(&r, "reason", out->reason);
			GET_FIELD(&r, "boot", out->boot);
			out->requester_pid = get_u32(&r, "requester_pid");
			if (!mg_module_name_valid(out->module)) {
				*why = "bad or missing module name";
				goto bad;
			}
			if (!out->outcome[0]) {
				*why = "missing outcome";
				goto bad;
			}
			if (mg_record_get_u64(&r, "time_ns", &out->time_ns)) {
				*why = "bad or missing time_ns";
				goto bad;
			}
			if (mg_record_get_u64(&r, "nrefs", &nrefs) ||
			    nrefs > MG_RECORD_MAX_REFS) {
				*why = "bad or missing nrefs";
				goto bad;
			}
			if (!mg_record_get_u64(&r, "refs_omitted", &omitted))
				out->refs_omitted = omitted > UINT32_MAX ?
							    UINT32_MAX :
							    (uint32_t)omitted;
			id = mg_record_get(&r, "id");
			if (id && strcmp(id, out->id))
				mg_dbg("records: %s.rec"
				       " says it is %s; using the file name",
				       out->id, id);
			if (nrefs) {
				out->refs = calloc(nrefs, sizeof(*out->refs));
				if (!out->refs) {
					*why = "out of memory";
					return -ENOMEM;
				}
			}
			continue;
		}
		if (strcmp(r.tag, "ref"))
			continue; /* a later addition; ignored */
		if (got >= nrefs) {
			*why = "more ref lines than nrefs";
			goto bad;
		}
		GET_FIELD(&r, "kind", out->refs[got].kind);
		GET_FIELD(&r, "function", out->refs[got].function);
		GET_FIELD(&r, "site", out->refs[got].site);
		GET_FIELD(&r, "comm", out->refs[got].comm);
		GET_FIELD(&r, "note", out->refs[got].note);
		GET_FIELD(&r, "hint", out->refs[got].hint);
		out->refs[got].pid = get_u32(&r, "pid");
		got++;
	}
	if (got != nrefs) {
		*why = "truncated (fewer ref lines than nrefs)";
		goto bad;
	}
	out->nrefs = got;
	return 0;
bad:
	free(out->refs);
	out->refs = NULL;
	out->nrefs = 0;
	return -EINVAL;
}

int mg_record_format_outcome(const char *buf, size_t len, char *outcome,
			     size_t size)
{
	const char *nl = memchr(buf, '\n', len);
	struct mg_record r;
	size_t n;
	char *line;
	int err = -EINVAL;

	outcome[0] = '\0';
	if (!nl)
		return -EINVAL;
	/* the parser writes into its buffer: a copy of the first line */
	n = (size_t)(nl - buf) + 1;
	line = malloc(n + 1);
	if (!line)
		return -ENOMEM;
	memcpy(line, buf, n);
	if (!mg_record_parse(line, n, &r) && !strcmp(r.tag, "record")) {
		get_field(&r, "outcome", outcome, size);
		err = outcome[0] ? 0 : -EINVAL;
	}
	free(line);
	return err;
}
