// SPDX-License-Identifier: GPL-2.0
/*
 * The latest task scan, shared by one request: who is inside which module
 * right now, published per module to the enforcement and watched so that
 * a move of any of them brings a new scan.
 */
#include <stdlib.h>

#include "daemon.h"
#include "held_refs.h"
#include "holder_scan.h"
#include "log.h"
#include "task_class.h"
#include "task_scan.h"

#define MG_MAX_WATCHED 256

void mg_daemon_update_watch(struct mg_daemon *d)
{
	uint32_t pids[MG_MAX_WATCHED];
	size_t n = 0;

	for (size_t i = 0; i < d->ntasks && n < MG_MAX_WATCHED; i++)
		if (mg_task_is_foreign(&d->tasks[i], d->tasks[i].mod))
			pids[n++] = d->tasks[i].pid;
	/* a waiting unload also wants init completions: keep it attached */
	if (!n && d->unload_watch)
		pids[n++] = 0;
	mg_bpf_watch(d->bpf, pids, n);
}

void mg_daemon_rescan(struct mg_daemon *d)
{
	free(d->tasks);
	d->tasks = NULL;
	d->ntasks = 0;
	d->rescan_needed = 0;
	d->holders_fresh = 0;
	d->held_fresh = 0;
	d->scan_err = mg_task_scan(d->bpf, &d->tasks, &d->ntasks);
	if (d->scan_err)
		return;
	/*
	 * What the enforcement refuses on: foreign tasks per module, kept
	 * current by re-scanning whenever one of them moves.
	 */
	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];
		uint32_t busy = 0;

		if (m->state == MG_MOD_GONE)
			continue;
		for (size_t j = 0; j < d->ntasks; j++)
			busy += mg_task_is_foreign(&d->tasks[j], m->addr);
		mg_bpf_set_stack_busy(d->bpf, m->addr, busy);
	}
	mg_daemon_update_watch(d);
}

void mg_daemon_scan_holders(struct mg_daemon *d, int at_start)
{
	if (d->holders_fresh && !at_start)
		return;
	free(d->scan_holders);
	d->scan_holders = NULL;
	d->nscan_holders = 0;
	d->holders_fresh = 1;
	d->holder_scan_err = mg_holder_scan(d->bpf, &d->scan_holders,
					    &d->nscan_holders);
	if (d->holder_scan_err || !at_start)
		return;
	mg_holder_set_free(&d->holders_at_start);
	if (mg_holder_set_from(&d->holders_at_start, d->scan_holders,
			       d->nscan_holders))
		mg_warn("holder scan: out of memory: the holders found at "
			"start are not remembered");
	mg_info("holder scan: %zu open file(s), socket(s) and mount(s) hold "
		"module references", d->nscan_holders);
}

void mg_daemon_scan_held_refs(struct mg_daemon *d)
{
	if (d->held_fresh)
		return;
	free(d->held_refs);
	d->held_refs = NULL;
	d->nheld_refs = 0;
	d->held_fresh = 1;
	d->held_scan_err = mg_held_refs_scan(d->bpf, &d->held_refs,
					     &d->nheld_refs);
}
