// SPDX-License-Identifier: GPL-2.0
/*
 * Repair after lost events.  When the ring buffer was full, module_get and
 * module_put events were dropped (MG_STAT_RINGBUF_LOST), and the holders
 * of the ledger drift from the kernel's refcount.  The kernel's count is
 * the truth: holders beyond it are dropped (oldest first), and what it
 * counts beyond the holders is shown as unattributed (evidence.c), never
 * hidden.  status counts the resyncs.
 */
#include "daemon.h"
#include "kernel_view.h"
#include "log.h"
#include "resync.h"

void mg_resync_if_lost(struct mg_daemon *d)
{
	uint64_t lost = 0;
	size_t dropped = 0;

	if (!d->bpf || mg_bpf_stat(d->bpf, MG_STAT_RINGBUF_LOST, &lost) ||
	    lost <= d->lost_seen)
		return;
	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];
		struct mg_kmod k;

		if (m->state == MG_MOD_GONE ||
		    mg_kmod_read(d->proc_modules, d->sys_module, m->name, &k))
			continue;
		dropped += mg_table_resync_holders(m, k.refcnt);
	}
	mg_warn("the ring buffer lost %llu events: holders resynced with the "
		"kernel's reference counts (%zu dropped)",
		(unsigned long long)(lost - d->lost_seen), dropped);
	d->lost_seen = lost;
	d->resyncs++;
}

/*
 * After a loss, a get whose put was lost can still arrive after the
 * resync (it sat in the ring buffer behind the gap), and no new loss
 * brings another resync: a module shown with more holders than the
 * kernel counts is resynced again then.  Without a loss, more holders
 * than users is only the lag of a put not yet read, which that put
 * corrects.
 */
void mg_resync_module(struct mg_daemon *d, struct mg_module *m, int refcnt)
{
	size_t dropped;

	if (!d->lost_seen || refcnt < 0 || m->nholders <= (size_t)refcnt)
		return;
	dropped = mg_table_resync_holders(m, refcnt);
	if (!dropped)
		return;
	d->resyncs++;
	mg_info("%s: %zu holder(s) beyond its refcount %d after lost events: "
		"resynced", m->name, dropped, refcnt);
}
