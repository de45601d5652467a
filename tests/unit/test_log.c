// SPDX-License-Identifier: GPL-2.0
/* logging: prefixes, newline handling, verbosity, libbpf routing */
#include "../../user/lib/log.h"
#include "check.h"

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

int main(void)
{
	RUN(t_levels);
	RUN(t_libbpf);
	return check_done();
}
