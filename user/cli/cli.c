// SPDX-License-Identifier: GPL-2.0
/* shared command-line plumbing; see cli.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "parse.h"

int cli_rmmod_exit(enum mg_outcome o)
{
	/* the outcomes are modguard-rmmod's exit codes, 0 to 4 */
	return (unsigned)o <= MG_OUTCOME_MAX ? (int)o : 3;
}

int cli_modguard_exit(enum mg_outcome o)
{
	/* 0 to 3 as the outcome; no request of modguard's comes to "stale" */
	return o == MG_OUTCOME_STALE ? 3 : cli_rmmod_exit(o);
}

void cli_err(const struct cli *cli, const char *fmt, ...)
{
	char buf[1024];
	struct mg_json *jw;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!cli->json) {
		mg_err("%s", buf);
		return;
	}
	jw = mg_json_new(stdout, cli->pretty);
	if (!jw) {
		/* still valid JSON, just without the detail */
		fputs("{\"error\":\"out of memory\"}\n", stdout);
		return;
	}
	mg_json_start_object(jw);
	mg_json_string_field(jw, "error", buf);
	mg_json_end_object(jw);
	mg_json_finish(jw);
	mg_json_free(jw);
}

struct mg_json *cli_json_new(const struct cli *cli)
{
	struct mg_json *jw = mg_json_new(stdout, cli->pretty);

	if (!jw)
		cli_err(cli, "cannot allocate json writer: %s", strerror(ENOMEM));
	return jw;
}

enum mg_outcome cli_json_done(const struct cli *cli, struct mg_json *jw)
{
	int err = mg_json_finish(jw);

	mg_json_free(jw);
	if (!err)
		return MG_OUTCOME_OK;
	/* stdout is broken or we misused the writer: only stderr is left */
	mg_err("cannot write json output: %s", strerror(-err));
	(void)cli;
	return MG_OUTCOME_FAILED;
}

/* cli_err(), or into msg when the caller collects messages itself */
static void request_err(const struct cli *cli, char *msg, size_t msglen,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void request_err(const struct cli *cli, char *msg, size_t msglen,
			const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (msg && msglen)
		snprintf(msg, msglen, "%s", buf);
	else
		cli_err(cli, "%s", buf);
}

enum mg_outcome cli_request(const struct cli *cli, const char *verb,
		const char *const *args, int nargs, struct mg_reply *r,
		const char *unreach_hint, char *msg, size_t msglen)
{
	struct mg_client c;
	int err;

	memset(r, 0, sizeof(*r));
	if (msg && msglen)
		msg[0] = '\0';
	err = mg_client_connect(&c, cli->socket, cli->timeout_ms);
	if (err) {
		request_err(cli, msg, msglen,
			    "cannot reach modguardd at %s: %s; is it running?%s",
			    cli->socket, strerror(-err),
			    unreach_hint ? unreach_hint : "");
		goto fail;
	}
	err = mg_client_send(&c, verb, args, nargs);
	if (err) {
		request_err(cli, msg, msglen,
			    "cannot send '%s' request to modguardd at %s: %s",
			    verb, cli->socket, strerror(-err));
		goto fail;
	}
	err = mg_client_collect(&c, r);
	if (err == -ETIMEDOUT) {
		request_err(cli, msg, msglen,
			    "modguardd at %s did not answer '%s' within %d.%03d s",
			    cli->socket, verb, cli->timeout_ms / 1000,
			    cli->timeout_ms % 1000);
		goto fail;
	}
	if (err) {
		request_err(cli, msg, msglen,
			    "cannot read '%s' reply from modguardd at %s: %s",
			    verb, cli->socket,
			    err == -EPROTO
				    ? "connection closed before the reply ended"
				    : strerror(-err));
		goto fail;
	}
	mg_client_close(&c);
	if (r->err_code == MG_OUTCOME_OK)
		return MG_OUTCOME_OK;
	/* the daemon's own words, e.g. "module foo is not loaded" */
	request_err(cli, msg, msglen, "%s",
		    r->err_msg ? r->err_msg : "unspecified error");
	return r->err_code;
fail:
	mg_client_close(&c);
	return MG_OUTCOME_FAILED;
}

enum mg_outcome cli_result_outcome(const struct mg_record *rec, char *broken,
				   size_t len)
{
	const char *exit = mg_record_get(rec, "exit");
	const char *message = mg_record_get(rec, "message");
	enum mg_outcome o;

	if (len)
		broken[0] = '\0';
	if (!mg_outcome_parse(exit, &o))
		return o;
	snprintf(broken, len,
		 "broken reply from modguardd: its result has exit=%s, not an "
		 "outcome (0-4); it said: %s", exit ? exit : "(none)",
		 message && *message ? message : "(nothing)");
	return MG_OUTCOME_FAILED;
}

enum mg_outcome cli_check_names(const struct cli *cli, char **names, int n)
{
	for (int i = 0; i < n; i++) {
		if (mg_module_name_valid(names[i]))
			continue;
		cli_err(cli,
			"invalid module name '%s': expected 1..%d characters of [A-Za-z0-9_-]",
			names[i], MG_MODULE_NAME_LEN - 1);
		return MG_OUTCOME_BAD_INPUT;
	}
	return MG_OUTCOME_OK;
}
