// SPDX-License-Identifier: GPL-2.0
/* the quarantine: checking it, listing damage, clearing it; see records.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "records.h"
#include "records_internal.h"

/* 2: an intact stale record of this build; 1: a damaged one of module */
static int rank(const struct mg_unload_record *r, const char *module,
		const char *build)
{
	size_t blen, rlen;

	if (r->cleared || !memchr(r->module, '\0', sizeof(r->module)) ||
	    !mg_module_name_eq(r->module, module))
		return 0;
	/* we cannot read which build it was: all of them */
	if (r->damaged)
		return 1;
	if (strncmp(r->outcome, "stale", sizeof(r->outcome)) || !build ||
	    !*build)
		return 0;
	/* records keep overlong builds truncated: compare what is kept */
	blen = strnlen(build, sizeof(r->build) - 1);
	rlen = mg_field_len(r->build, sizeof(r->build));
	return rlen == blen && !memcmp(r->build, build, blen) ? 2 : 0;
}

/* the exact build first, then the newest */
static int beats(const struct mg_unload_record *r, int r_rank,
		 const struct mg_unload_record *best, int best_rank)
{
	if (r_rank != best_rank)
		return r_rank > best_rank;
	return mg_rec_cmp(r, best) > 0;
}

const struct mg_unload_record *
mg_records_quarantine(const struct mg_unload_record *recs, size_t n,
		      const char *module, const char *build)
{
	const struct mg_unload_record *best = NULL;
	int best_rank = 0;

	if (!recs || !module)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int k = rank(&recs[i], module, build);

		if (k && (!best || beats(&recs[i], k, best, best_rank))) {
			best = &recs[i];
			best_rank = k;
		}
	}
	return best;
}

/* checking it from the files */

struct check {
	const char *module, *build;
	struct mg_unload_record best; /* without its refs */
	int rank;
};

static int check_visit(struct mg_rec_file *f, void *arg)
{
	struct check *c = arg;
	int k = f->quarantines ? rank(&f->rec, c->module, c->build) : 0;

	if (!k || (c->rank && !beats(&f->rec, k, &c->best, c->rank)))
		return 0;
	c->best = f->rec;
	c->best.refs = NULL;
	c->best.nrefs = 0;
	c->rank = k;
	return 0;
}

/* the quarantine is the stale folder and the main one: never refusals */
static int scan_quarantine(const char *state_dir, mg_rec_visit fn, void *arg)
{
	int err = mg_rec_scan(state_dir, MG_REC_STALE, 0, fn, arg, NULL);

	return err ? err : mg_rec_scan(state_dir, MG_REC_MAIN, 0, fn, arg, NULL);
}

int mg_records_quarantine_check(const char *state_dir, const char *module,
				const char *build, struct mg_quarantine *out)
{
	struct check c = { .module = module, .build = build };
	int err;

	memset(out, 0, sizeof(*out));
	if (!module || !*module)
		return -EINVAL;
	err = scan_quarantine(state_dir, check_visit, &c);
	if (err)
		return err;
	if (!c.rank)
		return 0;
	mg_field_copy(out->id, sizeof(out->id), c.best.id);
	mg_field_copy(out->reason, sizeof(out->reason), c.best.reason);
	out->damaged = c.best.damaged;
	return 1;
}

/* the damaged ones, for status */

struct damage {
	struct mg_damaged_record *list;
	size_t n, size;
};

static int damage_visit(struct mg_rec_file *f, void *arg)
{
	struct damage *d = arg;
	struct mg_damaged_record *x;

	if (!f->quarantines || !f->rec.damaged)
		return 0;
	if (d->n == d->size) {
		size_t size = d->size ? d->size * 2 : 8;

		x = realloc(d->list, size * sizeof(*x));
		if (!x)
			return -ENOMEM;
		d->list = x;
		d->size = size;
	}
	x = &d->list[d->n++];
	memset(x, 0, sizeof(*x));
	mg_field_copy(x->id, sizeof(x->id), f->rec.id);
	mg_field_copy(x->module, sizeof(x->module), f->rec.module);
	mg_field_copy(x->why, sizeof(x->why), f->why ? f->why : "");
	snprintf(x->file, sizeof(x->file), "%s/%s%s%s", MG_RECORDS_SUBDIR,
		 mg_rec_folder_name[f->folder],
		 f->folder == MG_REC_MAIN ? "" : "/", f->name);
	return 0;
}

static int cmp_damaged(const void *a, const void *b)
{
	const struct mg_damaged_record *x = a, *y = b;

	return strcmp(x->id, y->id);
}

int mg_records_damaged(const char *state_dir, struct mg_damaged_record **out,
		       size_t *n)
{
	struct damage d = { 0 };
	int err = scan_quarantine(state_dir, damage_visit, &d);

	*out = NULL;
	*n = 0;
	if (err) {
		free(d.list);
		return err;
	}
	/* ids begin with their time */
	if (d.n)
		qsort(d.list, d.n, sizeof(*d.list), cmp_damaged);
	*out = d.list;
	*n = d.n;
	return 0;
}

/* clearing it */

struct clear {
	const char *module;
	int from, to; /* folders' fds */
	int moved;
	char *ids;
	size_t len;
};

/* id onto the space-separated list, "..." once it is full */
static void add_id(char *ids, size_t len, const char *id)
{
	size_t used, need;

	if (!ids || !len)
		return;
	used = strlen(ids);
	need = strlen(id) + (used ? 1 : 0);
	if (used + need < len) {
		snprintf(ids + used, len - used, "%s%s", used ? " " : "", id);
		return;
	}
	if (used + 4 < len && (used < 3 || strcmp(ids + used - 3, "...")))
		snprintf(ids + used, len - used, "%s...", used ? " " : "");
}

static int clear_visit(struct mg_rec_file *f, void *arg)
{
	struct clear *c = arg;
	int err;

	if (!f->quarantines || !mg_module_name_eq(f->rec.module, c->module))
		return 0;
	err = mg_rec_move(c->from, f->name, c->to);
	if (err) {
		mg_err("records: cannot clear %s: %s", f->rec.id, strerror(-err));
		return err;
	}
	c->moved++;
	add_id(c->ids, c->len, f->rec.id);
	mg_info("records: %s cleared from the quarantine of %s", f->rec.id,
		c->module);
	return 0;
}

/* the names in cleared/ are made durable before the old ones go */
static int clear_folder(const char *state_dir, enum mg_rec_folder folder,
			struct clear *c)
{
	int err, from = mg_rec_open_dir(state_dir, folder, 0);

	if (from == -ENOENT)
		return 0;
	if (from < 0)
		return from;
	c->from = from;
	c->moved = 0;
	err = mg_rec_scan(state_dir, folder, 0, clear_visit, c, NULL);
	if (c->moved && fsync(c->to) < 0 && !err)
		err = -errno;
	if (c->moved && fsync(from) < 0 && !err)
		err = -errno;
	close(from);
	return err;
}

int mg_records_clear_quarantine(const char *state_dir, const char *module,
				char *cleared_ids, size_t len)
{
	struct clear c = { .module = module, .ids = cleared_ids, .len = len };
	int total = 0, err = 0;

	if (cleared_ids && len)
		cleared_ids[0] = '\0';
	if (!mg_module_name_valid(module))
		return -EINVAL;
	c.to = mg_rec_open_dir(state_dir, MG_REC_CLEARED, 1);
	if (c.to < 0)
		return c.to;
	for (int f = MG_REC_MAIN; !err && f <= MG_REC_STALE; f++) {
		err = clear_folder(state_dir, f, &c);
		total += c.moved;
	}
	close(c.to);
	return err ? err : total;
}
