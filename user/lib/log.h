/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One logging module for every modguard program: stderr ("ident: msg"),
 * "<N>msg" when stderr is the journal's stream, or syslog. Messages
 * are given without a trailing newline; one is stripped if present, so
 * libbpf's messages can be passed through unchanged.
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

enum mg_log_level {
	MG_LOG_ERR,
	MG_LOG_WARN,
	MG_LOG_INFO,
	MG_LOG_DEBUG,
};

/*
 * ident names the program in every line; verbose enables MG_LOG_DEBUG and
 * libbpf's info/debug output. Callable again to switch (e.g. after -v).
 */
void mg_log_init(const char *ident, int use_syslog, int verbose);
/*
 * Is stderr the journal stream systemd gave us ($JOURNAL_STREAM names its
 * device and inode)?  Then mg_log() writes "<N>msg" lines: the priority
 * for journald, and no "ident: " (the journal has the program's name).
 */
int mg_log_stderr_is_journal(void);
/* redirect the stderr sink (tests); NULL restores stderr */
void mg_log_set_stream(FILE *f);

void mg_vlog(enum mg_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void mg_log(enum mg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define mg_err(...) mg_log(MG_LOG_ERR, __VA_ARGS__)
#define mg_warn(...) mg_log(MG_LOG_WARN, __VA_ARGS__)
#define mg_info(...) mg_log(MG_LOG_INFO, __VA_ARGS__)
#define mg_dbg(...) mg_log(MG_LOG_DEBUG, __VA_ARGS__)

/*
 * For libbpf_set_print(): warnings always, the rest only when verbose.
 * A verifier log (libbpf prints it when the kernel refuses a program) is
 * shown whole, line by line, only when verbose; either way the program's
 * name and the log's last line that says why are remembered, for the one
 * line the caller prints about it.
 */
int mg_libbpf_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap);
/* the program of the last verifier log libbpf printed; "" if none yet */
const char *mg_libbpf_last_prog(void);
/*
 * That log's last line that says why, e.g. "R1 invalid mem access
 * 'scalar'" (the "processed N insns" summary is passed over); "" if none
 */
const char *mg_libbpf_last_line(void);
/*
 * While on (and not verbose), libbpf's warnings are not printed but the
 * last one is kept: a step that fails says why in one line of its own.
 */
void mg_libbpf_hold(int on);
/* the last warning held back; "" if none */
const char *mg_libbpf_last_warning(void);

#endif /* MG_LOG_H */
