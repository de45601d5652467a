// SPDX-License-Identifier: GPL-2.0
/*
 * modguardd's event handler and loop (user/daemon/event_loop.c): what each
 * BPF event does to the daemon, and a loop that answers a client, shrugs
 * off SIGHUP and stops on SIGTERM; the ring buffer wakes it and is drained
 * every round, and deadlines fire whatever clients do.  A pipe stands in
 * for the signalfd.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "clock.h"
#include "event_loop.h"
#include "fixtures/fixtures.h"
#include "guarded_unload.h"
#include "module_symbols.h"
#include "server.h"
#include "stubs/bpf_stub.h"
#include "check.h"

static struct fx fx;

static void events_are_counted_and_applied(void)
{
	struct mg_event e;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	CHECK_INT(fx.d.events, 1);
	CHECK(mg_table_find(&fx.d.table, FX_MOD) != NULL);
	/* its build is read while it is there, its symbols after the batch */
	CHECK_STR(mg_table_find(&fx.d.table, FX_MOD)->build, "SRC1");
	CHECK(mg_table_find(&fx.d.table, FX_MOD)->syms_pending);
	mg_module_symbols_read_pending(&fx.d);
	CHECK(mg_table_find(&fx.d.table, FX_MOD)->syms.loaded);
	/* an event of no module the table knows is still counted */
	e = fx_ev(MG_EV_REF_GET, 0x4242, NULL, 2);
	fx_event(&fx, &e);
	CHECK_INT(fx.d.events, 2);
	/* a watched task moved: a new scan is due */
	e = fx_ev(MG_EV_TASK_MOVED, 0, NULL, 3);
	fx_event(&fx, &e);
	CHECK_INT(fx.d.rescan_needed, 1);
	fx_fini(&fx);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = calloc(1, 1 << 16);

	CHECK(f && buf);
	fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

/*
 * A burst of loads costs one pass over kallsyms, not one per module: the
 * loads read nothing (kallsyms is away while they come), and the next
 * batch fills every table.  A module freed while pending is named in its
 * record all the same (whatever formats an address reads what is pending).
 */
static void loads_share_one_kallsyms_pass(void)
{
	struct mg_module *a, *b;
	char name[160], *ksyms;

	fx_init(&fx);
	ksyms = slurp(fx.kallsyms);
	CHECK_INT(unlink(fx.kallsyms), 0);
	fx_load_buggy(&fx, 0, "-");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	a = mg_table_find(&fx.d.table, FX_MOD);
	b = mg_table_find(&fx.d.table, FX_MOD2);
	CHECK(a->syms_pending && b->syms_pending);
	CHECK(!a->syms.loaded && !b->syms.loaded);
	fx_write(&fx, "proc/kallsyms", ksyms);
	mg_module_symbols_read_pending(&fx.d);
	CHECK(!a->syms_pending && !b->syms_pending);
	CHECK_INT(a->syms.n, 7);
	CHECK_INT(b->syms.n, 1);
	CHECK_INT(mg_symtab_format(&b->syms, FX_FN2 + 4, 0x100, name,
				   sizeof(name)), 0);
	CHECK_STR(name, "mg_other_fn+0x4");
	/* nothing pending: no pass at all */
	CHECK_INT(unlink(fx.kallsyms), 0);
	mg_module_symbols_read_pending(&fx.d);
	fx_fini(&fx);

	/*
	 * A pass that names nothing in a module's text (one that raced an
	 * init: only ftrace's copy of a freed init function) is read again,
	 * and given up on after three
	 */
	fx_init(&fx);
	fx_write(&fx, "proc/kallsyms",
		 "ffffffffc0200000 T mg_other_init\t[mg_other]\n");
	fx_load(&fx, "mg_other", FX_MOD2, FX_TEXT2, FX_TEXT2_SIZE, 0);
	b = mg_table_find(&fx.d.table, FX_MOD2);
	mg_module_symbols_read_pending(&fx.d);
	CHECK(!b->syms_pending && b->syms.loaded);
	CHECK_INT(b->syms.n, 1);
	fx_fini(&fx);

	/* loaded and freed in one batch: named from what could be read */
	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	CHECK(mg_table_find(&fx.d.table, FX_MOD)->syms_pending);
	fx_arm_timer(FX_OBJ_TIMER);
	mg_stub_mark_left(FX_MOD);
	fx_module_free(&fx, FX_MOD, 4001, "rmmod");
	{
		struct mg_unload_record *recs;
		size_t n = fx_records(&fx, &recs);

		CHECK_INT(n, 1);
		if (n == 1 && recs[0].nrefs == 1)
			CHECK_STR(recs[0].refs[0].function,
				  "mg_buggy_timer_fn+0x0");
		else
			CHECK(!"one record with one ref");
	}
	fx_fini(&fx);
	free(ksyms);
}

static void entry_points_are_watched_when_enforcing(void)
{
	struct mg_event e;

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	e = fx_ev(MG_EV_ENTRY_POINT, FX_MOD, NULL, 2);
	e.entry.func = FX_FN_READ;
	fx_event(&fx, &e);
	CHECK_INT(mg_stub.nentries, 0); /* advisory: nothing to count for */
	mg_stub.caps.enforcing = 1;
	fx_event(&fx, &e);
	CHECK_INT(mg_stub.nentries, 1);
	CHECK_U64(mg_stub.entry_mod[0], FX_MOD);
	CHECK_U64(mg_stub.entry_func[0], FX_FN_READ);
	/* its exit drops them */
	fx_module_free(&fx, FX_MOD, 1, "rmmod");
	CHECK_INT(mg_stub.nunwatched, 1);
	CHECK_U64(mg_stub.unwatched[0], FX_MOD);
	fx_fini(&fx);
}

/* what a signalfd read gives, written into the pipe that stands for it */
static void send_signal(int fd, int signo)
{
	struct signalfd_siginfo si;

	memset(&si, 0, sizeof(si));
	si.ssi_signo = (uint32_t)signo;
	CHECK(write(fd, &si, sizeof(si)) == (ssize_t)sizeof(si));
}

static int sig[2];
static char answer[256];

/* a client: ask, read the answer, then stop the daemon */
static void *client(void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *req = "MG1 history\n";
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n = 0, r;

	(void)arg;
	memcpy(sa.sun_path, fx.socket, strlen(fx.socket) + 1);
	/* a loop that stopped too early answers nobody */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    write(fd, req, strlen(req)) > 0)
		while ((r = read(fd, answer + n, sizeof(answer) - 1 - n)) > 0)
			n += r;
	answer[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	send_signal(sig[1], SIGTERM);
	return NULL;
}

static void loop_answers_ignores_sighup_stops_on_sigterm(void)
{
	pthread_t t;

	fx_init(&fx);
	if (strlen(fx.socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		abort();
	CHECK_INT(mg_unload_init(&fx.d), 0);
	CHECK_INT(mg_server_open(&fx.d), 0);
	CHECK(pipe(sig) == 0);
	send_signal(sig[1], SIGHUP);
	CHECK(pthread_create(&t, NULL, client, NULL) == 0);
	CHECK_INT(mg_event_loop(&fx.d, sig[0]), 0);
	pthread_join(t, NULL);
	CHECK_STR(answer, "ok\n");
	CHECK_CONTAINS(fx_log(&fx), "SIGHUP ignored");
	CHECK_CONTAINS(fx_log(&fx), "signal 15: stopping");
	/* the ring buffer is drained on every round */
	CHECK(mg_stub.consume_calls > 0);
	mg_server_close(&fx.d);
	mg_unload_fini(&fx.d);
	fx_fini(&fx);
}

/* is the ring buffer (the stub's eventfd) among what epoll has now? */
static int ring_ready(void)
{
	struct epoll_event evs[16];
	int n = epoll_wait(fx.d.epoll_fd, evs, 16, 0);

	for (int i = 0; i < n; i++)
		if (((struct mg_source *)evs[i].data.ptr)->kind == MG_SRC_RING)
			return 1;
	return 0;
}

/* a queued event wakes the loop; one round handles it and what follows */
static void ring_wakes_the_loop(void)
{
	struct mg_event moved = fx_ev(MG_EV_TASK_MOVED, 0, NULL, 3);
	int scans;

	fx_init(&fx);
	fx_serve_init(&fx);
	CHECK(!ring_ready());
	fx_load_buggy(&fx, 0, "-");
	CHECK_INT(fx.d.events, 1);
	mg_stub_queue(&moved);
	CHECK(ring_ready());
	scans = mg_stub.scan_calls;
	CHECK_INT(mg_event_loop_once(&fx.d, -1, 0), 0);
	CHECK_INT(fx.d.events, 2);
	/* a watched task moved: the picture was refreshed in that round */
	CHECK_INT(fx.d.rescan_needed, 0);
	CHECK_INT(mg_stub.scan_calls, scans + 1);
	CHECK(!ring_ready());
	fx_serve_fini(&fx);
	fx_fini(&fx);
}

static void one_round_reports_signals(void)
{
	fx_init(&fx);
	CHECK(pipe(sig) == 0);
	CHECK_INT(mg_unload_init(&fx.d), 0);
	CHECK_INT(mg_event_loop_init(&fx.d, sig[0]), 0);
	/* nothing came: 0 after the timeout */
	CHECK_INT(mg_event_loop_once(&fx.d, sig[0], 0), 0);
	send_signal(sig[1], SIGHUP);
	CHECK_INT(mg_event_loop_once(&fx.d, sig[0], 1000), 0);
	send_signal(sig[1], SIGINT);
	CHECK_INT(mg_event_loop_once(&fx.d, sig[0], 1000), 1);
	send_signal(sig[1], SIGTERM);
	CHECK_INT(mg_event_loop_once(&fx.d, sig[0], 1000), 1);
	CHECK_CONTAINS(fx_log(&fx), "signal 2: stopping");
	mg_unload_fini(&fx.d);
	fx_fini(&fx);
}

/*
 * An unload's deadline fires while another client sits on half a request
 * and a third connects and says nothing.
 */
static void deadlines_fire_whatever_clients_do(void)
{
	struct fx_client *c, *partial;
	uint64_t start = mg_clock_ns(CLOCK_MONOTONIC);

	fx_init(&fx);
	fx_serve_init(&fx);
	fx_load_buggy(&fx, 1, "-");
	partial = fx_connect(&fx);
	CHECK_INT(fx_client_say(partial, "MG1 sta"), 0);
	fx_connect(&fx);
	c = fx_connect(&fx);
	CHECK_INT(fx_client_say(c, "MG1 unload mg_buggy 100 guarded\n"), 0);
	CHECK(fx_serve_until_eof(&fx, c, FX_SERVE_MS) >= 0);
	CHECK_CONTAINS(fx_client_take(&fx, c), "outcome=refused");
	/* its own deadline is later (unless this took that long) */
	CHECK(!partial->eof || mg_clock_ns(CLOCK_MONOTONIC) - start >=
				       MG_REQUEST_MS * 1000000ull);
	fx_serve_fini(&fx);
	fx_fini(&fx);
}

static void stub_ksym(size_t i, uint64_t addr, const char *name)
{
	mg_stub.ksyms[i].addr = addr;
	mg_stub.ksyms[i].type = 't';
	snprintf(mg_stub.ksyms[i].name, sizeof(mg_stub.ksyms[i].name), "%s",
		 name);
	snprintf(mg_stub.ksyms[i].module, sizeof(mg_stub.ksyms[i].module),
		 "mg_buggy");
	mg_stub.nksyms = i + 1;
}

/* a module's symbols come from its own table when BPF can read it */
static void symbols_from_the_module_table(void)
{
	struct mg_module *m;
	char buf[64];

	fx_init(&fx);
	mg_stub.ksym_on = 1;
	stub_ksym(0, FX_TEXT + 0x10, "from_its_table");
	fx_load_buggy(&fx, 0, "-");
	mg_module_symbols_read_pending(&fx.d);
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->syms.loaded && !m->syms_pending);
	CHECK_INT(mg_stub.ksym_calls, 1);
	CHECK_INT(m ? (int)m->syms.n : -1, 1);
	CHECK_INT(mg_symtab_format(&m->syms, FX_TEXT + 0x18, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "from_its_table+0x8");
	fx_fini(&fx);
	memset(&mg_stub.ksyms, 0, sizeof(mg_stub.ksyms));
	mg_stub.nksyms = 0;
	mg_stub.ksym_on = 0;
	mg_stub.ksym_calls = 0;
}

/*
 * A walk cut short (more symbols than a pass reads): what it gave is
 * dropped and kallsyms read instead, whole, nothing listed twice
 */
static void a_cut_walk_reads_kallsyms_instead(void)
{
	struct mg_module *m;
	char buf[64];

	fx_init(&fx);
	mg_stub.ksym_on = 1;
	mg_stub.ksym_err = -E2BIG;
	stub_ksym(0, FX_TEXT + 0x10, "partial");
	fx_load_buggy(&fx, 0, "-");
	mg_module_symbols_read_pending(&fx.d);
	m = mg_table_find(&fx.d.table, FX_MOD);
	CHECK(m && m->syms.loaded);
	CHECK_INT(mg_symtab_format(&m->syms, FX_TEXT + 0x10, 0x1000, buf,
				   sizeof(buf)), 0);
	CHECK_STR(buf, "mg_buggy_read+0x10");
	for (size_t i = 0; m && i < m->syms.n; i++)
		CHECK(strcmp(m->syms.syms[i].name, "partial") != 0);
	fx_fini(&fx);
	memset(&mg_stub.ksyms, 0, sizeof(mg_stub.ksyms));
	mg_stub.nksyms = 0;
	mg_stub.ksym_on = 0;
	mg_stub.ksym_err = 0;
}

int main(void)
{
	RUN(events_are_counted_and_applied);
	RUN(loads_share_one_kallsyms_pass);
	RUN(symbols_from_the_module_table);
	RUN(a_cut_walk_reads_kallsyms_instead);
	RUN(entry_points_are_watched_when_enforcing);
	RUN(loop_answers_ignores_sighup_stops_on_sigterm);
	RUN(ring_wakes_the_loop);
	RUN(one_round_reports_signals);
	RUN(deadlines_fire_whatever_clients_do);
	return check_done();
}
