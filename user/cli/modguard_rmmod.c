// SPDX-License-Identifier: GPL-2.0
/*
 * modguard-rmmod: rmmod that asks modguardd first and refuses to unload a
 * module something still points into.
 *
 * Each module goes through phases, one function each, so that waiting for
 * a busy module to drain and the after-unload stale check can slot in:
 *   verdict (ask the daemon) -> decide -> [wait] -> unload -> [stale check]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "parse.h"
#include "render.h"
#include "unload.h"

#ifndef MG_VERSION
#define MG_VERSION "0.1.0"
#endif

#define RM_TIMEOUT_MAX_MS (24ULL * 3600 * 1000)

struct rm_opts {
	struct cli cli;
	bool dry_run;
	bool force;
	uint64_t timeout_ms;
};

/* one module's way through the phases */
struct rm_job {
	char name[MG_MODULE_NAME_MAX + 1]; /* normalized */
	struct mg_reply report;
	int mod_idx;                /* "module" record in report, or -1 */
	const char *verdict;        /* points into report, or NULL */
	const char *result;         /* short outcome, for text and JSON */
	int exit;
	char msg[1024];             /* what went wrong, if anything */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: modguard-rmmod [OPTIONS] MODULE...\n"
		"\n"
		"Unload kernel modules only when modguardd sees nothing still\n"
		"pointing into them.\n"
		"\n"
		"Options:\n"
		"  -t, --timeout SECONDS  how long to wait for modguardd (default %d,\n"
		"                         fractions like 0.5 allowed)\n"
		"      --dry-run          print the verdict, unload nothing\n"
		"      --force            skip the verdict and unload anyway (unsafe)\n"
		"  -j, --json             JSON output on stdout, errors included\n"
		"      --socket PATH      daemon socket (default $%s, else %s)\n"
		"  -v, --verbose          debug messages on stderr\n"
		"  -h, --help             this text\n"
		"      --version          print the version\n"
		"\n"
		"Exit status (the worst over all modules):\n"
		"  0  unloaded (or, with --dry-run, would be unloaded)\n"
		"  1  refused: the module is busy, in use or unloading not permitted\n"
		"  2  bad usage or input, module not loaded\n"
		"  3  modguardd unreachable (module untouched) or internal error\n",
		MG_CLIENT_TIMEOUT_MS / 1000, MG_SOCKET_ENV, MG_DEFAULT_SOCKET);
}

/* text mode: say it on stderr now; JSON mode: keep it for the document */
static void job_fail(const struct rm_opts *o, struct rm_job *job, int exit,
		     const char *result)
{
	job->exit = exit;
	job->result = result;
	if (!o->cli.json)
		mg_err("%s: %s", job->name, job->msg);
}

static int phase_verdict(const struct rm_opts *o, struct rm_job *job)
{
	const char *args[] = { job->name };
	int ret;

	ret = cli_request(&o->cli, "report", args, 1, &job->report,
			  " (module untouched)", job->msg, sizeof(job->msg));
	if (ret) {
		job_fail(o, job, ret,
			 ret == MG_EXIT_USAGE ? "not_loaded" : "untouched");
		return ret;
	}
	for (int i = 0; i < job->report.nrecs; i++) {
		const struct mg_record *rec = &job->report.recs[i].rec;
		const char *name = mg_record_get(rec, "name");

		if (strcmp(rec->tag, "module") || !name || strcmp(name, job->name))
			continue;
		job->mod_idx = i;
		job->verdict = mg_record_get(rec, "verdict");
		break;
	}
	if (job->mod_idx < 0) {
		snprintf(job->msg, sizeof(job->msg),
			 "modguardd sent no report for it; module untouched");
		job_fail(o, job, MG_EXIT_FAIL, "untouched");
		return MG_EXIT_FAIL;
	}
	if (!job->verdict || !*job->verdict)
		job->verdict = "unknown";
	if (!o->cli.json)
		printf("%s: verdict %s\n", job->name, job->verdict);
	return MG_EXIT_OK;
}

static int phase_decide(const struct rm_opts *o, struct rm_job *job)
{
	if (!strcmp(job->verdict, "busy")) {
		/* waiting for the references to go away comes later */
		if (!o->cli.json)
			mg_render_refs_text(stdout, &job->report, job->mod_idx);
		snprintf(job->msg, sizeof(job->msg),
			 "refused: still referenced (see above); module untouched");
		job_fail(o, job, MG_EXIT_REFUSED, "refused");
		return MG_EXIT_REFUSED;
	}
	if (strcmp(job->verdict, "clean") && !o->cli.json)
		mg_warn("%s: verdict %s: modguardd cannot vouch for this unload",
			job->name, job->verdict);
	if (o->dry_run) {
		job->result = "dry_run";
		if (!o->cli.json)
			printf("%s: dry run, not unloading\n", job->name);
		return MG_EXIT_OK;
	}
	return MG_EXIT_OK;
}

static int phase_unload(const struct rm_opts *o, struct rm_job *job)
{
	const char *reason;
	int err, ret;

	/* O_NONBLOCK: fail on a nonzero refcount instead of waiting in D state */
	err = mg_delete_module(job->name, O_NONBLOCK);
	ret = mg_unload_exit_code(err, &reason);
	if (ret) {
		snprintf(job->msg, sizeof(job->msg), "cannot unload: %s (%s)",
			 reason, strerror(-err));
		job_fail(o, job, ret, !strcmp(reason, "not loaded")
					      ? "not_loaded"
					      : ret == MG_EXIT_REFUSED ? "refused"
								       : "failed");
		return ret;
	}
	job->result = "unloaded";
	if (!o->cli.json)
		printf("%s: unloaded\n", job->name);
	return MG_EXIT_OK;
}

static int run_job(const struct rm_opts *o, struct rm_job *job)
{
	int ret;

	if (o->force) {
		if (!o->cli.json)
			mg_warn("%s: --force: NOT asking modguardd; unloading a module that is still referenced can crash the kernel",
				job->name);
	} else {
		ret = phase_verdict(o, job);
		if (ret)
			return ret;
		ret = phase_decide(o, job);
		if (ret || o->dry_run)
			return ret;
	}
	if (o->dry_run) {
		job->result = "dry_run";
		return MG_EXIT_OK;
	}
	return phase_unload(o, job);
}

static void job_json(struct mg_json *jw, const struct rm_opts *o,
		     const struct rm_job *job)
{
	mg_json_start_object(jw);
	mg_json_string_field(jw, "name", job->name);
	mg_json_string_field(jw, "verdict", job->verdict);
	mg_json_string_field(jw, "result", job->result);
	mg_json_s64_field(jw, "exit", job->exit);
	mg_json_bool_field(jw, "forced", o->force);
	if (job->msg[0])
		mg_json_string_field(jw, "error", job->msg);
	if (job->mod_idx >= 0) {
		mg_json_name(jw, "report");
		mg_render_module_json(jw, &job->report, job->mod_idx);
	}
	mg_json_end_object(jw);
}

static int parse_args(int argc, char **argv, struct rm_opts *o)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *socket_opt = NULL;
	int c, err;

	/* JSON mode must be known before the first error is printed */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			o->cli.json = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:jvh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			err = mg_parse_seconds(optarg, RM_TIMEOUT_MAX_MS,
					       &o->timeout_ms);
			if (err) {
				cli_err(&o->cli,
					"invalid timeout '%s': %s; expected seconds like 10 or 0.5",
					optarg, strerror(-err));
				return MG_EXIT_USAGE;
			}
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'F':
			o->force = true;
			break;
		case 'j':
			o->cli.json = true;
			break;
		case 'S':
			socket_opt = optarg;
			break;
		case 'v':
			o->cli.verbose++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("modguard-rmmod %s\n", MG_VERSION);
			return -1;
		case ':':
			cli_err(&o->cli, "option %s needs an argument; see --help",
				argv[optind - 1]);
			return MG_EXIT_USAGE;
		default:
			if (optopt)
				cli_err(&o->cli, "unknown option -%c; see --help",
					optopt);
			else
				cli_err(&o->cli, "unknown option %s; see --help",
					argv[optind - 1]);
			return MG_EXIT_USAGE;
		}
	}
	mg_log_init("modguard-rmmod", 0, o->cli.verbose);
	o->cli.socket = mg_client_socket_path(socket_opt);
	o->cli.timeout_ms = (int)o->timeout_ms;
	if (optind >= argc) {
		cli_err(&o->cli, "no module given; see --help");
		return MG_EXIT_USAGE;
	}
	return cli_check_names(&o->cli, argv + optind, argc - optind);
}

int main(int argc, char **argv)
{
	struct rm_opts o = {
		.cli = { .prog = "modguard-rmmod" },
		.timeout_ms = MG_CLIENT_TIMEOUT_MS,
	};
	struct mg_json *jw = NULL;
	struct rm_job *jobs = NULL;
	int ret, worst = MG_EXIT_OK, njobs;

	mg_log_init("modguard-rmmod", 0, 0);
	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? MG_EXIT_OK : ret;

	njobs = argc - optind;
	jobs = calloc((size_t)njobs, sizeof(*jobs));
	if (!jobs) {
		cli_err(&o.cli, "cannot allocate %d jobs: %s", njobs,
			strerror(ENOMEM));
		return MG_EXIT_FAIL;
	}
	/* like rmmod: go on with the others when one fails, report the worst */
	for (int i = 0; i < njobs; i++) {
		struct rm_job *job = &jobs[i];

		snprintf(job->name, sizeof(job->name), "%s", argv[optind + i]);
		mg_module_name_normalize(job->name);
		job->mod_idx = -1;
		ret = run_job(&o, job);
		job->exit = ret;
		if (ret > worst)
			worst = ret;
	}
	if (o.cli.json) {
		jw = cli_json_new(&o.cli);
		if (!jw) {
			worst = MG_EXIT_FAIL;
			goto out;
		}
		mg_json_start_object(jw);
		mg_json_name(jw, "modules");
		mg_json_start_array(jw);
		for (int i = 0; i < njobs; i++)
			job_json(jw, &o, &jobs[i]);
		mg_json_end_array(jw);
		mg_json_end_object(jw);
		ret = cli_json_done(&o.cli, jw);
		if (ret > worst)
			worst = ret;
	}
out:
	for (int i = 0; i < njobs; i++)
		mg_reply_free(&jobs[i].report);
	free(jobs);
	return worst;
}
