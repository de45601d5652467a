// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

/*
 * One line: "addr type name", then "\t[module]" for a module's symbol.
 * Returns 1 with s filled (the line is cut into its parts), 0 for a line
 * that is not a symbol.
 */
static int parse_line(char *line, struct mg_ksym *s)
{
	char *end, *p;

	s->addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return 0;
	s->type = end[1];
	s->name = end + 3;
	s->module = NULL;
	end[strcspn(end, "\n")] = '\0';
	p = strchr(s->name, '\t');
	if (!p)
		return 1;
	*p = '\0';
	p = strchr(p + 1, '[');
	if (p) {
		s->module = p + 1;
		p[1 + strcspn(p + 1, "]")] = '\0';
	}
	return 1;
}

int mg_kallsyms_each(const char *path,
		     int (*fn)(const struct mg_ksym *s, void *ctx), void *ctx)
{
	FILE *f = fopen(path, "re");
	struct mg_ksym s;
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && getline(&line, &cap, f) > 0)
		if (parse_line(line, &s))
			ret = fn(&s, ctx);
	free(line);
	fclose(f);
	return ret;
}

struct lookup {
	const char *const *names;
	uint64_t *addrs;
	uint64_t *ends; /* NULL: not wanted */
	char *found; /* the first of several symbols of one name counts */
	size_t n, left, open_ends;
};

static int lookup_one(const struct mg_ksym *s, void *ctx)
{
	struct lookup *l = ctx;

	if (s->module)
		return 0;
	/* the core kernel's lines come in address order: the next one ends it */
	for (size_t i = 0; l->open_ends && i < l->n; i++)
		if (l->found[i] && !l->ends[i] && s->addr > l->addrs[i]) {
			l->ends[i] = s->addr;
			l->open_ends--;
		}
	for (size_t i = 0; i < l->n; i++)
		if (!l->found[i] && !strcmp(s->name, l->names[i])) {
			l->found[i] = 1;
			l->addrs[i] = s->addr;
			l->left--;
			l->open_ends += l->ends != NULL;
		}
	/* all found (and ended): the rest of the file is modules' */
	return !l->left && !l->open_ends;
}

int mg_kallsyms_lookup(const char *path, const char *const *names,
		       uint64_t *addrs, size_t n)
{
	return mg_kallsyms_lookup_ranges(path, names, addrs, NULL, n);
}

int mg_kallsyms_lookup_ranges(const char *path, const char *const *names,
			      uint64_t *addrs, uint64_t *ends, size_t n)
{
	struct lookup l = { .names = names, .addrs = addrs, .ends = ends,
			    .n = n, .left = n };
	int ret;

	memset(addrs, 0, n * sizeof(*addrs));
	if (ends)
		memset(ends, 0, n * sizeof(*ends));
	if (!n)
		return 0;
	l.found = calloc(n, 1);
	if (!l.found)
		return -ENOMEM;
	ret = mg_kallsyms_each(path, lookup_one, &l);
	free(l.found);
	return ret < 0 ? ret : 0;
}
