// SPDX-License-Identifier: GPL-2.0
/* outcomes: names, strict parsing off the socket, each CLI's exit codes */
#include <errno.h>

#include "cli.h"
#include "outcome.h"
#include "check.h"

static void t_values(void)
{
	/* documented exit codes and protocol values: they must not move */
	CHECK_INT(MG_OUTCOME_OK, 0);
	CHECK_INT(MG_OUTCOME_REFUSED, 1);
	CHECK_INT(MG_OUTCOME_BAD_INPUT, 2);
	CHECK_INT(MG_OUTCOME_FAILED, 3);
	CHECK_INT(MG_OUTCOME_STALE, 4);
	CHECK_INT(MG_DAEMON_EXIT_OK, 0);
	CHECK_INT(MG_DAEMON_EXIT_RUNTIME, 1);
	CHECK_INT(MG_DAEMON_EXIT_USAGE, 2);
	CHECK_INT(MG_DAEMON_EXIT_SETUP, 3);
}

static void t_names(void)
{
	static const char *const names[] = { "ok", "refused", "bad_input",
					     "failed", "stale" };

	for (int o = 0; o <= MG_OUTCOME_MAX; o++)
		CHECK_STR(mg_outcome_name((enum mg_outcome)o), names[o]);
	CHECK_STR(mg_outcome_name((enum mg_outcome)5), "?");
	CHECK_STR(mg_outcome_name((enum mg_outcome)-1), "?");
}

static void t_parse(void)
{
	static const char *const bad[] = {
		"", "5", "9", "-1", "+1", "01", "00", " 1", "1 ", "1x", "0x1",
		"4294967296", "a", "3\n",
	};
	enum mg_outcome o = MG_OUTCOME_FAILED;

	for (int v = 0; v <= MG_OUTCOME_MAX; v++) {
		char s[2] = { (char)('0' + v), '\0' };

		CHECK_INT(mg_outcome_parse(s, &o), 0);
		CHECK_INT(o, v);
	}
	o = MG_OUTCOME_STALE;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(mg_outcome_parse(bad[i], &o), -EINVAL);
		/* untouched on failure */
		CHECK_INT(o, MG_OUTCOME_STALE);
	}
	CHECK_INT(mg_outcome_parse(NULL, &o), -EINVAL);
}

static void t_cli_exit_codes(void)
{
	/* as documented in each --help: modguard has 0, 1 (reserved), 2, 3 */
	static const struct {
		enum mg_outcome o;
		int rmmod, modguard;
	} cases[] = {
		{ MG_OUTCOME_OK, 0, 0 },
		{ MG_OUTCOME_REFUSED, 1, 1 },
		{ MG_OUTCOME_BAD_INPUT, 2, 2 },
		{ MG_OUTCOME_FAILED, 3, 3 },
		{ MG_OUTCOME_STALE, 4, 3 },
		{ (enum mg_outcome)7, 3, 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(cli_rmmod_exit(cases[i].o), cases[i].rmmod);
		CHECK_INT(cli_modguard_exit(cases[i].o), cases[i].modguard);
	}
}

static void t_result_outcome(void)
{
	static const struct {
		const char *line;
		enum mg_outcome want;
		const char *broken;
	} cases[] = {
		{ "result outcome=unloaded exit=0 message=gone\n", MG_OUTCOME_OK, "" },
		{ "result outcome=stale exit=4 message=left\n", MG_OUTCOME_STALE, "" },
		{ "result outcome=refused exit=1\n", MG_OUTCOME_REFUSED, "" },
		/* what atoi() made 0, 4 or 1 of */
		{ "result outcome=unloaded exit=0x message=gone\n", MG_OUTCOME_FAILED,
		  "broken reply from modguardd: its result has exit=0x, not an "
		  "outcome (0-4); it said: gone" },
		{ "result outcome=stale exit=4%20 message=left\n", MG_OUTCOME_FAILED,
		  "broken reply from modguardd: its result has exit=4 , not an "
		  "outcome (0-4); it said: left" },
		{ "result outcome=refused exit=17\n", MG_OUTCOME_FAILED,
		  "broken reply from modguardd: its result has exit=17, not an "
		  "outcome (0-4); it said: (nothing)" },
		{ "result outcome=unloaded message=gone\n", MG_OUTCOME_FAILED,
		  "broken reply from modguardd: its result has exit=(none), not "
		  "an outcome (0-4); it said: gone" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256], broken[256] = "x";
		struct mg_record rec;

		snprintf(line, sizeof(line), "%s", cases[i].line);
		CHECK_INT(mg_record_parse(line, strlen(line), &rec), 0);
		CHECK_INT(cli_result_outcome(&rec, broken, sizeof(broken)),
			  cases[i].want);
		CHECK_STR(broken, cases[i].broken);
	}
}

int main(void)
{
	RUN(t_values);
	RUN(t_names);
	RUN(t_parse);
	RUN(t_cli_exit_codes);
	RUN(t_result_outcome);
	return check_done();
}
