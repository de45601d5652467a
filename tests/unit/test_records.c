// SPDX-License-Identifier: GPL-2.0
/* durable unload records: format, ordering, quarantine, corruption */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "fixtures/fixtures.h"
#include "records.h"
#include "log.h"
#include "proto.h"
#include "check.h"
#include "clock.h"
#include "fsutil.h"
#include "parse.h"

#define SEC 1000000000ULL
/* 2026-11-29T01:22:33Z */
#define T0 (1795915353ULL * SEC)

static char base[64];
static char *logbuf;
static size_t loglen;
static FILE *logf;

/* in root: /tmp, or memory where fsync is cheap and only logic is tested */
static void setup_in(const char *root)
{
	snprintf(base, sizeof(base), "%s/mg-records-XXXXXX", root);
	if (!mkdtemp(base))
		check_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	/* capture warnings: they are checked, and keep the output tidy */
	logf = open_memstream(&logbuf, &loglen);
	mg_log_init("test", 0, 0);
	mg_log_set_stream(logf);
}

static void setup(void)
{
	setup_in("/tmp");
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

/* entries of base/rel starting with prefix */
static int count_entries_named(const char *rel, const char *prefix)
{
	char p[256];

	path_of(p, sizeof(p), rel);
	return count_entries(p, prefix);
}

static void unlink_rel(const char *rel)
{
	char p[256];

	path_of(p, sizeof(p), rel);
	CHECK(unlink(p) == 0);
}

static int mkdir_rel(const char *rel)
{
	char p[256];

	path_of(p, sizeof(p), rel);
	return mkdir(p, 0700);
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
	for (int i = 0; i < 3; i++) {
		static const char *const sub[] = { "stale", "refused",
						   "cleared" };
		char p[400];

		snprintf(p, sizeof(p), "%s/%s", recdir, sub[i]);
		CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
		CHECK_INT(st.st_mode & 07777, 0700);
	}
	/* idempotent, and removes a crash's temp files, nothing else */
	write_file("a/b/state/records/.20260101T000000.000000Z-x.rec.tmp",
		   "rec", 3);
	write_file("a/b/state/records/stale/.20260101T000000.000000Z-x.rec.tmp",
		   "rec", 3);
	write_file("a/b/state/records/keep.txt", "x", 1);
	CHECK_INT(mg_records_init(state), 0);
	CHECK_INT(count_entries(recdir, ""), 4);
	CHECK_INT(count_entries(recdir, "."), 0);
	snprintf(recdir, sizeof(recdir), "%s/records/stale", state);
	CHECK_INT(count_entries(recdir, ""), 0);
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
		snprintf(refs[i].hint, sizeof(refs[i].hint), "del_timer_sync()");
	}
	refs[0].hint[0] = '\0'; /* as records written before hints were */
	refs[2].pid = UINT32_MAX;
	refs[1].note[0] = '\0';
	r.refs = refs;
	r.nrefs = 3;
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_STR(r.id, "20261129T012233.123456Z-mg_buggy");
	CHECK_U64(r.time_ns, T0 + 123456789);

	/* one file, named after the id, private, no temp left behind */
	path_of(recdir, sizeof(recdir), "records/stale");
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
			CHECK_STR(l->refs[i].hint, refs[i].hint);
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
	path_of(recdir, sizeof(recdir), "records/stale");
	CHECK_INT(write_simple("stale", "../evil", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "a/b", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "", "b", T0), -EINVAL);
	CHECK_INT(write_simple("stale", "a b", "b", T0), -EINVAL);
	CHECK_INT(write_simple("", "mg_ok", "b", T0), -EINVAL);
	make_rec(&r, "unloading", "mg_ok", "b", T0);
	memset(r.module, 'm', sizeof(r.module)); /* no NUL: cut, not overrun */
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK(strstr(r.id, "-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm") != NULL);
	CHECK(strstr(r.id, "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm") == NULL);
	CHECK_INT(mg_record_remove(base, r.id), 0);
	/* a stale record is never removed, only cleared */
	make_rec(&r, "stale", "mg_ok", "b", T0);
	CHECK_INT(mg_record_write(base, &r), 0);
	CHECK_INT(mg_record_remove(base, r.id), -ENOENT);
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

/* file rel in folder dir (under the state dir) */
static void write_in(const char *dir, const char *rel, const char *data,
		     size_t len)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	write_file(p, data, len);
}

#define WRITE_IN(dir, rel, text) write_in(dir, rel, text, strlen(text))

static const char valid_rec[] =
	"record id=x outcome=stale module=mg_ok build=B time_ns=5 "
	"nrefs=2\nref kind=timer pid=1\nref kind=work pid=2\n";

/* thirteen files that do not parse, each named after a module */
static void write_corrupt(const char *dir)
{
	static const char garbage[] = "\x00\x01\xff\xfe\nrecord\n";
	static const char nul[] =
		"record outcome=stale module=m time_ns=1 nrefs=0\0\n";
	static char big[MG_RECORD_FILE_MAX + 100];
	char p[256];

	write_in(dir, "a-garbage.rec", garbage, sizeof(garbage) - 1);
	write_in(dir, "b-empty.rec", "", 0);
	write_in(dir, "c-trunc-ref.rec", valid_rec, strlen(valid_rec) - 20);
	write_in(dir, "d-unterminated.rec", valid_rec, strlen(valid_rec) - 1);
	WRITE_IN(dir, "e-badmod.rec",
		 "record outcome=stale module=../x time_ns=1 nrefs=0\n");
	WRITE_IN(dir, "f-badesc.rec",
		 "record outcome=stale module=m time_ns=1 nrefs=0 r=%G0\n");
	WRITE_IN(dir, "g-notime.rec", "record outcome=stale module=m nrefs=0\n");
	WRITE_IN(dir, "h-manyrefs.rec",
		 "record outcome=stale module=m time_ns=1 nrefs=99999\n");
	WRITE_IN(dir, "i-extraref.rec",
		 "record outcome=stale module=m time_ns=1 nrefs=0\nref a=b\n");
	WRITE_IN(dir, "j-reffirst.rec", "ref a=b\n");
	write_in(dir, "k-nul.rec", nul, sizeof(nul) - 1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "record a=", 9);
	big[sizeof(big) - 1] = '\n';
	write_in(dir, "l-big.rec", big, sizeof(big));
	snprintf(p, sizeof(p), "%s/%s/m-dir.rec", base, dir);
	CHECK(mkdir(p, 0700) == 0);
	/* not records at all: ignored, not counted */
	WRITE_IN(dir, "notes.txt", "hello");
	WRITE_IN(dir, ".hidden.rec", "junk");
	/* a .rec whose name is no id: not ours, counted */
	WRITE_IN(dir, "noid.rec", valid_rec);
}

/* where the outcome cannot be read, the module stays quarantined */
static void t_corrupt_quarantines(void)
{
	static const struct {
		size_t at;
		const char *id, *module, *outcome;
	} want[] = {
		{ 0, "a-garbage", "garbage", "damaged" },
		{ 2, "c-trunc-ref", "trunc-ref", "damaged" },
		{ 12, "m-dir", "dir", "damaged" },
		/* the id is the file's name, not what the file says */
		{ 13, "20200101T000000.000000Z-ok", "mg_ok", "stale" },
		{ 14, "20200101T000001.000000Z-fut", "mg_fut", "stale" },
		{ 15, "20261129T012233.000000Z-mg_real", "mg_real", "stale" },
	};
	struct mg_unload_record *recs;
	const struct mg_unload_record *q;
	struct mg_quarantine mq;
	size_t n, skipped;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	CHECK_INT(write_simple("stale", "mg_real", "B", T0), 0);
	WRITE_IN("records", "20200101T000000.000000Z-ok.rec", valid_rec);
	/* a hand-written file with an unknown tag and key: still fine */
	WRITE_IN("records", "20200101T000001.000000Z-fut.rec",
		 "record outcome=stale module=mg_fut time_ns=6 nrefs=0 "
		 "future=1\nfuture_tag a=b\n");
	write_corrupt("records");
	/* damaged, but its first line says it was a refusal: skipped */
	WRITE_IN("records", "20200101T000002.000000Z-mg_r.rec",
		 "record outcome=refused module=mg_r time_ns=7 nrefs=1\n");

	CHECK_INT(mg_records_load(base, &recs, &n, &skipped), 0);
	CHECK_U64(n, 16);
	CHECK_U64(skipped, 2);
	/* the damaged ones have no time in their names: first */
	for (size_t i = 0; n == 16 && i < sizeof(want) / sizeof(want[0]); i++) {
		const struct mg_unload_record *r = &recs[want[i].at];

		CHECK_STR(r->id, want[i].id);
		CHECK_STR(r->module, want[i].module);
		CHECK_STR(r->outcome, want[i].outcome);
		CHECK_INT(r->damaged, !strcmp(want[i].outcome, "damaged"));
	}
	if (n == 16) {
		CHECK_CONTAINS(recs[2].reason, "truncated");
		CHECK_U64(recs[13].nrefs, 2);
		CHECK_STR(recs[13].refs[1].kind, "work");
		CHECK_STR(recs[14].build, "");
	}
	/* every build of a damaged record's module, even none */
	q = mg_records_quarantine(recs, n, "trunc_ref", "ANY");
	CHECK(q && !strcmp(q->id, "c-trunc-ref") && q->damaged);
	CHECK(mg_records_quarantine(recs, n, "garbage", NULL) != NULL);
	CHECK(!mg_records_quarantine(recs, n, "mg_r", "B"));
	/* an intact record of the build wins over a damaged one */
	CHECK_INT(write_simple("stale", "garbage", "G1", T0), 0);
	CHECK_INT(mg_records_quarantine_check(base, "garbage", "G1", &mq), 1);
	CHECK(!mq.damaged && strstr(mq.id, "-garbage"));
	CHECK_INT(mg_records_quarantine_check(base, "garbage", "G2", &mq), 1);
	CHECK_STR(mq.id, "a-garbage");
	CHECK_INT(mq.damaged, 1);
	CHECK_INT(mg_records_quarantine_check(base, "trunc-ref", "", &mq), 1);
	CHECK_INT(mg_records_quarantine_check(base, "mg_r", "B", &mq), 0);
	CHECK_CONTAINS(logged(), "c-trunc-ref.rec does not parse (truncated");
	CHECK_CONTAINS(logged(), "skipping");
	CHECK_CONTAINS(logged(), "noid.rec: not a record name");
	mg_records_free(recs, n);
	teardown();
}

/* a damaged refusal was a refusal: skipped, no quarantine */
static void t_corrupt_refusals_skipped(void)
{
	struct mg_unload_record *recs;
	struct mg_quarantine mq;
	size_t n, skipped;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	write_corrupt("records/refused");
	CHECK_INT(mg_records_load(base, &recs, &n, &skipped), 0);
	CHECK_U64(n, 0);
	CHECK_U64(skipped, 14);
	CHECK_INT(mg_records_quarantine_check(base, "garbage", "B", &mq), 0);
	CHECK_CONTAINS(logged(), "c-trunc-ref.rec: truncated");
	CHECK_CONTAINS(logged(), "d-unterminated.rec: truncated");
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

/* the acceptance of the store */

#define DAY (86400ULL * SEC)

static uint64_t now_ns(void)
{
	return mg_clock_ns(CLOCK_REALTIME);
}

static size_t fx_records_count(struct mg_unload_record **recs)
{
	size_t n = 0;

	CHECK_INT(mg_records_load(base, recs, &n, NULL), 0);
	return n;
}

static int count_in(const char *rel)
{
	char p[256];

	path_of(p, sizeof(p), rel);
	return count_entries(p, "");
}

/* a stale record of mg_buggy build SRC1 with one ref, its id in id */
static void write_stale_buggy(char *id, size_t len)
{
	struct mg_ref_summary ref = { .kind = "timer", .pid = 7 };
	struct mg_unload_record r;

	snprintf(ref.function, sizeof(ref.function), "mg_buggy_timer_fn+0x0");
	make_rec(&r, "stale", "mg_buggy", "SRC1", 0);
	r.refs = &ref;
	r.nrefs = 1;
	CHECK_INT(mg_record_write(base, &r), 0);
	snprintf(id, len, "%s", r.id);
}

static void check_quarantined(const char *id, int damaged)
{
	struct mg_quarantine q;

	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "SRC1", &q), 1);
	CHECK_STR(q.id, id);
	CHECK_INT(q.damaged, damaged);
}

static void t_stale_outlives_refusals(void)
{
	struct mg_unload_record *recs;
	struct mg_quarantine q;
	char id[96];
	size_t n;

	/* 10,000 fsyncs: in memory if there is a tmpfs for it */
	setup_in(access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	CHECK_INT(mg_records_init(base), 0);
	write_stale_buggy(id, sizeof(id));
	for (int i = 0; i < 10000; i++)
		CHECK_INT(write_simple("refused", i % 2 ? "mg_buggy" : "mg_x",
				       "SRC1", 0), 0);
	check_quarantined(id, 0);
	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "SRC2", &q), 0);
	/* pruned as they came, to the default policy */
	CHECK_INT(count_in("records/refused"), MG_RECORDS_KEEP_REFUSALS);
	CHECK_INT(count_in("records/stale"), 1);
	/* and the history has it too */
	n = fx_records_count(&recs);
	CHECK_U64(n, MG_RECORDS_KEEP_REFUSALS + 1);
	CHECK(mg_records_quarantine(recs, n, "mg_buggy", "SRC1") != NULL);
	mg_records_free(recs, n);
	teardown();
}

/* an install of the flat layout: 1 stale record, then 10,000 refusals */
static void t_flat_layout_outlived(void)
{
	struct mg_unload_record r;
	char name[160], text[512];
	FILE *f;

	setup();
	CHECK_INT(mg_mkdir_p(base, 0700, 0700, 0), 0);
	path_of(name, sizeof(name), "records");
	CHECK(mkdir(name, 0700) == 0);
	make_rec(&r, "stale", "mg_buggy", "SRC1", T0);
	snprintf(r.id, sizeof(r.id), "20261129T012233.000000Z-mg_buggy");
	f = fmemopen(text, sizeof(text), "w");
	CHECK_INT(mg_record_format_write(f, &r), 0);
	fclose(f);
	WRITE_IN("records", "20261129T012233.000000Z-mg_buggy.rec", text);
	for (int i = 0; i < 10000; i++) {
		make_rec(&r, "refused", "mg_buggy", "SRC1", T0 + (1 + i) * SEC);
		mg_record_id_format(r.id, sizeof(r.id), r.time_ns, r.module);
		f = fmemopen(text, sizeof(text), "w");
		mg_record_format_write(f, &r);
		fclose(f);
		snprintf(name, sizeof(name), "%s.rec", r.id);
		WRITE_IN("records", name, text);
	}
	/* read where it is, before any init */
	check_quarantined("20261129T012233.000000Z-mg_buggy", 0);
	/* init moves them into their folders, and prunes the refusals */
	CHECK_INT(mg_records_init(base), 0);
	check_quarantined("20261129T012233.000000Z-mg_buggy", 0);
	CHECK_INT(count_in("records/stale"), 1);
	CHECK(count_in("records/refused") <= MG_RECORDS_KEEP_REFUSALS);
	CHECK_INT(count_in("records"), 3); /* only the folders */
	CHECK_CONTAINS(logged(), "moved 10001 records of the flat layout");
	teardown();
}

static void truncate_rel(const char *rel, off_t len)
{
	char p[256];

	path_of(p, sizeof(p), rel);
	CHECK(truncate(p, len) == 0);
}

static void t_truncated_stale(void)
{
	struct mg_damaged_record *dmg;
	struct mg_unload_record *recs;
	const struct mg_unload_record *q;
	struct mg_quarantine mq;
	char id[96], rel[160], *out = NULL;
	size_t n, nd, outlen;
	FILE *f;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	write_stale_buggy(id, sizeof(id));
	CHECK_INT(write_simple("stale", "mg_other", "O1", 0), 0);
	snprintf(rel, sizeof(rel), "records/stale/%s.rec", id);
	truncate_rel(rel, 150);
	/* still quarantined, every build, flagged damaged, named */
	check_quarantined(id, 1);
	CHECK_INT(mg_records_quarantine_check(base, "mg-buggy", "SRC9", &mq), 1);
	CHECK_CONTAINS(mq.reason, "does not parse");
	CHECK_INT(mg_records_quarantine_check(base, "mg_other", "O2", &mq), 0);
	CHECK_INT(mg_records_damaged(base, &dmg, &nd), 0);
	CHECK_U64(nd, 1);
	if (nd == 1) {
		CHECK_STR(dmg[0].id, id);
		CHECK_STR(dmg[0].module, "mg_buggy");
		CHECK_STR(dmg[0].file, rel);
		CHECK_CONTAINS(dmg[0].why, "truncated");
	}
	free(dmg);
	/* the history shows it, and the loaded records quarantine too */
	n = fx_records_count(&recs);
	CHECK_U64(n, 2);
	q = mg_records_quarantine(recs, n, "mg_buggy", "ANY");
	CHECK(q && !strcmp(q->id, id) && q->damaged);
	f = open_memstream(&out, &outlen);
	CHECK_INT(mg_records_emit(f, recs, n), 0);
	fclose(f);
	CHECK_CONTAINS(out, "outcome=damaged module=mg_buggy ");
	CHECK_CONTAINS(out, " damaged=1");
	free(out);
	mg_records_free(recs, n);
	/* as empty as it gets: still */
	truncate_rel(rel, 0);
	check_quarantined(id, 1);
	CHECK_CONTAINS(logged(), "stays quarantined");
	teardown();
}

static void t_clear_quarantine(void)
{
	struct mg_unload_record *recs;
	struct mg_damaged_record *dmg;
	char id[96], ids[512], shortids[40];
	struct mg_quarantine mq;
	size_t n, nd;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	write_stale_buggy(id, sizeof(id));
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC2", 0), 0);
	CHECK_INT(write_simple("stale", "mg_other", "O1", 0), 0);
	CHECK_INT(write_simple("refused", "mg_buggy", "SRC1", 0), 0);
	CHECK_INT(write_simple("unloading", "mg_buggy", "SRC1", 0), 0);
	/* a damaged one in the main folder, named after mg_buggy */
	WRITE_IN("records", "20200101T000000.000000Z-mg-buggy.rec", "rec");
	CHECK_INT(mg_records_clear_quarantine(base, "mg_buggy", ids,
					      sizeof(ids)), 3);
	CHECK_CONTAINS(ids, id);
	CHECK_CONTAINS(ids, "20200101T000000.000000Z-mg-buggy");
	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "SRC1", &mq),
		  0);
	CHECK_INT(count_in("records/stale"), 1);
	CHECK_INT(count_in("records/cleared"), 3);
	CHECK_INT(count_in("records/refused"), 1);
	CHECK_INT(mg_records_damaged(base, &dmg, &nd), 0);
	CHECK_U64(nd, 0);
	free(dmg);
	/* the history keeps them, cleared: they quarantine nothing */
	n = fx_records_count(&recs);
	CHECK_U64(n, 6);
	for (size_t i = 0; i < n; i++)
		CHECK_INT(recs[i].cleared,
			  mg_module_name_eq(recs[i].module, "mg_buggy") &&
			  (!strcmp(recs[i].outcome, "stale") || recs[i].damaged));
	CHECK(!mg_records_quarantine(recs, n, "mg_buggy", "SRC1"));
	CHECK(mg_records_quarantine(recs, n, "mg_other", "O1") != NULL);
	mg_records_free(recs, n);
	/* once is enough; another module's quarantine stays */
	CHECK_INT(mg_records_clear_quarantine(base, "mg_buggy", ids,
					      sizeof(ids)), 0);
	CHECK_STR(ids, "");
	CHECK_INT(mg_records_clear_quarantine(base, "mg_other", shortids, 12),
		  1);
	CHECK_STR(shortids, "...");
	CHECK_INT(mg_records_clear_quarantine(base, "../x", NULL, 0), -EINVAL);
	teardown();
}


static void t_retention_by_count(void)
{
	struct mg_records_policy p = { .keep_refusals = 5 };
	char first[120], kept[120];
	struct mg_unload_record r;

	setup();
	/* old ones the policy does not reach: stale, intents */
	CHECK_INT(write_simple("stale", "mg_old", "S", T0 - 400 * DAY), 0);
	CHECK_INT(write_simple("unloading", "mg_old", "S", T0 - 400 * DAY), 0);
	CHECK_INT(mg_records_init_policy(base, &p), 0);
	for (int i = 0; i < 8; i++) {
		make_rec(&r, "refused", "mg_r", "S", T0 + (uint64_t)i * SEC);
		CHECK_INT(mg_record_write(base, &r), 0);
		if (i == 0)
			snprintf(first, sizeof(first), "%s.rec", r.id);
		if (i == 3)
			snprintf(kept, sizeof(kept), "%s.rec", r.id);
	}
	/* after each write: the newest 5, the oldest went first */
	CHECK_INT(count_in("records/refused"), 5);
	CHECK_INT(count_entries_named("records/refused", first), 0);
	CHECK_INT(count_entries_named("records/refused", kept), 1);
	CHECK_INT(count_in("records/stale"), 1);
	CHECK_INT(count_in("records"), 4); /* 3 folders and the intent */
	/* a tighter policy now, and no limit at all */
	p.keep_refusals = 2;
	CHECK_INT(mg_records_prune(base, &p), 3);
	p.keep_refusals = 0;
	CHECK_INT(mg_records_prune(base, &p), 0);
	CHECK_INT(count_in("records/refused"), 2);
	teardown();
}

static void t_retention_by_age(void)
{
	struct mg_records_policy p = { .refusal_days = 30 };
	uint64_t now = now_ns();
	static const unsigned days[] = { 90, 31, 29, 1 };

	setup();
	/* written before any init: nothing is pruned yet */
	for (int i = 0; i < 4; i++)
		CHECK_INT(write_simple("refused", "mg_r", "S",
				       now - days[i] * DAY), 0);
	CHECK_INT(write_simple("stale", "mg_old", "S", now - 400 * DAY), 0);
	CHECK_INT(count_in("records/refused"), 4);
	CHECK_INT(mg_records_init_policy(base, &p), 0);
	CHECK_INT(count_in("records/refused"), 2);
	CHECK_INT(count_in("records/stale"), 1);
	CHECK_CONTAINS(logged(), "pruned 2 old refusals");
	/* one written already too old goes at once; a new one stays */
	CHECK_INT(write_simple("refused", "mg_r", "S", now - 40 * DAY), 0);
	CHECK_INT(count_in("records/refused"), 2);
	CHECK_INT(write_simple("refused", "mg_r", "S", 0), 0);
	CHECK_INT(count_in("records/refused"), 3);
	/* the defaults: 30 days, 1000 */
	CHECK_INT(mg_records_prune(base, NULL), 0);
	teardown();
}

/* records written before the folders: they still load and quarantine */
static void t_flat_layout_loads(void)
{
	static const char stale[] =
		"record id=20261129T012233.000000Z-mg_buggy outcome=stale "
		"module=mg_buggy build=SRC1 time_ns=1795915353000000000 "
		"requester_pid=1 requester_comm=rmmod reason=left%20a%20timer "
		"boot=b nrefs=1\nref kind=timer function=f+0x0 site= pid=0 "
		"comm= note=\n";
	static const char refused[] =
		"record outcome=refused module=mg_buggy build=SRC1 "
		"time_ns=1795915354000000000 nrefs=0\n";
	static const char intent[] =
		"record outcome=unloading module=mg_buggy build=SRC1 "
		"time_ns=1795915355000000000 boot=b nrefs=0\n";
	struct mg_unload_record *recs;
	size_t n;

	setup();
	CHECK_INT(mg_mkdir_p(base, 0700, 0700, 0), 0);
	CHECK(mkdir_rel("records") == 0);
	WRITE_IN("records", "20261129T012233.000000Z-mg_buggy.rec", stale);
	WRITE_IN("records", "20261129T012234.000000Z-mg_buggy.rec", refused);
	WRITE_IN("records", "20261129T012235.000000Z-mg_buggy.rec", intent);
	for (int pass = 0; pass < 2; pass++) {
		n = fx_records_count(&recs);
		CHECK_U64(n, 3);
		if (n == 3) {
			CHECK_STR(recs[0].outcome, "stale");
			CHECK_STR(recs[0].refs[0].function, "f+0x0");
			CHECK_STR(recs[1].outcome, "refused");
			CHECK_STR(recs[2].outcome, "unloading");
		}
		mg_records_free(recs, n);
		check_quarantined("20261129T012233.000000Z-mg_buggy", 0);
		CHECK_INT(mg_records_load_intents(base, &recs, &n), 0);
		CHECK_U64(n, 1);
		CHECK(n == 1 && !strcmp(recs[0].outcome, "unloading"));
		mg_records_free(recs, n);
		/* the second pass: after init moved them */
		CHECK_INT(mg_records_init(base), 0);
	}
	CHECK_INT(count_in("records/stale"), 1);
	CHECK_INT(count_in("records/refused"), 1);
	CHECK_INT(count_in("records"), 4);
	teardown();
}

/* what cannot tell, says so: the caller refuses */
static void t_check_cannot_tell(void)
{
	struct mg_quarantine q;

	setup();
	/* nothing yet: not quarantined */
	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "S", &q), 0);
	CHECK_INT(mg_mkdir_p(base, 0700, 0700, 0), 0);
	write_file("records", "x", 1);
	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "S", &q),
		  -ENOTDIR);
	unlink_rel("records");
	CHECK(mkdir_rel("records") == 0);
	write_file("records/stale", "x", 1);
	CHECK_INT(mg_records_quarantine_check(base, "mg_buggy", "S", &q),
		  -ENOTDIR);
	CHECK_INT(mg_records_quarantine_check(base, "", "S", &q), -EINVAL);
	teardown();
}

static void check_no_temp(const char *rel)
{
	CHECK_INT(count_entries_named(rel, "."), 0);
}

/* a file size limit: the write says EFBIG and leaves nothing */
static void t_write_too_big(void)
{
	struct rlimit rl = { .rlim_cur = 200, .rlim_max = RLIM_INFINITY };
	struct mg_unload_record r;

	setup();
	CHECK_INT(mg_records_init(base), 0);
	signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	make_rec(&r, "stale", "mg_buggy", "SRC1", T0);
	memset(r.reason, 'x', sizeof(r.reason) - 1);
	CHECK_INT(mg_record_write(base, &r), -EFBIG);
	CHECK_STR(r.id, "");
	CHECK_INT(count_in("records/stale"), 0);
	check_no_temp("records/stale");
	CHECK_CONTAINS(logged(), "File too large");
	teardown();
}

/* a tiny tmpfs (root only): ENOSPC, and EROFS once it is read-only */
static void t_write_full_fs(void)
{
	struct mg_ref_summary *refs = calloc(MG_RECORD_MAX_REFS, sizeof(*refs));
	struct mg_unload_record r;

	setup();
	if (geteuid() != 0 || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", base, "tmpfs", 0, "size=16k,mode=0700")) {
		teardown();
		free(refs);
		check_skip("needs root to mount a small tmpfs");
	}
	CHECK_INT(mg_records_init(base), 0);
	for (int i = 0; i < MG_RECORD_MAX_REFS; i++) {
		memset(refs[i].note, 'n', sizeof(refs[i].note) - 1);
		snprintf(refs[i].kind, sizeof(refs[i].kind), "timer");
	}
	make_rec(&r, "stale", "mg_buggy", "SRC1", T0);
	r.refs = refs;
	r.nrefs = MG_RECORD_MAX_REFS;
	CHECK_INT(mg_record_write(base, &r), -ENOSPC);
	CHECK_STR(r.id, "");
	CHECK_INT(count_in("records/stale"), 0);
	check_no_temp("records/stale");
	/* a small one fits */
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC1", T0), 0);
	CHECK(mount(NULL, base, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	CHECK_INT(write_simple("refused", "mg_buggy", "SRC1", T0), -EROFS);
	CHECK_INT(write_simple("stale", "mg_buggy", "SRC1", T0), -EROFS);
	/* and what is there still quarantines */
	CHECK_INT(count_in("records/stale"), 1);
	umount2(base, MNT_DETACH);
	free(refs);
	teardown();
}

static void t_ids(void)
{
	char module[MG_MODULE_NAME_LEN], id[96];
	uint64_t t;

	CHECK_INT(mg_record_id_format(id, sizeof(id), T0 + 123456789,
				      "mg_buggy"), 0);
	CHECK_STR(id, "20261129T012233.123456Z-mg_buggy");
	CHECK_INT(mg_record_id_parse(id, module, sizeof(module), &t), 0);
	CHECK_STR(module, "mg_buggy");
	CHECK_U64(t, T0 + 123456000);
	/* a name without a time orders first; the module is what counts */
	CHECK_INT(mg_record_id_parse("x-mg-a", module, sizeof(module), &t), 0);
	CHECK_STR(module, "mg-a");
	CHECK_U64(t, 0);
	CHECK_INT(mg_record_id_parse("nodash", module, sizeof(module), &t),
		  -EINVAL);
	CHECK_INT(mg_record_id_parse("t-", module, sizeof(module), &t), -EINVAL);
	CHECK_INT(mg_record_id_parse("t-a/b", module, sizeof(module), &t),
		  -EINVAL);
	CHECK_INT(mg_record_id_format(id, 10, T0, "mg_buggy"), -ENAMETOOLONG);
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
	RUN(t_corrupt_quarantines);
	RUN(t_corrupt_refusals_skipped);
	RUN(t_emit_parseable);
	RUN(t_stale_outlives_refusals);
	RUN(t_flat_layout_outlived);
	RUN(t_truncated_stale);
	RUN(t_clear_quarantine);
	RUN(t_retention_by_count);
	RUN(t_retention_by_age);
	RUN(t_flat_layout_loads);
	RUN(t_check_cannot_tell);
	RUN(t_write_too_big);
	RUN(t_write_full_fs);
	RUN(t_ids);
	return check_done();
}
