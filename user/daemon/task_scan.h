/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Task scan: the tasks whose kernel stack is inside some module's text right
 * now, or that are kthreads running a module's thread function (BPF side:
 * bpf/task_scan.bpf.c, an iter/task program).
 *
 * Reading a record:
 *   mod != 0                 the task is inside module mod (frame is the
 *                            first return address in its text; or, with
 *                            MG_TASKF_OWN_FN and frame == 0, only its
 *                            thread function threadfn lies there)
 *   flags & MG_TASKF_RUNNING the task was on a CPU (or switched) while its
 *                            stack was read: the trace is stale.  Treat it
 *                            as "unknown, retry", never as "not inside".
 *                            Such a task is reported even when its stale
 *                            trace shows no module frame (then mod == 0).
 * Tasks without a record were asleep with no module frame in the first
 * MG_STACK_DEPTH frames and are not kthreads of a module.
 *
 * Only modules the BPF ledger knows (mg_text_pages, filled by module_load
 * and mg_bpf_scan_modules()) are recognised; with none known the scan
 * returns no records.  The scanning thread itself is never reported.  The
 * iterator sees the tasks of the reader's pid namespace; pid/tgid are the
 * kernel's (init namespace) ids.
 */
#ifndef MG_TASK_SCAN_H
#define MG_TASK_SCAN_H

#include <stddef.h>

#include "modguard_abi.h"

struct mg_bpf;

/*
 * Run one scan.  On success *recs is a malloc'd array of *n records (NULL
 * when *n == 0) that the caller frees; returns 0 or -errno (logged).
 *
 * Keeps no state: each call creates and destroys its own iterator link.
 * Caching the link was measured and is not worth a lifetime rule: link
 * creation is ~20 us of a 0.3 ms scan at 60 tasks under TCG, noise at 1000+.
 */
int mg_task_scan(struct mg_bpf *b, struct mg_task_record **recs, size_t *n);

#endif /* MG_TASK_SCAN_H */
