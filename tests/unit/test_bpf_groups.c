// SPDX-License-Identifier: GPL-2.0
/*
 * Attach groups with a stubbed kernel: a group attaches whole or not at
 * all, status says why not, and a required group that fails fails start.
 */
#include <errno.h>

#include "../../user/daemon/bpf_groups.h"
#include "../../user/daemon/status.h"
#include "../../user/lib/log.h"
#include "check.h"
#include "modguard.skel.h"

#define MAX_LINKS 64

/* the stub kernel: every link ever made, attached or not */
struct stub_link {
	char prog[64];
	int attached;
	int unpinned;
};

struct stub {
	const char *fail;  /* this program does not attach */
	int fail_err;
	struct stub_link links[MAX_LINKS];
	int nlinks;
	int attempts;      /* attach calls, failed ones too */
};

static void *stub_attach(void *ctx, const char *prog)
{
	struct stub *s = ctx;
	struct stub_link *l;

	s->attempts++;
	if (s->fail && !strcmp(prog, s->fail)) {
		errno = s->fail_err;
		return NULL;
	}
	if (s->nlinks == MAX_LINKS) {
		errno = ENOSPC;
		return NULL;
	}
	l = &s->links[s->nlinks++];
	snprintf(l->prog, sizeof(l->prog), "%s", prog);
	l->attached = 1;
	return l;
}

static void stub_detach(void *ctx, void *link, int unpin)
{
	struct stub_link *l = link;

	(void)ctx;
	CHECK(l->attached); /* never twice */
	l->attached = 0;
	l->unpinned = unpin;
}

static const struct mg_group_env full = { .enforce = 1, .lsm = 1, .no_lsm = "" };

/* is one of group id's programs attached in s? */
static int group_attached(const struct stub *s, int id)
{
	for (int i = 0; mg_group_table[id].progs[i]; i++)
		for (int j = 0; j < s->nlinks; j++)
			if (s->links[j].attached &&
			    !strcmp(s->links[j].prog, mg_group_table[id].progs[i]))
				return 1;
	return 0;
}

static const struct stub_link *find_link(const struct stub *s, const char *prog)
{
	for (int j = 0; j < s->nlinks; j++)
		if (!strcmp(s->links[j].prog, prog))
			return &s->links[j];
	return NULL;
}

/* group id failed at prog and left nothing attached */
static void check_failed_whole(const struct stub *s, const struct mg_groups *g,
			       int id, const char *prog)
{
	CHECK(!g->status[id].active);
	CHECK(!group_attached(s, id));
	CHECK(strstr(g->status[id].reason, prog));
	for (int i = 0; i < MG_GROUP_MAX_PROGS; i++)
		CHECK(!g->links[id][i]);
}

static void run(struct stub *s, struct mg_groups *g,
		const struct mg_group_env *env, int want)
{
	struct mg_group_ops ops = { stub_attach, stub_detach, s };

	memset(g, 0, sizeof(*g));
	CHECK_INT(mg_groups_attach(g, env, &ops), want);
}

static void every_group_attaches(void)
{
	struct stub s = { 0 };
	struct mg_groups g;
	struct mg_group_ops ops = { stub_attach, stub_detach, &s };
	int n = 0;

	run(&s, &g, &full, 0);
	for (int id = 0; id < MG_GROUP_COUNT; id++) {
		CHECK(g.status[id].active);
		CHECK(!strcmp(g.status[id].reason, ""));
		CHECK(!strcmp(g.status[id].name, mg_group_table[id].name));
		/* attach order is table order */
		for (int i = 0; mg_group_table[id].progs[i]; i++, n++)
			CHECK(!strcmp(s.links[n].prog, mg_group_table[id].progs[i]));
	}
	CHECK_INT(s.nlinks, n);
	CHECK_INT(g.status[MG_GROUP_LIFECYCLE].required, 1);
	CHECK_INT(g.status[MG_GROUP_REFS].required, 0);
	/* a stop that keeps the pins destroys every link, unpins none */
	mg_groups_detach(&g, &ops, 0);
	for (int j = 0; j < s.nlinks; j++)
		CHECK(!s.links[j].attached && !s.links[j].unpinned);
}

/* the status verb's group record of g has prefix and then contains rest */
static void status_says(const struct mg_groups *g, const char *prefix,
			const char *rest)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	if (!f)
		return;
	mg_status_encode_groups(g->status, MG_GROUP_COUNT, f);
	fclose(f);
	line = strstr(buf, prefix);
	if (!line || (line != buf && line[-1] != '\n'))
		check_fail(__FILE__, __LINE__, "no line starting %s in:\n%s",
			   prefix, buf);
	else if (!strstr(line, rest) || strstr(line, rest) > strchr(line, '\n'))
		check_fail(__FILE__, __LINE__, "%s... lacks %s", prefix, rest);
	free(buf);
}

static void second_program_failing_detaches_the_first(void)
{
	struct stub s = { .fail = "mg_file_free", .fail_err = EOPNOTSUPP };
	const struct mg_group_status *st;
	const struct stub_link *first;
	struct mg_groups g;
	char want[200];

	run(&s, &g, &full, 0);
	st = &g.status[MG_GROUP_OPEN_FILES];
	/* (a) the first program's link went, and its pin */
	first = find_link(&s, "mg_file_open");
	CHECK(first && !first->attached && first->unpinned);
	/* (b) nothing of the group remains; (c) status says why */
	check_failed_whole(&s, &g, MG_GROUP_OPEN_FILES, "mg_file_free");
	snprintf(want, sizeof(want), "cannot attach mg_file_free: %s",
		 strerror(EOPNOTSUPP));
	CHECK(!strcmp(st->reason, want));
	/* (d) the others are whole */
	for (int id = 0; id < MG_GROUP_COUNT; id++) {
		if (id == MG_GROUP_OPEN_FILES)
			continue;
		CHECK(g.status[id].active);
		CHECK(group_attached(&s, id));
	}
	/* (e) and the status verb says so, from the same status array */
	status_says(&g, "group name=open_files state=inactive required=0 ",
		    "reason=cannot%20attach%20mg_file_free:%20");
	status_says(&g, "group name=refs state=active required=0 ", "reason=\n");
}

static void second_timer_program_failing(void)
{
	struct stub s = { .fail = "mg_timer_cancel", .fail_err = ENOENT };
	struct mg_groups g;

	run(&s, &g, &full, 0);
	check_failed_whole(&s, &g, MG_GROUP_TIMERS, "mg_timer_cancel");
	/* the rest of the group is not even tried */
	CHECK(!find_link(&s, "mg_hrtimer_start"));
	CHECK(g.status[MG_GROUP_REFS].active && g.status[MG_GROUP_WORK].active);
}

static void required_group_failing_fails_start(void)
{
	struct stub s = { .fail = "mg_module_free", .fail_err = ENOENT };
	const struct stub_link *load;
	struct mg_groups g;

	run(&s, &g, &full, -ENOENT);
	load = find_link(&s, "mg_module_load");
	CHECK(load && !load->attached && load->unpinned);
	check_failed_whole(&s, &g, MG_GROUP_LIFECYCLE, "mg_module_free");
	/* nothing after it was attempted */
	CHECK_INT(s.attempts, 2);
	for (int id = 1; id < MG_GROUP_COUNT; id++)
		CHECK(!g.status[id].active && !g.tried[id]);
}

static void dependents_of_a_failed_group_say_so(void)
{
	struct stub s = { .fail = "mg_pde_free", .fail_err = ENOENT };
	struct mg_groups g;

	run(&s, &g, &full, 0);
	check_failed_whole(&s, &g, MG_GROUP_FOPS, "mg_pde_free");
	CHECK(!strcmp(g.status[MG_GROUP_TASK_DEAD].reason, "needs fops"));
	CHECK(!strcmp(g.status[MG_GROUP_OPEN_FILES].reason, "needs fops"));
	CHECK(!g.tried[MG_GROUP_TASK_DEAD] && !g.tried[MG_GROUP_OPEN_FILES]);
	/* the enforcement does not need fops */
	CHECK(g.status[MG_GROUP_ENFORCEMENT].active);
}

static void advisory_and_no_lsm_are_not_attempted(void)
{
	const char *no_lsm = "the BPF LSM is not active (active LSMs: x)";
	struct mg_group_env advisory = { .enforce = 0, .lsm = 1, .no_lsm = "" };
	struct mg_group_env plain = { .enforce = 1, .lsm = 0, .no_lsm = no_lsm };
	struct stub s = { 0 }, t = { 0 };
	struct mg_groups g;

	run(&s, &g, &advisory, 0);
	CHECK(!g.status[MG_GROUP_ENFORCEMENT].active);
	CHECK(!strcmp(g.status[MG_GROUP_ENFORCEMENT].reason,
		      "modguardd runs with --advisory"));
	CHECK(g.status[MG_GROUP_OPEN_FILES].active);

	run(&t, &g, &plain, 0);
	CHECK(!strcmp(g.status[MG_GROUP_ENFORCEMENT].reason, no_lsm));
	CHECK(!strcmp(g.status[MG_GROUP_OPEN_FILES].reason, no_lsm));
	CHECK(!group_attached(&t, MG_GROUP_ENFORCEMENT));
	CHECK(g.status[MG_GROUP_TASK_DEAD].active);
}

static void dropped_group_is_detached_whole(void)
{
	struct stub s = { 0 };
	struct mg_groups g;
	struct mg_group_ops ops = { stub_attach, stub_detach, &s };

	run(&s, &g, &full, 0);
	mg_groups_drop(&g, MG_GROUP_ENFORCEMENT, &ops, "mg_config cannot be written");
	check_failed_whole(&s, &g, MG_GROUP_ENFORCEMENT, "mg_config");
	CHECK(find_link(&s, "mg_capable")->unpinned);
	CHECK(g.status[MG_GROUP_OPEN_FILES].active);
}

/* the table names real programs, and every program is in one group or on demand */
static void table_matches_the_skeleton(void)
{
	static const char *const on_demand[] = {
		"mg_scan_modules", "mg_check_armed", "mg_scan_tasks",
		"mg_scan_files", "mg_scan_supers", "mg_scan_held_refs",
		"mg_scan_ksyms",
		"mg_watch_switch", "mg_watch_sys_exit", "mg_watch_exit",
		"mg_watch_init_done", "mg_calls_sys_enter", "mg_calls_sys_exit",
		"mg_calls_work_end", "mg_entry", NULL,
	};
	struct modguard_bpf *skel = modguard_bpf__open();
	struct bpf_program *prog;
	int in_table = 0, seen = 0;

	CHECK(skel);
	if (!skel)
		return;
	for (int id = 0; id < MG_GROUP_COUNT; id++)
		for (int i = 0; mg_group_table[id].progs[i]; i++, in_table++)
			CHECK(bpf_object__find_program_by_name(
				skel->obj, mg_group_table[id].progs[i]));
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		int found = 0;

		for (int i = 0; on_demand[i]; i++)
			found |= !strcmp(name, on_demand[i]);
		for (int id = 0; id < MG_GROUP_COUNT; id++)
			for (int i = 0; mg_group_table[id].progs[i]; i++)
				found += !strcmp(name, mg_group_table[id].progs[i]);
		if (found != 1)
			check_fail(__FILE__, __LINE__, "%s is in %d places", name,
				   found);
		seen++;
	}
	CHECK_INT(seen, in_table + (int)(sizeof(on_demand) / sizeof(*on_demand)) - 1);
	modguard_bpf__destroy(skel);
}

int main(void)
{
	FILE *quiet = fopen("/dev/null", "w");

	mg_log_set_stream(quiet); /* the expected failures' warnings */
	RUN(every_group_attaches);
	RUN(second_program_failing_detaches_the_first);
	RUN(second_timer_program_failing);
	RUN(required_group_failing_fails_start);
	RUN(dependents_of_a_failed_group_say_so);
	RUN(advisory_and_no_lsm_are_not_attempted);
	RUN(dropped_group_is_detached_whole);
	RUN(table_matches_the_skeleton);
	return check_done();
}
