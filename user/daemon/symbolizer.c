// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * One kallsyms line: "ffffffffc0a01000 t name\t[module]".  Returns 1 and
 * fills the parts for a text symbol, 0 for anything else.
 */
static int parse_line(char *line, uint64_t *addr, char **name, char **module)
{
	char *end, *type, *p;

	*addr = strtoull(line, &end, 16);
	if (end == line || *end != ' ')
		return 0;
	type = end + 1;
	if ((*type != 't' && *type != 'T') || type[1] != ' ')
		return 0;
	*name = type + 2;
	*module = NULL;
	p = strchr(*name, '\t');
	if (p) {
		*p = '\0';
		p = strchr(p + 1, '[');
		if (p) {
			*module = p + 1;
			p = strchr(*module, ']');
			if (p)
				*p = '\0';
		}
	}
	p = strchr(*name, '\n');
	if (p)
		*p = '\0';
	return 1;
}

int mg_symtab_load(struct mg_symtab *t, const char *path, const char *module)
{
	char line[1024], *name, *mod;
	int err = 0, nonzero = 0;
	uint64_t addr;
	FILE *f;

	mg_symtab_free(t);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_line(line, &addr, &name, &mod))
			continue;
		if (module ? !mod || strcmp(mod, module) : mod != NULL)
			continue;
		nonzero |= addr != 0;
		err = symtab_add(t, addr, name);
		if (err)
			break;
	}
	fclose(f);
	if (err) {
		mg_symtab_free(t);
		return err;
	}
	if (t->n && !nonzero) {
		mg_symtab_free(t);
		return -EPERM;
	}
	qsort(t->syms, t->n, sizeof(*t->syms), sym_cmp);
	t->loaded = 1;
	return 0;
}

int mg_symtab_load_modules(const char *path,
			   struct mg_symtab *(*find)(const char *module, void *ctx),
			   void *ctx)
{
	char line[1024], last[64] = "", *name, *mod;
	struct mg_symtab *t = NULL;
	uint64_t addr;
	int err = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '[') || !parse_line(line, &addr, &name, &mod) ||
		    !mod)
			continue;
		/* kallsyms lists a module's symbols together: look up once */
		if (strcmp(mod, last)) {
			snprintf(last, sizeof(last), "%s", mod);
			t = find(mod, ctx);
			if (t) {
				mg_symtab_free(t);
				t->loaded = 1;
			}
		}
		if (!t)
			continue;
		err = symtab_add(t, addr, name);
		if (err)
			break;
	}
	fclose(f);
	return err;
}

void mg_symtab_sort(struct mg_symtab *t)
{
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
