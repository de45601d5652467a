/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel addresses to "symbol+0xoff" from /proc/kallsyms.  The core kernel's
 * symbols are read once; a module's are read into their own table the first
 * time they are needed, so that a module's functions can still be named
 * after it is gone (the stale callbacks are exactly what must be named).
 */
#ifndef MG_SYMBOLIZER_H
#define MG_SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>

struct mg_ksym;

struct mg_sym {
	uint64_t addr;
	char *name;
};

struct mg_symtab {
	struct mg_sym *syms; /* sorted by addr */
	size_t n, cap;
	int loaded;
};

/*
 * Read the text symbols of path (a kallsyms file): of one module when
 * module is non-NULL, else of the core kernel only.  Returns 0 or -errno;
 * -EPERM when every address reads as 0 (kptr_restrict hides them).
 */
int mg_symtab_load(struct mg_symtab *t, const char *path, const char *module);
void mg_symtab_free(struct mg_symtab *t);
/*
 * dst (emptied first) = src with every address moved by delta (mod 2^64),
 * leaving out the symbols in [skip_lo, skip_hi).  Returns 0 or -ENOMEM.
 */
int mg_symtab_copy(struct mg_symtab *dst, const struct mg_symtab *src,
		   uint64_t delta, uint64_t skip_lo, uint64_t skip_hi);
/*
 * One pass over path for many modules at once: find(module, ctx) returns
 * the table to add that module's symbols to (empty it first), or NULL to
 * skip it.  Every table returned is marked loaded, not sorted.  Returns 0
 * or -errno.
 */
int mg_symtab_load_modules(const char *path,
			   struct mg_symtab *(*find)(const char *module, void *ctx),
			   void *ctx);
/*
 * The same from another source of symbols (each(src, fn, ctx) calls fn
 * for every symbol, as mg_kallsyms_each does; e.g. mg_bpf_module_ksyms's
 * iterator).
 */
typedef int (*mg_ksym_source)(void *src,
			      int (*fn)(const struct mg_ksym *s, void *ctx),
			      void *ctx);
int mg_symtab_load_modules_from(mg_ksym_source each, void *src,
				struct mg_symtab *(*find)(const char *module,
							  void *ctx),
				void *ctx);
/* sort a table filled by mg_symtab_load_modules() */
void mg_symtab_sort(struct mg_symtab *t);
/*
 * "name+0xoff" for addr into buf.  Returns 0, or -ENOENT (buf gets the raw
 * address instead) when no symbol covers it or max_off is exceeded.
 */
int mg_symtab_format(const struct mg_symtab *t, uint64_t addr, uint64_t max_off,
		     char *buf, size_t len);

#endif /* MG_SYMBOLIZER_H */
