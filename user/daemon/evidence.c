// SPDX-License-Identifier: GPL-2.0
/* The evidence about one module, built in one place: see evidence.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "held_refs.h"
#include "resync.h"
#include "task_class.h"

static struct mg_ref *add_item(struct mg_evidence *ev, enum mg_item_type type,
			       const char *kind)
{
	struct mg_ref *r;

	if (ev->nitems == ev->cap) {
		size_t ncap = ev->cap ? 2 * ev->cap : 16;
		struct mg_ref *n = realloc(ev->items, ncap * sizeof(*n));

		if (!n) {
			ev->oom = 1;
			return NULL;
		}
		ev->items = n;
		ev->cap = ncap;
	}
	r = &ev->items[ev->nitems++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->kind = kind;
	return r;
}

static struct mg_ref *add_ref(struct mg_evidence *ev, const char *kind)
{
	return add_item(ev, MG_ITEM_REF, kind);
}

static void set_note(struct mg_evidence *ev, struct mg_ref *r, const char *text)
{
	if (!r)
		return;
	r->note = strdup(text);
	if (!r->note)
		ev->oom = 1;
}

static void add_note(struct mg_evidence *ev, const char *text)
{
	set_note(ev, add_item(ev, MG_ITEM_NOTE, NULL), text);
}

static void set_comm(struct mg_ref *r, const char *comm)
{
	memcpy(r->comm, comm, MG_COMM_LEN);
	r->comm[MG_COMM_LEN] = '\0';
}

/*
 * Holders, one item per call site with its balance: the pid and comm of
 * the newest taker still holding.
 */
static size_t holders(struct mg_evidence *ev, const struct mg_holder *hs,
		      size_t n)
{
	char *seen = calloc(n ? n : 1, 1);
	size_t done = 0;

	if (!seen) {
		ev->oom = 1;
		return 0;
	}
	for (size_t i = n; i-- > 0;) {
		const struct mg_holder *h = &hs[i];
		struct mg_ref *r;
		size_t count = 0;

		if (seen[i])
			continue;
		for (size_t j = 0; j <= i; j++) {
			if (hs[j].site == h->site) {
				seen[j] = 1;
				count++;
			}
		}
		done += count;
		r = add_ref(ev, "holder");
		if (!r)
			break;
		r->func = r->site = h->site;
		r->pid = h->tgid;
		r->tid = h->pid;
		set_comm(r, h->comm);
		r->count = count;
		r->since_ns = h->ts_ns;
		r->has = MG_REF_SITE | MG_REF_PID | MG_REF_TID | MG_REF_COUNT |
			 MG_REF_SINCE;
		r->source = "traced";
		if (h->nstack) {
			r->nstack = h->nstack;
			memcpy(r->stack, h->stack, h->nstack * sizeof(r->stack[0]));
			r->has |= MG_REF_STACK;
		}
	}
	free(seen);
	return done;
}

/*
 * m's holders to show: the listed ones and, while the kernel counts more,
 * the gets threads still hold in their slots (held_refs.h).  Returns
 * m->holders itself or a malloc'd array (*owned set), NULL on failure.
 */
static const struct mg_holder *shown_holders(struct mg_daemon *d,
					     struct mg_evidence *ev,
					     const struct mg_module *m,
					     int refcnt, size_t *n, int *owned)
{
	struct mg_holder *all;

	*n = m->nholders;
	*owned = 0;
	if (refcnt <= 0 || (size_t)refcnt <= m->nholders)
		return m->holders;
	mg_daemon_scan_held_refs(d);
	if (d->held_scan_err) {
		add_note(ev, "the threads' held references could not be read: "
			     "some references are not attributed");
		return m->holders;
	}
	if (!d->nheld_refs)
		return m->holders;
	all = calloc(m->nholders + d->nheld_refs, sizeof(*all));
	if (!all) {
		ev->oom = 1;
		return m->holders;
	}
	*n = mg_held_refs_pick(m, refcnt, d->held_refs, d->nheld_refs, all);
	*owned = 1;
	return all;
}

static const char *const kind_names[MG_KIND_MAX] = {
	[MG_KIND_HOLDER] = "holder",   [MG_KIND_TASK] = "task",
	[MG_KIND_KTHREAD] = "kthread", [MG_KIND_TIMER] = "timer",
	[MG_KIND_HRTIMER] = "hrtimer", [MG_KIND_WORK] = "work",
	[MG_KIND_TASKLET] = "tasklet", [MG_KIND_RCU] = "rcu",
	[MG_KIND_NOTIFIER] = "notifier", [MG_KIND_FOPS] = "fops",
	[MG_KIND_NF_HOOK] = "nf_hook", [MG_KIND_KTHREAD_WORK] = "kthread_work",
	[MG_KIND_FILESYSTEM] = "filesystem", [MG_KIND_IRQ] = "irq",
	[MG_KIND_SRCU] = "srcu",
};

const char *mg_kind_name(uint32_t kind)
{
	return kind < MG_KIND_MAX ? kind_names[kind] : "unknown";
}

/*
 * What the module's exit should have called for a ledger entry of this
 * kind, for the developer reading a stale unload (delayed work and
 * owner-less registrations have their own).
 */
static const char *const kind_hints[MG_KIND_MAX] = {
	[MG_KIND_TIMER] = "del_timer_sync() (timer_shutdown_sync() since 6.2)",
	[MG_KIND_HRTIMER] = "hrtimer_cancel()",
	[MG_KIND_WORK] = "cancel_work_sync(), or flush/destroy_workqueue()",
	[MG_KIND_TASKLET] = "tasklet_kill()",
	[MG_KIND_RCU] = "rcu_barrier() after the last call_rcu()",
	[MG_KIND_NOTIFIER] = "unregister_*_notifier() matching its "
			     "register_*_notifier()",
	[MG_KIND_FOPS] = "set .owner = THIS_MODULE, and misc_deregister(), "
			 "cdev_del() or proc_remove() at exit",
	[MG_KIND_NF_HOOK] = "nf_unregister_net_hook(s)() for each namespace "
			    "it registered in",
	[MG_KIND_KTHREAD_WORK] = "kthread_cancel_work_sync(), or "
				 "kthread_flush_worker() and "
				 "kthread_destroy_worker()",
	[MG_KIND_FILESYSTEM] = "unregister_filesystem()",
	[MG_KIND_IRQ] = "free_irq() (devm_free_irq() for a devm_ request)",
	[MG_KIND_SRCU] = "srcu_barrier() after the last call_srcu(), then "
			 "cleanup_srcu_struct()",
};

const char *mg_kind_hint(uint32_t kind, uint32_t flags)
{
	if (kind == MG_KIND_WORK && (flags & MG_ARMF_DWORK))
		return "cancel_delayed_work_sync()";
	if (kind == MG_KIND_KTHREAD_WORK && (flags & MG_ARMF_DWORK))
		return "kthread_cancel_delayed_work_sync(), then "
		       "kthread_destroy_worker()";
	return kind < MG_KIND_MAX ? kind_hints[kind] : NULL;
}

/* one ledger entry: a callback or registration pointing into the module */
static void armed_ref(struct mg_daemon *d, struct mg_evidence *ev, uint64_t obj,
		      const struct mg_armed_info *a)
{
	struct mg_ref *r = add_ref(ev, mg_kind_name(a->kind));

	if (!r)
		return;
	if (a->kind == MG_KIND_FILESYSTEM || a->kind == MG_KIND_IRQ)
		mg_bpf_reg_name(d->bpf, obj, r->name, sizeof(r->name));
	r->func = a->func;
	r->site = a->site;
	r->pid = a->tgid;
	set_comm(r, a->comm);
	r->since_ns = a->ts_ns;
	r->object = a->kind == MG_KIND_NF_HOOK ? mg_nf_hook_key(obj, a->expires)
					       : obj;
	r->has = MG_REF_PID | MG_REF_SINCE | MG_REF_OBJECT |
		 (a->flags & MG_ARMF_SITE_INIT ? MG_REF_SITE_INIT : MG_REF_SITE);
	r->hint = mg_kind_hint(a->kind, a->flags);
	if (a->kind == MG_KIND_TIMER || a->kind == MG_KIND_HRTIMER) {
		r->expires = a->expires;
		r->expires_unit = a->kind == MG_KIND_TIMER ? MG_EXPIRES_JIFFIES
							   : MG_EXPIRES_NS;
	}
	if (a->flags & MG_ARMF_DWORK)
		set_note(ev, r, "delayed work, its timer pending");
	else if (a->kind == MG_KIND_FOPS)
		set_note(ev, r, "registered without .owner: an open file does "
				"not pin the module");
	else if (a->kind == MG_KIND_RCU)
		set_note(ev, r, "queued by call_rcu(); gone after a later "
				"rcu_barrier()");
	else if (a->kind == MG_KIND_SRCU)
		set_note(ev, r, "queued by call_srcu(); gone after a later "
				"srcu_barrier() on its domain");
}

/*
 * The module's entries in the callback ledger.  left_only: for a gone
 * module, only what the kernel side marked as left behind when its exit
 * returned; a new module may already sit at the same struct module
 * address and arm callbacks of its own.
 */
static size_t armed(struct mg_daemon *d, struct mg_evidence *ev,
		    struct mg_module *m, int left_only)
{
	struct mg_armed_info *infos;
	uint64_t *objs;
	size_t n, count = 0;

	if (mg_bpf_armed(d->bpf, &objs, &infos, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (infos[i].mod != m->addr ||
		    (left_only && !(infos[i].flags & MG_ARMF_LEFT)))
			continue;
		armed_ref(d, ev, objs[i], &infos[i]);
		count++;
	}
	free(objs);
	free(infos);
	return count;
}

/* a caller the kernel did not count: the fix is to make it count */
#define TASK_HINT "an .owner = THIS_MODULE on the ops it came through " \
		  "(or try_module_get()/module_put() around the call)"

static const char *task_note(const struct mg_task_record *t,
			     enum mg_task_class c)
{
	if (mg_task_unread(t))
		return "a kretprobe return (another tool's) is pending in it "
		       "and its stack could not be read: it may be inside; retry";
	if (t->flags & MG_TASKF_RETHOOK)
		return "a kretprobe return (another tool's) is pending in it, "
		       "so its stack was not unwound; a raw scan of it found "
		       "the module's text; retry";
	if (t->flags & MG_TASKF_RUNNING)
		return "running on a CPU: its stack cannot be trusted; retry";
	if (c == MG_TASK_WORKER)
		return "a worker running the module's code";
	if (c != MG_TASK_OWN_KTHREAD)
		return "a caller inside the module's text";
	return NULL;
}

/*
 * Tasks inside the module's text, from the latest scan, classified by
 * mg_task_classify(): its own kthreads and workers count as its own
 * pointers (a correct exit stops or flushes them), a task whose stack
 * could not be trusted as unknown ("retry", never "not inside"), anything
 * else as a foreign caller the exit cannot undo.
 */
static void tasks(struct mg_daemon *d, struct mg_evidence *ev,
		  struct mg_module *m)
{
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct mg_task_record *t = &d->tasks[i];
		enum mg_task_class c = mg_task_classify(t, m->addr);
		const char *note;
		struct mg_ref *r;

		/*
		 * A task nothing could read may be inside a live module (when
		 * in doubt, busy), but is no evidence that a gone one left
		 * anything behind: a stale record quarantines the build.
		 */
		if (ev->gone && mg_task_unread(t))
			continue;
		switch (c) {
		case MG_TASK_ELSEWHERE:
			continue;
		case MG_TASK_OWN_KTHREAD:
		case MG_TASK_WORKER:
			ev->in.own_pointers++;
			break;
		case MG_TASK_UNTRUSTED:
			ev->in.unknown_tasks++;
			break;
		case MG_TASK_FOREIGN:
			ev->in.foreign_tasks++;
			break;
		}
		r = add_ref(ev, c == MG_TASK_OWN_KTHREAD ? "kthread"
				: c == MG_TASK_WORKER
					? (mg_task_is_kthread_worker(t)
						   ? "kthread_work"
						   : "work")
					: "task");
		if (!r)
			return;
		r->func = t->frame ? t->frame : t->threadfn;
		r->pid = t->tgid;
		r->tid = t->pid;
		set_comm(r, t->comm);
		r->has = MG_REF_PID | MG_REF_TID | MG_REF_STACK;
		if (c == MG_TASK_OWN_KTHREAD) {
			r->threadfn = t->threadfn;
			r->has |= MG_REF_THREADFN;
		}
		note = task_note(t, c);
		if (note)
			set_note(ev, r, note);
		if (c == MG_TASK_OWN_KTHREAD)
			r->hint = "kthread_stop()";
		else if (c == MG_TASK_WORKER)
			r->hint = mg_kind_hint(mg_task_is_kthread_worker(t)
						       ? MG_KIND_KTHREAD_WORK
						       : MG_KIND_WORK, 0);
		else if (c == MG_TASK_FOREIGN)
			r->hint = TASK_HINT;
		r->nstack = t->nstack < MG_STACK_DEPTH ? t->nstack : MG_STACK_DEPTH;
		memcpy(r->stack, t->stack, r->nstack * sizeof(r->stack[0]));
	}
}

/* did the latest task scan list thread tid for mod? */
static int scan_listed(const struct mg_daemon *d, uint64_t mod, uint32_t tid)
{
	for (size_t i = 0; i < d->ntasks; i++)
		if (d->tasks[i].pid == tid && d->tasks[i].mod == mod)
			return 1;
	return 0;
}

/*
 * Callers counted at the owner-less entry points (bpf/inflight.bpf.c):
 * seen whether they run or sleep, even when their stacks cannot be
 * unwound.  Those the scan already listed are not listed twice; a count
 * the per-thread table could not hold is given as a bare count.
 */
static void callers(struct mg_daemon *d, struct mg_evidence *ev,
		    struct mg_module *m)
{
	int64_t inflight = mg_bpf_inflight(d->bpf, m->addr);
	struct mg_thread_calls *c;
	uint32_t *tids;
	size_t n, seen = 0;
	struct mg_ref *r;

	if (!mg_bpf_callers(d->bpf, m->addr, &tids, &c, &n)) {
		for (size_t i = 0; i < n; i++) {
			seen++;
			if (scan_listed(d, m->addr, tids[i]))
				continue;
			ev->in.foreign_tasks++;
			r = add_ref(ev, "task");
			if (!r)
				break;
			r->label = "owner-less file operations";
			r->pid = c[i].tgid;
			r->tid = tids[i];
			set_comm(r, c[i].comm);
			r->since_ns = c[i].since_ns;
			r->has = MG_REF_PID | MG_REF_TID | MG_REF_SINCE;
			set_note(ev, r, "inside an owner-less fops function: "
					"counted from its entry until the "
					"thread returns to user space");
			r->hint = TASK_HINT;
		}
		free(tids);
		free(c);
	}
	if (inflight > 0 && (size_t)inflight > seen) {
		ev->in.foreign_tasks += (size_t)inflight - seen;
		r = add_ref(ev, "task");
		if (!r)
			return;
		r->label = "owner-less file operations";
		r->count = (uint64_t)inflight - seen;
		r->has = MG_REF_COUNT;
		set_note(ev, r, "callers inside an owner-less fops function, "
				"counted by its kprobes");
		r->hint = TASK_HINT;
	}
}

/*
 * Files open on the module's owner-less devices: each is a reference the
 * kernel does not count (.owner would have), with who opened it.
 */
static void open_files(struct mg_daemon *d, struct mg_evidence *ev,
		       struct mg_module *m)
{
	struct mg_open_file *f;
	struct mg_ref *r;
	size_t n;

	if (mg_bpf_open_files(d->bpf, m->addr, &f, &n))
		return;
	ev->in.open_files += n;
	for (size_t i = 0; i < n; i++) {
		r = add_ref(ev, "file");
		if (!r)
			break;
		r->func = f[i].func;
		r->pid = f[i].tgid;
		r->tid = f[i].pid;
		set_comm(r, f[i].comm);
		r->dev = f[i].dev;
		r->since_ns = f[i].ts_ns;
		r->has = MG_REF_PID | MG_REF_TID | MG_REF_DEVICE | MG_REF_SINCE;
		set_note(ev, r, "open on a device registered without .owner: "
				"its next call enters the module");
		r->hint = mg_kind_hint(MG_KIND_FOPS, 0);
	}
	free(f);
}

static const char *scan_label(uint32_t via)
{
	switch (via) {
	case MG_SCAN_FILE:
		return "open file";
	case MG_SCAN_BDEV:
		return "open block device";
	case MG_SCAN_SOCKET:
		return "socket";
	case MG_SCAN_MOUNT:
		return "mount";
	case MG_SCAN_MOUNT_BDEV:
		return "mount of its block device";
	}
	return "object";
}

static void scan_ref(struct mg_evidence *ev, const struct mg_scan_holder *h,
		     uint32_t count)
{
	int mount = h->via == MG_SCAN_MOUNT || h->via == MG_SCAN_MOUNT_BDEV;
	struct mg_ref *r = add_ref(ev, "holder");

	if (!r)
		return;
	r->label = scan_label(h->via);
	r->source = "scan";
	r->count = count;
	r->object = h->object;
	r->has = MG_REF_COUNT | MG_REF_OBJECT;
	if (!mount) {
		r->pid = h->tgid;
		r->tid = h->pid;
		set_comm(r, h->comm);
		r->fd = h->fd;
		r->has |= MG_REF_PID | MG_REF_TID | MG_REF_FD;
	}
	if (h->dev) {
		r->dev = h->dev;
		r->has |= MG_REF_DEVICE;
	}
	r->path_key = mount ? "mount_point" : "path";
	if (h->flags & MG_SCANF_INTERNAL)
		snprintf(r->path, sizeof(r->path), "(kernel-internal mount)");
	else if (h->flags & MG_SCANF_UNMOUNTED)
		snprintf(r->path, sizeof(r->path), "(not mounted)");
	else if (h->path[0])
		snprintf(r->path, sizeof(r->path), "%s%.250s",
			 h->flags & MG_SCANF_PATH_CUT ? "..." : "", h->path);
	else
		r->path_key = NULL;
}

/*
 * The references the tracked holders leave unexplained that the kernel's
 * own state explains (holder_scan.h): up to budget of them, by count.
 * Returns how many references they account for.
 */
static uint64_t scanned(struct mg_daemon *d, struct mg_evidence *ev,
			const struct mg_module *m, const struct mg_holder *hs,
			size_t nhs, uint64_t budget)
{
	uint32_t *tgids = NULL, *counts = NULL;
	size_t *picks = NULL, n;
	uint64_t done = 0;

	if (!budget)
		return 0;
	mg_daemon_scan_holders(d, 0);
	if (d->holder_scan_err) {
		add_note(ev, "the holder scan failed: references taken before "
			     "modguardd started are not attributed");
		return 0;
	}
	if (!d->nscan_holders)
		return 0;
	tgids = calloc(nhs ? nhs : 1, sizeof(*tgids));
	picks = calloc(d->nscan_holders, sizeof(*picks));
	counts = calloc(d->nscan_holders, sizeof(*counts));
	if (!tgids || !picks || !counts) {
		ev->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < nhs; i++)
		tgids[i] = hs[i].tgid;
	n = mg_holder_scan_pick(d->scan_holders, d->nscan_holders, m->addr,
				budget, &d->holders_at_start, tgids, nhs, picks,
				counts);
	for (size_t i = 0; i < n; i++) {
		scan_ref(ev, &d->scan_holders[picks[i]], counts[i]);
		done += counts[i];
	}
out:
	free(tgids);
	free(picks);
	free(counts);
	return done;
}

static void counted_ref(struct mg_evidence *ev, const char *label,
			uint64_t count, const char *note)
{
	struct mg_ref *r = add_ref(ev, "holder");

	if (!r)
		return;
	r->label = label;
	if (count) {
		r->count = count;
		r->has = MG_REF_COUNT;
	}
	set_note(ev, r, note);
}

static void header(struct mg_evidence *ev, const char *name,
		   const struct mg_module *m)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	if (m) {
		ev->have_text = 1;
		ev->text_start = m->text_start;
		ev->text_size = m->text_size;
		ev->tracking_since_ns = m->tracking_since_ns;
	}
}

int mg_evidence_of_kmod(struct mg_daemon *d, const struct mg_kmod *k,
			struct mg_evidence *ev)
{
	struct mg_module *m = mg_table_find_name(&d->table, k->name);
	const struct mg_holder *hs = NULL;
	size_t attributed = 0, nhs = 0;
	int hs_owned = 0;

	if (m && m->state == MG_MOD_GONE)
		m = NULL; /* a stale entry under a reused name: not this one */
	header(ev, k->name, m);
	if (!m)
		ev->tracking_since_ns = d->start_ns;
	snprintf(ev->state, sizeof(ev->state), "%s", k->state);
	snprintf(ev->srcversion, sizeof(ev->srcversion), "%s", k->srcversion);
	snprintf(ev->build, sizeof(ev->build), "%s", k->build);
	snprintf(ev->holders, sizeof(ev->holders), "%s", k->holders);
	ev->refcnt = k->refcnt;
	if (m) {
		mg_resync_module(d, m, k->refcnt);
		hs = shown_holders(d, ev, m, k->refcnt, &nhs, &hs_owned);
		attributed = holders(ev, hs, nhs);
		open_files(d, ev, m);
		ev->in.own_pointers += armed(d, ev, m, 0);
		tasks(d, ev, m);
		callers(d, ev, m);
	}
	if (d->scan_err) {
		/* when in doubt, refuse: unseen tasks might be inside */
		ev->in.unknown_tasks++;
		add_note(ev, "the task scan failed: tasks inside the module are "
			     "unknown");
	}
	if (m && k->refcnt > 0 && (size_t)k->refcnt > attributed)
		attributed += scanned(d, ev, m, hs, nhs,
				      (uint64_t)k->refcnt - attributed);
	if (hs_owned)
		free((void *)hs);
	if (k->refcnt > 0 && (size_t)k->refcnt > attributed)
		counted_ref(ev, "unattributed", (uint64_t)k->refcnt - attributed,
			    m && !m->preloaded
				    ? "taken where modguard could not see it"
				    : "taken before modguardd started");
	if (k->holders[0])
		counted_ref(ev, "dependent modules", 0, k->holders);
	if (!m || m->preloaded)
		add_note(ev, "loaded before modguardd started: callbacks it "
			     "armed before tracking_since are invisible");
	ev->in.live = !strcmp(k->state, "live");
	ev->in.refcnt = k->refcnt;
	ev->verdict = mg_verdict_decide(&ev->in);
	if (ev->oom) {
		mg_evidence_free(ev);
		return -ENOMEM;
	}
	return 0;
}

int mg_evidence_of_gone(struct mg_daemon *d, struct mg_module *m,
			struct mg_evidence *ev)
{
	header(ev, m->name, m);
	snprintf(ev->state, sizeof(ev->state), "gone");
	ev->gone = 1;
	ev->gone_ns = m->gone_ns;
	ev->in.gone = 1;
	ev->in.own_pointers += armed(d, ev, m, 1);
	/* tasks are matched by address too: not once a successor lives there */
	if (!mg_bpf_module_reused(d->bpf, m->addr)) {
		tasks(d, ev, m);
		open_files(d, ev, m);
	}
	ev->verdict = mg_verdict_decide(&ev->in);
	if (ev->oom) {
		mg_evidence_free(ev);
		return -ENOMEM;
	}
	return 0;
}

void mg_evidence_free(struct mg_evidence *ev)
{
	for (size_t i = 0; i < ev->nitems; i++)
		free(ev->items[i].note);
	free(ev->items);
	ev->items = NULL;
	ev->nitems = ev->cap = 0;
}

size_t mg_evidence_nrefs(const struct mg_evidence *ev)
{
	size_t n = 0;

	for (size_t i = 0; i < ev->nitems; i++)
		n += ev->items[i].type == MG_ITEM_REF;
	return n;
}

size_t mg_evidence_left(const struct mg_evidence *ev)
{
	return ev->in.own_pointers + ev->in.foreign_tasks +
	       ev->in.unknown_tasks + ev->in.open_files;
}

static int str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int ref_same(const struct mg_ref *a, const struct mg_ref *b)
{
	return a->type == b->type && a->has == b->has &&
	       str_eq(a->kind, b->kind) && str_eq(a->label, b->label) &&
	       a->func == b->func && a->site == b->site &&
	       a->object == b->object && a->threadfn == b->threadfn &&
	       a->since_ns == b->since_ns && a->count == b->count &&
	       a->expires == b->expires && a->expires_unit == b->expires_unit &&
	       a->pid == b->pid && a->tid == b->tid && a->dev == b->dev &&
	       !strcmp(a->comm, b->comm) && str_eq(a->note, b->note) &&
	       a->nstack == b->nstack &&
	       !memcmp(a->stack, b->stack, a->nstack * sizeof(a->stack[0])) &&
	       str_eq(a->source, b->source) && a->fd == b->fd &&
	       str_eq(a->path_key, b->path_key) && !strcmp(a->path, b->path);
}

int mg_evidence_same(const struct mg_evidence *a, const struct mg_evidence *b)
{
	if (a->verdict != b->verdict || a->refcnt != b->refcnt ||
	    a->gone != b->gone || strcmp(a->state, b->state) ||
	    strcmp(a->name, b->name) || strcmp(a->holders, b->holders) ||
	    a->nitems != b->nitems)
		return 0;
	for (size_t i = 0; i < a->nitems; i++)
		if (!ref_same(&a->items[i], &b->items[i]))
			return 0;
	return 1;
}
