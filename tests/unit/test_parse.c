// SPDX-License-Identifier: GPL-2.0
/* number parsing and module names */
#include <errno.h>

#include "../../user/lib/parse.h"
#include "check.h"

static void t_u64_valid(void)
{
	uint64_t v = 0;

	CHECK_INT(mg_parse_u64("0", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, 0);
	CHECK_INT(mg_parse_u64("007", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, 7); /* decimal, not octal */
	CHECK_INT(mg_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, UINT64_MAX);
	CHECK_INT(mg_parse_u64("0x10", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, 16);
	CHECK_INT(mg_parse_u64("0XfFfFfFfFfFfFfFfF", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, UINT64_MAX);
	CHECK_INT(mg_parse_u64("5", 5, 5, &v), 0);
	CHECK_U64(v, 5);
}

static void t_u64_invalid(void)
{
	const char *junk[] = { "", " 1", "1 ", "+1", "-1", "1a", "0x", "0x-1",
			       "1.5", "1e3", "abc", "0b1", "1\n", "\xff" };
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (mg_parse_u64(junk[i], 0, UINT64_MAX, &v) != -EINVAL)
			check_fail(__FILE__, __LINE__, "accepted '%s'",
				   junk[i]);
	CHECK_INT(mg_parse_u64(NULL, 0, 1, &v), -EINVAL);
	CHECK_INT(mg_parse_u64("18446744073709551616", 0, UINT64_MAX, &v),
		  -ERANGE);
	CHECK_INT(mg_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v),
		  -ERANGE);
	CHECK_INT(mg_parse_u64("0x10000000000000000", 0, UINT64_MAX, &v),
		  -ERANGE);
	CHECK_INT(mg_parse_u64("4", 5, 10, &v), -ERANGE);
	CHECK_INT(mg_parse_u64("11", 5, 10, &v), -ERANGE);
	/* junk wins over overflow: the input is wrong, not just big */
	CHECK_INT(mg_parse_u64("99999999999999999999x", 0, UINT64_MAX, &v),
		  -EINVAL);
	CHECK_U64(v, 42); /* untouched on failure */
}

static void t_s64(void)
{
	int64_t v = 0;

	CHECK_INT(mg_parse_s64("-1", INT64_MIN, INT64_MAX, &v), 0);
	CHECK_INT(v, -1);
	CHECK_INT(mg_parse_s64("-9223372036854775808", INT64_MIN, INT64_MAX, &v),
		  0);
	CHECK(v == INT64_MIN);
	CHECK_INT(mg_parse_s64("9223372036854775807", INT64_MIN, INT64_MAX, &v),
		  0);
	CHECK(v == INT64_MAX);
	CHECK_INT(mg_parse_s64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
		  -ERANGE);
	CHECK_INT(mg_parse_s64("-9223372036854775809", INT64_MIN, INT64_MAX,
			       &v),
		  -ERANGE);
	CHECK_INT(mg_parse_s64("-", INT64_MIN, INT64_MAX, &v), -EINVAL);
	CHECK_INT(mg_parse_s64("--1", INT64_MIN, INT64_MAX, &v), -EINVAL);
	CHECK_INT(mg_parse_s64("0x1", INT64_MIN, INT64_MAX, &v), -EINVAL);
	CHECK_INT(mg_parse_s64("-5", -4, 4, &v), -ERANGE);
}

static void t_seconds(void)
{
	uint64_t ms = 0;

	CHECK_INT(mg_parse_seconds("10", 100000, &ms), 0);
	CHECK_U64(ms, 10000);
	CHECK_INT(mg_parse_seconds("0.5", 100000, &ms), 0);
	CHECK_U64(ms, 500);
	CHECK_INT(mg_parse_seconds("1.25", 100000, &ms), 0);
	CHECK_U64(ms, 1250);
	CHECK_INT(mg_parse_seconds("0.001", 100000, &ms), 0);
	CHECK_U64(ms, 1);
	CHECK_INT(mg_parse_seconds("0", 100000, &ms), 0);
	CHECK_U64(ms, 0);
	CHECK_INT(mg_parse_seconds("100", 100000, &ms), 0);
	CHECK_INT(mg_parse_seconds("100.001", 100000, &ms), -ERANGE);
	CHECK_INT(mg_parse_seconds("0.0001", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds(".5", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("5.", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("1.2.3", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("-1", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("1s", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("0x10", 100000, &ms), -EINVAL);
	CHECK_INT(mg_parse_seconds("18446744073709551615", UINT64_MAX, &ms),
		  -ERANGE);
	CHECK_INT(mg_parse_seconds(NULL, 1, &ms), -EINVAL);
}

static void t_module_names(void)
{
	char n55[MG_MODULE_NAME_LEN], n56[MG_MODULE_NAME_LEN + 1];
	const char *bad[] = { "", "a b", "a.b", "a/b", "a\n", "ä", "a\tb",
			      "../x", "a=b", "%41" };

	memset(n55, 'a', 55);
	n55[55] = '\0';
	memset(n56, 'a', 56);
	n56[56] = '\0';
	CHECK(mg_module_name_valid("mg_tidy"));
	CHECK(mg_module_name_valid("snd-hda-intel"));
	CHECK(mg_module_name_valid("A9_-z"));
	CHECK(mg_module_name_valid("x"));
	CHECK(mg_module_name_valid(n55));
	CHECK(!mg_module_name_valid(n56));
	CHECK(!mg_module_name_valid(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_module_name_valid(bad[i]))
			check_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
}

static void t_module_normalize(void)
{
	char a[] = "snd-hda-intel", b[] = "mg_tidy", c[] = "-";

	mg_module_name_normalize(a);
	mg_module_name_normalize(b);
	mg_module_name_normalize(c);
	CHECK_STR(a, "snd_hda_intel");
	CHECK_STR(b, "mg_tidy");
	CHECK_STR(c, "_");
}

static void t_module_name_eq(void)
{
	CHECK(mg_module_name_eq("snd-hda-intel", "snd_hda_intel"));
	CHECK(mg_module_name_eq("snd_hda-intel", "snd-hda_intel"));
	CHECK(mg_module_name_eq("mg_tidy", "mg_tidy"));
	CHECK(mg_module_name_eq("", ""));
	CHECK(mg_module_name_eq("-", "_"));
	CHECK(!mg_module_name_eq("mg_tidy", "mg_tid"));
	CHECK(!mg_module_name_eq("mg_tid", "mg_tidy"));
	CHECK(!mg_module_name_eq("mg_tidy", "mg_Tidy"));
	CHECK(!mg_module_name_eq("a-b", "a.b"));
	CHECK(!mg_module_name_eq("", "a"));
}

/* rmmod's argument forms: a name, a .ko file, a path to one */
static void t_module_name_from_arg(void)
{
	static const struct {
		const char *arg, *name;
	} good[] = {
		{ "mg_tidy", "mg_tidy" },
		{ "foo-bar", "foo_bar" },
		{ "foo.ko", "foo" },
		{ "foo.ko.xz", "foo" },
		{ "foo.ko.gz", "foo" },
		{ "foo.ko.zst", "foo" },
		{ "/path/to/foo-bar.ko", "foo_bar" },
		{ "/nonexistent/mg_tidy.ko", "mg_tidy" },
		{ "./snd-hda-intel.ko.zst", "snd_hda_intel" },
		{ "rel/dir/dummy", "dummy" },
		/* 55 characters and a suffix */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ko",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	};
	/* what is left is no module name: refused, never guessed at */
	static const char *const bad[] = {
		"", "/", "dir/", ".ko", "/x/.ko.xz", "foo.bar", "foo.ko.bz2",
		"foo.KO", "a b.ko", "a\n.ko", "foo.ko/",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ko",
	};
	char out[MG_MODULE_NAME_LEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int err = mg_module_name_from_arg(good[i].arg, out, sizeof(out));

		if (err || strcmp(out, good[i].name))
			check_fail(__FILE__, __LINE__, "'%s': %d '%s', want '%s'",
				   good[i].arg, err, out, good[i].name);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(out, "junk", 5);
		if (mg_module_name_from_arg(bad[i], out, sizeof(out)) != -EINVAL ||
		    out[0])
			check_fail(__FILE__, __LINE__, "accepted '%s' as '%s'",
				   bad[i], out);
	}
	CHECK_INT(mg_module_name_from_arg(NULL, out, sizeof(out)), -EINVAL);
	/* too small a buffer for any name */
	CHECK_INT(mg_module_name_from_arg("foo", out, 8), -EINVAL);
}

int main(void)
{
	RUN(t_u64_valid);
	RUN(t_u64_invalid);
	RUN(t_s64);
	RUN(t_seconds);
	RUN(t_module_names);
	RUN(t_module_normalize);
	RUN(t_module_name_eq);
	RUN(t_module_name_from_arg);
	return check_done();
}
