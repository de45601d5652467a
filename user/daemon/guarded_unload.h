/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guarded unloads: the "unload" request of modguard-rmmod, as a state
 * machine per request (waiting, unloading, answered).
 *
 * An unload waits, event-driven, while the module is busy: module_put
 * events and the task watch (bpf/task_watch.bpf.c) re-evaluate it; a
 * timerfd ends the wait.  When the verdict is clean the daemon writes the
 * intent and tells the client to go: modguard-rmmod calls delete_module()
 * itself, so the kernel checks the caller's own privileges and a client
 * that is gone (Ctrl-C) unloads nothing; it reports the result, and the
 * daemon names what the exit left behind (aftermath.h).
 */
#ifndef MG_GUARDED_UNLOAD_H
#define MG_GUARDED_UNLOAD_H

#include <stdio.h>
#include <sys/types.h>

#include "daemon.h"
#include "peer.h"

int mg_unload_init(struct mg_daemon *d);
void mg_unload_fini(struct mg_daemon *d);
/*
 * "unload NAME TIMEOUT_MS MODE" from peer on conn: 1 when conn was taken
 * over (answered from now on by the unload), 0 when an err line went to
 * out (not permitted, bad arguments).
 */
int mg_unload_request(struct mg_daemon *d, struct mg_conn *conn,
		      const struct mg_peer *peer, char **args, int nargs,
		      FILE *out);
/* a line of the client after "go": "done <errno>" */
struct mg_unload_op;
void mg_unload_client_line(struct mg_daemon *d, struct mg_unload_op *op,
			   const char *verb, char **args, int nargs);
/* the client of op hung up (op is freed; the connection too) */
void mg_unload_client_gone(struct mg_daemon *d, struct mg_unload_op *op);
/* a BPF event that may change a waiting unload's verdict */
void mg_unload_note_event(struct mg_daemon *d, const struct mg_event *e);
/* re-evaluate waiting unloads if an event asked for it */
void mg_unload_run(struct mg_daemon *d);
void mg_unload_on_timer(struct mg_daemon *d);
/*
 * Is a guarded unload of module name in delete_module() now?  Then its
 * requester (the client, not our worker thread) goes to *pid and *comm.
 */
int mg_unload_in_flight(const struct mg_daemon *d, const char *name,
			pid_t *pid, const char **comm);

#endif /* MG_GUARDED_UNLOAD_H */
