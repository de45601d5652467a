/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Holder scan: the references the kernel counts that its own state explains
 * (open files, block devices, sockets, mounts), found by the iterators of
 * bpf/holder_scan.bpf.c, for the references modguardd did not see being
 * taken (before it started, or lost).
 *
 * The report lists them next to the references it saw being taken, never
 * twice: a module shows at most refcnt - (tracked holders) of them
 * (mg_holder_scan_pick), those found at start first (they predate every
 * tracked reference), then those no tracked holder's process could have
 * taken, and the rest of the count stays unattributed.
 */
#ifndef MG_HOLDER_SCAN_H
#define MG_HOLDER_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "modguard_abi.h"

struct mg_bpf;

/*
 * Run both iterators.  On success *recs is a malloc'd array of *n records
 * (NULL when none), one per object and module: a file shared by several
 * processes (fork, SCM_RIGHTS) counts once, under the lowest pid.
 * Returns 0 or -errno.
 */
int mg_holder_scan(struct mg_bpf *b, struct mg_scan_holder **recs, size_t *n);

/* the objects of a scan, sorted, for mg_holder_scan_pick's "found at start" */
struct mg_holder_set {
	uint64_t *objs;
	size_t n;
};

int mg_holder_set_from(struct mg_holder_set *s,
		       const struct mg_scan_holder *recs, size_t n);
int mg_holder_set_has(const struct mg_holder_set *s, uint64_t obj);
void mg_holder_set_free(struct mg_holder_set *s);

/*
 * Which of recs explain the references of module mod that no tracked
 * holder does: budget of them at most (by count), those in at_start
 * first, then those whose process holds no tracked reference
 * (tracked_tgids, n_tgids), then the rest.  Writes indices into recs to
 * out (room for n), and each one's count, trimmed to the budget, to
 * counts.  Returns how many were picked.
 */
size_t mg_holder_scan_pick(const struct mg_scan_holder *recs, size_t n,
			   uint64_t mod, uint64_t budget,
			   const struct mg_holder_set *at_start,
			   const uint32_t *tracked_tgids, size_t n_tgids,
			   size_t *out, uint32_t *counts);

#endif /* MG_HOLDER_SCAN_H */
