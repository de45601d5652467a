// SPDX-License-Identifier: GPL-2.0
/* The guarded-unload state machine; see guarded_unload.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "aftermath.h"
#include "clock.h"
#include "evidence.h"
#include "fsutil.h"
#include "guarded_unload.h"
#include "intents.h"
#include "kernel_view.h"
#include "log.h"
#include "outcome.h"
#include "parse.h"
#include "proto.h"
#include "record_writer.h"
#include "records.h"
#include "report.h"
#include "requests.h"
#include "server.h"

enum op_mode { MODE_GUARDED, MODE_DRY_RUN, MODE_FORCE };
enum op_state { OP_WAITING, OP_UNLOADING };

/* CAP_SYS_MODULE of <linux/capability.h> */
#define MG_CAP_SYS_MODULE 16

struct mg_unload_op {
	struct mg_unload_op *next;
	struct mg_conn *conn; /* the client; NULL once it is gone */
	enum op_mode mode;
	enum op_state state;
	char name[MG_MODULE_NAME_LEN];
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	struct mg_peer peer;
	int show_addrs;	     /* may the client see raw addresses? */
	char peer_comm[MG_COMM_LEN];
	char build[96];
	char intent[96];     /* the "unloading" record, while it is in flight */
	/* what we last told the client we wait on; NULL: nothing yet */
	struct mg_evidence *last_wait;
};

int mg_unload_init(struct mg_daemon *d)
{
	d->unload_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	return d->unload_timer_fd < 0 ? -errno : 0;
}

/* to the client, if it is still there (sending never blocks) */
static void send_all(struct mg_daemon *d, struct mg_unload_op *op,
		     const char *buf, size_t len)
{
	if (op->conn)
		mg_conn_send(d, op->conn, buf, len);
}

static void send_line(struct mg_daemon *d, struct mg_unload_op *op,
		      struct mg_line *l)
{
	if (!mg_line_finish(l))
		send_all(d, op, l->buf, l->len);
}

/* the evidence as protocol records, with the client's address rights */
static void send_evidence(struct mg_daemon *d, struct mg_unload_op *op,
			  const struct mg_evidence *ev)
{
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);

	if (!b)
		return;
	mg_report_encode(d, ev, op->show_addrs, b);
	fclose(b);
	send_all(d, op, body, len);
	free(body);
}

static void free_evidence(struct mg_evidence *ev)
{
	if (!ev)
		return;
	mg_evidence_free(ev);
	free(ev);
}

static void op_free(struct mg_daemon *d, struct mg_unload_op *op)
{
	struct mg_unload_op **pp;

	for (pp = &d->ops; *pp; pp = &(*pp)->next) {
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	}
	/* the intent record only matters while the unload is in flight */
	if (op->intent[0])
		mg_record_remove(d->state_dir, op->intent);
	if (op->conn)
		mg_conn_finish(d, op->conn);
	if (d->unloading == op) {
		d->unloading = NULL;
		/* the next one in line may go now */
		d->unload_eval = 1;
	}
	free_evidence(op->last_wait);
	free(op);
}

/* the nearest deadline; nothing left to wait on: detach the (hot) watch */
static void rearm(struct mg_daemon *d)
{
	uint64_t next = 0;
	int waiting = 0;

	for (struct mg_unload_op *op = d->ops; op; op = op->next) {
		if (op->state != OP_WAITING)
			continue;
		waiting = 1;
		if (!next || op->deadline_ns < next)
			next = op->deadline_ns;
	}
	mg_timerfd_at(d->unload_timer_fd, next);
	mg_bpf_wake_on_refs(d->bpf, waiting);
	if (!waiting) {
		d->unload_watch = 0;
		mg_daemon_update_watch(d);
	}
}

/*
 * An unload starts to wait: attach the task watch for it.  The first time,
 * look again once it is on: a task that moved between the scan and the
 * attach woke nobody.
 */
static void watch_for_waits(struct mg_daemon *d)
{
	if (!d->unload_watch) {
		d->unload_watch = 1;
		d->unload_eval = 1;
	}
	mg_daemon_update_watch(d);
}

static void op_err(struct mg_daemon *d, struct mg_unload_op *op,
		   enum mg_outcome code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void op_err(struct mg_daemon *d, struct mg_unload_op *op,
		   enum mg_outcome code, const char *fmt, ...)
{
	struct mg_line l = { 0 };
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mg_line_verrf(&l, code, fmt, ap);
	va_end(ap);
	if (!err)
		send_all(d, op, l.buf, l.len);
	mg_line_free(&l);
	op_free(d, op);
}

/* the final answer: result record, the evidence (if any), ok */
static void op_finish(struct mg_daemon *d, struct mg_unload_op *op,
		      const char *outcome, enum mg_outcome code,
		      const char *message, const char *record,
		      const struct mg_evidence *ev)
{
	struct mg_line l = { 0 };

	mg_line_init(&l, "result");
	mg_line_add_str(&l, "module", op->name);
	mg_line_add_str(&l, "outcome", outcome);
	mg_line_add_u64(&l, "exit", code);
	mg_line_add_str(&l, "message", message);
	if (record && *record)
		mg_line_add_str(&l, "record", record);
	mg_line_add_u64(&l, "forced", op->mode == MODE_FORCE);
	send_line(d, op, &l);
	if (ev)
		send_evidence(d, op, ev);
	if (!mg_line_ok(&l))
		send_all(d, op, l.buf, l.len);
	mg_line_free(&l);
	mg_info("unload %s for %s[%d]: %s: %s", op->name, op->peer_comm,
		op->peer.pid, outcome, message);
	op_free(d, op);
}

static void op_refuse(struct mg_daemon *d, struct mg_unload_op *op,
		      const char *build, const char *message,
		      const struct mg_evidence *ev)
{
	struct mg_record_request r = {
		.outcome = "refused",
		.module = op->name,
		.build = build,
		.requester_pid = op->peer.pid,
		.requester_comm = op->peer_comm,
		.reason = message,
		.evidence = ev,
	};
	char id[96] = "";

	mg_record_commit(d, &r, id, sizeof(id));
	op_finish(d, op, "refused", MG_OUTCOME_REFUSED, message, id, ev);
}

/*
 * Clean (or forced): the intent is made durable, then the client is told
 * to go: modguard-rmmod calls delete_module() itself, so the kernel checks
 * its caller's own privileges, and a client that is gone unloads nothing.
 * It answers "MG1 done <errno>" (mg_unload_client_line()).
 */
static void start_unload(struct mg_daemon *d, struct mg_unload_op *op,
			 const struct mg_evidence *ev)
{
	struct mg_line l = { 0 };
	int err;

	/* what follows the go (the aftermath) reads the ledger afresh */
	mg_bpf_armed_snapshot_end(d->bpf);
	err = mg_intent_write(d, op->name, op->build, op->peer.pid,
			      op->peer_comm, ev, op->intent, sizeof(op->intent));
	if (err) {
		op_err(d, op, MG_OUTCOME_FAILED,
		       "cannot write the intent of this unload to %s (%s): "
		       "refused, %s is untouched", d->state_dir,
		       strerror(-err), op->name);
		return;
	}
	op->state = OP_UNLOADING;
	d->unloading = op;
	mg_line_init(&l, "go");
	mg_line_add_str(&l, "module", op->name);
	send_line(d, op, &l);
	mg_line_free(&l);
}

/* the kernel's view of op's module, or the answer that ends op */
static int op_read_module(struct mg_daemon *d, struct mg_unload_op *op,
			  struct mg_kmod *k)
{
	int err = mg_kmod_read(d->proc_modules, d->sys_module, op->name, k);

	if (err == -ENOENT)
		op_err(d, op, MG_OUTCOME_BAD_INPUT, "module %s is not loaded",
		       op->name);
	else if (err == -EEXIST)
		op_err(d, op, MG_OUTCOME_BAD_INPUT,
		       "module %s is built into the kernel: it cannot be unloaded",
		       op->name);
	else if (err)
		op_err(d, op, MG_OUTCOME_FAILED, "cannot read %s: %s",
		       d->proc_modules, strerror(-err));
	return err;
}

/* a stale record names this build: refuse unless forced; 1 if answered */
static int op_quarantined(struct mg_daemon *d, struct mg_unload_op *op,
			  const struct mg_kmod *k)
{
	struct mg_quarantine q;
	char msg[768];
	int err;

	if (op->mode == MODE_FORCE)
		return 0;
	err = mg_records_quarantine_check(d->state_dir, k->name, k->build, &q);
	if (err < 0) {
		/* when in doubt, refuse: a quarantine may be among them */
		op_err(d, op, MG_OUTCOME_FAILED,
		       "cannot read the records in %s (%s), so a quarantine of "
		       "%s cannot be ruled out; use --force to unload it anyway",
		       d->state_dir, strerror(-err), k->name);
		return 1;
	}
	if (!err)
		return 0;
	if (q.damaged)
		snprintf(msg, sizeof(msg),
			 "quarantined: record %s of %s is damaged, so every build "
			 "of it stays quarantined until a person clears it "
			 "(modguard clear-quarantine %s); use --force to unload "
			 "it anyway", q.id, k->name, k->name);
	else
		snprintf(msg, sizeof(msg),
			 "quarantined: this build of %s left stale references "
			 "behind before (record %s); use --force to unload it "
			 "anyway", k->name, q.id);
	if (op->mode == MODE_DRY_RUN)
		op_finish(d, op, "quarantined", MG_OUTCOME_REFUSED, msg, NULL,
			  NULL);
	else
		op_refuse(d, op, k->build, msg, NULL);
	return 1;
}

/*
 * Busy: tell the client what we wait on when the evidence changed ("wait"
 * last: it closes the group), then wait.  Takes ev.
 */
static void op_wait(struct mg_daemon *d, struct mg_unload_op *op,
		    struct mg_evidence *ev, uint64_t now)
{
	struct mg_line l = { 0 };

	if (op->last_wait && mg_evidence_same(op->last_wait, ev)) {
		free_evidence(ev);
	} else {
		send_evidence(d, op, ev);
		mg_line_init(&l, "wait");
		mg_line_add_str(&l, "module", op->name);
		mg_line_add_u64(&l, "remaining_ms",
				(op->deadline_ns - now) / 1000000);
		send_line(d, op, &l);
		mg_line_free(&l);
		free_evidence(op->last_wait);
		op->last_wait = ev;
	}
	watch_for_waits(d);
}

/* what the verdict on ev means for op, in its mode */
static void op_decide(struct mg_daemon *d, struct mg_unload_op *op,
		      const struct mg_kmod *k, struct mg_evidence *ev)
{
	uint64_t now = mg_clock_ns(CLOCK_MONOTONIC);
	char msg[1024];

	if (op->mode == MODE_FORCE) {
		start_unload(d, op, ev);
	} else if (k->holders[0]) {
		/* dependents do not go away by waiting */
		snprintf(msg, sizeof(msg), "%s is in use by %s: unload %s first",
			 k->name, k->holders, k->holders);
		if (op->mode == MODE_DRY_RUN)
			op_finish(d, op, "dry-run", MG_OUTCOME_REFUSED, msg, NULL,
				  ev);
		else
			op_refuse(d, op, k->build, msg, ev);
	} else if (ev->verdict == MG_VERDICT_CLEAN) {
		if (op->mode == MODE_DRY_RUN)
			op_finish(d, op, "dry-run", MG_OUTCOME_OK,
				  "clean: would unload now", NULL, ev);
		else
			start_unload(d, op, ev);
	} else if (op->mode == MODE_DRY_RUN) {
		op_finish(d, op, "dry-run", MG_OUTCOME_REFUSED,
			  "busy: an unload would wait on these", NULL, ev);
	} else if (now >= op->deadline_ns) {
		snprintf(msg, sizeof(msg), "%s is still busy at the timeout",
			 k->name);
		op_refuse(d, op, k->build, msg, ev);
	} else {
		op_wait(d, op, ev, now);
		return; /* op_wait took ev */
	}
	free_evidence(ev);
}

static void op_evaluate(struct mg_daemon *d, struct mg_unload_op *op)
{
	struct mg_evidence *ev;
	struct mg_kmod k;
	uint64_t t0;
	int err;

	if (op_read_module(d, op, &k) || op_quarantined(d, op, &k))
		return;
	t0 = mg_clock_ns(CLOCK_MONOTONIC);
	mg_bpf_settle_armed(d->bpf);
	mg_daemon_rescan(d);
	ev = malloc(sizeof(*ev));
	err = ev ? mg_evidence_of_kmod(d, &k, ev) : -ENOMEM;
	mg_metrics_observe_verdict(&d->metrics, mg_clock_ns(CLOCK_MONOTONIC) - t0);
	if (err) {
		free(ev);
		op_err(d, op, MG_OUTCOME_FAILED, "cannot judge %s: %s", op->name,
		       strerror(-err));
		return;
	}
	snprintf(op->build, sizeof(op->build), "%s", k.build);
	mg_dbg("unload %s: verdict %s (%zu items of evidence)", op->name,
	       mg_verdict_name(ev->verdict), ev->nitems);
	op_decide(d, op, &k, ev);
}

static int parse_mode(const char *s, enum op_mode *mode)
{
	if (!strcmp(s, "guarded"))
		*mode = MODE_GUARDED;
	else if (!strcmp(s, "dry-run"))
		*mode = MODE_DRY_RUN;
	else if (!strcmp(s, "force"))
		*mode = MODE_FORCE;
	else
		return -EINVAL;
	return 0;
}

int mg_unload_request(struct mg_daemon *d, struct mg_conn *conn,
		      const struct mg_peer *peer, char **args, int nargs,
		      FILE *out)
{
	struct mg_unload_op *op, **tail;
	const char *why = mg_peer_why_not_unload(peer);
	uint64_t timeout_ms;
	enum op_mode mode;
	char path[64];

	if (why) {
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT, "unloading a module: %s",
			     why);
		return 0;
	}
	if (nargs != 3 || !mg_module_name_valid(args[0]) ||
	    mg_parse_u64(args[1], 0, 7 * 24 * 3600 * 1000ull, &timeout_ms) ||
	    parse_mode(args[2], &mode)) {
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT,
			     "usage: unload MODULE TIMEOUT_MS guarded|dry-run|force");
		return 0;
	}
	op = calloc(1, sizeof(*op));
	if (!op) {
		mg_reply_err(out, MG_OUTCOME_FAILED, "modguardd is out of memory");
		return 0;
	}
	op->conn = conn;
	op->peer = *peer;
	op->mode = mode;
	op->show_addrs = mg_peer_may_see_addrs(peer, d->kptr_restrict_path,
					       d->perf_paranoid_path);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)peer->pid);
	if (mg_read_first_line(path, op->peer_comm, sizeof(op->peer_comm)))
		snprintf(op->peer_comm, sizeof(op->peer_comm), "?");
	snprintf(op->name, sizeof(op->name), "%s", args[0]);
	mg_module_name_normalize(op->name);
	op->deadline_ns = mg_clock_ns(CLOCK_MONOTONIC) + timeout_ms * 1000000ull;
	op->state = OP_WAITING;
	for (tail = &d->ops; *tail; tail = &(*tail)->next)
		;
	*tail = op;
	mg_conn_hand_over(conn, op);
	if (op->mode == MODE_FORCE)
		mg_warn("forced unload of %s requested by %s[%d]", op->name,
			op->peer_comm, (int)peer->pid);
	/* evaluated by the event loop's next mg_unload_run() */
	d->unload_eval = 1;
	return 1;
}

void mg_unload_note_event(struct mg_daemon *d, const struct mg_event *e)
{
	if (!d->ops)
		return;
	switch (e->type) {
	case MG_EV_REF_PUT:
	case MG_EV_FILE_CLOSED:
	case MG_EV_TASK_MOVED:
	case MG_EV_MODULE_FREE:
	case MG_EV_MODULE_LOAD:
		mg_dbg("unload: event %u re-checks the waiting unloads", e->type);
		d->unload_eval = 1;
		break;
	default:
		break;
	}
}

void mg_unload_run(struct mg_daemon *d)
{
	struct mg_unload_op *op, *next;

	/*
	 * Frequent events are submitted without a wake-up while nobody waits
	 * (mg_event_submit_lazy()); one submitted between the last drain and
	 * rearm() turning wake-ups on would sit unread until the deadline.
	 * So drain once more after rearm(), and look again if it brought
	 * news; a few rounds at most, then the wake-ups take over.
	 */
	for (int round = 0; d->unload_eval && round < 3; round++) {
		d->unload_eval = 0;
		/* one delete_module() at a time; the others wait their turn */
		for (op = d->ops; op && !d->unloading; op = next) {
			next = op->next;
			if (op->state == OP_WAITING)
				op_evaluate(d, op);
		}
		rearm(d);
		if (!d->ops)
			break;
		mg_bpf_consume(d->bpf);
	}
	if (d->unload_eval && d->ops) {
		/* still news after the last round: look again shortly */
		struct itimerspec soon = { .it_value.tv_nsec = 10 * 1000000 };

		timerfd_settime(d->unload_timer_fd, 0, &soon, NULL);
	}
}

void mg_unload_on_timer(struct mg_daemon *d)
{
	uint64_t ticks;

	if (read(d->unload_timer_fd, &ticks, sizeof(ticks)) < 0)
		return;
	d->unload_eval = 1;
	mg_unload_run(d);
}

/*
 * delete_module() said no.  EWOULDBLOCK: a reference was taken between
 * the verdict and the call (or our own enforcement saw a caller get in);
 * EBUSY: still in its init (or already going).  Either may pass: wait
 * again while there is time.
 */
static void op_kernel_refused(struct mg_daemon *d, struct mg_unload_op *op,
			      int e)
{
	struct mg_kmod k;
	char msg[512];
	int coming = 0;

	/*
	 * EPERM for a client the kernel vouched has CAP_SYS_MODULE: our own
	 * enforcement saw a caller get in after the verdict.
	 */
	if (e == EPERM && mg_bpf_caps(d->bpf)->enforcing &&
	    mg_peer_capable(&op->peer, MG_CAP_SYS_MODULE))
		e = EWOULDBLOCK;
	if (e == EWOULDBLOCK || e == EBUSY) {
		coming = !mg_kmod_read(d->proc_modules, d->sys_module, op->name,
				       &k) &&
			 !strcmp(k.state, "coming");
		if (op->mode != MODE_FORCE && mg_clock_ns(CLOCK_MONOTONIC) < op->deadline_ns &&
		    (e == EWOULDBLOCK || coming)) {
			op->state = OP_WAITING;
			watch_for_waits(d);
			return;
		}
	}
	if (e == ENOENT) {
		op_err(d, op, MG_OUTCOME_BAD_INPUT, "module %s is not loaded",
		       op->name);
		return;
	}
	snprintf(msg, sizeof(msg), "the kernel refused to unload %s: %s%s",
		 op->name, strerror(e),
		 coming ? " (still in its init function)" : "");
	op_refuse(d, op, op->build, msg, NULL);
}

/* unloaded: name what its exit left behind */
static void op_unloaded(struct mg_daemon *d, struct mg_unload_op *op)
{
	struct mg_module *m;
	struct mg_evidence ev;
	size_t left;
	char msg[512];

	/* module_free and what it left behind are in the ring */
	mg_bpf_consume(d->bpf);
	m = mg_table_find_name(&d->table, op->name);
	if (!m || m->state != MG_MOD_GONE) {
		op_finish(d, op, "unloaded", MG_OUTCOME_OK,
			  "unloaded; modguardd did not see its exit, so what "
			  "it left behind is unknown", NULL, NULL);
		return;
	}
	if (mg_evidence_of_gone(d, m, &ev)) {
		op_finish(d, op, "unloaded", MG_OUTCOME_OK,
			  "unloaded; out of memory while checking what its exit "
			  "left behind", NULL, NULL);
		return;
	}
	left = mg_evidence_left(&ev);
	if (left) {
		snprintf(msg, sizeof(msg),
			 "unloaded, but %zu stale reference%s remain%s: the "
			 "kernel may crash when they fire",
			 left, left == 1 ? "" : "s", left == 1 ? "s" : "");
		op_finish(d, op, "stale", MG_OUTCOME_STALE, msg, m->record, &ev);
	} else {
		op_finish(d, op, "unloaded", MG_OUTCOME_OK,
			  op->mode == MODE_FORCE ? "unloaded (forced)" : "unloaded",
			  NULL, NULL);
		mg_aftermath_retire(d, m);
	}
	mg_evidence_free(&ev);
}

/* the client's delete_module() returned e (0 or an errno) */
static void op_done(struct mg_daemon *d, struct mg_unload_op *op, int e)
{
	d->unloading = NULL;
	d->unload_eval = 1;
	if (e && op->intent[0]) {
		/* nothing was unloaded: nothing to suspect */
		mg_record_remove(d->state_dir, op->intent);
		op->intent[0] = '\0';
	}
	if (e)
		op_kernel_refused(d, op, e);
	else
		op_unloaded(d, op);
}

void mg_unload_client_line(struct mg_daemon *d, struct mg_unload_op *op,
			   const char *verb, char **args, int nargs)
{
	uint64_t e;

	if (strcmp(verb, "done") || nargs != 1 ||
	    mg_parse_u64(args[0], 0, 4095, &e) || op->state != OP_UNLOADING) {
		mg_warn("unload %s: %s[%d] sent '%.32s' out of turn: dropped",
			op->name, op->peer_comm, (int)op->peer.pid, verb);
		op_err(d, op, MG_OUTCOME_BAD_INPUT,
		       "unexpected '%.32s': after \"go\" only \"done <errno>\"",
		       verb);
		return;
	}
	op_done(d, op, (int)e);
}

/*
 * The client went away.  Waiting: the unload is dropped, the module stays
 * loaded.  After "go": its delete_module() has returned by now (the socket
 * closes only when it has); module_free is in the ring if it unloaded,
 * and the aftermath is recorded as for any unload.
 */
void mg_unload_client_gone(struct mg_daemon *d, struct mg_unload_op *op)
{
	struct mg_module *m;
	struct mg_evidence ev;
	int unloading = op->state == OP_UNLOADING;

	op->conn = NULL;
	if (!unloading) {
		mg_info("unload %s: %s[%d] went away while it waited: dropped, "
			"the module stays loaded", op->name, op->peer_comm,
			(int)op->peer.pid);
		op_free(d, op);
		/* its deadline and wake-ups are no one's any more */
		rearm(d);
		return;
	}
	mg_bpf_consume(d->bpf);
	m = mg_table_find_name(&d->table, op->name);
	mg_info("unload %s: %s[%d] went away after it was told to go: %s",
		op->name, op->peer_comm, (int)op->peer.pid,
		m && m->state == MG_MOD_GONE ? "it unloaded the module"
					     : "the module is still loaded");
	op_free(d, op);
	/* nobody will answer about it: a clean one is forgotten now */
	if (m && m->state == MG_MOD_GONE && !mg_evidence_of_gone(d, m, &ev)) {
		if (!mg_evidence_left(&ev))
			mg_aftermath_retire(d, m);
		mg_evidence_free(&ev);
	}
	d->unload_eval = 1;
}

int mg_unload_in_flight(const struct mg_daemon *d, const char *name,
			pid_t *pid, const char **comm)
{
	const struct mg_unload_op *op = d->unloading;

	if (!op || strcmp(op->name, name))
		return 0;
	*pid = op->peer.pid;
	*comm = op->peer_comm;
	return 1;
}

void mg_unload_fini(struct mg_daemon *d)
{
	/*
	 * A client told to go may be in delete_module() now: it hears that we
	 * stop, and its own answer says whether it unloaded.
	 */
	while (d->ops)
		op_err(d, d->ops, MG_OUTCOME_FAILED,
		       d->ops->state == OP_UNLOADING
			       ? "modguardd is stopping: what the unload of %s "
				 "left behind is not checked"
			       : "modguardd is stopping: %s was not unloaded",
		       d->ops->name);
	if (d->unload_timer_fd >= 0)
		close(d->unload_timer_fd);
}
