/* SPDX-License-Identifier: GPL-2.0 */
/* what modguard and modguard-rmmod share: exit codes, errors, requests */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "json_writer.h"

/* exit codes are interface: keep in sync with --help and docs */
enum {
	MG_EXIT_OK = 0,
	MG_EXIT_REFUSED = 1, /* the module is in use; nothing was done */
	MG_EXIT_USAGE = 2,   /* bad usage or input, module not loaded */
	MG_EXIT_FAIL = 3,    /* daemon unreachable or internal error */
};

struct cli {
	const char *prog;   /* name in messages */
	const char *socket; /* resolved socket path */
	bool json;
	bool pretty;
	int verbose;
	int timeout_ms;
};

/*
 * Report an error the way the mode asks: "prog: msg" on stderr in text mode,
 * {"error":"msg"} on stdout in JSON mode so stdout stays valid JSON.
 */
void cli_err(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* a new writer on stdout honouring -p; reports allocation failure */
struct mg_json *cli_json_new(const struct cli *cli);
/* finish + free; MG_EXIT_FAIL if the output could not be written */
int cli_json_done(const struct cli *cli, struct mg_json *jw);

/*
 * One request to the daemon, reply collected in r (free it with
 * mg_reply_free() whatever the result). Returns an exit code: MG_EXIT_OK,
 * MG_EXIT_FAIL when unreachable or the reply was broken (unreach_hint is
 * appended to the unreachable message), or the daemon's err code
 * (MG_EXIT_USAGE, else MG_EXIT_FAIL) with the daemon's message. The message
 * goes to msg when msg is not NULL (callers that put errors into a larger
 * JSON document), else it is reported with cli_err().
 */
int cli_request(const struct cli *cli, const char *verb,
		const char *const *args, int nargs, struct mg_reply *r,
		const char *unreach_hint, char *msg, size_t msglen);

/* validate module names before any connection; MG_EXIT_USAGE if one is bad */
int cli_check_names(const struct cli *cli, char **names, int n);

#endif /* MG_CLI_H */
