// SPDX-License-Identifier: GPL-2.0
/* streaming JSON writer; see json_writer.h */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

enum ctx_kind { CTX_TOP, CTX_OBJECT, CTX_ARRAY };

static void write_string(FILE *f, const char *str, size_t len);

struct mg_json {
	FILE *f;
	bool pretty;
	int depth;            /* index of the current context in ctx[] */
	bool failed;          /* misuse seen: write nothing more */
	bool have_name;       /* a name was written, its value is due */
	struct {
		enum ctx_kind kind;
		int count;    /* members/elements written so far */
	} ctx[MG_JSON_MAX_DEPTH + 1];
};

struct mg_json *mg_json_new(FILE *f, bool pretty)
{
	struct mg_json *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	jw->ctx[0].kind = CTX_TOP;
	return jw;
}

void mg_json_free(struct mg_json *jw)
{
	free(jw);
}

int mg_json_finish(struct mg_json *jw)
{
	int err = 0;

	if (jw->failed || jw->depth != 0 || jw->have_name ||
	    jw->ctx[0].count != 1)
		err = -EINVAL;
	if (!jw->failed)
		fputc('\n', jw->f);
	if (fflush(jw->f) || ferror(jw->f))
		err = err ? err : -EIO;
	return err;
}

static void indent(struct mg_json *jw)
{
	fputc('\n', jw->f);
	for (int i = 0; i < jw->depth; i++)
		fputs("    ", jw->f);
}

/*
 * Called before every value: writes the separator the context needs and
 * checks a value is allowed here. Returns false when nothing may be written.
 */
static bool begin_value(struct mg_json *jw)
{
	if (jw->failed)
		return false;
	switch (jw->ctx[jw->depth].kind) {
	case CTX_TOP:
		/* one document per writer */
		if (jw->ctx[0].count)
			goto misuse;
		break;
	case CTX_OBJECT:
		if (!jw->have_name)
			goto misuse;
		jw->have_name = false;
		break;
	case CTX_ARRAY:
		if (jw->ctx[jw->depth].count)
			fputc(',', jw->f);
		if (jw->pretty)
			indent(jw);
		break;
	}
	jw->ctx[jw->depth].count++;
	return true;
misuse:
	jw->failed = true;
	return false;
}

void mg_json_name(struct mg_json *jw, const char *name)
{
	if (jw->failed)
		return;
	if (jw->ctx[jw->depth].kind != CTX_OBJECT || jw->have_name || !name) {
		jw->failed = true;
		return;
	}
	/* count is bumped by the value; names see the count of values so far */
	if (jw->ctx[jw->depth].count)
		fputc(',', jw->f);
	if (jw->pretty)
		indent(jw);
	write_string(jw->f, name, strlen(name));
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->have_name = true;
}

static void start(struct mg_json *jw, enum ctx_kind kind, char c)
{
	if (!begin_value(jw))
		return;
	if (jw->depth >= MG_JSON_MAX_DEPTH) {
		jw->failed = true;
		return;
	}
	fputc(c, jw->f);
	jw->depth++;
	jw->ctx[jw->depth].kind = kind;
	jw->ctx[jw->depth].count = 0;
}

static void end(struct mg_json *jw, enum ctx_kind kind, char c)
{
	if (jw->failed)
		return;
	if (jw->ctx[jw->depth].kind != kind || jw->have_name) {
		jw->failed = true;
		return;
	}
	jw->depth--;
	/* empty containers stay on one line: {} and [] */
	if (jw->pretty && jw->ctx[jw->depth + 1].count)
		indent(jw);
	fputc(c, jw->f);
}

void mg_json_start_object(struct mg_json *jw)
{
	start(jw, CTX_OBJECT, '{');
}

void mg_json_end_object(struct mg_json *jw)
{
	end(jw, CTX_OBJECT, '}');
}

void mg_json_start_array(struct mg_json *jw)
{
	start(jw, CTX_ARRAY, '[');
}

void mg_json_end_array(struct mg_json *jw)
{
	end(jw, CTX_ARRAY, ']');
}

/* length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and values past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* escape str[0..len) as a JSON string, with its quotes, into f */
static void write_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			n = utf8_seq_len(s + i, len - i);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

void mg_json_string_n(struct mg_json *jw, const char *s, size_t len)
{
	if (!s) {
		mg_json_null(jw);
		return;
	}
	if (!begin_value(jw))
		return;
	write_string(jw->f, s, len);
}

void mg_json_string(struct mg_json *jw, const char *s)
{
	mg_json_string_n(jw, s, s ? strlen(s) : 0);
}

void mg_json_u64(struct mg_json *jw, uint64_t v)
{
	if (begin_value(jw))
		fprintf(jw->f, "%" PRIu64, v);
}

void mg_json_s64(struct mg_json *jw, int64_t v)
{
	if (begin_value(jw))
		fprintf(jw->f, "%" PRId64, v);
}

void mg_json_bool(struct mg_json *jw, bool v)
{
	if (begin_value(jw))
		fputs(v ? "true" : "false", jw->f);
}

void mg_json_null(struct mg_json *jw)
{
	if (begin_value(jw))
		fputs("null", jw->f);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int mg_json_is_number(const char *s)
{
	if (!s)
		return 0;
	if (*s == '-')
		s++;
	if (*s == '0') {
		s++;
	} else if (is_digit(*s)) {
		while (is_digit(*s))
			s++;
	} else {
		return 0;
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

void mg_json_number_str(struct mg_json *jw, const char *s)
{
	if (!mg_json_is_number(s)) {
		mg_json_null(jw);
		return;
	}
	if (begin_value(jw))
		fputs(s, jw->f);
}

void mg_json_string_field(struct mg_json *jw, const char *name, const char *s)
{
	mg_json_name(jw, name);
	mg_json_string(jw, s);
}

void mg_json_s64_field(struct mg_json *jw, const char *name, int64_t v)
{
	mg_json_name(jw, name);
	mg_json_s64(jw, v);
}

void mg_json_bool_field(struct mg_json *jw, const char *name, bool v)
{
	mg_json_name(jw, name);
	mg_json_bool(jw, v);
}
