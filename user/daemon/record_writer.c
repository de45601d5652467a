// SPDX-License-Identifier: GPL-2.0
/* Evidence into durable records and the kernel log; see record_writer.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#include "kernel_log.h"
#include "log.h"
#include "record_writer.h"
#include "records.h"
#include "report.h"

int mg_record_fill_refs(struct mg_daemon *d, const struct mg_evidence *ev,
			struct mg_unload_record *rec)
{
	size_t n = mg_evidence_nrefs(ev), j = 0;

	rec->refs = NULL;
	rec->nrefs = 0;
	if (!n)
		return 0;
	rec->refs = calloc(n, sizeof(*rec->refs));
	if (!rec->refs)
		return -ENOMEM;
	for (size_t i = 0; i < ev->nitems; i++) {
		const struct mg_ref *r = &ev->items[i];
		struct mg_ref_summary *s = &rec->refs[j];

		if (r->type != MG_ITEM_REF)
			continue;
		snprintf(s->kind, sizeof(s->kind), "%s", r->kind);
		mg_format_ref_function(d, r, 1, s->function, sizeof(s->function));
		mg_format_ref_site(d, r, 1, s->site, sizeof(s->site));
		snprintf(s->comm, sizeof(s->comm), "%.*s",
			 (int)sizeof(s->comm) - 1, r->comm);
		snprintf(s->note, sizeof(s->note), "%s", r->note ? r->note : "");
		snprintf(s->hint, sizeof(s->hint), "%s", r->hint ? r->hint : "");
		s->pid = r->has & MG_REF_PID ? r->pid : 0;
		j++;
	}
	rec->nrefs = j;
	return 0;
}

int mg_record_commit_quiet(struct mg_daemon *d,
			   const struct mg_record_request *r,
			   struct mg_unload_record *rec)
{
	int err;

	snprintf(rec->boot, sizeof(rec->boot), "%s", d->boot_id);
	snprintf(rec->outcome, sizeof(rec->outcome), "%s", r->outcome);
	snprintf(rec->module, sizeof(rec->module), "%s", r->module);
	snprintf(rec->build, sizeof(rec->build), "%s", r->build ? r->build : "");
	mg_field_copy(rec->requester_comm, sizeof(rec->requester_comm),
		      r->requester_comm ? r->requester_comm : "");
	snprintf(rec->reason, sizeof(rec->reason), "%s", r->reason);
	rec->requester_pid = r->requester_pid;
	if (r->evidence && mg_record_fill_refs(d, r->evidence, rec))
		mg_warn("records: out of memory: the %s record of %s lists no "
			"references", r->outcome, r->module);
	err = mg_record_write(d->state_dir, rec);
	if (err) {
		mg_err("records: cannot write the %s record of %s to %s: %s",
		       r->outcome, r->module, d->state_dir, strerror(-err));
		rec->id[0] = '\0';
		return err;
	}
	mg_metrics_count_record(&d->metrics, rec->outcome, rec->module,
				mg_clock_ns(CLOCK_MONOTONIC));
	return 0;
}

int mg_record_commit(struct mg_daemon *d, const struct mg_record_request *r,
		     char *id_out, size_t id_len)
{
	struct mg_unload_record rec = { 0 };
	int err, kerr;

	err = mg_record_commit_quiet(d, r, &rec);
	if (!err && id_out)
		snprintf(id_out, id_len, "%s", rec.id);
	/* an intent is not news: the stale or crash record will be */
	kerr = strcmp(r->outcome, "unloading") ? mg_kmsg_record(d->kmsg_path, &rec)
					       : 0;
	if (kerr)
		mg_warn("records: cannot write to %s: %s", d->kmsg_path,
			strerror(-kerr));
	free(rec.refs);
	return err;
}
