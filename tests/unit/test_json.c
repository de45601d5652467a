// SPDX-License-Identifier: GPL-2.0
/* json_writer: exact output, escaping, nesting, misuse */
#include <errno.h>

#include "../../user/lib/json_writer.h"
#include "check.h"

struct buf {
	char *data;
	size_t size;
	FILE *f;
};

static struct mg_json *open_buf(struct buf *b, bool pretty)
{
	b->data = NULL;
	b->size = 0;
	b->f = open_memstream(&b->data, &b->size);
	return mg_json_new(b->f, pretty);
}

/* finish, close the stream, return the text (caller frees) */
static char *close_buf(struct buf *b, struct mg_json *jw, int *err)
{
	*err = mg_json_finish(jw);
	mg_json_free(jw);
	fclose(b->f);
	return b->data;
}

static void t_compact_nesting(void)
{
	struct buf b;
	struct mg_json *jw = open_buf(&b, false);
	char *out;
	int err;

	mg_json_start_object(jw);
	mg_json_name(jw, "modules");
	mg_json_start_array(jw);
	mg_json_start_object(jw);
	mg_json_string_field(jw, "name", "mg_tidy");
	mg_json_name(jw, "refcnt");
	mg_json_u64(jw, 0);
	mg_json_s64_field(jw, "neg", -9223372036854775807LL - 1);
	mg_json_name(jw, "max");
	mg_json_u64(jw, UINT64_MAX);
	mg_json_bool_field(jw, "t", true);
	mg_json_bool_field(jw, "f", false);
	mg_json_name(jw, "n");
	mg_json_null(jw);
	mg_json_name(jw, "e");
	mg_json_start_array(jw);
	mg_json_end_array(jw);
	mg_json_name(jw, "o");
	mg_json_start_object(jw);
	mg_json_end_object(jw);
	mg_json_end_object(jw);
	mg_json_string(jw, NULL);
	mg_json_end_array(jw);
	mg_json_end_object(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\"modules\":[{\"name\":\"mg_tidy\",\"refcnt\":0,"
		       "\"neg\":-9223372036854775808,"
		       "\"max\":18446744073709551615,\"t\":true,\"f\":false,"
		       "\"n\":null,\"e\":[],\"o\":{}},null]}\n");
	free(out);
}

static void t_pretty(void)
{
	struct buf b;
	struct mg_json *jw = open_buf(&b, true);
	char *out;
	int err;

	mg_json_start_object(jw);
	mg_json_string_field(jw, "a", "x");
	mg_json_name(jw, "b");
	mg_json_start_array(jw);
	mg_json_u64(jw, 1);
	mg_json_start_object(jw);
	mg_json_bool_field(jw, "c", true);
	mg_json_end_object(jw);
	mg_json_end_array(jw);
	mg_json_name(jw, "d");
	mg_json_start_array(jw);
	mg_json_end_array(jw);
	mg_json_end_object(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "{\n"
		       "    \"a\": \"x\",\n"
		       "    \"b\": [\n"
		       "        1,\n"
		       "        {\n"
		       "            \"c\": true\n"
		       "        }\n"
		       "    ],\n"
		       "    \"d\": []\n"
		       "}\n");
	free(out);
}

static void t_string_escaping(void)
{
	struct buf b;
	struct mg_json *jw = open_buf(&b, false);
	char *out;
	int err;

	mg_json_start_array(jw);
	mg_json_string(jw, "q\"b\\s/");
	mg_json_string(jw, "\b\f\n\r\t\x01\x1f\x7f ");
	mg_json_string_n(jw, "a\0b", 3);
	mg_json_string(jw, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* invalid: lone continuation, overlong, truncated, surrogate, 0xff */
	mg_json_string(jw, "\x80|\xc0\xaf|\xe2\x82|\xed\xa0\x80|\xff");
	mg_json_end_array(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out,
		  "[\"q\\\"b\\\\s/\","
		  "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f \","
		  "\"a\\u0000b\","
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		  "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd|"
		  "\\ufffd\\ufffd\\ufffd|\\ufffd\"]\n");
	free(out);
}

/* every control character comes out escaped, nothing raw below 0x20 */
static void t_all_control_chars(void)
{
	struct buf b;
	struct mg_json *jw = open_buf(&b, false);
	char in[32], *out;
	int err;

	for (int i = 0; i < 32; i++)
		in[i] = (char)i;
	mg_json_string_n(jw, in, 32);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	for (size_t i = 0; i + 1 < strlen(out); i++)
		CHECK((unsigned char)out[i] >= 0x20);
	CHECK(!strncmp(out, "\"\\u0000\\u0001", 13));
	CHECK(strstr(out, "\\u001f\"\n") != NULL);
	free(out);
}

static void t_number_str(void)
{
	const char *good[] = { "0", "-0", "1764380000.123", "1e5", "-1.5E-3",
			       "10" };
	const char *bad[] = { "", "01", "1.", ".5", "+1", "1e", "0x10", "1 ",
			      "nan", "--1", "1.2.3" };
	struct buf b;
	struct mg_json *jw;
	char *out;
	int err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mg_json_is_number(good[i]))
			check_fail(__FILE__, __LINE__, "refused %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_json_is_number(bad[i]))
			check_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
	CHECK(!mg_json_is_number(NULL));

	jw = open_buf(&b, false);
	mg_json_start_array(jw);
	mg_json_number_str(jw, "1764380000.123");
	mg_json_number_str(jw, "junk");
	mg_json_number_str(jw, NULL);
	mg_json_end_array(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	CHECK_STR(out, "[1764380000.123,null,null]\n");
	free(out);
}

static void t_misuse(void)
{
	struct buf b;
	struct mg_json *jw;
	char *out;
	int err;

	/* value without a name inside an object */
	jw = open_buf(&b, false);
	mg_json_start_object(jw);
	mg_json_u64(jw, 1);
	mg_json_end_object(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);

	/* unbalanced */
	jw = open_buf(&b, false);
	mg_json_start_array(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);

	/* wrong closer */
	jw = open_buf(&b, false);
	mg_json_start_array(jw);
	mg_json_end_object(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);

	/* name in an array, dangling name */
	jw = open_buf(&b, false);
	mg_json_start_array(jw);
	mg_json_name(jw, "x");
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);
	jw = open_buf(&b, false);
	mg_json_start_object(jw);
	mg_json_name(jw, "x");
	mg_json_end_object(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);

	/* two documents, and nothing at all */
	jw = open_buf(&b, false);
	mg_json_u64(jw, 1);
	mg_json_u64(jw, 2);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	CHECK_STR(out, "1");
	free(out);
	jw = open_buf(&b, false);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);
}

static void t_depth_limit(void)
{
	struct buf b;
	struct mg_json *jw = open_buf(&b, false);
	char *out;
	int err;

	for (int i = 0; i < MG_JSON_MAX_DEPTH; i++)
		mg_json_start_array(jw);
	for (int i = 0; i < MG_JSON_MAX_DEPTH; i++)
		mg_json_end_array(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, 0);
	CHECK_U64(strlen(out), 2 * MG_JSON_MAX_DEPTH + 1);
	free(out);

	jw = open_buf(&b, false);
	for (int i = 0; i <= MG_JSON_MAX_DEPTH; i++)
		mg_json_start_array(jw);
	out = close_buf(&b, jw, &err);
	CHECK_INT(err, -EINVAL);
	free(out);
}

int main(void)
{
	RUN(t_compact_nesting);
	RUN(t_pretty);
	RUN(t_string_escaping);
	RUN(t_all_control_chars);
	RUN(t_number_str);
	RUN(t_misuse);
	RUN(t_depth_limit);
	return check_done();
}
