// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "modguard_abi.h"
#include "symbolizer.h"

static int sym_cmp(const void *a, const void *b)
{
	const struct mg_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int symtab_add(struct mg_symtab *t, uint64_t addr, const char *name)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct mg_sym *s = realloc(t->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		t->syms = s;
		t->cap = cap;
	}
	t->syms[t->n].addr = addr;
	t->syms[t->n].name = strdup(name);
	if (!t->syms[t->n].name)
		return -ENOMEM;
	t->n++;
	return 0;
}

int mg_symtab_copy(struct mg_symtab *dst, const struct mg_symtab *src,
		   uint64_t delta, uint64_t skip_lo, uint64_t skip_hi)
{
	mg_symtab_free(dst);
	for (size_t i = 0; i < src->n; i++) {
		const struct mg_sym *y = &src->syms[i];

		if (y->addr >= skip_lo && y->addr < skip_hi)
			continue;
		if (symtab_add(dst, y->addr + delta, y->name)) {
			mg_symtab_free(dst);
			return -ENOMEM;
		}
	}
	/* src is sorted and a move keeps the order (no wrap in module space) */
	dst->loaded = 1;
	return 0;
}

struct load {
	struct mg_symtab *t;
	const char *module;
	int nonzero;
};

static int load_one(const struct mg_ksym *s, void *ctx)
{
	struct load *l = ctx;

	if (!mg_ksym_is_text(s))
		return 0;
	if (l->module ? !s->module || strcmp(s->module, l->module)
		      : s->module != NULL)
		return 0;
	l->nonzero |= s->addr != 0;
	return symtab_add(l->t, s->addr, s->name);
}

int mg_symtab_load(struct mg_symtab *t, const char *path, const char *module)
{
	struct load l = { .t = t, .module = module };
	int err;

	mg_symtab_free(t);
	err = mg_kallsyms_each(path, load_one, &l);
	if (err) {
		mg_symtab_free(t);
		return err;
	}
	if (t->n && !l.nonzero) {
		mg_symtab_free(t);
		return -EPERM;
	}
	mg_symtab_sort(t);
	t->loaded = 1;
	return 0;
}

struct load_modules {
	struct mg_symtab *(*find)(const char *module, void *ctx);
	void *ctx;
	struct mg_symtab *t;
	char last[MG_MODULE_NAME_LEN];
};

static int load_module_one(const struct mg_ksym *s, void *ctx)
{
	struct load_modules *l = ctx;

	if (!s->module || !mg_ksym_is_text(s))
		return 0;
	/*
	 * kallsyms lists a module's symbols in a run: look up once a run.
	 * Not only one run: ftrace's copies of freed init functions come
	 * after all modules, so a table is added to, never restarted.
	 */
	if (strcmp(s->module, l->last)) {
		snprintf(l->last, sizeof(l->last), "%s", s->module);
		l->t = l->find(s->module, l->ctx);
		if (l->t)
			l->t->loaded = 1;
	}
	return l->t ? symtab_add(l->t, s->addr, s->name) : 0;
}

int mg_symtab_load_modules_from(mg_ksym_source each, void *src,
				struct mg_symtab *(*find)(const char *module,
							  void *ctx),
				void *ctx)
{
	struct load_modules l = { .find = find, .ctx = ctx };

	return each(src, load_module_one, &l);
}

static int kallsyms_file(void *path,
			 int (*fn)(const struct mg_ksym *s, void *ctx), void *ctx)
{
	return mg_kallsyms_each(path, fn, ctx);
}

int mg_symtab_load_modules(const char *path,
			   struct mg_symtab *(*find)(const char *module, void *ctx),
			   void *ctx)
{
	return mg_symtab_load_modules_from(kallsyms_file, (void *)path, find,
					   ctx);
}

void mg_symtab_sort(struct mg_symtab *t)
{
	if (t->n)
		qsort(t->syms, t->n, sizeof(*t->syms), sym_cmp);
}

void mg_symtab_free(struct mg_symtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	memset(t, 0, sizeof(*t));
}

int mg_symtab_format(const struct mg_symtab *t, uint64_t addr, uint64_t max_off,
		     char *buf, size_t len)
{
	size_t lo = 0, hi = t->n;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - t->syms[lo - 1].addr > max_off) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return -ENOENT;
	}
	snprintf(buf, len, "%s+0x%" PRIx64, t->syms[lo - 1].name,
		 addr - t->syms[lo - 1].addr);
	return 0;
}
