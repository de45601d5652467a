// SPDX-License-Identifier: GPL-2.0
/* durable unload records: folders, init, writing; see records.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
#include "records_internal.h"

#define TMP_SUFFIX ".tmp"
#define NAME_MAX_REC (sizeof(((struct mg_unload_record *)0)->id) + 8)

#define COPY_FIELD(dst, src) mg_field_copy(dst, sizeof(dst), src)

const char *const mg_rec_folder_name[MG_REC_NFOLDERS] = {
	[MG_REC_MAIN] = "",
	[MG_REC_STALE] = MG_RECORDS_STALE,
	[MG_REC_REFUSED] = MG_RECORDS_REFUSED,
	[MG_REC_CLEARED] = MG_RECORDS_CLEARED,
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int mg_rec_path(const char *state_dir, enum mg_rec_folder f, char *buf,
		size_t size)
{
	int n;

	if (!state_dir || !*state_dir)
		return -EINVAL;
	n = snprintf(buf, size, "%s/%s%s%s", state_dir, MG_RECORDS_SUBDIR,
		     f == MG_REC_MAIN ? "" : "/", mg_rec_folder_name[f]);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int mg_rec_open_dir(const char *state_dir, enum mg_rec_folder f, int create)
{
	char path[PATH_MAX];
	int fd, err = mg_rec_path(state_dir, f, path, sizeof(path));

	/* what it creates is 0700 and fsync'd into its parent */
	if (!err && create)
		err = mg_mkdir_p(path, 0700, 0700, 1);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mg_rec_move(int from_dfd, const char *name, int to_dfd)
{
	struct stat st;

	if (!renameat2(from_dfd, name, to_dfd, name, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* a file system without RENAME_NOREPLACE: look, then rename */
	if (!fstatat(to_dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	return renameat(from_dfd, name, to_dfd, name) ? -errno : 0;
}

/* temp files are only ever a crash's leftovers: we are the writer */
static int remove_temps(int dfd)
{
	int fd = dup(dfd), removed = 0;
	struct dirent *de;
	DIR *d;

	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !ends_with(de->d_name, TMP_SUFFIX))
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

int mg_records_init_policy(const char *state_dir,
			   const struct mg_records_policy *policy)
{
	int removed = 0, pruned;

	for (int f = 0; f < MG_REC_NFOLDERS; f++) {
		int dfd = mg_rec_open_dir(state_dir, f, 1);

		if (dfd < 0) {
			mg_err("records: cannot create %s/%s/%s: %s", state_dir,
			       MG_RECORDS_SUBDIR, mg_rec_folder_name[f],
			       strerror(-dfd));
			return dfd;
		}
		removed += remove_temps(dfd);
		close(dfd);
	}
	if (removed)
		mg_info("records: removed %d unfinished record file%s in %s/%s",
			removed, removed == 1 ? "" : "s", state_dir,
			MG_RECORDS_SUBDIR);
	mg_rec_policy_set(policy);
	mg_rec_migrate(state_dir);
	pruned = mg_records_prune(state_dir, mg_rec_policy());
	if (pruned < 0)
		mg_warn("records: cannot prune old refusals: %s",
			strerror(-pruned));
	else if (pruned)
		mg_info("records: pruned %d old refusal%s", pruned,
			pruned == 1 ? "" : "s");
	return 0;
}

int mg_records_init(const char *state_dir)
{
	return mg_records_init_policy(state_dir, NULL);
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

static enum mg_rec_folder folder_of(const char *outcome)
{
	if (!strcmp(outcome, "stale"))
		return MG_REC_STALE;
	if (!strcmp(outcome, "refused"))
		return MG_REC_REFUSED;
	return MG_REC_MAIN;
}

/* 1 if some folder has a file of that name: ids are unique across them */
static int name_taken(int root_dfd, const char *name)
{
	char rel[NAME_MAX_REC + 16];
	struct stat st;

	for (int f = 0; f < MG_REC_NFOLDERS; f++) {
		snprintf(rel, sizeof(rel), "%s%s%s", mg_rec_folder_name[f],
			 f == MG_REC_MAIN ? "" : "/", name);
		if (!fstatat(root_dfd, rel, &st, AT_SYMLINK_NOFOLLOW))
			return 1;
	}
	return 0;
}

/* a unique id: on a clash, the next free microsecond */
static int pick_id(int root_dfd, struct mg_unload_record *rec,
		   const char *module, char *name, size_t size)
{
	for (uint64_t i = 0; i < 1000; i++) {
		int err = mg_record_id_format(rec->id, sizeof(rec->id),
					      rec->time_ns + i * 1000, module);

		if (err)
			return err;
		snprintf(name, size, "%s" MG_REC_SUFFIX, rec->id);
		if (!name_taken(root_dfd, name))
			return 0;
	}
	return -EEXIST;
}

static int open_tmp(int dfd, const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
	int fd = openat(dfd, tmp, flags, 0600);

	if (fd < 0 && errno == EEXIST) {
		/* a crash's leftover with the very same id */
		unlinkat(dfd, tmp, 0);
		fd = openat(dfd, tmp, flags, 0600);
	}
	return fd < 0 ? -errno : fd;
}

/* rec into the temp file tmp, fsync'd; removed again on any failure */
static int write_tmp(int dfd, const char *tmp,
		     const struct mg_unload_record *rec)
{
	struct mg_unload_record w = *rec;
	int fd = open_tmp(dfd, tmp), err;
	FILE *f;

	if (fd < 0)
		return fd;
	/* where the store found a record is no part of its file */
	w.damaged = w.cleared = 0;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		return err;
	}
	err = mg_record_format_write(f, &w);
	/* a full disk or quota shows here, or in fsync or fclose */
	if (!err && fflush(f) != 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	return err;
}

/* the temp file renamed to name, the folder fsync'd; *renamed if it was */
static int publish(int dfd, const char *tmp, const char *name, int *renamed)
{
	if (renameat(dfd, tmp, dfd, name) < 0) {
		int err = -errno;

		unlinkat(dfd, tmp, 0);
		return err;
	}
	*renamed = 1;
	/* the record exists now; a failed fsync leaves it (fail safe) */
	if (fsync(dfd) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

static int write_into(int dfd, int root_dfd, struct mg_unload_record *rec,
		      const char *module, int *renamed)
{
	char name[NAME_MAX_REC], tmp[NAME_MAX_REC + 8];
	int err;

	if (!rec->time_ns)
		rec->time_ns = mg_clock_ns(CLOCK_REALTIME);
	err = pick_id(root_dfd, rec, module, name, sizeof(name));
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, rec->id);
	err = write_tmp(dfd, tmp, rec);
	return err ? err : publish(dfd, tmp, name, renamed);
}

static void after_refusal(const char *state_dir)
{
	const struct mg_records_policy *p = mg_rec_policy();
	int pruned = p ? mg_records_prune(state_dir, p) : 0;

	/* the refusal is written: a prune that fails waits for the next */
	if (pruned < 0)
		mg_warn("records: cannot prune old refusals: %s",
			strerror(-pruned));
}

int mg_record_write(const char *state_dir, struct mg_unload_record *rec)
{
	char module[sizeof(rec->module)], outcome[sizeof(rec->outcome)];
	int dfd, root_dfd, err, renamed = 0;
	enum mg_rec_folder folder;

	COPY_FIELD(module, rec->module);
	COPY_FIELD(outcome, rec->outcome);
	if (!mg_module_name_valid(module) || !outcome[0] ||
	    (rec->nrefs && !rec->refs))
		return -EINVAL;
	folder = folder_of(outcome);
	dfd = mg_rec_open_dir(state_dir, folder, 1);
	root_dfd = dfd < 0 ? dfd : mg_rec_open_dir(state_dir, MG_REC_MAIN, 0);
	err = root_dfd < 0 ? root_dfd :
			     write_into(dfd, root_dfd, rec, module, &renamed);
	if (root_dfd >= 0)
		close(root_dfd);
	if (dfd >= 0)
		close(dfd);
	if (err) {
		mg_err("records: cannot write the %s record for %s in %s/%s: %s",
		       outcome, module, state_dir, MG_RECORDS_SUBDIR,
		       strerror(-err));
		/* keep the id only if the record exists */
		if (!renamed)
			rec->id[0] = '\0';
		return err;
	}
	if (folder == MG_REC_REFUSED)
		after_refusal(state_dir);
	return 0;
}

int mg_record_remove(const char *state_dir, const char *id)
{
	char name[NAME_MAX_REC];
	int dfd, err = 0;

	/* ids never hold '/': they are made by mg_record_id_format() */
	if (!id[0] || strchr(id, '/') || strlen(id) + 5 > sizeof(name))
		return -EINVAL;
	dfd = mg_rec_open_dir(state_dir, MG_REC_MAIN, 0);
	if (dfd < 0)
		return dfd;
	snprintf(name, sizeof(name), "%s" MG_REC_SUFFIX, id);
	if (unlinkat(dfd, name, 0))
		err = -errno;
	else if (fsync(dfd))
		err = -errno;
	close(dfd);
	return err;
}
