// SPDX-License-Identifier: GPL-2.0
/* number and module name parsing; see parse.h */
#include <errno.h>
#include <string.h>

#include "parse.h"

static int digit_val(char c, unsigned base)
{
	unsigned v;

	if (c >= '0' && c <= '9')
		v = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		v = (unsigned)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		v = (unsigned)(c - 'A' + 10);
	else
		return -1;
	return v < base ? (int)v : -1;
}

/*
 * hand-rolled instead of strtoull: that one skips whitespace, accepts a
 * sign (and negates!) and needs errno dances to see overflow
 */
static int parse_unsigned(const char *s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	int overflow = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = digit_val(*s, base);

		if (d < 0)
			return -EINVAL;
		/* keep scanning after overflow: junk still wins over range */
		if (v > (UINT64_MAX - (unsigned)d) / base)
			overflow = 1;
		else
			v = v * base + (unsigned)d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

int mg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int err;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		err = parse_unsigned(s + 2, 16, &v);
	else
		err = parse_unsigned(s, 10, &v);
	if (err)
		return err;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int mg_parse_s64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	uint64_t u;
	int64_t v;
	int neg, err;

	if (!s)
		return -EINVAL;
	neg = s[0] == '-';
	err = parse_unsigned(s + neg, 10, &u);
	if (err)
		return err;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > INT64_MAX)
			return -ERANGE;
		v = (int64_t)u;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int mg_parse_seconds(const char *s, uint64_t max_ms, uint64_t *ms)
{
	char whole[24];
	const char *dot;
	uint64_t sec, frac = 0;
	size_t wlen;
	int err;

	if (!s)
		return -EINVAL;
	dot = strchr(s, '.');
	wlen = dot ? (size_t)(dot - s) : strlen(s);
	if (!wlen)
		return -EINVAL; /* ".5": be strict, say 0.5 */
	if (wlen >= sizeof(whole))
		return -ERANGE;
	memcpy(whole, s, wlen);
	whole[wlen] = '\0';
	err = parse_unsigned(whole, 10, &sec);
	if (err)
		return err;
	if (dot) {
		size_t flen = strlen(dot + 1);

		if (flen < 1 || flen > 3)
			return -EINVAL;
		err = parse_unsigned(dot + 1, 10, &frac);
		if (err)
			return err;
		/* scale "5" -> 500, "25" -> 250 */
		for (size_t i = flen; i < 3; i++)
			frac *= 10;
	}
	if (sec > (UINT64_MAX - frac) / 1000)
		return -ERANGE;
	sec = sec * 1000 + frac;
	if (sec > max_ms)
		return -ERANGE;
	*ms = sec;
	return 0;
}

int mg_module_name_valid(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= MG_MODULE_NAME_LEN - 1)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return i > 0;
}

static char name_char(char c)
{
	return c == '-' ? '_' : c;
}

void mg_module_name_normalize(char *name)
{
	for (; *name; name++)
		*name = name_char(*name);
}

int mg_module_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (name_char(*a) != name_char(*b))
			return 0;
	return *a == *b;
}

int mg_module_name_from_arg(const char *arg, char *out, size_t len)
{
	/* kmod's extensions (libkmod-util.c kmod_exts), longest match first */
	static const char *const exts[] = { ".ko.zst", ".ko.xz", ".ko.gz", ".ko" };
	const char *base;
	size_t n;

	if (!arg || !out || len < MG_MODULE_NAME_LEN)
		return -EINVAL;
	out[0] = '\0';
	base = strrchr(arg, '/');
	base = base ? base + 1 : arg;
	n = strlen(base);
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && !strcmp(base + n - e, exts[i])) {
			n -= e;
			break;
		}
	}
	/* one over the limit is enough for mg_module_name_valid() to say no */
	if (n > MG_MODULE_NAME_LEN - 1)
		n = MG_MODULE_NAME_LEN;
	if (n >= len)
		return -EINVAL;
	memcpy(out, base, n);
	out[n] = '\0';
	if (!mg_module_name_valid(out)) {
		out[0] = '\0';
		return -EINVAL;
	}
	mg_module_name_normalize(out);
	return 0;
}
