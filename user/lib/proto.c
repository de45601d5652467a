// SPDX-License-Identifier: GPL-2.0
/* modguard socket protocol v1; see proto.h and docs/PROTOCOL.md */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static const char hexdigits[] = "0123456789ABCDEF";

int mg_proto_safe_char(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("_.:/@+,-", c) != NULL;
}

static int ident_first(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static int ident_rest(unsigned char c)
{
	return ident_first(c) || (c >= '0' && c <= '9');
}

int mg_proto_ident_valid(const char *s)
{
	if (!s || !ident_first((unsigned char)*s))
		return 0;
	for (s++; *s; s++)
		if (!ident_rest((unsigned char)*s))
			return 0;
	return 1;
}

size_t mg_escaped_len(const void *src, size_t len)
{
	const unsigned char *p = src;
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += mg_proto_safe_char(p[i]) ? 1 : 3;
	return n;
}

int mg_escape(const void *src, size_t len, char *dst, size_t dstsz)
{
	const unsigned char *p = src;
	size_t n = 0;

	if (!dstsz)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		size_t need = mg_proto_safe_char(p[i]) ? 1 : 3;

		if (n + need >= dstsz) {
			dst[0] = '\0';
			return -ENOSPC;
		}
		if (need == 1) {
			dst[n++] = (char)p[i];
			continue;
		}
		dst[n++] = '%';
		dst[n++] = hexdigits[p[i] >> 4];
		dst[n++] = hexdigits[p[i] & 0xf];
	}
	dst[n] = '\0';
	/* callers never escape anything near INT_MAX (lines are <= 64 KiB) */
	if (n > INT32_MAX)
		return -EOVERFLOW;
	return (int)n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int mg_unescape(char *s, size_t *len)
{
	size_t r = 0, w = 0;

	while (s[r]) {
		unsigned char c = (unsigned char)s[r];
		int hi, lo;

		if (mg_proto_safe_char(c)) {
			s[w++] = s[r++];
			continue;
		}
		if (c != '%')
			return -EINVAL;
		/* s[r + 1] is readable: s[r] is not the terminator */
		hi = hexval((unsigned char)s[r + 1]);
		if (hi < 0)
			return -EINVAL;
		lo = hexval((unsigned char)s[r + 2]);
		if (lo < 0)
			return -EINVAL;
		s[w++] = (char)(hi << 4 | lo);
		r += 3;
	}
	s[w] = '\0';
	if (len)
		*len = w;
	return 0;
}

/* builder */

static int line_reserve(struct mg_line *l, size_t extra)
{
	size_t need, cap;
	char *nb;

	if (l->err)
		return l->err;
	/* +1 keeps room for the NUL terminator at all times */
	if (extra > SIZE_MAX / 2 - l->len) {
		l->err = -EOVERFLOW;
		return l->err;
	}
	need = l->len + extra + 1;
	if (need <= l->cap)
		return 0;
	cap = l->cap ? l->cap : 128;
	while (cap < need)
		cap *= 2;
	nb = realloc(l->buf, cap);
	if (!nb) {
		l->err = -ENOMEM;
		return l->err;
	}
	l->buf = nb;
	l->cap = cap;
	return 0;
}

static int line_append(struct mg_line *l, const char *s, size_t n)
{
	int err = line_reserve(l, n);

	if (err)
		return err;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return 0;
}

int mg_line_reset(struct mg_line *l, const char *tag)
{
	l->len = 0;
	l->err = 0;
	if (!mg_proto_ident_valid(tag) || strlen(tag) >= MG_TAG_MAX) {
		l->err = -EINVAL;
		return l->err;
	}
	return line_append(l, tag, strlen(tag));
}

int mg_line_init(struct mg_line *l, const char *tag)
{
	memset(l, 0, sizeof(*l));
	return mg_line_reset(l, tag);
}

void mg_line_free(struct mg_line *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

int mg_line_add_mem(struct mg_line *l, const char *key, const void *value,
		    size_t len)
{
	size_t klen, vlen;
	int err;

	if (l->err)
		return l->err;
	if (!mg_proto_ident_valid(key) || (!value && len)) {
		l->err = -EINVAL;
		return l->err;
	}
	klen = strlen(key);
	vlen = mg_escaped_len(value, len);
	err = line_reserve(l, 2 + klen + vlen);
	if (err)
		return err;
	l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, key, klen);
	l->len += klen;
	l->buf[l->len++] = '=';
	/* reserve above guarantees the room; escape cannot fail here */
	mg_escape(value, len, l->buf + l->len, l->cap - l->len);
	l->len += vlen;
	return 0;
}

int mg_line_add_str(struct mg_line *l, const char *key, const char *value)
{
	if (!value)
		value = "";
	return mg_line_add_mem(l, key, value, strlen(value));
}

int mg_line_add_u64(struct mg_line *l, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return mg_line_add_str(l, key, buf);
}

int mg_line_add_s64(struct mg_line *l, const char *key, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return mg_line_add_str(l, key, buf);
}

int mg_line_add_hex(struct mg_line *l, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return mg_line_add_str(l, key, buf);
}

int mg_line_finish(struct mg_line *l)
{
	int err;

	if (l->err)
		return l->err;
	err = line_append(l, "\n", 1);
	if (err)
		return err;
	if (l->len > MG_LINE_MAX) {
		l->err = -EMSGSIZE;
		return l->err;
	}
	return 0;
}

int mg_line_ok(struct mg_line *l)
{
	int err = mg_line_reset(l, "ok");

	return err ? err : mg_line_finish(l);
}

int mg_line_err(struct mg_line *l, enum mg_outcome code, const char *msg)
{
	mg_line_reset(l, "err");
	mg_line_add_s64(l, "code", code);
	mg_line_add_str(l, "msg", msg);
	return mg_line_finish(l);
}

int mg_line_verrf(struct mg_line *l, enum mg_outcome code, const char *fmt,
		  va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return mg_line_err(l, code, msg);
}

int mg_line_errf(struct mg_line *l, enum mg_outcome code, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mg_line_verrf(l, code, fmt, ap);
	va_end(ap);
	return err;
}

/* parser */

/*
 * Validate and unescape one value token in place; the token is already
 * NUL-terminated. Decoded NUL bytes would silently cut C strings, so they
 * are refused.
 */
static int value_decode(char *v)
{
	size_t n;
	int err;

	err = mg_unescape(v, &n);
	if (err)
		return err;
	if (strlen(v) != n)
		return -EINVAL;
	return 0;
}

int mg_record_parse(char *line, size_t len, struct mg_record *rec)
{
	char *p, *end;
	size_t taglen;

	rec->tag[0] = '\0';
	rec->nfields = 0;
	if (len > MG_LINE_MAX)
		return -EMSGSIZE;
	if (len && line[len - 1] == '\n')
		len--;
	/* the terminator is part of the line limit, hence >= */
	if (len >= MG_LINE_MAX)
		return -EMSGSIZE;
	if (memchr(line, '\0', len))
		return -EINVAL;
	line[len] = '\0';
	end = line + len;

	p = line;
	if (!ident_first((unsigned char)*p))
		return -EINVAL;
	while (p < end && ident_rest((unsigned char)*p))
		p++;
	taglen = (size_t)(p - line);
	if (taglen >= MG_TAG_MAX)
		return -EINVAL;
	if (p < end && *p != ' ')
		return -EINVAL;
	memcpy(rec->tag, line, taglen);
	rec->tag[taglen] = '\0';

	/*
	 * split first, decode after: a value is only NUL-terminated once the
	 * separator that follows it has been overwritten
	 */
	while (p < end) {
		char *key;

		if (*p != ' ')
			goto bad;
		*p++ = '\0';
		if (p >= end || !ident_first((unsigned char)*p))
			goto bad;
		if (rec->nfields >= MG_MAX_FIELDS) {
			rec->nfields = 0;
			return -E2BIG;
		}
		key = p;
		while (p < end && ident_rest((unsigned char)*p))
			p++;
		if (p >= end || *p != '=')
			goto bad;
		*p++ = '\0';
		rec->f[rec->nfields].key = key;
		rec->f[rec->nfields].value = p;
		rec->nfields++;
		while (p < end && *p != ' ')
			p++;
	}
	for (int i = 0; i < rec->nfields; i++)
		if (value_decode(rec->f[i].value))
			goto bad;
	return 0;
bad:
	rec->nfields = 0;
	return -EINVAL;
}

const char *mg_record_get(const struct mg_record *rec, const char *key)
{
	for (int i = 0; i < rec->nfields; i++)
		if (!strcmp(rec->f[i].key, key))
			return rec->f[i].value;
	return NULL;
}

/* strict decimal: no sign, no spaces, no empty string (strtoull takes all) */
static int parse_dec(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int mg_record_get_u64(const struct mg_record *rec, const char *key,
		      uint64_t *out)
{
	const char *v = mg_record_get(rec, key);

	if (!v)
		return -ENOENT;
	return parse_dec(v, out);
}

int mg_record_get_s64(const struct mg_record *rec, const char *key,
		      int64_t *out)
{
	const char *v = mg_record_get(rec, key);
	uint64_t u;
	int neg, err;

	if (!v)
		return -ENOENT;
	neg = *v == '-';
	err = parse_dec(v + neg, &u);
	if (err)
		return err;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return 0;
	}
	if (u > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)u;
	return 0;
}

int mg_record_is_final(const struct mg_record *rec)
{
	return !strcmp(rec->tag, "ok") || !strcmp(rec->tag, "err");
}

int mg_record_final_status(const struct mg_record *rec, enum mg_outcome *code,
			   const char **msg)
{
	enum mg_outcome c;

	*code = MG_OUTCOME_OK;
	*msg = "";
	if (!strcmp(rec->tag, "ok"))
		return 0;
	*code = MG_OUTCOME_FAILED;
	if (!mg_outcome_parse(mg_record_get(rec, "code"), &c) &&
	    c == MG_OUTCOME_BAD_INPUT)
		*code = c;
	*msg = mg_record_get(rec, "msg");
	if (!*msg || !**msg)
		*msg = "unspecified error";
	return -EREMOTEIO;
}

/* requests */

int mg_request_build(struct mg_line *l, const char *verb,
		     const char *const *args, int nargs)
{
	int err;

	memset(l, 0, sizeof(*l));
	if (!mg_proto_ident_valid(verb) || nargs < 0 || nargs > MG_MAX_ARGS)
		return -EINVAL;
	err = line_append(l, MG_PROTO_VERSION " ", 4);
	if (!err)
		err = line_append(l, verb, strlen(verb));
	for (int i = 0; !err && i < nargs; i++) {
		size_t n = args[i] ? strlen(args[i]) : 0;
		size_t elen;

		/* an empty token cannot be told apart from a double space */
		if (!n) {
			err = -EINVAL;
			break;
		}
		elen = mg_escaped_len(args[i], n);
		err = line_reserve(l, elen + 1);
		if (err)
			break;
		l->buf[l->len++] = ' ';
		mg_escape(args[i], n, l->buf + l->len, l->cap - l->len);
		l->len += elen;
	}
	if (!err)
		err = line_append(l, "\n", 1);
	if (!err && l->len > MG_REQUEST_MAX)
		err = -EMSGSIZE;
	l->err = err;
	return err;
}

int mg_request_parse_n(char *line, size_t len, char **verb, char **args,
		       int max_args, int *nargs)
{
	char *p, *end, *tok;
	int n = 0;

	*nargs = 0;
	*verb = NULL;
	if (len > MG_REQUEST_MAX)
		return -EMSGSIZE;
	if (len && line[len - 1] == '\n')
		len--;
	if (len >= MG_REQUEST_MAX)
		return -EMSGSIZE;
	if (memchr(line, '\0', len))
		return -EINVAL;
	line[len] = '\0';
	end = line + len;

	p = memchr(line, ' ', len);
	if (!p)
		p = end;
	*p = '\0';
	if (strcmp(line, MG_PROTO_VERSION))
		return -EPROTONOSUPPORT;
	if (p >= end)
		return -EINVAL; /* no verb */
	tok = ++p;
	while (p < end && *p != ' ')
		p++;
	*p = '\0';
	if (!mg_proto_ident_valid(tok))
		return -EINVAL;
	*verb = tok;
	while (p < end) {
		size_t dlen;

		tok = ++p;
		while (p < end && *p != ' ')
			p++;
		*p = '\0';
		if (!*tok)
			goto bad; /* double or trailing space */
		if (n >= max_args) {
			*verb = NULL;
			return -E2BIG;
		}
		if (mg_unescape(tok, &dlen) || strlen(tok) != dlen || !dlen)
			goto bad;
		args[n++] = tok;
	}
	*nargs = n;
	return 0;
bad:
	*verb = NULL;
	return -EINVAL;
}

int mg_frame_request(const char *buf, size_t len, size_t *line_len)
{
	size_t n = len < MG_REQUEST_MAX ? len : MG_REQUEST_MAX;
	const char *nl = memchr(buf, '\n', n);

	if (nl) {
		*line_len = (size_t)(nl - buf) + 1;
		return 1;
	}
	return len >= MG_REQUEST_MAX ? -EMSGSIZE : 0;
}

int mg_request_parse(char *line, char **verb, char **args, int max_args,
		     int *nargs)
{
	return mg_request_parse_n(line, strlen(line), verb, args, max_args,
				  nargs);
}
