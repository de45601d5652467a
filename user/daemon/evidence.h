/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The evidence about one module, as data: its verdict, every reference
 * that points into it, and the notes about what could not be seen.
 *
 * Built in one place (evidence.c) from the ledger, the kernel's view and
 * the latest task scan.  Everything that tells anyone about a module reads
 * it: the protocol encoder (report.c), the record writer
 * (record_writer.c), the kernel-log line, and the guarded unload, which
 * decides whether a waiting client must be told something new by
 * comparing two of them (mg_evidence_same()).  Addresses are kept raw and
 * named only by whoever shows them, with the privileges of whoever reads.
 */
#ifndef MG_EVIDENCE_H
#define MG_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "kernel_view.h"
#include "verdict.h"

enum mg_item_type {
	MG_ITEM_REF,  /* something that points into the module */
	MG_ITEM_NOTE, /* about what could not be seen */
};

/* which optional fields of a struct mg_ref are set */
enum {
	MG_REF_SITE = 1u << 0,	    /* site: an address */
	MG_REF_SITE_INIT = 1u << 1, /* site: an offset in the init function */
	MG_REF_PID = 1u << 2,	    /* pid (thread group id) */
	MG_REF_TID = 1u << 3,
	MG_REF_COUNT = 1u << 4,
	MG_REF_DEVICE = 1u << 5,
	MG_REF_SINCE = 1u << 6,
	MG_REF_OBJECT = 1u << 7, /* shown only to who may see addresses */
	MG_REF_THREADFN = 1u << 8,
	MG_REF_STACK = 1u << 9,
	MG_REF_SITE_IS_FUNC = 1u << 10, /* site is the function's own address */
	MG_REF_FD = 1u << 11,
};

/* the report's "expires" field of a timer or hrtimer */
enum mg_expires_unit {
	MG_EXPIRES_NONE = 0,
	MG_EXPIRES_JIFFIES,
	MG_EXPIRES_NS,
};

struct mg_ref {
	enum mg_item_type type;
	uint32_t has;	  /* MG_REF_* */
	const char *kind; /* "holder", "task", "timer", ...: a static name */
	/* the function: a static label when there is no address to name */
	const char *label;
	uint64_t func;
	uint64_t site;
	uint64_t object;
	uint64_t threadfn;
	uint64_t since_ns; /* CLOCK_MONOTONIC */
	uint64_t count;
	uint64_t expires;
	enum mg_expires_unit expires_unit;
	uint32_t pid, tid;
	uint32_t dev; /* kernel dev_t */
	char comm[MG_COMM_LEN + 1];
	char name[MG_REG_NAME_LEN]; /* a registration's own name; "" none */
	char *note; /* owned; NULL: none (for MG_ITEM_NOTE: the text) */
	/* the call a correct exit makes for it; static, NULL: none */
	const char *hint;
	uint32_t nstack;
	uint64_t stack[MG_STACK_DEPTH];
	/* "scan": found by the holder scan; "traced": seen being taken */
	const char *source;
	int32_t fd;	      /* MG_REF_FD: the holding task's descriptor */
	const char *path_key; /* "path" or "mount_point"; NULL: no path */
	char path[MG_SCAN_PATH_LEN];
};

struct mg_evidence {
	char name[MG_MODULE_NAME_LEN];
	char state[16]; /* live, coming, going, gone */
	int gone;	/* its exit ran: the references are left behind */
	int64_t refcnt;
	enum mg_verdict verdict;
	struct mg_verdict_input in; /* what the verdict was decided on */
	uint64_t tracking_since_ns; /* CLOCK_MONOTONIC */
	uint64_t gone_ns;	    /* when its exit ran, if gone */
	int have_text;		    /* text_start is known */
	uint64_t text_start;
	uint64_t text_size;
	char srcversion[sizeof(((struct mg_kmod *)0)->srcversion)];
	char build[sizeof(((struct mg_kmod *)0)->build)];
	char holders[sizeof(((struct mg_kmod *)0)->holders)]; /* dependents */
	/* refs and notes, in the order the report lists them */
	struct mg_ref *items;
	size_t nitems, cap;
	int oom; /* an item could not be added: the evidence is incomplete */
};

/*
 * The evidence about the loaded module k describes, from the ledger, the
 * latest task scan (d->tasks) and the in-kernel counts.  Returns 0 or
 * -ENOMEM (nothing to free then).
 */
int mg_evidence_of_kmod(struct mg_daemon *d, const struct mg_kmod *k,
			struct mg_evidence *ev);
/* a module whose exit ran: what it left behind */
int mg_evidence_of_gone(struct mg_daemon *d, struct mg_module *m,
			struct mg_evidence *ev);
void mg_evidence_free(struct mg_evidence *ev);

/* references in it (notes not counted) */
size_t mg_evidence_nrefs(const struct mg_evidence *ev);
/* for a gone module: how many references are left behind */
size_t mg_evidence_left(const struct mg_evidence *ev);
/*
 * Would a client shown a be shown anything new by b?  Compares the
 * verdict, the state, the counts and every item; not the time it was taken.
 */
int mg_evidence_same(const struct mg_evidence *a, const struct mg_evidence *b);

/* the report's kind name of a ledger entry (enum mg_ref_kind) */
/* the call a correct exit makes for a ledger entry (kind, MG_ARMF_*) */
const char *mg_kind_hint(uint32_t kind, uint32_t flags);
const char *mg_kind_name(uint32_t kind);

#endif /* MG_EVIDENCE_H */
