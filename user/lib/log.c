// SPDX-License-Identifier: GPL-2.0
/* logging to stderr or syslog; see log.h */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "modguard";
static int log_syslog;
static int log_verbose;
static int log_journal;
static FILE *log_stream;

int mg_log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	/* "DEV:INO" of the stream systemd connected stdout/stderr to */
	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

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
	log_journal = !use_syslog && mg_log_stderr_is_journal();
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
	/* journald names the unit's program itself and reads "<N>" */
	if (log_journal && !log_stream) {
		fprintf(stderr, "<%d>%s%s\n", prio[level], prefix[level], buf);
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

/* libbpf's frame around a verifier log: "prog 'NAME': " BEGIN "\n" log END */
#define LOAD_LOG_BEGIN "-- BEGIN PROG LOAD LOG --"
#define LOAD_LOG_END "-- END PROG LOAD LOG --"

static char last_prog[64];
static char last_line[512];
/* mg_libbpf_hold(): libbpf's warnings are kept, not printed */
static int held;
static char last_warning[512];

const char *mg_libbpf_last_prog(void)
{
	return last_prog;
}

const char *mg_libbpf_last_line(void)
{
	return last_line;
}

/* a verifier log line that says why, not how much was verified */
static int says_why(const char *line, size_t len)
{
	static const char *const summaries[] = {
		"processed ", "verification time ", "stack depth ",
	};

	if (!len)
		return 0;
	for (size_t i = 0; i < sizeof(summaries) / sizeof(summaries[0]); i++)
		if (!strncmp(line, summaries[i], strlen(summaries[i])))
			return 0;
	return 1;
}

/* remember the program and the last line that says why of msg's log */
static void remember_load_log(const char *msg)
{
	const char *begin = strstr(msg, LOAD_LOG_BEGIN), *name, *end, *p;
	const char *line = NULL;
	size_t len = 0;

	last_prog[0] = last_line[0] = '\0';
	if (!begin)
		return;
	name = strstr(msg, "prog '");
	if (name && name < begin) {
		name += strlen("prog '");
		p = strchr(name, '\'');
		if (p && p < begin)
			snprintf(last_prog, sizeof(last_prog), "%.*s",
				 (int)(p - name), name);
	}
	begin += strlen(LOAD_LOG_BEGIN);
	end = strstr(begin, LOAD_LOG_END);
	if (!end)
		end = begin + strlen(begin);
	for (p = begin; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (says_why(p, n)) {
			line = p;
			len = n;
		}
		p += n + 1;
	}
	if (line)
		snprintf(last_line, sizeof(last_line), "%.*s", (int)len, line);
}

/* a verifier log: remember it; show it whole, line by line, if verbose */
static void load_log(enum mg_log_level l, const char *fmt, va_list ap)
{
	char *msg = NULL, *save = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		last_prog[0] = last_line[0] = '\0';
		return;
	}
	remember_load_log(msg);
	if (log_verbose)
		for (char *line = strtok_r(msg, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			mg_log(l, "%s", line);
	free(msg);
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
	if (strstr(fmt, LOAD_LOG_BEGIN)) {
		load_log(l, fmt, ap);
		return 0;
	}
	/* libbpf's info output is load chatter; keep it behind -v too */
	if (l != MG_LOG_WARN && !log_verbose)
		return 0;
	if (held && !log_verbose) {
		vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
		last_warning[strcspn(last_warning, "\n")] = '\0';
		return 0;
	}
	mg_vlog(l, fmt, ap);
	return 0;
}

void mg_libbpf_hold(int on)
{
	held = on;
	if (on)
		last_warning[0] = '\0';
}

const char *mg_libbpf_last_warning(void)
{
	return last_warning;
}
