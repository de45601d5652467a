// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle of the embedded skeleton: open, configure, load, attach
 * (by groups, bpf_groups.c), the ring buffer, stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_internal.h"
#include "fsutil.h"
#include "kallsyms.h"
#include "taker_site.h"
#include "task_class.h"
#include "log.h"

/*
 * Core kernel addresses the programs compare against, from kallsyms, and
 * what is lost without each.
 */
/* where a reference taken is someone else's: taker_site.h */
static void set_plumbing(struct mg_bpf *b, const uint64_t *lo,
			 const uint64_t *hi, size_t n)
{
	const uint64_t *slo, *shi;
	size_t used;

	mg_taker_site_set_plumbing(lo, hi, n);
	used = mg_taker_site_plumbing(&slo, &shi);
	for (size_t i = 0; i < used; i++) {
		b->skel->rodata->mg_plumbing_lo[i] = slo[i];
		b->skel->rodata->mg_plumbing_hi[i] = shi[i];
	}
	/* sorted and disjoint: the first start and the last end bound all */
	b->skel->rodata->mg_plumbing_min = used ? slo[0] : 0;
	b->skel->rodata->mg_plumbing_max = used ? shi[used - 1] : 0;
	b->skel->rodata->mg_nplumbing = used;
	mg_dbg("bpf: %zu of %zu plumbing functions found: a reference they "
	       "take is named by its taker", used, n);
}

static void set_kernel_symbols(struct mg_bpf *b, const char *kallsyms)
{
	static const char *const names[] = {
		"delayed_work_timer_fn", "module_notify_list", "rcu_state",
		"init_user_ns", "kthread_delayed_work_timer_fn", "file_systems",
		"kthread_worker_fn", "def_blk_fops", "super_blocks",
	};
	static const char *const without[] = {
		"delayed work shows as a core timer",
		"an unload waiting for a module's init re-checks on its next "
		"reference drop",
		"an RCU callback counts as pending until a later rcu_barrier()",
		"clients' capabilities are unknown: no raw addresses, unloads "
		"for uid 0 only",
		"delayed kthread work shows as a core timer",
		"a filesystem registration that failed counts until the "
		"module goes",
		"a kthread worker running a module's work counts as a "
		"foreign caller",
		"block devices opened before modguardd started are not "
		"attributed",
		"mounts made before modguardd started are not attributed",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	const char *all[N + MG_PLUMBING_MAX];
	uint64_t addr[N + MG_PLUMBING_MAX], end[N + MG_PLUMBING_MAX];
	size_t nplumb = 0;

	_Static_assert(sizeof(without) / sizeof(without[0]) == N, "without");
	memcpy(all, names, sizeof(names));
	while (mg_plumbing_names[nplumb] && nplumb < MG_PLUMBING_MAX) {
		all[N + nplumb] = mg_plumbing_names[nplumb];
		nplumb++;
	}
	/* one pass for all: kallsyms takes 0.2-0.4 s to read under TCG */
	mg_kallsyms_lookup_ranges(kallsyms, all, addr, end, N + nplumb);
	set_plumbing(b, addr + N, end + N, nplumb);
	/* delayed work arms a core timer; the work's function is what counts */
	b->skel->rodata->mg_dwork_timer_fn = addr[0];
	b->skel->rodata->mg_module_notify_list = addr[1];
	b->skel->rodata->mg_rcu_state = addr[2];
	b->skel->rodata->mg_init_user_ns = addr[3];
	b->skel->rodata->mg_kthread_dwork_timer_fn = addr[4];
	b->skel->rodata->mg_file_systems = addr[5];
	mg_task_class_set_kthread_worker_fn(addr[6]);
	b->skel->rodata->mg_def_blk_fops = addr[7];
	b->skel->rodata->mg_super_blocks = addr[8];
	for (int i = 0; i < N; i++)
		if (!addr[i])
			mg_warn("bpf: %s not in %s: %s", names[i], kallsyms,
				without[i]);
}

static int open_and_load(struct mg_bpf *b, const char *kallsyms,
			 const char *pin_dir)
{
	int err;

	b->skel = modguard_bpf__open();
	if (!b->skel) {
		err = -errno;
		mg_err("bpf: cannot open the embedded object: %s", strerror(-err));
		return err ? err : -EINVAL;
	}
	set_kernel_symbols(b, kallsyms);
	if (pin_dir)
		mg_pins_prepare(b, pin_dir);
	/* a refusal is said in one line: the program and the verifier's why */
	mg_libbpf_hold(1);
	err = modguard_bpf__load(b->skel);
	mg_libbpf_hold(0);
	if (err && mg_libbpf_last_prog()[0])
		mg_err("bpf: the kernel refused program %s: %s (-v shows the "
		       "whole verifier log)", mg_libbpf_last_prog(),
		       mg_libbpf_last_line()[0] ? mg_libbpf_last_line()
						: strerror(-err));
	else if (err)
		mg_err("bpf: cannot load modguard's programs: %s%s%s",
		       strerror(-err), mg_libbpf_last_warning()[0] ? ": " : "",
		       mg_libbpf_last_warning());
	return err;
}

/* is the BPF LSM among the active LSMs? (lsm= on the command line) */
static int bpf_lsm_active(char *why, size_t len)
{
	char buf[512];

	if (mg_read_first_line("/sys/kernel/security/lsm", buf, sizeof(buf))) {
		snprintf(why, len, "/sys/kernel/security/lsm cannot be read "
			 "(securityfs not mounted?)");
		return 0;
	}
	/* the list cut so that the advice always fits */
	snprintf(why, len, "the BPF LSM is not active (active LSMs: %.150s); "
		 "add \"bpf\" to lsm= on the kernel command line", buf);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
		if (!strcmp(tok, "bpf")) {
			why[0] = '\0';
			return 1;
		}
	return 0;
}

/* the groups' links are the skeleton's programs, pinned when we pin */
static void *group_attach(void *ctx, const char *name)
{
	struct mg_bpf *b = ctx;
	struct bpf_program *prog;

	prog = bpf_object__find_program_by_name(b->skel->obj, name);
	if (!prog) {
		mg_warn("bpf: cannot attach %s: no such program", name);
		errno = ENOENT;
		return NULL;
	}
	return mg_pins_attach(b, prog);
}

static void group_detach(void *ctx, void *link, int unpin)
{
	(void)ctx;
	mg_link_drop(link, unpin);
}

/* the caps other code reads, from the groups, and what they imply */
static void set_caps(struct mg_bpf *b, const struct mg_group_env *env)
{
	const struct mg_group_status *s = b->groups.status;
	struct mg_bpf_caps *c = &b->caps;

	c->lifecycle = s[MG_GROUP_LIFECYCLE].active;
	c->refs = s[MG_GROUP_REFS].active;
	c->timers = s[MG_GROUP_TIMERS].active;
	c->work = s[MG_GROUP_WORK].active;
	c->tasklets = s[MG_GROUP_TASKLETS].active;
	c->rcu = s[MG_GROUP_RCU].active;
	c->notifiers = s[MG_GROUP_NOTIFIERS].active;
	c->fops = s[MG_GROUP_FOPS].active;
	c->open_files = s[MG_GROUP_OPEN_FILES].active;
	c->enforcing = s[MG_GROUP_ENFORCEMENT].active;
	if (!b->groups.tried[MG_GROUP_OPEN_FILES])
		mg_warn("bpf: files open on owner-less devices are not "
			"counted: %s", env->lsm ? "the fops kprobes did not attach"
						: env->no_lsm);
	if (!c->enforcing)
		snprintf(c->advisory_reason, sizeof(c->advisory_reason), "%s",
			 b->groups.tried[MG_GROUP_ENFORCEMENT]
				 ? "the lsm/capable or delete_module programs "
				   "did not attach (see the log)"
				 : s[MG_GROUP_ENFORCEMENT].reason);
	/* without entry points the picture is stack scans only */
	if (env->enforce && !c->fops && c->enforcing)
		mg_warn("bpf: enforcement without owner-less fops "
			"tracking: only tasks seen by scans count");
}

/*
 * The programs refuse only once mg_config says so.  If it cannot say so,
 * the enforcement is not on: then none of it may stay attached.  (Not
 * enforcing, none of it is: forget_inactive() dropped a predecessor's.)
 */
static void switch_enforcement(struct mg_bpf *b, const struct mg_group_ops *ops)
{
	int err = mg_config_set_enforcing(b, b->caps.enforcing);
	char why[200];

	if (!err || !b->caps.enforcing)
		return;
	snprintf(why, sizeof(why), "mg_config cannot be written: %s",
		 strerror(-err));
	mg_warn("bpf: enforcement is off: %s", why);
	mg_groups_drop(&b->groups, MG_GROUP_ENFORCEMENT, ops, why);
	snprintf(b->caps.advisory_reason, sizeof(b->caps.advisory_reason),
		 "%s", why);
	b->caps.enforcing = 0;
}

/*
 * A predecessor of our build may have pinned programs of a group that is
 * not attached now (it enforced, we are --advisory; or the group failed
 * before them): their pins alone would keep them running.
 */
static void forget_inactive(struct mg_bpf *b)
{
	for (int id = 0; id < MG_GROUP_COUNT; id++)
		for (int i = 0; !b->groups.status[id].active &&
				mg_group_table[id].progs[i]; i++)
			mg_pins_forget(b, mg_group_table[id].progs[i]);
}

static int attach_groups(struct mg_bpf *b, int enforce)
{
	struct mg_group_ops ops = { group_attach, group_detach, b };
	char no_lsm[256];
	struct mg_group_env env = {
		.enforce = enforce,
		.lsm = bpf_lsm_active(no_lsm, sizeof(no_lsm)),
		.no_lsm = no_lsm,
	};
	int err = mg_groups_attach(&b->groups, &env, &ops);

	if (err)
		return err;
	forget_inactive(b);
	set_caps(b, &env);
	switch_enforcement(b, &ops);
	return 0;
}

static int on_ringbuf(void *ctx, void *data, size_t len)
{
	struct mg_bpf *b = ctx;
	const struct mg_event *e = data;
	struct mg_event copy;

	if (len < sizeof(struct mg_event))
		return 0;
	/* a stack is read only where the record has room for it */
	if (e->type == MG_EV_REF_GET && e->ref.nstack &&
	    (len < sizeof(struct mg_ref_event) ||
	     e->ref.nstack > MG_TAKER_DEPTH)) {
		copy = *e;
		copy.ref.nstack = 0;
		e = &copy;
	}
	/* the ledger changed under the settle's snapshot: not to be used */
	if (e->type == MG_EV_MODULE_FREE || e->type == MG_EV_MODULE_LOAD ||
	    e->type == MG_EV_LEFT_BEHIND)
		mg_bpf_armed_snapshot_end(b);
	b->fn(e, b->ctx);
	return 0;
}

static int open_ringbuf(struct mg_bpf *b)
{
	int err;

	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.mg_events),
				 on_ringbuf, b, NULL);
	if (b->rb)
		return 0;
	err = errno ? -errno : -EINVAL;
	mg_err("bpf: cannot set up the ring buffer: %s", strerror(-err));
	return err;
}

int mg_bpf_start(struct mg_bpf **out, const char *kallsyms, int enforce,
		 const char *pin_dir, mg_event_fn fn, void *ctx)
{
	struct mg_bpf *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fn = fn;
	b->ctx = ctx;
	err = open_and_load(b, kallsyms, pin_dir);
	if (!err)
		err = attach_groups(b, enforce);
	if (!err) {
		mg_pins_adopt(b);
		err = open_ringbuf(b);
	}
	if (err) {
		mg_bpf_stop(b);
		return err;
	}
	*out = b;
	return 0;
}

int mg_bpf_scan_modules(struct mg_bpf *b)
{
	/* the program emits events; reading drives it to the end */
	return mg_bpf_iter_read(b->skel->progs.mg_scan_modules, NULL,
				"kallsyms", 1, NULL, NULL);
}

int mg_bpf_ringbuf_fd(struct mg_bpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int mg_bpf_consume(struct mg_bpf *b)
{
	return ring_buffer__consume(b->rb);
}

const struct mg_bpf_caps *mg_bpf_caps(struct mg_bpf *b)
{
	return &b->caps;
}

size_t mg_bpf_groups(struct mg_bpf *b, const struct mg_group_status **out)
{
	*out = b->groups.status;
	return MG_GROUP_COUNT;
}

struct modguard_bpf *mg_bpf_skel(struct mg_bpf *b)
{
	return b->skel;
}

void mg_bpf_keep_pins(struct mg_bpf *b, int keep)
{
	b->keep_pins = keep;
}

void mg_bpf_stop(struct mg_bpf *b)
{
	struct mg_group_ops ops = { group_attach, group_detach, b };

	if (!b)
		return;
	ring_buffer__free(b->rb);
	mg_task_watch_detach(b);
	/*
	 * A clean stop detaches everything (unpinned links go with their last
	 * fd); --keep-enforcing leaves the pinned programs running for the
	 * next modguardd, e.g. across an upgrade.
	 */
	mg_entries_drop(b, !b->keep_pins);
	mg_calls_ends_detach(b, !b->keep_pins);
	mg_groups_detach(&b->groups, &ops, !b->keep_pins);
	if (!b->keep_pins)
		mg_pins_remove(b);
	modguard_bpf__destroy(b->skel);
	free(b->armed_objs);
	free(b->armed_infos);
	free(b);
}
