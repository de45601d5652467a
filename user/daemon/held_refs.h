/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Held references: the gets that threads keep in their slots instead of
 * sending them (bpf/module_refs.bpf.c), read on demand by the
 * mg_scan_held_refs iterator, and which of them a report shows.
 *
 * A slot holds a thread's newest reference until the thread drops it
 * (nothing is ever sent for the pair), takes another, exits, or an unload
 * starts to wait.  So a reference held for long by a thread that does
 * nothing more with modules (a process asleep with a device open) is
 * only in its slot, and a report has to read the slots to name it.
 */
#ifndef MG_HELD_REFS_H
#define MG_HELD_REFS_H

#include <stddef.h>
#include <stdint.h>

#include "modguard_abi.h"

struct mg_bpf;
struct mg_holder;
struct mg_module;

/*
 * Run the iterator: *recs is a malloc'd array of *n records (NULL when
 * none), each a struct mg_ref_event with kind MG_REFF_HELD.  0 or -errno.
 */
int mg_held_refs_scan(struct mg_bpf *b, struct mg_ref_event **recs, size_t *n);

/*
 * The holders of module m to show: its listed ones (m->holders) and, up to
 * refcnt (the kernel's count of users) in all, the held gets of recs that
 * are m's, newest first (a held get older than a put by another thread
 * was dropped by it: the count has no room for it).  A held get from
 * before m was loaded at that address is another module's.  Writes at most
 * m->nholders + n to out; returns how many.
 */
size_t mg_held_refs_pick(const struct mg_module *m, int refcnt,
			 const struct mg_ref_event *recs, size_t n,
			 struct mg_holder *out);

#endif /* MG_HELD_REFS_H */
