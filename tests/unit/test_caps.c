// SPDX-License-Identifier: GPL-2.0
/* effective capabilities from a /proc status file, and the clock */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>

#include "caps.h"
#include "clock.h"
#include "check.h"

static char tmp[] = "/tmp/mg-caps-XXXXXX";

static const char *status(const char *text)
{
	static char path[PATH_MAX];
	FILE *f;

	if (!check_mkdtemp(tmp) && errno != EINVAL)
		return NULL;
	snprintf(path, sizeof(path), "%s/status", tmp);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void t_cap_eff(void)
{
	const char *p = status("Name:\tmodguardd\nCapInh:\t0000000000000000\n"
			       "CapPrm:\t000001ffffffffff\n"
			       "CapEff:\t000000c000010000\n"
			       "CapBnd:\t000001ffffffffff\n");
	uint64_t eff = 0;

	CHECK(p != NULL);
	CHECK_INT(mg_cap_eff_read(p, &eff), 0);
	CHECK_U64(eff, 0xc000010000ull);
	CHECK(mg_cap_has(eff, CAP_SYS_MODULE));
	CHECK(mg_cap_has(eff, CAP_BPF));
	CHECK(mg_cap_has(eff, CAP_PERFMON));
	CHECK(!mg_cap_has(eff, CAP_SYS_ADMIN));
	CHECK(!mg_cap_has(eff, CAP_SYSLOG));
	CHECK(!mg_cap_has(eff, -1));
	CHECK(!mg_cap_has(~0ull, 64));
}

static void t_cap_eff_errors(void)
{
	uint64_t eff = 7;

	CHECK_INT(mg_cap_eff_read(status("Name:\tx\nCapPrm:\t1\n"), &eff),
		  -ENODATA);
	CHECK_INT(mg_cap_eff_read("/nonexistent/status", &eff), -ENOENT);
	CHECK_U64(eff, 7);
	/* our own: the kernel's word, whatever it is */
	CHECK_INT(mg_cap_eff_read("/proc/self/status", &eff), 0);
}

static void t_clock(void)
{
	uint64_t a = mg_clock_ns(CLOCK_MONOTONIC), b;

	CHECK(a > 0);
	b = mg_clock_ns(CLOCK_MONOTONIC);
	CHECK(b >= a);
	/* unix time is past 2020 */
	CHECK(mg_clock_ns(CLOCK_REALTIME) > 1577836800ull * 1000000000ull);
	CHECK_U64(mg_clock_ns((clockid_t)-42), 0);
}

int main(void)
{
	RUN(t_cap_eff);
	RUN(t_cap_eff_errors);
	RUN(t_clock);
	return check_done();
}
