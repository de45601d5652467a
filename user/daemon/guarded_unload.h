/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guarded unloads: the "unload" request of modguard-rmmod, as a state
 * machine per request (waiting, unloading, answered).
 *
 * An unload waits, event-driven, while the module is busy: module_put
 * events and the task watch (bpf/task_watch.bpf.c) re-evaluate it; a
 * timerfd ends the wait.  When the verdict is clean the daemon itself calls
 * delete_module() from a worker thread, so its event loop keeps running
 * while the module's exit does, then names what the exit left behind
 * (aftermath.h).
 */
#ifndef MG_GUARDED_UNLOAD_H
#define MG_GUARDED_UNLOAD_H

#include <sys/types.h>

#include "daemon.h"

int mg_unload_init(struct mg_daemon *d);
void mg_unload_fini(struct mg_daemon *d);
/* take over client fd for "unload NAME TIMEOUT_MS MODE" */
void mg_unload_request(struct mg_daemon *d, int fd, char **args, int nargs,
		       pid_t peer);
/* a BPF event that may change a waiting unload's verdict */
void mg_unload_note_event(struct mg_daemon *d, const struct mg_event *e);
/* re-evaluate waiting unloads if an event asked for it */
void mg_unload_run(struct mg_daemon *d);
void mg_unload_on_timer(struct mg_daemon *d);
void mg_unload_on_done(struct mg_daemon *d);
/*
 * Is a guarded unload of module name in delete_module() now?  Then its
 * requester (the client, not our worker thread) goes to *pid and *comm.
 */
int mg_unload_in_flight(const struct mg_daemon *d, const char *name,
			pid_t *pid, const char **comm);

#endif /* MG_GUARDED_UNLOAD_H */
