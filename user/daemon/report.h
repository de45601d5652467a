/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-module reference report as protocol records (docs/PROTOCOL.md):
 * the encoder of struct mg_evidence, and the "report" verb's walk over
 * the loaded and gone modules.
 */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include <stdio.h>

#include "daemon.h"
#include "evidence.h"

/*
 * The "module" record of ev, then its "ref" and "note" records, to out.
 * show_addrs: may the reader see raw kernel addresses?  Returns 0 or
 * -errno.
 */
int mg_report_encode(struct mg_daemon *d, const struct mg_evidence *ev,
		     int show_addrs, FILE *out);
/*
 * The report of the module name: loaded, or gone with something left
 * behind.  Returns 0, -ENOENT (not loaded), -EEXIST (built in) or
 * another -errno.
 */
int mg_report_module(struct mg_daemon *d, const char *name, int show_addrs,
		     FILE *out);
/* the same for every loaded module in /proc/modules order, then the gone */
int mg_report_all(struct mg_daemon *d, int show_addrs, FILE *out);

/* addr as "symbol+0xoff", or raw hex, or "?" if raw is not allowed */
void mg_format_addr(struct mg_daemon *d, uint64_t addr, int show_addrs,
		    char *buf, size_t len);
/* the function a ref names, as the report shows it */
void mg_format_ref_function(struct mg_daemon *d, const struct mg_ref *r,
			    int show_addrs, char *buf, size_t len);
/* the site a ref names ("" when it has none) */
void mg_format_ref_site(struct mg_daemon *d, const struct mg_ref *r,
			int show_addrs, char *buf, size_t len);

#endif /* MG_REPORT_H */
