// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ksym_iter.h"
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

struct pending_mods {
	struct mg_daemon *d;
	uint64_t *mods;
	size_t n;
	size_t nsyms; /* symbols the iterator handed over */
	int (*fn)(const struct mg_ksym *s, void *ctx);
	void *fn_ctx;
};

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

static int count_sym(const struct mg_ksym *s, void *ctx)
{
	struct pending_mods *p = ctx;

	p->nsyms++;
	return p->fn(s, p->fn_ctx);
}

static int iterate(void *src, int (*fn)(const struct mg_ksym *s, void *ctx),
		   void *ctx)
{
	struct pending_mods *p = src;

	p->fn = fn;
	p->fn_ctx = ctx;
	return mg_ksym_iter_modules(p->d->bpf, p->mods, p->n, count_sym, p);
}

/*
 * The pending modules' symbols from their own tables (ksym_iter.h).
 * Non-zero: read /proc/kallsyms instead (no BPF, more modules than one
 * pass can ask for, or a kernel whose module tables the program cannot
 * read: nothing came back for modules that have text).
 */
static int load_by_iterator(struct mg_daemon *d)
{
	struct pending_mods p = { .d = d };
	int err, with_text = 0;

	p.mods = calloc(d->table.n ? d->table.n : 1, sizeof(*p.mods));
	if (!p.mods)
		return -ENOMEM;
	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];

		if (!m->syms_pending)
			continue;
		p.mods[p.n++] = m->addr;
		with_text |= m->text_size != 0;
	}
	err = mg_symtab_load_modules_from(iterate, &p, pending_table,
					  &d->table);
	free(p.mods);
	if (!err && with_text && !p.nsyms)
		err = -ENOENT;
	if (!err && !d->ksym_iter_used) {
		d->ksym_iter_used = 1;
		mg_info("symbolizer: module symbols come from the modules' own "
			"tables (%zu module(s) in the first pass)", p.n);
	}
	if (err && err != -E2BIG)
		mg_dbg("symbolizer: the module tables could not be read (%s): "
		       "reading %s", strerror(-err), d->kallsyms_path);
	return err;
}

/* one pass; returns how many pending modules it left pending */
static size_t read_pass(struct mg_daemon *d, bool last)
{
	size_t again = 0;
	const char *from;
	uint64_t t0;
	int err;

	for (size_t i = 0; i < d->table.n; i++)
		if (d->table.mods[i]->syms_pending)
			mg_symtab_free(&d->table.mods[i]->syms);
	t0 = mg_clock_ns(CLOCK_MONOTONIC);
	err = d->bpf ? load_by_iterator(d) : -ENOSYS;
	from = "the modules' own tables";
	if (err) {
		/* what a walk cut short gave is read again, whole */
		for (size_t i = 0; i < d->table.n; i++)
			if (d->table.mods[i]->syms_pending)
				mg_symtab_free(&d->table.mods[i]->syms);
		from = d->kallsyms_path;
		err = mg_symtab_load_modules(d->kallsyms_path, pending_table,
					     &d->table);
		if (err)
			mg_warn("symbolizer: cannot read module symbols from "
				"%s: %s", d->kallsyms_path, strerror(-err));
	}
	/* what a new module build costs the daemon (BENCHMARKS.md) */
	mg_dbg("symbolizer: a pass over %s took %.1f ms", from,
	       (double)(mg_clock_ns(CLOCK_MONOTONIC) - t0) / 1e6);
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
