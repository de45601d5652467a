// SPDX-License-Identifier: GPL-2.0
/*
 * modguardd: loads modguard's BPF programs, keeps the ledger of what points
 * into every module, and answers modguard and modguard-rmmod on a socket.
 * One thread, one epoll loop: the ring buffer, the listening socket and a
 * signalfd.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "daemon.h"
#include "log.h"
#include "kernel_view.h"
#include "records.h"
#include "server.h"
#include "unload.h"

/* exit codes of modguardd */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* failed after starting */
	EXIT_USAGE = 2,
	EXIT_SETUP = 3, /* could not load, attach or listen */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: modguardd [--socket PATH] [--state-dir DIR] [--pin-dir DIR] [--no-pin]\n"
"                 [--keep-enforcing] [--advisory] [-v] [-h] [--version]\n"
"\n"
"Track, for every loaded kernel module, the references held on it, the\n"
"tasks inside its text and the callbacks that point into it, and answer\n"
"modguard and modguard-rmmod.  Runs in the foreground; needs root.\n"
"\n"
"  --socket PATH     listen here (default " MG_DEFAULT_SOCKET ")\n"
"  --state-dir DIR   records of refusals and stale unloads\n"
"                    (default " MG_DEFAULT_STATE_DIR ")\n"
"  --pin-dir DIR     bpffs folder for maps and links, so a restarted\n"
"                    modguardd keeps what was tracked (default\n"
"                    " MG_DEFAULT_PIN_DIR ")\n"
"  --no-pin          pin nothing: a restart starts from scratch\n"
"  --keep-enforcing  on SIGTERM, leave the programs attached and pinned\n"
"                    (for an upgrade: the next modguardd adopts them)\n"
"  --advisory        do not refuse plain rmmod/delete_module() of a busy\n"
"                    module; only modguard-rmmod is guarded\n"
"  -v, --verbose     debug messages, including libbpf's\n"
"\n"
"Exit status: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 bad usage,\n"
"3 could not start (BPF load/attach, socket, state dir).\n");
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void on_event(const struct mg_event *e, void *ctx)
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
			mg_bpf_watch_entry(d->bpf, e->mod, e->func);
		break;
	case MG_EV_REFUSED:
		mg_enforcement_refused(d, m, e);
		break;
	default:
		break;
	}
}

static struct mg_symtab *preloaded_symtab(const char *module, void *ctx)
{
	struct mg_module *m = mg_table_find_name(ctx, module);

	return m && !m->syms.loaded && m->state != MG_MOD_GONE ? &m->syms : NULL;
}

static int make_state_dir(const char *dir)
{
	char *copy = strdup(dir), *p;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; *p && !err; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) && errno != EEXIST)
			err = -errno;
		*p = '/';
	}
	if (!err && mkdir(copy, 0700) && errno != EEXIST)
		err = -errno;
	free(copy);
	return err;
}

static int event_loop(struct mg_daemon *d, int sfd)
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

				if (read(sfd, &si, sizeof(si)) == sizeof(si))
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "advisory", no_argument, NULL, 'a' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "keep-enforcing", no_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct mg_daemon d = {
		.socket_path = MG_DEFAULT_SOCKET,
		.state_dir = MG_DEFAULT_STATE_DIR,
		.kallsyms_path = "/proc/kallsyms",
		.proc_modules = "/proc/modules",
		.sys_module = "/sys/module",
		.kmsg_path = "/dev/kmsg",
		.listen_fd = -1,
		.unload_timer_fd = -1,
		.unload_done_fd = -1,
		.enforce = 1,
	};
	int verbose = 0, c, err, sfd, ret = EXIT_SETUP, keep = 0;
	const char *pin_dir = MG_DEFAULT_PIN_DIR;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			d.socket_path = optarg;
			break;
		case 'd':
			d.state_dir = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'a':
			d.enforce = 0;
			break;
		case 'P':
			pin_dir = optarg;
			break;
		case 'N':
			pin_dir = NULL;
			break;
		case 'K':
			keep = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("modguardd %s\n", MG_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "modguardd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* stderr when run by hand or by a test; journald reads it too */
	mg_log_init("modguardd", 0, verbose);
	libbpf_set_print(mg_libbpf_print);

	err = make_state_dir(d.state_dir);
	if (!err)
		err = mg_records_init(d.state_dir);
	if (err) {
		mg_err("cannot create state dir %s: %s", d.state_dir, strerror(-err));
		return EXIT_SETUP;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		mg_err("signalfd: %s", strerror(errno));
		return EXIT_SETUP;
	}

	{
		FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

		if (f) {
			if (fgets(d.boot_id, sizeof(d.boot_id), f))
				d.boot_id[strcspn(d.boot_id, "\n")] = '\0';
			fclose(f);
		}
	}
	mg_unload_recover(&d);
	err = mg_unload_init(&d);
	if (err) {
		mg_err("cannot set up unloads: %s", strerror(-err));
		return EXIT_SETUP;
	}
	d.start_ns = now_ns(CLOCK_MONOTONIC);
	d.mono_to_real = (int64_t)(now_ns(CLOCK_REALTIME) - d.start_ns);
	mg_table_init(&d.table);

	/* attach before scanning, so no module falls between the two */
	err = mg_bpf_start(&d.bpf, d.kallsyms_path, d.enforce, pin_dir, on_event,
			   &d);
	if (!err)
		mg_bpf_keep_pins(d.bpf, keep);
	if (err)
		goto out;
	err = mg_bpf_scan_modules(d.bpf);
	if (err)
		goto out;
	mg_bpf_consume(d.bpf);
	/*
	 * the symbols of modules loaded before us, in one pass: they must be
	 * read while the modules exist, to name what they leave behind
	 */
	mg_symtab_load_modules(d.kallsyms_path, preloaded_symtab, &d.table);
	for (size_t i = 0; i < d.table.n; i++)
		mg_symtab_sort(&d.table.mods[i]->syms);
	/* who is inside what right now: the enforcement's starting picture */
	mg_daemon_rescan(&d);
	d.attached = 1;

	/* the socket appears only once we are tracking: clients may wait on it */
	err = mg_server_open(&d);
	if (err)
		goto out;
	mg_info("tracking %zu modules; listening on %s; %s", d.table.n,
		d.socket_path, mg_bpf_caps(d.bpf)->enforcing
		? "enforcing: plain rmmod of a busy module is refused"
		: "advisory only");
	if (!mg_bpf_caps(d.bpf)->enforcing)
		mg_warn("advisory only: plain rmmod is not guarded because %s",
			mg_bpf_caps(d.bpf)->advisory_reason);

	ret = event_loop(&d, sfd) ? EXIT_RUNTIME : EXIT_OK;
out:
	mg_unload_fini(&d);
	mg_server_close(&d);
	mg_bpf_stop(d.bpf);
	mg_table_free(&d.table);
	mg_symtab_free(&d.ksyms);
	mg_symcache_free(&d.symcache);
	free(d.tasks);
	close(sfd);
	return ret;
}
