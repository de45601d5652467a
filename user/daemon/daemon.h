/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's state, shared by its event loop, server and report. */
#ifndef MG_DAEMON_H
#define MG_DAEMON_H

#include <stdint.h>

#include "bpf_loader.h"
#include "client.h"
#include "holder_scan.h"
#include "metrics.h"
#include "module_table.h"
#include "symbolizer.h"
#include "symcache.h"

#define MG_DEFAULT_STATE_DIR "/var/lib/modguard"
#define MG_DEFAULT_PIN_DIR "/sys/fs/bpf/modguard"

struct mg_unload_op;
struct mg_conn;

/* what an epoll event is about: the first member of its data.ptr */
enum mg_source_kind {
	MG_SRC_RING,
	MG_SRC_LISTEN,
	MG_SRC_SIGNAL,
	MG_SRC_UNLOAD_TIMER,
	MG_SRC_SERVER_TIMER,
	MG_SRC_CONN,
};

struct mg_source {
	enum mg_source_kind kind;
};

struct mg_daemon {
	const char *socket_path;
	const char *state_dir;
	const char *kallsyms_path; /* /proc/kallsyms; tests may point elsewhere */
	const char *proc_modules;  /* /proc/modules */
	const char *sys_module;	   /* /sys/module */

	struct mg_bpf *bpf;
	struct mg_module_table table;
	struct mg_symtab ksyms; /* core kernel text */
	struct mg_symcache symcache; /* module symbols by build */
	int syms_pending; /* a module's symbols wait to be read */
	int listen_fd;
	int epoll_fd;	     /* the one event loop (event_loop.c) */
	int server_timer_fd; /* request and reply deadlines (server.c) */
	struct mg_conn *conns; /* open connections (server.c) */
	size_t nconns;
	/* sysctls of the address rule (peer.c); NULL: /proc/sys/kernel/... */
	const char *kptr_restrict_path;
	const char *perf_paranoid_path;

	uint64_t start_ns;     /* CLOCK_MONOTONIC at start */
	int64_t mono_to_real;  /* add to a monotonic ns to get unix ns */
	uint64_t events;       /* ring buffer records handled */
	uint64_t lost_seen;    /* lost events already resynced (resync.c) */
	uint64_t resyncs;      /* times holders were resynced */
	int attached;

	const char *kmsg_path; /* /dev/kmsg */
	char boot_id[40];      /* this boot's /proc/sys/kernel/random/boot_id */

	/* guarded unloads (guarded_unload.c) */
	struct mg_unload_op *ops;     /* waiting or unloading, oldest first */
	struct mg_unload_op *unloading; /* the one in delete_module() now */
	int unload_timer_fd;	      /* the nearest deadline */
	int unload_eval;	      /* an event asked for re-evaluation */
	/*
	 * an unload waits (it was found busy): the task watch stays
	 * attached for it.  Not for one being looked at the first time:
	 * attaching the watch's kprobe patches kernel text, about 74 ms of
	 * emulated time, which a clean module's unload need not pay.
	 */
	int unload_watch;

	/* the latest task scan (mg_daemon_rescan), shared by one request */
	struct mg_task_record *tasks;
	size_t ntasks;
	int scan_err; /* nonzero: the scan failed, tasks are unknown */
	int rescan_needed; /* a watched task moved */

	/* the latest holder scan (holder_scan.h), run when a report needs it */
	struct mg_scan_holder *scan_holders;
	size_t nscan_holders;
	int holders_fresh;     /* scan_holders is this request's */
	int holder_scan_err;   /* nonzero: the last holder scan failed */
	struct mg_holder_set holders_at_start; /* objects found at start */

	int ksym_iter_used; /* module symbols came from iter/ksym once */

	/* the gets threads hold in their slots (held_refs.h), on first need */
	struct mg_ref_event *held_refs;
	size_t nheld_refs;
	int held_fresh;	     /* held_refs is this request's */
	int held_scan_err;   /* nonzero: the last read of the slots failed */
	int enforce;       /* try to enforce (no --advisory) */

	struct mg_metrics metrics; /* --metrics-file (metrics_daemon.c) */
};

/* rescan.c */
/*
 * Refresh d->tasks (which tasks are inside module text right now), publish
 * the foreign ones per module to the enforcement, and watch them.
 */
void mg_daemon_rescan(struct mg_daemon *d);
/* watch the foreign tasks of the last scan (and init completions) */
void mg_daemon_update_watch(struct mg_daemon *d);
/*
 * This request's holder scan (d->scan_holders): run once after each
 * mg_daemon_rescan(), on first need.  at_start: also remember what it
 * found as the holders from before modguardd (once, at start).
 */
void mg_daemon_scan_holders(struct mg_daemon *d, int at_start);
/* this request's read of the held references (d->held_refs), as above */
void mg_daemon_scan_held_refs(struct mg_daemon *d);

/* metrics_daemon.c: the --metrics-file, written now or when due */
void mg_daemon_metrics_write(struct mg_daemon *d);
/* ms until the next write is due (0: now), -1 when there is no file */
int mg_daemon_metrics_due_ms(struct mg_daemon *d);
void mg_daemon_metrics_tick(struct mg_daemon *d);

/* monotonic ns -> unix ns */
static inline uint64_t mg_unix_ns(const struct mg_daemon *d, uint64_t mono)
{
	return (uint64_t)((int64_t)mono + d->mono_to_real);
}

#endif /* MG_DAEMON_H */
