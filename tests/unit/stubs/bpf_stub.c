// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF layer (bpf_loader.h, task_scan.h) over fake data: see
 * bpf_stub.h.  Linked instead of user/daemon/bpf_*.o and task_scan.o.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bpf_stub.h"
#include "held_refs.h"
#include "ksym_iter.h"
#include "holder_scan.h"
#include "task_scan.h"

struct mg_stub mg_stub;

struct mg_bpf {
	mg_event_fn fn;
	void *ctx;
	int keep_pins;
};

/*
 * The ring buffer's fd: an eventfd, readable while events are queued, so
 * that an event loop wakes up for them as it would for the real ring.
 */
static int ring_fd = -1;

static void ring_signal(void)
{
	uint64_t one = 1;

	if (ring_fd >= 0 && write(ring_fd, &one, sizeof(one)) < 0)
		abort();
}

static void ring_clear(void)
{
	uint64_t n;

	if (ring_fd >= 0 && read(ring_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		abort();
}

/* --- the test's side ------------------------------------------------ */

static void set_comm(char *dst, const char *comm)
{
	strncpy(dst, comm ? comm : "", MG_COMM_LEN - 1);
	dst[MG_COMM_LEN - 1] = '\0';
}

struct mg_armed_info *mg_stub_arm(uint64_t obj, uint64_t mod, uint32_t kind,
				  uint64_t func)
{
	size_t i = mg_stub.narmed;
	struct mg_armed_info *a;

	if (i >= MG_STUB_MAX)
		abort();
	mg_stub.narmed++;
	a = &mg_stub.armed[i];
	memset(a, 0, sizeof(*a));
	mg_stub.armed_obj[i] = obj;
	mg_stub.armed_settles[i] = 0;
	a->mod = mod;
	a->kind = kind;
	a->func = func;
	return a;
}

static void armed_drop(size_t i)
{
	size_t rest = mg_stub.narmed - i - 1;

	memmove(&mg_stub.armed_obj[i], &mg_stub.armed_obj[i + 1],
		rest * sizeof(mg_stub.armed_obj[0]));
	memmove(&mg_stub.armed[i], &mg_stub.armed[i + 1],
		rest * sizeof(mg_stub.armed[0]));
	memmove(&mg_stub.armed_settles[i], &mg_stub.armed_settles[i + 1],
		rest * sizeof(mg_stub.armed_settles[0]));
	mg_stub.narmed--;
}

int mg_stub_disarm(uint64_t obj)
{
	for (size_t i = 0; i < mg_stub.narmed; i++) {
		if (mg_stub.armed_obj[i] == obj) {
			armed_drop(i);
			return 0;
		}
	}
	return -ENOENT;
}

void mg_stub_mark_left(uint64_t mod)
{
	for (size_t i = 0; i < mg_stub.narmed; i++)
		if (mg_stub.armed[i].mod == mod)
			mg_stub.armed[i].flags |= MG_ARMF_LEFT;
}

struct mg_open_file *mg_stub_open_file(uint64_t mod, uint64_t func,
				       uint32_t dev)
{
	struct mg_open_file *f;

	if (mg_stub.nfiles >= MG_STUB_MAX)
		abort();
	f = &mg_stub.files[mg_stub.nfiles++];
	memset(f, 0, sizeof(*f));
	f->mod = mod;
	f->func = func;
	f->dev = dev;
	return f;
}

struct mg_thread_calls *mg_stub_caller(uint32_t tid, uint64_t mod)
{
	size_t i = mg_stub.ncallers;
	struct mg_thread_calls *c;

	if (i >= MG_STUB_MAX)
		abort();
	mg_stub.ncallers++;
	c = &mg_stub.callers[i];
	memset(c, 0, sizeof(*c));
	mg_stub.caller_tids[i] = tid;
	c->mod[0] = mod;
	c->depth[0] = 1;
	c->tgid = tid;
	return c;
}

void mg_stub_set_inflight(uint64_t mod, int64_t n)
{
	for (size_t i = 0; i < mg_stub.ninflight; i++) {
		if (mg_stub.inflight_mod[i] == mod) {
			mg_stub.inflight[i] = n;
			return;
		}
	}
	if (mg_stub.ninflight >= MG_STUB_MAX)
		abort();
	mg_stub.inflight_mod[mg_stub.ninflight] = mod;
	mg_stub.inflight[mg_stub.ninflight++] = n;
}

struct mg_task_record *mg_stub_task(uint32_t pid, const char *comm,
				    uint64_t mod, uint64_t frame)
{
	struct mg_task_record *t;

	if (mg_stub.ntasks >= MG_STUB_MAX)
		abort();
	t = &mg_stub.tasks[mg_stub.ntasks++];
	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = pid;
	set_comm(t->comm, comm);
	t->mod = mod;
	t->frame = frame;
	if (frame) {
		t->stack[0] = frame;
		t->nstack = 1;
	}
	return t;
}

void mg_stub_set_reused(uint64_t mod)
{
	if (mg_stub.nreused >= MG_STUB_MAX)
		abort();
	mg_stub.reused[mg_stub.nreused++] = mod;
}

void mg_stub_queue(const struct mg_event *e)
{
	if (mg_stub.nqueue >= MG_STUB_MAX)
		abort();
	mg_stub.queue[mg_stub.nqueue++] = *e;
	ring_signal();
}

int64_t mg_stub_busy_of(uint64_t mod)
{
	for (size_t i = 0; i < mg_stub.nbusy; i++)
		if (mg_stub.busy_mod[i] == mod)
			return mg_stub.busy[i];
	return -1;
}

int mg_stub_forgot(uint64_t mod)
{
	for (size_t i = 0; i < mg_stub.nforgotten; i++)
		if (mg_stub.forgotten[i] == mod)
			return 1;
	return 0;
}

/* --- bpf_loader.h ---------------------------------------------------- */

int mg_bpf_start(struct mg_bpf **out, const char *kallsyms, int enforce,
		 const char *pin_dir, mg_event_fn fn, void *ctx)
{
	struct mg_bpf *b = calloc(1, sizeof(*b));

	(void)kallsyms;
	(void)pin_dir;
	if (!b)
		return -ENOMEM;
	b->fn = fn;
	b->ctx = ctx;
	mg_stub.started++;
	mg_stub.caps.lifecycle = 1;
	if (!enforce && !mg_stub.caps.advisory_reason[0])
		strcpy(mg_stub.caps.advisory_reason, "--advisory was given");
	*out = b;
	return 0;
}

void mg_bpf_keep_pins(struct mg_bpf *b, int keep)
{
	b->keep_pins = keep;
}

int mg_bpf_watch_entry(struct mg_bpf *b, uint64_t mod, uint64_t func)
{
	(void)b;
	if (mg_stub.nentries >= MG_STUB_MAX)
		return -ENOSPC;
	mg_stub.entry_mod[mg_stub.nentries] = mod;
	mg_stub.entry_func[mg_stub.nentries++] = func;
	return 0;
}

void mg_bpf_unwatch_entries(struct mg_bpf *b, uint64_t mod)
{
	(void)b;
	if (mg_stub.nunwatched < MG_STUB_MAX)
		mg_stub.unwatched[mg_stub.nunwatched++] = mod;
}

int mg_bpf_module_reused(struct mg_bpf *b, uint64_t mod)
{
	(void)b;
	for (size_t i = 0; i < mg_stub.nreused; i++)
		if (mg_stub.reused[i] == mod)
			return 1;
	return 0;
}

void mg_bpf_wake_on_refs(struct mg_bpf *b, int on)
{
	(void)b;
	mg_stub.wake_on_refs = !!on;
}

/* a malloc'd copy of n elements of size sz (NULL when n == 0) */
static int copy_out(const void *src, size_t n, size_t sz, void **out)
{
	*out = NULL;
	if (!n)
		return 0;
	*out = malloc(n * sz);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, src, n * sz);
	return 0;
}

int mg_bpf_callers(struct mg_bpf *b, uint64_t mod, uint32_t **tids,
		   struct mg_thread_calls **calls, size_t *n)
{
	size_t cnt = 0;

	(void)b;
	*tids = NULL;
	*calls = NULL;
	*n = 0;
	if (mg_stub.callers_err)
		return mg_stub.callers_err;
	*tids = calloc(MG_STUB_MAX, sizeof(**tids));
	*calls = calloc(MG_STUB_MAX, sizeof(**calls));
	if (!*tids || !*calls) {
		free(*tids);
		free(*calls);
		return -ENOMEM;
	}
	for (size_t i = 0; i < mg_stub.ncallers; i++) {
		const struct mg_thread_calls *c = &mg_stub.callers[i];
		int inside = 0;

		for (int j = 0; j < MG_THREAD_MODS; j++)
			inside |= c->mod[j] == mod && c->depth[j];
		if (!inside)
			continue;
		(*tids)[cnt] = mg_stub.caller_tids[i];
		(*calls)[cnt++] = *c;
	}
	*n = cnt;
	return 0;
}

int64_t mg_bpf_inflight(struct mg_bpf *b, uint64_t mod)
{
	(void)b;
	for (size_t i = 0; i < mg_stub.ninflight; i++)
		if (mg_stub.inflight_mod[i] == mod)
			return mg_stub.inflight[i] > 0 ? mg_stub.inflight[i] : 0;
	return 0;
}

int mg_bpf_open_files(struct mg_bpf *b, uint64_t mod, struct mg_open_file **out,
		      size_t *n)
{
	struct mg_open_file mine[MG_STUB_MAX];
	size_t cnt = 0;
	int err;

	(void)b;
	*out = NULL;
	*n = 0;
	if (mg_stub.files_err)
		return mg_stub.files_err;
	for (size_t i = 0; i < mg_stub.nfiles; i++)
		if (mg_stub.files[i].mod == mod)
			mine[cnt++] = mg_stub.files[i];
	/* the real one hands out a buffer even for no files */
	err = copy_out(mine, cnt ? cnt : 1, sizeof(mine[0]), (void **)out);
	if (!err)
		*n = cnt;
	return err;
}

void mg_bpf_set_stack_busy(struct mg_bpf *b, uint64_t mod, uint32_t tasks)
{
	(void)b;
	for (size_t i = 0; i < mg_stub.nbusy; i++) {
		if (mg_stub.busy_mod[i] == mod) {
			mg_stub.busy[i] = tasks;
			return;
		}
	}
	if (mg_stub.nbusy >= MG_STUB_MAX)
		return;
	mg_stub.busy_mod[mg_stub.nbusy] = mod;
	mg_stub.busy[mg_stub.nbusy++] = tasks;
}

int mg_bpf_scan_modules(struct mg_bpf *b)
{
	(void)b;
	return 0;
}

int mg_bpf_ringbuf_fd(struct mg_bpf *b)
{
	(void)b;
	if (ring_fd < 0) {
		ring_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (ring_fd < 0)
			abort();
		if (mg_stub.nqueue)
			ring_signal();
	}
	return ring_fd;
}

int mg_bpf_consume(struct mg_bpf *b)
{
	int n = 0;

	mg_stub.consume_calls++;
	/* one at a time: a callback may queue more, or consume again */
	while (mg_stub.nqueue) {
		struct mg_event e = mg_stub.queue[0];

		memmove(&mg_stub.queue[0], &mg_stub.queue[1],
			--mg_stub.nqueue * sizeof(mg_stub.queue[0]));
		if (b && b->fn)
			b->fn(&e, b->ctx);
		n++;
	}
	ring_clear();
	return n;
}

int mg_bpf_reg_name(struct mg_bpf *b, uint64_t obj, char *buf, size_t len)
{
	(void)b;
	for (size_t i = 0; i < mg_stub.narmed; i++)
		if (mg_stub.armed_obj[i] == obj && mg_stub.reg_names[i][0]) {
			snprintf(buf, len, "%s", mg_stub.reg_names[i]);
			return 0;
		}
	return -ENOENT;
}

int mg_bpf_armed(struct mg_bpf *b, uint64_t **objs, struct mg_armed_info **infos,
		 size_t *n)
{
	int err;

	(void)b;
	*objs = NULL;
	*infos = NULL;
	*n = 0;
	if (mg_stub.armed_err)
		return mg_stub.armed_err;
	err = copy_out(mg_stub.armed_obj, mg_stub.narmed,
		       sizeof(mg_stub.armed_obj[0]), (void **)objs);
	if (!err)
		err = copy_out(mg_stub.armed, mg_stub.narmed,
			       sizeof(mg_stub.armed[0]), (void **)infos);
	if (err) {
		free(*objs);
		*objs = NULL;
		return err;
	}
	*n = mg_stub.narmed;
	return 0;
}

int mg_bpf_settle_armed(struct mg_bpf *b)
{
	int dropped = 0;

	(void)b;
	mg_stub.settle_calls++;
	for (size_t i = mg_stub.narmed; i-- > 0;) {
		if (mg_stub.armed_settles[i]) {
			armed_drop(i);
			dropped++;
		}
	}
	return dropped;
}

void mg_bpf_armed_snapshot_end(struct mg_bpf *b)
{
	(void)b;
	mg_stub.snapshot_ends++;
}

void mg_bpf_forget_module(struct mg_bpf *b, uint64_t mod)
{
	(void)b;
	if (mg_stub.nforgotten < MG_STUB_MAX)
		mg_stub.forgotten[mg_stub.nforgotten++] = mod;
	for (size_t i = mg_stub.narmed; i-- > 0;)
		if (mg_stub.armed[i].mod == mod)
			armed_drop(i);
}

int mg_bpf_watch(struct mg_bpf *b, const uint32_t *pids, size_t n)
{
	(void)b;
	mg_stub.watch_calls++;
	if (n > sizeof(mg_stub.watched) / sizeof(mg_stub.watched[0]))
		n = sizeof(mg_stub.watched) / sizeof(mg_stub.watched[0]);
	if (n)
		memcpy(mg_stub.watched, pids, n * sizeof(*pids));
	mg_stub.nwatched = n;
	if (n > mg_stub.watched_most)
		mg_stub.watched_most = n;
	return 0;
}

int mg_bpf_stats(struct mg_bpf *b, uint64_t out[MG_STAT_MAX])
{
	(void)b;
	memcpy(out, mg_stub.stats, sizeof(mg_stub.stats));
	return 0;
}

const struct mg_bpf_caps *mg_bpf_caps(struct mg_bpf *b)
{
	(void)b;
	return &mg_stub.caps;
}

size_t mg_bpf_groups(struct mg_bpf *b, const struct mg_group_status **out)
{
	(void)b;
	*out = mg_stub.groups;
	return mg_stub.ngroups;
}

int mg_bpf_iter_read(struct bpf_program *prog,
		     const struct bpf_iter_attach_opts *opts, const char *what,
		     size_t rec_size,
		     int (*on_recs)(const void *recs, size_t n, void *ctx),
		     void *ctx)
{
	(void)prog;
	(void)opts;
	(void)what;
	(void)rec_size;
	(void)on_recs;
	(void)ctx;
	return -EOPNOTSUPP;
}

struct modguard_bpf *mg_bpf_skel(struct mg_bpf *b)
{
	(void)b;
	return NULL;
}

void mg_bpf_stop(struct mg_bpf *b)
{
	if (!b)
		return;
	mg_stub.stopped++;
	if (ring_fd >= 0)
		close(ring_fd);
	ring_fd = -1;
	free(b);
}

/* --- task_scan.h ----------------------------------------------------- */

int mg_task_scan(struct mg_bpf *b, struct mg_task_record **recs, size_t *n)
{
	int err;

	(void)b;
	mg_stub.scan_calls++;
	*recs = NULL;
	*n = 0;
	if (mg_stub.scan_err)
		return mg_stub.scan_err;
	err = copy_out(mg_stub.tasks, mg_stub.ntasks, sizeof(mg_stub.tasks[0]),
		       (void **)recs);
	if (!err)
		*n = mg_stub.ntasks;
	return err;
}

void mg_bpf_mark_listener(struct mg_bpf *b, int fd)
{
	(void)b;
	mg_stub.listener_fd = fd;
}

/* every connection gets mg_stub.peer_cred (valid == 0: none recorded) */
int mg_bpf_peer_cred(struct mg_bpf *b, int fd, struct mg_peer_cred *out)
{
	(void)b;
	(void)fd;
	if (!mg_stub.peer_cred.valid)
		return -ENOENT;
	*out = mg_stub.peer_cred;
	return 0;
}

int mg_bpf_stat(struct mg_bpf *b, enum mg_stat which, uint64_t *out)
{
	(void)b;
	*out = which < MG_STAT_MAX ? mg_stub.stats[which] : 0;
	return 0;
}

int mg_holder_scan(struct mg_bpf *b, struct mg_scan_holder **recs, size_t *n)
{
	int err;

	(void)b;
	mg_stub.holder_scan_calls++;
	*recs = NULL;
	*n = 0;
	if (mg_stub.holder_scan_err)
		return mg_stub.holder_scan_err;
	err = copy_out(mg_stub.holders, mg_stub.nholders,
		       sizeof(mg_stub.holders[0]), (void **)recs);
	if (!err)
		*n = mg_stub.nholders;
	return err;
}

int mg_held_refs_scan(struct mg_bpf *b, struct mg_ref_event **recs, size_t *n)
{
	int err;

	(void)b;
	mg_stub.held_scan_calls++;
	*recs = NULL;
	*n = 0;
	if (mg_stub.held_scan_err)
		return mg_stub.held_scan_err;
	err = copy_out(mg_stub.held, mg_stub.nheld, sizeof(mg_stub.held[0]),
		       (void **)recs);
	if (!err)
		*n = mg_stub.nheld;
	return err;
}

/* --- map_memory.h ---------------------------------------------------- */

int mg_map_memory_list(struct mg_bpf *b, struct mg_map_memory **maps,
		       size_t *n, uint64_t *total)
{
	int err;

	(void)b;
	*maps = NULL;
	*n = 0;
	*total = 0;
	if (mg_stub.maps_err)
		return mg_stub.maps_err;
	err = copy_out(mg_stub.maps, mg_stub.nmaps, sizeof(mg_stub.maps[0]),
		       (void **)maps);
	if (err)
		return err;
	*n = mg_stub.nmaps;
	for (size_t i = 0; i < *n; i++)
		if (mg_stub.maps[i].known)
			*total += mg_stub.maps[i].bytes;
	return 0;
}

/* off unless a test turns it on: then the symbols come from mg_stub.ksyms */
int mg_ksym_iter_modules(struct mg_bpf *b, const uint64_t *mods, size_t n,
			 int (*fn)(const struct mg_ksym *s, void *ctx),
			 void *ctx)
{
	(void)b;
	(void)mods;
	(void)n;
	if (!mg_stub.ksym_on)
		return -ENOSYS;
	mg_stub.ksym_calls++;
	for (size_t i = 0; i < mg_stub.nksyms; i++) {
		struct mg_ksym s = {
			.addr = mg_stub.ksyms[i].addr,
			.type = mg_stub.ksyms[i].type,
			.name = mg_stub.ksyms[i].name,
			.module = mg_stub.ksyms[i].module,
		};
		int err = fn(&s, ctx);

		if (err)
			return err;
	}
	return mg_stub.ksym_err;
}
