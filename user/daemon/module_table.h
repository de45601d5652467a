/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's picture of the kernel's modules: one entry per struct module
 * the BPF side reported (loaded now, or gone but not yet retired), with the
 * references attributed to it.  Owned by the event loop; not thread-safe.
 */
#ifndef MG_MODULE_TABLE_H
#define MG_MODULE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "modguard_abi.h"
#include "symbolizer.h"

/* one module reference taken and not yet dropped, as module_get saw it */
struct mg_holder {
	/*
	 * the taker: the try_module_get() caller's return address, or the
	 * first frame outside the plumbing it came through (taker_site.h)
	 */
	uint64_t site;
	uint64_t ts_ns;
	uint32_t pid;
	uint32_t tgid;
	char comm[MG_COMM_LEN];
	uint32_t nstack; /* from the plumbing frame out; 0: a direct taker */
	uint64_t stack[MG_TAKER_DEPTH];
};

struct mg_module {
	uint64_t addr; /* struct module *: identity while it lives */
	uint64_t text_start;
	uint64_t text_size;
	uint64_t init_start; /* init text, valid only while init runs */
	uint64_t init_size;
	uint64_t init_fn;
	uint64_t tracking_since_ns; /* CLOCK_MONOTONIC */
	uint64_t gone_ns;	     /* when module_free fired, 0 while loaded */
	uint32_t state;		     /* enum mg_module_state, as last seen */
	int32_t refcnt;		     /* as last seen in an event, -1 unknown */
	bool preloaded;		     /* loaded before modguardd started */
	char name[MG_MODULE_NAME_LEN];
	char build[96];	       /* build identity, read when first seen */
	char record[96];       /* id of the stale record written for it */

	struct mg_symtab syms; /* its text symbols (module_symbols.h) */
	bool syms_pending;     /* to be read in the next batch */

	struct mg_holder *holders; /* outstanding, oldest first */
	size_t nholders, holders_cap;
	uint64_t holders_dropped; /* could not be recorded (out of memory) */
};

struct mg_module_table {
	struct mg_module **mods;
	size_t n, cap;
};

void mg_table_init(struct mg_module_table *t);
void mg_table_free(struct mg_module_table *t);

/* by struct module address */
struct mg_module *mg_table_find(struct mg_module_table *t, uint64_t addr);
/* by name ('-' and '_' equal); a loaded module wins over a gone one */
struct mg_module *mg_table_find_name(struct mg_module_table *t,
				     const char *name);
/*
 * Apply one BPF event.  Returns the module it concerned (NULL if none, or
 * on allocation failure, which is also logged).
 */
struct mg_module *mg_table_apply(struct mg_module_table *t,
				 const struct mg_event *e);
/* the module whose text holds addr, loaded or gone */
struct mg_module *mg_table_find_text(struct mg_module_table *t, uint64_t addr);
/*
 * After lost events: no more holders than the kernel's refcount (users)
 * says are held; the oldest go.  Returns how many were dropped.  Fewer
 * holders than users show as unattributed in the report.
 */
size_t mg_table_resync_holders(struct mg_module *m, int refcnt);
/*
 * A holder from a REF_GET event (a struct mg_ref_event when e->ref.nstack:
 * the taker is the first frame outside the plumbing, taker_site.h)
 */
void mg_holder_from_event(struct mg_holder *h, const struct mg_event *e);
/* forget a gone module for good */
void mg_table_retire(struct mg_module_table *t, struct mg_module *m);


#endif /* MG_MODULE_TABLE_H */
