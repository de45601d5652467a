// SPDX-License-Identifier: GPL-2.0
/* The check after any unload; see aftermath.h. */
#include <stdio.h>
#include <string.h>

#include "aftermath.h"
#include "evidence.h"
#include "guarded_unload.h"
#include "log.h"
#include "record_writer.h"

void mg_aftermath_retire(struct mg_daemon *d, struct mg_module *m)
{
	mg_bpf_forget_module(d->bpf, m->addr);
	mg_table_retire(&d->table, m);
}

static void retire_oldest_gone(struct mg_daemon *d)
{
	struct mg_module *oldest = NULL;
	size_t ngone = 0;

	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];

		if (m->state != MG_MOD_GONE)
			continue;
		ngone++;
		if (!oldest || m->gone_ns < oldest->gone_ns)
			oldest = m;
	}
	if (ngone > MG_MAX_GONE && oldest)
		mg_aftermath_retire(d, oldest);
}

void mg_after_free(struct mg_daemon *d, struct mg_module *m,
		   const struct mg_event *e)
{
	struct mg_record_request r = { .outcome = "stale" };
	struct mg_evidence ev;
	const char *comm = e->comm;
	char reason[256], comm_buf[MG_COMM_LEN + 1];
	pid_t pid = e->tgid;
	int guarded;
	size_t left;

	mg_daemon_rescan(d);
	if (mg_evidence_of_gone(d, m, &ev)) {
		mg_err("aftermath: out of memory: what the exit of %s left "
		       "behind is not checked", m->name);
		return;
	}
	/* a guarded unload's requester is its client, not our worker thread */
	guarded = mg_unload_in_flight(d, m->name, &pid, &comm);
	left = mg_evidence_left(&ev);
	if (!left) {
		mg_evidence_free(&ev);
		/* a guarded unload still has to answer about it: it retires it */
		if (!guarded)
			mg_aftermath_retire(d, m);
		return;
	}
	snprintf(reason, sizeof(reason),
		 "unloaded with %zu stale reference%s: the kernel may crash "
		 "when they fire", left, left == 1 ? "" : "s");
	if (!guarded) {
		snprintf(comm_buf, sizeof(comm_buf), "%.*s", MG_COMM_LEN, e->comm);
		comm = comm_buf;
	}
	r.module = m->name;
	r.build = m->build;
	r.requester_pid = pid;
	r.requester_comm = comm;
	r.reason = reason;
	r.evidence = &ev;
	mg_record_commit(d, &r, m->record, sizeof(m->record));
	mg_evidence_free(&ev);
	retire_oldest_gone(d);
}
