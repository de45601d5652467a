/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record format: one unload record (a stale unload, a refusal, an
 * unload intent) as protocol lines (proto.h escaping), the same lines on
 * disk (user/daemon/records.h: the store) and in the history reply:
 *
 *	record id=<id> outcome=<token> module=<name> build=<s> time_ns=<n>
 *	       requester_pid=<n> requester_comm=<s> reason=<text> boot=<s>
 *	       nrefs=<n> [refs_omitted=<n>]
 *	ref kind=<k> function=<s> site=<s> pid=<n> comm=<s> note=<text>
 *	...                                         (exactly nrefs ref lines)
 *
 * The parser is safe on arbitrary bytes: record files are read back after
 * a crash, a copy or disk trouble.
 */
#ifndef MG_RECORD_FORMAT_H
#define MG_RECORD_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "modguard_abi.h"

/* at most this many refs are kept per record; the rest are counted */
#define MG_RECORD_MAX_REFS 256

struct mg_ref_summary {
	char kind[16];
	char function[160];
	char site[160];
	uint32_t pid;
	char comm[16];
	char note[160];
	char hint[128]; /* the call the exit should have made; may be empty */
};

struct mg_unload_record {
	/* "20261129T012233.123456Z-<module>", UTC; unique, sorts by time */
	char id[96];
	char outcome[16]; /* "stale", "refused", ...: one token */
	char module[MG_MODULE_NAME_LEN];
	char build[96];	  /* srcversion or another opaque build id */
	uint64_t time_ns; /* unix ns; write fills it in when 0 */
	uint32_t requester_pid;
	char requester_comm[16];
	char reason[256]; /* human summary */
	char boot[40];	  /* /proc/sys/kernel/random/boot_id when written */
	uint32_t refs_omitted; /* refs beyond MG_RECORD_MAX_REFS, not stored */
	struct mg_ref_summary *refs;
	size_t nrefs;
	/*
	 * Where the store found it (records.h), never written to its file:
	 * damaged, a file that does not parse, stood in for by what its name
	 * says (id, module, time; outcome "damaged", the reason why);
	 * cleared, a person took it out of the quarantine. Emitted as
	 * damaged=1 and cleared=1 on the record line when set.
	 */
	uint8_t damaged;
	uint8_t cleared;
};

/* the string in a fixed-size field, which may lack its NUL */
size_t mg_field_len(const char *f, size_t size);
/* copy it NUL-terminated into dst, cut to size - 1 */
void mg_field_copy(char *dst, size_t size, const char *src);

/*
 * An id: "<UTC yyyymmddThhmmss.uuuuuu>Z-<module>" from unix ns and a
 * valid module name. Returns 0, -EOVERFLOW or -ENAMETOOLONG.
 */
int mg_record_id_format(char *buf, size_t size, uint64_t t_ns,
			const char *module);
/*
 * What an id (a file's name without ".rec") says: the module after its
 * first '-' (valid, or -EINVAL) and its time (*t_ns, unless t_ns is NULL;
 * 0 if that part is not a time: it only orders).  A damaged file is known
 * by its name alone.
 */
int mg_record_id_parse(const char *id, char *module, size_t size,
		       uint64_t *t_ns);

/*
 * r as its "record" line and its "ref" lines (at most MG_RECORD_MAX_REFS;
 * the rest counted in refs_omitted).  Returns 0 or -errno.
 */
int mg_record_format_write(FILE *f, const struct mg_unload_record *r);
/*
 * Parse a whole record file (buf has room for len + 1 bytes) into out,
 * whose id the caller has set.  Returns 0, -ENOMEM, or -EINVAL with *why
 * set; out->refs is allocated (free it) only on success.
 */
int mg_record_format_parse(char *buf, size_t len, struct mg_unload_record *out,
			   const char **why);
/*
 * The outcome on the first line of a record file that may not parse as a
 * whole (truncated after it), into outcome (cut to size - 1). Returns 0,
 * or -EINVAL when that line is not complete or has none. buf is not
 * changed.
 */
int mg_record_format_outcome(const char *buf, size_t len, char *outcome,
			     size_t size);

#endif /* MG_RECORD_FORMAT_H */
