// SPDX-License-Identifier: GPL-2.0
/*
 * mg_bench: workloads and a timer for tests/bench/guest-bench.sh.
 *
 *   mg_bench time [-n N] -- CMD [ARG...]
 *       run CMD N times (stdout/stderr to /dev/null), print
 *       "median_us=M min_us=A max_us=B fails=F samples=s1,s2,..."
 *   mg_bench sleep|poll|pty|open|openmod [-j THREADS] (-i ITERS | -c MS)
 *       timer/workqueue-heavy core-kernel workloads in THREADS threads:
 *         sleep  nanosleep(1 us) with 1 ns timer slack (hrtimers)
 *         poll   ppoll()/select() with 1 us timeouts on an idle pipe
 *         pty    1-byte ping-pong over a pty pair per thread (each write
 *                queues flush_to_ldisc work)
 *         open   open()+close() of /dev/null: a char device, so the
 *                open-file guard's lsm/file_open and file_free hooks
 *                take their longest path short of a tracked device
 *         openmod  open()+close() of /dev/loop-control: a module's misc
 *                device with .owner, so every open takes a reference
 *                through misc_open (plumbing: the taker's stack is read)
 *       -i: ITERS per thread, print "elapsed_us=E iters=I";
 *       -c: calibrate, run for about MS ms, print "iters=I" (per thread)
 *   mg_bench fsync|bdev|net -f PATH [-j THREADS] (-i ITERS | -c MS)
 *       real Debian modules under load, same threads and output:
 *         fsync  PATH = a directory on a module filesystem (ext4 on brd's
 *                /dev/ram0 in the bench): each thread overwrites one 4 KiB
 *                block of its own 1 MiB file (mgb-fsync.N, written and
 *                synced before the clock starts) in turn and fsync()s it:
 *                ext4 + jbd2 commit + brd I/O on every step
 *         bdev   PATH = a block device (/dev/ram0): open(O_RDONLY)+close;
 *                every open takes a reference on its driver (brd) through
 *                blkdev_get
 *         net    PATH = an IPv4 address routed through a module's network
 *                device (dummy's mgb0 in the bench): sendto() of a 64-byte
 *                UDP datagram to port 9; each one goes through the
 *                driver's ndo_start_xmit (dummy: no queue, no ARP)
 *   mg_bench mod [-m MASK] (-i ITERS | -c MS)
 *       write "ITERS MASK" to /proc/mg_bench_load
 *       (tests/modules/mg_bench_load.c: 1 timer, 2 hrtimer, 4 work,
 *       8 delayed work, 16 module_get/put; default 15)
 *   mg_bench rpc [-n N] -- VERB [ARG...]
 *       N requests to modguardd ($MODGUARD_SOCKET) from this process, no
 *       exec: the daemon's round trip; output as for "time"
 *   mg_bench spawn N READY_FILE
 *       fork N children sleeping in pause(), create READY_FILE, then wait
 *       for SIGTERM/SIGINT (the children die with the parent)
 *
 * Times are CLOCK_MONOTONIC in microseconds.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "mg_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_samples(const uint64_t *s, int n, int fails)
{
	uint64_t *sorted = calloc(n, sizeof(*s));

	if (!sorted)
		die("calloc");
	memcpy(sorted, s, n * sizeof(*s));
	qsort(sorted, n, sizeof(*s), cmp_u64);
	printf("median_us=%llu min_us=%llu max_us=%llu fails=%d samples=",
	       (unsigned long long)(n % 2 ? sorted[n / 2] :
				    (sorted[n / 2 - 1] + sorted[n / 2]) / 2),
	       (unsigned long long)sorted[0],
	       (unsigned long long)sorted[n - 1], fails);
	for (int i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)s[i]);
	printf("\n");
	free(sorted);
}

/* ---- rpc ----------------------------------------------------------------- */

static int do_rpc(int argc, char **argv)
{
	const char *path = mg_client_socket_path(NULL);
	int n = 5, opt, fails = 0;
	uint64_t *s;

	while ((opt = getopt(argc, argv, "+n:")) != -1) {
		if (opt != 'n')
			return 2;
		n = atoi(optarg);
	}
	if (n < 1 || optind >= argc)
		return 2;
	s = calloc(n, sizeof(*s));
	if (!s)
		die("calloc");
	for (int i = 0; i < n; i++) {
		struct mg_reply r = { 0 };
		uint64_t t0 = now_us();
		int err = mg_client_request(path, 60000, argv[optind],
					    (const char *const *)argv + optind + 1,
					    argc - optind - 1, &r);

		s[i] = now_us() - t0;
		if (err || r.err_code)
			fails++;
		mg_reply_free(&r);
	}
	print_samples(s, n, fails);
	return 0;
}

/* ---- time ---------------------------------------------------------------- */

static int do_time(int argc, char **argv)
{
	int n = 5, opt, fails = 0;
	uint64_t *s;

	while ((opt = getopt(argc, argv, "+n:")) != -1) {
		if (opt != 'n')
			return 2;
		n = atoi(optarg);
	}
	if (n < 1 || optind >= argc)
		return 2;
	s = calloc(n, sizeof(*s));
	if (!s)
		die("calloc");
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_us();
		int st;
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (!p) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		if (waitpid(p, &st, 0) < 0)
			die("waitpid");
		s[i] = now_us() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fails++;
	}
	print_samples(s, n, fails);
	free(s);
	return 0;
}

/* ---- core-kernel workloads --------------------------------------------- */

struct worker {
	pthread_t th;
	int kind;          /* 's'leep, 'p'oll, 't'ty, 'o'pen, 'O'penmod,
			    * 'f'sync, 'b'dev, 'n'et */
	long iters;        /* fixed count, or 0 to run until deadline */
	uint64_t deadline; /* calibration: stop at this time */
	long done;
	int fd[2];         /* poll: pipe; pty: master, slave; fsync: file;
			    * net: socket */
	const char *path;  /* fsync: directory; bdev: device; net: address */
	struct sockaddr_in sa; /* net: destination */
};

/* fsync: each thread cycles over the blocks of its own file */
#define FSYNC_BLOCK 4096
#define FSYNC_BLOCKS 256
static char fsync_buf[FSYNC_BLOCK];
#define NET_PAYLOAD 64

static int one_step(struct worker *w, long i)
{
	char c = 'x';

	switch (w->kind) {
	case 's': {
		struct timespec ts = { 0, 1000 };

		return nanosleep(&ts, NULL) && errno != EINTR ? -1 : 0;
	}
	case 'p':
		if (i & 1) {
			struct timespec ts = { 0, 1000 };
			struct pollfd p = { .fd = w->fd[0], .events = POLLIN };

			return ppoll(&p, 1, &ts, NULL) < 0 ? -1 : 0;
		} else {
			struct timeval tv = { 0, 1 };
			fd_set r;

			FD_ZERO(&r);
			FD_SET(w->fd[0], &r);
			return select(w->fd[0] + 1, &r, NULL, NULL, &tv) < 0 ?
				       -1 : 0;
		}
	case 'o': {
		int fd = open("/dev/null", O_RDONLY);

		return fd < 0 ? -1 : close(fd);
	}
	case 'O': {
		int fd = open("/dev/loop-control", O_RDONLY);

		return fd < 0 ? -1 : close(fd);
	}
	case 'f':
		if (pwrite(w->fd[0], fsync_buf, FSYNC_BLOCK,
			   (off_t)(i % FSYNC_BLOCKS) * FSYNC_BLOCK) != FSYNC_BLOCK)
			return -1;
		return fsync(w->fd[0]);
	case 'b': {
		int fd = open(w->path, O_RDONLY);

		return fd < 0 ? -1 : close(fd);
	}
	case 'n':
		return sendto(w->fd[0], fsync_buf, NET_PAYLOAD, 0,
			      (const struct sockaddr *)&w->sa,
			      sizeof(w->sa)) == NET_PAYLOAD ? 0 : -1;
	case 't':
		if (write(w->fd[0], &c, 1) != 1 || read(w->fd[1], &c, 1) != 1 ||
		    write(w->fd[1], &c, 1) != 1 || read(w->fd[0], &c, 1) != 1)
			return -1;
		return 0;
	}
	return -1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* otherwise a 1 us sleep is stretched to the default 50 us slack */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (long i = 0; w->iters ? i < w->iters : 1; i++) {
		if (one_step(w, i))
			die("workload step");
		w->done++;
		if (!w->iters && !(i & 15) && now_us() >= w->deadline)
			break;
	}
	return NULL;
}

static void setup_fds(struct worker *w, int idx)
{
	if (w->kind == 'f') {
		char name[PATH_MAX];

		snprintf(name, sizeof(name), "%s/mgb-fsync.%d", w->path, idx);
		w->fd[0] = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (w->fd[0] < 0)
			die(name);
		/* allocate every block first: the loop only overwrites */
		for (int b = 0; b < FSYNC_BLOCKS; b++)
			if (write(w->fd[0], fsync_buf, FSYNC_BLOCK) != FSYNC_BLOCK)
				die("write fsync file");
		if (fsync(w->fd[0]))
			die("fsync");
	} else if (w->kind == 'n') {
		w->sa.sin_family = AF_INET;
		w->sa.sin_port = htons(9); /* discard */
		if (inet_pton(AF_INET, w->path, &w->sa.sin_addr) != 1) {
			fprintf(stderr, "mg_bench: not an IPv4 address: %s\n",
				w->path);
			exit(2);
		}
		w->fd[0] = socket(AF_INET, SOCK_DGRAM, 0);
		if (w->fd[0] < 0)
			die("socket");
	} else if (w->kind == 'p') {
		if (pipe(w->fd))
			die("pipe");
	} else if (w->kind == 't') {
		struct termios t;
		int m = posix_openpt(O_RDWR | O_NOCTTY), s;

		if (m < 0 || grantpt(m) || unlockpt(m))
			die("posix_openpt");
		s = open(ptsname(m), O_RDWR | O_NOCTTY);
		if (s < 0)
			die("open pty slave");
		/* raw both ways: bytes pass through one by one, no echo */
		if (tcgetattr(s, &t))
			die("tcgetattr");
		cfmakeraw(&t);
		if (tcsetattr(s, TCSANOW, &t))
			die("tcsetattr");
		w->fd[0] = m;
		w->fd[1] = s;
	}
}

static int parse_run_opts(int argc, char **argv, int *threads, long *iters,
			  long *cal_ms, int *mask, const char **path)
{
	int opt;

	while ((opt = getopt(argc, argv, "j:i:c:m:f:")) != -1) {
		switch (opt) {
		case 'f': *path = optarg; break;
		case 'm': *mask = (int)strtol(optarg, NULL, 0); break;
		case 'j': *threads = atoi(optarg); break;
		case 'i': *iters = atol(optarg); break;
		case 'c': *cal_ms = atol(optarg); break;
		default: return -1;
		}
	}
	return (*iters > 0) == (*cal_ms > 0) || *threads < 1 ? -1 : 0;
}

static int do_core(int kind, int argc, char **argv)
{
	int threads = 2;
	long iters = 0, cal_ms = 0, total = 0;
	struct worker *w;
	uint64_t t0;
	const char *path = NULL;
	int mask = 0;

	if (parse_run_opts(argc, argv, &threads, &iters, &cal_ms, &mask, &path))
		return 2;
	if ((kind == 'f' || kind == 'b' || kind == 'n') != (path != NULL))
		return 2;
	w = calloc(threads, sizeof(*w));
	if (!w)
		die("calloc");
	memset(fsync_buf, 'm', sizeof(fsync_buf));
	for (int i = 0; i < threads; i++) {
		w[i].kind = kind;
		w[i].iters = iters;
		w[i].path = path;
		setup_fds(&w[i], i);
	}
	t0 = now_us();
	for (int i = 0; i < threads; i++) {
		w[i].deadline = t0 + (uint64_t)cal_ms * 1000;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]))
			die("pthread_create");
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].done;
	}
	if (cal_ms)
		printf("iters=%ld\n", total / threads);
	else
		printf("elapsed_us=%llu iters=%ld\n",
		       (unsigned long long)(now_us() - t0), iters);
	return 0;
}

/* ---- module workload ----------------------------------------------------- */

static void mod_write(int fd, long n, int mask)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld %d", n, mask);

	if (write(fd, buf, len) != len)
		die("write /proc/mg_bench_load");
}

static int do_mod(int argc, char **argv)
{
	int threads = 1, fd, mask = 15;
	long iters = 0, cal_ms = 0, done = 0;
	uint64_t t0;
	const char *path = NULL;

	if (parse_run_opts(argc, argv, &threads, &iters, &cal_ms, &mask, &path) ||
	    path)
		return 2;
	fd = open("/proc/mg_bench_load", O_WRONLY);
	if (fd < 0)
		die("open /proc/mg_bench_load");
	t0 = now_us();
	if (iters) {
		mod_write(fd, iters, mask);
		printf("elapsed_us=%llu iters=%ld\n",
		       (unsigned long long)(now_us() - t0), iters);
		return 0;
	}
	/* calibrate in chunks of 100 rounds */
	while (now_us() - t0 < (uint64_t)cal_ms * 1000) {
		mod_write(fd, 100, mask);
		done += 100;
	}
	printf("iters=%ld\n", done);
	return 0;
}

/* ---- sleeping tasks --------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_spawn(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	pid_t me = getpid();
	sigset_t block, old;
	int n, fd;

	if (argc != 3)
		return 2;
	n = atoi(argv[1]);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			fprintf(stderr, "mg_bench: fork %d of %d: %s\n", i, n,
				strerror(errno));
			break;
		}
		if (!p) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (getppid() != me)
				_exit(0);
			for (;;)
				pause();
		}
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(argv[2]);
	close(fd);
	while (!stop)
		sigsuspend(&old);
	return 0; /* PDEATHSIG takes the children */
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	argc--;
	argv++;
	if (!strcmp(argv[0], "time"))
		return do_time(argc, argv);
	if (!strcmp(argv[0], "sleep"))
		return do_core('s', argc, argv);
	if (!strcmp(argv[0], "poll"))
		return do_core('p', argc, argv);
	if (!strcmp(argv[0], "pty"))
		return do_core('t', argc, argv);
	if (!strcmp(argv[0], "open"))
		return do_core('o', argc, argv);
	if (!strcmp(argv[0], "openmod"))
		return do_core('O', argc, argv);
	if (!strcmp(argv[0], "fsync"))
		return do_core('f', argc, argv);
	if (!strcmp(argv[0], "bdev"))
		return do_core('b', argc, argv);
	if (!strcmp(argv[0], "net"))
		return do_core('n', argc, argv);
	if (!strcmp(argv[0], "mod"))
		return do_mod(argc, argv);
	if (!strcmp(argv[0], "rpc"))
		return do_rpc(argc, argv);
	if (!strcmp(argv[0], "spawn"))
		return do_spawn(argc, argv);
usage:
	fprintf(stderr, "usage: see the comment at the top of tests/bench/mg_bench.c\n");
	return 2;
}
