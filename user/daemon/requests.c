// SPDX-License-Identifier: GPL-2.0
/* The protocol's verbs; see requests.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "guarded_unload.h"
#include "log.h"
#include "outcome.h"
#include "parse.h"
#include "proto.h"
#include "records.h"
#include "report.h"
#include "requests.h"
#include "status.h"

void mg_reply_err(FILE *out, int code, const char *fmt, ...)
{
	struct mg_line l = { 0 };
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mg_line_verrf(&l, code, fmt, ap);
	va_end(ap);
	if (!err)
		fwrite(l.buf, 1, l.len, out);
	mg_line_free(&l);
}

static void reply_ok(FILE *out)
{
	struct mg_line l = { 0 };

	if (!mg_line_ok(&l))
		fwrite(l.buf, 1, l.len, out);
	mg_line_free(&l);
}

struct request {
	struct mg_daemon *d;
	const struct mg_peer *peer;
	char **args;
	int nargs;
	FILE *out;
};

static int show_addrs(const struct request *r)
{
	return mg_peer_may_see_addrs(r->peer, r->d->kptr_restrict_path,
				     r->d->perf_paranoid_path);
}

static void do_status(const struct request *r)
{
	if (r->nargs) {
		mg_reply_err(r->out, MG_OUTCOME_BAD_INPUT,
			     "status takes no arguments");
		return;
	}
	mg_status_encode(r->d, r->out);
	reply_ok(r->out);
}

/* -ENOENT/-EEXIST from the report as the message users should read */
static void reply_module_err(FILE *out, const char *name, int err)
{
	if (err == -ENOENT)
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT, "module %s is not loaded",
			     name);
	else if (err == -EEXIST)
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT,
			     "module %s is built into the kernel", name);
	else
		mg_reply_err(out, MG_OUTCOME_FAILED, "cannot report %s: %s", name,
			     strerror(-err));
}

static void do_report(const struct request *r)
{
	int addrs = show_addrs(r), err = 0, i;
	char *body = NULL;
	size_t body_len = 0;
	uint64_t t0;
	FILE *b;

	for (i = 0; i < r->nargs; i++) {
		if (!mg_module_name_valid(r->args[i])) {
			mg_reply_err(r->out, MG_OUTCOME_BAD_INPUT,
				     "invalid module name '%.64s'", r->args[i]);
			return;
		}
	}
	t0 = mg_clock_ns(CLOCK_MONOTONIC);
	/* callbacks disarmed where no tracepoint saw it must not be listed */
	mg_bpf_settle_armed(r->d->bpf);
	mg_daemon_rescan(r->d);
	/* all or nothing: records only when every module could be reported */
	b = open_memstream(&body, &body_len);
	if (!b) {
		mg_reply_err(r->out, MG_OUTCOME_FAILED, "out of memory");
		return;
	}
	if (!r->nargs)
		err = mg_report_all(r->d, addrs, b);
	for (i = 0; i < r->nargs && !err; i++)
		err = mg_report_module(r->d, r->args[i], addrs, b);
	fclose(b);
	/* the verdict latency: the whole report, scan included */
	mg_metrics_observe_verdict(&r->d->metrics,
				   mg_clock_ns(CLOCK_MONOTONIC) - t0);
	if (err && r->nargs)
		reply_module_err(r->out, r->args[i - 1], err);
	else if (err)
		mg_reply_err(r->out, MG_OUTCOME_FAILED, "cannot read modules: %s",
			     strerror(-err));
	else {
		fwrite(body, 1, body_len, r->out);
		reply_ok(r->out);
	}
	free(body);
}

/* "0x" and more than 8 hex digits: a raw kernel address */
static void mask_addrs(char *s)
{
	for (char *p = s; (p = strstr(p, "0x"));) {
		size_t n = strspn(p + 2, "0123456789abcdefABCDEF");

		if (n > 8) {
			memmove(p + 1, p + 2 + n, strlen(p + 2 + n) + 1);
			*p = '?';
		}
		p++;
	}
}

static void record_mask_addrs(struct mg_unload_record *rec)
{
	mask_addrs(rec->reason);
	for (size_t i = 0; i < rec->nrefs; i++) {
		mask_addrs(rec->refs[i].function);
		mask_addrs(rec->refs[i].site);
		mask_addrs(rec->refs[i].note);
	}
}

static void do_history(const struct request *r)
{
	struct mg_unload_record *recs = NULL;
	size_t n = 0, skipped = 0;
	int err;

	if (r->nargs) {
		mg_reply_err(r->out, MG_OUTCOME_BAD_INPUT,
			     "history takes no arguments");
		return;
	}
	err = mg_records_load(r->d->state_dir, &recs, &n, &skipped);
	if (err) {
		mg_reply_err(r->out, MG_OUTCOME_FAILED,
			     "cannot read records in %s: %s", r->d->state_dir,
			     strerror(-err));
		return;
	}
	/* records keep addresses on disk (root only): masked when served */
	if (!show_addrs(r))
		for (size_t i = 0; i < n; i++)
			record_mask_addrs(&recs[i]);
	mg_records_emit(r->out, recs, n);
	mg_records_free(recs, n);
	reply_ok(r->out);
}

/* a person took a look: the module's stale and damaged records go */
static void do_clear_quarantine(const struct request *r)
{
	const char *why = mg_peer_why_not_unload(r->peer);
	struct mg_line l = { 0 };
	char name[MG_MODULE_NAME_LEN], ids[1024];
	int n;

	if (r->nargs != 1 || !mg_module_name_valid(r->args[0])) {
		mg_reply_err(r->out, MG_OUTCOME_BAD_INPUT,
			     "usage: clear_quarantine MODULE");
		return;
	}
	if (why) {
		mg_reply_err(r->out, MG_OUTCOME_BAD_INPUT,
			     "clearing a quarantine: %s", why);
		return;
	}
	snprintf(name, sizeof(name), "%s", r->args[0]);
	mg_module_name_normalize(name);
	n = mg_records_clear_quarantine(r->d->state_dir, name, ids, sizeof(ids));
	if (n < 0) {
		mg_reply_err(r->out, MG_OUTCOME_FAILED,
			     "cannot clear the quarantine of %s in %s: %s", name,
			     r->d->state_dir, strerror(-n));
		return;
	}
	mg_info("quarantine of %s cleared by pid %d: %d record%s (%s)", name,
		(int)r->peer->pid, n, n == 1 ? "" : "s", n ? ids : "none");
	if (n > 0) {
		r->d->metrics.quarantine_dirty = 1;
		mg_metrics_changed(&r->d->metrics, mg_clock_ns(CLOCK_MONOTONIC));
	}
	mg_line_init(&l, "cleared");
	mg_line_add_str(&l, "module", name);
	mg_line_add_u64(&l, "count", (uint64_t)n);
	mg_line_add_str(&l, "ids", n ? ids : "");
	if (!mg_line_finish(&l))
		fwrite(l.buf, 1, l.len, r->out);
	mg_line_free(&l);
	reply_ok(r->out);
}

static const struct {
	const char *verb;
	void (*fn)(const struct request *r);
} verbs[] = {
	{ "status", do_status },
	{ "report", do_report },
	{ "history", do_history },
	{ "clear_quarantine", do_clear_quarantine },
};

int mg_requests_answer(struct mg_daemon *d, struct mg_conn *conn,
		       const struct mg_peer *peer, char *req, size_t len,
		       FILE *out)
{
	char *verb, *args[MG_MAX_ARGS];
	struct request r = { .d = d, .peer = peer, .args = args, .out = out };
	int err;

	err = mg_request_parse_n(req, len, &verb, args, MG_MAX_ARGS, &r.nargs);
	if (err == -EPROTONOSUPPORT) {
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT,
			     "unsupported protocol version (this is %s)",
			     MG_PROTO_VERSION);
		return 0;
	}
	if (err) {
		mg_reply_err(out, MG_OUTCOME_BAD_INPUT, "malformed request: %s",
			     strerror(-err));
		return 0;
	}
	if (!strcmp(verb, "unload"))
		return mg_unload_request(d, conn, peer, args, r.nargs, out);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(verb, verbs[i].verb)) {
			verbs[i].fn(&r);
			return 0;
		}
	}
	mg_reply_err(out, MG_OUTCOME_BAD_INPUT, "unknown request '%.32s'", verb);
	return 0;
}
