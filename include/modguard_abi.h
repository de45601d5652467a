/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one kernel/user ABI of modguard: what the BPF programs put in maps and
 * in the ring buffer, and what modguardd reads back.  Nothing else lives here.
 *
 * Included from BPF code (after vmlinux.h, which provides __u32/__u64) and
 * from user space (which gets them from <linux/types.h>).  Fields are fixed
 * width, largest first, and every struct has its size asserted so that both
 * sides agree.
 */
#ifndef MODGUARD_ABI_H
#define MODGUARD_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define MG_MODULE_NAME_LEN 56 /* MODULE_NAME_LEN on 64-bit kernels */
#define MG_COMM_LEN 16
#define MG_MAX_MODULES 4096
/* pages of module text the in-kernel filter can map; 64k pages = 256 MiB */
#define MG_MAX_TEXT_PAGES 65536
#define MG_MAX_INIT_PAGES 8192
#define MG_MAX_ARMED 65536
/* arming sites remembered per re-armed object (an LRU: no overflow) */
#define MG_MAX_SITE_MEMOS 8192
/* char device numbers and open files of owner-less file_operations */
#define MG_MAX_CHRDEVS 4096
#define MG_MAX_OPEN_FILES 16384
/* at most this many minors of one cdev_add() are mapped to their module */
#define MG_MAX_CDEV_MINORS 256
/*
 * mg_guard: per module, the files open on its owner-less devices, plus
 * MG_GUARD_UNLOADING for each delete_module() under way (bpf/open_files.bpf.c)
 */
#define MG_GUARD_UNLOADING (1ll << 32)
#define MG_RINGBUF_BYTES (1u << 20)
#define MG_PAGE_SHIFT 12

/*
 * A kernel dev_t (include/linux/kdev_t.h): 12 bits of major above 20 of
 * minor.  Not the user-space encoding of <sys/sysmacros.h>.
 */
#define MG_MINORBITS 20
#define MG_MINORMASK ((1u << MG_MINORBITS) - 1)
#define MG_DEV_MAJOR(dev) ((__u32)(dev) >> MG_MINORBITS)
#define MG_DEV_MINOR(dev) ((__u32)(dev) & MG_MINORMASK)
#define MG_MKDEV(ma, mi) (((__u32)(ma) << MG_MINORBITS) | (__u32)(mi))

/* struct module's state, as enum module_state in include/linux/module.h */
enum mg_module_state {
	MG_MOD_LIVE = 0,
	MG_MOD_COMING = 1,
	MG_MOD_GOING = 2,
	MG_MOD_UNFORMED = 3,
	MG_MOD_GONE = 4, /* ours: module_free fired, its memory is being freed */
};

enum mg_event_type {
	MG_EV_MODULE_LOAD = 1, /* module:module_load, before its init runs */
	MG_EV_MODULE_FREE = 2, /* module:module_free, after its exit ran */
	MG_EV_MODULE_SCAN = 3, /* a module that was loaded before we started */
	MG_EV_REF_GET = 4,     /* module:module_get */
	MG_EV_REF_PUT = 5,     /* module:module_put */
	/* 6, 7 and 8 (armed, disarmed, stale fire) are not sent: the ledger
	 * map holds what is armed, and numbers are never reused */
	MG_EV_LEFT_BEHIND = 9, /* still armed/registered when exit returned */
	MG_EV_TASK_MOVED = 10, /* a watched task moved, or an init finished */
	MG_EV_ENTRY_POINT = 11, /* func: an owner-less fops function of mod */
	MG_EV_REFUSED = 12,     /* delete_module() of a busy module denied */
	MG_EV_FILE_CLOSED = 13, /* a file open on an owner-less device closed */
};

/* what points into a module; the report's "kind" */
enum mg_ref_kind {
	MG_KIND_HOLDER = 0,
	MG_KIND_TASK = 1,
	MG_KIND_KTHREAD = 2,
	MG_KIND_TIMER = 3,
	MG_KIND_HRTIMER = 4,
	MG_KIND_WORK = 5,
	MG_KIND_TASKLET = 6,
	MG_KIND_RCU = 7,
	MG_KIND_NOTIFIER = 8,
	MG_KIND_FOPS = 9,
	MG_KIND_NF_HOOK = 10,	   /* key: the nf_hook_ops; expires: its net */
	MG_KIND_KTHREAD_WORK = 11, /* key: the kthread_work (delayed: timer) */
	MG_KIND_FILESYSTEM = 12,   /* key: the file_system_type */
	MG_KIND_IRQ = 13,	   /* key: the irqaction; expires: its irq_desc */
	MG_KIND_SRCU = 14,	   /* key: the rcu_head; expires: its srcu_struct */
	MG_KIND_MAX,
};

/* counters in the mg_stats array map */
enum mg_stat {
	MG_STAT_RINGBUF_LOST = 0, /* events dropped: ring buffer full */
	MG_STAT_PAGES_FULL = 1,   /* text pages that did not fit the filter map */
	MG_STAT_MODULES_FULL = 2, /* modules that did not fit mg_modules */
	MG_STAT_ARMED_FULL = 3,   /* callbacks that did not fit mg_armed */
	MG_STAT_FILTER_HITS = 4,  /* events that passed the module-text filter */
	MG_STAT_FILES_FULL = 5,   /* open files that did not fit mg_open_files */
	MG_STAT_CHRDEVS_FULL = 6, /* device numbers that did not fit mg_chrdevs */
	MG_STAT_OPENS_REFUSED = 7, /* opens refused: their module was unloading */
	MG_STAT_THREADS_FULL = 8, /* in-flight callers that did not fit mg_thread_calls */
	MG_STAT_MAX = 9,
};

/* value of mg_modules, keyed by the struct module address */
struct mg_module_info {
	__u64 text_start;
	__u64 text_size;
	__u64 init_start; /* init text, freed once init returns */
	__u64 init_size;
	__u64 init_fn;    /* mod->init: the module's init function */
	__u64 load_ns;    /* bpf_ktime_get_ns() when seen */
	__u32 state;   /* enum mg_module_state when seen */
	__u32 flags;   /* MG_MODF_* */
	char name[MG_MODULE_NAME_LEN];
};
_Static_assert(sizeof(struct mg_module_info) == 112, "mg_module_info ABI");

#define MG_MODF_PRELOADED 1u /* loaded before modguardd started */

/*
 * The one entry of mg_config: switches modguardd flips at run time.  A
 * map, not globals, so that a restarted daemon that adopts the programs of
 * its predecessor (pinned in bpffs) still reaches them.
 */
struct mg_config {
	__u32 enforcing;    /* lsm/capable may refuse */
	__u32 wake_on_refs; /* a guarded unload waits: wake on reference
			     * drops and on closes of tracked files */
};
_Static_assert(sizeof(struct mg_config) == 8, "mg_config ABI");

/* value of mg_armed, keyed by the callback object (timer_list *, ...) */
struct mg_armed_info {
	__u64 mod;     /* struct module * the function lies in */
	__u64 func;    /* the callback function */
	__u64 site;    /* who armed or registered it: a return address */
	__u64 ts_ns;   /* when it was armed */
	__u64 expires; /* jiffies (timer) or ns (hrtimer); 0 if none */
	__u32 kind;    /* enum mg_ref_kind */
	__u32 flags;   /* MG_ARMF_* */
	__u32 pid;     /* the thread that armed it */
	__u32 tgid;
	char comm[MG_COMM_LEN];
};
_Static_assert(sizeof(struct mg_armed_info) == 72, "mg_armed_info ABI");

/*
 * One mg_armed entry as the ledger settle (bpf/ledger_check.bpf.c) writes
 * it: the object, whether its callback is still pending (settled: it is
 * not, the entry goes), and the entry.
 */
struct mg_armed_rec {
	__u64 obj;
	__u32 settled;
	__u32 _pad;
	struct mg_armed_info info;
};
_Static_assert(sizeof(struct mg_armed_rec) == 88, "mg_armed_rec ABI");

/*
 * value of mg_reg_names, keyed like mg_armed: the name a registration gave
 * itself (a filesystem type's, an interrupt handler's devname)
 */
#define MG_REG_NAME_LEN 32
struct mg_reg_name {
	char name[MG_REG_NAME_LEN];
};

/*
 * The mg_armed key of a netfilter hook: its nf_hook_ops mixed with its
 * struct net (kept in "expires"), as one ops is registered in many
 * namespaces; the ops is the key ^ (net << 32) again.
 */
static inline __u64 mg_nf_hook_key(__u64 ops, __u64 net)
{
	return ops ^ (net << 32);
}

#define MG_ARMF_DWORK 1u     /* delayed work: the key is its timer */
#define MG_ARMF_LEFT 2u      /* still armed when its module's exit returned */
#define MG_ARMF_NO_OWNER 4u  /* fops/proc_ops registered without .owner */
#define MG_ARMF_SITE_INIT 8u /* armed from init text: site is mod->init + off */

/*
 * value of mg_thread_calls, keyed by thread id: the calls into owner-less
 * entry points that thread is making (bpf/inflight.bpf.c).  No return probe
 * ends them: the thread's next system call entry or exit does, or its
 * death.  Up to MG_THREAD_MODS modules at once (a read() of one module's
 * device that reads another's); slot i is free when mod[i] == 0.
 */
#define MG_THREAD_MODS 4

struct mg_thread_calls {
	__u64 mod[MG_THREAD_MODS];   /* struct module * entered */
	__u64 task;                  /* the thread's struct task_struct * */
	__u64 since_ns;              /* first entry (bpf_ktime_get_ns) */
	__u32 depth[MG_THREAD_MODS]; /* entries not yet ended, per module */
	__u32 tgid;
	__u32 pad;
	char comm[MG_COMM_LEN];
};
_Static_assert(sizeof(struct mg_thread_calls) == 32 + 16 + 16 + 8 + 16,
	       "mg_thread_calls ABI");
#define MG_MAX_THREAD_CALLS 16384

/*
 * socket storage of an accepted modguardd connection (mg_peer_creds,
 * bpf/peer_creds.bpf.c): the connecting task at connect()
 */
struct mg_peer_cred {
	__u64 caps;  /* effective capabilities in the initial user namespace */
	__u32 uid;   /* its euid */
	__u32 valid; /* caps were read (init_user_ns known) */
};
_Static_assert(sizeof(struct mg_peer_cred) == 16, "mg_peer_cred ABI");

/* value of mg_chrdevs, keyed by a kernel dev_t (MG_MKDEV) */
struct mg_chrdev {
	__u64 mod;  /* struct module * whose owner-less fops serve the device */
	__u64 func; /* the first of those functions in its text */
	__u64 fops; /* the file_operations (its ledger key) */
};
_Static_assert(sizeof(struct mg_chrdev) == 24, "mg_chrdev ABI");

/* value of mg_open_files, keyed by struct file *: open on such a device */
struct mg_open_file {
	__u64 mod;
	__u64 func;  /* as in struct mg_chrdev */
	__u64 ts_ns; /* when it was opened */
	__u32 dev;   /* kernel dev_t (MG_DEV_MAJOR/MG_DEV_MINOR) */
	__u32 pid;   /* the thread that opened it */
	__u32 tgid;
	__u32 pad;
	char comm[MG_COMM_LEN];
};
_Static_assert(sizeof(struct mg_open_file) == 56, "mg_open_file ABI");

/*
 * One ring buffer record.  What the four words after the text range mean
 * depends on the type; each type has its arm of the union (obj/func/site/
 * expires are the generic names of the same words, as in cb):
 *
 *   MODULE_LOAD, MODULE_SCAN  load: the init text (init_start, init_size)
 *                             and mod->init (init_fn)
 *   REF_GET, REF_PUT          ref.site: the caller of module_get/put
 *   LEFT_BEHIND               cb: the ledger entry still armed, its object,
 *                             function, site and expiry as in struct
 *                             mg_armed_info (kind says which)
 *   ENTRY_POINT               entry.func: an owner-less fops function
 *   REFUSED                   refused: what the refusal counted: threads
 *                             inside owner-less fops (callers), files open
 *                             on the module's devices (open_files), tasks
 *                             the last scan found inside (stack_tasks)
 *   FILE_CLOSED               closed.file: the struct file * that closed
 *   MODULE_FREE, TASK_MOVED   none.  TASK_MOVED's pid is the watched task
 *                             that moved, or for an init that finished the
 *                             thread that ran it
 *
 * Words a type does not name are 0.
 */
struct mg_event {
	__u64 ts_ns;
	__u64 mod; /* struct module * */
	__u64 text_start;
	__u64 text_size;
	union {
		struct {
			__u64 obj;     /* callback object, or 0 */
			__u64 func;    /* callback function */
			__u64 site;    /* call or arming site, or 0 */
			__u64 expires; /* jiffies (timer) or ns (hrtimer) */
		};
		struct { __u64 obj, func, site, expires; } cb;
		struct { __u64 init_start, init_fn, _pad2, init_size; } load;
		/* nstack: frames in the mg_ref_event around it, 0: none */
		struct { __u64 nstack, _pad1, site, _pad3; } ref;
		struct { __u64 _pad0, func, _pad2, _pad3; } entry;
		struct { __u64 callers, open_files, _pad2, stack_tasks; } refused;
		struct { __u64 file, _pad1, _pad2, _pad3; } closed;
	};
	__u32 type;  /* enum mg_event_type */
	__u32 kind;  /* enum mg_ref_kind, for LEFT_BEHIND */
	__u32 pid;   /* thread id of current (TASK_MOVED: see above) */
	__u32 tgid;
	__s32 refcnt; /* module refcnt as the tracepoint reported it */
	__u32 state;  /* enum mg_module_state */
	char comm[MG_COMM_LEN];
	char name[MG_MODULE_NAME_LEN];
};
#define MG_EVENT_SAME_WORD(a, b)                                            \
	(__builtin_offsetof(struct mg_event, a) ==                          \
	 __builtin_offsetof(struct mg_event, b))
_Static_assert(__builtin_offsetof(struct mg_event, obj) == 32 &&
	       __builtin_offsetof(struct mg_event, type) == 64 &&
	       MG_EVENT_SAME_WORD(cb.expires, expires) &&
	       MG_EVENT_SAME_WORD(load.init_start, obj) &&
	       MG_EVENT_SAME_WORD(load.init_fn, func) &&
	       MG_EVENT_SAME_WORD(load.init_size, expires) &&
	       MG_EVENT_SAME_WORD(ref.site, site) &&
	       MG_EVENT_SAME_WORD(entry.func, func) &&
	       MG_EVENT_SAME_WORD(refused.callers, obj) &&
	       MG_EVENT_SAME_WORD(refused.open_files, func) &&
	       MG_EVENT_SAME_WORD(refused.stack_tasks, expires) &&
	       MG_EVENT_SAME_WORD(closed.file, obj),
	       "mg_event arms");
#undef MG_EVENT_SAME_WORD
_Static_assert(sizeof(struct mg_event) == 160, "mg_event ABI");

/*
 * A module_get whose caller is generic plumbing (fops_get() in
 * do_dentry_open(), get_filesystem(), __sock_create(), ...: the functions
 * in mg_plumbing_lo/hi) comes with the kernel stack of its taker, so that
 * modguardd can name the first frame outside the plumbing as the site.
 * The ring buffer record is this, longer than a struct mg_event.
 */
#define MG_TAKER_DEPTH 16
#define MG_PLUMBING_MAX 64

struct mg_ref_event {
	struct mg_event e;
	__u64 stack[MG_TAKER_DEPTH]; /* innermost first; e.ref.nstack valid */
};

/*
 * A REF_GET's kind: 0 for a get sent as it happened; MG_REFF_HELD for one a
 * thread held in its slot (bpf/module_refs.bpf.c) and sent later, or that
 * mg_scan_held_refs read from the slot of a thread still holding it.  Its
 * ts_ns is the get's, older than the events sent before it; its refcnt is
 * the module's when it was sent or read.
 */
#define MG_REFF_HELD 1u

/*
 * One task whose kernel stack holds a return address inside some module's
 * text, or whose kthread function lies there: written by the task scan
 * iterator (bpf_seq_write), one record per task.
 */
#define MG_STACK_DEPTH 32

#define MG_TASKF_KTHREAD 1u  /* a kernel thread */
#define MG_TASKF_RUNNING 2u  /* on a CPU now: its stack is not reliable */
#define MG_TASKF_OWN_FN 4u   /* kthread whose thread function is in mod */
/*
 * with RUNNING: a kretprobe return (another tool's) is pending in it, so
 * its stack was not unwound; mod/frame come from a raw scan of its stack
 */
#define MG_TASKF_RETHOOK 8u
/* with RETHOOK: its raw stack could not be read: unknown for every module */
#define MG_TASKF_UNREAD 16u

struct mg_task_record {
	__u64 mod;      /* struct module * of the first module frame */
	__u64 frame;    /* that frame (a return address in module text) */
	__u64 threadfn; /* kthread function, 0 if not a kthread */
	__u64 threadfn_mod; /* struct module * holding threadfn, or 0 */
	__u64 stack[MG_STACK_DEPTH];
	__u32 pid;
	__u32 tgid;
	__u32 flags;   /* MG_TASKF_* */
	__u32 nstack;  /* valid entries in stack[] */
	char comm[MG_COMM_LEN];
};
_Static_assert(sizeof(struct mg_task_record) == 32 + 8 * MG_STACK_DEPTH + 16 + 16,
	       "mg_task_record ABI");

/*
 * One object of the kernel's own state that holds a reference on a module,
 * found by the holder scan (bpf/holder_scan.bpf.c, two iterators), for the
 * references taken before modguardd saw them.  The kernel counts, per
 * object: an open file one on its f_op->owner (do_dentry_open's
 * fops_get); an open block device one on its disk's fops->owner
 * (blkdev_get_no_open); a socket one on its family ops' owner
 * (__sock_create) and one on its protocol's (sk_prot_alloc); a superblock
 * one on its type's owner (sget_fc) and, on a block device, one on the
 * disk's (the mount's blkdev open).
 */
enum mg_scan_via {
	MG_SCAN_FILE = 1,	/* an open file: f_op->owner */
	MG_SCAN_BDEV = 2,	/* an open block device: its disk's owner */
	MG_SCAN_SOCKET = 3,	/* a socket: its family's or protocol's owner */
	MG_SCAN_MOUNT = 4,	/* a superblock: its filesystem type's owner */
	MG_SCAN_MOUNT_BDEV = 5, /* a superblock on a disk the module drives */
};

#define MG_SCANF_INTERNAL 1u  /* a kernel-internal mount: no mount point */
#define MG_SCANF_UNMOUNTED 2u /* a superblock with no mount (going away) */
#define MG_SCANF_PATH_CUT 4u  /* the path lost its leading components */

/*
 * One text symbol of a module modguardd asked for (mg_ksym_want: struct
 * module addresses), read from the module's own table by
 * bpf/module_ksyms.bpf.c instead of from every line of /proc/kallsyms;
 * all zero: the end mark, after the last module's symbols.
 */
#define MG_KSYM_NAME_LEN 128 /* name_cut: the name filled it, may be longer */
#define MG_KSYM_WANT_MAX 1024 /* modules asked for in one pass */
/*
 * Steps of one pass (150 symbols each, the iterator's buffer): a pass of
 * up to 153,600 symbols; each step costs a program run, walk or not.
 */
#define MG_KSYM_STEPS 1024
#define MG_KSYM_END 0xffffffffu /* the cursor once the end mark is written */

struct mg_ksym_rec {
	__u64 addr;
	char type; /* 't' or 'T' */
	__u8 name_cut;
	__u8 _pad[6];
	char module[MG_MODULE_NAME_LEN];
	char name[MG_KSYM_NAME_LEN];
};
_Static_assert(sizeof(struct mg_ksym_rec) == 200, "mg_ksym_rec ABI");

#define MG_SCAN_PATH_LEN 256

struct mg_scan_holder {
	__u64 mod;    /* struct module * it holds */
	__u64 object; /* struct file * or struct super_block * */
	__u32 via;    /* enum mg_scan_via */
	__u32 count;  /* references on mod (a socket: 1 or 2) */
	__u32 pid;    /* a task holding the file: thread id, 0 for a mount */
	__u32 tgid;
	__s32 fd;     /* its descriptor in that task, -1 for a mount */
	__u32 dev;    /* kernel dev_t: the device node's, or the superblock's */
	__u32 flags;  /* MG_SCANF_* */
	__u32 pad;
	char comm[MG_COMM_LEN];
	char path[MG_SCAN_PATH_LEN]; /* the file's path, or the mount point */
};
_Static_assert(sizeof(struct mg_scan_holder) == 48 + MG_COMM_LEN +
	       MG_SCAN_PATH_LEN, "mg_scan_holder ABI");

#endif /* MODGUARD_ABI_H */
