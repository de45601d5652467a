// SPDX-License-Identifier: GPL-2.0
/* the --metrics-file format, its bounds, its atomic write and its timing */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "../../user/daemon/metrics.h"
#include "check.h"

static const struct mg_metrics_view view = {
	.version = "1.2.3",
	.attached = 1,
	.enforcing = 1,
	.modules = 40,
	.events = 1000,
	.lost = 7,
	.resyncs = 2,
	.opens_refused = 3,
	.overflow = { 0, 0, 5, 0, 0, 1 },
	.have_map_bytes = 1,
	.map_bytes = 4096,
	.start_unix_s = 1700000000.5,
};

static char *render(const struct mg_metrics *m, const struct mg_metrics_view *v)
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);

	CHECK_INT(mg_metrics_render(m, v, f), 0);
	fclose(f);
	return data;
}

/* every sample line's metric is declared by a TYPE line before it */
static void check_declared(const char *text)
{
	char *copy = strdup(text), *save = NULL, types[8192] = " ";

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(l, "# TYPE %127s", name) == 1) {
			strncat(types, name, sizeof(types) - strlen(types) - 2);
			strcat(types, " ");
			continue;
		}
		if (l[0] == '#')
			continue;
		CHECK(!strncmp(l, "modguard_", 9));
		sscanf(l, "%127[a-z_]", name);
		/* a histogram's samples are NAME_bucket/_sum/_count */
		for (const char *suf = "_bucket\0_sum\0_count\0"; *suf;
		     suf += strlen(suf) + 1) {
			size_t n = strlen(name), s = strlen(suf);

			if (n > s && !strcmp(name + n - s, suf) &&
			    strstr(types, "modguard_verdict_duration_seconds ")) {
				name[n - s] = '\0';
				break;
			}
		}
		char want[140];

		snprintf(want, sizeof(want), " %s ", name);
		if (!strstr(types, want))
			check_fail(__FILE__, __LINE__, "%s has no TYPE line", name);
	}
	free(copy);
}

static void t_render(void)
{
	struct mg_metrics m = { .quarantined = 2 };
	char *t;

	mg_metrics_count_record(&m, "refused", "mg_x", 1);
	mg_metrics_count_record(&m, "refused", "mg_x", 2);
	mg_metrics_count_record(&m, "stale", "mg_y", 3);
	mg_metrics_count_record(&m, "unloading", "mg_z", 4);
	t = render(&m, &view);
	CHECK_CONTAINS(t, "modguard_build_info{version=\"1.2.3\"} 1\n");
	CHECK_CONTAINS(t, "# TYPE modguard_attached gauge\nmodguard_attached 1\n");
	CHECK_CONTAINS(t, "modguard_mode{mode=\"enforcing\"} 1\n");
	CHECK_CONTAINS(t, "modguard_mode{mode=\"advisory\"} 0\n");
	CHECK_CONTAINS(t, "modguard_modules_tracked 40\n");
	CHECK_CONTAINS(t, "# TYPE modguard_events_total counter\nmodguard_events_total 1000\n");
	CHECK_CONTAINS(t, "modguard_lost_events_total 7\n");
	CHECK_CONTAINS(t, "modguard_map_overflows_total{map=\"mg_armed\"} 5\n");
	CHECK_CONTAINS(t, "modguard_map_overflows_total{map=\"mg_thread_calls\"} 1\n");
	CHECK_CONTAINS(t, "modguard_module_refusals_total{module=\"mg_x\"} 2\n");
	CHECK_NOT_CONTAINS(t, "modguard_module_refusals_total{module=\"mg_y\"}");
	CHECK_CONTAINS(t, "modguard_module_stale_unloads_total{module=\"mg_y\"} 1\n");
	CHECK_CONTAINS(t, "\nmodguard_refusals_total 2\n");
	CHECK_CONTAINS(t, "\nmodguard_stale_unloads_total 1\n");
	CHECK_NOT_CONTAINS(t, "mg_z");
	CHECK_CONTAINS(t, "modguard_quarantined_builds 2\n");
	CHECK_CONTAINS(t, "modguard_opens_refused_total 3\n");
	CHECK_CONTAINS(t, "modguard_start_time_seconds 1700000000.500\n");
	CHECK_CONTAINS(t, "modguard_bpf_map_bytes 4096\n");
	CHECK(m.quarantine_dirty); /* a stale record may quarantine */
	CHECK(m.dirty);
	check_declared(t);
	free(t);
}

static void t_unknown_left_out(void)
{
	struct mg_metrics m = { .quarantined = -1 };
	struct mg_metrics_view v = view;
	char *t;

	v.have_map_bytes = 0;
	v.enforcing = 0;
	t = render(&m, &v);
	/* no figure beats a wrong one */
	CHECK_NOT_CONTAINS(t, "modguard_quarantined_builds ");
	CHECK_NOT_CONTAINS(t, "modguard_bpf_map_bytes ");
	CHECK_CONTAINS(t, "modguard_mode{mode=\"advisory\"} 1\n");
	/* there at 0 before the first one: the alert's series exists */
	CHECK_CONTAINS(t, "# TYPE modguard_stale_unloads_total counter\nmodguard_stale_unloads_total 0\n");
	CHECK_CONTAINS(t, "\nmodguard_refusals_total 0\n");
	check_declared(t);
	free(t);
}

static void t_histogram(void)
{
	struct mg_metrics m = { .quarantined = 0 };
	char *t;

	mg_metrics_observe_verdict(&m, 500000);      /* 0.5 ms */
	mg_metrics_observe_verdict(&m, 30000000);    /* 30 ms */
	mg_metrics_observe_verdict(&m, 60000000000); /* 60 s */
	t = render(&m, &view);
	CHECK_CONTAINS(t, "# TYPE modguard_verdict_duration_seconds histogram\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_bucket{le=\"0.001\"} 1\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_bucket{le=\"0.025\"} 1\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_bucket{le=\"0.05\"} 2\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_bucket{le=\"10\"} 2\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_bucket{le=\"+Inf\"} 3\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_count 3\n");
	CHECK_CONTAINS(t, "modguard_verdict_duration_seconds_sum 60.030500000\n");
	free(t);
}

/* a hostile flood of module names cannot grow the label set */
static void t_bounded_labels(void)
{
	struct mg_metrics *m = calloc(1, sizeof(*m));
	char name[32], *t, *p;
	int lines = 0;

	for (int i = 0; i < MG_METRICS_MODULES + 100; i++) {
		snprintf(name, sizeof(name), "mod%d", i);
		mg_metrics_count_record(m, "refused", name, 1);
	}
	mg_metrics_count_record(m, "refused", "mod0", 1);
	t = render(m, &view);
	for (p = t; (p = strstr(p, "modguard_module_refusals_total{")); p++)
		lines++;
	CHECK_INT(lines, MG_METRICS_MODULES + 1);
	CHECK_CONTAINS(t, "modguard_module_refusals_total{module=\"mod0\"} 2\n");
	CHECK_CONTAINS(t, "modguard_module_refusals_total{module=\"_other\"} 100\n");
	CHECK_CONTAINS(t, "\nmodguard_refusals_total 357\n");
	free(t);
	free(m);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	if (f) {
		fread(buf, 1, 65535, f);
		fclose(f);
	}
	return buf;
}

static void t_write_file(void)
{
	char tmpl[] = "/tmp/mg_metrics.XXXXXX", path[300], *t;
	struct mg_metrics m = { .quarantined = 0 };
	char *dir = check_mkdtemp(tmpl);
	struct stat st;
	DIR *dp;
	struct dirent *de;
	int n = 0;

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/modguard.prom", dir);
	umask(077);
	CHECK_INT(mg_metrics_write_file(path, &m, &view), 0);
	mg_metrics_count_record(&m, "refused", "mg_x", 1);
	CHECK_INT(mg_metrics_write_file(path, &m, &view), 0);
	t = slurp(path);
	CHECK_CONTAINS(t, "modguard_module_refusals_total{module=\"mg_x\"} 1\n");
	free(t);
	/* readable by the collector whatever the daemon's umask */
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	/* no temp file left beside it */
	dp = opendir(dir);
	while (dp && (de = readdir(dp)))
		n += de->d_name[0] != '.' || strlen(de->d_name) > 2;
	if (dp)
		closedir(dp);
	CHECK_INT(n, 1);
	/* a folder that does not exist: an error, nothing written */
	snprintf(path, sizeof(path), "%s/none/modguard.prom", dir);
	CHECK_INT(mg_metrics_write_file(path, &m, &view), -ENOENT);
}

/* a symlink planted at the temp name is not followed */
static void t_write_no_follow(void)
{
	char tmpl[] = "/tmp/mg_metrics.XXXXXX", path[300], tmp[300], victim[300];
	struct mg_metrics m = { .quarantined = 0 };
	char *dir = check_mkdtemp(tmpl), *t;
	int fd;

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(tmp, sizeof(tmp), "%s/.m.prom.%d.tmp", dir, (int)getpid());
	fd = open(victim, O_CREAT | O_WRONLY, 0600);
	CHECK(write(fd, "keep", 4) == 4);
	close(fd);
	CHECK_INT(symlink(victim, tmp), 0);
	CHECK_INT(mg_metrics_write_file(path, &m, &view), 0);
	t = slurp(victim);
	CHECK_STR(t, "keep");
	free(t);
}

static void t_due(void)
{
	struct mg_metrics m = { 0 };
	const uint64_t s = 1000000000ull;

	CHECK_INT(mg_metrics_due_ms(&m, 100 * s), -1); /* off */
	m.path = "/x";
	CHECK_INT(mg_metrics_due_ms(&m, 100 * s), 0); /* never written */
	m.written_ns = 100 * s;
	CHECK_INT(mg_metrics_due_ms(&m, 100 * s), MG_METRICS_INTERVAL_MS);
	CHECK_INT(mg_metrics_due_ms(&m, 110 * s), MG_METRICS_INTERVAL_MS - 10000);
	CHECK_INT(mg_metrics_due_ms(&m, 116 * s), 0);
	/* a change is written soon, not at the next interval */
	mg_metrics_changed(&m, 101 * s);
	CHECK_INT(mg_metrics_due_ms(&m, 101 * s), MG_METRICS_CHANGE_DELAY_MS);
	/* more changes do not push it back */
	mg_metrics_changed(&m, 101 * s + 150000000);
	CHECK_INT(mg_metrics_due_ms(&m, 101 * s + 150000000),
		  MG_METRICS_CHANGE_DELAY_MS - 150);
	CHECK_INT(mg_metrics_due_ms(&m, 102 * s), 0);
}

int main(void)
{
	RUN(t_render);
	RUN(t_unknown_left_out);
	RUN(t_histogram);
	RUN(t_bounded_labels);
	RUN(t_write_file);
	RUN(t_write_no_follow);
	RUN(t_due);
	return check_done();
}
