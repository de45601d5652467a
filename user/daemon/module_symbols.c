// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "log.h"
#include "module_symbols.h"

void mg_module_symbols_seen(struct mg_daemon *d, struct mg_module *m)
{
	if (m->syms.loaded || m->syms_pending || m->state == MG_MOD_GONE)
		return;
	if (!mg_symcache_get(&d->symcache, m->name, m->build, m->text_start,
			     &m->syms))
		return;
	m->syms_pending = true;
	d->syms_pending = 1;
}

static struct mg_symtab *pending_table(const char *module, void *ctx)
{
	struct mg_module *m = mg_table_find_name(ctx, module);

	return m && m->syms_pending ? &m->syms : NULL;
}

void mg_module_symbols_read_pending(struct mg_daemon *d)
{
	int err;

	if (!d->syms_pending)
		return;
	d->syms_pending = 0;
	for (size_t i = 0; i < d->table.n; i++)
		if (d->table.mods[i]->syms_pending)
			mg_symtab_free(&d->table.mods[i]->syms);
	err = mg_symtab_load_modules(d->kallsyms_path, pending_table, &d->table);
	if (err)
		mg_warn("symbolizer: cannot read module symbols from %s: %s",
			d->kallsyms_path, strerror(-err));
	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];
		struct mg_symtab *t = &m->syms;

		if (!m->syms_pending)
			continue;
		m->syms_pending = false;
		mg_dbg("symbols of %s: %zu read", m->name, t->n);
		mg_symtab_sort(t);
		/* every address 0: kptr_restrict hides them, name nothing */
		if (t->n && !t->syms[t->n - 1].addr)
			mg_symtab_free(t);
		/* read (gone already if it had no symbols): not read again */
		t->loaded = 1;
		if (t->n && m->build[0])
			mg_symcache_put(&d->symcache, m->name, m->build,
					m->text_start, m->init_start,
					m->init_size, t);
	}
}
