/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unix socket modguard and modguard-rmmod talk to (docs/PROTOCOL.md):
 * non-blocking connections in the daemon's epoll loop.
 */
#ifndef MG_SERVER_H
#define MG_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "peer.h"

/* a client gets this long to send one whole request line */
#define MG_REQUEST_MS 2000
/* ... and this long to take any part of its answer */
#define MG_REPLY_MS 10000
/* connections open at once, in total and per uid (root: total only) */
#define MG_MAX_CONNS 256
#define MG_MAX_CONNS_PER_UID 64

struct mg_conn;

/*
 * Create the socket (and its folder), add it and the server's timer to
 * d->epoll_fd (created if < 0); refuses if another daemon answers.
 */
int mg_server_open(struct mg_daemon *d);
/* the listening socket is readable: accept who is there */
void mg_server_on_listen(struct mg_daemon *d);
/* events of one connection */
void mg_server_on_conn(struct mg_daemon *d, struct mg_conn *c,
		       uint32_t events);
/* the server's timerfd fired: request and reply deadlines */
void mg_server_on_timer(struct mg_daemon *d);
/*
 * Free the connections that are done or gone.  Only between batches of
 * epoll events: an event later in a batch may point to a connection.
 */
void mg_server_reap(struct mg_daemon *d);
void mg_server_close(struct mg_daemon *d);

/*
 * For a guarded unload, which owns a connection while it waits.  Sending
 * never blocks: what the socket does not take now is queued; a peer that
 * fails is dropped at the next reap, and its owner hears of it through
 * mg_unload_client_gone().
 */
void mg_conn_send(struct mg_daemon *d, struct mg_conn *c, const void *buf,
		  size_t len);
/* no more to send: closed once the queue is out; the owner lets go */
void mg_conn_finish(struct mg_daemon *d, struct mg_conn *c);
/* the connection's follow-up lines and hang-up go to owner from now on */
void mg_conn_hand_over(struct mg_conn *c, void *owner);
const struct mg_peer *mg_conn_peer(const struct mg_conn *c);

#endif /* MG_SERVER_H */
