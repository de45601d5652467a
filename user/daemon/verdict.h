/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place a verdict is decided.  The report, modguard-rmmod and the
 * enforcement all ask here, so they can never disagree.
 */
#ifndef MG_VERDICT_H
#define MG_VERDICT_H

#include <stddef.h>

enum mg_verdict {
	MG_VERDICT_CLEAN = 0, /* as far as can be seen, unloading now is safe */
	MG_VERDICT_BUSY,      /* a reference is held or a foreign task is inside */
	MG_VERDICT_STALE,     /* gone, and something still points into it */
};

struct mg_verdict_input {
	int gone;	       /* module_free fired */
	int live;	       /* state LIVE (not coming, not going) */
	int refcnt;	       /* users (refcnt - MODULE_REF_BASE), <0 unknown */
	size_t foreign_tasks;  /* tasks inside its text that are not its own */
	size_t unknown_tasks;  /* running elsewhere: could not be unwound */
	size_t open_files;     /* open on its owner-less devices */
	size_t own_pointers;   /* its own armed callbacks, kthreads, notifiers */
};

enum mg_verdict mg_verdict_decide(const struct mg_verdict_input *in);
const char *mg_verdict_name(enum mg_verdict v);

#endif /* MG_VERDICT_H */
