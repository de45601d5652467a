/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "status" verb's records: one "status" record (what is attached,
 * counters, the BPF maps' memory, enforcing or advisory and why), then one
 * "group" record per attach group of the BPF layer, active or not, with
 * the reason, one "bpf_map" record per BPF map (map_memory.h) and one
 * "damaged" record per damaged unload record.
 */
#ifndef MG_STATUS_H
#define MG_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "daemon.h"

struct mg_group_status;

void mg_status_encode(struct mg_daemon *d, FILE *out);
/* the "group" records of groups[0..n) */
void mg_status_encode_groups(const struct mg_group_status *groups, size_t n,
			     FILE *out);

#endif /* MG_STATUS_H */
