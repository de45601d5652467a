// SPDX-License-Identifier: GPL-2.0
/*
 * What the daemon's metrics file is made of, and when it is written; the
 * format is metrics.c's.  See metrics.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "map_memory.h"
#include "metrics.h"
#include "records.h"
#include "version.h"

static int same_build(const struct mg_unload_record *a,
		      const struct mg_unload_record *b)
{
	return !strcmp(a->module, b->module) &&
	       (a->damaged || b->damaged || !strcmp(a->build, b->build));
}

/*
 * The builds the quarantine refuses: one per (module, build) of an
 * uncleared stale record, one per module of a damaged one; -1 when the
 * records cannot be read.
 */
static int64_t count_quarantined(const char *state_dir)
{
	struct mg_unload_record *recs = NULL;
	size_t n = 0;
	int64_t count = 0;

	if (mg_records_load(state_dir, &recs, &n, NULL))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int counted = 0;

		if (recs[i].cleared ||
		    (!recs[i].damaged && strcmp(recs[i].outcome, "stale")))
			continue;
		for (size_t j = 0; j < i && !counted; j++)
			counted = !recs[j].cleared &&
				  (recs[j].damaged || !strcmp(recs[j].outcome, "stale")) &&
				  same_build(&recs[i], &recs[j]);
		count += !counted;
	}
	mg_records_free(recs, n);
	return count;
}

static void gather(struct mg_daemon *d, struct mg_metrics_view *v)
{
	uint64_t stats[MG_STAT_MAX] = { 0 };
	static const int overflow_stat[6] = {
		MG_STAT_PAGES_FULL, MG_STAT_MODULES_FULL, MG_STAT_ARMED_FULL,
		MG_STAT_FILES_FULL, MG_STAT_CHRDEVS_FULL, MG_STAT_THREADS_FULL,
	};
	struct mg_map_memory *maps = NULL;
	size_t nmaps = 0;

	mg_bpf_stats(d->bpf, stats);
	*v = (struct mg_metrics_view){
		.version = MG_VERSION,
		.attached = d->attached,
		.enforcing = d->bpf && mg_bpf_caps(d->bpf)->enforcing,
		.modules = d->table.n,
		.events = d->events,
		.lost = stats[MG_STAT_RINGBUF_LOST],
		.resyncs = d->resyncs,
		.opens_refused = stats[MG_STAT_OPENS_REFUSED],
		.start_unix_s = (double)mg_unix_ns(d, d->start_ns) / 1e9,
	};
	for (int i = 0; i < 6; i++)
		v->overflow[i] = stats[overflow_stat[i]];
	v->have_map_bytes = !mg_map_memory_list(d->bpf, &maps, &nmaps,
						&v->map_bytes);
	free(maps);
}

void mg_daemon_metrics_write(struct mg_daemon *d)
{
	struct mg_metrics *m = &d->metrics;
	struct mg_metrics_view v;
	int err;

	if (!m->path)
		return;
	if (m->quarantine_dirty || m->quarantined < 0) {
		m->quarantined = count_quarantined(d->state_dir);
		m->quarantine_dirty = 0;
	}
	gather(d, &v);
	err = mg_metrics_write_file(m->path, m, &v);
	m->written_ns = mg_clock_ns(CLOCK_MONOTONIC);
	m->dirty = 0;
	m->lost_written = v.lost;
	if (err && !m->failing)
		mg_warn("metrics: cannot write %s: %s (said once; retried every "
			"%d s)", m->path, strerror(-err),
			MG_METRICS_INTERVAL_MS / 1000);
	else if (!err && m->failing)
		mg_info("metrics: %s written again", m->path);
	m->failing = !!err;
}

int mg_daemon_metrics_due_ms(struct mg_daemon *d)
{
	struct mg_metrics *m = &d->metrics;
	uint64_t now = mg_clock_ns(CLOCK_MONOTONIC);
	uint64_t stats[MG_STAT_MAX] = { 0 };

	if (!m->path)
		return -1;
	/* lost events matter: an alert waits on them */
	if (!m->dirty && d->bpf) {
		mg_bpf_stats(d->bpf, stats);
		if (stats[MG_STAT_RINGBUF_LOST] != m->lost_written)
			mg_metrics_changed(m, now);
	}
	return mg_metrics_due_ms(m, now);
}

void mg_daemon_metrics_tick(struct mg_daemon *d)
{
	if (mg_daemon_metrics_due_ms(d) == 0)
		mg_daemon_metrics_write(d);
}
