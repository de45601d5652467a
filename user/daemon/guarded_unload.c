// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "kernel_view.h"
#include "log.h"
#include "parse.h"
#include "proto.h"
#include "records.h"
#include "report.h"
#include "unload.h"

/* how many gone modules with stale references are kept for reports */
#define MG_MAX_GONE 64

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
	char peer_comm[16];
	int unload_errno;    /* from the worker */
	int verdict_clean;   /* the verdict was clean when we unloaded */
	char build[96];
	char intent[96];     /* the "unloading" record, while it is in flight */
	char *last_wait;     /* what we last told the client we wait on */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int mg_unload_init(struct mg_daemon *d)
{
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
	free(op->last_wait);
	free(op);
}

/* nothing left to wait on: detach the (hot) task watch */
static void rearm(struct mg_daemon *d)
{
	struct itimerspec its = { 0 };
	uint64_t next = 0, now = mono_ns();
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

static void op_err(struct mg_daemon *d, struct mg_unload_op *op, int code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void op_err(struct mg_daemon *d, struct mg_unload_op *op, int code,
		   const char *fmt, ...)
{
	struct mg_line l = { 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!mg_line_err(&l, code, msg))
		send_all(op->fd, l.buf, l.len);
	mg_line_free(&l);
	op_free(d, op);
}

/* the protocol lines of body as the refs of a record */
static void refs_from_body(const char *body, size_t len,
			   struct mg_unload_record *rec)
{
	char *copy = malloc(len + 1), *line, *save = NULL;
	struct mg_record r;
	size_t cap = 0;

	if (!copy)
		return;
	memcpy(copy, body, len);
	copy[len] = '\0';
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mg_ref_summary *s;
		const char *v;

		if (mg_record_parse(line, strlen(line), &r) || strcmp(r.tag, "ref"))
			continue;
		if (rec->nrefs == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *n = realloc(rec->refs, ncap * sizeof(*rec->refs));

			if (!n)
				break;
			rec->refs = n;
			cap = ncap;
		}
		s = &rec->refs[rec->nrefs++];
		memset(s, 0, sizeof(*s));
#define COPY(field, key)                                                \
	do {                                                            \
		v = mg_record_get(&r, key);                             \
		snprintf(s->field, sizeof(s->field), "%s", v ? v : ""); \
	} while (0)
		COPY(kind, "kind");
		COPY(function, "function");
		COPY(site, "site");
		COPY(comm, "comm");
		COPY(note, "note");
#undef COPY
		v = mg_record_get(&r, "pid");
		s->pid = v ? (uint32_t)strtoul(v, NULL, 10) : 0;
	}
	free(copy);
}

/*
 * Durable first, then the kernel log, then the answer: a record must exist
 * before anyone is told, and must survive the crash that may follow.
 */
static void write_record(struct mg_daemon *d, const char *outcome,
			 const char *module, const char *build, pid_t pid,
			 const char *comm, const char *reason, const char *body,
			 size_t body_len, char *id_out, size_t id_len)
{
	struct mg_unload_record rec = { 0 };
	int err;

	snprintf(rec.boot, sizeof(rec.boot), "%s", d->boot_id);
	snprintf(rec.outcome, sizeof(rec.outcome), "%s", outcome);
	snprintf(rec.module, sizeof(rec.module), "%s", module);
	snprintf(rec.build, sizeof(rec.build), "%s", build ? build : "");
	snprintf(rec.requester_comm, sizeof(rec.requester_comm), "%s", comm);
	snprintf(rec.reason, sizeof(rec.reason), "%s", reason);
	rec.requester_pid = pid;
	refs_from_body(body, body_len, &rec);
	err = mg_record_write(d->state_dir, &rec);
	if (err)
		mg_err("records: cannot write the %s record of %s to %s: %s",
		       outcome, module, d->state_dir, strerror(-err));
	else if (id_out)
		snprintf(id_out, id_len, "%s", rec.id);
	/* an intent is not news: the stale or crash record will be */
	err = strcmp(outcome, "unloading") ? mg_record_kmsg(d->kmsg_path, &rec) : 0;
	if (err)
		mg_warn("records: cannot write to %s: %s", d->kmsg_path,
			strerror(-err));
	free(rec.refs);
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* the final answer: result record, the evidence, ok */
static void op_finish(struct mg_daemon *d, struct mg_unload_op *op,
		      const char *outcome, int exit_code, const char *message,
		      const char *record, const char *body, size_t body_len)
{
	struct mg_line l = { 0 };

	mg_line_init(&l, "result");
	mg_line_add_str(&l, "module", op->name);
	mg_line_add_str(&l, "outcome", outcome);
	mg_line_add_u64(&l, "exit", exit_code);
	mg_line_add_str(&l, "message", message);
	if (record && *record)
		mg_line_add_str(&l, "record", record);
	mg_line_add_u64(&l, "forced", op->mode == MODE_FORCE);
	send_line(op->fd, &l);
	if (body_len)
		send_all(op->fd, body, body_len);
	if (!mg_line_ok(&l))
		send_all(op->fd, l.buf, l.len);
	mg_line_free(&l);
	mg_info("unload %s for %s[%d]: %s: %s", op->name, op->peer_comm,
		op->peer, outcome, message);
	op_free(d, op);
}

static void op_refuse(struct mg_daemon *d, struct mg_unload_op *op,
		      const struct mg_kmod *k, const char *message,
		      const char *body, size_t body_len)
{
	char id[96] = "";

	write_record(d, "refused", op->name, k ? k->build : "", op->peer,
		     op->peer_comm, message, body, body_len, id, sizeof(id));
	op_finish(d, op, "refused", MG_RM_REFUSED, message, id, body, body_len);
}

static void *unload_worker(void *arg)
{
	struct mg_daemon *d = arg;
	struct mg_unload_op *op = d->unloading;
	uint64_t one = 1;

	/* O_NONBLOCK is what rmmod passes; ignored by the kernel since 3.13 */
	if (syscall(SYS_delete_module, op->name, O_NONBLOCK))
		op->unload_errno = errno;
	else
		op->unload_errno = 0;
	if (write(d->unload_done_fd, &one, sizeof(one)) < 0)
		mg_err("unload: cannot wake the event loop: %s", strerror(errno));
	return NULL;
}

/*
 * Write-ahead: a leftover whose object lives in the module's own memory
 * can crash the kernel while delete_module() frees it, before anyone can
 * look.  So what is armed when the exit starts is made durable first, and
 * named on the console; a later boot turns a leftover intent into a crash
 * record (mg_unload_recover()).  Removed once the unload is settled.
 */
static void write_intent(struct mg_daemon *d, struct mg_unload_op *op,
			 const char *body, size_t body_len)
{
	struct mg_unload_record rec = { 0 };
	char what[400] = "";
	size_t off = 0;

	if (!body || !memmem(body, body_len, "\nref ", 5))
		return; /* nothing armed: nothing to suspect */
	write_record(d, "unloading", op->name, op->build, op->peer,
		     op->peer_comm,
		     "unload began with these armed; if the kernel went down "
		     "before it was settled, they are the suspects",
		     body, body_len, op->intent, sizeof(op->intent));
	refs_from_body(body, body_len, &rec);
	for (size_t i = 0; i < rec.nrefs && i < 4; i++) {
		int n = snprintf(what + off, sizeof(what) - off, "%s%s %s",
				 i ? ", " : "", rec.refs[i].kind,
				 rec.refs[i].function);

		if (n < 0 || (size_t)n >= sizeof(what) - off)
			break;
		off += n;
	}
	free(rec.refs);
	/* warning level: it must reach the console if a crash follows */
	mg_kmsg_log(d->kmsg_path,
		     "unloading %s: its exit must cancel %s%s (record %s)",
		     op->name, what, rec.nrefs > 4 ? ", ..." : "", op->intent);
}

static void start_unload(struct mg_daemon *d, struct mg_unload_op *op,
			 int verdict_clean, const char *body, size_t body_len)
{
	pthread_t t;
	int err;

	write_intent(d, op, body, body_len);
	op->state = OP_UNLOADING;
	op->verdict_clean = verdict_clean;
	d->unloading = op;
	err = pthread_create(&t, NULL, unload_worker, d);
	if (err) {
		d->unloading = NULL;
		op_err(d, op, MG_ERR_INTERNAL, "cannot start the unload: %s",
		       strerror(err));
		return;
	}
	pthread_detach(t);
}

static void op_evaluate(struct mg_daemon *d, struct mg_unload_op *op)
{
	struct mg_report_opts o = { .show_addrs = 1 };
	const struct mg_unload_record *q;
	struct mg_unload_record *recs = NULL;
	enum mg_verdict v;
	struct mg_kmod k;
	char *body = NULL, msg[1024];
	size_t body_len = 0, nrecs = 0;
	uint64_t now = mono_ns();
	FILE *b;
	int err;

	err = mg_kmod_read(d->proc_modules, d->sys_module, op->name, &k);
	if (err == -ENOENT) {
		op_err(d, op, MG_ERR_BADINPUT, "module %s is not loaded", op->name);
		return;
	}
	if (err == -EEXIST) {
		op_err(d, op, MG_ERR_BADINPUT,
		       "module %s is built into the kernel: it cannot be unloaded",
		       op->name);
		return;
	}
	if (err) {
		op_err(d, op, MG_ERR_INTERNAL, "cannot read %s: %s",
		       d->proc_modules, strerror(-err));
		return;
	}

	if (op->mode != MODE_FORCE) {
		err = mg_records_load(d->state_dir, &recs, &nrecs, NULL);
		q = err ? NULL : mg_records_quarantine(recs, nrecs, k.name, k.build);
		if (q) {
			snprintf(msg, sizeof(msg),
				 "quarantined: this build of %s left stale "
				 "references behind before (record %s); "
				 "use --force to unload it anyway",
				 k.name, q->id);
			mg_records_free(recs, nrecs);
			if (op->mode == MODE_DRY_RUN)
				op_finish(d, op, "quarantined", MG_RM_REFUSED, msg,
					  NULL, NULL, 0);
			else
				op_refuse(d, op, &k, msg, NULL, 0);
			return;
		}
		mg_records_free(recs, nrecs);
	}

	mg_bpf_settle_armed(d->bpf);
	mg_daemon_rescan(d);
	b = open_memstream(&body, &body_len);
	if (!b) {
		op_err(d, op, MG_ERR_INTERNAL, "out of memory");
		return;
	}
	err = mg_report_kmod(d, &k, &o, b, &v);
	fclose(b);
	if (err) {
		free(body);
		op_err(d, op, MG_ERR_INTERNAL, "cannot judge %s: %s", op->name,
		       strerror(-err));
		return;
	}

	snprintf(op->build, sizeof(op->build), "%s", k.build);
	mg_dbg("unload %s: verdict %s (%zu bytes of evidence)", op->name,
	       mg_verdict_name(v), body_len);
	if (op->mode == MODE_FORCE) {
		start_unload(d, op, v == MG_VERDICT_CLEAN, body, body_len);
		free(body);
		return;
	}
	if (k.holders[0]) {
		/* dependents do not go away by waiting */
		snprintf(msg, sizeof(msg), "%s is in use by %s: unload %s first",
			 k.name, k.holders, k.holders);
		if (op->mode == MODE_DRY_RUN)
			op_finish(d, op, "dry-run", MG_RM_REFUSED, msg, NULL, body,
				  body_len);
		else
			op_refuse(d, op, &k, msg, body, body_len);
		free(body);
		return;
	}
	if (v == MG_VERDICT_CLEAN) {
		if (op->mode == MODE_DRY_RUN)
			op_finish(d, op, "dry-run", MG_RM_UNLOADED,
				  "clean: would unload now", NULL, body, body_len);
		else
			start_unload(d, op, 1, body, body_len);
		free(body);
		return;
	}
	if (op->mode == MODE_DRY_RUN) {
		op_finish(d, op, "dry-run", MG_RM_REFUSED,
			  "busy: an unload would wait on these", NULL, body,
			  body_len);
		free(body);
		return;
	}
	if (now >= op->deadline_ns) {
		snprintf(msg, sizeof(msg), "%s is still busy at the timeout",
			 k.name);
		op_refuse(d, op, &k, msg, body, body_len);
		free(body);
		return;
	}
	/* busy: tell the client what we wait on when it changes, then wait */
	if (!op->last_wait || strcmp(op->last_wait, body)) {
		struct mg_line l = { 0 };

		/* the evidence first, "wait" last: it closes the group */
		send_all(op->fd, body, body_len);
		mg_line_init(&l, "wait");
		mg_line_add_str(&l, "module", op->name);
		mg_line_add_u64(&l, "remaining_ms",
				(op->deadline_ns - now) / 1000000);
		send_line(op->fd, &l);
		mg_line_free(&l);
		free(op->last_wait);
		op->last_wait = body;
		body = NULL;
	}
	free(body);
	mg_daemon_update_watch(d);
}

void mg_unload_request(struct mg_daemon *d, int fd, char **args, int nargs,
		       pid_t peer)
{
	struct mg_unload_op *op, **tail;
	uint64_t timeout_ms;
	struct mg_line l = { 0 };

	op = calloc(1, sizeof(*op));
	if (!op) {
		close(fd);
		return;
	}
	op->fd = fd;
	op->peer = peer;
	comm_of(peer, op->peer_comm, sizeof(op->peer_comm));
	if (nargs != 3 || !mg_module_name_valid(args[0]) ||
	    mg_parse_u64(args[1], 0, 7 * 24 * 3600 * 1000ull, &timeout_ms) ||
	    (strcmp(args[2], "guarded") && strcmp(args[2], "dry-run") &&
	     strcmp(args[2], "force"))) {
		if (!mg_line_err(&l, MG_ERR_BADINPUT,
				 "usage: unload MODULE TIMEOUT_MS guarded|dry-run|force"))
			send_all(fd, l.buf, l.len);
		mg_line_free(&l);
		close(fd);
		free(op);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", args[0]);
	mg_module_name_normalize(op->name);
	op->mode = !strcmp(args[2], "force")     ? MODE_FORCE
		   : !strcmp(args[2], "dry-run") ? MODE_DRY_RUN
						 : MODE_GUARDED;
	op->deadline_ns = mono_ns() + timeout_ms * 1000000ull;
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

void mg_unload_on_done(struct mg_daemon *d)
{
	struct mg_unload_op *op = d->unloading;
	struct mg_report_opts o = { .show_addrs = 1 };
	struct mg_module *m;
	struct mg_kmod k;
	char *body = NULL, msg[512];
	size_t body_len = 0, left;
	uint64_t ticks;
	int e;
	FILE *b;

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

	/* our own enforcement saw a caller get in after the verdict: busy */
	if (e == EPERM && mg_bpf_caps(d->bpf)->enforcing)
		e = EWOULDBLOCK;
	if (e == EWOULDBLOCK || e == EBUSY) {
		int coming = !mg_kmod_read(d->proc_modules, d->sys_module,
					   op->name, &k) &&
			     !strcmp(k.state, "coming");

		/*
		 * EWOULDBLOCK: a reference was taken between the verdict and
		 * the call; EBUSY: still in its init (or already going).
		 * Either may pass: wait again while there is time.
		 */
		if (op->mode != MODE_FORCE && mono_ns() < op->deadline_ns &&
		    (e == EWOULDBLOCK || coming)) {
			op->state = OP_WAITING;
			if (coming)
				mg_daemon_update_watch(d);
			mg_unload_run(d);
			return;
		}
		snprintf(msg, sizeof(msg), "the kernel refused to unload %s: %s%s",
			 op->name, strerror(e),
			 coming ? " (still in its init function)" : "");
		op_refuse(d, op, NULL, msg, NULL, 0);
		mg_unload_run(d);
		return;
	}
	if (e == ENOENT) {
		op_err(d, op, MG_ERR_BADINPUT, "module %s is not loaded", op->name);
		mg_unload_run(d);
		return;
	}
	if (e) {
		snprintf(msg, sizeof(msg), "the kernel refused to unload %s: %s",
			 op->name, strerror(e));
		op_refuse(d, op, NULL, msg, NULL, 0);
		mg_unload_run(d);
		return;
	}

	/* unloaded: module_free and what it left behind are in the ring */
	mg_bpf_consume(d->bpf);
	m = mg_table_find_name(&d->table, op->name);
	if (!m || m->state != MG_MOD_GONE) {
		op_finish(d, op, "unloaded", MG_RM_UNLOADED,
			  "unloaded; modguardd did not see its exit, so what "
			  "it left behind is unknown",
			  NULL, NULL, 0);
		mg_unload_run(d);
		return;
	}
	b = open_memstream(&body, &body_len);
	left = b ? mg_report_gone(d, m, &o, b) : 0;
	if (b)
		fclose(b);
	if (left) {
		snprintf(msg, sizeof(msg),
			 "unloaded, but %zu stale reference%s remain%s: the "
			 "kernel may crash when they fire",
			 left, left == 1 ? "" : "s", left == 1 ? "s" : "");
		op_finish(d, op, "stale", MG_RM_STALE, msg, m->record, body,
			  body_len);
	} else {
		op_finish(d, op, "unloaded", MG_RM_UNLOADED,
			  op->mode == MODE_FORCE ? "unloaded (forced)" : "unloaded",
			  NULL, NULL, 0);
		mg_bpf_forget_module(d->bpf, m->addr);
		mg_table_retire(&d->table, m);
	}
	free(body);
	mg_unload_run(d);
}

static void retire_oldest_gone(struct mg_daemon *d)
{
	struct mg_module *oldest = NULL;
	size_t ngone = 0;

	for (size_t i = 0; i < d->table.n; i++) {
		struct mg_module *m = d->table.mods[i];

		if (m->state != MG_MOD_GONE)
			continue;
		ngone++;
		if (!oldest || m->gone_ns < oldest->gone_ns)
			oldest = m;
	}
	if (ngone > MG_MAX_GONE && oldest) {
		mg_bpf_forget_module(d->bpf, oldest->addr);
		mg_table_retire(&d->table, oldest);
	}
}

void mg_after_free(struct mg_daemon *d, struct mg_module *m,
		   const struct mg_event *e)
{
	struct mg_report_opts o = { .show_addrs = 1 };
	char *body = NULL, reason[256];
	size_t body_len = 0, left;
	FILE *b;

	mg_daemon_rescan(d);
	b = open_memstream(&body, &body_len);
	if (!b)
		return;
	left = mg_report_gone(d, m, &o, b);
	fclose(b);
	if (!left) {
		free(body);
		/* a guarded unload still has to answer about it: it retires it */
		if (!d->unloading || strcmp(d->unloading->name, m->name)) {
			mg_bpf_forget_module(d->bpf, m->addr);
			mg_table_retire(&d->table, m);
		}
		return;
	}
	snprintf(reason, sizeof(reason),
		 "unloaded with %zu stale reference%s: the kernel may crash "
		 "when they fire", left, left == 1 ? "" : "s");
	/* a guarded unload's requester is its client, not our worker thread */
	if (d->unloading && !strcmp(d->unloading->name, m->name))
		write_record(d, "stale", m->name, m->build, d->unloading->peer,
			     d->unloading->peer_comm, reason, body, body_len,
			     m->record, sizeof(m->record));
	else
		write_record(d, "stale", m->name, m->build, e->tgid, e->comm,
			     reason, body, body_len, m->record, sizeof(m->record));
	free(body);
	retire_oldest_gone(d);
}

/*
 * Intents left by an unload that was never settled.  From an earlier boot:
 * the kernel went down during or right after it, so what was armed when
 * its exit began is the evidence, and the build is quarantined like any
 * stale unload.  From this boot: modguardd itself stopped mid-way, which
 * says nothing about the module.
 */
void mg_unload_recover(struct mg_daemon *d)
{
	struct mg_unload_record *recs = NULL;
	size_t n = 0;

	if (mg_records_load(d->state_dir, &recs, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++) {
		struct mg_unload_record *r = &recs[i];
		char id[96];

		if (strcmp(r->outcome, "unloading"))
			continue;
		if (r->boot[0] && strcmp(r->boot, d->boot_id)) {
			snprintf(r->outcome, sizeof(r->outcome), "stale");
			snprintf(r->reason, sizeof(r->reason),
				 "the kernel went down during or after this "
				 "unload; these were armed when its exit began");
			snprintf(id, sizeof(id), "%s", r->id);
			r->time_ns = 0;
			snprintf(r->boot, sizeof(r->boot), "%s", d->boot_id);
			if (!mg_record_write(d->state_dir, r)) {
				mg_record_kmsg(d->kmsg_path, r);
				mg_warn("the unload of %s did not finish before the "
					"kernel went down: record %s", r->module,
					r->id);
				mg_record_remove(d->state_dir, id);
			}
		} else {
			mg_warn("modguardd stopped during the unload of %s: what "
				"it left behind was not checked", r->module);
			mg_record_remove(d->state_dir, r->id);
		}
	}
	mg_records_free(recs, n);
}

void mg_enforcement_refused(struct mg_daemon *d, struct mg_module *m,
			    const struct mg_event *e)
{
	struct mg_report_opts o = { .show_addrs = 1 };
	struct mg_kmod k;
	char *body = NULL, reason[256];
	size_t body_len = 0;
	FILE *b;

	snprintf(reason, sizeof(reason),
		 "%s refused by modguard: %llu caller%s inside its owner-less "
		 "file operations, %llu task%s seen inside its text, %llu "
		 "file%s open on its owner-less devices",
		 "delete_module()", (unsigned long long)e->obj,
		 e->obj == 1 ? "" : "s", (unsigned long long)e->expires,
		 e->expires == 1 ? "" : "s", (unsigned long long)e->func,
		 e->func == 1 ? "" : "s");
	/* the evidence as it is now */
	mg_daemon_rescan(d);
	b = open_memstream(&body, &body_len);
	if (b) {
		if (!mg_kmod_read(d->proc_modules, d->sys_module, e->name, &k))
			mg_report_kmod(d, &k, &o, b, NULL);
		fclose(b);
	}
	write_record(d, "refused", e->name, m ? m->build : "", e->tgid, e->comm,
		     reason, body ? body : "", body_len, NULL, 0);
	mg_info("refused %s[%u]'s delete_module(%s): %s", e->comm, e->tgid,
		e->name, reason);
	free(body);
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
		op_err(d, d->ops, MG_ERR_INTERNAL,
		       "modguardd is stopping: %s was not unloaded", d->ops->name);
	}
	if (d->unload_timer_fd >= 0)
		close(d->unload_timer_fd);
	if (d->unload_done_fd >= 0)
		close(d->unload_done_fd);
}
