// SPDX-License-Identifier: GPL-2.0
/* walking the record folders and loading them; see records_internal.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "records.h"
#include "records_internal.h"

#define ID_SIZE sizeof(((struct mg_unload_record *)0)->id)

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

/* names */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mg_rec_names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* 1: a record's name; 0: not a record file at all; -1: a .rec not ours */
static int record_name(const char *name)
{
	size_t len = strlen(name), sl = strlen(MG_REC_SUFFIX);
	char id[ID_SIZE], module[MG_MODULE_NAME_LEN];

	if (name[0] == '.' || len < sl || strcmp(name + len - sl, MG_REC_SUFFIX))
		return 0;
	if (len - sl == 0 || len - sl >= sizeof(id))
		return -1;
	memcpy(id, name, len - sl);
	id[len - sl] = '\0';
	/* we only ever make "<time>-<module>": the module is what counts */
	return mg_record_id_parse(id, module, sizeof(module), NULL) ? -1 : 1;
}

/* keep the newest cap names: sort, drop the oldest */
static size_t trim_names(char **names, size_t n, size_t cap)
{
	size_t drop;

	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	if (!cap || n <= cap)
		return n;
	drop = n - cap;
	for (size_t i = 0; i < drop; i++)
		free(names[i]);
	memmove(names, names + drop, cap * sizeof(*names));
	return cap;
}

/* room for one more name; with a cap, at most 2 * cap names are held */
static int names_room(char ***names, size_t *n, size_t *size, size_t cap)
{
	char **nn;

	if (cap && *n == 2 * cap)
		*n = trim_names(*names, *n, cap);
	if (*n < *size)
		return 0;
	*size = *size ? *size * 2 : 64;
	nn = realloc(*names, *size * sizeof(**names));
	if (!nn)
		return -ENOMEM;
	*names = nn;
	return 0;
}

static int list_dir(DIR *d, const char *path, size_t cap, char ***names,
		    size_t *n, size_t *total, size_t *nskipped)
{
	size_t size = 0;
	struct dirent *de;

	while ((de = readdir(d))) {
		int kind = record_name(de->d_name);

		if (kind < 0) {
			mg_warn("records: skipping %s/%s: not a record name",
				path, de->d_name);
			if (nskipped)
				(*nskipped)++;
		}
		if (kind <= 0)
			continue;
		if (names_room(names, n, &size, cap))
			return -ENOMEM;
		(*names)[*n] = strdup(de->d_name);
		if (!(*names)[*n])
			return -ENOMEM;
		(*n)++;
		(*total)++;
	}
	*n = trim_names(*names, *n, cap);
	return 0;
}

int mg_rec_list(int dfd, const char *path, size_t cap, char ***names,
		size_t *n, size_t *nskipped)
{
	int fd = dup(dfd), err;
	size_t total = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	rewinddir(d);
	err = list_dir(d, path, cap, names, n, &total, nskipped);
	closedir(d);
	if (err) {
		mg_rec_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return err;
	}
	if (total > *n)
		mg_warn("records: %zu records in %s; only the newest %zu are "
			"loaded", total, path, *n);
	return 0;
}

/* files */

/* 1 if the first line says "refused" (the parser changes buf: ask first) */
static int says_refused(const char *buf, size_t len)
{
	char head[sizeof(((struct mg_unload_record *)0)->outcome)];

	return buf && !mg_record_format_outcome(buf, len, head, sizeof(head)) &&
	       !strcmp(head, "refused");
}

/*
 * A file that does not parse stands in as what its name says. Unless it
 * was a refusal (by its folder or its first line), it may have been a
 * stale record: its module stays quarantined.
 */
static void stand_in(struct mg_rec_file *f, const char *path, int refusal,
		     const char *why)
{
	struct mg_unload_record *r = &f->rec;
	int cleared = r->cleared;
	char id[ID_SIZE];

	free(r->refs);
	memcpy(id, r->id, sizeof(id));
	memset(r, 0, sizeof(*r));
	memcpy(r->id, id, sizeof(id));
	mg_record_id_parse(r->id, r->module, sizeof(r->module), &r->time_ns);
	snprintf(r->outcome, sizeof(r->outcome), "damaged");
	r->damaged = 1;
	r->cleared = (uint8_t)cleared;
	f->why = why;
	f->quarantines = !cleared && !refusal;
	f->skip = !cleared && refusal;
	snprintf(r->reason, sizeof(r->reason),
		 "the record does not parse (%s)%s", why,
		 f->quarantines ? ": every build of the module is quarantined "
				  "until the quarantine is cleared" : "");
	if (f->quarantines)
		mg_warn("records: %s/%s does not parse (%s): %s stays "
			"quarantined, every build, until cleared", path,
			f->name, why, r->module);
	else if (f->skip)
		mg_warn("records: skipping %s/%s: %s", path, f->name, why);
}

/* 0 (f filled), -ENOENT (gone since listed), or -errno: cannot tell */
static int read_record(int dfd, const char *path, enum mg_rec_folder folder,
		       const char *name, struct mg_rec_file *f)
{
	size_t len = 0, idlen = strlen(name) - strlen(MG_REC_SUFFIX);
	int e, refusal = folder == MG_REC_REFUSED;
	const char *why = "unknown error";
	char *buf = NULL;

	memset(f, 0, sizeof(*f));
	f->folder = folder;
	f->name = name;
	memcpy(f->rec.id, name, idlen);
	f->rec.cleared = folder == MG_REC_CLEARED;
	e = read_file(dfd, name, &buf, &len, &why);
	if (e == -ENOENT)
		return e;
	/* the main folder holds every outcome: which one, if damaged? */
	if (!e && folder == MG_REC_MAIN)
		refusal = says_refused(buf, len);
	if (!e)
		e = mg_record_format_parse(buf, len, &f->rec, &why);
	free(buf);
	if (e == -ENOMEM || e == -EMFILE || e == -ENFILE)
		return e;
	if (e)
		stand_in(f, path, refusal, why);
	else
		f->quarantines = !f->rec.cleared && folder != MG_REC_REFUSED &&
				 !strcmp(f->rec.outcome, "stale");
	return 0;
}

static int visit_all(int dfd, const char *path, enum mg_rec_folder folder,
		     char **names, size_t n, mg_rec_visit fn, void *arg,
		     size_t *nskipped)
{
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		struct mg_rec_file f;

		err = read_record(dfd, path, folder, names[i], &f);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err)
			break;
		if (f.skip && nskipped)
			(*nskipped)++;
		err = fn(&f, arg);
		free(f.rec.refs);
	}
	return err;
}

int mg_rec_open_list(const char *state_dir, enum mg_rec_folder folder,
		     size_t cap, char *path, size_t size, char ***names,
		     size_t *n, size_t *nskipped)
{
	int dfd, err = mg_rec_path(state_dir, folder, path, size);

	*names = NULL;
	*n = 0;
	if (err)
		return err;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	err = mg_rec_list(dfd, path, cap, names, n, nskipped);
	if (err) {
		close(dfd);
		return err;
	}
	return dfd;
}

int mg_rec_scan(const char *state_dir, enum mg_rec_folder folder, size_t cap,
		mg_rec_visit fn, void *arg, size_t *nskipped)
{
	char path[PATH_MAX], **names;
	size_t n;
	int dfd, err;

	dfd = mg_rec_open_list(state_dir, folder, cap, path, sizeof(path),
			       &names, &n, nskipped);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	err = visit_all(dfd, path, folder, names, n, fn, arg, nskipped);
	mg_rec_names_free(names, n);
	close(dfd);
	return err;
}

/* loading */

int mg_rec_cmp(const void *a, const void *b)
{
	const struct mg_unload_record *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

struct load {
	struct mg_unload_record *recs;
	size_t n, size;
	int intents_only;
};

static int load_visit(struct mg_rec_file *f, void *arg)
{
	struct load *l = arg;

	if (f->skip)
		return 0;
	if (l->intents_only &&
	    (f->rec.damaged || strcmp(f->rec.outcome, "unloading")))
		return 0;
	if (l->n == l->size) {
		size_t size = l->size ? l->size * 2 : 16;
		struct mg_unload_record *nr =
			realloc(l->recs, size * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		l->recs = nr;
		l->size = size;
	}
	l->recs[l->n++] = f->rec;
	f->rec.refs = NULL; /* the load's now */
	return 0;
}

static int load(const char *state_dir, struct load *l, int nfolders,
		struct mg_unload_record **recs, size_t *n, size_t *nskipped)
{
	size_t skipped = 0;
	int err = 0;

	*recs = NULL;
	*n = 0;
	/* stale and cleared records are few; refusals are capped */
	for (int f = 0; !err && f < nfolders; f++)
		err = mg_rec_scan(state_dir, f, f == MG_REC_REFUSED ?
						       MG_RECORDS_MAX : 0,
				  load_visit, l, &skipped);
	if (nskipped)
		*nskipped = err ? 0 : skipped;
	if (err) {
		mg_records_free(l->recs, l->n);
		return err;
	}
	if (l->n)
		qsort(l->recs, l->n, sizeof(*l->recs), mg_rec_cmp);
	*recs = l->n ? l->recs : NULL;
	if (!l->n)
		free(l->recs);
	*n = l->n;
	return 0;
}

int mg_records_load(const char *state_dir, struct mg_unload_record **recs,
		    size_t *n, size_t *nskipped)
{
	struct load l = { 0 };

	return load(state_dir, &l, MG_REC_NFOLDERS, recs, n, nskipped);
}

int mg_records_load_intents(const char *state_dir,
			    struct mg_unload_record **recs, size_t *n)
{
	struct load l = { .intents_only = 1 };

	/* intents are only ever written to the main folder */
	return load(state_dir, &l, MG_REC_MAIN + 1, recs, n, NULL);
}

void mg_records_free(struct mg_unload_record *recs, size_t n)
{
	if (!recs)
		return;
	for (size_t i = 0; i < n; i++)
		free(recs[i].refs);
	free(recs);
}
