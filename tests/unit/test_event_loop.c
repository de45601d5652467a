// SPDX-License-Identifier: GPL-2.0
/*
 * modguardd's event handler and loop (user/daemon/event_loop.c): what each
 * BPF event does to the daemon, and a loop that answers a client, shrugs
 * off SIGHUP and stops on SIGTERM.  A pipe stands in for the signalfd.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "event_loop.h"
#include "fixtures/fixtures.h"
#include "guarded_unload.h"
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
	/* its build and symbols are read while it is there */
	CHECK_STR(mg_table_find(&fx.d.table, FX_MOD)->build, "SRC1");
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

int main(void)
{
	RUN(events_are_counted_and_applied);
	RUN(entry_points_are_watched_when_enforcing);
	RUN(loop_answers_ignores_sighup_stops_on_sigterm);
	return check_done();
}
