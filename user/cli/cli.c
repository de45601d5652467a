// SPDX-License-Identifier: GPL-2.0
/* shared command-line plumbing; see cli.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "parse.h"

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

int cli_json_done(const struct cli *cli, struct mg_json *jw)
{
	int err = mg_json_finish(jw);

	mg_json_free(jw);
	if (!err)
		return MG_EXIT_OK;
	/* stdout is broken or we misused the writer: only stderr is left */
	mg_err("cannot write json output: %s", strerror(-err));
	(void)cli;
	return MG_EXIT_FAIL;
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

int cli_request(const struct cli *cli, const char *verb,
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
	if (!r->err_code)
		return MG_EXIT_OK;
	/* the daemon's own words, e.g. "module foo is not loaded" */
	request_err(cli, msg, msglen, "%s",
		    r->err_msg ? r->err_msg : "unspecified error");
	return r->err_code == MG_ERR_BADINPUT ? MG_EXIT_USAGE : MG_EXIT_FAIL;
fail:
	mg_client_close(&c);
	return MG_EXIT_FAIL;
}

int cli_check_names(const struct cli *cli, char **names, int n)
{
	for (int i = 0; i < n; i++) {
		if (mg_module_name_valid(names[i]))
			continue;
		cli_err(cli,
			"invalid module name '%s': expected 1..%d characters of [A-Za-z0-9_-]",
			names[i], MG_MODULE_NAME_MAX);
		return MG_EXIT_USAGE;
	}
	return MG_EXIT_OK;
}
