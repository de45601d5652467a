/* SPDX-License-Identifier: GPL-2.0 */
/* one clock reading in nanoseconds, for every modguard program */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

#include <stdint.h>
#include <time.h>

/* clk (CLOCK_MONOTONIC, CLOCK_REALTIME, ...) in ns; 0 if clk is invalid */
static inline uint64_t mg_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* MG_CLOCK_H */
