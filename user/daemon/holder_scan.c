// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_loader.h"
#include "holder_scan.h"
#include "log.h"
#include "modguard.skel.h"

struct gathered {
	struct mg_scan_holder *recs;
	size_t n, cap;
};

static int gather(const void *recs, size_t n, void *ctx)
{
	struct gathered *g = ctx;
	const struct mg_scan_holder *in = recs;

	for (size_t i = 0; i < n; i++) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 32;
			struct mg_scan_holder *r = realloc(g->recs, cap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			g->recs = r;
			g->cap = cap;
		}
		g->recs[g->n] = in[i];
		g->recs[g->n].comm[MG_COMM_LEN - 1] = '\0';
		g->recs[g->n].path[MG_SCAN_PATH_LEN - 1] = '\0';
		g->n++;
	}
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* by module, object, kind; then the lowest pid and fd first */
static int cmp_holder(const void *pa, const void *pb)
{
	const struct mg_scan_holder *a = pa, *b = pb;
	int c;

	if ((c = cmp_u64(a->mod, b->mod)) || (c = cmp_u64(a->object, b->object)) ||
	    (c = cmp_u64(a->via, b->via)) || (c = cmp_u64(a->tgid, b->tgid)))
		return c;
	return cmp_u64((uint32_t)a->fd, (uint32_t)b->fd);
}

static size_t dedup(struct mg_scan_holder *r, size_t n)
{
	size_t out = 0;

	qsort(r, n, sizeof(*r), cmp_holder);
	for (size_t i = 0; i < n; i++) {
		if (out && r[out - 1].mod == r[i].mod &&
		    r[out - 1].object == r[i].object && r[out - 1].via == r[i].via)
			continue;
		r[out++] = r[i];
	}
	return out;
}

int mg_holder_scan(struct mg_bpf *b, struct mg_scan_holder **recs, size_t *n)
{
	struct modguard_bpf *skel = mg_bpf_skel(b);
	struct gathered g = { 0 };
	int err;

	*recs = NULL;
	*n = 0;
	err = mg_bpf_iter_read(skel->progs.mg_scan_files, NULL, "task_file",
			       sizeof(*g.recs), gather, &g);
	if (!err)
		err = mg_bpf_iter_read(skel->progs.mg_scan_supers, NULL,
				       "superblock", sizeof(*g.recs), gather, &g);
	if (err) {
		free(g.recs);
		return err;
	}
	*n = dedup(g.recs, g.n);
	*recs = g.recs;
	mg_dbg("holder scan: %zu object(s) holding module references", *n);
	return 0;
}
