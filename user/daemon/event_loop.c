// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop of modguardd: one thread, one epoll loop over the ring
 * buffer, the listening socket, a signalfd and the guarded unloads'
 * timerfd and eventfd; and what each BPF event does to the daemon's state.
 */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "aftermath.h"
#include "enforcement_refusals.h"
#include "event_loop.h"
#include "guarded_unload.h"
#include "kernel_view.h"
#include "log.h"
#include "resync.h"
#include "module_symbols.h"
#include "server.h"

void mg_daemon_on_event(const struct mg_event *e, void *ctx)
{
	struct mg_daemon *d = ctx;
	struct mg_module *m;

	d->events++;
	mg_unload_note_event(d, e);
	if (e->type == MG_EV_TASK_MOVED)
		d->rescan_needed = 1;
	m = mg_table_apply(&d->table, e);
	if (!m)
		return;
	switch (e->type) {
	case MG_EV_MODULE_LOAD:
	case MG_EV_MODULE_SCAN:
		if (!m->build[0])
			mg_kmod_build_id(d->sys_module, m->name, m->build,
					 sizeof(m->build));
		mg_module_symbols_seen(d, m);
		mg_dbg("module %s seen, text %d bytes", m->name,
		       (int)m->text_size);
		break;
	case MG_EV_MODULE_FREE:
		mg_dbg("module %s freed by %s[%u]", m->name, e->comm, e->tgid);
		/* its text is gone, and the kernel disarmed probes there */
		mg_bpf_unwatch_entries(d->bpf, m->addr);
		mg_after_free(d, m, e);
		break;
	case MG_EV_ENTRY_POINT:
		if (mg_bpf_caps(d->bpf)->enforcing)
			mg_bpf_watch_entry(d->bpf, e->mod, e->entry.func);
		break;
	case MG_EV_REFUSED:
		mg_enforcement_refused(d, m, e);
		break;
	default:
		break;
	}
}

static int add(struct mg_daemon *d, int fd, struct mg_source *src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int mg_event_loop_init(struct mg_daemon *d, int sfd)
{
	static struct mg_source ring = { MG_SRC_RING }, sig = { MG_SRC_SIGNAL },
				unload_timer = { MG_SRC_UNLOAD_TIMER };
	int err;

	if (d->epoll_fd < 0)
		d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epoll_fd < 0)
		return -errno;
	err = d->bpf ? add(d, mg_bpf_ringbuf_fd(d->bpf), &ring) : 0;
	if (!err && sfd >= 0)
		err = add(d, sfd, &sig);
	if (!err && d->unload_timer_fd >= 0)
		err = add(d, d->unload_timer_fd, &unload_timer);
	return err;
}

/* SIGHUP is logged and ignored; 1 for a signal that stops the daemon */
static int on_signal(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		mg_info("SIGHUP ignored: modguardd has no configuration to "
			"reload");
		return 0;
	}
	mg_info("signal %u: stopping", si.ssi_signo);
	return 1;
}

int mg_event_loop_once(struct mg_daemon *d, int sfd, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(d->epoll_fd, evs, 16, timeout_ms), stop = 0;

	/* what a request saw of the ledger serves that request only */
	mg_bpf_armed_snapshot_end(d->bpf);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	/* events first: an answer must reflect everything seen so far */
	if (d->bpf)
		mg_bpf_consume(d->bpf);
	/* the symbols of the modules those events loaded, in one pass */
	mg_module_symbols_read_pending(d);
	for (int i = 0; i < n; i++) {
		struct mg_source *src = evs[i].data.ptr;

		switch (src->kind) {
		case MG_SRC_SIGNAL:
			stop |= on_signal(sfd);
			break;
		case MG_SRC_LISTEN:
			mg_server_on_listen(d);
			break;
		case MG_SRC_CONN:
			mg_server_on_conn(d, (struct mg_conn *)src, evs[i].events);
			break;
		case MG_SRC_SERVER_TIMER:
			mg_server_on_timer(d);
			break;
		case MG_SRC_UNLOAD_TIMER:
			mg_unload_on_timer(d);
			break;
		case MG_SRC_RING:
			break; /* consumed above */
		}
	}
	/* events lost: the holders are resynced before anyone is answered */
	mg_resync_if_lost(d);
	/* events may have freed a module a waiting unload waits on */
	mg_unload_run(d);
	mg_server_reap(d);
	/* a client that went away may have made way for the next unload */
	if (d->unload_eval) {
		mg_unload_run(d);
		mg_server_reap(d);
	}
	/* a foreign task inside a module moved: refresh the picture */
	if (d->rescan_needed)
		mg_daemon_rescan(d);
	return stop;
}

int mg_event_loop(struct mg_daemon *d, int sfd)
{
	int err = mg_event_loop_init(d, sfd);

	/* the metrics file is written when due: epoll waits no longer */
	while (!err) {
		err = mg_event_loop_once(d, sfd, mg_daemon_metrics_due_ms(d));
		if (!err)
			mg_daemon_metrics_tick(d);
	}
	return err < 0 ? err : 0;
}
