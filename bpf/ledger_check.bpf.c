// SPDX-License-Identifier: GPL-2.0
/*
 * Settle the callback ledger against the objects themselves, on demand:
 * modguardd runs this iterator before it reports, and drops what it names.
 * Output: the keys (object addresses) of entries that are no longer armed.
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
	__u64 *key = ctx->key;
	__u64 obj;

	if (!key || !a)
		return 0;
	obj = *key;
	if (a->flags & MG_ARMF_LEFT)
		return 0; /* its module is gone: the object may be gone too */
	if (mg_object_pending(a, obj) == 0)
		bpf_seq_write(ctx->meta->seq, &obj, sizeof(obj));
	return 0;
}
