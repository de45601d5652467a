// SPDX-License-Identifier: GPL-2.0
/* Records of the enforcement's refusals; see enforcement_refusals.h. */
#include <stdio.h>

#include "enforcement_refusals.h"
#include "evidence.h"
#include "kernel_view.h"
#include "log.h"
#include "record_writer.h"

static const char *plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

void mg_enforcement_refused(struct mg_daemon *d, struct mg_module *m,
			    const struct mg_event *e)
{
	unsigned long long callers = e->refused.callers;
	unsigned long long tasks = e->refused.stack_tasks;
	unsigned long long files = e->refused.open_files;
	struct mg_record_request r = { .outcome = "refused" };
	char reason[256], comm[MG_COMM_LEN + 1], name[MG_MODULE_NAME_LEN];
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
	mg_record_commit(d, &r, NULL, 0);
	mg_info("refused %s[%u]'s delete_module(%s): %s", comm, e->tgid, name,
		reason);
	if (have_ev)
		mg_evidence_free(&ev);
}
