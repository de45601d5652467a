/* SPDX-License-Identifier: GPL-2.0 */
/* The event loop of modguardd and the handler of its BPF events. */
#ifndef MG_EVENT_LOOP_H
#define MG_EVENT_LOOP_H

#include "daemon.h"

/* one ring buffer event (ctx: the struct mg_daemon), for mg_bpf_start() */
void mg_daemon_on_event(const struct mg_event *e, void *ctx);
/*
 * Add the ring buffer, the signalfd sfd (< 0: none) and the unloads' timer
 * to d->epoll_fd (created if < 0); the server adds its own.
 */
int mg_event_loop_init(struct mg_daemon *d, int sfd);
/*
 * One round: wait up to timeout_ms (-1: for ever) and handle what came.
 * Returns 1 when SIGTERM/SIGINT arrived, 0, or -errno.
 */
int mg_event_loop_once(struct mg_daemon *d, int sfd, int timeout_ms);
/*
 * Serve until SIGTERM/SIGINT arrives on the signalfd sfd (SIGHUP is
 * ignored).  Returns 0, or -errno when the loop itself failed.
 */
int mg_event_loop(struct mg_daemon *d, int sfd);

#endif /* MG_EVENT_LOOP_H */
