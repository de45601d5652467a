/* SPDX-License-Identifier: GPL-2.0 */
/* The per-module reference report, as protocol records. */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include <stdio.h>

#include "daemon.h"
#include "verdict.h"

struct mg_report_opts {
	int show_addrs; /* may this caller see raw kernel addresses? */
};

/*
 * Write the "module" record and its "ref" and "note" records for the loaded
 * module name to out.  Returns 0, -ENOENT (not loaded), -EEXIST (built in)
 * or another -errno.
 */
int mg_report_module(struct mg_daemon *d, const char *name,
		     const struct mg_report_opts *o, FILE *out);
/* the same for a module the kernel's view k describes; verdict optional */
struct mg_kmod;
int mg_report_kmod(struct mg_daemon *d, const struct mg_kmod *k,
		   const struct mg_report_opts *o, FILE *out,
		   enum mg_verdict *verdict_out);
/*
 * A module whose exit ran: its "module" record (state gone) and what still
 * points into it, from the ledger and the latest task scan.  Returns how
 * many references are left behind (0: the unload was clean).
 */
size_t mg_report_gone(struct mg_daemon *d, struct mg_module *m,
		      const struct mg_report_opts *o, FILE *out);
/* the same for every loaded module, in /proc/modules order */
int mg_report_all(struct mg_daemon *d, const struct mg_report_opts *o,
		  FILE *out);
/* the verdict alone, as the report computes it */
int mg_module_verdict(struct mg_daemon *d, const char *name,
		      enum mg_verdict *v);

const char *mg_kind_name(uint32_t kind);
struct mg_line;
void mg_report_armed(struct mg_daemon *d, uint64_t obj,
		     const struct mg_armed_info *a, int show_addrs, FILE *out,
		     struct mg_line *l);

/* addr as "symbol+0xoff", or raw hex, or "?" if raw is not allowed */
void mg_format_addr(struct mg_daemon *d, uint64_t addr, int show_addrs,
		    char *buf, size_t len);

#endif /* MG_REPORT_H */
