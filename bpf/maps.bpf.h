/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-side ledger: maps shared by every BPF file of modguard.
 *
 * All the .bpf.c files in bpf/ are linked into one object (bpftool gen object), so
 * each map is defined once, in module_lifecycle.bpf.c (which defines
 * MG_DEFINE_MAPS), and declared extern everywhere else.
 */
#ifndef MODGUARD_MAPS_BPF_H
#define MODGUARD_MAPS_BPF_H

#include "modguard_abi.h"

#ifdef MG_DEFINE_MAPS
#define MG_MAP
#else
#define MG_MAP extern
#endif

/* struct module * -> what we know of it */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_MODULES);
	__type(key, __u64);
	__type(value, struct mg_module_info);
} mg_modules SEC(".maps");

/* page of module text (address >> MG_PAGE_SHIFT) -> struct module * */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_TEXT_PAGES);
	__type(key, __u64);
	__type(value, __u64);
} mg_text_pages SEC(".maps");

/* module name -> struct module *, for decisions that start from a name */
struct mg_name_key {
	char name[MG_MODULE_NAME_LEN];
};

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_MODULES);
	__type(key, struct mg_name_key);
	__type(value, __u64);
} mg_module_names SEC(".maps");

/*
 * Callers inside a module that the kernel does not count, for the
 * enforcement (bpf/enforce.bpf.c): entries through the owner-less
 * file_operations it registered, counted per thread from the entry kprobe
 * to the thread's return to user space (mg_inflight, written only by BPF), and tasks modguardd's last task scan
 * found inside (mg_stack_busy, written only by modguardd), so that neither
 * side ever overwrites the other's count.
 */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_MODULES);
	__type(key, __u64);
	__type(value, __s64);
} mg_inflight SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_MODULES);
	__type(key, __u64);
	__type(value, __u32);
} mg_stack_busy SEC(".maps");

/*
 * Who is making those calls: one struct mg_thread_calls per thread, and
 * how many threads have one, so that the system call hooks that end them
 * (bpf/inflight.bpf.c), which see every system call, stop at one array
 * read while nobody is inside.
 */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_THREAD_CALLS);
	__type(key, __u32);
	__type(value, struct mg_thread_calls);
} mg_thread_calls SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} mg_threads_inside SEC(".maps");

/*
 * thread id -> when it entered rcu_barrier() (bpf/registrations.bpf.c).
 * LRU: a thread that never frees a module (a kworker's barrier) leaves its
 * entry until it dies; the oldest go first, not the next unload's.
 */
struct mg_barrier {
	__u64 start_ns; /* bpf_ktime_get_ns() at entry */
	__u64 task;     /* the thread's struct task_struct * */
};

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mg_barrier);
} mg_barrier_start SEC(".maps");

/*
 * The same for srcu_barrier(): thread id -> when it entered, and on which
 * SRCU domain; and per queued SRCU callback (its rcu_head) the domain's
 * grace-period sequence at call_srcu(), to tell a completed one.  LRU: an
 * entry lost to eviction only means "pending until a barrier".
 */
struct mg_srcu_barrier {
	__u64 start_ns;
	__u64 task;
	__u64 ssp; /* the struct srcu_struct * */
};

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mg_srcu_barrier);
} mg_srcu_barrier_start SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} mg_srcu_gp_snap SEC(".maps");

/*
 * Owner-less char devices and the files open on them (bpf/open_files.bpf.c).
 * With .owner, an open file pins its module and rmmod is refused; without,
 * nothing does, and the next read() jumps into freed text.  So modguard
 * keeps the count the kernel does not: mg_chrdevs maps each device number
 * served by owner-less fops to its module (kept by the registration
 * kprobes), mg_open_files holds each file opened on one, and mg_guard
 * counts them per module (see MG_GUARD_UNLOADING).  mg_open_total lets
 * the file_free hook, which sees every file the system closes, stop at
 * one array read while nothing is tracked.
 */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_CHRDEVS);
	__type(key, __u32);
	__type(value, struct mg_chrdev);
} mg_chrdevs SEC(".maps");

/*
 * The majors that have ever had a number in mg_chrdevs, one bit each
 * (MAJOR() is 12 bits): lsm/file_open sees every open of every char
 * device, and most majors (/dev/null's, the ttys') never hold an
 * owner-less one, so one bit test spares the hash lookup.  Bits are never
 * cleared: a stale one only costs that lookup.
 */
#define MG_MAJOR_WORDS 64
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[MG_MAJOR_WORDS]);
} mg_chrdev_majors SEC(".maps");

static __always_inline __u64 *mg_major_word(__u32 dev)
{
	__u32 zero = 0, major = dev >> 20;
	__u64 *bits = bpf_map_lookup_elem(&mg_chrdev_majors, &zero);

	return bits ? &bits[(major >> 6) & (MG_MAJOR_WORDS - 1)] : NULL;
}

static __always_inline __u64 mg_major_bit(__u32 dev)
{
	return 1ull << ((dev >> 20) & 63);
}

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_OPEN_FILES);
	__type(key, __u64);
	__type(value, struct mg_open_file);
} mg_open_files SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_MODULES);
	__type(key, __u64);
	__type(value, __s64);
} mg_guard SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} mg_open_total SEC(".maps");

/*
 * page of init text -> struct module *, for naming where a module armed a
 * callback from its init function.  Only trusted while that module is
 * still COMING: init text is freed, and reused, once init returns.
 */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_INIT_PAGES);
	__type(key, __u64);
	__type(value, __u64);
} mg_init_pages SEC(".maps");

/* armed callback object (timer_list *, hrtimer *, ...) -> what and where */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_ARMED);
	__type(key, __u64);
	__type(value, struct mg_armed_info);
} mg_armed SEC(".maps");

/*
 * Lowest and highest module text address ever seen: the first, cheapest
 * test every always-on program makes, so the rest of the kernel costs two
 * compares.  An array, not a global, because globals do not link across
 * BPF objects as simply as maps do.
 */
struct mg_text_bounds {
	__u64 lo;
	__u64 hi;
	__u64 gen; /* bumped whenever module text is mapped (task_scan.bpf.c) */
};

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_text_bounds);
} mg_bounds SEC(".maps");

/* struct mg_config (modguard_abi.h): modguardd's run-time switches */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_config);
} mg_config SEC(".maps");

static __always_inline struct mg_config *mg_get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mg_config, &zero);
}

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} mg_stats SEC(".maps");

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MG_RINGBUF_BYTES);
} mg_events SEC(".maps");

#define MG_SITE_DEPTH 16

/* scratch for an arming stack: too big for the 512-byte BPF stack frame */
MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[MG_SITE_DEPTH]);
} mg_site_scratch SEC(".maps");

/*
 * object -> the site its stack gave at its first arm (arming.bpf.h's
 * mg_rearm), for timers, hrtimers and work re-armed with the same
 * function.  Least-recently-used: objects freed long ago fall out, and
 * a full map only costs a stack read.  A re-arm from another place keeps
 * the first site.
 */
struct mg_site_memo {
	__u64 mod;
	__u64 func;
	__u64 site;
	__u32 flags; /* MG_ARMF_SITE_INIT or 0 */
	__u32 _pad;
};

MG_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_SITE_MEMOS);
	__type(key, __u64);
	__type(value, struct mg_site_memo);
} mg_site_memos SEC(".maps");

static __always_inline void mg_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&mg_stats, &which);

	if (v)
		*v += 1;
}

/*
 * The filter: which module's text holds addr?  Returns the struct module
 * address, or 0 for the rest of the kernel (the common case, decided by the
 * bounds check before any hash lookup).
 */
static __always_inline __u64 mg_text_owner(__u64 addr)
{
	struct mg_text_bounds *b;
	__u32 zero = 0;
	__u64 page, *mod;

	b = bpf_map_lookup_elem(&mg_bounds, &zero);
	if (!b || addr < b->lo || addr >= b->hi)
		return 0;
	page = addr >> MG_PAGE_SHIFT;
	mod = bpf_map_lookup_elem(&mg_text_pages, &page);
	return mod ? *mod : 0;
}

/* reserve a zeroed event, counting a full ring buffer instead of hiding it */
/* a record of size bytes (a constant) that starts with a struct mg_event */
static __always_inline void *mg_event_reserve_sized(__u32 type, __u64 size)
{
	struct mg_event *e;
	__u64 id;

	e = bpf_ringbuf_reserve(&mg_events, size, 0);
	if (!e) {
		mg_stat_inc(MG_STAT_RINGBUF_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	id = bpf_get_current_pid_tgid();
	e->type = type;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline struct mg_event *mg_event_reserve(__u32 type)
{
	return mg_event_reserve_sized(type, sizeof(struct mg_event));
}

/* mod's word in mg_guard, created at 0; NULL only when the map is full */
static __always_inline __s64 *mg_guard_word(__u64 mod)
{
	__s64 zero = 0, *g = bpf_map_lookup_elem(&mg_guard, &mod);

	if (g)
		return g;
	bpf_map_update_elem(&mg_guard, &mod, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mg_guard, &mod);
}

/*
 * Submit an event modguardd must see now (a module loaded or freed, a
 * refusal, a task moved, ...): always a wake-up.  Not the default
 * "adaptive" one: that wakes the reader only when it has read everything
 * before, so one record submitted without a wake-up (below) would hold
 * back the wake-ups of every record after it.
 */
static __always_inline void mg_event_submit(struct mg_event *e)
{
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/*
 * Events that only matter to a waiting unload (references taken and
 * dropped, files closed) are frequent: a loop of module_get/put makes
 * hundreds of thousands a second.  While nobody waits they wake nobody
 * (modguardd drains the buffer before it answers anything, and once more
 * right after it starts to wait), and they never take the last quarter of
 * the buffer: that stays for the events that must not be lost (a module
 * freed, what its exit left behind, a refusal).  A reference event
 * dropped so is counted as lost, and its reference shows as unattributed.
 */
static __always_inline int mg_someone_waits(void)
{
	struct mg_config *cfg = mg_get_config();

	return cfg && cfg->wake_on_refs;
}

static __always_inline void *mg_event_reserve_lazy_sized(__u32 type,
							   __u64 size)
{
	if (!mg_someone_waits() &&
	    bpf_ringbuf_query(&mg_events, BPF_RB_AVAIL_DATA) >
		    MG_RINGBUF_BYTES / 4 * 3) {
		mg_stat_inc(MG_STAT_RINGBUF_LOST);
		return NULL;
	}
	return mg_event_reserve_sized(type, size);
}

static __always_inline struct mg_event *mg_event_reserve_lazy(__u32 type)
{
	return mg_event_reserve_lazy_sized(type, sizeof(struct mg_event));
}

static __always_inline void mg_event_submit_lazy(struct mg_event *e)
{
	bpf_ringbuf_submit(e, mg_someone_waits() ? BPF_RB_FORCE_WAKEUP
						 : BPF_RB_NO_WAKEUP);
}

#endif /* MODGUARD_MAPS_BPF_H */
