/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module symbols by build.  Reading a module's symbols means reading all of
 * /proc/kallsyms (some 100,000 lines), at every load, because they are
 * gone once the module is.  A build loaded again (a developer's load and
 * unload loop) has the same layout: its symbols sit at the same offsets
 * from its text, so the previous load's table, moved, serves.
 */
#ifndef MG_SYMCACHE_H
#define MG_SYMCACHE_H

#include <stdint.h>

#include "modguard_abi.h"
#include "symbolizer.h"

#define MG_SYMCACHE_SLOTS 8

struct mg_symcache {
	struct mg_symcache_slot {
		char name[MG_MODULE_NAME_LEN];
		char build[96];
		uint64_t text_start;
		struct mg_symtab syms; /* at text_start; init text left out */
		uint64_t used;         /* for eviction: least recently used */
	} slot[MG_SYMCACHE_SLOTS];
	uint64_t clock;
};

/*
 * Keep t, the symbols of module name (build: its srcversion or build id,
 * never empty) loaded with its text at text_start, minus those in its init
 * text [init_start, init_start + init_size), which is freed after init.
 */
int mg_symcache_put(struct mg_symcache *c, const char *name, const char *build,
		    uint64_t text_start, uint64_t init_start, uint64_t init_size,
		    const struct mg_symtab *t);
/*
 * Fill out (a table to be loaded) with the symbols of the same build of
 * name as now loaded at text_start.  Returns 0, or -ENOENT when that
 * build was not seen.
 */
int mg_symcache_get(struct mg_symcache *c, const char *name, const char *build,
		    uint64_t text_start, struct mg_symtab *out);
void mg_symcache_free(struct mg_symcache *c);

#endif /* MG_SYMCACHE_H */
