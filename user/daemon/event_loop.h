/* SPDX-License-Identifier: GPL-2.0 */
/* The event loop of modguardd and the handler of its BPF events. */
#ifndef MG_EVENT_LOOP_H
#define MG_EVENT_LOOP_H

#include "daemon.h"

/* one ring buffer event (ctx: the struct mg_daemon), for mg_bpf_start() */
void mg_daemon_on_event(const struct mg_event *e, void *ctx);
/*
 * Serve until SIGTERM/SIGINT arrives on the signalfd sfd (SIGHUP is
 * ignored).  Returns 0, or -errno when the loop itself failed.
 */
int mg_event_loop(struct mg_daemon *d, int sfd);

#endif /* MG_EVENT_LOOP_H */
