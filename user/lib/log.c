// SPDX-License-Identifier: GPL-2.0
/* logging to stderr or syslog; see log.h */
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_ident = "modguard";
static int log_syslog;
static int log_verbose;
static FILE *log_stream;

void mg_log_init(const char *ident, int use_syslog, int verbose)
{
	if (ident)
		log_ident = ident;
	if (log_syslog && !use_syslog)
		closelog();
	if (use_syslog && !log_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = use_syslog;
	log_verbose = verbose;
}

int mg_log_verbose(void)
{
	return log_verbose;
}

void mg_log_set_stream(FILE *f)
{
	log_stream = f;
}

void mg_vlog(enum mg_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {
		[MG_LOG_ERR] = LOG_ERR,
		[MG_LOG_WARN] = LOG_WARNING,
		[MG_LOG_INFO] = LOG_INFO,
		[MG_LOG_DEBUG] = LOG_DEBUG,
	};
	static const char *const prefix[] = {
		[MG_LOG_ERR] = "",
		[MG_LOG_WARN] = "warning: ",
		[MG_LOG_INFO] = "",
		[MG_LOG_DEBUG] = "debug: ",
	};
	char buf[1024];
	size_t n;

	if ((unsigned)level > MG_LOG_DEBUG)
		level = MG_LOG_ERR;
	if (level == MG_LOG_DEBUG && !log_verbose)
		return;
	/* format once so both sinks see the same text; long lines get cut */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (log_syslog) {
		syslog(prio[level], "%s%s", prefix[level], buf);
		return;
	}
	fprintf(log_stream ? log_stream : stderr, "%s: %s%s\n", log_ident,
		prefix[level], buf);
}

void mg_log(enum mg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_vlog(level, fmt, ap);
	va_end(ap);
}

int mg_libbpf_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	enum mg_log_level l;

	switch (level) {
	case LIBBPF_WARN:
		l = MG_LOG_WARN;
		break;
	case LIBBPF_INFO:
		l = MG_LOG_INFO;
		break;
	default:
		l = MG_LOG_DEBUG;
		break;
	}
	/* libbpf's info output is load chatter; keep it behind -v too */
	if (l != MG_LOG_WARN && !log_verbose)
		return 0;
	mg_vlog(l, fmt, ap);
	return 0;
}
