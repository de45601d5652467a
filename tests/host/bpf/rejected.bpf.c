// SPDX-License-Identifier: GPL-2.0
/*
 * A program every verifier must reject, for the test of the host-side
 * verifier test (tests/host/bpf-verifier.sh): it uses a map lookup's result
 * without checking it for NULL ("invalid mem access 'map_value_or_null'").
 * Next to it, one that loads, so that the tool is seen to go on after a
 * rejection and to tell the two apart.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* an array lookup of a constant key is known non-NULL on new kernels */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mg_counts SEC(".maps");

SEC("tp_btf/sched_switch")
int mg_unchecked_lookup(void *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&mg_counts, &zero);

	*n += 1; /* no NULL check: rejected */
	return 0;
}

SEC("tp_btf/sched_switch")
int mg_checked_lookup(void *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&mg_counts, &zero);

	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
