/* SPDX-License-Identifier: GPL-2.0 */
/* what modguard and modguard-rmmod share: exit codes, errors, requests */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "json_writer.h"
#include "outcome.h"

/*
 * The exit code of each command for an outcome: interface, keep in sync
 * with its --help and the README.  modguard: 0 success, 1 refused
 * (reserved), 2 bad usage or input, 3 anything else.  modguard-rmmod: 0-4
 * as the outcome (the worst over all modules).
 */
int cli_modguard_exit(enum mg_outcome o);
int cli_rmmod_exit(enum mg_outcome o);

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
/* finish + free; MG_OUTCOME_FAILED if the output could not be written */
enum mg_outcome cli_json_done(const struct cli *cli, struct mg_json *jw);

/*
 * One request to the daemon, reply collected in r (free it with
 * mg_reply_free() whatever the result). Returns MG_OUTCOME_OK,
 * MG_OUTCOME_FAILED when unreachable or the reply was broken (unreach_hint
 * is appended to the unreachable message), or the daemon's err code
 * (MG_OUTCOME_BAD_INPUT or MG_OUTCOME_FAILED) with the daemon's message.
 * The message goes to msg when msg is not NULL (callers that put errors
 * into a larger JSON document), else it is reported with cli_err().
 */
enum mg_outcome cli_request(const struct cli *cli, const char *verb,
		const char *const *args, int nargs, struct mg_reply *r,
		const char *unreach_hint, char *msg, size_t msglen);

/*
 * The outcome a "result" record carries in exit=, parsed strictly (never
 * atoi): a missing or unknown value makes the reply broken, which comes
 * to MG_OUTCOME_FAILED with the reason in broken (naming the value and
 * what the daemon said).  broken is "" for a good value.
 */
enum mg_outcome cli_result_outcome(const struct mg_record *rec, char *broken,
				   size_t len);

/* validate module names before any connection; MG_OUTCOME_BAD_INPUT if one is bad */
enum mg_outcome cli_check_names(const struct cli *cli, char **names, int n);

#endif /* MG_CLI_H */
