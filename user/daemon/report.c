// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_view.h"
#include "log.h"
#include "proto.h"
#include "report.h"
#include "task_scan.h"

/* a task whose stack nothing could read: it may be inside any module */
static int task_unread(const struct mg_task_record *t)
{
	return !t->mod && (t->flags & MG_TASKF_UNREAD);
}

/*
 * A task inside mod's text that mod's exit cannot account for: not its own
 * kthread, not a worker running its work (or one that may be anywhere).
 */
static int task_is_foreign(const struct mg_task_record *t, uint64_t mod)
{
	if (task_unread(t))
		return 1;
	if (t->mod != mod || t->threadfn_mod == mod)
		return 0;
	return !((t->flags & MG_TASKF_KTHREAD) && !strncmp(t->comm, "kworker/", 8));
}

void mg_daemon_update_watch(struct mg_daemon *d)
{
	uint32_t pids[256];
	size_t n = 0;

	for (size_t i = 0; i < d->ntasks && n < 256; i++)
		if (task_is_foreign(&d->tasks[i], d->tasks[i].mod))
			pids[n++] = d->tasks[i].pid;
	/* a waiting unload also wants init completions: keep it attached */
	if (!n && d->ops)
		pids[n++] = 0;
	mg_bpf_watch(d->bpf, pids, n);
}

void mg_daemon_rescan(struct mg_daemon *d)
{
	free(d->tasks);
	d->tasks = NULL;
	d->ntasks = 0;
	d->rescan_needed = 0;
	d->scan_err = mg_task_scan(d->bpf, &d->tasks, &d->ntasks);
	if (d->scan_err)
		return;
	/*
	 * What the enforcement refuses on: foreign tasks per module, kept
	 * current by re-scanning whenever one of them moves.
	 */
	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];
		uint32_t busy = 0;

		if (m->state == MG_MOD_GONE)
			continue;
		for (size_t j = 0; j < d->ntasks; j++)
			busy += task_is_foreign(&d->tasks[j], m->addr);
		mg_bpf_set_stack_busy(d->bpf, m->addr, busy);
	}
	mg_daemon_update_watch(d);
}

/* how far past a symbol an address may lie and still be named after it */
#define MG_MAX_SYM_OFF 0x100000

void mg_format_addr(struct mg_daemon *d, uint64_t addr, int show_addrs,
		    char *buf, size_t len)
{
	struct mg_module *m = mg_table_find_text(&d->table, addr);
	struct mg_symtab *t = m ? &m->syms : &d->ksyms;
	char tmp[160];
	int err;

	if (!addr) {
		snprintf(buf, len, "-");
		return;
	}
	if (!t->loaded) {
		err = mg_symtab_load(t, d->kallsyms_path, m ? m->name : NULL);
		if (err)
			mg_dbg("symbolizer: cannot read %s symbols from %s: %s",
			       m ? m->name : "kernel", d->kallsyms_path,
			       strerror(-err));
	}
	if (!mg_symtab_format(t, addr, MG_MAX_SYM_OFF, tmp, sizeof(tmp))) {
		snprintf(buf, len, "%s", tmp);
		return;
	}
	if (show_addrs)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else
		snprintf(buf, len, "?");
}

static void emit(FILE *out, struct mg_line *l)
{
	if (mg_line_finish(l)) {
		mg_warn("report: dropped an oversized %s record", "report");
		return;
	}
	fwrite(l->buf, 1, l->len, out);
}

static double unix_seconds(const struct mg_daemon *d, uint64_t mono_ns)
{
	return (double)mg_unix_ns(d, mono_ns) / 1e9;
}

static void add_seconds(struct mg_line *l, const char *key, double s)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", s);
	mg_line_add_str(l, key, buf);
}

/*
 * Holders, one record per call site with its balance: the pids and comms
 * of the takers still holding, newest first, in the first record's pid/comm.
 */
static size_t emit_holders(struct mg_daemon *d, struct mg_module *m,
			   const struct mg_report_opts *o, FILE *out,
			   struct mg_line *l)
{
	size_t done = 0;
	char *seen = calloc(m->nholders ? m->nholders : 1, 1);
	char site[160];

	if (!seen)
		return 0;
	for (size_t i = m->nholders; i-- > 0;) {
		struct mg_holder *h = &m->holders[i];
		size_t count = 0;

		if (seen[i])
			continue;
		for (size_t j = 0; j <= i; j++) {
			if (m->holders[j].site == h->site) {
				seen[j] = 1;
				count++;
			}
		}
		mg_format_addr(d, h->site, o->show_addrs, site, sizeof(site));
		mg_line_reset(l, "ref");
		mg_line_add_str(l, "kind", "holder");
		mg_line_add_str(l, "function", site);
		mg_line_add_str(l, "site", site);
		mg_line_add_u64(l, "pid", h->tgid);
		mg_line_add_u64(l, "tid", h->pid);
		mg_line_add_str(l, "comm", h->comm);
		mg_line_add_u64(l, "count", count);
		add_seconds(l, "since", unix_seconds(d, h->ts_ns));
		emit(out, l);
		done += count;
	}
	free(seen);
	return done;
}

static const char *const kind_names[MG_KIND_MAX] = {
	[MG_KIND_HOLDER] = "holder",   [MG_KIND_TASK] = "task",
	[MG_KIND_KTHREAD] = "kthread", [MG_KIND_TIMER] = "timer",
	[MG_KIND_HRTIMER] = "hrtimer", [MG_KIND_WORK] = "work",
	[MG_KIND_TASKLET] = "tasklet", [MG_KIND_RCU] = "rcu",
	[MG_KIND_NOTIFIER] = "notifier", [MG_KIND_FOPS] = "fops",
};

const char *mg_kind_name(uint32_t kind)
{
	return kind < MG_KIND_MAX ? kind_names[kind] : "unknown";
}

/* one ledger entry: a callback or registration pointing into the module */
void mg_report_armed(struct mg_daemon *d, uint64_t obj,
		     const struct mg_armed_info *a, int show_addrs, FILE *out,
		     struct mg_line *l)
{
	char fn[160], site[160];

	mg_format_addr(d, a->func, show_addrs, fn, sizeof(fn));
	if (a->flags & MG_ARMF_SITE_INIT)
		/* every module's init function is also called init_module */
		snprintf(site, sizeof(site), "init_module+0x%" PRIx64,
			 (uint64_t)a->site);
	else
		mg_format_addr(d, a->site, show_addrs, site, sizeof(site));
	mg_line_reset(l, "ref");
	mg_line_add_str(l, "kind", mg_kind_name(a->kind));
	mg_line_add_str(l, "function", fn);
	mg_line_add_str(l, "site", site);
	mg_line_add_u64(l, "pid", a->tgid);
	mg_line_add_str(l, "comm", a->comm);
	add_seconds(l, "since", unix_seconds(d, a->ts_ns));
	if (a->kind == MG_KIND_TIMER)
		mg_line_add_u64(l, "expires_jiffies", a->expires);
	else if (a->kind == MG_KIND_HRTIMER)
		mg_line_add_u64(l, "expires_ns", a->expires);
	if (show_addrs)
		mg_line_add_hex(l, "object", obj);
	if (a->flags & MG_ARMF_DWORK)
		mg_line_add_str(l, "note", "delayed work, its timer pending");
	else if (a->kind == MG_KIND_FOPS)
		mg_line_add_str(l, "note",
				"registered without .owner: an open file does "
				"not pin the module");
	else if (a->kind == MG_KIND_RCU)
		mg_line_add_str(l, "note",
				"queued by call_rcu(); gone after a later "
				"rcu_barrier()");
	emit(out, l);
}

/* "sym+0x1;sym+0x2;..." for a task's stack */
static void format_stack(struct mg_daemon *d, const struct mg_task_record *t,
			 int show_addrs, char *buf, size_t len)
{
	size_t off = 0;
	char frame[160];

	buf[0] = '\0';
	for (uint32_t i = 0; i < t->nstack && i < MG_STACK_DEPTH; i++) {
		int n;

		mg_format_addr(d, t->stack[i], show_addrs, frame, sizeof(frame));
		n = snprintf(buf + off, len - off, "%s%s", i ? ";" : "", frame);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += n;
	}
}

/*
 * Tasks inside the module's text, from the latest scan.  Its own kthreads
 * (thread function in its text) and workers running its work are its own:
 * a correct exit stops or flushes them.  Anything else is a foreign caller
 * the exit cannot undo.  A task that was running while we read its stack
 * has an unreliable trace: "unknown, retry", never "not inside".
 */
static void emit_tasks(struct mg_daemon *d, struct mg_module *m,
		       const struct mg_report_opts *o, FILE *out,
		       struct mg_line *l, struct mg_verdict_input *vin)
{
	char fn[160], stack[MG_STACK_DEPTH * 64];

	for (size_t i = 0; i < d->ntasks; i++) {
		const struct mg_task_record *t = &d->tasks[i];
		int own_thread = t->threadfn_mod == m->addr;
		int worker = (t->flags & MG_TASKF_KTHREAD) &&
			     !strncmp(t->comm, "kworker/", 8);
		const char *kind = "task";

		if (t->mod != m->addr && !own_thread && !task_unread(t))
			continue;
		mg_format_addr(d, t->frame ? t->frame : t->threadfn,
			       o->show_addrs, fn, sizeof(fn));
		format_stack(d, t, o->show_addrs, stack, sizeof(stack));
		mg_line_reset(l, "ref");
		if (own_thread) {
			kind = "kthread";
			vin->own_pointers++;
		} else if (worker) {
			kind = "work";
			vin->own_pointers++;
		} else if (t->flags & MG_TASKF_RUNNING) {
			vin->unknown_tasks++;
		} else {
			vin->foreign_tasks++;
		}
		mg_line_add_str(l, "kind", kind);
		mg_line_add_str(l, "function", fn);
		mg_line_add_u64(l, "pid", t->tgid);
		mg_line_add_u64(l, "tid", t->pid);
		mg_line_add_str(l, "comm", t->comm);
		if (own_thread) {
			mg_format_addr(d, t->threadfn, o->show_addrs, fn, sizeof(fn));
			mg_line_add_str(l, "threadfn", fn);
		}
		if (task_unread(t))
			mg_line_add_str(l, "note",
					"a kretprobe return (another tool's) is "
					"pending in it and its stack could not be "
					"read: it may be inside; retry");
		else if (t->flags & MG_TASKF_RETHOOK)
			mg_line_add_str(l, "note",
					"a kretprobe return (another tool's) is "
					"pending in it, so its stack was not "
					"unwound; a raw scan of it found the "
					"module's text; retry");
		else if (t->flags & MG_TASKF_RUNNING)
			mg_line_add_str(l, "note",
					"running on a CPU: its stack cannot be "
					"trusted; retry");
		else if (worker && !own_thread)
			mg_line_add_str(l, "note", "a worker running the module's code");
		else if (!own_thread)
			mg_line_add_str(l, "note",
					"a caller inside the module's text");
		mg_line_add_str(l, "stack", stack);
		emit(out, l);
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
static void emit_callers(struct mg_daemon *d, struct mg_module *m, FILE *out,
			 struct mg_line *l, struct mg_verdict_input *vin,
			 int64_t inflight)
{
	struct mg_thread_calls *c;
	uint32_t *tids;
	size_t n, seen = 0;

	if (!mg_bpf_callers(d->bpf, m->addr, &tids, &c, &n)) {
		for (size_t i = 0; i < n; i++) {
			char comm[MG_COMM_LEN + 1];

			seen++;
			if (scan_listed(d, m->addr, tids[i]))
				continue;
			snprintf(comm, sizeof(comm), "%.*s", MG_COMM_LEN,
				 c[i].comm);
			mg_line_reset(l, "ref");
			mg_line_add_str(l, "kind", "task");
			mg_line_add_str(l, "function", "owner-less file operations");
			mg_line_add_u64(l, "pid", c[i].tgid);
			mg_line_add_u64(l, "tid", tids[i]);
			mg_line_add_str(l, "comm", comm);
			add_seconds(l, "since", unix_seconds(d, c[i].since_ns));
			mg_line_add_str(l, "note",
					"inside an owner-less fops function: "
					"counted from its entry until the thread "
					"returns to user space");
			emit(out, l);
			vin->foreign_tasks++;
		}
		free(tids);
		free(c);
	}
	if (inflight > 0 && (size_t)inflight > seen) {
		mg_line_reset(l, "ref");
		mg_line_add_str(l, "kind", "task");
		mg_line_add_str(l, "function", "owner-less file operations");
		mg_line_add_u64(l, "count", (uint64_t)inflight - seen);
		mg_line_add_str(l, "note",
				"callers inside an owner-less fops function, "
				"counted by its kprobes");
		emit(out, l);
		vin->foreign_tasks += (size_t)inflight - seen;
	}
}

/*
 * Files open on the module's owner-less devices: each is a reference the
 * kernel does not count (.owner would have), with who opened it.
 */
static size_t emit_open_files(struct mg_daemon *d, struct mg_module *m,
			      const struct mg_report_opts *o, FILE *out,
			      struct mg_line *l)
{
	struct mg_open_file *f;
	char fn[160], dev[32];
	size_t n;

	if (mg_bpf_open_files(d->bpf, m->addr, &f, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		mg_format_addr(d, f[i].func, o->show_addrs, fn, sizeof(fn));
		snprintf(dev, sizeof(dev), "%u:%u", f[i].dev >> 20,
			 f[i].dev & 0xfffff);
		mg_line_reset(l, "ref");
		mg_line_add_str(l, "kind", "file");
		mg_line_add_str(l, "function", fn);
		mg_line_add_u64(l, "pid", f[i].tgid);
		mg_line_add_u64(l, "tid", f[i].pid);
		mg_line_add_str(l, "comm", f[i].comm);
		mg_line_add_str(l, "device", dev);
		add_seconds(l, "since", unix_seconds(d, f[i].ts_ns));
		mg_line_add_str(l, "note",
				"open on a device registered without .owner: "
				"its next call enters the module");
		emit(out, l);
	}
	free(f);
	return n;
}

/* the module's entries in the callback ledger; returns how many */
/*
 * left_only: for a gone module, only what the kernel side marked as left
 * behind when that module's exit returned; a new module may already sit
 * at the same struct module address and arm callbacks of its own.
 */
static size_t emit_armed(struct mg_daemon *d, struct mg_module *m,
			 const struct mg_report_opts *o, FILE *out,
			 struct mg_line *l, int left_only)
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
		mg_report_armed(d, objs[i], &infos[i], o->show_addrs, out, l);
		count++;
	}
	free(objs);
	free(infos);
	return count;
}

int mg_report_kmod(struct mg_daemon *d, const struct mg_kmod *k,
		   const struct mg_report_opts *o, FILE *out,
		   enum mg_verdict *verdict_out)
{
	struct mg_module *m = mg_table_find_name(&d->table, k->name);
	struct mg_verdict_input vin = { 0 };
	struct mg_line l = { 0 };
	enum mg_verdict v;
	char *recs = NULL;
	size_t recs_len = 0, attributed = 0;
	FILE *refs;
	int err;

	if (m && m->state == MG_MOD_GONE)
		m = NULL; /* a stale entry under a reused name: not this one */

	/* references first, into a buffer: the module line carries the verdict */
	refs = open_memstream(&recs, &recs_len);
	if (!refs)
		return -errno;
	err = mg_line_init(&l, "ref");
	if (err) {
		fclose(refs);
		free(recs);
		return err;
	}
	if (m) {
		int64_t inflight = mg_bpf_inflight(d->bpf, m->addr);

		attributed = emit_holders(d, m, o, refs, &l);
		vin.open_files = emit_open_files(d, m, o, refs, &l);
		vin.own_pointers += emit_armed(d, m, o, refs, &l, 0);
		emit_tasks(d, m, o, refs, &l, &vin);
		emit_callers(d, m, refs, &l, &vin, inflight);
	}
	if (d->scan_err) {
		/* when in doubt, refuse: unseen tasks might be inside */
		vin.unknown_tasks++;
		mg_line_reset(&l, "note");
		mg_line_add_str(&l, "text", "the task scan failed: tasks inside "
					    "the module are unknown");
		emit(refs, &l);
	}
	if (k->refcnt > 0 && (size_t)k->refcnt > attributed) {
		mg_line_reset(&l, "ref");
		mg_line_add_str(&l, "kind", "holder");
		mg_line_add_str(&l, "function", "unattributed");
		mg_line_add_u64(&l, "count", (uint64_t)k->refcnt - attributed);
		mg_line_add_str(&l, "note", m && !m->preloaded
			? "taken where modguard could not see it"
			: "taken before modguardd started");
		emit(refs, &l);
	}
	if (k->holders[0]) {
		mg_line_reset(&l, "ref");
		mg_line_add_str(&l, "kind", "holder");
		mg_line_add_str(&l, "function", "dependent modules");
		mg_line_add_str(&l, "note", k->holders);
		emit(refs, &l);
	}
	if (!m || m->preloaded) {
		mg_line_reset(&l, "note");
		mg_line_add_str(&l, "text",
			"loaded before modguardd started: callbacks it armed "
			"before tracking_since are invisible");
		emit(refs, &l);
	}
	fclose(refs);

	vin.live = !strcmp(k->state, "live");
	vin.refcnt = k->refcnt;
	v = mg_verdict_decide(&vin);
	if (verdict_out)
		*verdict_out = v;

	mg_line_reset(&l, "module");
	mg_line_add_str(&l, "name", k->name);
	mg_line_add_str(&l, "state", k->state);
	mg_line_add_s64(&l, "refcnt", k->refcnt);
	mg_line_add_str(&l, "verdict", mg_verdict_name(v));
	add_seconds(&l, "tracking_since",
		    unix_seconds(d, m ? m->tracking_since_ns : d->start_ns));
	if (m && o->show_addrs)
		mg_line_add_hex(&l, "text_start", m->text_start);
	else
		mg_line_add_str(&l, "text_start", "");
	mg_line_add_u64(&l, "text_size", m ? m->text_size : 0);
	mg_line_add_str(&l, "srcversion", k->srcversion);
	mg_line_add_str(&l, "build", k->build);
	if (out) {
		emit(out, &l);
		fwrite(recs, 1, recs_len, out);
	}
	mg_line_free(&l);
	free(recs);
	return 0;
}

size_t mg_report_gone(struct mg_daemon *d, struct mg_module *m,
		      const struct mg_report_opts *o, FILE *out)
{
	struct mg_verdict_input vin = { .gone = 1 };
	struct mg_line l = { 0 };
	char *recs = NULL;
	size_t recs_len = 0;
	FILE *refs;

	refs = open_memstream(&recs, &recs_len);
	if (!refs || mg_line_init(&l, "ref")) {
		if (refs)
			fclose(refs);
		free(recs);
		return 0;
	}
	vin.own_pointers += emit_armed(d, m, o, refs, &l, 1);
	/* tasks are matched by address too: not once a successor lives there */
	if (!mg_bpf_module_reused(d->bpf, m->addr)) {
		emit_tasks(d, m, o, refs, &l, &vin);
		vin.open_files = emit_open_files(d, m, o, refs, &l);
	}
	fclose(refs);

	mg_line_reset(&l, "module");
	mg_line_add_str(&l, "name", m->name);
	mg_line_add_str(&l, "state", "gone");
	mg_line_add_s64(&l, "refcnt", 0);
	mg_line_add_str(&l, "verdict", mg_verdict_name(mg_verdict_decide(&vin)));
	add_seconds(&l, "tracking_since", unix_seconds(d, m->tracking_since_ns));
	if (o->show_addrs)
		mg_line_add_hex(&l, "text_start", m->text_start);
	else
		mg_line_add_str(&l, "text_start", "");
	mg_line_add_u64(&l, "text_size", m->text_size);
	add_seconds(&l, "gone_since", unix_seconds(d, m->gone_ns));
	if (out) {
		emit(out, &l);
		fwrite(recs, 1, recs_len, out);
	}
	mg_line_free(&l);
	free(recs);
	return vin.own_pointers + vin.foreign_tasks + vin.unknown_tasks +
	       vin.open_files;
}

int mg_report_module(struct mg_daemon *d, const char *name,
		     const struct mg_report_opts *o, FILE *out)
{
	struct mg_module *m;
	struct mg_kmod k;
	int err = mg_kmod_read(d->proc_modules, d->sys_module, name, &k);

	/* gone, but something still points into it: that is the report */
	if (err == -ENOENT) {
		m = mg_table_find_name(&d->table, name);
		if (m && m->state == MG_MOD_GONE) {
			mg_report_gone(d, m, o, out);
			return 0;
		}
	}
	if (err)
		return err;
	return mg_report_kmod(d, &k, o, out, NULL);
}

int mg_module_verdict(struct mg_daemon *d, const char *name,
		      enum mg_verdict *v)
{
	struct mg_report_opts o = { 0 };
	struct mg_kmod k;
	int err = mg_kmod_read(d->proc_modules, d->sys_module, name, &k);

	if (err)
		return err;
	mg_bpf_settle_armed(d->bpf);
	mg_daemon_rescan(d);
	return mg_report_kmod(d, &k, &o, NULL, v);
}

int mg_report_all(struct mg_daemon *d, const struct mg_report_opts *o,
		  FILE *out)
{
	char line[1024], name[64];
	FILE *f = fopen(d->proc_modules, "re");
	int err = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s", name) != 1)
			continue;
		err = mg_report_module(d, name, o, out);
		if (err == -ENOENT)
			err = 0; /* unloaded meanwhile */
		if (err)
			break;
	}
	fclose(f);
	for (size_t i = 0; !err && i < d->table.n; i++)
		if (d->table.mods[i]->state == MG_MOD_GONE)
			mg_report_gone(d, d->table.mods[i], o, out);
	return err;
}
