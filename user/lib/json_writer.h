/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny streaming JSON writer, in the spirit of bpftool's json_writer.
 *
 * Compact mode writes no whitespace at all ({"a":1,"b":[true,null]}); pretty
 * mode writes one member per line, indented by four spaces, ": " after names.
 * Misuse (a value where a name is expected, unbalanced ends, nesting deeper
 * than MG_JSON_MAX_DEPTH) is recorded and reported by mg_json_finish(); the
 * writer then stops writing, so the output is short rather than silently
 * wrong.
 */
#ifndef MG_JSON_WRITER_H
#define MG_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MG_JSON_MAX_DEPTH 32

struct mg_json;

/* NULL on allocation failure */
struct mg_json *mg_json_new(FILE *f, bool pretty);
/*
 * Check that every object/array was closed, write the final newline (pretty
 * mode and compact mode alike, so the output is one line per document) and
 * flush. Returns 0, -EINVAL on misuse, or -EIO on a stream error.
 */
int mg_json_finish(struct mg_json *jw);
/* free without checks; NULL is fine */
void mg_json_free(struct mg_json *jw);

void mg_json_start_object(struct mg_json *jw);
void mg_json_end_object(struct mg_json *jw);
void mg_json_start_array(struct mg_json *jw);
void mg_json_end_array(struct mg_json *jw);
/* member name; must be followed by exactly one value */
void mg_json_name(struct mg_json *jw, const char *name);

/*
 * Strings: '"' and '\\' are escaped, control characters become \b \f \n
 * \r \t or \u00XX, DEL becomes \u007f, valid UTF-8 passes through and each
 * byte of an invalid UTF-8 sequence becomes U+FFFD, so the output is always
 * valid JSON. NULL writes null.
 */
void mg_json_string(struct mg_json *jw, const char *s);
void mg_json_string_n(struct mg_json *jw, const char *s, size_t len);
void mg_json_u64(struct mg_json *jw, uint64_t v);
void mg_json_s64(struct mg_json *jw, int64_t v);
void mg_json_bool(struct mg_json *jw, bool v);
void mg_json_null(struct mg_json *jw);
/* a number given as text ("1764380000.123"); null if s is not a JSON number */
void mg_json_number_str(struct mg_json *jw, const char *s);

/* shorthands for "name": value */
void mg_json_string_field(struct mg_json *jw, const char *name,
			  const char *s);
void mg_json_s64_field(struct mg_json *jw, const char *name, int64_t v);
void mg_json_bool_field(struct mg_json *jw, const char *name, bool v);

/* 1 if s follows the JSON number grammar exactly */
int mg_json_is_number(const char *s);

#endif /* MG_JSON_WRITER_H */
