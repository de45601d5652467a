// SPDX-License-Identifier: GPL-2.0
/*
 * Settle the callback ledger against the objects themselves, on demand:
 * modguardd runs this iterator before it reports, and drops what it names
 * settled.  Output: a struct mg_armed_rec for every entry, so that the same
 * walk of the map (65,536 buckets) is also the report's view of it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "maps.bpf.h"
#include "pending.bpf.h"

SEC("iter/bpf_map_elem")
int mg_check_armed(struct bpf_iter__bpf_map_elem *ctx)
{
	struct mg_armed_info *a = ctx->value;
	struct mg_armed_rec r = {};
	__u64 *key = ctx->key;

	if (!key || !a)
		return 0;
	r.obj = *key;
	r.info = *a;
	/* its module is gone: the object may be gone too, never looked at */
	if (!(a->flags & MG_ARMF_LEFT))
		r.settled = mg_object_pending(a, r.obj) == 0;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
