// SPDX-License-Identifier: GPL-2.0
/* durable unload records: format, ordering, quarantine, corruption */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fixtures/fixtures.h"
#include "records.h"
#include "log.h"
#include "proto.h"
#include "check.h"

#define SEC 1000000000ULL
/* 2026-11-29T01:22:33Z */
#define T0 (1795915353ULL * SEC)

static char base[64];
static char *logbuf;
static size_t loglen;
static FILE *logf;

static void setup(void)
{
	strcpy(base, "/tmp/mg-records-XXXXXX");
	if (!mkdtemp(base))
		check_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	/* capture warnings: they are checked, and keep the output tidy */
	logf = open_memstream(&logbuf, &loglen);
	mg_log_init("test", 0, 0);
	mg_log_set_stream(logf);
}

static void teardown(void)
{
	fx_rm_tree(base);
	mg_log_set_stream(NULL);
	fclose(logf);
}

static const char *logged(void)
{
	fflush(logf);
	return logbuf ? logbuf : "";
}

static void path_of(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", base, rel);
}

static void write_file(const char *rel, const char *data, size_t len)
{
	char p[256];
	int fd;

	path_of(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, data, len) == (ssize_t)len);
		close(fd);
	}
}

static char *read_all(const char *path, size_t *len)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* entries of dir other than . and .. */
static int count_entries(const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void make_rec(struct mg_unload_record *r, const char *outcome,
		     const char *module, const char *build, uint64_t t)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->outcome, sizeof(r->outcome), "%s", outcome);
	snprintf(r->module, sizeof(r->module), "%s", module);
	snprintf(r->build, sizeof(r->build), "%s", build);
	r->time_ns = t;
	r->requester_pid = 4242;
	snprintf(r->requester_comm, sizeof(r->requester_comm), "rmmod");
	snprintf(r->reason, sizeof(r->reason), "%s of %s", outcome, module);
}

static int write_simple(const char *outcome, const char *module,
			const char *build, uint64_t t)
{
	struct mg_unload_record r;

	make_rec(&r, outcome, module, build, t);
	return mg_record_write(base, &r);
}

static void t_init_creates_dirs(void)
{
	char state[256], recdir[300];
	struct stat st;

	setup();
	path_of(state, sizeof(state), "a/b/state");
	snprintf(recdir, sizeof(recdir), "%s/records", state);
	CHECK_INT(mg_records_init(state), 0);
	CHECK(stat(recdir, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK(stat(state, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0700);
	/* idempotent, and removes a crash's temp files, nothing else */
	write_file("a/b/state/records/.20260101T000000.000000Z-x.rec.tmp",
		   "rec", 3);
	write_file("a/b/state/records/keep.txt", "x", 1);
	CHECK_INT(mg_records_init(state), 0);
	CHECK_INT(count_entries(recdir, ""), 1);
	/* a file in the way is an error, not a crash */
	write_file("file", "x", 1);
	path_of(state, sizeof(state), "file");
	CHECK_INT(mg_records_init(state), -ENOTDIR);
	CHECK(mg_records_init("") < 0);
	teardown();
}

static void t_write_missing_dir(void)
{
	struct mg_unload_record *recs;
	char state[256];
	size_t n, skipped;

	setup();
	path_of(state, sizeof(state), "fresh");
	/* nothing there yet: no records, no error */
	CHECK_INT(mg_records_load(state, &recs, &n, &skipped), 0);
	CHECK_U64(n, 0);
	CHECK(recs == NULL);
	/* write creates the directory itself */
	{
		struct mg_unload_record r;

		make_rec(&r, "stale", "mg_buggy", "ABC", T0);
		CHECK_INT(mg_record_write(state, &r), 0);
	}
	CHECK_INT(mg_records_load(state, &recs, &n, &skipped), 0);
	CHECK_U64(n, 1);
	CHECK_U64(skipped, 0);
	mg_records_free(recs, n);
	teardown();
}

static void t_roundtrip(void)
{
	static const char odd[] = "a b%c=d\n\te\xff\x01 \xc3\xa9 100% ";
	struct mg_ref_summary refs[3];
	struct mg_unload_record r, *recs;
	char p[512], recdir[256];
	struct stat st;
	size_t n, skipped;

	setup();
	make_rec(&r, "stale", "mg_buggy", "1A2B3C4D5E6F%20 x", T0 + 123456789);
	snprintf(r.requester_comm, sizeof(r.requester_comm), "rm mod\x7f");
	snprintf(r.reason, sizeof(r.reason), "%s", odd);
	memset(refs, 0, sizeof(refs));
	for (int i = 0; i < 3; i++) {
		snprintf(refs[i].kind, sizeof(refs[i].kind), "timer");
		snprintf(refs[i].function, sizeof(refs[i].function),
			 "mg_buggy_fn%d+0x%x", i, i * 16);
		snprintf(refs[i].site, sizeof(refs[i].site), "mg_buggy_init+0x3c");
		refs[i].pid = 100u + (uint32_t)i;
		snprintf(refs[i].comm, sizeof(refs[i].comm), "kworker/%c:1", (char)('0' + i));
		snprintf(refs[i].note, sizeof(refs[i].note), "%s", odd);
	}
	refs[2].pid = UINT32_MAX;
	refs[1].note[0] = '\0';
	r.refs = refs;
	r.nrefs = 3;
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_STR(r.id, "20261129T012233.123456Z-mg_buggy");
	CHECK_U64(r.time_ns, T0 + 123456789);

	/* one file, named after the id, private, no temp left behind */
	path_of(recdir, sizeof(recdir), "records");
	snprintf(p, sizeof(p), "%s/%s.rec", recdir, r.id);
	CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(count_entries(recdir, ""), 1);
	/* human readable: one record line, then the refs */
	{
		size_t len;
		const char *txt = read_all(p, &len);

		static const char head[] =
			"record id=20261129T012233.123456Z-mg_buggy "
			"outcome=stale module=mg_buggy "
			"build=1A2B3C4D5E6F%2520%20x "
			"time_ns=1795915353123456789 requester_pid=4242 "
			"requester_comm=rm%20mod%7F reason=a%20b%25c%3Dd%0A";

		CHECK(txt && !strncmp(txt, head, strlen(head)));
		CHECK(txt && strstr(txt, " nrefs=3\nref kind=timer "));
	}

	CHECK_INT(mg_records_load(base, &recs, &n, &skipped), 0);
	CHECK_U64(n, 1);
	CHECK_U64(skipped, 0);
	if (n == 1) {
		const struct mg_unload_record *l = &recs[0];

		CHECK_STR(l->id, r.id);
		CHECK_STR(l->outcome, "stale");
		CHECK_STR(l->module, "mg_buggy");
		CHECK_STR(l->build, "1A2B3C4D5E6F%20 x");
		CHECK_U64(l->time_ns, T0 + 123456789);
		CHECK_INT(l->requester_pid, 4242);
		CHECK_STR(l->requester_comm, "rm mod\x7f");
		CHECK_STR(l->reason, odd);
		CHECK_INT(l->refs_omitted, 0);
		CHECK_U64(l->nrefs, 3);
		for (size_t i = 0; l->refs && i < 3 && l->nrefs == 3; i++) {
			CHECK_STR(l->refs[i].kind, refs[i].kind);
			CHECK_STR(l->refs[i].function, refs[i].function);
			CHECK_STR(l->refs[i].site, refs[i].site);
			CHECK_U64(l->refs[i].pid, refs[i].pid);
			CHECK_STR(l->refs[i].comm, refs[i].comm);
			CHECK_STR(l->refs[i].note, refs[i].note);
		}
	}
	mg_records_free(recs, n);
	teardown();
}

static void t_overlong_and_invalid(void)
{
	struct mg_unload_record r, *recs;
	struct mg_ref_summary ref;
	char recdir[256];
	size_t n, skipped;

	setup();
	/* fields filled to the brim, without a NUL: truncated, not overrun */
	make_rec(&r, "stale", "mg_long", "", T0);
	memset(r.build, 'B', sizeof(r.build));
	memset(r.reason, '\xff', sizeof(r.reason));
	memset(r.outcome, 's', sizeof(r.outcome));
	memset(r.requester_comm, 'c', sizeof(r.requester_comm));
	memset(&ref, 'r', sizeof(ref));
	ref.pid = 7;
	r.refs = &ref;
	r.nrefs = 1;
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_INT(mg_records_load(base, &recs, &n, &skipped), 0);
	CHECK_U64(n, 1);
	if (n == 1) {
		CHECK_U64(strlen(recs[0].build), sizeof(r.build) - 1);
		CHECK_U64(strlen(recs[0].reason), sizeof(r.reason) - 1);
		CHECK_U64(strlen(recs[0].outcome), sizeof(r.outcome) - 1);
		CHECK_U64(strlen(recs[0].requester_comm),
			  sizeof(r.requester_comm) - 1);
		CHECK_U64(strlen(recs[0].refs[0].note), sizeof(ref.note) - 1);
		CHECK_U64(strlen(recs[0].refs[0].kind), sizeof(ref.kind) - 1);
		CHECK((unsigned char)recs[0].reason[0] == 0xff);
		CHECK_U64(recs[0].refs[0].pid, 7);
	}
	mg_records_free(recs, n);

	/* module names never reach a path unless valid */
	path_of(recdir, sizeof(recdir), "records");
	CHECK_INT(write_simple("stale", "../evil", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "a/b", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "a b", "b", T0), -EINVAL);
	CHECK_INT(write_simple("", "mg_ok", "b", T0), -EINVAL);
	make_rec(&r, "stale", "mg_ok", "b", T0);
	memset(r.module, 'm', sizeof(r.module)); /* no NUL: cut, not overrun */
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK(strstr(r.id, "-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm") != NULL);
	CHECK(strstr(r.id, "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm") == NULL);
	CHECK_INT(mg_record_remove(base, r.id), 0);
	make_rec(&r, "stale", "mg_ok", "b", T0);
	r.nrefs = 2; /* and no refs */
	CHECK_INT(mg_record_write(base, &r), -EINVAL);
	CHECK_INT(count_entries(recdir, ""), 1);
	teardown();
}

static void t_refs_capped(void)
{
	struct mg_unload_record r, *recs;
	struct mg_ref_summary *refs;
	size_t n, total = MG_RECORD_MAX_REFS + 44;

	setup();
	refs = calloc(total, sizeof(*refs));
	for (size_t i = 0; i < total; i++)
		snprintf(refs[i].kind, sizeof(refs[i].kind), "work");
	make_rec(&r, "stale", "mg_many", "v1", T0);
	r.refs = refs;
	r.nrefs = total;
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_INT(mg_records_load(base, &recs, &n, NULL), 0);
	CHECK_U64(n, 1);
	if (n == 1) {
		CHECK_U64(recs[0].nrefs, MG_RECORD_MAX_REFS);
		CHECK_INT(recs[0].refs_omitted, 44);
	}
	mg_records_free(recs, n);
	free(refs);
	teardown();
}

static void t_ordering_and_unique_ids(void)
{
	struct mg_unload_record *recs;
	size_t n;

	setup();
	CHECK_INT(write_simple("stale", "mg_c", "x", T0 + 3 * SEC), 0);
	CHECK_INT(write_simple("refused", "mg_a", "x", T0 + 1 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_b", "x", T0 + 2 * SEC), 0);
	/* same module, same instant: still two records */
	CHECK_INT(write_simple("stale", "mg_d", "x", T0 + 4 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_d", "y", T0 + 4 * SEC), 0);
	CHECK_INT(mg_records_load(base, &recs, &n, NULL), 0);
	CHECK_U64(n, 5);
	if (n == 5) {
		CHECK_STR(recs[0].module, "mg_a");
		CHECK_STR(recs[0].outcome, "refused");
		CHECK_STR(recs[1].module, "mg_b");
		CHECK_STR(recs[2].module, "mg_c");
		CHECK_STR(recs[3].module, "mg_d");
		CHECK_STR(recs[4].module, "mg_d");
		CHECK_STR(recs[3].build, "x");
		CHECK_STR(recs[4].build, "y");
		CHECK_STR(recs[3].id, "20261129T012237.000000Z-mg_d");
		CHECK_STR(recs[4].id, "20261129T012237.000001Z-mg_d");
		CHECK(strcmp(recs[0].id, recs[1].id) < 0);
	}
	mg_records_free(recs, n);
	teardown();
}

static void t_quarantine(void)
{
	struct mg_unload_record *recs;
	const struct mg_unload_record *q;
	char longb[200];
	size_t n;

	setup();
	memset(longb, 'L', sizeof(longb) - 1);
	longb[sizeof(longb) - 1] = '\0';
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC1", T0 + 1 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC1", T0 + 5 * SEC), 0);
	CHECK_INT(write_simple("unloaded", "mg_buggy", "SRC1", T0 + 6 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC2", T0 + 2 * SEC), 0);
	CHECK_INT(write_simple("refused", "mg_tidy", "SRC3", T0 + 3 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_nobuild", "", T0 + 4 * SEC), 0);
	CHECK_INT(write_simple("stale", "mg_long", longb, T0 + 4 * SEC), 0);
	CHECK_INT(mg_records_load(base, &recs, &n, NULL), 0);
	CHECK_U64(n, 7);

	/* the newest stale record of that build */
	q = mg_records_quarantine(recs, n, "mg_buggy", "SRC1");
	CHECK(q != NULL);
	if (q) {
		CHECK_U64(q->time_ns, T0 + 5 * SEC);
		CHECK_STR(q->id, "20261129T012238.000000Z-mg_buggy");
	}
	/* kernel spelling: '-' and '_' are the same */
	q = mg_records_quarantine(recs, n, "mg-buggy", "SRC2");
	CHECK(q && q->time_ns == T0 + 2 * SEC);
	/* another build is not quarantined */
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", "SRC9"));
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", "SRC"));
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", "SRC10"));
	/* an empty build never matches, on either side */
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", ""));
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", NULL));
	CHECK(!mg_records_quarantine(recs, n, "mg_nobuild", ""));
	/* a refusal left nothing behind: no quarantine */
	CHECK(!mg_records_quarantine(recs, n, "mg_tidy", "SRC3"));
	/* other module, same build */
	CHECK(!mg_records_quarantine(recs, n, "mg_other", "SRC1"));
	CHECK(!mg_records_quarantine(recs, n, "mg_buggyx", "SRC1"));
	CHECK(!mg_records_quarantine(recs, n, NULL, "SRC1"));
	CHECK(!mg_records_quarantine(NULL, 0, "mg_buggy", "SRC1"));
	/* an overlong build matches what the record kept of it */
	q = mg_records_quarantine(recs, n, "mg_long", longb);
	CHECK(q != NULL);
	longb[50] = 'x';
	CHECK(!mg_records_quarantine(recs, n, "mg_long", longb));
	mg_records_free(recs, n);
	teardown();
}

static void t_corrupt_skipped(void)
{
	static const char valid[] =
		"record id=x outcome=stale module=mg_ok build=B time_ns=5 "
		"nrefs=2\nref kind=timer pid=1\nref kind=work pid=2\n";
	static const char garbage[] = "\x00\x01\xff\xfe\nrecord\n";
	static const char nul[] =
		"record outcome=stale module=m time_ns=1 nrefs=0\0\n";
	struct mg_unload_record *recs;
	char p[256], big[MG_RECORD_FILE_MAX + 100];
	size_t n, skipped;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	CHECK_INT(write_simple("stale", "mg_real", "B", T0), 0);
	write_file("records/20200101T000000.000000Z-ok.rec", valid,
		   strlen(valid));
	/* a hand-written file with an unknown tag and key: still fine */
	write_file("records/20200101T000001.000000Z-fut.rec",
		   "record outcome=stale module=mg_fut time_ns=6 nrefs=0 "
		   "future=1\nfuture_tag a=b\n",
		   strlen("record outcome=stale module=mg_fut time_ns=6 "
			  "nrefs=0 future=1\nfuture_tag a=b\n"));
	/* the corrupt ones */
	write_file("records/a-garbage.rec", garbage, sizeof(garbage) - 1);
	write_file("records/b-empty.rec", "", 0);
	write_file("records/c-trunc-ref.rec", valid, strlen(valid) - 20);
	write_file("records/d-unterminated.rec", valid, strlen(valid) - 1);
	write_file("records/e-badmod.rec",
		   "record outcome=stale module=../x time_ns=1 nrefs=0\n",
		   strlen("record outcome=stale module=../x time_ns=1 "
			  "nrefs=0\n"));
	write_file("records/f-badesc.rec",
		   "record outcome=stale module=m time_ns=1 nrefs=0 r=%G0\n",
		   strlen("record outcome=stale module=m time_ns=1 nrefs=0 "
			  "r=%G0\n"));
	write_file("records/g-notime.rec",
		   "record outcome=stale module=m nrefs=0\n",
		   strlen("record outcome=stale module=m nrefs=0\n"));
	write_file("records/h-manyrefs.rec",
		   "record outcome=stale module=m time_ns=1 nrefs=99999\n",
		   strlen("record outcome=stale module=m time_ns=1 "
			  "nrefs=99999\n"));
	write_file("records/i-extraref.rec",
		   "record outcome=stale module=m time_ns=1 nrefs=0\nref a=b\n",
		   strlen("record outcome=stale module=m time_ns=1 nrefs=0\n"
			  "ref a=b\n"));
	write_file("records/j-reffirst.rec", "ref a=b\n", 8);
	write_file("records/k-nul.rec", nul, sizeof(nul) - 1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "record a=", 9);
	big[sizeof(big) - 1] = '\n';
	write_file("records/l-big.rec", big, sizeof(big));
	path_of(p, sizeof(p), "records/m-dir.rec");
	CHECK(mkdir(p, 0700) == 0);
	/* not records at all: ignored, not counted */
	write_file("records/notes.txt", "hello", 5);
	write_file("records/.hidden.rec", "junk", 4);

	CHECK_INT(mg_records_load(base, &recs, &n, &skipped), 0);
	CHECK_U64(n, 3);
	CHECK_U64(skipped, 13);
	if (n == 3) {
		CHECK_STR(recs[0].module, "mg_ok");
		/* the id is the file's name */
		CHECK_STR(recs[0].id, "20200101T000000.000000Z-ok");
		CHECK_U64(recs[0].nrefs, 2);
		CHECK_STR(recs[0].refs[1].kind, "work");
		CHECK_STR(recs[1].module, "mg_fut");
		CHECK_STR(recs[1].build, "");
		CHECK_STR(recs[2].module, "mg_real");
	}
	CHECK(strstr(logged(), "skipping") != NULL);
	CHECK(strstr(logged(), "c-trunc-ref.rec: truncated") != NULL);
	CHECK(strstr(logged(), "d-unterminated.rec: truncated") != NULL);
	mg_records_free(recs, n);
	teardown();
}

static void t_emit_parseable(void)
{
	struct mg_unload_record *recs, r;
	struct mg_ref_summary refs[2];
	struct mg_record pr;
	char *out = NULL, *line;
	size_t outlen = 0, n;
	FILE *f;
	int nrec = 0, nref = 0;

	setup();
	memset(refs, 0, sizeof(refs));
	snprintf(refs[0].kind, sizeof(refs[0].kind), "timer");
	snprintf(refs[0].note, sizeof(refs[0].note), "armed = yes %%");
	refs[0].pid = 12;
	snprintf(refs[1].kind, sizeof(refs[1].kind), "work");
	make_rec(&r, "stale", "mg_buggy", "S 1", T0);
	r.refs = refs;
	r.nrefs = 2;
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_INT(write_simple("refused", "mg_tidy", "S2", T0 + SEC), 0);
	CHECK_INT(mg_records_load(base, &recs, &n, NULL), 0);
	CHECK_U64(n, 2);

	f = open_memstream(&out, &outlen);
	CHECK_INT(mg_records_emit(f, recs, n), 0);
	fclose(f);
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		uint64_t v;

		CHECK_INT(mg_record_parse(line, strlen(line), &pr), 0);
		if (!strcmp(pr.tag, "record")) {
			nrec++;
			CHECK_INT(mg_record_get_u64(&pr, "nrefs", &v), 0);
			if (nrec == 1) {
				CHECK_STR(mg_record_get(&pr, "module"),
					  "mg_buggy");
				CHECK_STR(mg_record_get(&pr, "build"), "S 1");
				CHECK_STR(mg_record_get(&pr, "id"),
					  "20261129T012233.000000Z-mg_buggy");
				CHECK_U64(v, 2);
				CHECK_INT(mg_record_get_u64(&pr, "time_ns", &v),
					  0);
				CHECK_U64(v, T0);
			} else {
				CHECK_STR(mg_record_get(&pr, "outcome"),
					  "refused");
				CHECK_U64(v, 0);
			}
		} else {
			CHECK_STR(pr.tag, "ref");
			CHECK_INT(nrec, 1); /* refs follow their record */
			nref++;
			if (nref == 1) {
				CHECK_STR(mg_record_get(&pr, "note"),
					  "armed = yes %");
				CHECK_STR(mg_record_get(&pr, "pid"), "12");
			}
		}
	}
	CHECK_INT(nrec, 2);
	CHECK_INT(nref, 2);
	free(out);
	mg_records_free(recs, n);

	/* nothing to emit is fine too */
	f = open_memstream(&out, &outlen);
	CHECK_INT(mg_records_emit(f, NULL, 0), 0);
	fclose(f);
	CHECK_U64(outlen, 0);
	free(out);
	teardown();
}

int main(void)
{
	RUN(t_init_creates_dirs);
	RUN(t_write_missing_dir);
	RUN(t_roundtrip);
	RUN(t_overlong_and_invalid);
	RUN(t_refs_capped);
	RUN(t_ordering_and_unique_ids);
	RUN(t_quarantine);
	RUN(t_corrupt_skipped);
	RUN(t_emit_parseable);
	return check_done();
}
