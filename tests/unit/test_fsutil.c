// SPDX-License-Identifier: GPL-2.0
/* mkdir -p and the first-line read */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "check.h"

static char tmp[] = "/tmp/mg-fsutil-XXXXXX";

static mode_t mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? (mode_t)-1 : st.st_mode & 07777;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void t_mkdir_p(void)
{
	char path[PATH_MAX], a[PATH_MAX];

	umask(022);
	CHECK(check_mkdtemp(tmp) != NULL);
	snprintf(a, sizeof(a), "%s/a", tmp);
	snprintf(path, sizeof(path), "%s/a/b//c/", tmp);
	CHECK_INT(mg_mkdir_p(path, 0755, 0700, 0), 0);
	CHECK_INT(mode_of(a), 0755);
	snprintf(path, sizeof(path), "%s/a/b", tmp);
	CHECK_INT(mode_of(path), 0755);
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	CHECK_INT(mode_of(path), 0700);
	/* again: all there, nothing changes */
	CHECK_INT(mg_mkdir_p(path, 0711, 0711, 1), 0);
	CHECK_INT(mode_of(path), 0700);
	/* new folders fsync'd into their parents */
	snprintf(path, sizeof(path), "%s/a/x/y", tmp);
	CHECK_INT(mg_mkdir_p(path, 0700, 0700, 1), 0);
	CHECK_INT(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/a/x", tmp);
	CHECK_INT(mode_of(path), 0700);
	/* relative paths work too */
	CHECK_INT(chdir(a), 0);
	CHECK_INT(mg_mkdir_p("r/s", 0755, 0755, 1), 0);
	CHECK_INT(mode_of("r/s"), 0755);
	CHECK_INT(mg_mkdir_p("/", 0755, 0755, 0), 0);
}

static void t_mkdir_p_errors(void)
{
	char path[PATH_MAX + 8], file[PATH_MAX];

	CHECK(check_mkdtemp(tmp) != NULL);
	snprintf(file, sizeof(file), "%s/f", tmp);
	put(file, "x");
	/* a file where a folder should be, as the leaf or above it */
	CHECK_INT(mg_mkdir_p(file, 0755, 0700, 0), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/f/g", tmp);
	CHECK_INT(mg_mkdir_p(path, 0755, 0700, 0), -ENOTDIR);
	CHECK_INT(mg_mkdir_p("", 0755, 0700, 0), -EINVAL);
	CHECK_INT(mg_mkdir_p(NULL, 0755, 0700, 0), -EINVAL);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	CHECK_INT(mg_mkdir_p(path, 0755, 0700, 0), -ENAMETOOLONG);
	/* procfs makes no folders, not even for root */
	CHECK(mg_mkdir_p("/proc/mg-fsutil/x", 0755, 0700, 0) < 0);
}

static void t_first_line(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "1b2c\nsecond\n", "1b2c" },
		{ "last", "last" },        /* no newline at the end */
		{ "0123456789\n", "0123456" }, /* cut to the buffer */
		{ "", "" },
		{ "\n", "" },
	};
	char path[PATH_MAX], buf[8];

	CHECK(check_mkdtemp(tmp) != NULL);
	snprintf(path, sizeof(path), "%s/f", tmp);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(path, cases[i].text);
		strcpy(buf, "old");
		CHECK_INT(mg_read_first_line(path, buf, sizeof(buf)), 0);
		CHECK_STR(buf, cases[i].want);
	}
	/* missing: -errno and an empty buffer */
	snprintf(path, sizeof(path), "%s/missing", tmp);
	strcpy(buf, "old");
	CHECK_INT(mg_read_first_line(path, buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "");
	/* a folder opens but does not read */
	strcpy(buf, "old");
	CHECK_INT(mg_read_first_line(tmp, buf, sizeof(buf)), -EISDIR);
	CHECK_STR(buf, "");
	CHECK_INT(mg_read_first_line(tmp, buf, 0), -EINVAL);
}

int main(void)
{
	RUN(t_mkdir_p);
	RUN(t_mkdir_p_errors);
	RUN(t_first_line);
	return check_done();
}
