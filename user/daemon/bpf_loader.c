// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"
#include "modguard.skel.h"

struct mg_bpf {
	struct modguard_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[40];
	int nlinks;
	struct mg_bpf_caps caps;
	struct bpf_link *watch[4];
	struct entry_probe {
		uint64_t mod, func;
		struct bpf_link *entry, *ret;
	} *entries;
	size_t nentries;
	mg_event_fn fn;
	void *ctx;
};

static int on_ringbuf(void *ctx, void *data, size_t len)
{
	struct mg_bpf *b = ctx;

	if (len < sizeof(struct mg_event))
		return 0;
	b->fn(data, b->ctx);
	return 0;
}

static int attach(struct mg_bpf *b, struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach(prog);
	int err;

	if (!link) {
		err = -errno;
		mg_warn("bpf: cannot attach %s: %s", bpf_program__name(prog),
			strerror(-err));
		return err;
	}
	b->links[b->nlinks++] = link;
	return 0;
}

/* the address of a core kernel symbol from kallsyms, 0 if not found */
static uint64_t kernel_symbol(const char *kallsyms, const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	uint64_t found = 0;
	FILE *f = fopen(kallsyms, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3)
			continue;
		if (!strcmp(sym, name) && !strchr(line, '[')) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/* attach a group of programs; the group counts only if all attached */
static int attach_group(struct mg_bpf *b, struct bpf_program **progs, int n,
			const char *what)
{
	int ok = 1;

	for (int i = 0; i < n; i++)
		if (attach(b, progs[i]))
			ok = 0;
	if (!ok)
		mg_warn("bpf: %s are not tracked on this kernel", what);
	return ok;
}

/* is the BPF LSM among the active LSMs? (lsm= on the command line) */
static int bpf_lsm_active(char *why, size_t len)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (!f) {
		snprintf(why, len, "/sys/kernel/security/lsm cannot be read "
			 "(securityfs not mounted?)");
		return 0;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(why, len, "the BPF LSM is not active (active LSMs: %s); add "
		 "\"bpf\" to lsm= on the kernel command line", buf);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
		if (!strcmp(tok, "bpf")) {
			why[0] = '\0';
			return 1;
		}
	return 0;
}

int mg_bpf_start(struct mg_bpf **out, const char *kallsyms, int enforce,
		 mg_event_fn fn, void *ctx)
{
	struct mg_bpf *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fn = fn;
	b->ctx = ctx;

	b->skel = modguard_bpf__open();
	if (!b->skel) {
		err = -errno;
		mg_err("bpf: cannot open the embedded object: %s", strerror(-err));
		goto fail;
	}
	/* delayed work arms a core timer; the work's function is what counts */
	b->skel->rodata->mg_dwork_timer_fn =
		kernel_symbol(kallsyms, "delayed_work_timer_fn");
	b->skel->rodata->mg_rcu_state = kernel_symbol(kallsyms, "rcu_state");
	if (!b->skel->rodata->mg_dwork_timer_fn)
		mg_warn("bpf: delayed_work_timer_fn not in %s: delayed work "
			"shows as a core timer", kallsyms);
	if (!b->skel->rodata->mg_rcu_state)
		mg_warn("bpf: rcu_state not in %s: an RCU callback counts as "
			"pending until a later rcu_barrier()", kallsyms);

	err = modguard_bpf__load(b->skel);
	if (err) {
		mg_err("bpf: the verifier or the kernel refused modguard's programs: %s "
		       "(run with -v for the verifier log)", strerror(-err));
		goto fail;
	}

	/* without the lifecycle tracepoints there is nothing to guard */
	err = attach(b, b->skel->progs.mg_module_load);
	if (!err)
		err = attach(b, b->skel->progs.mg_module_free);
	if (err) {
		mg_err("bpf: module:module_load/module_free did not attach; "
		       "this kernel lacks module tracepoints (CONFIG_MODULES?)");
		goto fail;
	}
	b->caps.lifecycle = 1;
	{
		__typeof__(b->skel->progs) *p = &b->skel->progs;
		struct bpf_program *refs[] = { p->mg_module_get, p->mg_module_put };
		struct bpf_program *timers[] = { p->mg_timer_start, p->mg_timer_cancel,
						 p->mg_hrtimer_start,
						 p->mg_hrtimer_cancel };
		struct bpf_program *work[] = { p->mg_work_queue, p->mg_work_start };
		struct bpf_program *tasklets[] = { p->mg_tasklet_schedule,
						   p->mg_tasklet_hi_schedule };
		struct bpf_program *rcu[] = { p->mg_call_rcu, p->mg_rcu_barrier_enter,
					      p->mg_rcu_barrier_exit };
		struct bpf_program *notifiers[] = {
			p->mg_notifier_register, p->mg_atomic_notifier_unregister,
			p->mg_blocking_notifier_unregister,
			p->mg_raw_notifier_unregister, p->mg_srcu_notifier_unregister
		};
		struct bpf_program *fops[] = { p->mg_misc_register, p->mg_misc_deregister,
					       p->mg_cdev_add, p->mg_cdev_del,
					       p->mg_proc_register, p->mg_pde_free };
#define GROUP(a, what) attach_group(b, a, sizeof(a) / sizeof(a[0]), what)
		b->caps.refs = GROUP(refs, "module references");
		b->caps.timers = GROUP(timers, "timers and hrtimers");
		b->caps.work = GROUP(work, "work items");
		b->caps.tasklets = GROUP(tasklets, "tasklets");
		b->caps.rcu = GROUP(rcu, "RCU callbacks");
		b->caps.notifiers = GROUP(notifiers, "notifier blocks");
		b->caps.fops = GROUP(fops, "owner-less file operations");
		if (!enforce) {
			snprintf(b->caps.advisory_reason,
				 sizeof(b->caps.advisory_reason),
				 "modguardd runs with --advisory");
		} else if (bpf_lsm_active(b->caps.advisory_reason,
					  sizeof(b->caps.advisory_reason))) {
			struct bpf_program *enf[] = { p->mg_delete_enter,
						      p->mg_delete_exit,
						      p->mg_capable };

			b->caps.enforcing = GROUP(enf, "plain delete_module() calls");
			if (!b->caps.enforcing)
				snprintf(b->caps.advisory_reason,
					 sizeof(b->caps.advisory_reason),
					 "the lsm/capable or delete_module "
					 "programs did not attach (see the log)");
		}
		if (enforce && !b->caps.fops && b->caps.enforcing) {
			/* without entry points the picture is stack scans only */
			mg_warn("bpf: enforcement without owner-less fops "
				"tracking: only tasks seen by scans count");
		}
		b->skel->bss->mg_enforcing = b->caps.enforcing;
#undef GROUP
	}

	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.mg_events),
				 on_ringbuf, b, NULL);
	if (!b->rb) {
		err = -errno;
		mg_err("bpf: cannot set up the ring buffer: %s", strerror(-err));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	mg_bpf_stop(b);
	return err ? err : -EINVAL;
}

int mg_bpf_scan_modules(struct mg_bpf *b)
{
	struct bpf_link *link;
	char buf[4096];
	int fd, err = 0;
	ssize_t n;

	link = bpf_program__attach_iter(b->skel->progs.mg_scan_modules, NULL);
	if (!link) {
		err = -errno;
		mg_err("bpf: cannot create the kallsyms iterator: %s", strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		mg_err("bpf: cannot start the kallsyms iterator: %s", strerror(-err));
		goto out;
	}
	/* the program emits events; reading drives it to the end */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0) {
		err = -errno;
		mg_err("bpf: kallsyms iterator failed: %s", strerror(-err));
	}
	close(fd);
out:
	bpf_link__destroy(link);
	return err;
}

int mg_bpf_armed(struct mg_bpf *b, uint64_t **objs, struct mg_armed_info **infos,
		 size_t *n)
{
	int fd = bpf_map__fd(b->skel->maps.mg_armed);
	size_t cap = 64, cnt = 0;
	uint64_t key, next, *o = malloc(cap * sizeof(*o));
	struct mg_armed_info *in = malloc(cap * sizeof(*in));
	void *prev = NULL;

	if (!o || !in) {
		free(o);
		free(in);
		return -ENOMEM;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (cnt == cap) {
			void *o2, *in2;

			cap *= 2;
			o2 = realloc(o, cap * sizeof(*o));
			if (o2)
				o = o2;
			in2 = realloc(in, cap * sizeof(*in));
			if (in2)
				in = in2;
			if (!o2 || !in2) {
				free(o);
				free(in);
				return -ENOMEM;
			}
		}
		if (bpf_map_lookup_elem(fd, &key, &in[cnt]))
			continue; /* disarmed meanwhile */
		o[cnt++] = key;
	}
	*objs = o;
	*infos = in;
	*n = cnt;
	return 0;
}

int mg_bpf_settle_armed(struct mg_bpf *b)
{
	int map_fd = bpf_map__fd(b->skel->maps.mg_armed), fd, err, dropped = 0;
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = { .map.map_fd = map_fd };
	struct bpf_link *link;
	uint64_t obj;
	ssize_t n;

	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	link = bpf_program__attach_iter(b->skel->progs.mg_check_armed, &opts);
	if (!link) {
		err = -errno;
		mg_warn("bpf: cannot check the callback ledger: %s", strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	while ((n = read(fd, &obj, sizeof(obj))) == sizeof(obj)) {
		if (!bpf_map_delete_elem(map_fd, &obj))
			dropped++;
	}
	close(fd);
	bpf_link__destroy(link);
	return dropped;
}

void mg_bpf_forget_armed(struct mg_bpf *b, uint64_t mod)
{
	struct mg_armed_info *infos;
	uint64_t *objs;
	size_t n;

	if (mg_bpf_armed(b, &objs, &infos, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (infos[i].mod == mod)
			bpf_map_delete_elem(bpf_map__fd(b->skel->maps.mg_armed),
					    &objs[i]);
	free(objs);
	free(infos);
}

static void watch_detach(struct mg_bpf *b)
{
	for (int i = 0; i < 4; i++) {
		bpf_link__destroy(b->watch[i]);
		b->watch[i] = NULL;
	}
}

int mg_bpf_watch(struct mg_bpf *b, const uint32_t *pids, size_t n)
{
	struct bpf_program *progs[4] = {
		b->skel->progs.mg_watch_switch, b->skel->progs.mg_watch_sys_exit,
		b->skel->progs.mg_watch_exit, b->skel->progs.mg_watch_init_done,
	};
	int fd = bpf_map__fd(b->skel->maps.mg_watch_pids);
	uint32_t one = 1;

	if (!n) {
		watch_detach(b);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_update_elem(fd, &pids[i], &one, BPF_ANY);
	for (int i = 0; i < 4; i++) {
		if (b->watch[i])
			continue;
		b->watch[i] = bpf_program__attach(progs[i]);
		if (!b->watch[i]) {
			int err = -errno;

			mg_warn("bpf: cannot attach %s: %s; a waiting unload "
				"re-checks only on reference drops and its timeout",
				bpf_program__name(progs[i]), strerror(-err));
		}
	}
	return 0;
}

int mg_bpf_watch_entry(struct mg_bpf *b, uint64_t mod, uint64_t func)
{
	LIBBPF_OPTS(bpf_kprobe_opts, ropts, .retprobe = true, .bpf_cookie = mod,
		    .offset = func);
	LIBBPF_OPTS(bpf_kprobe_opts, eopts, .bpf_cookie = mod, .offset = func);
	struct entry_probe *e, *n;
	int err;

	for (size_t i = 0; i < b->nentries; i++)
		if (b->entries[i].func == func && b->entries[i].mod == mod)
			return 0;
	n = realloc(b->entries, (b->nentries + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->entries = n;
	e = &b->entries[b->nentries];
	memset(e, 0, sizeof(*e));
	e->mod = mod;
	e->func = func;
	/*
	 * The return probe goes on first: then every counted entry has its
	 * return seen.  By address (no name: module functions often share
	 * names); kprobes take no module reference, unlike fentry.
	 */
	e->ret = bpf_program__attach_kprobe_opts(b->skel->progs.mg_entry_return,
						 NULL, &ropts);
	if (!e->ret)
		goto fail;
	e->entry = bpf_program__attach_kprobe_opts(b->skel->progs.mg_entry,
						   NULL, &eopts);
	if (!e->entry)
		goto fail;
	b->nentries++;
	return 0;
fail:
	err = -errno;
	bpf_link__destroy(e->ret);
	mg_warn("bpf: cannot watch entry point 0x%llx: %s; callers entering "
		"there are seen only by task scans",
		(unsigned long long)func, strerror(-err));
	return err;
}

void mg_bpf_unwatch_entries(struct mg_bpf *b, uint64_t mod)
{
	size_t j = 0;

	for (size_t i = 0; i < b->nentries; i++) {
		if (b->entries[i].mod == mod) {
			bpf_link__destroy(b->entries[i].entry);
			bpf_link__destroy(b->entries[i].ret);
			continue;
		}
		b->entries[j++] = b->entries[i];
	}
	b->nentries = j;
}

void mg_bpf_wake_on_refs(struct mg_bpf *b, int on)
{
	b->skel->bss->mg_wake_on_refs = !!on;
}

int64_t mg_bpf_inflight(struct mg_bpf *b, uint64_t mod)
{
	int64_t v = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.mg_inflight), &mod, &v))
		return 0;
	return v > 0 ? v : 0;
}

void mg_bpf_set_stack_busy(struct mg_bpf *b, uint64_t mod, uint32_t tasks)
{
	int fd = bpf_map__fd(b->skel->maps.mg_stack_busy);

	if (tasks)
		bpf_map_update_elem(fd, &mod, &tasks, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &mod);
}

int mg_bpf_ringbuf_fd(struct mg_bpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int mg_bpf_consume(struct mg_bpf *b)
{
	return ring_buffer__consume(b->rb);
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

	if (bpf_map_lookup_elem(fd, &mod, &info))
		return;
	forget_pages(bpf_map__fd(b->skel->maps.mg_text_pages), mod,
		     info.text_start, info.text_size);
	forget_pages(bpf_map__fd(b->skel->maps.mg_init_pages), mod,
		     info.init_start, info.init_size);
	bpf_map_delete_elem(fd, &mod);
	mg_bpf_forget_armed(b, mod);
	mg_bpf_unwatch_entries(b, mod);
}

int mg_bpf_stats(struct mg_bpf *b, uint64_t out[MG_STAT_MAX])
{
	int fd = bpf_map__fd(b->skel->maps.mg_stats);
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < MG_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

const struct mg_bpf_caps *mg_bpf_caps(struct mg_bpf *b)
{
	return &b->caps;
}

struct modguard_bpf *mg_bpf_skel(struct mg_bpf *b)
{
	return b->skel;
}

void mg_bpf_stop(struct mg_bpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	watch_detach(b);
	for (size_t i = 0; i < b->nentries; i++) {
		bpf_link__destroy(b->entries[i].entry);
		bpf_link__destroy(b->entries[i].ret);
	}
	free(b->entries);
	for (int i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	modguard_bpf__destroy(b->skel);
	free(b);
}
