/* SPDX-License-Identifier: GPL-2.0 */
/* small file-system helpers every modguard program had written for itself */
#ifndef MG_FSUTIL_H
#define MG_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * mkdir -p: create path and every missing folder above it.  What it
 * creates gets parents_mode, path itself leaf_mode (both under the umask);
 * what exists already is left as it is, but must be a folder (-ENOTDIR).
 * With fsync_parents each new folder is fsync'd into its parent, so that
 * it survives a crash.  Returns 0 or -errno (-ENAMETOOLONG beyond
 * PATH_MAX, -EINVAL for an empty path).
 */
int mg_mkdir_p(const char *path, mode_t parents_mode, mode_t leaf_mode,
	       int fsync_parents);

/*
 * The first line of a small file (a /proc or /sys attribute) into buf,
 * without its newline, cut to len - 1 bytes.  Returns 0 (an empty file
 * gives "") or -errno; buf is "" on failure.
 */
int mg_read_first_line(const char *path, char *buf, size_t len);

#endif /* MG_FSUTIL_H */
