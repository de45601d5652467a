// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "bpf_loader.h"
#include "held_refs.h"
#include "log.h"
#include "modguard.skel.h"

struct gathered {
	struct mg_ref_event *recs;
	size_t n, cap;
};

static int gather(const void *recs, size_t n, void *ctx)
{
	struct gathered *g = ctx;
	const struct mg_ref_event *in = recs;

	for (size_t i = 0; i < n; i++) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 16;
			struct mg_ref_event *r = realloc(g->recs, cap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			g->recs = r;
			g->cap = cap;
		}
		g->recs[g->n] = in[i];
		g->recs[g->n].e.comm[MG_COMM_LEN - 1] = '\0';
		if (g->recs[g->n].e.ref.nstack > MG_TAKER_DEPTH)
			g->recs[g->n].e.ref.nstack = MG_TAKER_DEPTH;
		g->n++;
	}
	return 0;
}

int mg_held_refs_scan(struct mg_bpf *b, struct mg_ref_event **recs, size_t *n)
{
	struct modguard_bpf *skel = mg_bpf_skel(b);
	struct gathered g = { 0 };
	int err;

	*recs = NULL;
	*n = 0;
	err = mg_bpf_iter_read(skel->progs.mg_scan_held_refs, NULL,
			       "held references", sizeof(*g.recs), gather, &g);
	if (err) {
		free(g.recs);
		return err;
	}
	*recs = g.recs;
	*n = g.n;
	mg_dbg("held references: %zu thread(s) hold one in their slot", *n);
	return 0;
}
