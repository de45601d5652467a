/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the record store (records.h): its folders, and one walk over a
 * folder's files that tells intact records from damaged ones, shared by
 * the loading, the quarantine, the retention and the migration.
 */
#ifndef MG_RECORDS_INTERNAL_H
#define MG_RECORDS_INTERNAL_H

#include <stddef.h>

#include "records.h"

#define MG_REC_SUFFIX ".rec"

enum mg_rec_folder {
	MG_REC_MAIN, /* STATE/records itself: intents, the flat layout */
	MG_REC_STALE,
	MG_REC_REFUSED,
	MG_REC_CLEARED,
	MG_REC_NFOLDERS
};

/* "", "stale", "refused", "cleared" */
extern const char *const mg_rec_folder_name[MG_REC_NFOLDERS];

/* STATE/records[/<folder>] into buf; 0 or -errno */
int mg_rec_path(const char *state_dir, enum mg_rec_folder f, char *buf,
		size_t size);
/* that folder opened (O_DIRECTORY), made first if create: fd or -errno */
int mg_rec_open_dir(const char *state_dir, enum mg_rec_folder f, int create);
/* rename name from one folder to another, never over a file: 0 or -errno */
int mg_rec_move(int from_dfd, const char *name, int to_dfd);

/* one record file as the walk found it */
struct mg_rec_file {
	enum mg_rec_folder folder;
	const char *name;	     /* "<id>.rec" */
	struct mg_unload_record rec; /* intact, or the damaged stand-in */
	int quarantines;	     /* see mg_records_quarantine() */
	int skip;		     /* damaged, and counts for nothing */
	const char *why;	     /* what is wrong with a damaged one */
};

/*
 * Called for each file; < 0 stops the walk with that error. It may take
 * f->rec.refs (and set it NULL); the walk frees what is left.
 */
typedef int (*mg_rec_visit)(struct mg_rec_file *f, void *arg);

/*
 * Every record file of folder, by name (oldest first; only the newest cap
 * if cap, else all), read and visited. A missing folder has none. Names
 * not ours and skipped files are counted in *nskipped (may be NULL).
 * Returns 0, the visitor's error, or -errno: the folder cannot be read,
 * or a file cannot be told apart (out of memory or file descriptors).
 */
int mg_rec_scan(const char *state_dir, enum mg_rec_folder folder, size_t cap,
		mg_rec_visit fn, void *arg, size_t *nskipped);
/*
 * folder opened (its path into path) and its record files listed: the
 * fd, -ENOENT if there is no such folder, or another -errno.
 */
int mg_rec_open_list(const char *state_dir, enum mg_rec_folder folder,
		     size_t cap, char *path, size_t size, char ***names,
		     size_t *n, size_t *nskipped);
/* the sorted names of the record files in dfd (path for messages) */
int mg_rec_list(int dfd, const char *path, size_t cap, char ***names,
		size_t *n, size_t *nskipped);
void mg_rec_names_free(char **names, size_t n);

/* by time_ns, then id */
int mg_rec_cmp(const void *a, const void *b);

/* the policy init set (NULL before any init) */
void mg_rec_policy_set(const struct mg_records_policy *p);
const struct mg_records_policy *mg_rec_policy(void);
/* move the flat layout's stale records and refusals into their folders */
void mg_rec_migrate(const char *state_dir);

#endif /* MG_RECORDS_INTERNAL_H */
