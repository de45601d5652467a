// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_loader.h"
#include "log.h"
#include "modguard.skel.h"
#include "task_scan.h"

struct records {
	struct mg_task_record *recs;
	size_t n, cap;
};

/* the iterator's output, gathered into one growing array */
static int add_records(const void *recs, size_t n, void *ctx)
{
	struct records *r = ctx;

	if (r->n + n > r->cap) {
		size_t cap = r->cap ? r->cap : 64;
		struct mg_task_record *nrecs;

		while (cap < r->n + n)
			cap *= 2;
		nrecs = realloc(r->recs, cap * sizeof(*nrecs));
		if (!nrecs)
			return -ENOMEM;
		r->recs = nrecs;
		r->cap = cap;
	}
	memcpy(r->recs + r->n, recs, n * sizeof(*r->recs));
	r->n += n;
	return 0;
}

int mg_task_scan(struct mg_bpf *b, struct mg_task_record **recs, size_t *n)
{
	struct records r = { 0 };
	int err;

	*recs = NULL;
	*n = 0;
	err = mg_bpf_iter_read(mg_bpf_skel(b)->progs.mg_scan_tasks, NULL, "task",
			       sizeof(*r.recs), add_records, &r);
	if (err) {
		free(r.recs);
		return err;
	}
	*recs = r.recs;
	*n = r.n;
	mg_dbg("task scan: %zu task(s) in module text or running", *n);
	return 0;
}
