// SPDX-License-Identifier: GPL-2.0
/* durable unload records and quarantine; see records.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "parse.h"
#include "records.h"

#define REC_SUFFIX ".rec"
#define TMP_SUFFIX ".tmp"



#define COPY_FIELD(dst, src) mg_field_copy(dst, sizeof(dst), src)

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int records_path(const char *state_dir, char *buf, size_t size)
{
	int n;

	if (!state_dir || !*state_dir)
		return -EINVAL;
	n = snprintf(buf, size, "%s/%s", state_dir, MG_RECORDS_SUBDIR);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int ensure_dirs(const char *state_dir, char *path, size_t size)
{
	int err = records_path(state_dir, path, size);

	/* what it creates is 0700 and fsync'd into its parent */
	return err ? err : mg_mkdir_p(path, 0700, 0700, 1);
}

int mg_records_init(const char *state_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err, removed = 0;
	DIR *d;

	err = ensure_dirs(state_dir, path, sizeof(path));
	if (err) {
		mg_err("records: cannot create %s/%s: %s", state_dir,
		       MG_RECORDS_SUBDIR, strerror(-err));
		return err;
	}
	/* temp files are only ever a crash's leftovers: we are the writer */
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !ends_with(de->d_name, TMP_SUFFIX))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	if (removed)
		mg_info("records: removed %d unfinished record file%s in %s",
			removed, removed == 1 ? "" : "s", path);
	return 0;
}

int mg_records_emit(FILE *out, const struct mg_unload_record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err = mg_record_format_write(out, &recs[i]);

		if (err)
			return err;
	}
	return ferror(out) ? -EIO : 0;
}

/* writing */

static int format_id(char *buf, size_t size, uint64_t t_ns,
		     const char *module)
{
	time_t secs = (time_t)(t_ns / 1000000000ULL);
	unsigned usec = (unsigned)(t_ns % 1000000000ULL / 1000);
	struct tm tm;
	char stamp[32];
	int n;

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm))
		return -EOVERFLOW;
	n = snprintf(buf, size, "%s.%06uZ-%s", stamp, usec, module);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int mg_record_remove(const char *state_dir, const char *id)
{
	char path[PATH_MAX], name[sizeof(((struct mg_unload_record *)0)->id) + 8];
	int dfd, err = 0;

	/* ids never hold '/': they are made by format_id() */
	if (!id[0] || strchr(id, '/') || strlen(id) + 8 > sizeof(name))
		return -EINVAL;
	err = ensure_dirs(state_dir, path, sizeof(path));
	if (err)
		return err;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(name, sizeof(name), "%s" REC_SUFFIX, id);
	if (unlinkat(dfd, name, 0))
		err = -errno;
	else if (fsync(dfd))
		err = -errno;
	close(dfd);
	return err;
}

int mg_record_write(const char *state_dir, struct mg_unload_record *rec)
{
	char path[PATH_MAX], module[sizeof(rec->module)];
	char name[sizeof(rec->id) + 8], tmp[sizeof(rec->id) + 8];
	int dfd = -1, fd = -1, err, tmp_made = 0, renamed = 0;
	struct stat st;
	FILE *f = NULL;

	COPY_FIELD(module, rec->module);
	if (!mg_module_name_valid(module) || !rec->outcome[0] ||
	    (rec->nrefs && !rec->refs))
		return -EINVAL;
	err = ensure_dirs(state_dir, path, sizeof(path));
	if (err)
		return err;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;

	if (!rec->time_ns)
		rec->time_ns = mg_clock_ns(CLOCK_REALTIME);
	/* unique id: on a clash, the next free microsecond */
	err = -EEXIST;
	for (uint64_t i = 0; i < 1000; i++) {
		err = format_id(rec->id, sizeof(rec->id),
				rec->time_ns + i * 1000, module);
		if (err)
			break;
		snprintf(name, sizeof(name), "%s" REC_SUFFIX, rec->id);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT)
			break;
		err = -EEXIST;
	}
	if (err)
		goto out;
	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, rec->id);

	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
			      O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* a crash's leftover with the very same id */
		unlinkat(dfd, tmp, 0);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
				      O_NOFOLLOW, 0600);
	}
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	tmp_made = 1;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		goto out;
	}
	err = mg_record_format_write(f, rec);
	if (!err && fflush(f) != 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	fd = -1; /* fclose closes it */
	if (fclose(f) != 0 && !err)
		err = -errno;
	f = NULL;
	if (err)
		goto out;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		err = -errno;
		goto out;
	}
	tmp_made = 0;
	renamed = 1;
	/* the record exists now; a failed fsync leaves it (fail safe) */
	if (fsync(dfd) < 0 && errno != EINVAL)
		err = -errno;
out:
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (tmp_made)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	if (err) {
		mg_err("records: cannot write the %s record for %s in %s: %s",
		       rec->outcome, module, path, strerror(-err));
		/* keep the id only if the record exists */
		if (!renamed)
			rec->id[0] = '\0';
	}
	return err;
}

/* reading */

static int read_file(int dfd, const char *name, char **bufp, size_t *lenp,
		     const char **why)
{
	size_t len = 0, cap;
	struct stat st;
	char *buf;
	int fd;

	*bufp = NULL;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		*why = strerror(errno);
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > MG_RECORD_FILE_MAX) {
		*why = "too large";
		close(fd);
		return -EFBIG;
	}
	/* +1 to notice growth past the limit, +1 for the parser's NUL */
	cap = MG_RECORD_FILE_MAX + 2;
	if ((size_t)st.st_size + 2 < cap)
		cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		*why = "out of memory";
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= MG_RECORD_FILE_MAX + 2)
				break;
			cap = cap * 2 > MG_RECORD_FILE_MAX + 2 ?
				      MG_RECORD_FILE_MAX + 2 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				*why = "out of memory";
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			*why = strerror(errno);
			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > MG_RECORD_FILE_MAX) {
		free(buf);
		*why = "too large";
		return -EFBIG;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_records(const void *a, const void *b)
{
	const struct mg_unload_record *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* keep the newest MG_RECORDS_MAX names: sort, drop the oldest */
static size_t trim_names(char **names, size_t n)
{
	size_t drop;

	qsort(names, n, sizeof(*names), cmp_names);
	if (n <= MG_RECORDS_MAX)
		return n;
	drop = n - MG_RECORDS_MAX;
	for (size_t i = 0; i < drop; i++)
		free(names[i]);
	memmove(names, names + drop, MG_RECORDS_MAX * sizeof(*names));
	return MG_RECORDS_MAX;
}

int mg_records_load(const char *state_dir, struct mg_unload_record **recs,
		    size_t *n, size_t *nskipped)
{
	char path[PATH_MAX];
	char **names = NULL;
	size_t nnames = 0, total = 0, skipped = 0, nrecs = 0;
	struct mg_unload_record *out = NULL;
	struct dirent *de;
	int err = 0;
	DIR *d;

	*recs = NULL;
	*n = 0;
	if (nskipped)
		*nskipped = 0;
	err = records_path(state_dir, path, sizeof(path));
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;

	/* at most 2 * MG_RECORDS_MAX names in memory at any time */
	names = calloc(2 * MG_RECORDS_MAX, sizeof(*names));
	if (!names) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || !ends_with(de->d_name, REC_SUFFIX))
			continue;
		if (len - strlen(REC_SUFFIX) == 0 ||
		    len - strlen(REC_SUFFIX) >= sizeof(out->id)) {
			mg_warn("records: skipping %s/%s: name too long", path,
				de->d_name);
			skipped++;
			continue;
		}
		if (nnames == 2 * MG_RECORDS_MAX)
			nnames = trim_names(names, nnames);
		names[nnames] = strdup(de->d_name);
		if (!names[nnames]) {
			err = -ENOMEM;
			goto out;
		}
		nnames++;
		total++;
	}
	nnames = trim_names(names, nnames);
	if (total > nnames)
		mg_warn("records: %zu records in %s; only the newest %zu are loaded",
			total, path, nnames);

	if (nnames) {
		out = calloc(nnames, sizeof(*out));
		if (!out) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < nnames; i++) {
		struct mg_unload_record *r = &out[nrecs];
		const char *why = "unknown error";
		size_t len = 0, idlen = strlen(names[i]) - strlen(REC_SUFFIX);
		char *buf;
		int e;

		memset(r, 0, sizeof(*r));
		memcpy(r->id, names[i], idlen);
		r->id[idlen] = '\0';
		e = read_file(dirfd(d), names[i], &buf, &len, &why);
		if (!e) {
			e = mg_record_format_parse(buf, len, r, &why);
			free(buf);
		}
		if (e == -ENOMEM) {
			err = e;
			goto out;
		}
		if (e) {
			mg_warn("records: skipping %s/%s: %s", path, names[i],
				why);
			skipped++;
			continue;
		}
		nrecs++;
	}
	if (nrecs)
		qsort(out, nrecs, sizeof(*out), cmp_records);
out:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	closedir(d);
	if (err) {
		mg_records_free(out, nrecs);
		return err;
	}
	if (!nrecs) {
		free(out);
		out = NULL;
	}
	*recs = out;
	*n = nrecs;
	if (nskipped)
		*nskipped = skipped;
	return 0;
}

void mg_records_free(struct mg_unload_record *recs, size_t n)
{
	if (!recs)
		return;
	for (size_t i = 0; i < n; i++)
		free(recs[i].refs);
	free(recs);
}

/* quarantine */

const struct mg_unload_record *
mg_records_quarantine(const struct mg_unload_record *recs, size_t n,
		      const char *module, const char *build)
{
	const struct mg_unload_record *best = NULL;
	size_t blen;

	if (!recs || !module || !build || !*build)
		return NULL;
	/* records keep overlong builds truncated: compare what is kept */
	blen = strnlen(build, sizeof(recs->build) - 1);
	for (size_t i = 0; i < n; i++) {
		const struct mg_unload_record *r = &recs[i];
		size_t rlen = mg_field_len(r->build, sizeof(r->build));

		if (strncmp(r->outcome, "stale", sizeof(r->outcome)) ||
		    rlen != blen || memcmp(r->build, build, blen) ||
		    !memchr(r->module, '\0', sizeof(r->module)) ||
		    !mg_module_name_eq(r->module, module))
			continue;
		if (!best || cmp_records(r, best) > 0)
			best = r;
	}
	return best;
}
