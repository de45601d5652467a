// SPDX-License-Identifier: GPL-2.0
/*
 * Task scan: which tasks are inside module text right now?
 *
 * A task that sleeps in a module function (a read() without .owner, a
 * kthread the module forgot to stop) holds no module reference, so
 * delete_module() frees the text under it (kernel/module/main.c).  This
 * iterator walks every task's saved kernel stack (bpf_get_task_stack: the
 * ORC unwinder starts from the sp saved at its last switch) and emits one
 * struct mg_task_record per task that has a return address in module text,
 * or is a kthread whose thread function lies there.
 *
 * A task on a CPU has no reliable saved stack (livepatch's
 * klp_check_stack() treats it as "busy, retry", kernel/livepatch/
 * transition.c): it is always emitted, with MG_TASKF_RUNNING and mod == 0
 * when its stale stack shows no module frame, so that user space never
 * reads "no record" as "not inside" for it.
 *
 * Cost: this runs for every task in the system, so the common case (a
 * sleeping task with no module frame) is one stack walk plus two compares
 * per frame against the module text bounds; the hash lookup only happens
 * for frames inside [lo, hi).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

#define MG_PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/*
 * Most tasks sleep through many scans, and unwinding their stacks is most
 * of a scan's cost.  A task that has not been switched in since a scan
 * found no module frame on its saved stack still has that same stack: its
 * switch count (nvcsw + nivcsw) has not moved, and only the task itself
 * changes its stack, while it runs.  So each task keeps the switch count
 * (plus one: 0 is "none") and the module text generation (mg_bounds.gen:
 * a module loaded since could own an address) at which its stack was last
 * found without module frames, and is not unwound again while both hold.
 * A task found inside a module, running, or with a rethook pending is
 * never memoized: it is unwound at every scan, as before.
 */
struct scan_memo {
	__u64 sw_plus1;
	__u64 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scan_memo);
} mg_scan_memo SEC(".maps");

/* on_cpu exists only with CONFIG_SMP; without it only the scanner runs */
static __always_inline int task_on_cpu(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->on_cpu))
		return 0;
	return BPF_CORE_READ(task, on_cpu);
}

static __always_inline __u64 task_switches(struct task_struct *task)
{
	return BPF_CORE_READ(task, nvcsw) + BPF_CORE_READ(task, nivcsw);
}

/*
 * The raw stack of a task the unwinder must not touch: the return
 * addresses its rethook nodes hold, then every word from its saved sp up,
 * read with bpf_probe_read_kernel() (no unwinder, no rethook), that lies
 * in some module's text.  Every module found (up to MG_RAW_MODS) gets a
 * record, so a stale word of one module cannot hide a frame of another.
 * Conservative: a stale word in an uninitialised slot counts too, which
 * can only make the verdict "unknown, retry".  A stack it cannot read
 * (sp out of range, a read that faults before the first chunk) makes the
 * task unknown for every module (MG_TASKF_UNREAD).  Up to 32 KiB in 4 KiB
 * chunks: x86-64's THREAD_SIZE is 16 KiB, 32 KiB with KASAN
 * (arch/x86/include/asm/page_64_types.h); past the end is the vmap guard
 * page, where the read fails and the walk stops.
 */
#define MG_RAW_CHUNK 4096
#define MG_RAW_CHUNKS 8
#define MG_RAW_WORDS (MG_RAW_CHUNK / 8)
#define MG_RAW_MODS 4

struct raw_chunk {
	__u64 w[MG_RAW_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct raw_chunk);
} mg_raw_stack SEC(".maps");

/* the record being built: too big for the 512-byte BPF stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_task_record);
} mg_scan_rec SEC(".maps");

struct raw_scan {
	__u64 base; /* address of w[0] */
	__u64 sp;
	__u64 lo, hi;
	__u64 mods[MG_RAW_MODS], words[MG_RAW_MODS];
	__u32 n;
	__u32 unread;
};

/* word w (a return address?) in module text: one more module; 1 if full */
static __always_inline int raw_hit(struct raw_scan *r, __u64 w)
{
	__u64 mod;
	__u32 n = r->n;

	if (w - 1 < r->lo || w - 1 >= r->hi)
		return 0;
	mod = mg_text_owner(w - 1);
	if (!mod)
		return 0;
#pragma clang loop unroll(full)
	for (int i = 0; i < MG_RAW_MODS; i++)
		if (i < n && r->mods[i] == mod)
			return 0;
	if (n >= MG_RAW_MODS)
		return 1;
	r->mods[n & (MG_RAW_MODS - 1)] = mod;
	r->words[n & (MG_RAW_MODS - 1)] = w;
	r->n = n + 1;
	return r->n >= MG_RAW_MODS;
}

static long raw_word(__u32 i, struct raw_scan *r)
{
	__u32 zero = 0;
	struct raw_chunk *c = bpf_map_lookup_elem(&mg_raw_stack, &zero);

	if (!c || i >= MG_RAW_WORDS)
		return 1;
	if (r->base + i * 8 < r->sp)
		return 0;
	return raw_hit(r, c->w[i]);
}

static __always_inline void raw_stack_scan(struct task_struct *task,
					   struct raw_scan *r)
{
	__u64 stack = (__u64)BPF_CORE_READ(task, stack), next = 0, ret;
	__u32 zero = 0;
	int read = 0;

	/* the return addresses the trampolines stand for come first */
	for (int i = 0; i < MG_RETHOOK_NODES; i++) {
		ret = mg_task_rethook_ret(task, i, &next);
		if (!ret || raw_hit(r, ret) || !next)
			break;
	}

	if (!stack)
		return; /* no stack any more: the task is gone */
	r->sp = BPF_CORE_READ(task, thread.sp);
	if (r->sp < stack || r->sp >= stack + MG_RAW_CHUNKS * MG_RAW_CHUNK) {
		r->unread = 1;
		return;
	}
	for (int k = 0; k < MG_RAW_CHUNKS && r->n < MG_RAW_MODS; k++) {
		struct raw_chunk *c = bpf_map_lookup_elem(&mg_raw_stack, &zero);

		r->base = stack + k * MG_RAW_CHUNK;
		if (!c || r->base + MG_RAW_CHUNK <= r->sp)
			continue;
		if (bpf_probe_read_kernel(c, sizeof(*c), (void *)r->base))
			break;
		read = 1;
		bpf_loop(MG_RAW_WORDS, raw_word, r, 0);
	}
	if (!read)
		r->unread = 1;
}

SEC("iter/task")
int mg_scan_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct mg_task_record *rec;
	struct raw_scan raw = {};
	struct mg_text_bounds *b;
	__u64 lo, hi, gen, sw, threadfn = 0, tfn_mod = 0;
	struct scan_memo *memo = NULL;
	__u32 zero = 0, flags = 0, pid;
	long len;
	int n, i, running;

	if (!task)
		return 0;
	pid = BPF_CORE_READ(task, pid);
	/* the scanner itself: running here, so its stack says nothing */
	if (pid == (__u32)bpf_get_current_pid_tgid())
		return 0;
	/* no module text known: nothing can be inside one */
	b = bpf_map_lookup_elem(&mg_bounds, &zero);
	if (!b || !b->hi)
		return 0;
	lo = b->lo;
	hi = b->hi;
	gen = b->gen;
	rec = bpf_map_lookup_elem(&mg_scan_rec, &zero);
	if (!rec)
		return 0;

	/*
	 * A task that runs, or switches, while we unwind it leaves a torn
	 * trace: check on_cpu and the switch count on both sides.
	 */
	running = task_on_cpu(task);
	sw = task_switches(task);
	/*
	 * Never unwind a task on a CPU: it has no saved stack.  Never unwind
	 * a task with a kretprobe return pending either, asleep or not: the
	 * unwinder WARNs when it meets the rethook trampoline in a task that
	 * is not current and is runnable (rethook_find_ret_addr(),
	 * kernel/trace/rethook.c: "tsk != current && task_is_running(tsk)"),
	 * and a sleeping task can be woken at any moment of the walk.
	 * modguard itself has no kretprobe (bpf/inflight.bpf.c), so such a
	 * trampoline is another tool's; its task is "unknown, retry" for
	 * every module whose text a raw scan of its stack finds (above).
	 *
	 * What remains safe to unwind: a task off CPU whose rethooks list was
	 * empty.  The trampoline is written onto a stack only by the task
	 * itself, entering a kretprobed function (rethook_hook(), called from
	 * the kprobe handler in the task's own context), so this one cannot
	 * gain one unless it runs during the walk, which the switch-count
	 * check below then reports as a torn trace.  On one CPU with the
	 * scanner not preempted it cannot run at all; on SMP a foreign
	 * kretprobe hit by a task woken mid-walk is the one case left (see
	 * README, "What it cannot see").
	 */
	if (running) {
		len = 0;
	} else if (mg_task_rethook_pending(task)) {
		raw.lo = lo;
		raw.hi = hi;
		raw_stack_scan(task, &raw);
		flags |= MG_TASKF_RETHOOK;
		if (raw.unread)
			flags |= MG_TASKF_UNREAD;
		running = 1;
		len = 0;
	} else {
		memo = bpf_task_storage_get(&mg_scan_memo, task, 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (memo && memo->sw_plus1 == sw + 1 && memo->gen == gen) {
			/* the same stack as last time, without module frames */
			len = 0;
			memo = NULL;
		} else {
			len = bpf_get_task_stack(task, rec->stack,
						 sizeof(rec->stack), 0);
			if (task_on_cpu(task) || task_switches(task) != sw)
				running = 1;
		}
	}
	n = len > 0 ? len / sizeof(__u64) : 0;

	rec->mod = raw.mods[0];
	rec->frame = raw.words[0];
	for (i = 0; i < MG_STACK_DEPTH; i++) {
		/* a return address: the call that made it is one byte back */
		__u64 ip = rec->stack[i] - 1;
		__u64 mod;

		if (i >= n)
			break;
		if (ip < lo || ip >= hi)
			continue;
		mod = mg_text_owner(ip);
		if (mod) {
			rec->mod = mod;
			rec->frame = rec->stack[i];
			break;
		}
	}
	/* unwound whole and still, no module frame: remembered */
	if (memo && n && !running && !rec->mod) {
		memo->sw_plus1 = sw + 1;
		memo->gen = gen;
	}

	if (BPF_CORE_READ(task, flags) & MG_PF_KTHREAD) {
		flags |= MG_TASKF_KTHREAD;
		threadfn = mg_kthread_fn(task);
		if (threadfn >= lo && threadfn < hi)
			tfn_mod = mg_text_owner(threadfn);
		if (tfn_mod) {
			flags |= MG_TASKF_OWN_FN;
			if (!rec->mod)
				rec->mod = tfn_mod;
		}
	}
	if (running)
		flags |= MG_TASKF_RUNNING;
	if (!rec->mod && !running)
		return 0;

	rec->threadfn = threadfn;
	rec->threadfn_mod = tfn_mod;
	rec->pid = pid;
	rec->tgid = BPF_CORE_READ(task, tgid);
	rec->flags = flags;
	rec->nstack = n;
	BPF_CORE_READ_STR_INTO(&rec->comm, task, comm);
	bpf_seq_write(seq, rec, sizeof(*rec));
	/* the other modules a raw scan found: one record each */
	for (__u32 j = 1; j < MG_RAW_MODS && j < raw.n; j++) {
		rec->mod = raw.mods[j & (MG_RAW_MODS - 1)];
		rec->frame = raw.words[j & (MG_RAW_MODS - 1)];
		bpf_seq_write(seq, rec, sizeof(*rec));
	}
	return 0;
}
