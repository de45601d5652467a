/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modguardd --metrics-file PATH: the daemon's figures in Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector.  The file is written whole to a temp file in the same folder
 * and renamed over PATH, so a scrape never sees half of it; it is written
 * at start, soon after anything that matters changes (a refusal, a stale
 * unload, a quarantine cleared, lost events, attach or mode) and at least
 * every MG_METRICS_INTERVAL_MS.  Every name starts with "modguard_"; the
 * only label with many values is the module name, and that one is
 * bounded (MG_METRICS_MODULES, then module="_other").  docs/METRICS.md
 * lists them, with alert rules.
 */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "modguard_abi.h"

#define MG_METRICS_INTERVAL_MS 15000
/* a change is written within this long: bursts make one write */
#define MG_METRICS_CHANGE_DELAY_MS 200
/* modules with counters of their own; the rest are summed as "_other" */
#define MG_METRICS_MODULES 256
#define MG_METRICS_OTHER "_other"
/* the verdict-latency histogram's upper bounds, in seconds */
#define MG_METRICS_BUCKETS 12

struct mg_metrics_module {
	char name[MG_MODULE_NAME_LEN];
	uint64_t refusals;
	uint64_t stale;
};

/* what the daemon keeps for the metrics between writes */
struct mg_metrics {
	const char *path;    /* --metrics-file; NULL: no metrics */
	int dirty;	     /* a change that matters is not written yet */
	uint64_t dirty_ns;   /* when it became dirty (CLOCK_MONOTONIC) */
	uint64_t written_ns; /* the last write attempt */
	int failing;	     /* the last write failed (logged once) */
	/* per module, bounded; overflow sums into other */
	struct mg_metrics_module mods[MG_METRICS_MODULES];
	size_t nmods;
	struct mg_metrics_module other;
	/* stale records that quarantine, and damaged ones: -1 unknown */
	int64_t quarantined;
	int quarantine_dirty; /* recount at the next write */
	/* verdict latency: cumulative counts per bucket, sum, count */
	uint64_t buckets[MG_METRICS_BUCKETS];
	uint64_t verdicts;
	uint64_t verdict_ns;
	uint64_t lost_written; /* lost events at the last write */
};

/* the figures of one write, gathered from the daemon (or a test) */
struct mg_metrics_view {
	const char *version;
	int attached;
	int enforcing;
	uint64_t modules;
	uint64_t events;
	uint64_t lost;
	uint64_t resyncs;
	uint64_t opens_refused;
	uint64_t overflow[6]; /* by map, in mg_metrics_overflow_maps order */
	int have_map_bytes;
	uint64_t map_bytes;
	double start_unix_s;
};

extern const double mg_metrics_bucket_s[MG_METRICS_BUCKETS];
/* the map each overflow counter is about: the label values */
extern const char *const mg_metrics_overflow_maps[6];

/* one verdict took ns */
void mg_metrics_observe_verdict(struct mg_metrics *m, uint64_t ns);
/*
 * A record was written: count "refused" and "stale" per module, and mark
 * the quarantine for a recount when it may have changed.
 */
void mg_metrics_count_record(struct mg_metrics *m, const char *outcome,
			     const char *module, uint64_t now_ns);
/* something that matters changed: write soon */
void mg_metrics_changed(struct mg_metrics *m, uint64_t now_ns);

/* the whole exposition of m and v; 0 or -errno (the stream failed) */
int mg_metrics_render(const struct mg_metrics *m,
		      const struct mg_metrics_view *v, FILE *out);
/*
 * Render into a temp file beside path (".<name>.<pid>.tmp", mode 0644,
 * O_EXCL|O_NOFOLLOW) and rename it over path.  0 or -errno; the temp file
 * is removed on failure.
 */
int mg_metrics_write_file(const char *path, const struct mg_metrics *m,
			  const struct mg_metrics_view *v);

/* ms until the next write is due (0: now), -1 when metrics are off */
int mg_metrics_due_ms(const struct mg_metrics *m, uint64_t now_ns);

#endif /* MG_METRICS_H */
