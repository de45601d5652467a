// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "held_refs.h"
#include "module_table.h"

size_t mg_held_refs_pick(const struct mg_module *m, int refcnt,
			 const struct mg_ref_event *recs, size_t n,
			 struct mg_holder *out)
{
	size_t room = refcnt > 0 && (size_t)refcnt > m->nholders
			      ? (size_t)refcnt - m->nholders
			      : 0,
	       k = m->nholders;
	uint64_t newer_than = UINT64_MAX;

	if (m->nholders)
		memcpy(out, m->holders, m->nholders * sizeof(*out));
	/* newest first: repeatedly the newest below the last one taken */
	while (room) {
		const struct mg_ref_event *best = NULL;

		for (size_t i = 0; i < n; i++) {
			const struct mg_event *e = &recs[i].e;

			if (e->mod != m->addr || e->ts_ns < m->tracking_since_ns ||
			    e->ts_ns >= newer_than)
				continue;
			if (!best || e->ts_ns > best->e.ts_ns)
				best = &recs[i];
		}
		if (!best)
			break;
		mg_holder_from_event(&out[k++], &best->e);
		newer_than = best->e.ts_ns;
		room--;
	}
	return k;
}
