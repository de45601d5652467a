// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "module_table.h"
#include "taker_site.h"
#include "parse.h"

void mg_table_init(struct mg_module_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void module_free(struct mg_module *m)
{
	mg_symtab_free(&m->syms);
	free(m->holders);
	free(m);
}

void mg_table_free(struct mg_module_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		module_free(t->mods[i]);
	free(t->mods);
	memset(t, 0, sizeof(*t));
}

struct mg_module *mg_table_find(struct mg_module_table *t, uint64_t addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->mods[i]->addr == addr)
			return t->mods[i];
	return NULL;
}

struct mg_module *mg_table_find_text(struct mg_module_table *t, uint64_t addr)
{
	struct mg_module *gone = NULL;

	for (size_t i = 0; i < t->n; i++) {
		struct mg_module *m = t->mods[i];

		if (addr < m->text_start || addr - m->text_start >= m->text_size)
			continue;
		if (m->state != MG_MOD_GONE)
			return m;
		gone = m;
	}
	return gone;
}

struct mg_module *mg_table_find_name(struct mg_module_table *t,
				     const char *name)
{
	struct mg_module *gone = NULL;

	for (size_t i = 0; i < t->n; i++) {
		struct mg_module *m = t->mods[i];

		if (!mg_module_name_eq(m->name, name))
			continue;
		if (m->state != MG_MOD_GONE)
			return m;
		/* the newest gone one, if several loads came and went */
		if (!gone || m->gone_ns > gone->gone_ns)
			gone = m;
	}
	return gone;
}

static struct mg_module *module_new(struct mg_module_table *t, uint64_t addr)
{
	struct mg_module *m;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct mg_module **mods = realloc(t->mods, cap * sizeof(*mods));

		if (!mods)
			return NULL;
		t->mods = mods;
		t->cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->addr = addr;
	m->refcnt = -1;
	t->mods[t->n++] = m;
	return m;
}

void mg_table_retire(struct mg_module_table *t, struct mg_module *m)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->mods[i] != m)
			continue;
		t->mods[i] = t->mods[--t->n];
		module_free(m);
		return;
	}
}

void mg_holder_from_event(struct mg_holder *h, const struct mg_event *e)
{
	h->site = e->ref.site;
	h->nstack = 0;
	if (e->ref.nstack) {
		/* the ring buffer callback checked the record's length */
		const struct mg_ref_event *r = (const void *)e;
		size_t first, n = e->ref.nstack;

		if (n > MG_TAKER_DEPTH)
			n = MG_TAKER_DEPTH;
		h->site = mg_taker_site(e->ref.site, (const uint64_t *)r->stack, n,
					&first);
		h->nstack = n - first;
		memcpy(h->stack, r->stack + first, h->nstack * sizeof(h->stack[0]));
	}
	h->ts_ns = e->ts_ns;
	h->pid = e->pid;
	h->tgid = e->tgid;
	memcpy(h->comm, e->comm, sizeof(h->comm));
	h->comm[sizeof(h->comm) - 1] = '\0';
}

static void holder_add(struct mg_module *m, const struct mg_event *e)
{
	if (e->kind & MG_REFF_HELD) {
		/*
		 * Sent late, from its thread's slot: a get from before this
		 * module was loaded at this address is another module's,
		 * and one the count has no room for was dropped since by
		 * another thread (its put came first).
		 */
		if (e->ts_ns < m->tracking_since_ns)
			return;
		if (e->refcnt >= 1 && (size_t)(e->refcnt - 1) <= m->nholders)
			return;
	}
	if (m->nholders == m->holders_cap) {
		size_t cap = m->holders_cap ? m->holders_cap * 2 : 8;
		struct mg_holder *hs = realloc(m->holders, cap * sizeof(*hs));

		if (!hs) {
			m->holders_dropped++;
			return;
		}
		m->holders = hs;
		m->holders_cap = cap;
	}
	mg_holder_from_event(&m->holders[m->nholders++], e);
}

/*
 * A put does not say which get it balances.  The same thread's newest
 * holder, if it has one (open/close pairs; a get held in the thread's
 * slot is not listed, so the count alone would keep the wrong one).
 * Else the refcnt it reports says: while the references still counted
 * (refcnt - MODULE_REF_BASE) cover every attributed one, the put dropped a
 * reference taken before we started (or one not yet sent); otherwise it
 * drops one of ours, the oldest.
 */
static void holder_put(struct mg_module *m, const struct mg_event *e)
{
	size_t victim = 0;
	int mine = 0;

	if (!m->nholders)
		return;
	for (size_t i = m->nholders; i-- > 0;) {
		if (m->holders[i].pid == e->pid) {
			victim = i;
			mine = 1;
			break;
		}
	}
	if (!mine && e->refcnt >= 1 && (size_t)(e->refcnt - 1) >= m->nholders)
		return;
	memmove(&m->holders[victim], &m->holders[victim + 1],
		(m->nholders - victim - 1) * sizeof(*m->holders));
	m->nholders--;
}

size_t mg_table_resync_holders(struct mg_module *m, int refcnt)
{
	size_t keep = refcnt > 0 ? (size_t)refcnt : 0, drop;

	if (m->nholders <= keep)
		return 0;
	/* which puts were lost is unknown: the oldest takes go first */
	drop = m->nholders - keep;
	memmove(m->holders, m->holders + drop, keep * sizeof(*m->holders));
	m->nholders = keep;
	return drop;
}

struct mg_module *mg_table_apply(struct mg_module_table *t,
				 const struct mg_event *e)
{
	struct mg_module *m = mg_table_find(t, e->mod);

	switch (e->type) {
	case MG_EV_MODULE_LOAD:
	case MG_EV_MODULE_SCAN:
		/* the same address again after a free is a new module */
		if (m && m->state == MG_MOD_GONE && e->type == MG_EV_MODULE_LOAD) {
			mg_table_retire(t, m);
			m = NULL;
		}
		if (m && e->type == MG_EV_MODULE_SCAN)
			return m; /* seen through module_load already */
		if (!m)
			m = module_new(t, e->mod);
		if (!m) {
			mg_err("module table: out of memory for %.*s",
			       MG_MODULE_NAME_LEN, e->name);
			return NULL;
		}
		memcpy(m->name, e->name, sizeof(m->name));
		m->name[sizeof(m->name) - 1] = '\0';
		m->text_start = e->text_start;
		m->text_size = e->text_size;
		m->init_fn = e->load.init_fn;
		m->init_start = e->load.init_start;
		m->init_size = e->load.init_size;
		m->state = e->state;
		m->refcnt = e->refcnt;
		m->preloaded = e->type == MG_EV_MODULE_SCAN;
		m->tracking_since_ns = e->ts_ns;
		return m;
	case MG_EV_MODULE_FREE:
		if (!m)
			return NULL;
		m->state = MG_MOD_GONE;
		m->gone_ns = e->ts_ns;
		m->refcnt = e->refcnt;
		return m;
	case MG_EV_REF_GET:
	case MG_EV_REF_PUT:
		if (!m)
			return NULL;
		m->refcnt = e->refcnt;
		if (m->state != MG_MOD_GONE && e->state <= MG_MOD_UNFORMED)
			m->state = e->state;
		if (e->type == MG_EV_REF_GET)
			holder_add(m, e);
		else
			holder_put(m, e);
		return m;
	default:
		return m;
	}
}
