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
#include <unistd.h>

#include "cli.h"
#include "delete_module.h"
#include "log.h"
#include "parse.h"
#include "render.h"
#include "version.h"

#define RM_TIMEOUT_MAX_MS (24ULL * 3600 * 1000)
#define RM_DEFAULT_TIMEOUT_MS 10000
/* beyond the wait: how long the module's exit and the stale check may take */
#define RM_EXIT_GRACE_MS 120000

struct rm_opts {
	struct cli cli;
	bool dry_run;
	bool force;
	bool syslog; /* -s: messages to syslog, not stderr */
	bool notice; /* show the "busy; waiting" notice: -v, or stderr a tty */
	uint64_t timeout_ms;
};

/* one module's way through the daemon's guarded unload */
struct rm_job {
	char name[MG_MODULE_NAME_LEN]; /* normalized */
	struct mg_reply report;     /* the last evidence: module + refs */
	int mod_idx;                /* "module" record in report, or -1 */
	char outcome[32];           /* unloaded, stale, refused, ... */
	char record[128];           /* the durable record that was written */
	enum mg_outcome result;     /* what it came to (cli_rmmod_exit()) */
	char msg[1024];             /* what happened, in words */
	int unloaded;               /* our own delete_module() succeeded */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: modguard-rmmod [OPTIONS] MODULE...\n"
		"\n"
		"A drop-in for rmmod that unloads a module only when modguardd sees\n"
		"nothing inside it: it waits while callers are still inside, refuses\n"
		"with evidence when they do not leave, and names what an unload\n"
		"left behind.  Like rmmod it says nothing when all went well.\n"
		"\n"
		"MODULE is a name (foo-bar is foo_bar), a file name (foo.ko,\n"
		"foo.ko.xz, .gz, .zst) or a path to one (/path/to/foo.ko; it need\n"
		"not exist): the module is its last component without the suffix.\n"
		"Aliases are not resolved; rmmod does not resolve them either.\n"
		"\n"
		"Options:\n"
		"  -t, --timeout SECONDS  how long to wait for a busy module\n"
		"                         (default %d, fractions like 0.5 allowed)\n"
		"      --dry-run          print the verdict and what an unload would\n"
		"                         wait on; change nothing\n"
		"  -f, --force            unload without a clean verdict: at once,\n"
		"                         busy or not, and even with modguardd down\n"
		"                         (unsafe; said loudly).  Not the kernel's\n"
		"                         forced unload (rmmod -f): a module in use\n"
		"                         by the kernel's count is still refused\n"
		"  -s, --syslog           messages to syslog instead of stderr\n"
		"                         (the evidence stays on stdout)\n"
		"  -v, --verbose          say what was done (\"foo: unloaded\"), show\n"
		"                         what a busy module is waited on, and debug\n"
		"                         messages; the wait is also shown without\n"
		"                         -v when stderr is a terminal\n"
		"  -j, --json             JSON output on stdout, errors included\n"
		"      --socket PATH      daemon socket (default $%s, else %s)\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n"
		"\n"
		"Exit status (the worst over all modules):\n"
		"  0  unloaded, and nothing was left behind (--dry-run: clean)\n"
		"  1  refused: still busy at the timeout, quarantined, in use by\n"
		"     other modules, or the kernel refused; the module is untouched\n"
		"     (--dry-run: busy)\n"
		"  2  bad usage or input: not loaded, built in, invalid name\n"
		"  3  modguardd unreachable or internal error; the module is\n"
		"     untouched (with --force it is unloaded without a verdict)\n"
		"  4  unloaded, but stale references remain: the kernel may crash\n"
		"     when they fire; each is named\n",
		RM_DEFAULT_TIMEOUT_MS / 1000, MG_SOCKET_ENV, MG_DEFAULT_SOCKET);
}

/* text mode: say it on stderr now; JSON mode: keep it for the document */
static void job_fail(const struct rm_opts *o, struct rm_job *job,
		     enum mg_outcome result, const char *outcome)
{
	job->result = result;
	snprintf(job->outcome, sizeof(job->outcome), "%s", outcome);
	if (!o->cli.json)
		mg_err("%s: %s", job->name, job->msg);
}

/* keep a copy of rec in r (records point into the client's buffer) */
static int reply_add(struct mg_reply *r, const struct mg_record *rec)
{
	struct mg_line l = { 0 };
	struct mg_reply_rec *n;
	int err;

	err = mg_line_init(&l, rec->tag);
	for (int i = 0; !err && i < rec->nfields; i++)
		err = mg_line_add_str(&l, rec->f[i].key, rec->f[i].value);
	if (!err)
		err = mg_line_finish(&l);
	n = err ? NULL : realloc(r->recs, (r->nrecs + 1) * sizeof(*r->recs));
	if (!n) {
		mg_line_free(&l);
		return err ? err : -ENOMEM;
	}
	r->recs = n;
	n = &r->recs[r->nrecs];
	n->line = l.buf; /* owned by the reply now */
	err = mg_record_parse(n->line, l.len, &n->rec);
	if (err) {
		free(n->line);
		return err;
	}
	r->nrecs++;
	return 0;
}

static int find_module(const struct mg_reply *r)
{
	for (int i = 0; i < r->nrecs; i++)
		if (!strcmp(r->recs[i].rec.tag, "module"))
			return i;
	return -1;
}

/* the daemon could not be asked: without a verdict, only --force unloads */
static enum mg_outcome unload_unguarded(const struct rm_opts *o,
					struct rm_job *job)
{
	enum mg_outcome ret;
	const char *reason;
	int err;

	if (!o->cli.json)
		mg_warn("%s: --force and modguardd unreachable: unloading WITHOUT "
			"a verdict and without a stale check; this can crash the "
			"kernel", job->name);
	err = mg_delete_module(job->name, O_NONBLOCK);
	ret = mg_delete_module_outcome(err, &reason);
	if (ret) {
		snprintf(job->msg, sizeof(job->msg), "cannot unload: %s (%s)",
			 reason, strerror(-err));
		job_fail(o, job, ret, ret == MG_OUTCOME_BAD_INPUT ? "not_loaded"
								  : "refused");
		return ret;
	}
	snprintf(job->outcome, sizeof(job->outcome), "unloaded-unguarded");
	snprintf(job->msg, sizeof(job->msg),
		 "unloaded without a verdict (forced, modguardd unreachable)");
	if (!o->cli.json && o->cli.verbose)
		printf("%s: %s\n", job->name, job->msg);
	return MG_OUTCOME_OK;
}

static void print_wait(const struct rm_opts *o, struct rm_job *job,
		       const struct mg_record *wait)
{
	const char *left = mg_record_get(wait, "remaining_ms");

	/* a notice for a person: -s keeps stderr quiet, so it goes with the evidence */
	FILE *f = o->syslog ? stdout : stderr;

	job->mod_idx = find_module(&job->report);
	if (o->cli.json || job->mod_idx < 0 || !o->notice)
		return;
	fprintf(f, "%s: busy; waiting up to %.1f s for:\n", job->name,
		left ? strtod(left, NULL) / 1000.0 : 0.0);
	mg_render_refs_text(f, &job->report, job->mod_idx);
	fflush(f);
}

/* the result record: outcome, message, record; a bad exit= is a broken reply */
static void take_result(struct rm_job *job, const struct mg_record *rec)
{
	const char *outcome = mg_record_get(rec, "outcome");
	const char *message = mg_record_get(rec, "message");
	const char *record = mg_record_get(rec, "record");

	snprintf(job->outcome, sizeof(job->outcome), "%s", outcome ? outcome : "?");
	snprintf(job->record, sizeof(job->record), "%s", record ? record : "");
	job->result = cli_result_outcome(rec, job->msg, sizeof(job->msg));
	if (!job->msg[0])
		snprintf(job->msg, sizeof(job->msg), "%s", message ? message : "");
}

/*
 * "go": the daemon saw the module clean (or --force) and wrote its intent;
 * the unload is ours, so the kernel checks our own privileges.  The daemon
 * hears the result and names what the exit left behind.
 */
static int go(struct mg_client *c, struct rm_job *job)
{
	char e[16];
	const char *args[] = { e };
	/* O_NONBLOCK is what rmmod passes; ignored by the kernel since 3.13 */
	int err = mg_delete_module(job->name, O_NONBLOCK);

	job->unloaded = !err;
	snprintf(e, sizeof(e), "%d", -err);
	return mg_client_send(c, "done", args, 1);
}

/*
 * Text mode, the end of one module: silent on success unless -v (a
 * --dry-run's verdict is its output); anything else is said through the
 * log (stderr, or syslog with -s) with its evidence, and its record.
 */
static void print_result(const struct rm_opts *o, const struct rm_job *job)
{
	int ok = job->result == MG_OUTCOME_OK;
	/*
	 * an unload with a caveat, e.g. "unloaded; modguardd did not see its
	 * exit, so what it left behind is unknown": not a clean success, so
	 * it is said even without -v
	 */
	int caveat = ok && !o->dry_run && strchr(job->msg, ';');
	/* a stale unload's leftovers go with its error, unless that is syslog */
	FILE *ev = job->result == MG_OUTCOME_STALE && !o->syslog ? stderr : stdout;

	if (ok && !caveat && !o->cli.verbose && !o->dry_run)
		return;
	if (caveat)
		mg_warn("%s: %s", job->name, job->msg);
	else if (ok)
		printf("%s: %s\n", job->name, job->msg);
	else
		mg_err("%s: %s", job->name, job->msg);
	if (job->mod_idx >= 0 && (!ok || o->dry_run)) {
		fflush(stdout);
		mg_render_refs_text(ok ? stdout : ev, &job->report, job->mod_idx);
		/* the record line comes after the evidence, in a shared file too */
		fflush(ok ? stdout : ev);
	}
	if (job->record[0])
		mg_log(ok ? MG_LOG_INFO : MG_LOG_ERR,
		       "%s: record %s (modguard history)", job->name, job->record);
}

static enum mg_outcome run_job(const struct rm_opts *o, struct rm_job *job)
{
	char timeout[32];
	const char *mode = o->force ? "force" : o->dry_run ? "dry-run" : "guarded";
	const char *args[] = { job->name, timeout, mode };
	const struct mg_record *rec;
	struct mg_client c;
	int err, in_result = 0;

	snprintf(timeout, sizeof(timeout), "%llu",
		 (unsigned long long)o->timeout_ms);
	/* the daemon answers within the timeout plus the module's exit */
	err = mg_client_connect(&c, o->cli.socket,
				(int)(o->timeout_ms + RM_EXIT_GRACE_MS));
	if (err) {
		if (o->force)
			return unload_unguarded(o, job);
		snprintf(job->msg, sizeof(job->msg),
			 "cannot reach modguardd at %s: %s; module untouched "
			 "(is modguardd running? --force unloads without it)",
			 o->cli.socket, strerror(-err));
		job_fail(o, job, MG_OUTCOME_FAILED, "untouched");
		return MG_OUTCOME_FAILED;
	}
	if (o->force && !o->cli.json)
		mg_warn("%s: --force: unloading WITHOUT waiting for a clean "
			"verdict; anything still inside may crash the kernel",
			job->name);
	err = mg_client_send(&c, "unload", args, 3);
	while (!err && (err = mg_client_next(&c, &rec)) == 1) {
		err = 0;
		if (!strcmp(rec->tag, "wait")) {
			print_wait(o, job, rec);
			mg_reply_free(&job->report);
			continue;
		}
		if (!strcmp(rec->tag, "go")) {
			mg_reply_free(&job->report);
			err = go(&c, job);
			continue;
		}
		if (!strcmp(rec->tag, "result")) {
			in_result = 1;
			mg_reply_free(&job->report);
			take_result(job, rec);
			continue;
		}
		err = reply_add(&job->report, rec);
	}
	if (err == -EREMOTEIO && job->unloaded) {
		snprintf(job->msg, sizeof(job->msg),
			 "unloaded, but modguardd did not check what its exit "
			 "left behind: %s", c.err_msg ? c.err_msg : "error");
		job_fail(o, job, MG_OUTCOME_OK, "unloaded-unchecked");
		mg_client_close(&c);
		return job->result;
	}
	if (err == -EREMOTEIO) {
		snprintf(job->msg, sizeof(job->msg), "%s",
			 c.err_msg ? c.err_msg : "modguardd refused the request");
		/* bad_input or failed, as the outcome is named */
		job_fail(o, job, c.err_code, mg_outcome_name(c.err_code));
		mg_client_close(&c);
		return job->result;
	}
	mg_client_close(&c);
	if ((err || !in_result) && job->unloaded) {
		/* we unloaded it ourselves: that much we know */
		snprintf(job->msg, sizeof(job->msg),
			 "unloaded, but modguardd was lost before it checked "
			 "what the exit left behind (%s)",
			 strerror(err ? -err : EPROTO));
		job_fail(o, job, MG_OUTCOME_OK, "unloaded-unchecked");
		return MG_OUTCOME_OK;
	}
	if (err || !in_result) {
		/* the daemon died or hung mid-way: it did not unload anything */
		snprintf(job->msg, sizeof(job->msg),
			 "lost modguardd while waiting (%s); module untouched",
			 strerror(err ? -err : EPROTO));
		job_fail(o, job, MG_OUTCOME_FAILED, "untouched");
		return MG_OUTCOME_FAILED;
	}
	job->mod_idx = find_module(&job->report);
	if (o->cli.json)
		return job->result;
	print_result(o, job);
	return job->result;
}

static void job_json(struct mg_json *jw, const struct rm_opts *o,
		     const struct rm_job *job)
{
	mg_json_start_object(jw);
	mg_json_string_field(jw, "name", job->name);
	mg_json_string_field(jw, "outcome", job->outcome);
	mg_json_s64_field(jw, "exit", cli_rmmod_exit(job->result));
	mg_json_bool_field(jw, "forced", o->force);
	mg_json_string_field(jw, "message", job->msg);
	if (job->record[0])
		mg_json_string_field(jw, "record", job->record);
	if (job->mod_idx >= 0) {
		mg_json_name(jw, "report");
		mg_render_module_json(jw, &job->report, job->mod_idx);
	}
	mg_json_end_object(jw);
}

/* MG_OUTCOME_OK to go on, another outcome to stop, -1 when done (--help) */
static int parse_args(int argc, char **argv, struct rm_opts *o)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "syslog", no_argument, NULL, 's' },
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
	while ((c = getopt_long(argc, argv, ":t:fsjvhV", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			err = mg_parse_seconds(optarg, RM_TIMEOUT_MAX_MS,
					       &o->timeout_ms);
			if (err) {
				cli_err(&o->cli,
					"invalid timeout '%s': %s; expected seconds like 10 or 0.5",
					optarg, strerror(-err));
				return MG_OUTCOME_BAD_INPUT;
			}
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 's':
			o->syslog = true;
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
			return MG_OUTCOME_BAD_INPUT;
		default:
			if (optopt)
				cli_err(&o->cli, "unknown option -%c; see --help",
					optopt);
			else
				cli_err(&o->cli, "unknown option %s; see --help",
					argv[optind - 1]);
			return MG_OUTCOME_BAD_INPUT;
		}
	}
	mg_log_init("modguard-rmmod", o->syslog, o->cli.verbose);
	o->notice = o->cli.verbose || isatty(STDERR_FILENO);
	o->cli.socket = mg_client_socket_path(socket_opt);
	o->cli.timeout_ms = (int)o->timeout_ms;
	if (optind >= argc) {
		cli_err(&o->cli, "no module given; see --help");
		return MG_OUTCOME_BAD_INPUT;
	}
	return MG_OUTCOME_OK;
}

/* the module each argument names, all checked before any connection */
static enum mg_outcome take_names(const struct rm_opts *o, char **args,
				  struct rm_job *jobs, int n)
{
	for (int i = 0; i < n; i++) {
		if (!mg_module_name_from_arg(args[i], jobs[i].name,
					     sizeof(jobs[i].name))) {
			if (strcmp(args[i], jobs[i].name))
				mg_dbg("argument '%s' is module %s", args[i],
				       jobs[i].name);
			continue;
		}
		cli_err(&o->cli,
			"invalid module name '%s': expected 1..%d characters of "
			"[A-Za-z0-9_-], or a path to one's NAME.ko[.xz|.gz|.zst]",
			args[i], MG_MODULE_NAME_LEN - 1);
		return MG_OUTCOME_BAD_INPUT;
	}
	return MG_OUTCOME_OK;
}

int main(int argc, char **argv)
{
	struct rm_opts o = {
		.cli = { .prog = "modguard-rmmod" },
		.timeout_ms = RM_DEFAULT_TIMEOUT_MS,
	};
	struct mg_json *jw = NULL;
	struct rm_job *jobs = NULL;
	int ret, worst = cli_rmmod_exit(MG_OUTCOME_OK), njobs;

	mg_log_init("modguard-rmmod", 0, 0);
	ret = parse_args(argc, argv, &o);
	if (ret)
		return cli_rmmod_exit(ret < 0 ? MG_OUTCOME_OK : (enum mg_outcome)ret);

	njobs = argc - optind;
	jobs = calloc((size_t)njobs, sizeof(*jobs));
	if (!jobs) {
		cli_err(&o.cli, "cannot allocate %d jobs: %s", njobs,
			strerror(ENOMEM));
		return cli_rmmod_exit(MG_OUTCOME_FAILED);
	}
	ret = take_names(&o, argv + optind, jobs, njobs);
	if (ret) {
		worst = cli_rmmod_exit((enum mg_outcome)ret);
		goto out;
	}
	/* like rmmod: go on with the others when one fails, report the worst */
	for (int i = 0; i < njobs; i++) {
		struct rm_job *job = &jobs[i];

		job->mod_idx = -1;
		job->result = run_job(&o, job);
		ret = cli_rmmod_exit(job->result);
		if (ret > worst)
			worst = ret;
	}
	if (o.cli.json) {
		jw = cli_json_new(&o.cli);
		if (!jw) {
			worst = cli_rmmod_exit(MG_OUTCOME_FAILED);
			goto out;
		}
		mg_json_start_object(jw);
		mg_json_name(jw, "modules");
		mg_json_start_array(jw);
		for (int i = 0; i < njobs; i++)
			job_json(jw, &o, &jobs[i]);
		mg_json_end_array(jw);
		mg_json_end_object(jw);
		ret = cli_rmmod_exit(cli_json_done(&o.cli, jw));
		if (ret > worst)
			worst = ret;
	}
out:
	for (int i = 0; i < njobs; i++)
		mg_reply_free(&jobs[i].report);
	free(jobs);
	return worst;
}
