/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel log lines of modguardd (/dev/kmsg). */
#ifndef MG_KERNEL_LOG_H
#define MG_KERNEL_LOG_H

#include <stddef.h>

#include "records.h"

#define MG_KMSG_PATH "/dev/kmsg"
/* a kernel-log line names at most this many references */
#define MG_KMSG_REFS 4

/*
 * Write one line "<4>modguard: <message>\n" to kmsg_path (NULL:
 * /dev/kmsg) in a single write, control characters replaced, truncated
 * with "..." to what the kernel accepts. Returns 0 or -errno.
 */
int mg_kmsg_log(const char *kmsg_path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * "<first_sep>kind function, kind function, ..." of the first
 * MG_KMSG_REFS of refs (", ..." when total is more) into buf.  Returns
 * the length written.
 */
size_t mg_kmsg_ref_list(const struct mg_ref_summary *refs, size_t nrefs,
			size_t total, const char *first_sep, char *buf,
			size_t len);
/* the one-line kernel log summary of rec (after mg_record_write) */
int mg_kmsg_record(const char *kmsg_path, const struct mg_unload_record *rec);

#endif /* MG_KERNEL_LOG_H */
