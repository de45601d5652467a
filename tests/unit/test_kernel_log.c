// SPDX-License-Identifier: GPL-2.0
/* modguardd's kernel log lines (user/daemon/kernel_log.c), into a file */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "kernel_log.h"
#include "records.h"
#include "check.h"

#define T0 (1795915353ULL * FX_SEC) /* 2026-11-29T01:22:33Z */

static struct fx fx;

static void one_line_per_message(void)
{
	char missing[FX_PATH_MAX];

	fx_init(&fx);
	/* /dev/kmsg is never created: a missing path is an error */
	CHECK_INT(mg_kmsg_log(fx_path(&fx, "dev/none", missing, sizeof(missing)),
			      "x"), -ENOENT);
	CHECK_INT(mg_kmsg_log(fx.kmsg, "module %s: %d refs\n", "mg_buggy", 2), 0);
	CHECK_INT(mg_kmsg_log(fx.kmsg, "two\nlines\tand\x1b[31m"), 0);
	CHECK_STR(fx_kmsg(&fx), "<4>modguard: module mg_buggy: 2 refs\n"
				"<4>modguard: two?lines and?[31m\n");
	fx_fini(&fx);
}

static void long_message_is_cut(void)
{
	char msg[2000];
	const char *txt;
	size_t len;

	fx_init(&fx);
	/* cut with "...", one line, within the kernel's limit */
	memset(msg, 'z', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	CHECK_INT(mg_kmsg_log(fx.kmsg, "%s", msg), 0);
	txt = fx_kmsg(&fx);
	len = strlen(txt);
	CHECK(len > 900 && len <= 976);
	CHECK(!strncmp(txt, "<4>modguard: zzz", 16));
	CHECK(len > 4 && !strcmp(txt + len - 4, "...\n"));
	CHECK(strchr(txt, '\n') == txt + len - 1);
	/* not inside a UTF-8 sequence */
	for (size_t i = 0; i + 2 < sizeof(msg); i += 2)
		memcpy(msg + i, "\xc3\xa9", 2);
	msg[sizeof(msg) - 2] = '\0';
	for (int shift = 0; shift < 2; shift++) {
		fx_write(&fx, "dev/kmsg", "");
		CHECK_INT(mg_kmsg_log(fx.kmsg, "%.*s%s", shift, "x", msg), 0);
		txt = fx_kmsg(&fx);
		len = strlen(txt);
		CHECK(len > 8 && !strcmp(txt + len - 4, "...\n"));
		CHECK(len > 8 && (unsigned char)txt[len - 5] == 0xa9);
	}
	fx_fini(&fx);
}

static void set_ref(struct mg_ref_summary *r, const char *kind,
		    const char *function)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->function, sizeof(r->function), "%s", function);
}

static void first_four_references(void)
{
	struct mg_ref_summary refs[6];
	char buf[512], small[20];
	size_t n;

	for (int i = 0; i < 6; i++) {
		char fn[32];

		snprintf(fn, sizeof(fn), "fn%d+0x%x", i, i);
		set_ref(&refs[i], i % 2 ? "timer" : "work", fn);
	}
	n = mg_kmsg_ref_list(refs, 0, 0, ": ", buf, sizeof(buf));
	CHECK_STR(buf, "");
	CHECK_INT(n, 0);
	n = mg_kmsg_ref_list(refs, 2, 2, ": ", buf, sizeof(buf));
	CHECK_STR(buf, ": work fn0+0x0, timer fn1+0x1");
	CHECK_INT(n, strlen(buf));
	n = mg_kmsg_ref_list(refs, 4, 4, "", buf, sizeof(buf));
	CHECK_STR(buf, "work fn0+0x0, timer fn1+0x1, work fn2+0x2, timer fn3+0x3");
	/* more than four: the rest as "..." */
	mg_kmsg_ref_list(refs, 6, 6, "", buf, sizeof(buf));
	CHECK_STR(buf, "work fn0+0x0, timer fn1+0x1, work fn2+0x2, timer fn3+0x3, ...");
	/* more than were kept (omitted from the record) says so too */
	mg_kmsg_ref_list(refs, 1, 3, "", buf, sizeof(buf));
	CHECK_STR(buf, "work fn0+0x0");
	mg_kmsg_ref_list(refs, 1, 9, "", buf, sizeof(buf));
	CHECK_STR(buf, "work fn0+0x0, ...");
	/* a small buffer: cut, terminated, the length within it */
	n = mg_kmsg_ref_list(refs, 6, 6, "", small, sizeof(small));
	CHECK_INT(strlen(small), sizeof(small) - 1);
	CHECK(n < sizeof(small));
	CHECK(!strncmp(small, "work fn0+0x0, timer", sizeof(small) - 1));
	/* fields without their NUL are read to their size */
	memset(refs[0].kind, 'k', sizeof(refs[0].kind));
	mg_kmsg_ref_list(refs, 1, 1, "", buf, sizeof(buf));
	CHECK_STR(buf, "kkkkkkkkkkkkkkk fn0+0x0");
}

static void make_rec(struct mg_unload_record *r, const char *outcome,
		     const char *module, const char *build)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->outcome, sizeof(r->outcome), "%s", outcome);
	snprintf(r->module, sizeof(r->module), "%s", module);
	snprintf(r->build, sizeof(r->build), "%s", build);
	snprintf(r->reason, sizeof(r->reason), "%s of %s", outcome, module);
	r->time_ns = T0;
}

static void record_summary(void)
{
	struct mg_unload_record r;
	struct mg_ref_summary refs[5];

	fx_init(&fx);
	set_ref(&refs[0], "timer", "mg_buggy_fn+0x0");
	set_ref(&refs[1], "kthread", "mg_buggy_thread+0x1c");
	make_rec(&r, "stale", "mg_buggy", "SRC1");
	r.refs = refs;
	r.nrefs = 2;
	CHECK_INT(mg_record_write(fx.state, &r), 0);
	CHECK_INT(mg_kmsg_record(fx.kmsg, &r), 0);
	make_rec(&r, "refused", "mg_tidy", "");
	snprintf(r.reason, sizeof(r.reason), "busy:\na timer");
	CHECK_INT(mg_kmsg_record(fx.kmsg, &r), 0);
	CHECK_STR(fx_kmsg(&fx),
		  "<4>modguard: module mg_buggy (build SRC1) stale: stale of mg_buggy; 2 references: timer mg_buggy_fn+0x0, kthread mg_buggy_thread+0x1c (record 20261129T012233.000000Z-mg_buggy)\n"
		  "<4>modguard: module mg_tidy (build -) refused: busy:?a timer; 0 references (record )\n");
	/* refs left out of the record still count, and say "..." */
	fx_write(&fx, "dev/kmsg", "");
	make_rec(&r, "stale", "mg_buggy", "SRC1");
	for (int i = 0; i < 5; i++)
		set_ref(&refs[i], "rcu", "mg_buggy_rcu_cb+0x0");
	r.refs = refs;
	r.nrefs = 5;
	r.refs_omitted = 3;
	CHECK_INT(mg_kmsg_record(fx.kmsg, &r), 0);
	CHECK_CONTAINS(fx_kmsg(&fx), "; 8 references: rcu mg_buggy_rcu_cb+0x0, "
				     "rcu mg_buggy_rcu_cb+0x0, rcu mg_buggy_rcu_cb"
				     "+0x0, rcu mg_buggy_rcu_cb+0x0, ... (record ");
	/* one reference */
	fx_write(&fx, "dev/kmsg", "");
	r.nrefs = 1;
	r.refs_omitted = 0;
	CHECK_CONTAINS(mg_kmsg_record(fx.kmsg, &r) ? "" : fx_kmsg(&fx),
		       "; 1 reference: rcu mg_buggy_rcu_cb+0x0 (record ");
	fx_fini(&fx);
}

int main(void)
{
	RUN(one_line_per_message);
	RUN(long_message_is_cut);
	RUN(first_four_references);
	RUN(record_summary);
	return check_done();
}
