/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What modguardd decided about a module, made durable: a record in the
 * store (records.h) built from the evidence, then its kernel-log line.
 * Durable first, then the kernel log, then whoever asked is answered: a
 * record must exist before anyone is told, and must survive the crash
 * that may follow.
 */
#ifndef MG_RECORD_WRITER_H
#define MG_RECORD_WRITER_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon.h"
#include "evidence.h"
#include "records.h"

struct mg_record_request {
	const char *outcome; /* "stale", "refused", "unloading" */
	const char *module;
	const char *build;
	pid_t requester_pid;
	const char *requester_comm;
	const char *reason;
	const struct mg_evidence *evidence; /* the refs; NULL: none */
};

/*
 * Write the record (and, but for an "unloading" intent, its kernel-log
 * line).  The record's id goes to id_out (may be NULL).  Returns 0 or the
 * -errno of the record write (logged).
 */
int mg_record_commit(struct mg_daemon *d, const struct mg_record_request *r,
		     char *id_out, size_t id_len);
/*
 * The same without the kernel-log line (a caller with a line of its own,
 * rate-limited: the enforcement's refusals), keeping the record written in
 * *rec (zeroed by the caller; its id is "" when the write failed, and its
 * refs are the caller's to free).
 */
int mg_record_commit_quiet(struct mg_daemon *d,
			   const struct mg_record_request *r,
			   struct mg_unload_record *rec);
/*
 * The refs of ev as record summaries, named with addresses (records are
 * for root); rec->refs is allocated, the caller frees it.
 */
int mg_record_fill_refs(struct mg_daemon *d, const struct mg_evidence *ev,
			struct mg_unload_record *rec);

#endif /* MG_RECORD_WRITER_H */
