/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verbs of the protocol (docs/PROTOCOL.md): one parsed request of a
 * connection answered into a reply buffer, or handed to a guarded unload.
 * The transport (connections, framing, limits) is server.c.
 */
#ifndef MG_REQUESTS_H
#define MG_REQUESTS_H

#include <stdio.h>

#include "daemon.h"
#include "peer.h"

struct mg_conn;

/*
 * Answer the request line req[0..len) (its '\n' included) of conn from
 * peer into out.  Returns 1 when conn was handed to a guarded unload
 * (which answers on it from now on), 0 otherwise.
 */
int mg_requests_answer(struct mg_daemon *d, struct mg_conn *conn,
		       const struct mg_peer *peer, char *req, size_t len,
		       FILE *out);
/* an "err" line into out */
void mg_reply_err(FILE *out, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* MG_REQUESTS_H */
