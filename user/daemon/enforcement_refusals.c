// SPDX-License-Identifier: GPL-2.0
/* Records of the enforcement's refusals; see enforcement_refusals.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#include "enforcement_refusals.h"
#include "evidence.h"
#include "kernel_view.h"
#include "kmsg_writer.h"
#include "log.h"
#include "record_writer.h"
#include "records.h"

/* the holders a kernel-log line names, as kernel_log.c's lines do */
#define KMSG_HOLDERS 4

static const char *plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* append to buf at *off, never past len */
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

/*
 * "1 task inside its text, 2 files open on its owner-less devices (task
 * cat[402] mg_x_read+0x12, file mg_x_open by reader[300])": the counts the
 * refusal was decided on, then who they are as the scan names them now.
 * Strings from user space (comms) are cleaned; the line is cleaned again
 * as a whole when written.
 */
static void holders_summary(const struct mg_event *e,
			    const struct mg_unload_record *rec, char *buf,
			    size_t len)
{
	const unsigned long long n[] = { e->refused.callers,
					 e->refused.stack_tasks,
					 e->refused.open_files };
	static const char *const what[] = {
		"caller%s inside its owner-less file operations",
		"task%s inside its text",
		"file%s open on its owner-less devices",
	};
	size_t off = 0, shown = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < 3; i++) {
		char w[64];

		if (!n[i])
			continue;
		snprintf(w, sizeof(w), what[i], plural(n[i]));
		add(buf, len, &off, "%s%llu %s", off ? ", " : "", n[i], w);
	}
	if (!off)
		add(buf, len, &off, "busy");
	for (size_t i = 0; rec && i < rec->nrefs && shown < KMSG_HOLDERS; i++) {
		const struct mg_ref_summary *r = &rec->refs[i];
		char comm[sizeof(r->comm)], fn[sizeof(r->function)];

		mg_kmsg_clean(r->comm, sizeof(r->comm), comm, sizeof(comm));
		mg_kmsg_clean(r->function, sizeof(r->function), fn, sizeof(fn));
		add(buf, len, &off, "%s%.*s", shown ? ", " : " (",
		    (int)strnlen(r->kind, sizeof(r->kind)), r->kind);
		/* who: for what a task does or holds, not who armed a callback */
		if (r->pid && (!strcmp(r->kind, "task") || !strcmp(r->kind, "file") ||
			       !strcmp(r->kind, "holder")))
			add(buf, len, &off, " %s[%u]", comm, r->pid);
		if (fn[0])
			add(buf, len, &off, " %s", fn);
		shown++;
	}
	if (rec && rec->nrefs + rec->refs_omitted > shown && shown)
		add(buf, len, &off, ", ...");
	if (shown)
		add(buf, len, &off, ")");
}

/*
 * The one kernel-log line of a refusal, rate limited: a user of a plain
 * rmmod sees only "Operation not permitted", so it says who was refused,
 * what holds the module and where to look; never more than
 * MG_KMSG_BURST lines a module a minute, however often rmmod is looped.
 */
static void refusal_kmsg(struct mg_daemon *d, const struct mg_event *e,
			 const char *name, const char *comm,
			 const struct mg_unload_record *rec, const char *id)
{
	uint64_t now = e->ts_ns ? e->ts_ns : mg_clock_ns(CLOCK_MONOTONIC);
	struct mg_kmsg_admit a = mg_kmsg_admit(name, now);
	char holders[512], held[96] = "", msg[900];

	if (a.note) {
		snprintf(msg, sizeof(msg),
			 "refused delete_module(%s) by %s[%u] again: its next "
			 "refusals within %llu s are not logged here (at most %d "
			 "lines a minute); modguard history records each",
			 name, comm, e->tgid,
			 (unsigned long long)(MG_KMSG_WINDOW_NS / 1000000000ULL),
			 MG_KMSG_BURST);
		mg_kmsg_write(d->kmsg_path, msg);
		return;
	}
	if (!a.log)
		return;
	holders_summary(e, rec, holders, sizeof(holders));
	if (a.held)
		snprintf(held, sizeof(held),
			 " (%llu earlier refusal%s not logged)",
			 (unsigned long long)a.held, plural(a.held));
	snprintf(msg, sizeof(msg),
		 "refused delete_module(%s) by %s[%u]: %s; see: modguard report "
		 "%s%s%s%s%s", name, comm, e->tgid, holders, name,
		 id[0] ? ", record " : "", id, id[0] ? " (modguard history)" : "",
		 held);
	mg_kmsg_write(d->kmsg_path, msg);
}

void mg_enforcement_refused(struct mg_daemon *d, struct mg_module *m,
			    const struct mg_event *e)
{
	unsigned long long callers = e->refused.callers;
	unsigned long long tasks = e->refused.stack_tasks;
	unsigned long long files = e->refused.open_files;
	struct mg_record_request r = { .outcome = "refused" };
	char reason[256], comm[MG_COMM_LEN + 1], name[MG_MODULE_NAME_LEN];
	char kcomm[MG_COMM_LEN + 1], kname[MG_MODULE_NAME_LEN], id[96];
	struct mg_unload_record rec = { 0 };
	struct mg_evidence ev;
	struct mg_kmod k;
	int have_ev = 0;

	snprintf(reason, sizeof(reason),
		 "delete_module() refused by modguard: %llu caller%s inside its "
		 "owner-less file operations, %llu task%s seen inside its text, "
		 "%llu file%s open on its owner-less devices",
		 callers, plural(callers), tasks, plural(tasks), files,
		 plural(files));
	snprintf(comm, sizeof(comm), "%.*s", MG_COMM_LEN, e->comm);
	snprintf(name, sizeof(name), "%.*s", MG_MODULE_NAME_LEN - 1, e->name);
	/* the evidence as it is now */
	mg_daemon_rescan(d);
	if (!mg_kmod_read(d->proc_modules, d->sys_module, name, &k))
		have_ev = !mg_evidence_of_kmod(d, &k, &ev);
	r.module = name;
	r.build = m ? m->build : "";
	r.requester_pid = e->tgid;
	r.requester_comm = comm;
	r.reason = reason;
	r.evidence = have_ev ? &ev : NULL;
	/* its own kernel-log line below: rate-limited, a looped rmmod's */
	mg_record_commit_quiet(d, &r, &rec);
	/* comm is the requester's to choose, the name the caller's to pass */
	mg_kmsg_clean(comm, sizeof(comm), kcomm, sizeof(kcomm));
	mg_kmsg_clean(name, sizeof(name), kname, sizeof(kname));
	mg_field_copy(id, sizeof(id), rec.id);
	refusal_kmsg(d, e, kname, kcomm, &rec, id);
	mg_info("refused %s[%u]'s delete_module(%s): %s", comm, e->tgid, name,
		reason);
	free(rec.refs);
	if (have_ev)
		mg_evidence_free(&ev);
}
