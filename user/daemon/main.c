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
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "clock.h"
#include "daemon.h"
#include "fsutil.h"
#include "guarded_unload.h"
#include "intents.h"
#include "kernel_view.h"
#include "log.h"
#include "module_symbols.h"
#include "outcome.h"
#include "parse.h"
#include "preflight.h"
#include "event_loop.h"
#include "records.h"
#include "sd_notify.h"
#include "server.h"
#include "version.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: modguardd [--socket PATH] [--state-dir DIR] [--pin-dir DIR] [--no-pin]\n"
"                 [--keep-enforcing] [--advisory] [--keep-refusals N]\n"
"                 [--refusal-days D] [--metrics-file PATH] [--syslog]\n"
"                 [-v] [-h] [--version]\n"
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
"  --keep-refusals N keep at most N refusal records, the newest (default\n"
"                    1000; 0: no limit); stale records are never pruned\n"
"  --refusal-days D  drop refusal records older than D days (default 30;\n"
"                    0: no limit)\n"
"  --metrics-file PATH\n"
"                    write Prometheus text format for node_exporter's\n"
"                    textfile collector: atomically, on every change that\n"
"                    matters and at least every 15 s (docs/METRICS.md)\n"
"  --syslog          log to syslog instead of stderr (under systemd,\n"
"                    stderr lines carry journald's <N> priorities anyway)\n"
"  -v, --verbose     debug messages, including libbpf's and the whole\n"
"                    verifier log of a program the kernel refuses\n"
"  -h, --help        this text\n"
"      --version     print the version\n"
"\n"
"SIGTERM and SIGINT stop it; SIGHUP is ignored (there is no configuration\n"
"to reload).  With $NOTIFY_SOCKET set (systemd's Type=notify) it sends\n"
"READY=1 once it is attached and answering, STOPPING=1 on the way out.\n"
"\n"
"Exit status: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 bad usage,\n"
"3 could not start (no module support, BTF, capabilities or bpffs; BPF\n"
"load/attach, socket, state dir): one line says why, and nothing is left\n"
"behind when a check before the start fails.\n");
}

/* tell systemd (Type=notify), if it asked; a failure is only logged */
static void notify(const char *state)
{
	int err = mg_sd_notify(state);

	if (err < 0)
		mg_warn("cannot notify $NOTIFY_SOCKET (%s): %s", state,
			strerror(-err));
}

/* attached, answering: the socket is listening and the ledger is live */
static void notify_ready(struct mg_daemon *d)
{
	char state[256];

	snprintf(state, sizeof(state), "READY=1\nSTATUS=tracking %zu modules; %s",
		 d->table.n, mg_bpf_caps(d->bpf)->enforcing ? "enforcing"
							    : "advisory");
	notify(state);
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
		/* hidden, for tests: a substitute /proc/modules */
		{ "proc-modules", required_argument, NULL, 'M' },
		{ "keep-refusals", required_argument, NULL, 'R' },
		{ "refusal-days", required_argument, NULL, 'D' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "syslog", no_argument, NULL, 'L' },
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
		.epoll_fd = -1,
		.server_timer_fd = -1,
		.enforce = 1,
	};
	struct mg_records_policy pol = { MG_RECORDS_KEEP_REFUSALS,
					 MG_RECORDS_REFUSAL_DAYS };
	int verbose = 0, c, err, sfd, ret = MG_DAEMON_EXIT_SETUP, keep = 0;
	int use_syslog = 0;
	uint64_t v;
	const char *pin_dir = MG_DEFAULT_PIN_DIR;
	struct mg_preflight pf;
	char why[1024];
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
		case 'M':
			d.proc_modules = optarg;
			break;
		case 'm':
			if (!*optarg) {
				fprintf(stderr, "modguardd: --metrics-file needs a "
					"path\n");
				return MG_DAEMON_EXIT_USAGE;
			}
			d.metrics.path = optarg;
			break;
		case 'L':
			use_syslog = 1;
			break;
		case 'R':
		case 'D':
			if (mg_parse_u64(optarg, 0, c == 'R' ? 100000000 : 36500,
					 &v)) {
				fprintf(stderr, "modguardd: --%s takes a number, not "
					"'%s'\n", c == 'R' ? "keep-refusals"
							   : "refusal-days",
					optarg);
				return MG_DAEMON_EXIT_USAGE;
			}
			if (c == 'R')
				pol.keep_refusals = (size_t)v;
			else
				pol.refusal_days = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			return MG_DAEMON_EXIT_OK;
		case 'V':
			printf("modguardd %s\n", MG_VERSION);
			return MG_DAEMON_EXIT_OK;
		default:
			usage(stderr);
			return MG_DAEMON_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "modguardd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return MG_DAEMON_EXIT_USAGE;
	}
	/* stderr when run by hand or by a test; journald reads it too */
	mg_log_init("modguardd", use_syslog, verbose);
	d.metrics.quarantined = -1;
	libbpf_set_print(mg_libbpf_print);

	/* can we run at all?  Asked before anything is created */
	pf = (struct mg_preflight){
		.proc_modules = d.proc_modules,
		.btf_vmlinux = MG_BTF_VMLINUX,
		.kprobe_pmu = MG_KPROBE_PMU,
		.lockdown = MG_LOCKDOWN,
		.release = NULL,
		.proc_status = MG_PROC_SELF_STATUS,
		.kallsyms = d.kallsyms_path,
		.pin_dir = pin_dir,
	};
	if (mg_preflight(&pf, why, sizeof(why))) {
		mg_err("%s", why);
		return MG_DAEMON_EXIT_SETUP;
	}
	err = mg_mkdir_p(d.state_dir, 0755, 0700, 0);
	if (!err)
		err = mg_records_init_policy(d.state_dir, &pol);
	if (err) {
		mg_err("cannot create state dir %s: %s", d.state_dir, strerror(-err));
		return MG_DAEMON_EXIT_SETUP;
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
		return MG_DAEMON_EXIT_SETUP;
	}
	mg_read_first_line("/proc/sys/kernel/random/boot_id", d.boot_id,
			   sizeof(d.boot_id));
	mg_intents_recover(&d);
	err = mg_unload_init(&d);
	if (err) {
		mg_err("cannot set up unloads: %s", strerror(-err));
		return MG_DAEMON_EXIT_SETUP;
	}
	d.start_ns = mg_clock_ns(CLOCK_MONOTONIC);
	d.mono_to_real = (int64_t)(mg_clock_ns(CLOCK_REALTIME) - d.start_ns);
	mg_table_init(&d.table);

	/* attach before scanning, so no module falls between the two */
	err = mg_bpf_start(&d.bpf, d.kallsyms_path, d.enforce, pin_dir, mg_daemon_on_event,
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
	mg_module_symbols_read_pending(&d);
	/* who is inside what right now: the enforcement's starting picture */
	mg_daemon_rescan(&d);
	/* who holds what from before us: files, sockets, mounts */
	mg_daemon_scan_holders(&d, 1);
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
	mg_daemon_metrics_write(&d);
	notify_ready(&d);

	ret = mg_event_loop(&d, sfd) ? MG_DAEMON_EXIT_RUNTIME : MG_DAEMON_EXIT_OK;
	notify("STOPPING=1");
	d.attached = 0;
	mg_daemon_metrics_write(&d);
out:
	mg_unload_fini(&d);
	mg_server_close(&d);
	mg_bpf_stop(d.bpf);
	mg_table_free(&d.table);
	mg_symtab_free(&d.ksyms);
	mg_symcache_free(&d.symcache);
	free(d.tasks);
	free(d.scan_holders);
	free(d.held_refs);
	mg_holder_set_free(&d.holders_at_start);
	close(sfd);
	return ret;
}
