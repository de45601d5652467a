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
		/*
		 * read its symbols now: after its exit they are gone (from
		 * the last load of the same build if there was one: all of
		 * kallsyms is a long read)
		 */
		if (e->type == MG_EV_MODULE_LOAD && !m->syms.loaded &&
		    mg_symcache_get(&d->symcache, m->name, m->build,
				    m->text_start, &m->syms) &&
		    !mg_symtab_load(&m->syms, d->kallsyms_path, m->name))
			mg_symcache_put(&d->symcache, m->name, m->build,
					m->text_start, m->init_start,
					m->init_size, &m->syms);
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

int mg_event_loop(struct mg_daemon *d, int sfd)
{
	struct epoll_event ev, evs[8];
	int ep, rb_fd = mg_bpf_ringbuf_fd(d->bpf), err = 0;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.fd = rb_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, rb_fd, &ev);
	ev.data.fd = d->listen_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->listen_fd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = d->unload_timer_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->unload_timer_fd, &ev);
	ev.data.fd = d->unload_done_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->unload_done_fd, &ev);

	for (;;) {
		int n = epoll_wait(ep, evs, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		/* events first: an answer must reflect everything seen so far */
		mg_bpf_consume(d->bpf);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					mg_info("SIGHUP ignored: modguardd has no "
						"configuration to reload; logs go "
						"to stderr");
					continue;
				}
				mg_info("signal %u: stopping", si.ssi_signo);
				goto out;
			}
			if (evs[i].data.fd == d->listen_fd)
				mg_server_handle(d);
			else if (evs[i].data.fd == d->unload_timer_fd)
				mg_unload_on_timer(d);
			else if (evs[i].data.fd == d->unload_done_fd)
				mg_unload_on_done(d);
		}
		/* events may have freed a module a waiting unload waits on */
		mg_unload_run(d);
		/* a foreign task inside a module moved: refresh the picture */
		if (d->rescan_needed)
			mg_daemon_rescan(d);
	}
out:
	close(ep);
	return err;
}
