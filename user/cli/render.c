// SPDX-License-Identifier: GPL-2.0
/* text and JSON rendering of daemon replies; see render.h */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "render.h"

/* integers past this many seconds (year 5138) can only be nanoseconds */
#define SECONDS_MAX_PLAUSIBLE 100000000000ULL

int mg_render_time(const char *value, char *buf, size_t size)
{
	char whole[24];
	const char *dot;
	size_t wlen;
	uint64_t sec;
	struct tm tm;
	time_t t;

	if (!value)
		return -EINVAL;
	dot = strchr(value, '.');
	wlen = dot ? (size_t)(dot - value) : strlen(value);
	if (!wlen || wlen >= sizeof(whole))
		return -EINVAL;
	memcpy(whole, value, wlen);
	whole[wlen] = '\0';
	/* plain decimal only: mg_parse_u64 would also take 0x hex */
	if (strspn(whole, "0123456789") != wlen ||
	    mg_parse_u64(whole, 0, UINT64_MAX, &sec))
		return -EINVAL;
	if (dot) {
		for (const char *p = dot + 1; *p; p++)
			if (*p < '0' || *p > '9')
				return -EINVAL;
	} else if (sec > SECONDS_MAX_PLAUSIBLE) {
		sec /= 1000000000ULL;
	}
	if (sec > SECONDS_MAX_PLAUSIBLE)
		return -EINVAL;
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	if (!strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		return -EINVAL;
	return 0;
}

/*
 * Values come from the daemon but may carry user-controlled bytes (comm,
 * notes); keep terminal control sequences out of text output.
 */
static size_t put_clean(FILE *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
	return n;
}

static void put_padded(FILE *out, const char *s, int width)
{
	size_t n = put_clean(out, s && *s ? s : "-");

	for (; (int)n < width; n++)
		fputc(' ', out);
}

static const char *get_or(const struct mg_record *rec, const char *key,
			  const char *dflt)
{
	const char *v = mg_record_get(rec, key);

	return v && *v ? v : dflt;
}

void mg_render_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* status */

static bool status_numeric(const char *key)
{
	return !strcmp(key, "pid") || !strcmp(key, "modules") ||
	       !strcmp(key, "events") || !strcmp(key, "lost") ||
	       !strcmp(key, "overflow") || !strcmp(key, "opens_refused") ||
	       !strcmp(key, "resyncs") || !strcmp(key, "bpf_map_bytes");
}

/* the label of a status key in text: bpf_map_bytes sums up the maps */
static const char *status_label(const char *key)
{
	return !strcmp(key, "bpf_map_bytes") ? "bpf_maps" : key;
}

static int count_tag(const struct mg_reply *r, const char *tag)
{
	int n = 0;

	for (int i = 0; i < r->nrecs; i++)
		n += !strcmp(r->recs[i].rec.tag, tag);
	return n;
}

/* "23 maps, 9.4 MiB": the "bpf_map" records and the sum the daemon sent */
static void map_bytes_text(FILE *out, const char *v, const struct mg_reply *r)
{
	int n = count_tag(r, "bpf_map");
	char size[32];
	uint64_t u;

	if (mg_parse_u64(v, 0, UINT64_MAX, &u)) {
		put_clean(out, *v ? v : "-");
		return;
	}
	mg_render_size(u, size, sizeof(size));
	fprintf(out, "%d map%s, %s", n, n == 1 ? "" : "s", size);
}

/* the BPF maps, as "bpf_map" records: name, type, bound, memory */
static void maps_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_json_name(jw, "bpf_maps");
	mg_json_start_array(jw);
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *m = &r->recs[i].rec;
		uint64_t u;

		if (strcmp(m->tag, "bpf_map"))
			continue;
		mg_json_start_object(jw);
		mg_json_string_field(jw, "name", get_or(m, "name", ""));
		mg_json_string_field(jw, "type", get_or(m, "type", ""));
		mg_json_name(jw, "max_entries");
		if (!mg_record_get_u64(m, "max_entries", &u))
			mg_json_u64(jw, u);
		else
			mg_json_null(jw);
		mg_json_name(jw, "bytes");
		if (!mg_record_get_u64(m, "bytes", &u))
			mg_json_u64(jw, u);
		else
			mg_json_null(jw);
		mg_json_end_object(jw);
	}
	mg_json_end_array(jw);
}

/* "  name  active|inactive: reason", one line per "group" record */
static void groups_text(FILE *out, const struct mg_reply *r)
{
	int width = 0, any = 0;

	for (int i = 0; i < r->nrecs; i++) {
		int n = (int)strlen(get_or(&r->recs[i].rec, "name", "?"));

		if (!strcmp(r->recs[i].rec.tag, "group") && n > width)
			width = n;
	}
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *g = &r->recs[i].rec;
		const char *reason = get_or(g, "reason", "");

		if (strcmp(g->tag, "group"))
			continue;
		if (!any++)
			fputs("groups:\n", out);
		fputs("  ", out);
		put_padded(out, get_or(g, "name", "?"), width + 1);
		put_clean(out, get_or(g, "state", "?"));
		if (*reason) {
			fputs(": ", out);
			put_clean(out, reason);
		}
		fputc('\n', out);
	}
}

static void groups_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_json_name(jw, "groups");
	mg_json_start_array(jw);
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *g = &r->recs[i].rec;

		if (strcmp(g->tag, "group"))
			continue;
		mg_json_start_object(jw);
		mg_json_string_field(jw, "name", get_or(g, "name", ""));
		mg_json_string_field(jw, "state", get_or(g, "state", ""));
		mg_json_name(jw, "required");
		mg_json_bool(jw, !strcmp(get_or(g, "required", "0"), "1"));
		mg_json_string_field(jw, "what", get_or(g, "what", ""));
		mg_json_string_field(jw, "reason", get_or(g, "reason", ""));
		mg_json_end_object(jw);
	}
	mg_json_end_array(jw);
}

/* the damaged records that keep their module quarantined */
static void damaged_text(FILE *out, const struct mg_reply *r)
{
	int any = 0;

	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *g = &r->recs[i].rec;

		if (strcmp(g->tag, "damaged"))
			continue;
		if (!any++)
			fputs("damaged records (their module stays quarantined "
			      "until cleared):\n", out);
		fputs("  ", out);
		put_clean(out, get_or(g, "file", "?"));
		fputs(" (", out);
		put_clean(out, get_or(g, "module", "?"));
		fputs("): ", out);
		put_clean(out, get_or(g, "why", "?"));
		fputc('\n', out);
	}
}

static void damaged_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_json_name(jw, "damaged");
	mg_json_start_array(jw);
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *g = &r->recs[i].rec;

		if (strcmp(g->tag, "damaged"))
			continue;
		mg_json_start_object(jw);
		mg_json_string_field(jw, "id", get_or(g, "id", ""));
		mg_json_string_field(jw, "module", get_or(g, "module", ""));
		mg_json_string_field(jw, "file", get_or(g, "file", ""));
		mg_json_string_field(jw, "why", get_or(g, "why", ""));
		mg_json_end_object(jw);
	}
	mg_json_end_array(jw);
}

void mg_render_status_text(FILE *out, const struct mg_record *rec,
			   const struct mg_reply *r)
{
	int width = 0;

	for (int i = 0; i < rec->nfields; i++) {
		int n = (int)strlen(status_label(rec->f[i].key));

		if (n > width)
			width = n;
	}
	for (int i = 0; i < rec->nfields; i++) {
		const char *k = rec->f[i].key, *v = rec->f[i].value;
		const char *label = status_label(k);
		char when[64];

		put_clean(out, label);
		fputc(':', out);
		for (int n = (int)strlen(label); n <= width; n++)
			fputc(' ', out);
		if (!strcmp(k, "bpf_map_bytes")) {
			map_bytes_text(out, v, r);
		} else if (!strcmp(k, "attached") &&
			   (!strcmp(v, "0") || !strcmp(v, "1"))) {
			fputs(*v == '1' ? "yes" : "no", out);
		} else if (!strcmp(k, "tracking_since") &&
			   !mg_render_time(v, when, sizeof(when))) {
			put_clean(out, v);
			fprintf(out, " (%s)", when);
		} else {
			put_clean(out, *v ? v : "-");
		}
		fputc('\n', out);
	}
	groups_text(out, r);
	damaged_text(out, r);
}

void mg_render_status_json(struct mg_json *jw, const struct mg_record *rec,
			   const struct mg_reply *r)
{
	mg_json_start_object(jw);
	for (int i = 0; i < rec->nfields; i++) {
		const char *k = rec->f[i].key, *v = rec->f[i].value;
		uint64_t u;

		mg_json_name(jw, k);
		if (status_numeric(k) && !mg_parse_u64(v, 0, UINT64_MAX, &u))
			mg_json_u64(jw, u);
		else if (!strcmp(k, "attached") &&
			 (!strcmp(v, "0") || !strcmp(v, "1")))
			mg_json_bool(jw, *v == '1');
		else if (!strcmp(k, "tracking_since") && mg_json_is_number(v))
			mg_json_number_str(jw, v);
		else
			mg_json_string(jw, v);
	}
	groups_json(jw, r);
	damaged_json(jw, r);
	/* with the sum: a daemon that sends no maps gets no empty list */
	if (mg_record_get(rec, "bpf_map_bytes"))
		maps_json(jw, r);
	mg_json_end_object(jw);
}

/* report */

static bool is_tag(const struct mg_reply *r, int i, const char *tag)
{
	return i < r->nrecs && !strcmp(r->recs[i].rec.tag, tag);
}

/* index after the module at i and its ref/note records */
static int module_end(const struct mg_reply *r, int i)
{
	for (i++; i < r->nrecs && !is_tag(r, i, "module"); i++)
		;
	return i;
}

static bool ref_column(const char *key)
{
	return !strcmp(key, "kind") || !strcmp(key, "function") ||
	       !strcmp(key, "site") || !strcmp(key, "pid") ||
	       !strcmp(key, "comm");
}

/* keys after the table row, one per line, under the FUNCTION column */
static void ref_details_text(FILE *out, const struct mg_record *ref)
{
	for (int k = 0; k < ref->nfields; k++) {
		const char *key = ref->f[k].key, *v = ref->f[k].value;
		char when[64];

		if (ref_column(key))
			continue;
		fprintf(out, "%12s%-8s ", "", key);
		if (!strcmp(key, "stack")) {
			const char *p = v;

			/* one frame per line, aligned under the first */
			for (;;) {
				const char *semi = strchr(p, ';');
				char frame[512];
				size_t n = semi ? (size_t)(semi - p) : strlen(p);

				if (n >= sizeof(frame))
					n = sizeof(frame) - 1;
				memcpy(frame, p, n);
				frame[n] = '\0';
				put_clean(out, frame);
				fputc('\n', out);
				if (!semi)
					break;
				p = semi + 1;
				fprintf(out, "%21s", "");
			}
			continue;
		}
		if ((!strcmp(key, "since") || !strcmp(key, "expires")) &&
		    !mg_render_time(v, when, sizeof(when)))
			fputs(when, out);
		else
			put_clean(out, *v ? v : "-");
		fputc('\n', out);
	}
}

void mg_render_refs_text(FILE *out, const struct mg_reply *r, int i)
{
	int end = module_end(r, i);
	bool header = false;

	for (int j = i + 1; j < end; j++) {
		const struct mg_record *ref = &r->recs[j].rec;

		if (!is_tag(r, j, "ref"))
			continue;
		if (!header) {
			fprintf(out, "  %-9s %-28s %-24s %-5s %s\n", "KIND",
				"FUNCTION", "SITE", "PID", "COMM");
			header = true;
		}
		fputs("  ", out);
		put_padded(out, mg_record_get(ref, "kind"), 9);
		fputc(' ', out);
		put_padded(out, mg_record_get(ref, "function"), 28);
		fputc(' ', out);
		put_padded(out, mg_record_get(ref, "site"), 24);
		fputc(' ', out);
		put_padded(out, mg_record_get(ref, "pid"), 5);
		fputc(' ', out);
		put_clean(out, get_or(ref, "comm", "-"));
		fputc('\n', out);
		ref_details_text(out, ref);
	}
}

int mg_render_module_text(FILE *out, const struct mg_reply *r, int i)
{
	const struct mg_record *mod = &r->recs[i].rec;
	const char *since = mg_record_get(mod, "tracking_since");
	const char *start = mg_record_get(mod, "text_start");
	int end = module_end(r, i);
	char when[64];

	put_clean(out, get_or(mod, "name", "?"));
	fputs("  ", out);
	put_clean(out, get_or(mod, "state", "?"));
	fputs("  refcnt ", out);
	put_clean(out, get_or(mod, "refcnt", "?"));
	fputs("  verdict ", out);
	put_clean(out, get_or(mod, "verdict", "unknown"));
	fputc('\n', out);

	fputs("  text      ", out);
	/* an empty start means the daemon hid kernel addresses from us */
	put_clean(out, start && *start ? start : "(hidden)");
	fputs(" +", out);
	put_clean(out, get_or(mod, "text_size", "?"));
	fputc('\n', out);

	fputs("  tracking  ", out);
	if (since && !mg_render_time(since, when, sizeof(when)))
		fprintf(out,
			"since %s (callbacks armed before this are invisible)\n",
			when);
	else
		fputs("unknown (callbacks armed before the daemon started are invisible)\n",
		      out);

	mg_render_refs_text(out, r, i);
	for (int j = i + 1; j < end; j++) {
		if (!is_tag(r, j, "note"))
			continue;
		fputs("  note      ", out);
		put_clean(out, get_or(&r->recs[j].rec, "text", ""));
		fputc('\n', out);
	}
	return end;
}

void mg_render_report_text(FILE *out, const struct mg_reply *r)
{
	bool first = true;

	for (int i = 0; i < r->nrecs;) {
		if (!is_tag(r, i, "module")) {
			/* records before the first module: only notes make sense */
			if (is_tag(r, i, "note")) {
				fputs("note: ", out);
				put_clean(out, get_or(&r->recs[i].rec, "text", ""));
				fputc('\n', out);
			}
			i++;
			continue;
		}
		if (!first)
			fputc('\n', out);
		first = false;
		i = mg_render_module_text(out, r, i);
	}
}

/* keys of a ref record whose values are numbers in JSON */
static bool ref_key_numeric(const char *key)
{
	static const char *const keys[] = { "pid", "tid", "count", "since",
					    "expires_jiffies", "expires_ns",
					    "fd" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

static void ref_json(struct mg_json *jw, const struct mg_record *ref)
{
	mg_json_start_object(jw);
	for (int k = 0; k < ref->nfields; k++) {
		const char *key = ref->f[k].key, *v = ref->f[k].value;
		int64_t n;

		mg_json_name(jw, key);
		if (ref_key_numeric(key)) {
			/* numeric when it is a number; never drop what was sent */
			if (!mg_parse_s64(v, INT64_MIN, INT64_MAX, &n))
				mg_json_s64(jw, n);
			else if (mg_json_is_number(v))
				mg_json_number_str(jw, v);
			else
				mg_json_string(jw, v);
		} else if (!strcmp(key, "stack")) {
			const char *p = v;

			mg_json_start_array(jw);
			while (*p) {
				const char *semi = strchr(p, ';');
				size_t len = semi ? (size_t)(semi - p) : strlen(p);

				mg_json_string_n(jw, p, len);
				if (!semi)
					break;
				p = semi + 1;
			}
			mg_json_end_array(jw);
		} else {
			mg_json_string(jw, v);
		}
	}
	mg_json_end_object(jw);
}

int mg_render_module_json(struct mg_json *jw, const struct mg_reply *r, int i)
{
	const struct mg_record *mod = &r->recs[i].rec;
	const char *start = mg_record_get(mod, "text_start");
	int end = module_end(r, i);
	int64_t refcnt;
	uint64_t size;

	mg_json_start_object(jw);
	mg_json_string_field(jw, "name", mg_record_get(mod, "name"));
	mg_json_string_field(jw, "state", mg_record_get(mod, "state"));
	mg_json_name(jw, "refcnt");
	if (!mg_record_get_s64(mod, "refcnt", &refcnt))
		mg_json_s64(jw, refcnt);
	else
		mg_json_null(jw);
	mg_json_string_field(jw, "verdict", mg_record_get(mod, "verdict"));
	mg_json_name(jw, "tracking_since");
	mg_json_number_str(jw, mg_record_get(mod, "tracking_since"));

	mg_json_name(jw, "text");
	mg_json_start_object(jw);
	mg_json_name(jw, "start");
	if (start && *start)
		mg_json_string(jw, start);
	else
		mg_json_null(jw);
	mg_json_name(jw, "size");
	if (!mg_record_get_u64(mod, "text_size", &size))
		mg_json_u64(jw, size);
	else
		mg_json_null(jw);
	mg_json_end_object(jw);
	/* the build's identity: quarantine and records key on it */
	if (mg_record_get(mod, "srcversion"))
		mg_json_string_field(jw, "srcversion",
				     mg_record_get(mod, "srcversion"));

	mg_json_name(jw, "references");
	mg_json_start_array(jw);
	for (int j = i + 1; j < end; j++)
		if (is_tag(r, j, "ref"))
			ref_json(jw, &r->recs[j].rec);
	mg_json_end_array(jw);

	mg_json_name(jw, "notes");
	mg_json_start_array(jw);
	for (int j = i + 1; j < end; j++)
		if (is_tag(r, j, "note"))
			mg_json_string(jw, get_or(&r->recs[j].rec, "text", ""));
	mg_json_end_array(jw);
	mg_json_end_object(jw);
	return end;
}

void mg_render_report_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_json_start_object(jw);
	mg_json_name(jw, "modules");
	mg_json_start_array(jw);
	for (int i = 0; i < r->nrecs;) {
		if (!is_tag(r, i, "module")) {
			i++;
			continue;
		}
		i = mg_render_module_json(jw, r, i);
	}
	mg_json_end_array(jw);
	mg_json_end_object(jw);
}

/* history */

#define HIST_MAX_COLS MG_MAX_FIELDS
#define HIST_COL_CAP 40

void mg_render_history_text(FILE *out, const struct mg_reply *r)
{
	const char *cols[HIST_MAX_COLS];
	int width[HIST_MAX_COLS];
	int ncols = 0, nrows = 0;

	/* columns: every key seen, in order of first appearance */
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *rec = &r->recs[i].rec;

		if (strcmp(rec->tag, "record"))
			continue;
		nrows++;
		for (int k = 0; k < rec->nfields; k++) {
			int c, len = (int)strlen(rec->f[k].value);

			for (c = 0; c < ncols; c++)
				if (!strcmp(cols[c], rec->f[k].key))
					break;
			if (c == ncols) {
				if (ncols == HIST_MAX_COLS)
					continue;
				cols[ncols] = rec->f[k].key;
				width[ncols++] = (int)strlen(rec->f[k].key);
			}
			if (len > HIST_COL_CAP)
				len = HIST_COL_CAP;
			if (len > width[c])
				width[c] = len;
		}
	}
	if (!nrows) {
		fputs("no records\n", out);
		return;
	}
	for (int c = 0; c < ncols; c++) {
		char up[64];
		size_t n = strlen(cols[c]);

		if (n >= sizeof(up))
			n = sizeof(up) - 1;
		for (size_t k = 0; k < n; k++)
			up[k] = (char)(cols[c][k] >= 'a' && cols[c][k] <= 'z'
					       ? cols[c][k] - 'a' + 'A'
					       : cols[c][k]);
		up[n] = '\0';
		if (c == ncols - 1)
			fprintf(out, "%s\n", up);
		else
			fprintf(out, "%-*s  ", width[c], up);
	}
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *rec = &r->recs[i].rec;

		if (strcmp(rec->tag, "record"))
			continue;
		for (int c = 0; c < ncols; c++) {
			const char *v = mg_record_get(rec, cols[c]);

			if (c == ncols - 1) {
				put_clean(out, v && *v ? v : "-");
				fputc('\n', out);
			} else {
				put_padded(out, v, width[c]);
				fputs("  ", out);
			}
		}
	}
}

void mg_render_history_json(struct mg_json *jw, const struct mg_reply *r)
{
	mg_json_start_object(jw);
	mg_json_name(jw, "records");
	mg_json_start_array(jw);
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *rec = &r->recs[i].rec;

		if (strcmp(rec->tag, "record"))
			continue;
		/* generic until the record format settles: all strings */
		mg_json_start_object(jw);
		for (int k = 0; k < rec->nfields; k++)
			mg_json_string_field(jw, rec->f[k].key, rec->f[k].value);
		mg_json_end_object(jw);
	}
	mg_json_end_array(jw);
	mg_json_end_object(jw);
}
