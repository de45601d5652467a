// SPDX-License-Identifier: GPL-2.0
/*
 * What modguardd reads from and writes to the kernel-side ledger
 * (bpf/maps.bpf.h): copies of the hash maps, the callback ledger, open
 * files, in-flight callers, stack counts, statistics and mg_config.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf_internal.h"
#include "clock.h"
#include "log.h"

/*
 * A copy of every entry of a hash map: the ksz-byte keys at keys + i * ksz,
 * the vsz-byte values at vals + i * vsz.  Entries deleted during the walk
 * are left out.  A deleted key makes the kernel's walk start over
 * (htab_map_get_next_key()), so a map that changes fast can list a key
 * twice: the walk is bounded, and callers that care drop duplicates.  The
 * caller frees both.
 */
static int map_copy(const struct bpf_map *map, size_t ksz, void **keys,
		    void **vals, size_t vsz, size_t *n)
{
	int fd = bpf_map__fd(map);
	size_t cap = 64, cnt = 0, steps = 0;
	size_t max_steps = 4 * (size_t)bpf_map__max_entries(map) + 64;
	char *k = malloc(cap * ksz), *v = malloc(cap * vsz);
	uint64_t key[2] = { 0 }, next[2] = { 0 }; /* keys of up to 16 bytes */
	void *prev = NULL;

	if (!k || !v || ksz > sizeof(key))
		goto nomem;
	while (steps++ < max_steps && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		if (cnt == cap) {
			char *k2 = realloc(k, 2 * cap * ksz), *v2;

			if (!k2)
				goto nomem;
			k = k2;
			v2 = realloc(v, 2 * cap * vsz);
			if (!v2)
				goto nomem;
			v = v2;
			cap *= 2;
		}
		if (bpf_map_lookup_elem(fd, key, v + cnt * vsz))
			continue; /* deleted meanwhile */
		memcpy(k + cnt * ksz, key, ksz);
		cnt++;
	}
	*keys = k;
	*vals = v;
	*n = cnt;
	return 0;
nomem:
	free(k);
	free(v);
	return -ENOMEM;
}

/* the same for a map with 8-byte keys */
static int map_dump(const struct bpf_map *map, uint64_t **keys, void **vals,
		    size_t vsz, size_t *n)
{
	return map_copy(map, sizeof(**keys), (void **)keys, vals, vsz, n);
}

int mg_bpf_reg_name(struct mg_bpf *b, uint64_t obj, char *buf, size_t len)
{
	struct mg_reg_name n;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_reg_names), &obj,
				&n))
		return -ENOENT;
	snprintf(buf, len, "%.*s", (int)sizeof(n.name), n.name);
	return 0;
}

/*
 * A dump this soon after a settle takes the settle's walk instead of a
 * second one: the 65,536 buckets of mg_armed are most of a report's fixed
 * cost.  The same snapshot a dump a few ms later would be, give or take
 * what was armed in between (the leftovers of an unload are decided at
 * module_free by the BPF side, not from this).
 */
#define MG_ARMED_SNAPSHOT_NS (100 * 1000000ull)

void mg_bpf_armed_snapshot_end(struct mg_bpf *b)
{
	if (!b)
		return;
	free(b->armed_objs);
	free(b->armed_infos);
	b->armed_objs = NULL;
	b->armed_infos = NULL;
	b->narmed = 0;
	b->armed_at = 0;
}

int mg_bpf_armed(struct mg_bpf *b, uint64_t **objs, struct mg_armed_info **infos,
		 size_t *n)
{
	uint64_t now = mg_clock_ns(CLOCK_MONOTONIC);

	if (b->armed_at && now - b->armed_at < MG_ARMED_SNAPSHOT_NS) {
		size_t k = b->narmed ? b->narmed : 1;

		*objs = malloc(k * sizeof(**objs));
		*infos = malloc(k * sizeof(**infos));
		if (!*objs || !*infos) {
			free(*objs);
			free(*infos);
			*objs = NULL;
			*infos = NULL;
			return -ENOMEM;
		}
		memcpy(*objs, b->armed_objs, b->narmed * sizeof(**objs));
		memcpy(*infos, b->armed_infos, b->narmed * sizeof(**infos));
		*n = b->narmed;
		return 0;
	}
	return map_dump(b->skel->maps.mg_armed, objs,
			(void **)infos, sizeof(**infos), n);
}

struct settle {
	struct mg_bpf *b;
	int map_fd;
	int dropped;
	size_t cap;
	int oom;
};

/* drop what the iterator says settled, keep the rest as the snapshot */
static int drop_settled(const void *recs, size_t n, void *ctx)
{
	const struct mg_armed_rec *r = recs;
	struct settle *s = ctx;
	struct mg_bpf *b = s->b;

	for (size_t i = 0; i < n; i++) {
		if (r[i].settled) {
			if (!bpf_map_delete_elem(s->map_fd, &r[i].obj))
				s->dropped++;
			continue;
		}
		if (s->oom)
			continue;
		if (b->narmed == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 64;
			uint64_t *o = realloc(b->armed_objs, cap * sizeof(*o));
			struct mg_armed_info *in;

			if (o)
				b->armed_objs = o;
			in = o ? realloc(b->armed_infos, cap * sizeof(*in)) : NULL;
			if (!in) {
				s->oom = 1;
				continue;
			}
			b->armed_infos = in;
			s->cap = cap;
		}
		b->armed_objs[b->narmed] = r[i].obj;
		b->armed_infos[b->narmed++] = r[i].info;
	}
	return 0;
}

int mg_bpf_settle_armed(struct mg_bpf *b)
{
	struct settle s = { .b = b, .map_fd = bpf_map__fd(b->skel->maps.mg_armed) };
	union bpf_iter_link_info linfo = { .map.map_fd = s.map_fd };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &linfo,
		    .link_info_len = sizeof(linfo));
	uint64_t t0 = mg_clock_ns(CLOCK_MONOTONIC);
	int err;

	mg_bpf_armed_snapshot_end(b);
	err = mg_bpf_iter_read(b->skel->progs.mg_check_armed, &opts,
			       "callback ledger", sizeof(struct mg_armed_rec),
			       drop_settled, &s);
	/* a walk cut short or out of memory: the next dump walks again */
	if (!err && !s.oom)
		b->armed_at = t0;
	else
		mg_bpf_armed_snapshot_end(b);
	return err ? err : s.dropped;
}

/* ledger entries of mod armed before "before" (ns, bpf_ktime) */
static void forget_armed(struct mg_bpf *b, uint64_t mod, uint64_t before)
{
	struct mg_armed_info *infos;
	uint64_t *objs;
	size_t n;

	/* entries go: the settle's snapshot would list them */
	mg_bpf_armed_snapshot_end(b);
	if (mg_bpf_armed(b, &objs, &infos, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (infos[i].mod == mod && infos[i].ts_ns < before)
			bpf_map_delete_elem(bpf_map__fd(b->skel->maps.mg_armed),
					    &objs[i]);
	free(objs);
	free(infos);
}

static void forget_pages(int fd, uint64_t mod, uint64_t start, uint64_t size)
{
	uint64_t page, owner;

	if (!size)
		return;
	for (page = start >> MG_PAGE_SHIFT;
	     page <= (start + size - 1) >> MG_PAGE_SHIFT; page++) {
		/* a newer module may have the page now: leave it alone */
		if (!bpf_map_lookup_elem(fd, &page, &owner) && owner == mod)
			bpf_map_delete_elem(fd, &page);
	}
}

void mg_bpf_forget_module(struct mg_bpf *b, uint64_t mod)
{
	struct mg_module_info info;
	int fd = bpf_map__fd(b->skel->maps.mg_modules);
	uint64_t before = UINT64_MAX;

	/*
	 * The kernel side is ahead of the events: a module loaded at the same
	 * address since (a quick reload lands there) owns the address's pages
	 * and info now.  Then only what the old one armed goes.
	 */
	if (!bpf_map_lookup_elem(fd, &mod, &info)) {
		if (info.state == MG_MOD_GONE) {
			forget_pages(bpf_map__fd(b->skel->maps.mg_text_pages), mod,
				     info.text_start, info.text_size);
			forget_pages(bpf_map__fd(b->skel->maps.mg_init_pages), mod,
				     info.init_start, info.init_size);
			bpf_map_delete_elem(fd, &mod);
		} else {
			before = info.load_ns;
		}
	}
	forget_armed(b, mod, before);
}

int mg_bpf_module_reused(struct mg_bpf *b, uint64_t mod)
{
	struct mg_module_info info;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_modules), &mod,
				&info))
		return 0;
	return info.state != MG_MOD_GONE;
}

/* mg_config is written whole: read, change a field, write back */
static struct mg_config config_read(struct mg_bpf *b)
{
	struct mg_config c = { 0 };
	uint32_t zero = 0;

	bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_config), &zero, &c);
	return c;
}

static int config_write(struct mg_bpf *b, const struct mg_config *c)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.mg_config), &zero, c,
				BPF_ANY))
		return -errno;
	return 0;
}

int mg_config_set_enforcing(struct mg_bpf *b, int on)
{
	struct mg_config c = config_read(b);

	c.enforcing = !!on;
	return config_write(b, &c);
}

void mg_bpf_wake_on_refs(struct mg_bpf *b, int on)
{
	struct mg_config c = config_read(b);

	c.wake_on_refs = !!on;
	config_write(b, &c);
}

int64_t mg_bpf_inflight(struct mg_bpf *b, uint64_t mod)
{
	int64_t v = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_inflight), &mod, &v))
		return 0;
	return v > 0 ? v : 0;
}

int mg_bpf_open_files(struct mg_bpf *b, uint64_t mod, struct mg_open_file **out,
		      size_t *n)
{
	struct mg_open_file *v;
	uint64_t *files;
	size_t all, cnt = 0;
	int64_t total = 0;
	uint32_t zero = 0;
	int err;

	/*
	 * Walking the map's 16,384 buckets costs more than the rest of a
	 * report; its count says when there is nothing in it (the BPF side
	 * keeps both in the same step, open_files.bpf.c)
	 */
	if (!bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_open_total),
				 &zero, &total) && total <= 0) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	err = map_dump(b->skel->maps.mg_open_files, &files,
		       (void **)&v, sizeof(*v), &all);
	if (err)
		return err;
	free(files);
	for (size_t i = 0; i < all; i++)
		if (v[i].mod == mod)
			v[cnt++] = v[i];
	*out = v;
	*n = cnt;
	return 0;
}

/* is tid among the first n of t (a walk that started over lists it twice)? */
static int listed(const uint32_t *t, size_t n, uint32_t tid)
{
	for (size_t j = 0; j < n; j++)
		if (t[j] == tid)
			return 1;
	return 0;
}

static int calls_into(const struct mg_thread_calls *c, uint64_t mod)
{
	for (int j = 0; j < MG_THREAD_MODS; j++)
		if (c->mod[j] == mod && c->depth[j])
			return 1;
	return 0;
}

int mg_bpf_callers(struct mg_bpf *b, uint64_t mod, uint32_t **tids,
		   struct mg_thread_calls **calls, size_t *n)
{
	struct mg_thread_calls *c;
	uint32_t *t;
	size_t all, cnt = 0;
	int err;

	/* no call counted into mod (its mg_inflight word): no walk */
	if (!mg_bpf_inflight(b, mod)) {
		*tids = NULL;
		*calls = NULL;
		*n = 0;
		return 0;
	}
	err = map_copy(b->skel->maps.mg_thread_calls, sizeof(*t), (void **)&t,
		       (void **)&c, sizeof(*c), &all);
	if (err)
		return err;
	for (size_t i = 0; i < all; i++) {
		if (listed(t, cnt, t[i]) || !calls_into(&c[i], mod))
			continue;
		t[cnt] = t[i];
		c[cnt++] = c[i];
	}
	*tids = t;
	*calls = c;
	*n = cnt;
	return 0;
}

void mg_bpf_set_stack_busy(struct mg_bpf *b, uint64_t mod, uint32_t tasks)
{
	int fd = bpf_map__fd(b->skel->maps.mg_stack_busy);

	if (tasks)
		bpf_map_update_elem(fd, &mod, &tasks, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &mod);
}

int mg_bpf_stat(struct mg_bpf *b, enum mg_stat which, uint64_t *out)
{
	int fd = bpf_map__fd(b->skel->maps.mg_stats);
	int ncpu = libbpf_num_possible_cpus();
	uint32_t key = which;
	uint64_t *vals;
	int err = 0;

	*out = 0;
	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals))
		err = -errno;
	for (int c = 0; !err && c < ncpu; c++)
		*out += vals[c];
	free(vals);
	return err;
}

int mg_bpf_stats(struct mg_bpf *b, uint64_t out[MG_STAT_MAX])
{
	for (int i = 0; i < MG_STAT_MAX; i++)
		if (mg_bpf_stat(b, i, &out[i]) == -ENOMEM)
			return -ENOMEM;
	return 0;
}

void mg_bpf_mark_listener(struct mg_bpf *b, int fd)
{
	uint32_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.mg_listener), &fd,
				&one, BPF_ANY))
		mg_dbg("bpf: cannot mark the listening socket: %s; clients' "
		       "capabilities are unknown", strerror(errno));
}

int mg_bpf_peer_cred(struct mg_bpf *b, int fd, struct mg_peer_cred *out)
{
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_peer_creds), &fd,
				out))
		return -errno;
	return 0;
}
