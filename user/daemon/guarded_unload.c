// SPDX-License-Identifier: GPL-2.0
/* The guarded-unload state machine; see guarded_unload.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "aftermath.h"
#include "clock.h"
#include "delete_module.h"
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

enum op_mode { MODE_GUARDED, MODE_DRY_RUN, MODE_FORCE };
enum op_state { OP_WAITING, OP_UNLOADING };

struct mg_unload_op {
	struct mg_unload_op *next;
	int fd;
	enum op_mode mode;
	enum op_state state;
	char name[MG_MODULE_NAME_LEN];
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	pid_t peer;
	char peer_comm[MG_COMM_LEN];
	int unload_errno;    /* from the worker */
	char build[96];
	char intent[96];     /* the "unloading" record, while it is in flight */
	/* what we last told the client we wait on; NULL: nothing yet */
	struct mg_evidence *last_wait;
};

int mg_unload_init(struct mg_daemon *d)
{
	if (!d->delete_module)
		d->delete_module = mg_delete_module;
	d->unload_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->unload_done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->unload_timer_fd < 0 || d->unload_done_fd < 0)
		return -errno;
	return 0;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			return; /* the client went away: nothing to tell */
		buf += n;
		len -= n;
	}
}

static void send_line(int fd, struct mg_line *l)
{
	if (!mg_line_finish(l))
		send_all(fd, l->buf, l->len);
}

/* the evidence as protocol records: the waiting client sees all of it */
static void send_evidence(struct mg_daemon *d, int fd,
			  const struct mg_evidence *ev)
{
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);

	if (!b)
		return;
	mg_report_encode(d, ev, 1, b);
	fclose(b);
	send_all(fd, body, len);
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
	close(op->fd);
	free_evidence(op->last_wait);
	free(op);
}

/* the nearest deadline; nothing left to wait on: detach the (hot) watch */
static void rearm(struct mg_daemon *d)
{
	struct itimerspec its = { 0 };
	uint64_t next = 0, now = mg_clock_ns(CLOCK_MONOTONIC);
	int waiting = 0;

	for (struct mg_unload_op *op = d->ops; op; op = op->next) {
		if (op->state != OP_WAITING)
			continue;
		waiting = 1;
		if (!next || op->deadline_ns < next)
			next = op->deadline_ns;
	}
	if (next) {
		uint64_t delta = next > now ? next - now : 1;

		its.it_value.tv_sec = delta / 1000000000ull;
		its.it_value.tv_nsec = delta % 1000000000ull;
	}
	timerfd_settime(d->unload_timer_fd, 0, &its, NULL);
	mg_bpf_wake_on_refs(d->bpf, waiting);
	if (!waiting)
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
		send_all(op->fd, l.buf, l.len);
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
	send_line(op->fd, &l);
	if (ev)
		send_evidence(d, op->fd, ev);
	if (!mg_line_ok(&l))
		send_all(op->fd, l.buf, l.len);
	mg_line_free(&l);
	mg_info("unload %s for %s[%d]: %s: %s", op->name, op->peer_comm,
		op->peer, outcome, message);
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
		.requester_pid = op->peer,
		.requester_comm = op->peer_comm,
		.reason = message,
		.evidence = ev,
	};
	char id[96] = "";

	mg_record_commit(d, &r, id, sizeof(id));
	op_finish(d, op, "refused", MG_OUTCOME_REFUSED, message, id, ev);
}

static void *unload_worker(void *arg)
{
	struct mg_daemon *d = arg;
	struct mg_unload_op *op = d->unloading;
	uint64_t one = 1;

	/* O_NONBLOCK is what rmmod passes; ignored by the kernel since 3.13 */
	op->unload_errno = -d->delete_module(op->name, O_NONBLOCK);
	if (write(d->unload_done_fd, &one, sizeof(one)) < 0)
		mg_err("unload: cannot wake the event loop: %s", strerror(errno));
	return NULL;
}

static void start_unload(struct mg_daemon *d, struct mg_unload_op *op,
			 const struct mg_evidence *ev)
{
	pthread_t t;
	int err;

	mg_intent_write(d, op->name, op->build, op->peer, op->peer_comm, ev,
			op->intent, sizeof(op->intent));
	op->state = OP_UNLOADING;
	d->unloading = op;
	err = pthread_create(&t, NULL, unload_worker, d);
	if (err) {
		d->unloading = NULL;
		op_err(d, op, MG_OUTCOME_FAILED, "cannot start the unload: %s",
		       strerror(err));
		return;
	}
	pthread_detach(t);
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
	const struct mg_unload_record *q;
	struct mg_unload_record *recs = NULL;
	size_t nrecs = 0;
	char msg[512];
	int err;

	if (op->mode == MODE_FORCE)
		return 0;
	err = mg_records_load(d->state_dir, &recs, &nrecs, NULL);
	if (err) {
		/* when in doubt, refuse: a quarantine may be among them */
		op_err(d, op, MG_OUTCOME_FAILED,
		       "cannot read the records in %s (%s), so a quarantine of "
		       "%s cannot be ruled out; use --force to unload it anyway",
		       d->state_dir, strerror(-err), k->name);
		return 1;
	}
	q = mg_records_quarantine(recs, nrecs, k->name, k->build);
	if (q)
		snprintf(msg, sizeof(msg),
			 "quarantined: this build of %s left stale references "
			 "behind before (record %s); use --force to unload it "
			 "anyway", k->name, q->id);
	mg_records_free(recs, nrecs);
	if (!q)
		return 0;
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
		send_evidence(d, op->fd, ev);
		mg_line_init(&l, "wait");
		mg_line_add_str(&l, "module", op->name);
		mg_line_add_u64(&l, "remaining_ms",
				(op->deadline_ns - now) / 1000000);
		send_line(op->fd, &l);
		mg_line_free(&l);
		free_evidence(op->last_wait);
		op->last_wait = ev;
	}
	mg_daemon_update_watch(d);
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
	int err;

	if (op_read_module(d, op, &k) || op_quarantined(d, op, &k))
		return;
	mg_bpf_settle_armed(d->bpf);
	mg_daemon_rescan(d);
	ev = malloc(sizeof(*ev));
	err = ev ? mg_evidence_of_kmod(d, &k, ev) : -ENOMEM;
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

void mg_unload_request(struct mg_daemon *d, int fd, char **args, int nargs,
		       pid_t peer)
{
	struct mg_unload_op *op, **tail;
	uint64_t timeout_ms;
	struct mg_line l = { 0 };
	char path[64];

	op = calloc(1, sizeof(*op));
	if (!op) {
		close(fd);
		return;
	}
	op->fd = fd;
	op->peer = peer;
	snprintf(path, sizeof(path), "/proc/%d/comm", peer);
	if (mg_read_first_line(path, op->peer_comm, sizeof(op->peer_comm)))
		snprintf(op->peer_comm, sizeof(op->peer_comm), "?");
	if (nargs != 3 || !mg_module_name_valid(args[0]) ||
	    mg_parse_u64(args[1], 0, 7 * 24 * 3600 * 1000ull, &timeout_ms) ||
	    parse_mode(args[2], &op->mode)) {
		if (!mg_line_err(&l, MG_OUTCOME_BAD_INPUT,
				 "usage: unload MODULE TIMEOUT_MS guarded|dry-run|force"))
			send_all(fd, l.buf, l.len);
		mg_line_free(&l);
		close(fd);
		free(op);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", args[0]);
	mg_module_name_normalize(op->name);
	op->deadline_ns = mg_clock_ns(CLOCK_MONOTONIC) + timeout_ms * 1000000ull;
	op->state = OP_WAITING;
	for (tail = &d->ops; *tail; tail = &(*tail)->next)
		;
	*tail = op;
	if (op->mode == MODE_FORCE)
		mg_warn("forced unload of %s requested by %s[%d]", op->name,
			op->peer_comm, peer);
	d->unload_eval = 1;
	mg_unload_run(d);
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

	if (e == EPERM && mg_bpf_caps(d->bpf)->enforcing)
		e = EWOULDBLOCK;
	if (e == EWOULDBLOCK || e == EBUSY) {
		coming = !mg_kmod_read(d->proc_modules, d->sys_module, op->name,
				       &k) &&
			 !strcmp(k.state, "coming");
		if (op->mode != MODE_FORCE && mg_clock_ns(CLOCK_MONOTONIC) < op->deadline_ns &&
		    (e == EWOULDBLOCK || coming)) {
			op->state = OP_WAITING;
			if (coming)
				mg_daemon_update_watch(d);
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

void mg_unload_on_done(struct mg_daemon *d)
{
	struct mg_unload_op *op = d->unloading;
	uint64_t ticks;
	int e;

	if (read(d->unload_done_fd, &ticks, sizeof(ticks)) < 0 || !op)
		return;
	d->unloading = NULL;
	d->unload_eval = 1;
	e = op->unload_errno;
	if (e && op->intent[0]) {
		/* nothing was unloaded: nothing to suspect */
		mg_record_remove(d->state_dir, op->intent);
		op->intent[0] = '\0';
	}
	if (e)
		op_kernel_refused(d, op, e);
	else
		op_unloaded(d, op);
	mg_unload_run(d);
}

int mg_unload_in_flight(const struct mg_daemon *d, const char *name,
			pid_t *pid, const char **comm)
{
	const struct mg_unload_op *op = d->unloading;

	if (!op || strcmp(op->name, name))
		return 0;
	*pid = op->peer;
	*comm = op->peer_comm;
	return 1;
}

void mg_unload_fini(struct mg_daemon *d)
{
	while (d->ops) {
		/*
		 * a worker still in delete_module() owns its op: leave it, the
		 * process is exiting and the kernel finishes the unload alone
		 */
		if (d->ops == d->unloading) {
			d->ops = d->ops->next;
			continue;
		}
		op_err(d, d->ops, MG_OUTCOME_FAILED,
		       "modguardd is stopping: %s was not unloaded", d->ops->name);
	}
	if (d->unload_timer_fd >= 0)
		close(d->unload_timer_fd);
	if (d->unload_done_fd >= 0)
		close(d->unload_done_fd);
}
