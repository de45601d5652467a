// SPDX-License-Identifier: GPL-2.0
/* Write-ahead intents and their recovery; see intents.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents.h"
#include "kernel_log.h"
#include "log.h"
#include "record_writer.h"
#include "records.h"

int mg_intent_write(struct mg_daemon *d, const char *module, const char *build,
		     pid_t requester, const char *requester_comm,
		     const struct mg_evidence *ev, char *id_out, size_t id_len)
{
	struct mg_record_request r = {
		.outcome = "unloading",
		.module = module,
		.build = build,
		.requester_pid = requester,
		.requester_comm = requester_comm,
		.reason = "unload began with these armed; if the kernel went "
			  "down before it was settled, they are the suspects",
		.evidence = ev,
	};
	struct mg_unload_record rec = { 0 };
	char what[400];
	int err;

	id_out[0] = '\0';
	if (!ev || !mg_evidence_nrefs(ev))
		return 0; /* nothing armed: nothing to suspect */
	err = mg_record_commit(d, &r, id_out, id_len);
	if (err)
		return err;
	if (mg_record_fill_refs(d, ev, &rec))
		return 0;
	mg_kmsg_ref_list(rec.refs, rec.nrefs, rec.nrefs, "", what, sizeof(what));
	/* warning level: it must reach the console if a crash follows */
	mg_kmsg_log(d->kmsg_path, "unloading %s: its exit must cancel %s (record %s)",
		    module, what, id_out);
	free(rec.refs);
	return 0;
}

void mg_intents_recover(struct mg_daemon *d)
{
	struct mg_unload_record *recs = NULL;
	size_t n = 0;

	if (mg_records_load_intents(d->state_dir, &recs, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct mg_unload_record *r = &recs[i];
		char id[96];

		if (strcmp(r->outcome, "unloading"))
			continue;
		if (r->boot[0] && strcmp(r->boot, d->boot_id)) {
			/*
			 * The kernel went down during or right after it: what
			 * was armed when its exit began is the evidence, and
			 * the build is quarantined like any stale unload.
			 */
			snprintf(r->outcome, sizeof(r->outcome), "stale");
			snprintf(r->reason, sizeof(r->reason),
				 "the kernel went down during or after this "
				 "unload; these were armed when its exit began");
			snprintf(id, sizeof(id), "%s", r->id);
			r->time_ns = 0;
			snprintf(r->boot, sizeof(r->boot), "%s", d->boot_id);
			if (!mg_record_write(d->state_dir, r)) {
				mg_kmsg_record(d->kmsg_path, r);
				mg_warn("the unload of %s did not finish before the "
					"kernel went down: record %s", r->module,
					r->id);
				mg_record_remove(d->state_dir, id);
			}
		} else {
			mg_warn("modguardd stopped during the unload of %s: what "
				"it left behind was not checked", r->module);
			mg_record_remove(d->state_dir, r->id);
		}
	}
	mg_records_free(recs, n);
}
