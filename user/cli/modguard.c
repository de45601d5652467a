// SPDX-License-Identifier: GPL-2.0
/* modguard: ask modguardd what holds a kernel module */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "parse.h"
#include "render.h"
#include "version.h"

/*
 * Where modprobe-hook looks for modguard-rmmod when the modguard that runs
 * has none beside it (nor in ../sbin): where a distribution package puts
 * it.  A build may say otherwise with -DMG_RMMOD_PATH=...
 */
#ifndef MG_RMMOD_PATH
#define MG_RMMOD_PATH "/usr/sbin/modguard-rmmod"
#endif

/* --rmmod-path, an option of modprobe-hook only */
static const char *rmmod_path_opt;
/* --socket as given: a hook line names it too */
static const char *socket_opt;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: modguard [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Ask modguardd what keeps kernel modules busy.\n"
		"\n"
		"Commands (any unique prefix works, e.g. 'rep'):\n"
		"  status              daemon status; exit 0 when it is attached\n"
		"  report [MODULE...]  verdict and references per module (all\n"
		"                      loaded modules without arguments)\n"
		"  history             past unload records\n"
		"  clear-quarantine MODULE\n"
		"                      let MODULE be unloaded again after a stale\n"
		"                      or damaged record quarantined it (needs\n"
		"                      CAP_SYS_MODULE); the history keeps them\n"
		"  modprobe-hook MODULE...\n"
		"                      print modprobe.d(5) lines that make\n"
		"                      'modprobe -r MODULE' unload it through\n"
		"                      modguard-rmmod, one per module, e.g.\n"
		"                      'remove dummy %s dummy';\n"
		"                      needs no modguardd\n"
		"  help                this text\n"
		"\n"
		"Options (before or after the command):\n"
		"      --socket PATH   daemon socket (default $%s, else %s)\n"
		"      --rmmod-path PATH\n"
		"                      modprobe-hook: the modguard-rmmod the lines\n"
		"                      run (default: the one beside this modguard,\n"
		"                      or in its ../sbin, else %s)\n"
		"  -j, --json          JSON output on stdout, errors included\n"
		"  -p, --pretty        indented JSON (implies --json)\n"
		"  -v, --verbose       debug messages on stderr\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  refused (reserved)\n"
		"  2  bad usage or input, module not loaded\n"
		"  3  modguardd unreachable, not attached, or internal error\n",
		MG_RMMOD_PATH, MG_SOCKET_ENV, MG_DEFAULT_SOCKET, MG_RMMOD_PATH);
}

static enum mg_outcome do_status(struct cli *cli, int argc, char **argv)
{
	const struct mg_record *rec = NULL;
	struct mg_reply r;
	struct mg_json *jw;
	enum mg_outcome ret;

	(void)argv;
	if (argc) {
		cli_err(cli, "status takes no arguments");
		return MG_OUTCOME_BAD_INPUT;
	}
	ret = cli_request(cli, "status", NULL, 0, &r, NULL, NULL, 0);
	if (ret)
		goto out;
	for (int i = 0; i < r.nrecs && !rec; i++)
		if (!strcmp(r.recs[i].rec.tag, "status"))
			rec = &r.recs[i].rec;
	if (!rec) {
		cli_err(cli, "modguardd at %s sent no status record", cli->socket);
		ret = MG_OUTCOME_FAILED;
		goto out;
	}
	if (cli->json) {
		jw = cli_json_new(cli);
		if (!jw) {
			ret = MG_OUTCOME_FAILED;
			goto out;
		}
		mg_render_status_json(jw, rec, &r);
		ret = cli_json_done(cli, jw);
	} else {
		mg_render_status_text(stdout, rec, &r);
	}
	/* a daemon that runs but tracks nothing cannot vouch for anything */
	if (!ret && strcmp(mg_record_get(rec, "attached") ?: "", "1"))
		ret = MG_OUTCOME_FAILED;
out:
	mg_reply_free(&r);
	return ret;
}

/* a request whose reply is rendered whole, as text or as JSON */
static enum mg_outcome request_render(struct cli *cli, const char *verb,
				      int argc, char **argv,
				      void (*text)(FILE *, const struct mg_reply *),
				      void (*json)(struct mg_json *,
						   const struct mg_reply *))
{
	struct mg_reply r;
	struct mg_json *jw;
	enum mg_outcome ret;

	ret = cli_request(cli, verb, (const char *const *)argv, argc, &r, NULL,
			  NULL, 0);
	if (ret)
		goto out;
	if (!cli->json) {
		text(stdout, &r);
		goto out;
	}
	jw = cli_json_new(cli);
	if (!jw) {
		ret = MG_OUTCOME_FAILED;
		goto out;
	}
	json(jw, &r);
	ret = cli_json_done(cli, jw);
out:
	mg_reply_free(&r);
	return ret;
}

static enum mg_outcome do_report(struct cli *cli, int argc, char **argv)
{
	enum mg_outcome ret;

	if (argc > MG_MAX_ARGS) {
		cli_err(cli, "too many modules (%d); at most %d per report",
			argc, MG_MAX_ARGS);
		return MG_OUTCOME_BAD_INPUT;
	}
	ret = cli_check_names(cli, argv, argc);
	if (ret)
		return ret;
	return request_render(cli, "report", argc, argv, mg_render_report_text,
			      mg_render_report_json);
}

static enum mg_outcome do_history(struct cli *cli, int argc, char **argv)
{
	if (argc) {
		cli_err(cli, "history takes no arguments");
		return MG_OUTCOME_BAD_INPUT;
	}
	return request_render(cli, "history", 0, argv, mg_render_history_text,
			      mg_render_history_json);
}

static void cleared_text(FILE *out, const struct mg_reply *r)
{
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *c = &r->recs[i].rec;
		const char *ids = mg_record_get(c, "ids");

		if (strcmp(c->tag, "cleared"))
			continue;
		fprintf(out, "%s: %s record%s out of the quarantine%s%s\n",
			mg_record_get(c, "module") ?: "?",
			mg_record_get(c, "count") ?: "?",
			strcmp(mg_record_get(c, "count") ?: "", "1") ? "s" : "",
			ids && *ids ? ": " : "", ids ? ids : "");
	}
}

static void cleared_json(struct mg_json *jw, const struct mg_reply *r)
{
	uint64_t n = 0;

	mg_json_start_object(jw);
	for (int i = 0; i < r->nrecs; i++) {
		const struct mg_record *c = &r->recs[i].rec;

		if (strcmp(c->tag, "cleared"))
			continue;
		mg_json_string_field(jw, "module", mg_record_get(c, "module"));
		mg_record_get_u64(c, "count", &n);
		mg_json_name(jw, "cleared");
		mg_json_u64(jw, n);
		mg_json_string_field(jw, "ids", mg_record_get(c, "ids"));
	}
	mg_json_end_object(jw);
}

static enum mg_outcome do_clear(struct cli *cli, int argc, char **argv)
{
	enum mg_outcome ret;

	if (argc != 1) {
		cli_err(cli, "clear-quarantine takes one module");
		return MG_OUTCOME_BAD_INPUT;
	}
	ret = cli_check_names(cli, argv, argc);
	if (ret)
		return ret;
	return request_render(cli, "clear_quarantine", 1, argv, cleared_text,
			      cleared_json);
}

/* 1 if path is a modguard-rmmod we may run */
static int rmmod_at(char *buf, size_t len, const char *dir, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", dir, rel);

	return n > 0 && (size_t)n < len && !access(buf, X_OK);
}

/*
 * The modguard-rmmod the hook lines run: --rmmod-path, else the one
 * installed with the running modguard (beside it, as in the build tree,
 * or in the sbin beside its bin), else MG_RMMOD_PATH.
 */
static void hook_rmmod_path(char *buf, size_t len)
{
	char exe[PATH_MAX], *slash;

	if (rmmod_path_opt) {
		snprintf(buf, len, "%s", rmmod_path_opt);
		return;
	}
	if (realpath("/proc/self/exe", exe) && (slash = strrchr(exe, '/'))) {
		*slash = '\0';
		if (rmmod_at(buf, len, exe, "modguard-rmmod") ||
		    rmmod_at(buf, len, exe, "../sbin/modguard-rmmod")) {
			/* the line is kept in a config file: no ".." in it */
			if (strstr(buf, "/../") && realpath(buf, exe))
				snprintf(buf, len, "%s", exe);
			return;
		}
	}
	snprintf(buf, len, "%s", MG_RMMOD_PATH);
}

/*
 * s as one word of the "sh -c" modprobe runs a remove command with
 * (kmod's command_do() calls system()): as it is when it is only
 * characters no shell treats specially, else in single quotes
 */
static int sh_word(const char *s, char *buf, size_t len)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789/._+-:=@%,";
	size_t o = 0;

	if (*s && !s[strspn(s, plain)]) {
		if (strlen(s) >= len)
			return -ENAMETOOLONG;
		memcpy(buf, s, strlen(s) + 1);
		return 0;
	}
	/* room for the worst case: every character a quote, and the quotes */
	if (4 * strlen(s) + 3 > len)
		return -ENAMETOOLONG;
	buf[o++] = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return 0;
}

/*
 * modprobe.d(5): "remove MODULE COMMAND...": modprobe -r MODULE then runs
 * COMMAND with sh -c instead of unloading MODULE itself, and fails when
 * it fails.  $CMDLINE_OPTS is always empty for a remove command (kmod
 * passes no options to it), so the line does not use it.
 */
static enum mg_outcome do_modprobe_hook(struct cli *cli, int argc, char **argv)
{
	/* a quoted word may be 4 times its text ("'\\''" for each quote) */
	char path[PATH_MAX], word[4 * PATH_MAX + 8], sock[4 * PATH_MAX + 24];
	char (*names)[MG_MODULE_NAME_LEN] = NULL;
	struct mg_json *jw = NULL;
	enum mg_outcome ret;

	if (!argc) {
		cli_err(cli, "modprobe-hook needs at least one module: modprobe.d "
			"remove lines are per module (e.g. modguard modprobe-hook "
			"dummy brd)");
		return MG_OUTCOME_BAD_INPUT;
	}
	ret = cli_check_names(cli, argv, argc);
	if (ret)
		return ret;
	hook_rmmod_path(path, sizeof(path));
	/* a config line holds no newline, and modprobe runs no relative path */
	if (path[0] != '/' || strpbrk(path, "\n\r") ||
	    (socket_opt && strpbrk(socket_opt, "\n\r"))) {
		cli_err(cli, "invalid --rmmod-path '%s': expected an absolute path "
			"on one line", path);
		return MG_OUTCOME_BAD_INPUT;
	}
	if (access(path, X_OK))
		mg_warn("%s: %s; the lines run it all the same (modprobe -r then "
			"fails, and unloads nothing)", path, strerror(errno));
	sock[0] = '\0';
	if (sh_word(path, word, sizeof(word)) ||
	    (socket_opt && sh_word(socket_opt, sock + 10, sizeof(sock) - 10))) {
		cli_err(cli, "modprobe-hook: a path is too long for a config line");
		return MG_OUTCOME_BAD_INPUT;
	}
	if (socket_opt)
		memcpy(sock, " --socket ", 10);
	names = calloc((size_t)argc, sizeof(*names));
	if (!names) {
		cli_err(cli, "cannot allocate %d names: %s", argc, strerror(ENOMEM));
		return MG_OUTCOME_FAILED;
	}
	for (int i = 0; i < argc; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", argv[i]);
		mg_module_name_normalize(names[i]);
	}
	if (cli->json) {
		jw = cli_json_new(cli);
		if (!jw) {
			free(names);
			return MG_OUTCOME_FAILED;
		}
		mg_json_start_object(jw);
		mg_json_string_field(jw, "rmmod_path", path);
		mg_json_name(jw, "lines");
		mg_json_start_array(jw);
	}
	for (int i = 0; i < argc; i++) {
		char line[sizeof(word) + sizeof(sock) + 2 * MG_MODULE_NAME_LEN + 16];

		snprintf(line, sizeof(line), "remove %s %s%s %s", names[i], word,
			 sock, names[i]);
		if (jw) {
			mg_json_start_object(jw);
			mg_json_string_field(jw, "module", names[i]);
			mg_json_string_field(jw, "line", line);
			mg_json_end_object(jw);
		} else {
			printf("%s\n", line);
		}
	}
	free(names);
	if (!jw)
		return fflush(stdout) ? MG_OUTCOME_FAILED : MG_OUTCOME_OK;
	mg_json_end_array(jw);
	mg_json_end_object(jw);
	return cli_json_done(cli, jw);
}

static enum mg_outcome do_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	usage(stdout);
	return MG_OUTCOME_OK;
}

static const struct cmd {
	const char *name;
	enum mg_outcome (*fn)(struct cli *cli, int argc, char **argv);
} cmds[] = {
	{ "status", do_status },
	{ "report", do_report },
	{ "history", do_history },
	{ "clear-quarantine", do_clear },
	{ "modprobe-hook", do_modprobe_hook },
	{ "help", do_help },
};

/* exact name first, then a unique prefix, like bpftool */
static const struct cmd *find_cmd(const char *word, int *ambiguous)
{
	const struct cmd *found = NULL;
	size_t n = strlen(word);

	*ambiguous = 0;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, word))
			return &cmds[i];
	for (size_t i = 0; n && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strncmp(cmds[i].name, word, n))
			continue;
		if (found) {
			*ambiguous = 1;
			return NULL;
		}
		found = &cmds[i];
	}
	return found;
}

static enum mg_outcome run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "rmmod-path", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = {
		.prog = "modguard",
		.timeout_ms = MG_CLIENT_TIMEOUT_MS,
	};
	const struct cmd *cmd;
	int c, ambiguous;

	mg_log_init("modguard", 0, 0);
	/* JSON mode must be known before the first error is printed */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json") ||
		    !strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			cli.json = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpvh", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			socket_opt = optarg;
			break;
		case 'R':
			rmmod_path_opt = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = true;
			cli.pretty = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'h':
			usage(stdout);
			return MG_OUTCOME_OK;
		case 'V':
			printf("modguard %s\n", MG_VERSION);
			return MG_OUTCOME_OK;
		case ':':
			cli_err(&cli, "option %s needs an argument; see --help",
				argv[optind - 1]);
			return MG_OUTCOME_BAD_INPUT;
		default:
			if (optopt)
				cli_err(&cli, "unknown option -%c; see --help",
					optopt);
			else
				cli_err(&cli, "unknown option %s; see --help",
					argv[optind - 1]);
			return MG_OUTCOME_BAD_INPUT;
		}
	}
	mg_log_init("modguard", 0, cli.verbose);
	cli.socket = mg_client_socket_path(socket_opt);
	if (optind >= argc) {
		if (cli.json) {
			cli_err(&cli, "missing command; see --help");
		} else {
			usage(stderr);
		}
		return MG_OUTCOME_BAD_INPUT;
	}
	cmd = find_cmd(argv[optind], &ambiguous);
	if (!cmd) {
		cli_err(&cli, "%s command '%s'; see --help",
			ambiguous ? "ambiguous" : "unknown", argv[optind]);
		return MG_OUTCOME_BAD_INPUT;
	}
	if (rmmod_path_opt && cmd->fn != do_modprobe_hook) {
		cli_err(&cli, "--rmmod-path is an option of modprobe-hook only");
		return MG_OUTCOME_BAD_INPUT;
	}
	mg_dbg("command %s, socket %s", cmd->name, cli.socket);
	return cmd->fn(&cli, argc - optind - 1, argv + optind + 1);
}

int main(int argc, char **argv)
{
	return cli_modguard_exit(run(argc, argv));
}
