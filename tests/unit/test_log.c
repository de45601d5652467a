// SPDX-License-Identifier: GPL-2.0
/* logging: prefixes, newline handling, verbosity, libbpf routing */
#include "../../user/lib/log.h"
#include "check.h"

#include <fcntl.h>

static char *capture(void (*fn)(void))
{
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);

	mg_log_set_stream(f);
	fn();
	mg_log_set_stream(NULL);
	fclose(f);
	return data;
}

static void levels(void)
{
	mg_log_init("tool", 0, 0);
	mg_err("cannot open %s: %s", "x", "No such file or directory");
	mg_warn("careful\n");
	mg_info("info %d", 1);
	mg_dbg("hidden");
	mg_log_init("tool", 0, 1);
	mg_dbg("shown");
}

static int call_libbpf(enum libbpf_print_level l, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = mg_libbpf_print(l, fmt, ap);
	va_end(ap);
	return r;
}

static void libbpf_quiet(void)
{
	mg_log_init("d", 0, 0);
	call_libbpf(LIBBPF_WARN, "libbpf: failed to load %s\n", "prog");
	call_libbpf(LIBBPF_INFO, "libbpf: info\n");
	call_libbpf(LIBBPF_DEBUG, "libbpf: debug\n");
}

static void libbpf_verbose(void)
{
	mg_log_init("d", 0, 1);
	call_libbpf(LIBBPF_INFO, "libbpf: info\n");
	call_libbpf(LIBBPF_DEBUG, "libbpf: debug\n");
}

static void t_levels(void)
{
	char *out = capture(levels);

	CHECK_STR(out, "tool: cannot open x: No such file or directory\n"
		       "tool: warning: careful\n"
		       "tool: info 1\n"
		       "tool: debug: shown\n");
	free(out);
}

static void t_libbpf(void)
{
	char *out = capture(libbpf_quiet);

	CHECK_STR(out, "d: warning: libbpf: failed to load prog\n");
	free(out);
	out = capture(libbpf_verbose);
	CHECK_STR(out, "d: libbpf: info\nd: debug: libbpf: debug\n");
	free(out);
}

/* what libbpf 1.x prints when the kernel refuses a program */
#define LOAD_LOG_FMT "libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n"
static const char verifier_log[] =
	"0: R1=ctx(off=0,imm=0) R10=fp0\n"
	"; int BPF_PROG(mg_module_get, struct module *mod)\n"
	"0: (79) r1 = *(u64 *)(r1 +0)\n"
	"R1 invalid mem access 'scalar'\n"
	"processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0\n";

static void refused_quiet(void)
{
	mg_log_init("d", 0, 0);
	call_libbpf(LIBBPF_WARN, "libbpf: prog '%s': BPF program load failed: %s\n",
		    "mg_module_get", "Permission denied");
	call_libbpf(LIBBPF_WARN, LOAD_LOG_FMT, "mg_module_get", verifier_log);
}

static void refused_verbose(void)
{
	mg_log_init("d", 0, 1);
	call_libbpf(LIBBPF_WARN, LOAD_LOG_FMT, "mg_module_get", verifier_log);
}

static void t_verifier_log(void)
{
	char *out;

	CHECK_STR(mg_libbpf_last_prog(), "");
	CHECK_STR(mg_libbpf_last_line(), "");
	/* without -v: the log is remembered, not shown */
	out = capture(refused_quiet);
	CHECK_STR(out, "d: warning: libbpf: prog 'mg_module_get': BPF program "
		       "load failed: Permission denied\n");
	free(out);
	CHECK_STR(mg_libbpf_last_prog(), "mg_module_get");
	CHECK_STR(mg_libbpf_last_line(), "R1 invalid mem access 'scalar'");
	/* with -v: whole, a line each, nothing cut */
	out = capture(refused_verbose);
	CHECK_STR(out, "d: warning: libbpf: prog 'mg_module_get': -- BEGIN PROG LOAD LOG --\n"
		       "d: warning: 0: R1=ctx(off=0,imm=0) R10=fp0\n"
		       "d: warning: ; int BPF_PROG(mg_module_get, struct module *mod)\n"
		       "d: warning: 0: (79) r1 = *(u64 *)(r1 +0)\n"
		       "d: warning: R1 invalid mem access 'scalar'\n"
		       "d: warning: processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0\n"
		       "d: warning: -- END PROG LOAD LOG --\n");
	free(out);
	CHECK_STR(mg_libbpf_last_line(), "R1 invalid mem access 'scalar'");
}

static void t_verifier_log_long(void)
{
	/* far beyond a log line's 1024 bytes: the end still counts */
	size_t n = 200000;
	char *log = malloc(n + 64);

	memset(log, 'x', n);
	log[4000] = '\n';
	strcpy(log + n, "\nunknown func bpf_foo#999\n");
	mg_log_init("d", 0, 0);
	call_libbpf(LIBBPF_WARN, LOAD_LOG_FMT, "mg_task_scan", log);
	CHECK_STR(mg_libbpf_last_prog(), "mg_task_scan");
	CHECK_STR(mg_libbpf_last_line(), "unknown func bpf_foo#999");
	/* a log of summaries only names no line */
	call_libbpf(LIBBPF_WARN, LOAD_LOG_FMT, "mg_x",
		    "processed 0 insns (limit 1000000)\n\n");
	CHECK_STR(mg_libbpf_last_prog(), "mg_x");
	CHECK_STR(mg_libbpf_last_line(), "");
	free(log);
}

/* under journald: "<N>" priorities and no "ident: " */
static void t_journal(void)
{
	char tmpl[] = "/tmp/mg_log.XXXXXX", path[200], js[64], buf[512] = "";
	char *dir = check_mkdtemp(tmpl);
	struct stat st;
	FILE *f;
	int fd;

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/stream", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	CHECK_INT(fstat(fd, &st), 0);
	/* another stream's JOURNAL_STREAM: plain lines */
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", js, 1);
	mg_log_init("modguardd", 0, 1);
	CHECK(!mg_log_stderr_is_journal());
	mg_info("plain");
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	mg_log_init("modguardd", 0, 1);
	CHECK(mg_log_stderr_is_journal());
	mg_err("bad %d", 1);
	mg_warn("careful");
	mg_info("fine");
	mg_dbg("detail");
	setenv("JOURNAL_STREAM", "garbage", 1);
	CHECK(!mg_log_stderr_is_journal());
	fflush(stderr);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	CHECK_STR(buf, "modguardd: plain\n<3>bad 1\n<4>warning: careful\n"
		       "<6>fine\n<7>debug: detail\n");
}

int main(void)
{
	RUN(t_levels);
	RUN(t_libbpf);
	RUN(t_verifier_log);
	RUN(t_verifier_log_long);
	RUN(t_journal);
	return check_done();
}
