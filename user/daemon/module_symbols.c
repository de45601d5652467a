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

/*
 * Does t name anything in m's text?  /proc/kallsyms is read in chunks,
 * each restarting at an index into the list of every symbol; a module whose
 * init ends between two chunks swaps its init-time table for a shorter
 * one, and the modules after it shift: a pass can miss a module's symbols
 * (seen on 6.1-rt: a table with nothing but ftrace's copy of its init).
 */
static bool names_its_text(const struct mg_module *m, const struct mg_symtab *t)
{
	if (!m->text_size || m->state == MG_MOD_GONE)
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (t->syms[i].addr >= m->text_start &&
		    t->syms[i].addr - m->text_start < m->text_size)
			return true;
	return false;
}

/* one pass; returns how many pending modules it left pending */
static size_t read_pass(struct mg_daemon *d, bool last)
{
	size_t again = 0;
	int err;

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
		mg_symtab_sort(t);
		/* every address 0: kptr_restrict hides them, name nothing */
		if (t->n && !t->syms[t->n - 1].addr)
			mg_symtab_free(t);
		else if (!err && !last && !names_its_text(m, t)) {
			again++;
			continue;
		}
		m->syms_pending = false;
		mg_dbg("symbols of %s: %zu read", m->name, t->n);
		/* read (gone already if it had no symbols): not read again */
		t->loaded = 1;
		if (t->n && m->build[0] && names_its_text(m, t))
			mg_symcache_put(&d->symcache, m->name, m->build,
					m->text_start, m->init_start,
					m->init_size, t);
	}
	return again;
}

void mg_module_symbols_read_pending(struct mg_daemon *d)
{
	if (!d->syms_pending)
		return;
	d->syms_pending = 0;
	/* a pass that missed a module is rare: read again, at most twice */
	for (int pass = 0; pass < 3; pass++)
		if (!read_pass(d, pass == 2))
			break;
}
