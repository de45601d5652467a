/* SPDX-License-Identifier: GPL-2.0 */
/* Repair of the ledger after lost ring buffer events (resync.c). */
#ifndef MG_RESYNC_H
#define MG_RESYNC_H

#include "daemon.h"

/* if events were lost since the last call: resync every module's holders */
void mg_resync_if_lost(struct mg_daemon *d);
/*
 * once events were lost: no more holders for m than refcnt (the kernel's
 * count, read now), as it is about to be shown
 */
void mg_resync_module(struct mg_daemon *d, struct mg_module *m, int refcnt);

#endif /* MG_RESYNC_H */
