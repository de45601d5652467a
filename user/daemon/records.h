/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable unload records: every unload that left stale references behind
 * and every refusal is written to STATE/records/ and fsync'd before the
 * daemon answers, so that the next unload of the same module build can be
 * refused ("quarantine") even after a crash and a reboot.
 *
 * On disk: one file per record, STATE/records/<id>.rec, mode 0600, in the
 * record format (user/lib/record_format.h), the lines the history verb
 * sends.
 *
 * A file is written as a hidden temp file (".<id>.tmp"), flushed, fsync'd,
 * renamed into place and the directory fsync'd, so a crash leaves either
 * no record or a whole one. The ref count on the record line catches a
 * truncated file anyway (copied, restored from backup, disk trouble); such
 * a file, or any file that does not parse, is skipped with a warning.
 */
#ifndef MG_RECORDS_H
#define MG_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record_format.h"

/* at most this many records are loaded: the newest ones */
#define MG_RECORDS_MAX 10000
/* a record file larger than this is corrupt */
#define MG_RECORD_FILE_MAX (256 * 1024)
#define MG_RECORDS_SUBDIR "records"

/*
 * mkdir -p STATE/records (new directories 0700, fsync'd into their
 * parents) and remove temp files left by a crash. Returns 0 or -errno.
 */
int mg_records_init(const char *state_dir);

/*
 * Write rec durably (see above; creates the directory if needed). Fills
 * rec->id, and rec->time_ns if it is 0. String fields need not be
 * NUL-terminated: at most their size is used. Returns 0, -EINVAL (module
 * name not valid, empty outcome) or another -errno; nothing is left
 * behind on failure.
 */
int mg_record_write(const char *state_dir, struct mg_unload_record *rec);

/*
 * Load every record, oldest first (by time_ns, then id); at most the
 * MG_RECORDS_MAX newest files are read. Unreadable or corrupt files are
 * skipped with a warning and counted in *nskipped (may be NULL). A missing
 * directory gives no records. Returns 0 or -errno (the directory cannot be
 * read, out of memory); *recs is then NULL and *n 0. Free with
 * mg_records_free().
 */
int mg_records_load(const char *state_dir, struct mg_unload_record **recs,
		    size_t *n, size_t *nskipped);
void mg_records_free(struct mg_unload_record *recs, size_t n);

/*
 * Remove the record id (an "unloading" intent once the unload is settled).
 * Returns 0 or -errno; fsyncs the folder so the removal is durable too.
 */
int mg_record_remove(const char *state_dir, const char *id);

/*
 * The newest record with outcome "stale" for module (compared the way the
 * kernel does, '-' == '_') and build (compared up to the stored length),
 * or NULL. An empty or NULL build never matches.
 */
const struct mg_unload_record *
mg_records_quarantine(const struct mg_unload_record *recs, size_t n,
		      const char *module, const char *build);


/*
 * Write the records as protocol lines, each "record ..." line followed by
 * its "ref ..." lines (the on-disk format), for the history verb. Returns
 * 0 or -errno (write error).
 */
int mg_records_emit(FILE *out, const struct mg_unload_record *recs, size_t n);

#endif /* MG_RECORDS_H */
