/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-log line of a refusal by the enforcement: who asked, what
 * holds the module, and which command shows more, because the user of a
 * plain rmmod or modprobe -r sees only "Operation not permitted".
 *
 * A local user may loop rmmod, so the lines are rate limited per module
 * (and in all) over a window, and what was held back is counted; the
 * kernel log is opened once, non-blocking, so that the event loop never
 * waits on it.  Every refusal is still recorded (modguard history): only
 * its kernel-log line is held back.
 */
#ifndef MG_KMSG_WRITER_H
#define MG_KMSG_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* one window of the rate limit */
#define MG_KMSG_WINDOW_NS (60ULL * 1000000000ULL)
/* refusal lines per module per window; then one note that more are held back */
#define MG_KMSG_BURST 5
/* lines of all modules per window, notes included */
#define MG_KMSG_TOTAL 30
/* modules whose windows are tracked; beyond, they share one */
#define MG_KMSG_SLOTS 32

/* what the rate limit says about one more line for a module */
struct mg_kmsg_admit {
	int log;       /* write the line */
	int note;      /* not the line, but the one note that more are held back */
	uint64_t held; /* with log: how many were held back before it */
};

/*
 * One more line about module at now_ns (CLOCK_MONOTONIC): write it, or
 * the note that lines are held back (once per window of the module), or
 * nothing.  Held-back lines are counted until a line of the module is
 * written again, which then says how many (held).
 */
struct mg_kmsg_admit mg_kmsg_admit(const char *module, uint64_t now_ns);

/*
 * Write "<4>modguard: msg\n" to path in one write(): any byte outside
 * printable ASCII replaced with '?', cut with "..." to what the kernel
 * accepts.  path is opened once (O_WRONLY | O_APPEND | O_NONBLOCK |
 * O_CLOEXEC) and kept open; again when path changes or after an error.
 * Returns 0 or -errno (-EAGAIN: the line was dropped, not waited for).
 */
int mg_kmsg_write(const char *path, const char *msg);

/* copy s into buf (len > 0) with anything outside printable ASCII as '?' */
void mg_kmsg_clean(const char *s, size_t n, char *buf, size_t len);

#endif /* MG_KMSG_WRITER_H */
