// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "symcache.h"

static struct mg_symcache_slot *find(struct mg_symcache *c, const char *name,
				     const char *build)
{
	for (int i = 0; i < MG_SYMCACHE_SLOTS; i++) {
		struct mg_symcache_slot *s = &c->slot[i];

		if (s->syms.loaded && !strcmp(s->name, name) &&
		    !strcmp(s->build, build))
			return s;
	}
	return NULL;
}

int mg_symcache_put(struct mg_symcache *c, const char *name, const char *build,
		    uint64_t text_start, uint64_t init_start, uint64_t init_size,
		    const struct mg_symtab *t)
{
	struct mg_symcache_slot *s;
	int err;

	if (!build[0] || !t->loaded || !text_start)
		return -EINVAL;
	s = find(c, name, build);
	if (!s) {
		s = &c->slot[0];
		for (int i = 1; i < MG_SYMCACHE_SLOTS; i++)
			if (c->slot[i].used < s->used)
				s = &c->slot[i];
	}
	err = mg_symtab_copy(&s->syms, t, 0, init_start, init_start + init_size);
	if (err)
		return err;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->build, sizeof(s->build), "%s", build);
	s->text_start = text_start;
	s->used = ++c->clock;
	return 0;
}

int mg_symcache_get(struct mg_symcache *c, const char *name, const char *build,
		    uint64_t text_start, struct mg_symtab *out)
{
	struct mg_symcache_slot *s = build[0] ? find(c, name, build) : NULL;

	if (!s || !text_start)
		return -ENOENT;
	s->used = ++c->clock;
	return mg_symtab_copy(out, &s->syms, text_start - s->text_start, 0, 0);
}

void mg_symcache_free(struct mg_symcache *c)
{
	for (int i = 0; i < MG_SYMCACHE_SLOTS; i++)
		mg_symtab_free(&c->slot[i].syms);
}
