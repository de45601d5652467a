// SPDX-License-Identifier: GPL-2.0
/* refusals' retention and the move from the flat layout; see records.h */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "records.h"
#include "records_internal.h"

#define DAY_NS (86400ULL * 1000000000ULL)

static const struct mg_records_policy defaults = {
	.keep_refusals = MG_RECORDS_KEEP_REFUSALS,
	.refusal_days = MG_RECORDS_REFUSAL_DAYS,
};
/* one store per daemon: the policy its init was given */
static struct mg_records_policy policy;
static int policy_set;

void mg_rec_policy_set(const struct mg_records_policy *p)
{
	policy = p ? *p : defaults;
	policy_set = 1;
}

const struct mg_records_policy *mg_rec_policy(void)
{
	return policy_set ? &policy : NULL;
}

/* 1: too old; 0: a name without a time, never too old; -1: new enough */
static int too_old(const char *name, const struct mg_records_policy *p,
		   uint64_t now)
{
	char id[sizeof(((struct mg_unload_record *)0)->id)];
	char module[MG_MODULE_NAME_LEN];
	size_t len = strlen(name) - strlen(MG_REC_SUFFIX);
	uint64_t t = 0;

	if (len >= sizeof(id))
		return 0;
	memcpy(id, name, len);
	id[len] = '\0';
	if (mg_record_id_parse(id, module, sizeof(module), &t) || !t)
		return 0;
	return now > t && now - t > (uint64_t)p->refusal_days * DAY_NS ? 1 : -1;
}

/*
 * Names sort by their time, oldest first: the first n - keep go, then the
 * too old until the first new enough one (all after it are newer).
 */
static int prune_names(int dfd, char **names, size_t n,
		       const struct mg_records_policy *p)
{
	size_t over = p->keep_refusals && n > p->keep_refusals ?
			      n - p->keep_refusals : 0;
	uint64_t now = mg_clock_ns(CLOCK_REALTIME);
	int removed = 0, err = 0, age = p->refusal_days != 0;

	for (size_t i = 0; i < n && (i < over || age); i++) {
		int old = i < over || !age ? 1 : too_old(names[i], p, now);

		if (old < 0)
			break;
		if (!old)
			continue;
		if (!unlinkat(dfd, names[i], 0))
			removed++;
		else if (errno != ENOENT && !err)
			err = -errno;
	}
	if (removed && fsync(dfd) < 0 && !err)
		err = -errno;
	return err ? err : removed;
}

int mg_records_prune(const char *state_dir,
		     const struct mg_records_policy *p)
{
	char path[PATH_MAX], **names;
	size_t n;
	int dfd, err;

	/* only ever the refusals' folder: the quarantine is never pruned */
	dfd = mg_rec_open_list(state_dir, MG_REC_REFUSED, 0, path,
			       sizeof(path), &names, &n, NULL);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	err = prune_names(dfd, names, n, p ? p : &defaults);
	mg_rec_names_free(names, n);
	close(dfd);
	return err;
}

/* the flat layout */

struct migrate {
	int from;
	int to[MG_REC_NFOLDERS];
	int moved[MG_REC_NFOLDERS];
};

static enum mg_rec_folder new_home(const struct mg_rec_file *f)
{
	if (f->skip) /* damaged, but its first line says "refused" */
		return MG_REC_REFUSED;
	if (f->rec.damaged)
		return MG_REC_MAIN;
	if (!strcmp(f->rec.outcome, "stale"))
		return MG_REC_STALE;
	if (!strcmp(f->rec.outcome, "refused"))
		return MG_REC_REFUSED;
	return MG_REC_MAIN;
}

static int migrate_visit(struct mg_rec_file *f, void *arg)
{
	struct migrate *m = arg;
	enum mg_rec_folder to = new_home(f);
	int err;

	if (to == MG_REC_MAIN)
		return 0;
	/* one that cannot move still counts where it is */
	err = mg_rec_move(m->from, f->name, m->to[to]);
	if (err)
		mg_warn("records: cannot move %s into %s/: %s", f->name,
			mg_rec_folder_name[to], strerror(-err));
	else
		m->moved[to]++;
	return 0;
}

static void migrate_sync(struct migrate *m)
{
	int total = 0;

	/* the new names are made durable before the old ones go */
	for (int f = MG_REC_STALE; f < MG_REC_NFOLDERS; f++) {
		total += m->moved[f];
		if (m->moved[f] && fsync(m->to[f]) < 0)
			mg_warn("records: cannot fsync %s/: %s",
				mg_rec_folder_name[f], strerror(errno));
	}
	if (total && fsync(m->from) < 0)
		mg_warn("records: cannot fsync the records folder: %s",
			strerror(errno));
	if (total)
		mg_info("records: moved %d record%s of the flat layout into "
			"their folders", total, total == 1 ? "" : "s");
}

void mg_rec_migrate(const char *state_dir)
{
	struct migrate m = { .from = -1 };
	int err = 0;

	for (int f = 0; f < MG_REC_NFOLDERS; f++)
		m.to[f] = -1;
	m.from = mg_rec_open_dir(state_dir, MG_REC_MAIN, 0);
	for (int f = MG_REC_STALE; f <= MG_REC_REFUSED && m.from >= 0; f++)
		m.to[f] = mg_rec_open_dir(state_dir, f, 0);
	/* the folders a record can move to */
	if (m.from < 0)
		err = m.from;
	else if (m.to[MG_REC_STALE] < 0 || m.to[MG_REC_REFUSED] < 0)
		err = m.to[MG_REC_STALE] < 0 ? m.to[MG_REC_STALE] :
					       m.to[MG_REC_REFUSED];
	if (!err)
		err = mg_rec_scan(state_dir, MG_REC_MAIN, 0, migrate_visit, &m,
				  NULL);
	if (err)
		mg_warn("records: cannot move the flat layout into folders (%s): "
			"its records count where they are", strerror(-err));
	if (m.from >= 0)
		migrate_sync(&m);
	for (int f = 0; f < MG_REC_NFOLDERS; f++)
		if (m.to[f] >= 0)
			close(m.to[f]);
	if (m.from >= 0)
		close(m.from);
}
