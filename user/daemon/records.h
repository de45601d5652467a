/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable unload records: every unload that left stale references behind
 * and every refusal is written to STATE/records/ and fsync'd before the
 * daemon answers, so that the next unload of the same module build can be
 * refused ("quarantine") even after a crash and a reboot.
 *
 * On disk: one file per record, mode 0600, in the record format
 * (user/lib/record_format.h), the lines the history verb sends, named
 * <id>.rec (ids are "<UTC time>-<module>", unique across the folders):
 *
 *	STATE/records/stale/	stale unloads: the quarantine. Never pruned,
 *				never evicted; one per bad build, so few.
 *	STATE/records/refused/	refusals: bounded (struct mg_records_policy).
 *	STATE/records/cleared/	stale and damaged records a person took out
 *				of the quarantine (mg_records_clear_quarantine),
 *				kept for the history; never pruned.
 *	STATE/records/		write-ahead intents ("unloading") and any
 *				other outcome; records of the old, flat layout
 *				until init moves them (they count where they
 *				are until then).
 *
 * A file is written as a hidden temp file (".<id>.tmp"), flushed, fsync'd,
 * renamed into place and the folder fsync'd, so a crash leaves either no
 * record or a whole one. The ref count on the record line catches a
 * truncated file anyway (copied, restored from backup, disk trouble).
 *
 * Failing closed: a file that does not parse (or cannot be read) in the
 * stale folder, or in the main folder unless its first line still says
 * "refused", may have been the quarantine of a build we can no longer
 * read. It is "damaged": its module (from its name) is quarantined for
 * every build until a person clears it. A damaged refusal only is skipped
 * with a warning. A .rec name that is not an id is not ours: skipped with
 * a warning.
 */
#ifndef MG_RECORDS_H
#define MG_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record_format.h"

/* at most this many refusals are loaded for the history: the newest */
#define MG_RECORDS_MAX 10000
/* a record file larger than this is corrupt */
#define MG_RECORD_FILE_MAX (256 * 1024)
#define MG_RECORDS_SUBDIR "records"
#define MG_RECORDS_STALE "stale"
#define MG_RECORDS_REFUSED "refused"
#define MG_RECORDS_CLEARED "cleared"

/* retention defaults: refusals only; stale records are never pruned */
#define MG_RECORDS_KEEP_REFUSALS 1000
#define MG_RECORDS_REFUSAL_DAYS 30

/*
 * How long refusals are kept: at most keep_refusals of them (0: no count
 * limit), none older than refusal_days by the time in their id (0: no age
 * limit). The oldest go first. Applied at init and after each refusal is
 * written; nothing else is ever pruned.
 */
struct mg_records_policy {
	size_t keep_refusals;	/* MG_RECORDS_KEEP_REFUSALS */
	uint32_t refusal_days;	/* MG_RECORDS_REFUSAL_DAYS */
};

/*
 * mkdir -p STATE/records and its folders (new directories 0700, fsync'd
 * into their parents), remove temp files left by a crash, move records of
 * the flat layout into their folders, and prune refusals by policy (NULL:
 * the defaults), which later refusal writes in this process apply too.
 * Before any init, writes prune nothing. Returns 0 or -errno (a folder
 * cannot be made or opened); a failed move or prune is only logged.
 */
int mg_records_init_policy(const char *state_dir,
			   const struct mg_records_policy *policy);
/* the same with the default policy */
int mg_records_init(const char *state_dir);

/*
 * Write rec durably into its folder (see above; creates the folders if
 * needed). Fills rec->id, and rec->time_ns if it is 0. String fields need
 * not be NUL-terminated: at most their size is used; damaged and cleared
 * are not written. Returns 0, -EINVAL (module name not valid, empty
 * outcome) or another -errno as the file system said it (-ENOSPC, -EROFS,
 * -EDQUOT, -EFBIG, -EIO...); nothing is left behind on failure, except
 * when only the final folder fsync failed (the record exists and its id
 * is kept: fail safe). A refusal then prunes refusals by the policy.
 */
int mg_record_write(const char *state_dir, struct mg_unload_record *rec);

/*
 * Load every record for the history, oldest first (by time_ns, then id):
 * all stale, cleared and main-folder ones, and the newest MG_RECORDS_MAX
 * refusals. Damaged records that quarantine (see above) are in it as
 * stand-ins (damaged set, outcome "damaged"), so mg_records_quarantine()
 * sees them; cleared ones have cleared set. Files skipped are counted in
 * *nskipped (may be NULL). A missing directory gives no records. Returns
 * 0 or -errno (a folder cannot be read, out of memory); *recs is then
 * NULL and *n 0. Free with mg_records_free().
 */
int mg_records_load(const char *state_dir, struct mg_unload_record **recs,
		    size_t *n, size_t *nskipped);
/* only the intact "unloading" intents, for their recovery at start */
int mg_records_load_intents(const char *state_dir,
			    struct mg_unload_record **recs, size_t *n);
void mg_records_free(struct mg_unload_record *recs, size_t n);

/*
 * Remove the record id from the main folder (an "unloading" intent once
 * the unload is settled); never a stale record, which only a person
 * clears. Returns 0 or -errno; fsyncs the folder so the removal is durable.
 */
int mg_record_remove(const char *state_dir, const char *id);

/*
 * The record that quarantines module (compared the way the kernel does,
 * '-' == '_') and build (compared up to the stored length), or NULL: the
 * newest intact "stale" one of that build, else the newest damaged one of
 * that module (any build, even none: we cannot read which). Cleared
 * records never quarantine. An empty or NULL build matches only a damaged
 * record.
 */
const struct mg_unload_record *
mg_records_quarantine(const struct mg_unload_record *recs, size_t n,
		      const char *module, const char *build);

struct mg_quarantine {
	char id[96];	  /* the record that quarantines */
	int damaged;	  /* it does not parse: every build of the module */
	char reason[256]; /* the record's reason, or what is wrong with it */
};

/*
 * Is this build of module quarantined, and by which record? The rule of
 * mg_records_quarantine(), reading only the stale and main folders, never
 * the refusals. Returns 1 (quarantined; *out filled), 0 (not), or -errno:
 * cannot tell (a folder cannot be read, out of memory): the caller
 * refuses.
 */
int mg_records_quarantine_check(const char *state_dir, const char *module,
				const char *build, struct mg_quarantine *out);

struct mg_damaged_record {
	char id[96];
	char module[MG_MODULE_NAME_LEN]; /* quarantined, every build */
	char file[160];	 /* relative to the state dir: records/stale/<id>.rec */
	char why[64];	 /* what is wrong with it */
};

/*
 * The damaged records that quarantine, oldest first, for status. Returns
 * 0 or -errno; free *out with free().
 */
int mg_records_damaged(const char *state_dir, struct mg_damaged_record **out,
		       size_t *n);

/*
 * Take module out of the quarantine: move its stale records and the
 * damaged ones named after it to STATE/records/cleared/ (the history keeps
 * them), fsync'd. Their ids go space-separated into cleared_ids (may be
 * NULL; cut at len with "..."). Returns how many were moved (0: it was
 * not quarantined) or -errno; those moved before an error stay moved.
 */
int mg_records_clear_quarantine(const char *state_dir, const char *module,
				char *cleared_ids, size_t len);

/*
 * Prune refusals by policy (NULL: the defaults) now. Returns how many
 * were removed or -errno.
 */
int mg_records_prune(const char *state_dir,
		     const struct mg_records_policy *policy);

/*
 * Write the records as protocol lines, each "record ..." line followed by
 * its "ref ..." lines (the on-disk format), for the history verb. Returns
 * 0 or -errno (write error).
 */
int mg_records_emit(FILE *out, const struct mg_unload_record *recs, size_t n);

#endif /* MG_RECORDS_H */
