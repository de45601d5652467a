// SPDX-License-Identifier: GPL-2.0
/* the daemon's module table (user/daemon/module_table.c): events applied */
#include "fixtures/fixtures.h"
#include "module_table.h"
#include "check.h"

static struct mg_module_table t;

static struct mg_module *apply(uint32_t type, uint64_t mod, const char *name,
			       unsigned int sec)
{
	struct mg_event e = fx_ev(type, mod, name, sec);

	e.text_start = mod == FX_MOD ? FX_TEXT : FX_TEXT2;
	e.text_size = mod == FX_MOD ? FX_TEXT_SIZE : FX_TEXT2_SIZE;
	e.state = MG_MOD_COMING;
	e.refcnt = 1;
	e.load.init_start = 0xffffffffc0200000ull;
	e.load.init_size = 0x1000;
	e.load.init_fn = 0xffffffffc0200010ull;
	return mg_table_apply(&t, &e);
}

static struct mg_module *ref(uint32_t type, uint64_t mod, uint32_t pid,
			     uint64_t site, int refcnt)
{
	struct mg_event e = fx_ev(type, mod, NULL, 5);

	e.pid = pid;
	e.tgid = pid + 1000;
	e.site = site;
	e.refcnt = refcnt;
	e.state = MG_MOD_LIVE;
	snprintf(e.comm, sizeof(e.comm), "comm%u", pid);
	return mg_table_apply(&t, &e);
}

static void load_and_scan(void)
{
	struct mg_module *m;

	mg_table_init(&t);
	m = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 1);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(m->name, "mg_buggy");
	CHECK_U64(m->addr, FX_MOD);
	CHECK_U64(m->text_start, FX_TEXT);
	CHECK_U64(m->text_size, FX_TEXT_SIZE);
	CHECK_U64(m->init_start, 0xffffffffc0200000ull);
	CHECK_U64(m->init_size, 0x1000);
	CHECK_U64(m->init_fn, 0xffffffffc0200010ull);
	CHECK_INT(m->state, MG_MOD_COMING);
	CHECK(!m->preloaded);
	CHECK_U64(m->tracking_since_ns, FX_START_NS + FX_SEC);
	/* the start-up scan of a module seen through module_load: no change */
	CHECK(apply(MG_EV_MODULE_SCAN, FX_MOD, "mg_buggy", 9) == m);
	CHECK(!m->preloaded);
	CHECK_U64(m->tracking_since_ns, FX_START_NS + FX_SEC);
	/* a module only the scan saw was there before us */
	m = apply(MG_EV_MODULE_SCAN, FX_MOD2, "mg_other", 2);
	CHECK(m && m->preloaded);
	CHECK_INT(t.n, 2);
	mg_table_free(&t);
	CHECK_INT(t.n, 0);
}

static void find_by_name_text_and_address(void)
{
	struct mg_module *a, *b;

	mg_table_init(&t);
	a = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 1);
	b = apply(MG_EV_MODULE_LOAD, FX_MOD2, "mg-other", 1);
	CHECK(mg_table_find(&t, FX_MOD) == a);
	CHECK(mg_table_find(&t, FX_MOD2) == b);
	CHECK(mg_table_find(&t, 0x1234) == NULL);
	/* '-' and '_' are the same character, as kmod has it */
	CHECK(mg_table_find_name(&t, "mg_other") == b);
	CHECK(mg_table_find_name(&t, "mg-buggy") == a);
	CHECK(mg_table_find_name(&t, "mg_bugg") == NULL);
	CHECK(mg_table_find_name(&t, "mg_buggyy") == NULL);
	CHECK(mg_table_find_text(&t, FX_TEXT) == a);
	CHECK(mg_table_find_text(&t, FX_TEXT + FX_TEXT_SIZE - 1) == a);
	CHECK(mg_table_find_text(&t, FX_TEXT + FX_TEXT_SIZE) == NULL);
	CHECK(mg_table_find_text(&t, FX_FN2) == b);
	CHECK(mg_table_find_text(&t, FX_K_MSLEEP) == NULL);
}

static void holders_are_attributed(void)
{
	struct mg_module *m;

	mg_table_init(&t);
	m = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 1);
	if (!m)
		return;
	/* refcnt as the tracepoint reports it: MODULE_REF_BASE (1) + users */
	ref(MG_EV_REF_GET, FX_MOD, 10, 0xa, 2);
	ref(MG_EV_REF_GET, FX_MOD, 11, 0xb, 3);
	ref(MG_EV_REF_GET, FX_MOD, 10, 0xc, 4);
	CHECK_INT(m->nholders, 3);
	CHECK_INT(m->refcnt, 4);
	CHECK_INT(m->state, MG_MOD_LIVE);
	CHECK_U64(m->holders[0].site, 0xa);
	CHECK_INT(m->holders[0].pid, 10);
	CHECK_INT(m->holders[0].tgid, 1010);
	CHECK_STR(m->holders[0].comm, "comm10");
	/* a put drops the same thread's newest */
	ref(MG_EV_REF_PUT, FX_MOD, 10, 0, 3);
	CHECK_INT(m->nholders, 2);
	CHECK_U64(m->holders[0].site, 0xa);
	CHECK_U64(m->holders[1].site, 0xb);
	/* a thread without one of its own drops the oldest */
	ref(MG_EV_REF_PUT, FX_MOD, 99, 0, 2);
	CHECK_INT(m->nholders, 1);
	CHECK_U64(m->holders[0].site, 0xb);
	/*
	 * The counted references cover every attributed one: a put by a
	 * thread without a holder of its own balanced a reference taken
	 * before we started.
	 */
	ref(MG_EV_REF_PUT, FX_MOD, 12, 0, 2);
	CHECK_INT(m->nholders, 1);
	/* a thread's own holder goes with its put, whatever the count */
	ref(MG_EV_REF_PUT, FX_MOD, 11, 0, 2);
	CHECK_INT(m->nholders, 0);
	/* nothing to drop */
	ref(MG_EV_REF_PUT, FX_MOD, 11, 0, 1);
	CHECK_INT(m->nholders, 0);
	/* events of a module the table does not know change nothing */
	CHECK(ref(MG_EV_REF_GET, 0x4242, 1, 0xa, 2) == NULL);
	CHECK_INT(t.n, 1);
}

static struct mg_event held_get(uint64_t mod, uint32_t pid, uint64_t site,
				int refcnt, uint64_t ts)
{
	struct mg_event e = fx_ev(MG_EV_REF_GET, mod, NULL, ts);

	e.pid = pid;
	e.tgid = pid + 1000;
	e.site = site;
	e.refcnt = refcnt;
	e.state = MG_MOD_LIVE;
	e.kind = MG_REFF_HELD;
	return e;
}

/* gets a thread held in its slot and sent late (bpf/module_refs.bpf.c) */
static void held_gets_sent_late(void)
{
	struct mg_module *m;
	struct mg_event e;

	mg_table_init(&t);
	m = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 100);
	if (!m)
		return;
	/* a held get with room in the count is a holder like any other */
	e = held_get(FX_MOD, 20, 0xa, 2, 150);
	mg_table_apply(&t, &e);
	CHECK_INT(m->nholders, 1);
	CHECK_INT(m->holders[0].pid, 20);
	/*
	 * No room: another thread's put (already applied) dropped it, so
	 * it is not listed
	 */
	e = held_get(FX_MOD, 21, 0xb, 2, 160);
	mg_table_apply(&t, &e);
	CHECK_INT(m->nholders, 1);
	/* taken before this module was loaded here: another module's */
	e = held_get(FX_MOD, 22, 0xc, 3, 50);
	mg_table_apply(&t, &e);
	CHECK_INT(m->nholders, 1);
	/* a get sent at once is listed, whatever its time */
	ref(MG_EV_REF_GET, FX_MOD, 23, 0xd, 3);
	CHECK_INT(m->nholders, 2);
	/*
	 * A listed holder's put, while an unlisted get is held elsewhere:
	 * the count covers the listed ones, but the thread's own goes
	 */
	ref(MG_EV_REF_PUT, FX_MOD, 23, 0, 3);
	CHECK_INT(m->nholders, 1);
	CHECK_INT(m->holders[0].pid, 20);
	mg_table_free(&t);
}

static void free_then_reload_at_the_same_address(void)
{
	struct mg_module *m, *n;
	struct mg_event e;

	mg_table_init(&t);
	m = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 1);
	if (!m)
		return;
	ref(MG_EV_REF_GET, FX_MOD, 10, 0xa, 2);
	e = fx_ev(MG_EV_MODULE_FREE, FX_MOD, "mg_buggy", 7);
	e.refcnt = 0;
	CHECK(mg_table_apply(&t, &e) == m);
	CHECK_INT(m->state, MG_MOD_GONE);
	CHECK_U64(m->gone_ns, FX_START_NS + 7 * FX_SEC);
	/* a reference event of a gone module does not revive it */
	ref(MG_EV_REF_PUT, FX_MOD, 10, 0, 1);
	CHECK_INT(m->state, MG_MOD_GONE);
	/* by text and name a gone module is still found while nothing else */
	CHECK(mg_table_find_text(&t, FX_TEXT) == m);
	CHECK(mg_table_find_name(&t, "mg_buggy") == m);
	/* the same address again is a new module; the gone one is retired */
	n = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 8);
	CHECK(n != NULL);
	CHECK_INT(t.n, 1);
	CHECK(n && n->state == MG_MOD_COMING && !n->nholders);
	/* free of an unknown module: nothing */
	e = fx_ev(MG_EV_MODULE_FREE, 0x4242, "x", 9);
	CHECK(mg_table_apply(&t, &e) == NULL);
}

static void loaded_wins_over_gone(void)
{
	struct mg_module *old, *old2, *cur;
	struct mg_event e;

	mg_table_init(&t);
	old = apply(MG_EV_MODULE_LOAD, FX_MOD, "mg_buggy", 1);
	e = fx_ev(MG_EV_MODULE_FREE, FX_MOD, "mg_buggy", 2);
	mg_table_apply(&t, &e);
	/* reloaded elsewhere, freed again: two gone, then a third load */
	old2 = apply(MG_EV_MODULE_LOAD, FX_MOD2, "mg_buggy", 3);
	e = fx_ev(MG_EV_MODULE_FREE, FX_MOD2, "mg_buggy", 4);
	mg_table_apply(&t, &e);
	CHECK(mg_table_find_name(&t, "mg_buggy") == old2); /* the newest gone */
	cur = apply(MG_EV_MODULE_LOAD, 0xffffffffc0910000ull, "mg_buggy", 5);
	CHECK(mg_table_find_name(&t, "mg_buggy") == cur);
	/* text shared by a gone and a loaded module: the loaded one */
	CHECK(mg_table_find_text(&t, FX_TEXT2) == cur);
	mg_table_retire(&t, old);
	CHECK_INT(t.n, 2);
	CHECK(mg_table_find(&t, FX_MOD) == NULL);
	CHECK(mg_table_find(&t, FX_MOD2) == old2);
}

int main(void)
{
	RUN(load_and_scan);
	RUN(find_by_name_text_and_address);
	RUN(holders_are_attributed);
	RUN(held_gets_sent_late);
	RUN(free_then_reload_at_the_same_address);
	RUN(loaded_wins_over_gone);
	return check_done();
}
