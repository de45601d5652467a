/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny unit test framework. Each case runs in its own child process (as in
 * kmod's testsuite), so a crash fails that case only and is reported as
 * such. Output is one line per case, "ok - name" or "not ok - name: reason";
 * check_done() returns the exit status.
 *
 * A case that cannot run here calls check_skip("why"): "ok - name # SKIP
 * why".
 *
 *	static void t_something(void) { CHECK(1 + 1 == 2); }
 *	int main(void) { RUN(t_something); return check_done(); }
 */
#ifndef MG_CHECK_H
#define MG_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_nfailed;
/* set in the child: the first failure is the reason reported */
static int check_case_failed;
/* in the child: the pipe its reason goes to */
static int check_pipe_fd = -1;
static char check_reason[512];

static void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), unused));

#include <stdarg.h>
static void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (check_case_failed++)
		return;
	n = snprintf(check_reason, sizeof(check_reason), "%s:%d: ", file,
		     line);
	if (n < 0 || (size_t)n >= sizeof(check_reason))
		return;
	va_start(ap, fmt);
	vsnprintf(check_reason + n, sizeof(check_reason) - (size_t)n, fmt, ap);
	va_end(ap);
	/* keep the report on one line */
	for (char *p = check_reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond))                                                \
			check_fail(__FILE__, __LINE__, "%s", #cond);        \
	} while (0)

#define CHECK_INT(a, b)                                                     \
	do {                                                                \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_)                                   \
			check_fail(__FILE__, __LINE__, "%s == %lld, want %lld", \
				   #a, check_a_, check_b_);                 \
	} while (0)

#define CHECK_U64(a, b)                                                     \
	do {                                                                \
		uint64_t check_a_ = (a), check_b_ = (b);                    \
		if (check_a_ != check_b_)                                   \
			check_fail(__FILE__, __LINE__,                      \
				   "%s == %" PRIu64 ", want %" PRIu64, #a,  \
				   check_a_, check_b_);                     \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *check_a_ = (a), *check_b_ = (b);                \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_))   \
			check_fail(__FILE__, __LINE__,                      \
				   "%s == \"%s\", want \"%s\"", #a,         \
				   check_a_ ? check_a_ : "(null)",          \
				   check_b_ ? check_b_ : "(null)");         \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                         \
	do {                                                                \
		const char *check_h_ = (hay), *check_n_ = (needle);         \
		if (!check_h_ || !check_n_ || !strstr(check_h_, check_n_))  \
			check_fail(__FILE__, __LINE__,                      \
				   "%s does not contain \"%s\": \"%.300s\"",  \
				   #hay, check_n_ ? check_n_ : "(null)",    \
				   check_h_ ? check_h_ : "(null)");         \
	} while (0)

#define CHECK_NOT_CONTAINS(hay, needle)                                     \
	do {                                                                \
		const char *check_h_ = (hay), *check_n_ = (needle);         \
		if (check_h_ && check_n_ && strstr(check_h_, check_n_))     \
			check_fail(__FILE__, __LINE__,                      \
				   "%s contains \"%s\"", #hay, check_n_);    \
	} while (0)

/*
 * Skip the rest of a case that cannot run here (e.g. it needs root):
 * reported as "ok - name # SKIP reason", not as a failure.
 */
#define CHECK_SKIP_STATUS 77
static void check_skip(const char *reason) __attribute__((noreturn, unused));

/* the case's temp dir (check_mkdtemp), removed when the case ends */
static char check_tmp_dir[256];

static int check_rm_one(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void check_rm_tmp(void)
{
	if (check_tmp_dir[0])
		nftw(check_tmp_dir, check_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	check_tmp_dir[0] = '\0';
}

/* mkdtemp(tmpl), the first one of a case removed when the case ends */
static __attribute__((unused)) char *check_mkdtemp(char *tmpl)
{
	char *dir = mkdtemp(tmpl);

	if (dir && !check_tmp_dir[0])
		snprintf(check_tmp_dir, sizeof(check_tmp_dir), "%s", dir);
	return dir;
}

static void check_skip(const char *reason)
{
	check_rm_tmp();
	if (write(check_pipe_fd, reason, strlen(reason)) < 0)
		_exit(2);
	_exit(CHECK_SKIP_STATUS);
}

static void check_run(const char *name, void (*fn)(void))
{
	int pfd[2], status;
	char reason[sizeof(check_reason)] = "";
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(pfd) < 0) {
		printf("not ok - %s: pipe failed\n", name);
		check_nfailed++;
		return;
	}
	pid = fork();
	if (pid < 0) {
		printf("not ok - %s: fork failed\n", name);
		check_nfailed++;
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		check_pipe_fd = pfd[1];
		fn();
		check_rm_tmp();
		if (check_case_failed &&
		    write(pfd[1], check_reason, strlen(check_reason)) < 0)
			_exit(2);
		_exit(check_case_failed ? 1 : 0);
	}
	close(pfd[1]);
	n = read(pfd[0], reason, sizeof(reason) - 1);
	reason[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0) {
		printf("not ok - %s: waitpid failed\n", name);
		check_nfailed++;
		return;
	}
	if (WIFSIGNALED(status)) {
		printf("not ok - %s: killed by signal %d\n", name,
		       WTERMSIG(status));
		check_nfailed++;
	} else if (WEXITSTATUS(status) == CHECK_SKIP_STATUS) {
		printf("ok - %s # SKIP %s\n", name, reason);
	} else if (WEXITSTATUS(status)) {
		printf("not ok - %s: %s\n", name, reason[0] ? reason : "failed");
		check_nfailed++;
	} else {
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) check_run(#fn, fn)

static int check_done(void)
{
	return check_nfailed ? 1 : 0;
}

#endif /* MG_CHECK_H */
