// SPDX-License-Identifier: GPL-2.0
/*
 * The enforcement refused a plain delete_module() (MG_EV_REFUSED): the
 * refusal is recorded with the evidence as it is now
 * (user/daemon/enforcement_refusals.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "enforcement_refusals.h"
#include "fixtures/fixtures.h"
#include "kmsg_writer.h"
#include "records.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static struct mg_event refused_at(uint64_t mod, const char *name,
				  uint64_t callers, uint64_t files,
				  uint64_t tasks, unsigned int seconds)
{
	struct mg_event e = fx_ev(MG_EV_REFUSED, mod, name, seconds);

	e.refused.callers = callers;
	e.refused.open_files = files;
	e.refused.stack_tasks = tasks;
	e.pid = e.tgid = 999;
	snprintf(e.comm, sizeof(e.comm), "rmmod");
	return e;
}

static struct mg_event refused(uint64_t mod, const char *name, uint64_t callers,
			       uint64_t files, uint64_t tasks)
{
	return refused_at(mod, name, callers, files, tasks, 20);
}

/* lines of the kernel log that contain needle */
static size_t kmsg_count(const char *needle)
{
	const char *p = fx_kmsg(&fx);
	size_t n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (memmem(p, len, needle, strlen(needle)))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

static void refusal_is_recorded_with_evidence(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	size_t n;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	e = refused(FX_MOD, "mg_buggy", 2, 0, 1);
	fx_event(&fx, &e);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n != 1)
		return;
	CHECK_STR(recs[0].outcome, "refused");
	CHECK_STR(recs[0].module, "mg_buggy");
	CHECK_STR(recs[0].build, "SRC1");
	CHECK_INT(recs[0].requester_pid, 999);
	CHECK_STR(recs[0].requester_comm, "rmmod");
	CHECK_STR(recs[0].reason,
		  "delete_module() refused by modguard: 2 callers inside its "
		  "owner-less file operations, 1 task seen inside its text, 0 "
		  "files open on its owner-less devices");
	/* the scan ran again: the task it found now is the evidence */
	CHECK_INT(recs[0].nrefs, 1);
	CHECK_STR(recs[0].refs[0].kind, "task");
	CHECK_INT(recs[0].refs[0].pid, 402);
	/* one line, which says who, what holds it, and where to look */
	CHECK_INT(kmsg_count(""), 1);
	CHECK_CONTAINS(fx_kmsg(&fx), "<4>modguard: refused delete_module(mg_buggy) "
				     "by rmmod[999]: 2 callers inside its "
				     "owner-less file operations, 1 task inside "
				     "its text (task cat[402] mg_buggy_read+0x10); "
				     "see: modguard report mg_buggy, record ");
	CHECK_CONTAINS(fx_kmsg(&fx), recs[0].id);
	CHECK_CONTAINS(fx_kmsg(&fx), " (modguard history)\n");
	/* not also the generic record line: one line per refusal */
	CHECK_NOT_CONTAINS(fx_kmsg(&fx), "module mg_buggy (build");
	CHECK_CONTAINS(fx_log(&fx), "refused rmmod[999]'s delete_module(mg_buggy)");
	fx_fini(&fx);
}

/* a module gone by now, and one the table never knew: still recorded */
static void unknown_or_gone_module(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	size_t n;

	fx_init(&fx);
	e = refused(FX_MOD, "mg_buggy", 1, 1, 0);
	mg_enforcement_refused(&fx.d, NULL, &e);
	n = fx_records(&fx, &recs);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(recs[0].build, "");
		CHECK_INT(recs[0].nrefs, 0);
		CHECK_STR(recs[0].reason,
			  "delete_module() refused by modguard: 1 caller inside "
			  "its owner-less file operations, 0 tasks seen inside "
			  "its text, 1 file open on its owner-less devices");
	}
	fx_fini(&fx);
}

/* what user space chose (comm) cannot break or forge a kernel-log line */
static void kmsg_line_is_clean(void)
{
	struct mg_event e;
	const char *k;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	e = refused(FX_MOD, "mg_buggy", 1, 0, 0);
	memcpy(e.comm, "a\n<0>b\x1b[1m\xc3", 11);
	fx_event(&fx, &e);
	k = fx_kmsg(&fx);
	CHECK_INT(kmsg_count(""), 1);
	CHECK_CONTAINS(k, "by a?<0>b?[1m?[999]: 1 caller inside");
	CHECK(strlen(k) < 1000 && k[strlen(k) - 1] == '\n');
	fx_fini(&fx);
}

/*
 * A looped rmmod: at most MG_KMSG_BURST lines a module a window, then
 * one note; the count of what was held back comes with its next line.
 * Every refusal is still recorded.
 */
static void kmsg_rate_limited_per_module(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	char held[64];

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	for (int i = 0; i < 50; i++) {
		e = refused_at(FX_MOD, "mg_buggy", 1, 0, 0, 20 + (unsigned)i % 3);
		fx_event(&fx, &e);
	}
	CHECK_INT(kmsg_count("refused delete_module(mg_buggy) by rmmod[999]: "),
		  MG_KMSG_BURST);
	CHECK_INT(kmsg_count("are not logged here"), 1);
	CHECK_INT(kmsg_count(""), MG_KMSG_BURST + 1);
	CHECK_INT(fx_records(&fx, &recs), 50);
	/* still within the window: nothing more */
	e = refused_at(FX_MOD, "mg_buggy", 1, 0, 0, 20 + 59);
	fx_event(&fx, &e);
	CHECK_INT(kmsg_count(""), MG_KMSG_BURST + 1);
	/* the next window: a line again, saying what it held back */
	e = refused_at(FX_MOD, "mg_buggy", 1, 0, 0, 20 + 61);
	fx_event(&fx, &e);
	CHECK_INT(kmsg_count(""), MG_KMSG_BURST + 2);
	snprintf(held, sizeof(held), "(%d earlier refusals not logged)",
		 50 - MG_KMSG_BURST + 1);
	CHECK_INT(kmsg_count(held), 1);
	fx_fini(&fx);
}

/* many modules: MG_KMSG_TOTAL lines in all a window, notes included */
static void kmsg_rate_limited_in_all(void)
{
	struct mg_unload_record *recs;
	struct mg_event e;
	char name[32];
	int n = 0;

	fx_init(&fx);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "mg_mod%d", i);
			e = refused_at(FX_MOD + (uint64_t)i * 0x1000, name, 1, 0,
				       0, 30);
			mg_enforcement_refused(&fx.d, NULL, &e);
			n++;
		}
	CHECK_INT(kmsg_count(""), MG_KMSG_TOTAL);
	CHECK_INT(fx_records(&fx, &recs), n);
	/* a module seen first once the budget is spent is not logged */
	CHECK_INT(kmsg_count("delete_module(mg_mod39)"), 0);
	CHECK_INT(kmsg_count("delete_module(mg_mod0) by"), 1);
	fx_fini(&fx);
}

/* the kernel log is opened once, not once a line */
static void kmsg_opened_once(void)
{
	struct mg_event e;
	int before = -1, after = -1;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	for (int i = 0; i < 4; i++) {
		DIR *dir;
		int n = 0;

		e = refused_at(FX_MOD, "mg_buggy", 1, 0, 0, 20);
		fx_event(&fx, &e);
		dir = opendir("/proc/self/fd");
		if (!dir)
			continue;
		while (readdir(dir))
			n++;
		closedir(dir);
		if (i == 0)
			before = n;
		after = n;
	}
	CHECK(before > 0);
	CHECK_INT(after, before);
	CHECK_INT(kmsg_count("refused delete_module(mg_buggy)"), 4);
	fx_fini(&fx);
}

/*
 * a kernel log that does not take the line at once (a FIFO nobody reads,
 * or whose pipe is full) never blocks the event loop: the line is
 * dropped, the refusal recorded
 */
static void kmsg_never_blocks(void)
{
	struct mg_unload_record *recs;
	char fifo[FX_PATH_MAX], junk[4096] = { 0 };
	struct mg_event e;
	int rfd, wfd;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_path(&fx, "dev/kfifo", fifo, sizeof(fifo));
	CHECK_INT(mkfifo(fifo, 0600), 0);
	fx.d.kmsg_path = fifo;
	e = refused(FX_MOD, "mg_buggy", 1, 0, 0);
	fx_event(&fx, &e);
	CHECK_INT(fx_records(&fx, &recs), 1);
	/* a reader that does not read, and a full pipe */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	CHECK(rfd >= 0 && wfd >= 0);
	while (write(wfd, junk, sizeof(junk)) > 0)
		;
	CHECK_INT(errno, EAGAIN);
	e = refused(FX_MOD, "mg_buggy", 1, 0, 0);
	fx_event(&fx, &e);
	CHECK_INT(fx_records(&fx, &recs), 2);
	CHECK_INT(mg_kmsg_write(fifo, "x"), -EAGAIN);
	close(rfd);
	close(wfd);
	fx_fini(&fx);
}

int main(void)
{
	RUN(refusal_is_recorded_with_evidence);
	RUN(unknown_or_gone_module);
	RUN(kmsg_line_is_clean);
	RUN(kmsg_rate_limited_per_module);
	RUN(kmsg_rate_limited_in_all);
	RUN(kmsg_opened_once);
	RUN(kmsg_never_blocks);
	return check_done();
}
