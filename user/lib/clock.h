/* SPDX-License-Identifier: GPL-2.0 */
/* one clock reading in nanoseconds, for every modguard program */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

/* clk (CLOCK_MONOTONIC, CLOCK_REALTIME, ...) in ns; 0 if clk is invalid */
static inline uint64_t mg_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Arm timerfd fd (CLOCK_MONOTONIC) to fire at deadline_ns, an absolute
 * mg_clock_ns(CLOCK_MONOTONIC) time: at once if it has passed; 0 disarms.
 */
static inline int mg_timerfd_at(int fd, uint64_t deadline_ns)
{
	struct itimerspec its = {
		.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull),
		.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull),
	};

	return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

#endif /* MG_CLOCK_H */
