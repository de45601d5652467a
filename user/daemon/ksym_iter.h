/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modules' symbols from their own tables (mod->kallsyms, read by
 * bpf/module_ksyms.bpf.c): only the asked modules' text symbols are read,
 * instead of every line of /proc/kallsyms.
 */
#ifndef MG_KSYM_ITER_H
#define MG_KSYM_ITER_H

#include <stddef.h>
#include <stdint.h>

#include "kallsyms.h"

struct mg_bpf;

/*
 * Call fn for each text symbol of the modules at mods[0..n) (struct module
 * addresses), in their tables' order, as mg_kallsyms_each() would (fn
 * returns 0 to go on; s->module is the module's name).  Returns 0, fn's
 * value, -E2BIG for more than MG_KSYM_WANT_MAX modules or more symbols
 * than one pass walks (MG_KSYM_STEPS: fn has seen part of them), or
 * -errno when the iterator cannot run (the caller falls back to
 * /proc/kallsyms).
 */
int mg_ksym_iter_modules(struct mg_bpf *b, const uint64_t *mods, size_t n,
			 int (*fn)(const struct mg_ksym *s, void *ctx),
			 void *ctx);

#endif /* MG_KSYM_ITER_H */
