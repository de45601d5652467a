// SPDX-License-Identifier: GPL-2.0
/* file-system helpers; see fsutil.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

/* fsync the folder that holds path (path is writable: cut, then restored) */
static int fsync_parent(char *path)
{
	char *slash = strrchr(path, '/');
	int fd, err = 0;

	if (slash == path)
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (slash) {
		*slash = '\0';
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	} else {
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* create the folder path if it is missing; an existing one must be a folder */
static int mkdir_one(char *path, mode_t mode, int fsync_parents)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return fsync_parents ? fsync_parent(path) : 0;
	if (errno != EEXIST)
		return -errno;
	/* also a racing creator's: EEXIST means someone made it */
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mg_mkdir_p(const char *path, mode_t parents_mode, mode_t leaf_mode,
	       int fsync_parents)
{
	char buf[PATH_MAX];
	size_t n = path ? strlen(path) : 0;
	int err;

	if (!n)
		return -EINVAL;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	/* "a/b/" is "a/b"; "/" stays "/" */
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	for (char *p = buf + 1; *p; p++) {
		/* each folder above, once (a run of slashes is one) */
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		err = mkdir_one(buf, parents_mode, fsync_parents);
		*p = '/';
		if (err)
			return err;
	}
	return mkdir_one(buf, leaf_mode, fsync_parents);
}

int mg_read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f;
	int err = 0;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (len > INT_MAX)
		len = INT_MAX;
	if (!fgets(buf, (int)len, f)) {
		buf[0] = '\0';
		err = ferror(f) ? -(errno ? errno : EIO) : 0;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}
