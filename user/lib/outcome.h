/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a request came to, and modguardd's own exit statuses: the one
 * place for both.  The values of enum mg_outcome are the documented exit
 * codes of modguard and modguard-rmmod (each CLI maps an outcome to its own
 * exit code in one function, user/cli/cli.h) and travel on the socket as
 * "exit=" of a result record and "code=" of an err line.
 */
#ifndef MG_OUTCOME_H
#define MG_OUTCOME_H

enum mg_outcome {
	MG_OUTCOME_OK = 0,        /* done (unloaded and clean, or answered) */
	MG_OUTCOME_REFUSED = 1,   /* the module is in use; nothing was done */
	MG_OUTCOME_BAD_INPUT = 2, /* bad usage or input, module not loaded */
	MG_OUTCOME_FAILED = 3,    /* daemon unreachable or internal error */
	MG_OUTCOME_STALE = 4,     /* unloaded, but stale references remain */
};
#define MG_OUTCOME_MAX MG_OUTCOME_STALE

/* "ok", "refused", "bad_input", "failed", "stale"; "?" for anything else */
const char *mg_outcome_name(enum mg_outcome o);
/*
 * Parse a value received from the socket strictly: one decimal digit that
 * is a known outcome ("0".."4"; no sign, no leading zero, no space).
 * Returns 0, or -EINVAL (NULL included); *out is only written on success.
 */
int mg_outcome_parse(const char *s, enum mg_outcome *out);

/* modguardd's own exit statuses (its --help) */
enum mg_daemon_exit {
	MG_DAEMON_EXIT_OK = 0,      /* stopped by SIGTERM/SIGINT */
	MG_DAEMON_EXIT_RUNTIME = 1, /* failed after starting */
	MG_DAEMON_EXIT_USAGE = 2,   /* bad usage */
	MG_DAEMON_EXIT_SETUP = 3,   /* could not start: preflight, BPF, socket, state dir */
};

#endif /* MG_OUTCOME_H */
