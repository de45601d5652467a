// SPDX-License-Identifier: GPL-2.0
/* The status verb; see status.h and docs/PROTOCOL.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_groups.h"
#include "log.h"
#include "map_memory.h"
#include "proto.h"
#include "records.h"
#include "status.h"
#include "version.h"

static void put(FILE *out, struct mg_line *l)
{
	if (!mg_line_finish(l))
		fwrite(l->buf, 1, l->len, out);
	else
		mg_warn("status: dropped an oversized record");
}

void mg_status_encode_groups(const struct mg_group_status *groups, size_t n,
			     FILE *out)
{
	struct mg_line l = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct mg_group_status *g = &groups[i];

		mg_line_init(&l, "group");
		mg_line_add_str(&l, "name", g->name);
		mg_line_add_str(&l, "state", g->active ? "active" : "inactive");
		mg_line_add_u64(&l, "required", !!g->required);
		mg_line_add_str(&l, "what", g->what);
		mg_line_add_str(&l, "reason", g->reason);
		put(out, &l);
		mg_line_free(&l);
	}
}

/*
 * Damaged records keep their module quarantined (every build) until a
 * person clears it: one "damaged" record each, or one that says the
 * records cannot be read.
 */
static void encode_damaged(struct mg_daemon *d, FILE *out)
{
	struct mg_damaged_record *dr = NULL;
	struct mg_line l = { 0 };
	size_t n = 0;
	int err = mg_records_damaged(d->state_dir, &dr, &n);

	for (size_t i = 0; !err && i < n; i++) {
		mg_line_init(&l, "damaged");
		mg_line_add_str(&l, "id", dr[i].id);
		mg_line_add_str(&l, "module", dr[i].module);
		mg_line_add_str(&l, "file", dr[i].file);
		mg_line_add_str(&l, "why", dr[i].why);
		put(out, &l);
		mg_line_free(&l);
	}
	if (err) {
		mg_line_init(&l, "damaged");
		mg_line_add_str(&l, "id", "");
		mg_line_add_str(&l, "module", "");
		mg_line_add_str(&l, "file", MG_RECORDS_SUBDIR);
		mg_line_add_str(&l, "why", strerror(-err));
		put(out, &l);
		mg_line_free(&l);
	}
	free(dr);
}

/* one "bpf_map" record per map, after the groups */
static void encode_maps(const struct mg_map_memory *maps, size_t n, FILE *out)
{
	struct mg_line l = { 0 };

	for (size_t i = 0; i < n; i++) {
		mg_line_init(&l, "bpf_map");
		mg_line_add_str(&l, "name", maps[i].name);
		mg_line_add_str(&l, "type", maps[i].type);
		mg_line_add_u64(&l, "max_entries", maps[i].max_entries);
		if (maps[i].known)
			mg_line_add_u64(&l, "bytes", maps[i].bytes);
		else
			mg_line_add_str(&l, "bytes", "");
		put(out, &l);
		mg_line_free(&l);
	}
}

static uint64_t overflow(const uint64_t *stats)
{
	return stats[MG_STAT_PAGES_FULL] + stats[MG_STAT_MODULES_FULL] +
	       stats[MG_STAT_ARMED_FULL] + stats[MG_STAT_FILES_FULL] +
	       stats[MG_STAT_CHRDEVS_FULL] + stats[MG_STAT_THREADS_FULL];
}

void mg_status_encode(struct mg_daemon *d, FILE *out)
{
	uint64_t stats[MG_STAT_MAX] = { 0 };
	const struct mg_bpf_caps *caps = mg_bpf_caps(d->bpf);
	const struct mg_group_status *groups;
	struct mg_map_memory *maps = NULL;
	struct mg_line l = { 0 };
	size_t ngroups, nmaps = 0;
	uint64_t map_bytes = 0;
	char buf[320];
	int maps_err;

	mg_bpf_stats(d->bpf, stats);
	maps_err = mg_map_memory_list(d->bpf, &maps, &nmaps, &map_bytes);
	snprintf(buf, sizeof(buf), "%.3f",
		 (double)mg_unix_ns(d, d->start_ns) / 1e9);
	mg_line_init(&l, "status");
	mg_line_add_str(&l, "version", MG_VERSION);
	mg_line_add_u64(&l, "pid", (uint64_t)getpid());
	mg_line_add_u64(&l, "attached", d->attached);
	mg_line_add_str(&l, "tracking_since", buf);
	mg_line_add_u64(&l, "modules", d->table.n);
	mg_line_add_u64(&l, "events", d->events);
	mg_line_add_u64(&l, "lost", stats[MG_STAT_RINGBUF_LOST]);
	mg_line_add_u64(&l, "resyncs", d->resyncs);
	mg_line_add_u64(&l, "overflow", overflow(stats));
	/* left out when the maps cannot be listed: no figure beats a wrong 0 */
	if (!maps_err)
		mg_line_add_u64(&l, "bpf_map_bytes", map_bytes);
	mg_line_add_str(&l, "references", caps->refs ? "tracked" : "unavailable");
	mg_line_add_str(&l, "open_files",
			caps->open_files ? "tracked" : "unavailable");
	mg_line_add_u64(&l, "opens_refused", stats[MG_STAT_OPENS_REFUSED]);
	if (caps->enforcing) {
		mg_line_add_str(&l, "mode", "enforcing");
		mg_line_add_str(&l, "reason",
				"plain rmmod and any delete_module() of a busy "
				"module are refused (BPF LSM)");
	} else {
		snprintf(buf, sizeof(buf), "plain rmmod is not guarded because %s",
			 caps->advisory_reason);
		mg_line_add_str(&l, "mode", "advisory");
		mg_line_add_str(&l, "reason", buf);
	}
	put(out, &l);
	mg_line_free(&l);
	ngroups = mg_bpf_groups(d->bpf, &groups);
	mg_status_encode_groups(groups, ngroups, out);
	encode_maps(maps, nmaps, out);
	free(maps);
	encode_damaged(d, out);
}
