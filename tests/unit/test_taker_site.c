// SPDX-License-Identifier: GPL-2.0
/* the real taker of a reference taken through plumbing (taker_site.c) */
#include "modguard_abi.h"
#include "taker_site.h"
#include "check.h"

/* two plumbing functions: [0x1000, 0x1100) and [0x2000, 0x2200) */
static void plumbing(void)
{
	uint64_t lo[3] = { 0x1000, 0, 0x2000 }, hi[3] = { 0x1100, 0, 0x2200 };

	mg_taker_site_set_plumbing(lo, hi, 3);
}

static void first_frame_outside_the_plumbing(void)
{
	/* tracing frame, then ip (in plumbing), plumbing, the taker, more */
	uint64_t stack[5] = { 0x9000, 0x1010, 0x2100, 0x5000, 0x6000 };
	size_t first;

	plumbing();
	CHECK(mg_taker_site_is_plumbing(0x10ff));
	CHECK(!mg_taker_site_is_plumbing(0x1100));
	CHECK(mg_taker_site(0x1010, stack, 5, &first) == 0x5000);
	CHECK_INT(first, 1); /* the tracing frame before ip is not kept */
}

static void ip_not_in_the_stack(void)
{
	uint64_t stack[3] = { 0x2010, 0x1020, 0x7000 };
	size_t first;

	plumbing();
	CHECK(mg_taker_site(0x1050, stack, 3, &first) == 0x7000);
	CHECK_INT(first, 0);
}

static void all_plumbing_keeps_ip(void)
{
	uint64_t stack[2] = { 0x1010, 0x2010 };
	size_t first;

	plumbing();
	CHECK(mg_taker_site(0x1010, stack, 2, &first) == 0x1010);
	CHECK(mg_taker_site(0x1010, stack, 0, &first) == 0x1010);
}

static void names_fit(void)
{
	size_t n = 0;

	while (mg_plumbing_names[n])
		n++;
	CHECK(n > 0 && n <= MG_PLUMBING_MAX);
}

/* kept sorted by start whatever the order kallsyms gave: a binary search */
static void ranges_sorted_and_searched(void)
{
	uint64_t lo[5] = { 0x5000, 0x1000, 0, 0x3000, 0x4000 };
	uint64_t hi[5] = { 0x5100, 0x1100, 0, 0x3000, 0x4080 };
	const uint64_t *slo, *shi;

	/* 0 (a kernel lacks it) and [0x3000, 0x3000) (no end) are left out */
	CHECK_INT(mg_taker_site_set_plumbing(lo, hi, 5), 3);
	CHECK_INT(mg_taker_site_plumbing(&slo, &shi), 3);
	CHECK(slo[0] == 0x1000 && slo[1] == 0x4000 && slo[2] == 0x5000);
	CHECK(shi[0] == 0x1100 && shi[1] == 0x4080 && shi[2] == 0x5100);
	CHECK(!mg_taker_site_is_plumbing(0xfff));
	CHECK(mg_taker_site_is_plumbing(0x1000));
	CHECK(!mg_taker_site_is_plumbing(0x3000));
	CHECK(mg_taker_site_is_plumbing(0x407f));
	CHECK(!mg_taker_site_is_plumbing(0x4080));
	CHECK(mg_taker_site_is_plumbing(0x50ff));
	CHECK(!mg_taker_site_is_plumbing(0x5100));
}

int main(void)
{
	RUN(ranges_sorted_and_searched);
	RUN(first_frame_outside_the_plumbing);
	RUN(ip_not_in_the_stack);
	RUN(all_plumbing_keeps_ip);
	RUN(names_fit);
	return check_done();
}
