/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enforcement (bpf/enforce.bpf.c) refused a plain delete_module() of a
 * busy module: record it with the evidence as it is now.
 */
#ifndef MG_ENFORCEMENT_REFUSALS_H
#define MG_ENFORCEMENT_REFUSALS_H

#include "daemon.h"

/* m may be NULL (a module the table does not know) */
void mg_enforcement_refused(struct mg_daemon *d, struct mg_module *m,
			    const struct mg_event *e);

#endif /* MG_ENFORCEMENT_REFUSALS_H */
