// SPDX-License-Identifier: GPL-2.0
/* the status verb's records (user/daemon/status.c) */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "records.h"
#include "status.h"
#include "stubs/bpf_stub.h"
#include "version.h"
#include "check.h"

static struct fx fx;

static const char *status_text(void)
{
	FILE *out = fx_out_open(&fx);

	mg_status_encode(&fx.d, out);
	return fx_out_close(&fx, out);
}

static void status_record(void)
{
	const char *st;
	size_t n;
	char **l;

	fx_init(&fx);
	mg_stub.caps.refs = 1;
	mg_stub.stats[MG_STAT_RINGBUF_LOST] = 3;
	mg_stub.stats[MG_STAT_FILTER_HITS] = 1000; /* not an overflow */
	mg_stub.stats[MG_STAT_PAGES_FULL] = 1;
	mg_stub.stats[MG_STAT_MODULES_FULL] = 2;
	mg_stub.stats[MG_STAT_ARMED_FULL] = 4;
	mg_stub.stats[MG_STAT_FILES_FULL] = 8;
	mg_stub.stats[MG_STAT_CHRDEVS_FULL] = 16;
	mg_stub.stats[MG_STAT_THREADS_FULL] = 32;
	mg_stub.stats[MG_STAT_OPENS_REFUSED] = 5;
	snprintf(mg_stub.caps.advisory_reason,
		 sizeof(mg_stub.caps.advisory_reason), "the BPF LSM is not active");
	fx_load_buggy(&fx, 0, "-");
	fx.d.events = 42;
	fx.d.resyncs = 2;
	l = fx_lines_of(&fx, status_text(), &n);
	CHECK_INT(n, 1);
	st = n ? l[0] : "";
	CHECK_STR(fx_keys(&fx, st),
		  "status version pid attached tracking_since modules events lost "
		  "resyncs overflow bpf_map_bytes references open_files "
		  "opens_refused mode reason");
	CHECK_STR(fx_field(&fx, st, "version"), MG_VERSION);
	CHECK_INT(atoi(fx_field(&fx, st, "pid")), getpid());
	CHECK_STR(fx_field(&fx, st, "attached"), "1");
	CHECK_STR(fx_field(&fx, st, "tracking_since"), "100.000");
	CHECK_STR(fx_field(&fx, st, "modules"), "1");
	CHECK_STR(fx_field(&fx, st, "events"), "42");
	CHECK_STR(fx_field(&fx, st, "lost"), "3");
	CHECK_STR(fx_field(&fx, st, "resyncs"), "2");
	CHECK_STR(fx_field(&fx, st, "overflow"), "63");
	CHECK_STR(fx_field(&fx, st, "bpf_map_bytes"), "0"); /* no maps */
	CHECK_STR(fx_field(&fx, st, "references"), "tracked");
	CHECK_STR(fx_field(&fx, st, "open_files"), "unavailable");
	CHECK_STR(fx_field(&fx, st, "opens_refused"), "5");
	CHECK_STR(fx_field(&fx, st, "mode"), "advisory");
	CHECK_STR(fx_field(&fx, st, "reason"),
		  "plain rmmod is not guarded because the BPF LSM is not active");
	fx_fini(&fx);
}

static void enforcing_mode(void)
{
	const char *st;

	fx_init(&fx);
	mg_stub.caps.enforcing = 1;
	mg_stub.caps.open_files = 1;
	fx.d.attached = 0;
	st = status_text();
	CHECK_STR(fx_field(&fx, st, "mode"), "enforcing");
	CHECK_STR(fx_field(&fx, st, "reason"),
		  "plain rmmod and any delete_module() of a busy module are "
		  "refused (BPF LSM)");
	CHECK_STR(fx_field(&fx, st, "references"), "unavailable");
	CHECK_STR(fx_field(&fx, st, "open_files"), "tracked");
	CHECK_STR(fx_field(&fx, st, "attached"), "0");
	CHECK_STR(fx_field(&fx, st, "overflow"), "0");
	fx_fini(&fx);
}

/* one group record per attach group, in table order, after the status */
static void group_records(void)
{
	struct mg_group_status g[3] = {
		{ .name = "lifecycle", .what = "module loads and frees",
		  .required = 1, .active = 1 },
		{ .name = "open_files", .what = "open files" },
		{ .name = "enforcement", .what = "refusing busy unloads" },
	};
	FILE *out;
	size_t n;
	char **l;

	fx_init(&fx);
	snprintf(g[1].reason, sizeof(g[1].reason),
		 "mg_file_free did not attach: No such file or directory");
	snprintf(g[2].reason, sizeof(g[2].reason), "--advisory was given");
	out = fx_out_open(&fx);
	mg_status_encode_groups(g, 3, out);
	l = fx_lines_of(&fx, fx_out_close(&fx, out), &n);
	CHECK_INT(n, 3);
	CHECK_STR(n > 0 ? l[0] : "",
		  "group name=lifecycle state=active required=1 "
		  "what=module%20loads%20and%20frees reason=");
	CHECK_STR(n > 1 ? l[1] : "",
		  "group name=open_files state=inactive required=0 "
		  "what=open%20files reason=mg_file_free%20did%20not%20attach:"
		  "%20No%20such%20file%20or%20directory");
	CHECK_STR(n > 2 ? l[2] : "",
		  "group name=enforcement state=inactive required=0 "
		  "what=refusing%20busy%20unloads reason=--advisory%20was%20given");
	/* none: nothing */
	out = fx_out_open(&fx);
	mg_status_encode_groups(g, 0, out);
	CHECK_STR(fx_out_close(&fx, out), "");

	/* mg_status_encode() lists the BPF layer's groups after its record */
	memcpy(mg_stub.groups, g, sizeof(g));
	mg_stub.ngroups = 3;
	l = fx_lines_of(&fx, status_text(), &n);
	CHECK_INT(n, 4);
	CHECK(n == 4 && !strncmp(l[0], "status ", 7));
	CHECK_STR(n == 4 ? fx_field(&fx, l[1], "name") : "", "lifecycle");
	CHECK_STR(n == 4 ? fx_field(&fx, l[3], "state") : "", "inactive");
	fx_fini(&fx);
}

/*
 * The BPF maps' memory: their sum in the status record, then one bpf_map
 * record per map after the groups; a map whose memory the kernel did not
 * say has an empty bytes and is left out of the sum.
 */
static void map_records(void)
{
	struct mg_map_memory m[3] = {
		{ .name = "mg_events", .type = "ringbuf", .bytes = 1052672,
		  .max_entries = 1u << 20, .known = 1 },
		{ .name = "mg_armed", .type = "hash", .bytes = 5767168,
		  .max_entries = 65536, .known = 1 },
		{ .name = "mg_odd name", .type = "array", .max_entries = 1 },
	};
	const char *st, *text;
	size_t n;
	char **l;

	fx_init(&fx);
	memcpy(mg_stub.maps, m, sizeof(m));
	mg_stub.nmaps = 3;
	mg_stub.groups[0] = (struct mg_group_status){
		.name = "lifecycle", .what = "module loads", .active = 1 };
	mg_stub.ngroups = 1;
	l = fx_lines_of(&fx, status_text(), &n);
	CHECK_INT(n, 5);
	st = n ? l[0] : "";
	CHECK_STR(fx_field(&fx, st, "bpf_map_bytes"), "6819840");
	CHECK(n == 5 && !strncmp(l[1], "group ", 6));
	CHECK_STR(n == 5 ? l[2] : "",
		  "bpf_map name=mg_events type=ringbuf max_entries=1048576 "
		  "bytes=1052672");
	CHECK_STR(n == 5 ? l[3] : "",
		  "bpf_map name=mg_armed type=hash max_entries=65536 "
		  "bytes=5767168");
	CHECK_STR(n == 5 ? l[4] : "",
		  "bpf_map name=mg_odd%20name type=array max_entries=1 bytes=");
	fx_fini(&fx);

	/* the maps cannot be listed: no sum rather than a wrong 0 */
	fx_init(&fx);
	mg_stub.maps_err = -ENOMEM;
	text = status_text();
	st = fx_find_line(&fx, text, "status");
	CHECK(st && !fx_field(&fx, st, "bpf_map_bytes"));
	CHECK_INT(fx_count_tag(&fx, text, "bpf_map"), 0);
	fx_fini(&fx);
}

/*
 * A damaged record keeps its module quarantined until a person clears it:
 * status names it, after the groups; records that cannot be read at all
 * are named too.
 */
static void damaged_records(void)
{
	const char *id;
	char rel[200], path[FX_PATH_MAX + 200];
	const char *dmg;
	size_t n;
	char **l;

	fx_init(&fx);
	CHECK_INT(mg_records_init(fx.state), 0);
	CHECK_INT(fx_count_tag(&fx, status_text(), "damaged"), 0);
	id = fx_stale_record(&fx, "mg_buggy", "", "a timer left armed", NULL, 0);
	snprintf(rel, sizeof(rel), "records/stale/%s.rec", id);
	snprintf(path, sizeof(path), "%s/%s", fx.state, rel);
	CHECK_INT(truncate(path, 40), 0);
	l = fx_lines_of(&fx, status_text(), &n);
	CHECK(n >= 2);
	dmg = n >= 2 ? l[n - 1] : "";
	CHECK_STR(fx_keys(&fx, dmg), "damaged id module file why");
	CHECK_STR(fx_field(&fx, dmg, "id"), id);
	CHECK_STR(fx_field(&fx, dmg, "module"), "mg_buggy");
	CHECK_STR(fx_field(&fx, dmg, "file"), rel);
	CHECK(strlen(fx_field(&fx, dmg, "why") ? fx_field(&fx, dmg, "why") : "") > 0);
	/* no records folder to read: that is said instead */
	fx_rm_tree(fx.state);
	fx_write(&fx, "state/records", "not a folder\n");
	dmg = fx_find_line(&fx, status_text(), "damaged");
	CHECK(dmg != NULL);
	CHECK_STR(fx_field(&fx, dmg ? dmg : "", "file"), "records");
	CHECK_STR(fx_field(&fx, dmg ? dmg : "", "why"), "Not a directory");
	fx_fini(&fx);
}

int main(void)
{
	RUN(status_record);
	RUN(enforcing_mode);
	RUN(group_records);
	RUN(map_records);
	RUN(damaged_records);
	return check_done();
}
