// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "holder_scan.h"

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_obj(const void *pa, const void *pb)
{
	return cmp_u64(*(const uint64_t *)pa, *(const uint64_t *)pb);
}

int mg_holder_set_from(struct mg_holder_set *s,
		       const struct mg_scan_holder *recs, size_t n)
{
	s->objs = NULL;
	s->n = 0;
	if (!n)
		return 0;
	s->objs = malloc(n * sizeof(*s->objs));
	if (!s->objs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s->objs[i] = recs[i].object;
	qsort(s->objs, n, sizeof(*s->objs), cmp_obj);
	s->n = n;
	return 0;
}

int mg_holder_set_has(const struct mg_holder_set *s, uint64_t obj)
{
	return s->n && bsearch(&obj, s->objs, s->n, sizeof(*s->objs), cmp_obj);
}

void mg_holder_set_free(struct mg_holder_set *s)
{
	free(s->objs);
	s->objs = NULL;
	s->n = 0;
}

static int tgid_tracked(const uint32_t *tgids, size_t n, uint32_t tgid)
{
	for (size_t i = 0; i < n; i++)
		if (tgids[i] == tgid)
			return 1;
	return 0;
}

size_t mg_holder_scan_pick(const struct mg_scan_holder *recs, size_t n,
			   uint64_t mod, uint64_t budget,
			   const struct mg_holder_set *at_start,
			   const uint32_t *tracked_tgids, size_t n_tgids,
			   size_t *out, uint32_t *counts)
{
	size_t picked = 0;

	/* rank 0: found at start; 1: no tracked reference of its process */
	for (int rank = 0; rank < 3 && budget; rank++) {
		for (size_t i = 0; i < n && budget; i++) {
			const struct mg_scan_holder *r = &recs[i];
			int r_rank;

			if (r->mod != mod || !r->count)
				continue;
			if (at_start && mg_holder_set_has(at_start, r->object))
				r_rank = 0;
			else if (!r->tgid ||
				 !tgid_tracked(tracked_tgids, n_tgids, r->tgid))
				r_rank = 1;
			else
				r_rank = 2;
			if (r_rank != rank)
				continue;
			out[picked] = i;
			counts[picked] = r->count > budget ? (uint32_t)budget
							   : r->count;
			budget -= counts[picked];
			picked++;
		}
	}
	return picked;
}
