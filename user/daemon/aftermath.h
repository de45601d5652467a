/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aftermath of any unload, modguard's or a plain rmmod's: once
 * module_free fired, what the module's exit left behind is named, recorded
 * and logged; a module that left nothing is forgotten, one that did is
 * kept (a bounded number of them) so that reports can still show it.
 */
#ifndef MG_AFTERMATH_H
#define MG_AFTERMATH_H

#include "daemon.h"

/* how many gone modules with stale references are kept for reports */
#define MG_MAX_GONE 64

/*
 * module_free fired for m (event e): name what its exit left behind, write
 * the record and the kernel log line, and retire m if nothing did.
 */
void mg_after_free(struct mg_daemon *d, struct mg_module *m,
		   const struct mg_event *e);
/* forget m for good: the ledger's entries and the table's */
void mg_aftermath_retire(struct mg_daemon *d, struct mg_module *m);

#endif /* MG_AFTERMATH_H */
