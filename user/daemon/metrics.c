// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition of modguardd's figures; see metrics.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"

const double mg_metrics_bucket_s[MG_METRICS_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1,   0.25,   0.5,   1,    2.5,   10,
};

const char *const mg_metrics_overflow_maps[6] = {
	"mg_text_pages", "mg_modules", "mg_armed",
	"mg_open_files", "mg_chrdevs", "mg_thread_calls",
};

void mg_metrics_observe_verdict(struct mg_metrics *m, uint64_t ns)
{
	double s = (double)ns / 1e9;

	for (int i = 0; i < MG_METRICS_BUCKETS; i++)
		if (s <= mg_metrics_bucket_s[i])
			m->buckets[i]++;
	m->verdicts++;
	m->verdict_ns += ns;
}

void mg_metrics_changed(struct mg_metrics *m, uint64_t now_ns)
{
	if (!m->dirty)
		m->dirty_ns = now_ns;
	m->dirty = 1;
}

static struct mg_metrics_module *module_slot(struct mg_metrics *m,
					     const char *name)
{
	for (size_t i = 0; i < m->nmods; i++)
		if (!strcmp(m->mods[i].name, name))
			return &m->mods[i];
	if (m->nmods == MG_METRICS_MODULES)
		return &m->other;
	snprintf(m->mods[m->nmods].name, sizeof(m->mods[0].name), "%s", name);
	return &m->mods[m->nmods++];
}

void mg_metrics_count_record(struct mg_metrics *m, const char *outcome,
			     const char *module, uint64_t now_ns)
{
	struct mg_metrics_module *s;

	if (!strcmp(outcome, "refused")) {
		s = module_slot(m, module);
		s->refusals++;
	} else if (!strcmp(outcome, "stale")) {
		s = module_slot(m, module);
		s->stale++;
		m->quarantine_dirty = 1;
	} else {
		return;
	}
	mg_metrics_changed(m, now_ns);
}

/*
 * A module name is [A-Za-z0-9_-] (checked where it enters the daemon);
 * escape anyway what the format gives a meaning to in a label value.
 */
static void label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void head(FILE *out, const char *name, const char *type,
		 const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *out, const char *name, const char *type,
		const char *help, uint64_t v)
{
	head(out, name, type, help);
	fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

/*
 * A counter in all (always there, for alert rules: a series that appears
 * at 1 has no increase()) and one per module, with _other if used.
 */
static void per_module(FILE *out, const struct mg_metrics *m, const char *all,
		       const char *name, const char *help, int stale)
{
	uint64_t sum = 0;

	for (size_t i = 0; i <= m->nmods; i++) {
		const struct mg_metrics_module *s =
			i < m->nmods ? &m->mods[i] : &m->other;

		sum += stale ? s->stale : s->refusals;
	}
	one(out, all, "counter", help, sum);
	head(out, name, "counter", help);
	for (size_t i = 0; i <= m->nmods; i++) {
		const struct mg_metrics_module *s =
			i < m->nmods ? &m->mods[i] : &m->other;
		uint64_t v = stale ? s->stale : s->refusals;

		if (i == m->nmods && !v)
			break;
		if (!v)
			continue;
		fprintf(out, "%s{module=\"", name);
		label_value(out, i < m->nmods ? s->name : MG_METRICS_OTHER);
		fprintf(out, "\"} %llu\n", (unsigned long long)v);
	}
}

static void histogram(FILE *out, const struct mg_metrics *m)
{
	const char *name = "modguard_verdict_duration_seconds";

	head(out, name, "histogram",
	     "Time to decide a verdict (evidence, task scan, holders)");
	for (int i = 0; i < MG_METRICS_BUCKETS; i++)
		fprintf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
			mg_metrics_bucket_s[i],
			(unsigned long long)m->buckets[i]);
	fprintf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name,
		(unsigned long long)m->verdicts);
	fprintf(out, "%s_sum %.9f\n", name, (double)m->verdict_ns / 1e9);
	fprintf(out, "%s_count %llu\n", name, (unsigned long long)m->verdicts);
}

int mg_metrics_render(const struct mg_metrics *m,
		      const struct mg_metrics_view *v, FILE *out)
{
	head(out, "modguard_build_info", "gauge",
	     "modguardd's version, always 1");
	fprintf(out, "modguard_build_info{version=\"");
	label_value(out, v->version);
	fprintf(out, "\"} 1\n");
	one(out, "modguard_attached", "gauge",
	    "1 while the BPF programs are attached and tracking", !!v->attached);
	head(out, "modguard_mode", "gauge",
	     "1 for the mode modguardd runs in: enforcing refuses plain rmmod "
	     "of a busy module, advisory only guards modguard-rmmod");
	fprintf(out, "modguard_mode{mode=\"enforcing\"} %d\n", !!v->enforcing);
	fprintf(out, "modguard_mode{mode=\"advisory\"} %d\n", !v->enforcing);
	one(out, "modguard_modules_tracked", "gauge",
	    "Modules in the ledger (loaded, or gone with a record)", v->modules);
	head(out, "modguard_start_time_seconds", "gauge",
	     "When tracking began, seconds since the epoch");
	fprintf(out, "modguard_start_time_seconds %.3f\n", v->start_unix_s);
	one(out, "modguard_events_total", "counter",
	    "BPF events handled", v->events);
	one(out, "modguard_lost_events_total", "counter",
	    "BPF events dropped because the ring buffer was full; holders are "
	    "resynced after a loss", v->lost);
	one(out, "modguard_resyncs_total", "counter",
	    "Times the holders were resynced after lost events", v->resyncs);
	head(out, "modguard_map_overflows_total", "counter",
	     "Entries that did not fit a bounded BPF map (docs/MAPS.md)");
	for (int i = 0; i < 6; i++)
		fprintf(out, "modguard_map_overflows_total{map=\"%s\"} %llu\n",
			mg_metrics_overflow_maps[i],
			(unsigned long long)v->overflow[i]);
	if (v->have_map_bytes)
		one(out, "modguard_bpf_map_bytes", "gauge",
		    "Memory of modguard's BPF maps", v->map_bytes);
	per_module(out, m, "modguard_refusals_total",
		   "modguard_module_refusals_total",
		   "Unloads refused (modguard-rmmod and plain delete_module()), "
		   "since modguardd started", 0);
	per_module(out, m, "modguard_stale_unloads_total",
		   "modguard_module_stale_unloads_total",
		   "Unloads that left stale references behind, since modguardd "
		   "started", 1);
	if (m->quarantined >= 0)
		one(out, "modguard_quarantined_builds", "gauge",
		    "Module builds (or damaged records) whose unload is refused "
		    "until clear-quarantine", (uint64_t)m->quarantined);
	one(out, "modguard_opens_refused_total", "counter",
	    "Opens of an owner-less device refused while its module unloaded",
	    v->opens_refused);
	histogram(out, m);
	return ferror(out) ? -EIO : 0;
}

int mg_metrics_write_file(const char *path, const struct mg_metrics *m,
			  const struct mg_metrics_view *v)
{
	char tmp[4096], dir_buf[4096], base_buf[4096];
	int fd, err = 0;
	FILE *f;

	if (snprintf(dir_buf, sizeof(dir_buf), "%s", path) >= (int)sizeof(dir_buf))
		return -ENAMETOOLONG;
	snprintf(base_buf, sizeof(base_buf), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dirname(dir_buf),
		     basename(base_buf), (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp); /* ours, left by a write that failed half-way */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -errno;
	/* the collector runs as another user: readable whatever the umask */
	if (fchmod(fd, 0644))
		err = -errno;
	f = err ? NULL : fdopen(fd, "w");
	if (!f) {
		err = err ? err : -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = mg_metrics_render(m, v, f);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int mg_metrics_due_ms(const struct mg_metrics *m, uint64_t now_ns)
{
	uint64_t due;

	if (!m->path)
		return -1;
	due = m->written_ns + MG_METRICS_INTERVAL_MS * 1000000ull;
	if (m->dirty && m->dirty_ns + MG_METRICS_CHANGE_DELAY_MS * 1000000ull < due)
		due = m->dirty_ns + MG_METRICS_CHANGE_DELAY_MS * 1000000ull;
	if (!m->written_ns || due <= now_ns)
		return 0;
	return (int)((due - now_ns + 999999) / 1000000);
}
