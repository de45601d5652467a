// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf_groups.h"
#include "log.h"

const struct mg_group mg_group_table[MG_GROUP_COUNT] = {
	/* without the lifecycle tracepoints there is nothing to guard */
	[MG_GROUP_LIFECYCLE] = {
		"lifecycle", "module loads and frees", 1, 0,
		"module:module_load/module_free did not attach; this kernel "
		"lacks module tracepoints (CONFIG_MODULES?)",
		{ "mg_module_load", "mg_module_free" } },
	[MG_GROUP_REFS] = {
		"refs", "module references", 0, 0, NULL,
		{ "mg_module_get", "mg_module_put", "mg_ref_exit" } },
	[MG_GROUP_TIMERS] = {
		"timers", "timers and hrtimers", 0, 0, NULL,
		{ "mg_timer_start", "mg_timer_cancel", "mg_hrtimer_start",
		  "mg_hrtimer_cancel" } },
	[MG_GROUP_WORK] = {
		"work", "work items", 0, 0, NULL,
		{ "mg_work_queue", "mg_work_start" } },
	[MG_GROUP_TASKLETS] = {
		"tasklets", "tasklets", 0, 0, NULL,
		{ "mg_tasklet_schedule", "mg_tasklet_hi_schedule" } },
	[MG_GROUP_RCU] = {
		"rcu", "RCU callbacks", 0, 0, NULL,
		{ "mg_call_rcu", "mg_rcu_barrier_enter" } },
	[MG_GROUP_SRCU] = {
		"srcu", "SRCU callbacks", 0, 0, NULL,
		{ "mg_call_srcu", "mg_srcu_barrier_enter" } },
	[MG_GROUP_NOTIFIERS] = {
		"notifiers", "notifier blocks", 0, 0, NULL,
		{ "mg_notifier_register", "mg_atomic_notifier_unregister",
		  "mg_blocking_notifier_unregister",
		  "mg_raw_notifier_unregister",
		  "mg_srcu_notifier_unregister" } },
	/* the delayed kind's timer is seen by the timers group */
	[MG_GROUP_KTHREAD_WORK] = {
		"kthread_work", "kthread worker items", 0, 0, NULL,
		{ "mg_kthread_work_queue", "mg_kthread_work_start",
		  "mg_kthread_work_cancel", "mg_kthread_dwork_cancel" } },
	[MG_GROUP_FILESYSTEMS] = {
		"filesystems", "filesystem types", 0, 0, NULL,
		{ "mg_register_filesystem", "mg_unregister_filesystem" } },
	[MG_GROUP_NF_HOOKS] = {
		"nf_hooks", "netfilter hooks", 0, 0, NULL,
		{ "mg_nf_register_hook", "mg_nf_unregister_hook",
		  "mg_net_drop" } },
	/* free_irq() needs no probe: the ledger check sees the action go */
	[MG_GROUP_IRQS] = {
		"irqs", "interrupt handlers", 0, 0, NULL,
		{ "mg_setup_irq" } },
	[MG_GROUP_FOPS] = {
		"fops", "owner-less file operations", 0, 0, NULL,
		{ "mg_misc_register", "mg_misc_registered",
		  "mg_misc_deregister", "mg_cdev_add", "mg_cdev_del",
		  "mg_unregister_chrdev", "mg_proc_register", "mg_pde_free",
		  "mg_calls_task_free" } },
	/* earlier than sched_process_free for a zombie; optional */
	[MG_GROUP_TASK_DEAD] = {
		"task_dead", "callers that died (do_task_dead)", 0,
		MG_NEEDS_GROUP(MG_GROUP_FOPS),
		"do_task_dead is not probed: a caller that died counts until "
		"its parent reaps it",
		{ "mg_calls_task_dead" } },
	/* open files on owner-less devices: BPF LSM hooks */
	[MG_GROUP_OPEN_FILES] = {
		"open_files", "files open on owner-less devices", 0,
		MG_NEEDS_LSM | MG_NEEDS_GROUP(MG_GROUP_FOPS), NULL,
		{ "mg_file_open", "mg_file_free" } },
	[MG_GROUP_ENFORCEMENT] = {
		"enforcement", "plain delete_module() calls", 0,
		MG_NEEDS_ENFORCE | MG_NEEDS_LSM, NULL,
		{ "mg_delete_enter", "mg_delete_exit", "mg_capable" } },
	/* without it, clients' capabilities are unknown: refused (peer.h) */
	[MG_GROUP_PEER_CREDS] = {
		"peer_creds", "capabilities of clients at connect()", 0,
		MG_NEEDS_LSM, NULL,
		{ "mg_peer_connect" } },
};

/* are id's needs met?  If not, its reason says which is not */
static int needs_met(struct mg_groups *g, int id, const struct mg_group_env *env)
{
	unsigned int needs = mg_group_table[id].needs;
	char *why = g->status[id].reason;
	size_t len = sizeof(g->status[id].reason);

	if ((needs & MG_NEEDS_ENFORCE) && !env->enforce) {
		snprintf(why, len, "modguardd runs with --advisory");
		return 0;
	}
	if ((needs & MG_NEEDS_LSM) && !env->lsm) {
		snprintf(why, len, "%s", env->no_lsm);
		return 0;
	}
	for (int dep = 0; dep < MG_GROUP_COUNT; dep++)
		if ((needs & MG_NEEDS_GROUP(dep)) && !g->status[dep].active) {
			snprintf(why, len, "needs %s", mg_group_table[dep].name);
			return 0;
		}
	return 1;
}

static void drop_links(struct mg_groups *g, int id,
		       const struct mg_group_ops *ops, int unpin)
{
	for (int i = 0; i < MG_GROUP_MAX_PROGS; i++) {
		if (g->links[id][i])
			ops->detach(ops->ctx, g->links[id][i], unpin);
		g->links[id][i] = NULL;
	}
}

static void log_failed(const struct mg_group *grp)
{
	if (grp->required)
		mg_err("bpf: %s", grp->if_failed);
	else if (grp->if_failed)
		mg_warn("bpf: %s", grp->if_failed);
	else
		mg_warn("bpf: %s are not tracked on this kernel", grp->what);
}

/* all of group id, or none of it (unpinned too: a pin keeps it attached) */
static int attach_whole(struct mg_groups *g, int id,
			const struct mg_group_ops *ops)
{
	const struct mg_group *grp = &mg_group_table[id];
	struct mg_group_status *st = &g->status[id];

	g->tried[id] = 1;
	for (int i = 0; grp->progs[i]; i++) {
		int err;

		errno = 0;
		g->links[id][i] = ops->attach(ops->ctx, grp->progs[i]);
		if (g->links[id][i])
			continue;
		err = errno ? errno : EINVAL;
		snprintf(st->reason, sizeof(st->reason), "cannot attach %s: %s",
			 grp->progs[i], strerror(err));
		drop_links(g, id, ops, 1);
		log_failed(grp);
		return -err;
	}
	st->active = 1;
	return 0;
}

int mg_groups_attach(struct mg_groups *g, const struct mg_group_env *env,
		     const struct mg_group_ops *ops)
{
	for (int id = 0; id < MG_GROUP_COUNT; id++) {
		g->status[id].name = mg_group_table[id].name;
		g->status[id].what = mg_group_table[id].what;
		g->status[id].required = mg_group_table[id].required;
	}
	for (int id = 0; id < MG_GROUP_COUNT; id++) {
		int err;

		if (!needs_met(g, id, env))
			continue;
		err = attach_whole(g, id, ops);
		if (!err || !mg_group_table[id].required)
			continue;
		for (int rest = id + 1; rest < MG_GROUP_COUNT; rest++)
			snprintf(g->status[rest].reason,
				 sizeof(g->status[rest].reason),
				 "not attempted: %s did not attach",
				 mg_group_table[id].name);
		return err;
	}
	return 0;
}

void mg_groups_drop(struct mg_groups *g, int id, const struct mg_group_ops *ops,
		    const char *why)
{
	drop_links(g, id, ops, 1);
	g->status[id].active = 0;
	snprintf(g->status[id].reason, sizeof(g->status[id].reason), "%s", why);
}

void mg_groups_detach(struct mg_groups *g, const struct mg_group_ops *ops,
		      int unpin)
{
	for (int id = 0; id < MG_GROUP_COUNT; id++)
		drop_links(g, id, ops, unpin);
}
