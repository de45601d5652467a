/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One logging module for every modguard program: stderr ("ident: msg") for
 * the commands, syslog (which journald picks up) for the daemon. Messages
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
int mg_log_verbose(void);
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

/* for libbpf_set_print(): warnings always, the rest only when verbose */
int mg_libbpf_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap);

#endif /* MG_LOG_H */
