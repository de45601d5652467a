/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of /proc/kallsyms lines, "ffffffffc0a01000 t name\t[mod]":
 * the symbolizer's tables and the core addresses the BPF side needs both
 * come from here.
 */
#ifndef MG_KALLSYMS_H
#define MG_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct mg_ksym {
	uint64_t addr;      /* 0 for every symbol when kptr_restrict hides them */
	char type;          /* 't', 'T', 'd', ... as kallsyms has it */
	const char *name;
	const char *module; /* NULL: the core kernel */
};

/* text (code), where addresses are named */
static inline int mg_ksym_is_text(const struct mg_ksym *s)
{
	return s->type == 't' || s->type == 'T';
}

/*
 * Call fn for every symbol of path (a kallsyms file), in file order; the
 * strings are valid during the call only.  fn returns 0 to go on; anything
 * else ends the walk and is returned.  Returns 0, fn's value, or -errno
 * when path cannot be read.
 */
int mg_kallsyms_each(const char *path,
		     int (*fn)(const struct mg_ksym *s, void *ctx), void *ctx);
/*
 * One pass: addrs[i] = the address of the core kernel's symbol names[i],
 * 0 when it has none.  Returns 0 or -errno.
 */
int mg_kallsyms_lookup(const char *path, const char *const *names,
		       uint64_t *addrs, size_t n);
/*
 * The same, and ends[i] = the address of the next core symbol above
 * addrs[i] (the function's end; 0 when it has none): core lines come in
 * address order.
 */
int mg_kallsyms_lookup_ranges(const char *path, const char *const *names,
			      uint64_t *addrs, uint64_t *ends, size_t n);

#endif /* MG_KALLSYMS_H */
