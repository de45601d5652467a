// SPDX-License-Identifier: GPL-2.0
/*
 * The evidence about a module (user/daemon/evidence.c), built from the
 * stubbed BPF layer, the fixture's /proc/modules and a task scan: the
 * verdict, what it was decided on, and the items in report order.
 */
#include <errno.h>

#include "evidence.h"
#include "fixtures/fixtures.h"
#include "kernel_view.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

/* the evidence about the loaded module name */
static int of_kmod(const char *name, struct mg_evidence *ev)
{
	struct mg_kmod k;
	int err = mg_kmod_read(fx.proc_modules, fx.sys_module, name, &k);

	CHECK_INT(err, 0);
	if (err)
		return err;
	return mg_evidence_of_kmod(&fx.d, &k, ev);
}

static const struct mg_ref *item(const struct mg_evidence *ev, size_t i)
{
	static const struct mg_ref none = { .kind = "(none)" };

	return i < ev->nitems ? &ev->items[i] : &none;
}

/* "kind/label-or-pid ..." of every item, to check their order at once */
static const char *order(const struct mg_evidence *ev)
{
	static char buf[2048];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ev->nitems && off < sizeof(buf); i++) {
		const struct mg_ref *r = &ev->items[i];

		if (r->type == MG_ITEM_NOTE)
			off += snprintf(buf + off, sizeof(buf) - off, "%snote",
					i ? " " : "");
		else if (r->label)
			off += snprintf(buf + off, sizeof(buf) - off, "%s%s/%s",
					i ? " " : "", r->kind, r->label);
		else
			off += snprintf(buf + off, sizeof(buf) - off, "%s%s/%u",
					i ? " " : "", r->kind, r->pid);
	}
	return buf;
}

/* fx_everything(), and the evidence about mg_buggy */
static void everything(struct mg_evidence *ev)
{
	fx_init(&fx);
	fx_everything(&fx);
	CHECK_INT(of_kmod("mg_buggy", ev), 0);
}

static void everything_in_report_order(void)
{
	struct mg_evidence ev;

	everything(&ev);
	CHECK_STR(order(&ev),
		  "holder/202 holder/201 file/300 timer/150 hrtimer/150 "
		  "work/150 fops/150 rcu/150 kthread/400 work/401 task/402 "
		  "task/403 task/404 task/owner-less file operations "
		  "task/owner-less file operations holder/unattributed "
		  "holder/dependent modules");
	CHECK_INT(mg_evidence_nrefs(&ev), 17);
	CHECK_INT(ev.verdict, MG_VERDICT_BUSY);
	CHECK_STR(ev.name, "mg_buggy");
	CHECK_STR(ev.state, "live");
	CHECK_INT(ev.refcnt, 4);
	CHECK_STR(ev.holders, "mg_dep");
	CHECK_STR(ev.srcversion, "SRC1");
	CHECK_STR(ev.build, "SRC1");
	CHECK(ev.have_text);
	CHECK_U64(ev.text_start, FX_TEXT);
	CHECK_U64(ev.text_size, FX_TEXT_SIZE);
	CHECK_U64(ev.tracking_since_ns, FX_START_NS + FX_SEC);
	CHECK(!ev.gone);
	/* what the verdict was decided on */
	CHECK_INT(ev.in.live, 1);
	CHECK_INT(ev.in.refcnt, 4);
	/* cat, reader2 and the 2 counted callers */
	CHECK_INT(ev.in.foreign_tasks, 4);
	CHECK_INT(ev.in.unknown_tasks, 2); /* dd running, perf unread */
	CHECK_INT(ev.in.open_files, 1);
	/* 5 ledger entries, its kthread and its worker */
	CHECK_INT(ev.in.own_pointers, 7);
	mg_evidence_free(&ev);
	CHECK_INT(ev.nitems, 0);
	CHECK(ev.items == NULL);
	fx_fini(&fx);
}

static void holders_grouped_by_call_site(void)
{
	struct mg_evidence ev;
	const struct mg_ref *r;

	everything(&ev);
	/* the newest site first; the newest taker that still holds */
	r = item(&ev, 0);
	CHECK_U64(r->site, FX_NOSYM);
	CHECK_U64(r->count, 1);
	CHECK_STR(r->comm, "mystery");
	r = item(&ev, 1);
	CHECK_U64(r->func, FX_K_CHRDEV_OPEN + 0x10);
	CHECK_U64(r->site, FX_K_CHRDEV_OPEN + 0x10);
	CHECK_U64(r->count, 2);
	CHECK_INT(r->pid, 201);
	CHECK_INT(r->tid, 201);
	CHECK_U64(r->since_ns, FX_START_NS + 3 * FX_SEC);
	CHECK_INT(r->has, MG_REF_SITE | MG_REF_PID | MG_REF_TID | MG_REF_COUNT |
				  MG_REF_SINCE);
	/* what nobody saw taken */
	r = item(&ev, 15);
	CHECK_STR(r->label, "unattributed");
	CHECK_U64(r->count, 1);
	CHECK_INT(r->has, MG_REF_COUNT);
	CHECK_STR(r->note, "taken where modguard could not see it");
	r = item(&ev, 16);
	CHECK_STR(r->label, "dependent modules");
	CHECK_INT(r->has, 0);
	CHECK_STR(r->note, "mg_dep");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void ledger_entries(void)
{
	struct mg_evidence ev;
	const struct mg_ref *r;

	everything(&ev);
	r = item(&ev, 3);
	CHECK_STR(r->kind, "timer");
	CHECK_U64(r->func, FX_FN_TIMER);
	CHECK_U64(r->site, 0x3c);
	CHECK_U64(r->object, FX_OBJ_TIMER);
	CHECK_INT(r->expires_unit, MG_EXPIRES_JIFFIES);
	CHECK_U64(r->expires, 4295000000ull);
	CHECK_INT(r->has, MG_REF_PID | MG_REF_SINCE | MG_REF_OBJECT |
				  MG_REF_SITE_INIT);
	CHECK(r->note == NULL);
	r = item(&ev, 4);
	CHECK_STR(r->kind, "hrtimer");
	CHECK_INT(r->expires_unit, MG_EXPIRES_NS);
	CHECK_U64(r->expires, 5000000000ull);
	CHECK_INT(r->has, MG_REF_PID | MG_REF_SINCE | MG_REF_OBJECT | MG_REF_SITE);
	r = item(&ev, 5);
	CHECK_STR(r->kind, "work");
	CHECK_INT(r->expires_unit, MG_EXPIRES_NONE);
	CHECK_STR(r->note, "delayed work, its timer pending");
	r = item(&ev, 6);
	CHECK_STR(r->kind, "fops");
	CHECK_STR(r->note, "registered without .owner: an open file does not "
			   "pin the module");
	r = item(&ev, 7);
	CHECK_STR(r->kind, "rcu");
	CHECK_STR(r->note, "queued by call_rcu(); gone after a later "
			   "rcu_barrier()");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void files_tasks_and_callers(void)
{
	struct mg_evidence ev;
	const struct mg_ref *r;

	everything(&ev);
	r = item(&ev, 2);
	CHECK_STR(r->kind, "file");
	CHECK_U64(r->func, FX_FN_OPEN);
	CHECK_INT(r->dev, MG_MKDEV(10, 57));
	CHECK_STR(r->comm, "reader");
	CHECK_INT(r->has, MG_REF_PID | MG_REF_TID | MG_REF_DEVICE | MG_REF_SINCE);
	/* its own kthread: thread function, no note */
	r = item(&ev, 8);
	CHECK_STR(r->kind, "kthread");
	CHECK_U64(r->func, FX_FN_THREAD + 0x30);
	CHECK_U64(r->threadfn, FX_FN_THREAD);
	CHECK(r->has & MG_REF_THREADFN);
	CHECK(r->note == NULL);
	CHECK_INT(r->nstack, 3);
	CHECK_U64(r->stack[2], FX_K_KTHREAD + 0x100);
	r = item(&ev, 9);
	CHECK_STR(r->kind, "work");
	CHECK_STR(r->note, "a worker running the module's code");
	r = item(&ev, 10);
	CHECK_STR(r->comm, "cat");
	CHECK_STR(r->note, "a caller inside the module's text");
	CHECK_INT(r->has, MG_REF_PID | MG_REF_TID | MG_REF_STACK);
	r = item(&ev, 11);
	CHECK_STR(r->note, "running on a CPU: its stack cannot be trusted; retry");
	r = item(&ev, 12);
	CHECK_U64(r->func, 0);
	CHECK_INT(r->nstack, 0);
	CHECK_STR(r->note, "a kretprobe return (another tool's) is pending in "
			   "it and its stack could not be read: it may be "
			   "inside; retry");
	/* counted at an entry point, not scanned */
	r = item(&ev, 13);
	CHECK_INT(r->tid, 406);
	CHECK_STR(r->comm, "reader2");
	CHECK_U64(r->since_ns, FX_START_NS + 6 * FX_SEC);
	CHECK_INT(r->has, MG_REF_PID | MG_REF_TID | MG_REF_SINCE);
	/* the kprobes count 4: two of them are listed above */
	r = item(&ev, 14);
	CHECK_U64(r->count, 2);
	CHECK_INT(r->has, MG_REF_COUNT);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void clean_with_only_its_own_callbacks(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	/* another module's entries are not its own */
	mg_stub_arm(0x1, FX_MOD2, MG_KIND_TIMER, FX_FN2);
	mg_daemon_rescan(&fx.d);
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_INT(ev.verdict, MG_VERDICT_CLEAN);
	CHECK_STR(order(&ev), "timer/150");
	CHECK_INT(ev.in.own_pointers, 1);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void preloaded_module(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_set_modules(&fx, "mg_buggy 16384 2 - Live 0xffffffffc0000000\n");
	fx_load(&fx, "mg_buggy", FX_MOD, FX_TEXT, FX_TEXT_SIZE, 1);
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "holder/unattributed note");
	CHECK_STR(item(&ev, 0)->note, "taken before modguardd started");
	CHECK_U64(item(&ev, 0)->count, 2);
	CHECK_INT(item(&ev, 1)->type, MG_ITEM_NOTE);
	CHECK_STR(item(&ev, 1)->note,
		  "loaded before modguardd started: callbacks it armed before "
		  "tracking_since are invisible");
	CHECK_INT(ev.verdict, MG_VERDICT_BUSY);
	CHECK_INT(mg_evidence_nrefs(&ev), 1);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void module_the_table_does_not_know(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_set_modules(&fx, "mg_new 8192 0 - Loading 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_new", &ev), 0);
	CHECK_STR(ev.state, "coming");
	CHECK(!ev.have_text);
	CHECK_U64(ev.tracking_since_ns, FX_START_NS);
	/* not live: when in doubt, refuse */
	CHECK_INT(ev.verdict, MG_VERDICT_BUSY);
	CHECK_STR(order(&ev), "note");
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void scan_failure_is_unknown(void)
{
	struct mg_evidence ev;
	const struct mg_ref *r;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	mg_stub.scan_err = -EIO;
	mg_daemon_rescan(&fx.d);
	CHECK_INT(fx.d.scan_err, -EIO);
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_INT(ev.verdict, MG_VERDICT_BUSY);
	CHECK_INT(ev.in.unknown_tasks, 1);
	CHECK_INT(ev.nitems, 1);
	r = item(&ev, 0);
	CHECK_INT(r->type, MG_ITEM_NOTE);
	CHECK_STR(r->note, "the task scan failed: tasks inside the module are "
			   "unknown");
	CHECK_INT(mg_evidence_nrefs(&ev), 0);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void gone_module_lists_what_is_left(void)
{
	struct mg_evidence ev;
	struct mg_module *m;

	fx_init(&fx);
	fx_everything(&fx);
	mg_stub_mark_left(FX_MOD);
	/* armed after the exit, by a successor at the same address */
	mg_stub_arm(0x77, FX_MOD, MG_KIND_TIMER, FX_FN_TIMER);
	fx_module_free(&fx, FX_MOD, 1, "rmmod");
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m != NULL && m->state == MG_MOD_GONE);
	if (!m)
		return;
	CHECK_INT(mg_evidence_of_gone(&fx.d, m, &ev), 0);
	CHECK(ev.gone && ev.in.gone);
	CHECK_STR(ev.state, "gone");
	CHECK_U64(ev.gone_ns, FX_START_NS + 60 * FX_SEC);
	CHECK_INT(ev.verdict, MG_VERDICT_STALE);
	/*
	 * left behind only, then the tasks still inside (not 404, whose
	 * stack nothing could read: no evidence against a gone module), then
	 * open files
	 */
	CHECK_STR(order(&ev), "timer/150 hrtimer/150 work/150 fops/150 "
			      "rcu/150 kthread/400 work/401 task/402 task/403 "
			      "file/300");
	CHECK_INT(mg_evidence_left(&ev), 5 + 2 + 1 + 1 + 1);
	mg_evidence_free(&ev);

	/* a new module at its address: its tasks and files are not ours */
	mg_stub_set_reused(FX_MOD);
	CHECK_INT(mg_evidence_of_gone(&fx.d, m, &ev), 0);
	CHECK_STR(order(&ev), "timer/150 hrtimer/150 work/150 fops/150 rcu/150");
	CHECK_INT(mg_evidence_left(&ev), 5);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void gone_with_nothing_left_is_clean(void)
{
	struct mg_module m;
	struct mg_evidence ev;

	fx_init(&fx);
	memset(&m, 0, sizeof(m));
	m.addr = FX_MOD;
	m.state = MG_MOD_GONE;
	snprintf(m.name, sizeof(m.name), "mg_buggy");
	/* still armed but not marked left: a successor's */
	fx_arm_timer(FX_OBJ_TIMER);
	CHECK_INT(mg_evidence_of_gone(&fx.d, &m, &ev), 0);
	CHECK_INT(ev.nitems, 0);
	CHECK_INT(mg_evidence_left(&ev), 0);
	CHECK_INT(ev.verdict, MG_VERDICT_CLEAN);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void same_evidence_twice(void)
{
	struct mg_evidence a, b;

	everything(&a);
	/* a new scan finds the same; the time it was taken does not count */
	mg_daemon_rescan(&fx.d);
	fx.d.start_ns += FX_SEC;
	CHECK_INT(of_kmod("mg_buggy", &b), 0);
	CHECK(mg_evidence_same(&a, &b));
	CHECK(mg_evidence_same(&b, &a));
	mg_evidence_free(&b);

	/* one more reference: news */
	mg_stub_open_file(FX_MOD, FX_FN_OPEN, MG_MKDEV(10, 58));
	CHECK_INT(of_kmod("mg_buggy", &b), 0);
	CHECK(!mg_evidence_same(&a, &b));
	mg_evidence_free(&b);
	fx.d.tasks[0].stack[0]++; /* nothing else changed but a frame */
	mg_stub.nfiles--;
	CHECK_INT(of_kmod("mg_buggy", &b), 0);
	CHECK(!mg_evidence_same(&a, &b));
	mg_evidence_free(&b);
	mg_evidence_free(&a);
	fx_fini(&fx);
}

static void same_evidence_but_verdict_or_count(void)
{
	struct mg_evidence a, b;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_arm_timer(FX_OBJ_TIMER);
	mg_daemon_rescan(&fx.d);
	CHECK_INT(of_kmod("mg_buggy", &a), 0);
	CHECK_INT(a.verdict, MG_VERDICT_CLEAN);
	/* the verdict changes with nothing listed: a module going away */
	fx_set_modules(&fx, "mg_buggy 16384 0 - Unloading 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_buggy", &b), 0);
	CHECK_INT(b.verdict, MG_VERDICT_BUSY);
	CHECK_INT(b.nitems, a.nitems);
	CHECK(!mg_evidence_same(&a, &b));
	mg_evidence_free(&b);
	/* a foreign caller comes in */
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	mg_stub_task(402, "cat", FX_MOD, FX_FN_READ + 0x10);
	mg_daemon_rescan(&fx.d);
	CHECK_INT(of_kmod("mg_buggy", &b), 0);
	CHECK_INT(b.verdict, MG_VERDICT_BUSY);
	CHECK(!mg_evidence_same(&a, &b));
	mg_evidence_free(&b);
	mg_evidence_free(&a);
	fx_fini(&fx);
}

/* b: a deep copy of a (its items and notes its own) */
static void copy_evidence(struct mg_evidence *b, const struct mg_evidence *a)
{
	*b = *a;
	b->items = calloc(a->nitems ? a->nitems : 1, sizeof(*b->items));
	if (!b->items)
		abort();
	memcpy(b->items, a->items, a->nitems * sizeof(*b->items));
	b->cap = a->nitems;
	for (size_t i = 0; i < a->nitems; i++)
		if (a->items[i].note)
			b->items[i].note = strdup(a->items[i].note);
}

/* each thing a client is shown, changed alone, is news */
static void same_compares_what_a_client_sees(void)
{
	struct mg_evidence a, b;

	everything(&a);
#define DIFFERS(change)                                                 \
	do {                                                            \
		copy_evidence(&b, &a);                                  \
		CHECK(mg_evidence_same(&a, &b));                        \
		change;                                                 \
		if (mg_evidence_same(&a, &b))                           \
			check_fail(__FILE__, __LINE__, "same after %s", \
				   #change);                            \
		mg_evidence_free(&b);                                   \
	} while (0)
	DIFFERS(b.verdict = MG_VERDICT_CLEAN);
	DIFFERS(b.refcnt = 5);
	DIFFERS(b.gone = 1);
	DIFFERS(strcpy(b.state, "going"));
	DIFFERS(strcpy(b.name, "mg_buggz"));
	DIFFERS(strcpy(b.holders, "mg_dep,mg_x"));
	DIFFERS(b.nitems--);
	/* items[1]: the holder at chrdev_open; 3 the timer; 8 the kthread */
	DIFFERS(b.items[1].count++);
	DIFFERS(b.items[1].pid++);
	DIFFERS(b.items[1].tid++);
	DIFFERS(b.items[1].site++);
	DIFFERS(b.items[1].since_ns++);
	DIFFERS(b.items[1].comm[0] = 'x');
	DIFFERS(b.items[1].has |= MG_REF_DEVICE);
	DIFFERS(b.items[1].kind = "task");
	DIFFERS(b.items[3].func++);
	DIFFERS(b.items[3].object++);
	DIFFERS(b.items[3].expires++);
	DIFFERS(b.items[3].expires_unit = MG_EXPIRES_NS);
	DIFFERS(b.items[2].dev++);
	DIFFERS(b.items[8].threadfn++);
	DIFFERS(b.items[8].nstack--);
	DIFFERS(b.items[10].stack[1]++);
	DIFFERS(b.items[5].note[0] = 'D');
	DIFFERS(free(b.items[5].note); b.items[5].note = NULL);
	DIFFERS(b.items[15].label = "dependent modules");
	DIFFERS(b.items[0].type = MG_ITEM_NOTE);
#undef DIFFERS
	/* what is not shown as news: when it was taken, what it was on */
	copy_evidence(&b, &a);
	b.tracking_since_ns++;
	b.in.own_pointers++;
	strcpy(b.srcversion, "OTHER");
	CHECK(mg_evidence_same(&a, &b));
	mg_evidence_free(&b);
	mg_evidence_free(&a);
	fx_fini(&fx);
}

static void failing_dumps_leave_items_out(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_everything(&fx);
	mg_stub.armed_err = -EIO;
	mg_stub.files_err = -EIO;
	mg_stub.callers_err = -EIO;
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	/* the kprobe count still says 4 callers */
	CHECK_STR(order(&ev),
		  "holder/202 holder/201 kthread/400 work/401 task/402 task/403 "
		  "task/404 task/owner-less file operations holder/unattributed "
		  "holder/dependent modules");
	CHECK_U64(item(&ev, 7)->count, 4);
	CHECK_INT(ev.verdict, MG_VERDICT_BUSY);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void kind_names(void)
{
	CHECK_STR(mg_kind_name(MG_KIND_HOLDER), "holder");
	CHECK_STR(mg_kind_name(MG_KIND_TASK), "task");
	CHECK_STR(mg_kind_name(MG_KIND_KTHREAD), "kthread");
	CHECK_STR(mg_kind_name(MG_KIND_TIMER), "timer");
	CHECK_STR(mg_kind_name(MG_KIND_HRTIMER), "hrtimer");
	CHECK_STR(mg_kind_name(MG_KIND_WORK), "work");
	CHECK_STR(mg_kind_name(MG_KIND_TASKLET), "tasklet");
	CHECK_STR(mg_kind_name(MG_KIND_RCU), "rcu");
	CHECK_STR(mg_kind_name(MG_KIND_NOTIFIER), "notifier");
	CHECK_STR(mg_kind_name(MG_KIND_FOPS), "fops");
	CHECK_STR(mg_kind_name(MG_KIND_NF_HOOK), "nf_hook");
	CHECK_STR(mg_kind_name(MG_KIND_KTHREAD_WORK), "kthread_work");
	CHECK_STR(mg_kind_name(MG_KIND_FILESYSTEM), "filesystem");
	CHECK_STR(mg_kind_name(MG_KIND_IRQ), "irq");
	CHECK_STR(mg_kind_name(MG_KIND_SRCU), "srcu");
	CHECK_STR(mg_kind_name(MG_KIND_MAX), "unknown");
	CHECK_STR(mg_kind_name(12345), "unknown");
	/* every ledger kind says what the exit should have called */
	for (uint32_t k = MG_KIND_TIMER; k < MG_KIND_MAX; k++)
		CHECK(mg_kind_hint(k, 0) && *mg_kind_hint(k, 0));
	CHECK_STR(mg_kind_hint(MG_KIND_WORK, MG_ARMF_DWORK),
		  "cancel_delayed_work_sync()");
	CHECK(strstr(mg_kind_hint(MG_KIND_KTHREAD_WORK, MG_ARMF_DWORK),
		     "kthread_cancel_delayed_work_sync()"));
	CHECK_STR(mg_kind_hint(MG_KIND_FILESYSTEM, 0), "unregister_filesystem()");
	CHECK(mg_kind_hint(MG_KIND_HOLDER, 0) == NULL);
	CHECK(mg_kind_hint(MG_KIND_MAX, 0) == NULL);
}

/*
 * a get read after the resync whose put was lost: once events were lost,
 * the holders are cut to the kernel's count when shown; before any loss a
 * holder beyond it is a put not yet read, and stays
 */
static void holders_beyond_the_count_after_a_loss(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_ref_get(&fx, FX_MOD, FX_K_CHRDEV_OPEN + 0x10, 200, "sh", 1, 2);
	/* the kernel says 0 users: the put is lost or not read yet */
	fx_set_modules(&fx, "mg_buggy 16384 0 - Live 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "holder/200");
	mg_evidence_free(&ev);
	fx.d.lost_seen = 5;
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "");
	CHECK_INT(fx.d.resyncs, 1);
	mg_evidence_free(&ev);
	fx_fini(&fx);
}

static void held(size_t i, uint64_t mod, uint64_t site, uint32_t pid,
		 uint64_t ts_ns)
{
	struct mg_ref_event *r = &mg_stub.held[i];

	memset(r, 0, sizeof(*r));
	r->e.type = MG_EV_REF_GET;
	r->e.kind = MG_REFF_HELD;
	r->e.mod = mod;
	r->e.ref.site = site;
	r->e.pid = r->e.tgid = pid;
	r->e.ts_ns = ts_ns;
	snprintf(r->e.comm, sizeof(r->e.comm), "held%u", pid);
	mg_stub.nheld = i + 1;
}

/*
 * Gets held in threads' slots (bpf/module_refs.bpf.c) fill the count the
 * listed holders leave, newest first; another module's, or one from
 * before this module was loaded at its address, never.
 */
static void held_refs_fill_the_count(void)
{
	struct mg_evidence ev;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	fx_ref_get(&fx, FX_MOD, FX_K_CHRDEV_OPEN + 0x10, 200, "sh", 2, 2);
	held(0, FX_MOD, FX_TEXT + 0x10, 301, FX_START_NS + 4 * FX_SEC);
	held(1, FX_MOD, FX_TEXT + 0x20, 300, FX_START_NS + 5 * FX_SEC);
	held(2, 0xffffffffc0990000ull, FX_TEXT + 0x30, 302,
	     FX_START_NS + 6 * FX_SEC);
	held(3, FX_MOD, FX_TEXT + 0x40, 303, FX_START_NS - FX_SEC);
	/* one listed holder covers the only user: the slots are not read */
	fx_set_modules(&fx, "mg_buggy 16384 1 - Live 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "holder/200");
	CHECK_INT(mg_stub.held_scan_calls, 0);
	mg_evidence_free(&ev);
	/* room for one more: the newest held one */
	fx_set_modules(&fx, "mg_buggy 16384 2 - Live 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "holder/300 holder/200");
	CHECK_INT(mg_stub.held_scan_calls, 1);
	CHECK_STR(item(&ev, 0)->source, "traced");
	CHECK_STR(item(&ev, 0)->comm, "held300");
	mg_evidence_free(&ev);
	/* room for more than there are: the rest stays unattributed */
	fx_set_modules(&fx, "mg_buggy 16384 5 - Live 0xffffffffc0000000\n");
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "holder/301 holder/300 holder/200 holder/unattributed");
	CHECK_INT(item(&ev, 3)->count, 2);
	mg_evidence_free(&ev);
	/* the slots could not be read: said, and nothing invented */
	fx.d.held_fresh = 0;
	mg_stub.held_scan_err = -EIO;
	CHECK_INT(of_kmod("mg_buggy", &ev), 0);
	CHECK_STR(order(&ev), "note holder/200 holder/unattributed");
	mg_evidence_free(&ev);
	mg_stub.held_scan_err = 0;
	mg_stub.nheld = 0;
	fx_fini(&fx);
}

int main(void)
{
	RUN(holders_beyond_the_count_after_a_loss);
	RUN(held_refs_fill_the_count);
	RUN(everything_in_report_order);
	RUN(holders_grouped_by_call_site);
	RUN(ledger_entries);
	RUN(files_tasks_and_callers);
	RUN(clean_with_only_its_own_callbacks);
	RUN(preloaded_module);
	RUN(module_the_table_does_not_know);
	RUN(scan_failure_is_unknown);
	RUN(gone_module_lists_what_is_left);
	RUN(gone_with_nothing_left_is_clean);
	RUN(same_evidence_twice);
	RUN(same_evidence_but_verdict_or_count);
	RUN(same_compares_what_a_client_sees);
	RUN(failing_dumps_leave_items_out);
	RUN(kind_names);
	return check_done();
}
