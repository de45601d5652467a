/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guarded unloads: the "unload" request of modguard-rmmod, and the stale
 * check after any unload (modguard's or plain rmmod's).
 *
 * An unload waits, event-driven, while the module is busy: module_put
 * events and the task watch (bpf/task_watch.bpf.c) re-evaluate it; a
 * timerfd ends the wait.  When the verdict is clean the daemon itself calls
 * delete_module() from a worker thread, so its event loop keeps running
 * while the module's exit does, then names what the exit left behind.
 */
#ifndef MG_UNLOAD_H
#define MG_UNLOAD_H

#include <sys/types.h>

#include "daemon.h"

/* exit codes of modguard-rmmod, carried in the "result" record */
enum {
	MG_RM_UNLOADED = 0,
	MG_RM_REFUSED = 1,
	MG_RM_USAGE = 2,
	MG_RM_FAIL = 3,
	MG_RM_STALE = 4,
};

int mg_unload_init(struct mg_daemon *d);
/* settle "unloading" records left by a crash or by our own restart */
void mg_unload_recover(struct mg_daemon *d);
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
 * module_free fired for m: name what its exit left behind, write the
 * record and the kernel log line, and retire m if nothing did.
 */
void mg_after_free(struct mg_daemon *d, struct mg_module *m,
		   const struct mg_event *e);

/* the enforcement refused a plain delete_module() of m: record it */
void mg_enforcement_refused(struct mg_daemon *d, struct mg_module *m,
			    const struct mg_event *e);

#endif /* MG_UNLOAD_H */
