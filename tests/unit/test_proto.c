// SPDX-License-Identifier: GPL-2.0
/* protocol escaping, line building, line and request parsing */
#include <errno.h>

#include "../../user/lib/proto.h"
#include "check.h"

/* a parse helper: copy s into a buffer with the +1 the parser needs */
static int parse(const char *s, size_t len, struct mg_record *rec, char **buf)
{
	*buf = malloc(len + 1);
	memcpy(*buf, s, len);
	return mg_record_parse(*buf, len, rec);
}

static void t_safe_chars(void)
{
	const char *safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			   "0123456789_.:/@+,-";
	int nsafe = 0;

	for (int c = 0; c < 256; c++) {
		int want = c && strchr(safe, c) != NULL;

		CHECK_INT(mg_proto_safe_char((unsigned char)c), want);
		nsafe += want;
	}
	CHECK_INT(nsafe, (int)strlen(safe));
}

static void t_escape_all_bytes_roundtrip(void)
{
	unsigned char all[256];
	char esc[256 * 3 + 1];
	size_t n;
	int len;

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CHECK_U64(mg_escaped_len(all, 256), 256 * 3 - 2 * 70);
	len = mg_escape(all, 256, esc, sizeof(esc));
	CHECK_INT(len, (int)mg_escaped_len(all, 256));
	CHECK_INT(len, (int)strlen(esc));
	/* nothing a reader would split on survives */
	CHECK(!strchr(esc, ' ') && !strchr(esc, '=') && !strchr(esc, '\n'));
	CHECK(!strncmp(esc, "%00%01%02", 9));
	CHECK(strstr(esc, "%20") && strstr(esc, "%25") && strstr(esc, "%3D"));
	CHECK(strstr(esc, "%FF")); /* uppercase hex */
	CHECK_INT(mg_unescape(esc, &n), 0);
	CHECK_U64(n, 256);
	CHECK(!memcmp(esc, all, 256));

	/* and each byte alone, as the only content of a value */
	for (int i = 0; i < 256; i++) {
		unsigned char b = (unsigned char)i;
		char e[4];

		CHECK_INT(mg_escape(&b, 1, e, sizeof(e)),
			  mg_proto_safe_char(b) ? 1 : 3);
		CHECK_INT(mg_unescape(e, &n), 0);
		CHECK_U64(n, 1);
		CHECK_INT((unsigned char)e[0], i);
	}
}

static void t_escape_small_buffer(void)
{
	char buf[4] = "xyz";

	CHECK_INT(mg_escape("a b", 3, buf, sizeof(buf)), -ENOSPC);
	CHECK_STR(buf, "");
	CHECK_INT(mg_escape("abc", 3, buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
	CHECK_INT(mg_escape("abcd", 4, buf, sizeof(buf)), -ENOSPC);
	CHECK_INT(mg_escape("", 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(mg_escape("a", 1, buf, 0), -ENOSPC);
}

static void t_unescape_invalid(void)
{
	const char *bad[] = { "%", "%4", "%G0", "%0g", "a b", "a=b", "\n",
			      "abc%", "%%41", "\x80", "~" };
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[16];

		strcpy(buf, bad[i]);
		if (mg_unescape(buf, &n) != -EINVAL)
			check_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
	}
	{
		char ok[] = "%4a%4A";

		CHECK_INT(mg_unescape(ok, &n), 0);
		CHECK_STR(ok, "JJ"); /* lowercase hex is accepted on input */
	}
}

static void t_line_build(void)
{
	struct mg_line l;

	CHECK_INT(mg_line_init(&l, "module"), 0);
	mg_line_add_str(&l, "name", "mg_tidy");
	mg_line_add_u64(&l, "refcnt", 18446744073709551615ULL);
	mg_line_add_s64(&l, "delta", -42);
	mg_line_add_hex(&l, "text_start", 0xffffffffc0a00000ULL);
	mg_line_add_str(&l, "msg", "module foo is not loaded");
	mg_line_add_str(&l, "empty", "");
	mg_line_add_str(&l, "null", NULL);
	mg_line_add_mem(&l, "bin", "a\0=%", 4);
	CHECK_INT(mg_line_finish(&l), 0);
	CHECK_STR(l.buf, "module name=mg_tidy refcnt=18446744073709551615 "
			 "delta=-42 text_start=0xffffffffc0a00000 "
			 "msg=module%20foo%20is%20not%20loaded empty= null= "
			 "bin=a%00%3D%25\n");
	CHECK_U64(l.len, strlen(l.buf));

	CHECK_INT(mg_line_ok(&l), 0);
	CHECK_STR(l.buf, "ok\n");
	CHECK_INT(mg_line_err(&l, MG_OUTCOME_BAD_INPUT, "module foo is not loaded"),
		  0);
	CHECK_STR(l.buf, "err code=2 msg=module%20foo%20is%20not%20loaded\n");
	mg_line_free(&l);
	CHECK(l.buf == NULL);
}

static void t_line_build_errors(void)
{
	struct mg_line l;
	char *big;

	CHECK_INT(mg_line_init(&l, "Bad"), -EINVAL);
	mg_line_free(&l);
	CHECK_INT(mg_line_init(&l, "0tag"), -EINVAL);
	mg_line_free(&l);
	CHECK_INT(mg_line_init(&l, "abcdefghijabcdefghijabcdefghijab"), -EINVAL);
	mg_line_free(&l);
	CHECK_INT(mg_line_init(&l, "abcdefghijabcdefghijabcdefghija"), 0);
	/* a bad key poisons the line: finish reports the first error */
	CHECK_INT(mg_line_add_str(&l, "Key", "v"), -EINVAL);
	CHECK_INT(mg_line_add_str(&l, "key", "v"), -EINVAL);
	CHECK_INT(mg_line_finish(&l), -EINVAL);
	mg_line_free(&l);

	/* 65536 bytes with '\n' is the limit; one more is too long */
	big = malloc(MG_LINE_MAX);
	memset(big, 'a', MG_LINE_MAX);
	big[MG_LINE_MAX - 4 - 1] = '\0'; /* "t k=" + value + '\n' */
	mg_line_init(&l, "t");
	mg_line_add_str(&l, "k", big);
	CHECK_INT(mg_line_finish(&l), 0);
	CHECK_U64(l.len, MG_LINE_MAX);
	big[MG_LINE_MAX - 4 - 1] = 'a';
	big[MG_LINE_MAX - 4] = '\0';
	mg_line_reset(&l, "t");
	mg_line_add_str(&l, "k", big);
	CHECK_INT(mg_line_finish(&l), -EMSGSIZE);
	mg_line_free(&l);
	free(big);
}

static void t_parse_valid(void)
{
	struct mg_record rec;
	char *buf;
	const char *s = "ref kind=timer function=mg_tidy_timer_fn+0x0 "
			"comm=kworker%2F0%3A1 empty= note=a%20b%25c\n";

	CHECK_INT(parse(s, strlen(s), &rec, &buf), 0);
	CHECK_STR(rec.tag, "ref");
	CHECK_INT(rec.nfields, 5);
	CHECK_STR(mg_record_get(&rec, "kind"), "timer");
	CHECK_STR(mg_record_get(&rec, "function"), "mg_tidy_timer_fn+0x0");
	CHECK_STR(mg_record_get(&rec, "comm"), "kworker/0:1");
	CHECK_STR(mg_record_get(&rec, "empty"), "");
	CHECK_STR(mg_record_get(&rec, "note"), "a b%c");
	CHECK(mg_record_get(&rec, "missing") == NULL);
	CHECK(!mg_record_is_final(&rec));
	free(buf);

	/* without the newline, tag only, final lines */
	CHECK_INT(parse("ok", 2, &rec, &buf), 0);
	CHECK_STR(rec.tag, "ok");
	CHECK_INT(rec.nfields, 0);
	CHECK(mg_record_is_final(&rec));
	free(buf);
}

static void t_parse_final_status(void)
{
	struct mg_record rec;
	const char *msg;
	char *buf;
	enum mg_outcome code;

	CHECK_INT(parse("ok\n", 3, &rec, &buf), 0);
	CHECK_INT(mg_record_final_status(&rec, &code, &msg), 0);
	CHECK_INT(code, 0);
	free(buf);
	CHECK_INT(parse("err code=2 msg=module%20foo%20is%20not%20loaded\n", 48,
			&rec, &buf),
		  0);
	CHECK_INT(mg_record_final_status(&rec, &code, &msg), -EREMOTEIO);
	CHECK_INT(code, 2);
	CHECK_STR(msg, "module foo is not loaded");
	free(buf);
	/* a broken err line still counts as an internal error */
	CHECK_INT(parse("err code=x\n", 11, &rec, &buf), 0);
	CHECK_INT(mg_record_final_status(&rec, &code, &msg), -EREMOTEIO);
	CHECK_INT(code, 3);
	CHECK_STR(msg, "unspecified error");
	free(buf);
	/* err codes are 2 or 3: anything else, however well formed, is 3 */
	{
		static const char *const lines[] = {
			"err code=0 msg=x\n", "err code=1 msg=x\n",
			"err code=4 msg=x\n", "err code=02 msg=x\n",
			"err code=%202 msg=x\n", "err code=3 msg=x\n",
			"err code=256 msg=x\n", "err msg=x\n",
		};

		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			CHECK_INT(parse(lines[i], strlen(lines[i]), &rec, &buf), 0);
			CHECK_INT(mg_record_final_status(&rec, &code, &msg),
				  -EREMOTEIO);
			CHECK_INT(code, MG_OUTCOME_FAILED);
			CHECK_STR(msg, "x");
			free(buf);
		}
	}
}

static void t_parse_numbers(void)
{
	struct mg_record rec;
	uint64_t u;
	int64_t s;
	char *buf;
	const char *l = "m a=18446744073709551615 b=18446744073709551616 c=-5 "
			"d=-9223372036854775808 e=1x f= g=+1\n";

	CHECK_INT(parse(l, strlen(l), &rec, &buf), 0);
	CHECK_INT(mg_record_get_u64(&rec, "a", &u), 0);
	CHECK_U64(u, UINT64_MAX);
	CHECK_INT(mg_record_get_u64(&rec, "b", &u), -ERANGE);
	CHECK_INT(mg_record_get_u64(&rec, "c", &u), -EINVAL);
	CHECK_INT(mg_record_get_s64(&rec, "c", &s), 0);
	CHECK_INT(s, -5);
	CHECK_INT(mg_record_get_s64(&rec, "d", &s), 0);
	CHECK(s == INT64_MIN);
	CHECK_INT(mg_record_get_s64(&rec, "a", &s), -ERANGE);
	CHECK_INT(mg_record_get_u64(&rec, "e", &u), -EINVAL);
	CHECK_INT(mg_record_get_u64(&rec, "f", &u), -EINVAL);
	CHECK_INT(mg_record_get_u64(&rec, "g", &u), -EINVAL);
	CHECK_INT(mg_record_get_u64(&rec, "zz", &u), -ENOENT);
	free(buf);
}

static void t_parse_invalid(void)
{
	static const struct {
		const char *line;
		size_t len; /* 0: strlen */
	} bad[] = {
		{ "", 0 },
		{ "\n", 0 },
		{ " ok", 0 },
		{ "ok ", 0 },
		{ "ok  a=b", 0 },
		{ "Ok", 0 },
		{ "9tag", 0 },
		{ "tag-x a=b", 0 },
		{ "tag a", 0 },
		{ "tag a=b c", 0 },
		{ "tag =b", 0 },
		{ "tag A=b", 0 },
		{ "tag a=b=c", 0 },
		{ "tag a=b%", 0 },
		{ "tag a=%0", 0 },
		{ "tag a=%zz", 0 },
		{ "tag a=%00", 0 },     /* would cut the C string */
		{ "tag a=b\tc", 0 },
		{ "tag a=b\r", 0 },
		{ "tag a=\xc3\xa9", 0 }, /* raw UTF-8 must be escaped */
		{ "tag a=b\n\n", 0 },
		{ "tag a=b\nc=d", 0 },
		{ "tag a=b\0c", 9 },    /* embedded NUL */
		{ "abcdefghijabcdefghijabcdefghijab", 0 }, /* tag too long */
	};
	struct mg_record rec;
	char *buf;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].line);
		int err = parse(bad[i].line, len, &rec, &buf);

		if (err != -EINVAL)
			check_fail(__FILE__, __LINE__, "case %zu: got %d", i,
				   err);
		CHECK_INT(rec.nfields, 0);
		free(buf);
	}
	/* 31 characters is the longest tag */
	CHECK_INT(parse("abcdefghijabcdefghijabcdefghija", 31, &rec, &buf), 0);
	free(buf);
}

static void t_parse_limits(void)
{
	struct mg_record rec;
	char *line = malloc(MG_LINE_MAX + 2);
	size_t n;

	/* exactly MG_MAX_FIELDS fields, then one more */
	n = (size_t)sprintf(line, "t");
	for (int i = 0; i < MG_MAX_FIELDS; i++)
		n += (size_t)sprintf(line + n, " k%d=%d", i, i);
	CHECK_INT(mg_record_parse(line, n, &rec), 0);
	CHECK_INT(rec.nfields, MG_MAX_FIELDS);
	CHECK_STR(rec.f[63].key, "k63");
	CHECK_STR(rec.f[63].value, "63");
	n = (size_t)sprintf(line, "t");
	for (int i = 0; i <= MG_MAX_FIELDS; i++)
		n += (size_t)sprintf(line + n, " k%d=%d", i, i);
	CHECK_INT(mg_record_parse(line, n, &rec), -E2BIG);

	/* MG_LINE_MAX including '\n' parses, one byte more does not */
	memset(line, 'a', MG_LINE_MAX + 1);
	memcpy(line, "t k=", 4);
	line[MG_LINE_MAX - 1] = '\n';
	CHECK_INT(mg_record_parse(line, MG_LINE_MAX, &rec), 0);
	CHECK_U64(strlen(mg_record_get(&rec, "k")), MG_LINE_MAX - 5);
	memset(line, 'a', MG_LINE_MAX + 1);
	memcpy(line, "t k=", 4);
	line[MG_LINE_MAX] = '\n';
	CHECK_INT(mg_record_parse(line, MG_LINE_MAX + 1, &rec), -EMSGSIZE);
	/* no newline: 65536 bytes of content leave no room for it */
	memset(line, 'a', MG_LINE_MAX + 1);
	memcpy(line, "t k=", 4);
	CHECK_INT(mg_record_parse(line, MG_LINE_MAX, &rec), -EMSGSIZE);
	free(line);
}

/* build -> parse gives back what went in, for every byte in a value */
static void t_build_parse_roundtrip(void)
{
	unsigned char val[255];
	struct mg_record rec;
	struct mg_line l;

	for (int i = 0; i < 255; i++)
		val[i] = (unsigned char)(i + 1); /* NUL cannot be in a C string */
	mg_line_init(&l, "x");
	mg_line_add_mem(&l, "v", val, sizeof(val));
	mg_line_add_str(&l, "w", "plain");
	CHECK_INT(mg_line_finish(&l), 0);
	CHECK_INT(mg_record_parse(l.buf, l.len, &rec), 0);
	CHECK_INT(rec.nfields, 2);
	CHECK_U64(strlen(mg_record_get(&rec, "v")), 255);
	CHECK(!memcmp(mg_record_get(&rec, "v"), val, 255));
	CHECK_STR(mg_record_get(&rec, "w"), "plain");
	mg_line_free(&l);
}

/* random bytes must never crash or read out of bounds (ASan catches it) */
static void t_parse_garbage(void)
{
	struct mg_record rec;
	char *verb, *args[8];
	unsigned seed = 12345;
	int nargs;

	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (seed = seed * 1103515245 + 12345) % 200;
		char *buf = malloc(len + 1);
		const char alphabet[] = "ab=% \n\0%4Gz_9MG1 ";

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (seed >> 16) & 1
					 ? alphabet[(seed >> 8) % (sizeof(alphabet) - 1)]
					 : (char)(seed >> 8);
		}
		if (!mg_record_parse(buf, len, &rec)) {
			CHECK(rec.nfields >= 0 && rec.nfields <= MG_MAX_FIELDS);
			CHECK(mg_proto_ident_valid(rec.tag));
		}
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
		}
		if (!mg_request_parse_n(buf, len, &verb, args, 8, &nargs)) {
			CHECK(verb && mg_proto_ident_valid(verb));
			CHECK(nargs >= 0 && nargs <= 8);
		}
		free(buf);
	}
}

static void t_request_build(void)
{
	const char *args[] = { "mg_tidy", "a b", "x%" };
	struct mg_line l;

	CHECK_INT(mg_request_build(&l, "report", args, 3), 0);
	CHECK_STR(l.buf, "MG1 report mg_tidy a%20b x%25\n");
	mg_line_free(&l);
	CHECK_INT(mg_request_build(&l, "status", NULL, 0), 0);
	CHECK_STR(l.buf, "MG1 status\n");
	mg_line_free(&l);
	CHECK_INT(mg_request_build(&l, "Status", NULL, 0), -EINVAL);
	mg_line_free(&l);
	args[0] = "";
	CHECK_INT(mg_request_build(&l, "report", args, 1), -EINVAL);
	mg_line_free(&l);
	CHECK_INT(mg_request_build(&l, "report", args, MG_MAX_ARGS + 1),
		  -EINVAL);
	mg_line_free(&l);
}

static void t_request_build_too_long(void)
{
	char *arg = malloc(MG_REQUEST_MAX);
	const char *args[1] = { arg };
	struct mg_line l;

	/* "MG1 x " + arg + '\n' == MG_REQUEST_MAX */
	memset(arg, 'a', MG_REQUEST_MAX);
	arg[MG_REQUEST_MAX - 7] = '\0';
	CHECK_INT(mg_request_build(&l, "x", args, 1), 0);
	CHECK_U64(l.len, MG_REQUEST_MAX);
	mg_line_free(&l);
	arg[MG_REQUEST_MAX - 7] = 'a';
	arg[MG_REQUEST_MAX - 6] = '\0';
	CHECK_INT(mg_request_build(&l, "x", args, 1), -EMSGSIZE);
	mg_line_free(&l);
	free(arg);
}

static void t_request_parse(void)
{
	char line[] = "MG1 report mg_tidy a%20b x%25\n";
	char *verb, *args[4];
	int nargs;

	CHECK_INT(mg_request_parse(line, &verb, args, 4, &nargs), 0);
	CHECK_STR(verb, "report");
	CHECK_INT(nargs, 3);
	CHECK_STR(args[0], "mg_tidy");
	CHECK_STR(args[1], "a b");
	CHECK_STR(args[2], "x%");

	{
		char l2[] = "MG1 status";

		CHECK_INT(mg_request_parse(l2, &verb, args, 4, &nargs), 0);
		CHECK_STR(verb, "status");
		CHECK_INT(nargs, 0);
	}
}

static void t_request_parse_errors(void)
{
	static const struct {
		const char *line;
		int err;
	} cases[] = {
		{ "MG2 status\n", -EPROTONOSUPPORT },
		{ "mg1 status\n", -EPROTONOSUPPORT },
		{ "MG1\n", -EINVAL },
		{ "MG1 \n", -EINVAL },
		{ "\n", -EPROTONOSUPPORT },
		{ "", -EPROTONOSUPPORT },
		{ "MG1 Status\n", -EINVAL },
		{ "MG1 status \n", -EINVAL },
		{ "MG1 report  a\n", -EINVAL },
		{ "MG1 report a%\n", -EINVAL },
		{ "MG1 report a%00\n", -EINVAL },
		{ "MG1 report a\tb\n", -EINVAL },
		{ "MG1  report\n", -EINVAL },
		{ "MG1 report a b c d e\n", -E2BIG },
	};
	char *verb, *args[4];
	int nargs;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		int err;

		strcpy(buf, cases[i].line);
		err = mg_request_parse(buf, &verb, args, 4, &nargs);
		if (err != cases[i].err)
			check_fail(__FILE__, __LINE__, "'%s': got %d, want %d",
				   cases[i].line, err, cases[i].err);
		CHECK_INT(nargs, 0);
	}
	{
		char buf[] = "MG1 report a\0b\n";

		CHECK_INT(mg_request_parse_n(buf, sizeof(buf) - 1, &verb, args,
					     4, &nargs),
			  -EINVAL);
	}
}

static void t_request_parse_length(void)
{
	char *line = malloc(MG_REQUEST_MAX + 2);
	char *verb, *args[1];
	int nargs;

	memset(line, 'a', MG_REQUEST_MAX + 1);
	memcpy(line, "MG1 x ", 6);
	line[MG_REQUEST_MAX - 1] = '\n';
	CHECK_INT(mg_request_parse_n(line, MG_REQUEST_MAX, &verb, args, 1,
				     &nargs),
		  0);
	CHECK_U64(strlen(args[0]), MG_REQUEST_MAX - 7);
	memset(line, 'a', MG_REQUEST_MAX + 1);
	memcpy(line, "MG1 x ", 6);
	line[MG_REQUEST_MAX] = '\n';
	CHECK_INT(mg_request_parse_n(line, MG_REQUEST_MAX + 1, &verb, args, 1,
				     &nargs),
		  -EMSGSIZE);
	free(line);
}

/* the server's framing of a client's byte stream into request lines */
static void t_frame_request(void)
{
	static const struct {
		const char *buf;
		size_t len;
		int want;
		size_t line_len;
	} cases[] = {
		/* nothing yet, half a line: more bytes are needed */
		{ "", 0, 0, 0 },
		{ "MG1 sta", 7, 0, 0 },
		/* a line, its '\n' included; what follows is the next one's */
		{ "MG1 status\n", 11, 1, 11 },
		{ "MG1 done 0\nMG1 x", 17, 1, 11 },
		{ "\n", 1, 1, 1 },
		/* framing looks for '\n' only: a NUL is the parser's business */
		{ "a\0b\n", 4, 1, 4 },
		/* only len bytes count */
		{ "MG1 status\n", 10, 0, 0 },
	};
	char *buf = malloc(MG_REQUEST_MAX + 2);
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = 12345;
		CHECK_INT(mg_frame_request(cases[i].buf, cases[i].len, &len),
			  cases[i].want);
		/* set only for a line */
		CHECK_U64(len, cases[i].want ? cases[i].line_len : 12345);
	}
	/* the longest line: MG_REQUEST_MAX bytes with its '\n' */
	memset(buf, 'a', MG_REQUEST_MAX + 1);
	buf[MG_REQUEST_MAX - 1] = '\n';
	CHECK_INT(mg_frame_request(buf, MG_REQUEST_MAX, &len), 1);
	CHECK_U64(len, MG_REQUEST_MAX);
	CHECK_INT(mg_frame_request(buf, MG_REQUEST_MAX + 1, &len), 1);
	CHECK_U64(len, MG_REQUEST_MAX);
	/* one byte short of it, no '\n' yet: wait */
	CHECK_INT(mg_frame_request(buf, MG_REQUEST_MAX - 1, &len), 0);
	/* MG_REQUEST_MAX bytes without one: never a request */
	buf[MG_REQUEST_MAX - 1] = 'a';
	CHECK_INT(mg_frame_request(buf, MG_REQUEST_MAX, &len), -EMSGSIZE);
	/* a '\n' one byte too late does not count */
	buf[MG_REQUEST_MAX] = '\n';
	CHECK_INT(mg_frame_request(buf, MG_REQUEST_MAX + 1, &len), -EMSGSIZE);
	free(buf);
}

int main(void)
{
	RUN(t_safe_chars);
	RUN(t_escape_all_bytes_roundtrip);
	RUN(t_escape_small_buffer);
	RUN(t_unescape_invalid);
	RUN(t_line_build);
	RUN(t_line_build_errors);
	RUN(t_parse_valid);
	RUN(t_parse_final_status);
	RUN(t_parse_numbers);
	RUN(t_parse_invalid);
	RUN(t_parse_limits);
	RUN(t_build_parse_roundtrip);
	RUN(t_parse_garbage);
	RUN(t_request_build);
	RUN(t_request_build_too_long);
	RUN(t_request_parse);
	RUN(t_request_parse_errors);
	RUN(t_request_parse_length);
	RUN(t_frame_request);
	return check_done();
}
