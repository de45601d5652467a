/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A module's symbols, read while it is loaded so that what it leaves
 * behind can be named after it is gone.  The same build seen before comes
 * from the symbol cache; any other means a pass over all of /proc/kallsyms
 * (0.3-0.5 s of kernel time under TCG, 100,000-170,000 lines), so loads are
 * marked and read together: one pass for every module loaded since the
 * last one, not one pass per module.
 */
#ifndef MG_MODULE_SYMBOLS_H
#define MG_MODULE_SYMBOLS_H

#include "daemon.h"

/* m was just seen: fill its symbols from the cache or mark it pending */
void mg_module_symbols_seen(struct mg_daemon *d, struct mg_module *m);
/* read the symbols of every pending module in one pass over kallsyms */
void mg_module_symbols_read_pending(struct mg_daemon *d);

#endif /* MG_MODULE_SYMBOLS_H */
