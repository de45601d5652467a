/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attach groups: the programs of one job (module references, timers, ...)
 * attach whole or not at all.  A half-attached group lies: mg_file_open
 * without mg_file_free counts every open file for good, and the enforcement
 * refuses the unload forever.  The attaching itself goes through
 * struct mg_group_ops, so that the logic runs without a kernel in the unit
 * tests.
 */
#ifndef MG_BPF_GROUPS_H
#define MG_BPF_GROUPS_H

#include "bpf_loader.h"

/* table order is attach order */
enum mg_group_id {
	MG_GROUP_LIFECYCLE,
	MG_GROUP_REFS,
	MG_GROUP_TIMERS,
	MG_GROUP_WORK,
	MG_GROUP_TASKLETS,
	MG_GROUP_RCU,
	MG_GROUP_SRCU,
	MG_GROUP_NOTIFIERS,
	MG_GROUP_KTHREAD_WORK,
	MG_GROUP_FILESYSTEMS,
	MG_GROUP_NF_HOOKS,
	MG_GROUP_IRQS,
	MG_GROUP_FOPS,
	MG_GROUP_TASK_DEAD,
	MG_GROUP_OPEN_FILES,
	MG_GROUP_ENFORCEMENT,
	MG_GROUP_PEER_CREDS,
	MG_GROUP_COUNT,
};

#define MG_GROUP_MAX_PROGS 9

/* what a group needs before it is attempted */
#define MG_NEEDS_ENFORCE 1u /* modguardd runs without --advisory */
#define MG_NEEDS_LSM 2u     /* the BPF LSM is active */
#define MG_NEEDS_GROUP(id) (1u << (8 + (id))) /* group id is active */

struct mg_group {
	const char *name;      /* lowercase identifier: a protocol value */
	const char *what;      /* what it tracks, for status and the log */
	int required;          /* without it modguardd cannot run */
	unsigned int needs;    /* MG_NEEDS_* */
	/* the log line when it does not attach; NULL: "<what> are not tracked" */
	const char *if_failed;
	const char *progs[MG_GROUP_MAX_PROGS + 1]; /* NULL-terminated */
};

extern const struct mg_group mg_group_table[MG_GROUP_COUNT];

struct mg_group_env {
	int enforce;        /* --enforce (not --advisory) */
	int lsm;            /* the BPF LSM is active */
	const char *no_lsm; /* why not, when not */
};

struct mg_group_ops {
	/* attach the program named prog: a link, or NULL with errno set */
	void *(*attach)(void *ctx, const char *prog);
	/* destroy a link attach returned; unpin: and its pin, if any */
	void (*detach)(void *ctx, void *link, int unpin);
	void *ctx;
};

struct mg_groups {
	struct mg_group_status status[MG_GROUP_COUNT]; /* mg_bpf_groups() */
	int tried[MG_GROUP_COUNT]; /* attach was attempted (needs were met) */
	void *links[MG_GROUP_COUNT][MG_GROUP_MAX_PROGS];
};

/*
 * Attach every group of mg_group_table whose needs env meets, in table
 * order, and fill g (zeroed by the caller) with what attached and why the
 * rest did not.  A group that fails is detached (and unpinned) whole.
 * Returns 0, or -errno when a required group failed: then nothing after
 * it is attempted, and the caller undoes the rest with mg_groups_detach().
 */
int mg_groups_attach(struct mg_groups *g, const struct mg_group_env *env,
		     const struct mg_group_ops *ops);
/* detach (and unpin) group id after all, because of why */
void mg_groups_drop(struct mg_groups *g, int id, const struct mg_group_ops *ops,
		    const char *why);
/* destroy every link of every group; unpin: and their pins */
void mg_groups_detach(struct mg_groups *g, const struct mg_group_ops *ops,
		      int unpin);

#endif /* MG_BPF_GROUPS_H */
