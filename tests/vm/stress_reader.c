// SPDX-License-Identifier: GPL-2.0
/*
 * stress_reader: one reader of an owner-less misc device for
 * tests/vm/host/stress.sh.  Built static on the host (the guest root is
 * read-only), so the only read() it makes is the one on the device.
 *
 *   mg-stress-reader CYCLE DELAY_US ROUNDS DEVICE
 *
 * Sleeps DELAY_US, then up to ROUNDS times: open DEVICE, one read(),
 * close, a random pause of 0-40 ms; it stops early when the device is
 * gone.  One line per round (one write(), so concurrent readers can share
 * an O_APPEND file):
 *
 *   rd CYCLE PID ROUND in  T_OPEN T_READ_START T_READ_END RET
 *   rd CYCLE PID ROUND noent T_OPEN
 *
 * Times are CLOCK_MONOTONIC in ns, the clock of ftrace's "mono" trace
 * clock.  Exit 0 when every read() returned 0 (EOF) and an open failed, if
 * at all, only because the device was gone (ENOENT/ENODEV/ENXIO: the
 * module unloaded first); 1 otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* an odd count, to tell this read() apart in a trace */
#define READ_COUNT 4093

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return write(1, line, n) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static char buf[READ_COUNT];
	unsigned long long t_open, t_rs, t_re;
	unsigned long delay, rounds;
	const char *cyc;
	ssize_t ret;
	int fd, bad = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: %s CYCLE DELAY_US ROUNDS DEVICE\n", argv[0]);
		return 2;
	}
	cyc = argv[1];
	delay = strtoul(argv[2], NULL, 10);
	rounds = strtoul(argv[3], NULL, 10);
	srand(getpid());
	if (delay)
		usleep(delay);
	for (unsigned long r = 1; r <= rounds; r++) {
		t_open = now_ns();
		fd = open(argv[4], O_RDONLY);
		if (fd < 0) {
			int e = errno;
			int gone = e == ENOENT || e == ENODEV || e == ENXIO;

			say("rd %s %d %lu %s %llu\n", cyc, getpid(), r,
			    gone ? "noent" : strerror(e), t_open);
			return gone ? bad : 1;
		}
		t_rs = now_ns();
		ret = read(fd, buf, READ_COUNT);
		t_re = now_ns();
		close(fd);
		if (say("rd %s %d %lu in %llu %llu %llu %zd\n", cyc, getpid(), r,
			t_open, t_rs, t_re, ret) || ret != 0)
			bad = 1;
		usleep(rand() % 40000);
	}
	return bad;
}
