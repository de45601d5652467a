/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real taker of a module reference: module_get's ip is the direct
 * caller of try_module_get(), often generic plumbing that takes it for
 * someone else (fops_get() in do_dentry_open(), chrdev_open(),
 * get_filesystem(), blkdev_get_no_open(), __sock_create(), ...).  For a
 * get from plumbing the BPF side sends the stack (struct mg_ref_event);
 * the site is its first frame outside the plumbing, and the stack is kept
 * from the plumbing frame outwards.
 */
#ifndef MG_TAKER_SITE_H
#define MG_TAKER_SITE_H

#include <stddef.h>
#include <stdint.h>

/* the plumbing functions, by name (kallsyms looks them up); NULL-ended */
extern const char *const mg_plumbing_names[];

/*
 * Their [lo, hi) ranges, as kallsyms has them (n <= MG_PLUMBING_MAX): those
 * a kernel lacks (lo 0) or that have no end are left out, the rest kept
 * sorted by start.  Returns how many were kept.
 */
size_t mg_taker_site_set_plumbing(const uint64_t *lo, const uint64_t *hi,
				  size_t n);
/* the kept ranges, sorted by start (for the BPF programs' binary search) */
size_t mg_taker_site_plumbing(const uint64_t **lo, const uint64_t **hi);
int mg_taker_site_is_plumbing(uint64_t addr);

/*
 * Of a get at ip with its stack (innermost first): *first = the index of
 * ip's frame (0 when it is not there: the frames before it are the tracing
 * machinery's), and the site: the first frame from there on outside the
 * plumbing; ip itself when every frame is plumbing or there is no stack.
 */
uint64_t mg_taker_site(uint64_t ip, const uint64_t *stack, size_t n,
		       size_t *first);

#endif /* MG_TAKER_SITE_H */
