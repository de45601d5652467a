/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modguard socket protocol v1: value escaping, reply line building and
 * parsing, request building and parsing. See docs/PROTOCOL.md.
 *
 * Everything here must stay safe on arbitrary input: the parsers are fuzzed
 * (tests/fuzz/), work in place on a caller-owned buffer and never
 * read past the length they are given.
 */
#ifndef MG_PROTO_H
#define MG_PROTO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "outcome.h"

#define MG_PROTO_VERSION "MG1"
/* request line, including the terminating '\n' */
#define MG_REQUEST_MAX 4096
/* reply line, including the terminating '\n' */
#define MG_LINE_MAX 65536
#define MG_MAX_FIELDS 64
#define MG_MAX_ARGS 64
/* tag buffer size: tags are at most MG_TAG_MAX - 1 characters */
#define MG_TAG_MAX 32

/*
 * "err code=<n>" carries an enum mg_outcome: MG_OUTCOME_BAD_INPUT or
 * MG_OUTCOME_FAILED (docs/PROTOCOL.md).
 */
struct mg_field {
	char *key;
	char *value;
};

/*
 * One parsed reply line. key/value point into the line buffer given to
 * mg_record_parse(), which must outlive the record. Values are unescaped.
 */
struct mg_record {
	char tag[MG_TAG_MAX];
	int nfields;
	struct mg_field f[MG_MAX_FIELDS];
};

/* growable line buffer used to build requests and reply lines */
struct mg_line {
	char *buf;
	size_t len;
	size_t cap;
	int err; /* first error hit while building, reported by finish */
};

/* 1 if byte c travels unescaped in values and arguments */
int mg_proto_safe_char(unsigned char c);
/* 1 if s is a valid tag, key or verb: [a-z_][a-z0-9_]* */
int mg_proto_ident_valid(const char *s);

/* length of the escaped form of src[0..len) (without NUL) */
size_t mg_escaped_len(const void *src, size_t len);
/*
 * Escape src[0..len) into dst (NUL-terminated). Returns the escaped length,
 * or -ENOSPC when dst (size dstsz) is too small; dst is then left empty.
 */
int mg_escape(const void *src, size_t len, char *dst, size_t dstsz);
/*
 * Unescape s in place. *len receives the decoded length (the result may
 * contain NUL bytes and is NUL-terminated). Returns 0, or -EINVAL on a byte
 * that is neither a safe character nor a well formed %XX.
 */
int mg_unescape(char *s, size_t *len);

/* builder; all adders record the first error in l->err and return it */
int mg_line_init(struct mg_line *l, const char *tag);
int mg_line_add_str(struct mg_line *l, const char *key, const char *value);
int mg_line_add_mem(struct mg_line *l, const char *key, const void *value,
		    size_t len);
int mg_line_add_u64(struct mg_line *l, const char *key, uint64_t v);
int mg_line_add_s64(struct mg_line *l, const char *key, int64_t v);
/* 0x-prefixed lowercase hex */
int mg_line_add_hex(struct mg_line *l, const char *key, uint64_t v);
/*
 * Terminate the line with '\n'. Returns 0, the first build error, or
 * -EMSGSIZE when the line exceeds MG_LINE_MAX.
 */
int mg_line_finish(struct mg_line *l);
/* start over with a new tag, keeping the allocation */
int mg_line_reset(struct mg_line *l, const char *tag);
void mg_line_free(struct mg_line *l);

/* final lines */
int mg_line_ok(struct mg_line *l);
int mg_line_err(struct mg_line *l, enum mg_outcome code, const char *msg);
/* the same with a printf message (cut to 511 bytes) */
int mg_line_verrf(struct mg_line *l, enum mg_outcome code, const char *fmt,
		  va_list ap) __attribute__((format(printf, 3, 0)));
int mg_line_errf(struct mg_line *l, enum mg_outcome code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse one reply line of len bytes in place (a trailing '\n' is allowed
 * and dropped). The buffer must have room for len + 1 bytes: the parser
 * writes NUL terminators into it. Returns 0, -EMSGSIZE (longer than
 * MG_LINE_MAX), -E2BIG (more than MG_MAX_FIELDS fields), or -EINVAL
 * (anything else malformed, including %00 in a value).
 */
int mg_record_parse(char *line, size_t len, struct mg_record *rec);
/* first value for key, or NULL */
const char *mg_record_get(const struct mg_record *rec, const char *key);
/* value for key parsed as decimal u64/s64: 0, -ENOENT, -EINVAL, -ERANGE */
int mg_record_get_u64(const struct mg_record *rec, const char *key,
		      uint64_t *out);
int mg_record_get_s64(const struct mg_record *rec, const char *key,
		      int64_t *out);
/* 1 if rec is a final line ("ok" or "err") */
int mg_record_is_final(const struct mg_record *rec);
/*
 * For a final record: 0 for "ok" (*code MG_OUTCOME_OK); for "err" fills
 * *code (MG_OUTCOME_BAD_INPUT, or MG_OUTCOME_FAILED for anything else:
 * the protocol has no other err codes, a missing or bad one is a failure
 * too) and *msg (never NULL) and returns -EREMOTEIO.
 */
int mg_record_final_status(const struct mg_record *rec, enum mg_outcome *code,
			   const char **msg);

/*
 * Build "MG1 <verb> <arg>...\n" into l, which this call initializes (free
 * it with mg_line_free() whatever the result). Returns 0, -EINVAL (bad verb, empty
 * arg, too many args) or -EMSGSIZE (longer than MG_REQUEST_MAX).
 */
int mg_request_build(struct mg_line *l, const char *verb,
		     const char *const *args, int nargs);
/*
 * Parse a NUL-terminated request line in place (trailing '\n' optional).
 * *verb and args[] point into line; args are unescaped. Returns 0,
 * -EPROTONOSUPPORT (first token is not MG1; the server answers code 2),
 * -EMSGSIZE (longer than MG_REQUEST_MAX), -E2BIG (more than max_args args),
 * or -EINVAL.
 */
int mg_request_parse(char *line, char **verb, char **args, int max_args,
		     int *nargs);
/*
 * Same for a buffer of len bytes that may hold anything (a read from the
 * socket): embedded NUL bytes are rejected with -EINVAL instead of silently
 * cutting the line. The buffer needs room for len + 1 bytes.
 */
int mg_request_parse_n(char *line, size_t len, char **verb, char **args,
		       int max_args, int *nargs);
/*
 * Framing of a byte stream from a client: 1 when buf[0..len) starts with a
 * complete request line (*line_len bytes, its '\n' included), 0 when more
 * bytes are needed, -EMSGSIZE when MG_REQUEST_MAX bytes hold no '\n'.
 */
int mg_frame_request(const char *buf, size_t len, size_t *line_len);

#endif /* MG_PROTO_H */
