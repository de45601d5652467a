// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol's verbs (user/daemon/requests.c), one request line answered
 * for a given peer, without a socket: what a request that is wrong gets,
 * and that raw kernel addresses reach only a peer that /proc/kallsyms
 * would show them to, in report and history (records keep them on disk
 * and are masked when served).
 */
#include <errno.h>

#include "fixtures/fixtures.h"
#include "peer.h"
#include "records.h"
#include "requests.h"
#include "stubs/bpf_stub.h"
#include "check.h"

#define CAP_SYS_MODULE_BIT (1ull << 16)
#define CAP_SYSLOG_BIT (1ull << 34)

static struct fx fx;

/* peers: root without word on its caps, nobody, one the kernel vouches for */
static const struct mg_peer root = { .pid = 1, .uid = 0 };
static const struct mg_peer nobody = { .pid = 2, .uid = 65534 };
static const struct mg_peer syslog = { .pid = 3, .uid = 65534,
				       .caps_known = 1,
				       .caps = CAP_SYSLOG_BIT };

/* the answer to req for peer (never handed to an unload here) */
static const char *answer(const struct mg_peer *peer, const char *req)
{
	char *line = fx_own(&fx, strdup(req));
	FILE *out = fx_out_open(&fx);

	CHECK_INT(mg_requests_answer(&fx.d, NULL, peer, line, strlen(line),
				     out), 0);
	return fx_out_close(&fx, out);
}

static void malformed_requests(void)
{
	char args[MG_MAX_ARGS * 2 + 32] = "MG1 status";

	fx_init(&fx);
	CHECK_STR(answer(&root, "MG2 status\n"),
		  "err code=2 msg=unsupported%20protocol%20version%20%28this%20"
		  "is%20MG1%29\n");
	CHECK_STR(answer(&root, "MG1\n"),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	CHECK_STR(answer(&root, "MG1 st@tus\n"),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	CHECK_STR(answer(&root, "MG1 status %zz\n"),
		  "err code=2 msg=malformed%20request:%20Invalid%20argument\n");
	for (int i = 0; i <= MG_MAX_ARGS; i++)
		strcat(args, " a");
	strcat(args, "\n");
	CHECK_STR(answer(&root, args),
		  "err code=2 msg=malformed%20request:%20Argument%20list%20too%20"
		  "long\n");
	CHECK_STR(answer(&root, "MG1 frobnicate now\n"),
		  "err code=2 msg=unknown%20request%20%27frobnicate%27\n");
	/* the verb is not echoed at any length */
	CHECK_STR(answer(&root, "MG1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"),
		  "err code=2 msg=unknown%20request%20%27aaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaa%27\n");
	fx_fini(&fx);
}

/* the err line of text: its code, and its message contains want */
static void check_err(const char *text, const char *code, const char *want)
{
	CHECK_STR(fx_keys(&fx, text), "err code msg");
	CHECK_STR(fx_field(&fx, text, "code"), code);
	CHECK_CONTAINS(fx_field(&fx, text, "msg"), want);
}

/*
 * Unloading, and clearing a quarantine, for a peer that may not: refused
 * before anything is done, whatever else the request says.
 */
static void refused_for_the_unprivileged(void)
{
	static const char need_cap[] = "needs CAP_SYS_MODULE in the initial "
				       "user namespace",
			  need_root[] = "needs root (CAP_SYS_MODULE)";
	const struct mg_peer userns_root = { .pid = 4, .uid = 65534,
					     .caps_known = 1 };

	fx_init(&fx);
	fx_load_buggy(&fx, 0, "-");
	check_err(answer(&nobody, "MG1 unload mg_buggy 1000 guarded\n"), "2",
		  need_root);
	check_err(answer(&userns_root, "MG1 unload mg_buggy 1000 dry-run\n"),
		  "2", need_cap);
	check_err(answer(&syslog, "MG1 unload mg_buggy 1000 force\n"), "2",
		  need_cap);
	check_err(answer(&nobody, "MG1 unload\n"), "2", need_root);
	CHECK(fx.d.ops == NULL);
	check_err(answer(&nobody, "MG1 clear_quarantine mg_buggy\n"), "2",
		  need_root);
	check_err(answer(&userns_root, "MG1 clear_quarantine mg_buggy\n"), "2",
		  need_cap);
	fx_fini(&fx);
}

/* the report of mg_buggy with one of everything, for peer */
static const char *report_for(const struct mg_peer *peer, const char *kptr,
			      const char *paranoid)
{
	fx_write(&fx, "proc/sys/kernel/kptr_restrict", kptr);
	fx_write(&fx, "proc/sys/kernel/perf_event_paranoid", paranoid);
	return answer(peer, "MG1 report mg_buggy mg_other\n");
}

static void report_addresses_follow_the_kernel_rule(void)
{
	const char *text;

	fx_init(&fx);
	fx_everything(&fx);
	/* kptr_restrict 1: CAP_SYSLOG only */
	text = report_for(&nobody, "1\n", "2\n");
	CHECK_CONTAINS(text, "module name=mg_buggy ");
	CHECK_CONTAINS(text, "function=chrdev_open+0x10");
	CHECK_CONTAINS(text, "pid=402");
	CHECK_CONTAINS(text, "verdict=busy");
	CHECK(!fx_has_raw_addr(text));
	CHECK(!fx_has_raw_addr(report_for(&root, "1\n", "-1\n")));
	CHECK(fx_has_raw_addr(report_for(&syslog, "1\n", "2\n")));
	/* 2: nobody at all */
	CHECK(!fx_has_raw_addr(report_for(&syslog, "2\n", "-1\n")));
	/* 0: everyone, unless perf_event_paranoid keeps it to CAP_SYSLOG */
	CHECK(fx_has_raw_addr(report_for(&nobody, "0\n", "1\n")));
	CHECK(!fx_has_raw_addr(report_for(&nobody, "0\n", "2\n")));
	CHECK(fx_has_raw_addr(report_for(&syslog, "0\n", "2\n")));
	/* every module, the same */
	fx_write(&fx, "proc/sys/kernel/kptr_restrict", "1\n");
	CHECK(!fx_has_raw_addr(answer(&nobody, "MG1 report\n")));
	CHECK(fx_has_raw_addr(answer(&syslog, "MG1 report\n")));
	fx_fini(&fx);
}

/* a stale record with raw addresses in every field that can hold one */
static void write_record_with_addresses(void)
{
	struct mg_ref_summary ref = { .kind = "timer", .pid = 150 };

	snprintf(ref.function, sizeof(ref.function), "0xffffffffc0001234");
	snprintf(ref.site, sizeof(ref.site), "mg_buggy_read+0x18");
	snprintf(ref.note, sizeof(ref.note),
		 "objects 0xffff888000100000,0xffff888000200000; flags 0x12345678");
	snprintf(ref.comm, sizeof(ref.comm), "insmod");
	fx_stale_record(&fx, "mg_buggy", "SRC1",
			"a timer at 0xffffffffc0000100 left armed", &ref, 1);
}

static void history_is_masked_when_served(void)
{
	struct mg_unload_record *recs;
	const char *text, *ref;

	fx_init(&fx);
	write_record_with_addresses();
	text = answer(&nobody, "MG1 history\n");
	CHECK(!fx_has_raw_addr(text));
	CHECK_STR(fx_field(&fx, text, "reason"), "a timer at ? left armed");
	ref = fx_find_line(&fx, text, "ref");
	CHECK_STR(fx_field(&fx, ref ? ref : "", "function"), "?");
	/* symbols and short numbers are no addresses: kept */
	CHECK_STR(fx_field(&fx, ref ? ref : "", "site"), "mg_buggy_read+0x18");
	CHECK_STR(fx_field(&fx, ref ? ref : "", "note"),
		  "objects ?,?; flags 0x12345678");
	CHECK_STR(fx_field(&fx, ref ? ref : "", "pid"), "150");
	CHECK(!fx_has_raw_addr(answer(&root, "MG1 history\n")));
	/* CAP_SYSLOG: as on disk */
	text = answer(&syslog, "MG1 history\n");
	CHECK_STR(fx_field(&fx, text, "reason"),
		  "a timer at 0xffffffffc0000100 left armed");
	ref = fx_find_line(&fx, text, "ref");
	CHECK_STR(fx_field(&fx, ref ? ref : "", "function"), "0xffffffffc0001234");
	fx_write(&fx, "proc/sys/kernel/kptr_restrict", "2\n");
	CHECK(!fx_has_raw_addr(answer(&syslog, "MG1 history\n")));
	/* the file keeps them */
	CHECK_INT(fx_records(&fx, &recs), 1);
	CHECK_STR(recs[0].refs[0].function, "0xffffffffc0001234");
	fx_fini(&fx);
}

int main(void)
{
	RUN(malformed_requests);
	RUN(refused_for_the_unprivileged);
	RUN(report_addresses_follow_the_kernel_rule);
	RUN(history_is_masked_when_served);
	return check_done();
}
