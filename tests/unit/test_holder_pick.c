// SPDX-License-Identifier: GPL-2.0
/* which scanned holders explain the untracked references (holder_pick.c) */
#include "holder_scan.h"
#include "check.h"

#define MOD 0xffffffffc0010000ull
#define OTHER 0xffffffffc0110000ull

static struct mg_scan_holder rec(uint64_t mod, uint64_t obj, uint32_t tgid,
				 uint32_t count)
{
	struct mg_scan_holder h;

	memset(&h, 0, sizeof(h));
	h.mod = mod;
	h.object = obj;
	h.via = tgid ? MG_SCAN_FILE : MG_SCAN_MOUNT;
	h.count = count;
	h.pid = h.tgid = tgid;
	h.fd = tgid ? 3 : -1;
	return h;
}

/* those found at start come first, then those of untracked processes */
static void start_then_untracked_then_rest(void)
{
	struct mg_scan_holder r[4] = {
		rec(MOD, 0x100, 50, 1), /* opened since, by a tracked taker */
		rec(MOD, 0x200, 60, 1), /* opened since, by nobody tracked */
		rec(OTHER, 0x300, 70, 1),
		rec(MOD, 0x400, 80, 1), /* found at start */
	};
	struct mg_scan_holder start_recs[1] = { rec(MOD, 0x400, 80, 1) };
	struct mg_holder_set at_start;
	uint32_t tracked[1] = { 50 }, counts[4];
	size_t picks[4], n;

	CHECK_INT(mg_holder_set_from(&at_start, start_recs, 1), 0);
	n = mg_holder_scan_pick(r, 4, MOD, 2, &at_start, tracked, 1, picks,
				counts);
	CHECK_INT(n, 2);
	CHECK_INT(picks[0], 3);
	CHECK_INT(picks[1], 1);
	CHECK_INT(counts[0] + counts[1], 2);
	/* with room for all, the tracked taker's file comes last */
	n = mg_holder_scan_pick(r, 4, MOD, 10, &at_start, tracked, 1, picks,
				counts);
	CHECK_INT(n, 3);
	CHECK_INT(picks[2], 0);
	mg_holder_set_free(&at_start);
}

/* never more references than the budget: a socket's two are cut to one */
static void budget_cuts_counts(void)
{
	struct mg_scan_holder r[2] = { rec(MOD, 0x100, 50, 2),
				       rec(MOD, 0x200, 0, 1) };
	uint32_t counts[2];
	size_t picks[2], n;

	n = mg_holder_scan_pick(r, 2, MOD, 1, NULL, NULL, 0, picks, counts);
	CHECK_INT(n, 1);
	CHECK_INT(counts[0], 1);
	n = mg_holder_scan_pick(r, 2, MOD, 0, NULL, NULL, 0, picks, counts);
	CHECK_INT(n, 0);
	n = mg_holder_scan_pick(r, 2, OTHER, 5, NULL, NULL, 0, picks, counts);
	CHECK_INT(n, 0);
}

static void set_lookup(void)
{
	struct mg_scan_holder r[3] = { rec(MOD, 0x300, 1, 1),
				       rec(MOD, 0x100, 1, 1),
				       rec(MOD, 0x200, 1, 1) };
	struct mg_holder_set s;

	CHECK_INT(mg_holder_set_from(&s, r, 3), 0);
	CHECK(mg_holder_set_has(&s, 0x100));
	CHECK(mg_holder_set_has(&s, 0x300));
	CHECK(!mg_holder_set_has(&s, 0x250));
	mg_holder_set_free(&s);
	CHECK_INT(mg_holder_set_from(&s, r, 0), 0);
	CHECK(!mg_holder_set_has(&s, 0x100));
	mg_holder_set_free(&s);
}

int main(void)
{
	RUN(start_then_untracked_then_rest);
	RUN(budget_cuts_counts);
	RUN(set_lookup);
	return check_done();
}
