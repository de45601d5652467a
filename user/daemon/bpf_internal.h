/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of modguardd's BPF layer (bpf_*.c) share: struct mg_bpf
 * and the helpers one of them provides to the others.  Not for the rest of
 * the daemon, which uses bpf_loader.h.
 */
#ifndef MG_BPF_INTERNAL_H
#define MG_BPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "bpf_groups.h"
#include "bpf_loader.h"
#include "modguard.skel.h"

#define MG_CALLS_ENDS 3  /* bpf/inflight.bpf.c: sys_enter, sys_exit, work end */
#define MG_WATCH_PROGS 4 /* bpf/task_watch.bpf.c */

/* a kprobe on an owner-less fops function, counting its callers */
struct mg_entry_probe {
	uint64_t mod, func;
	struct bpf_link *entry;
};

struct mg_bpf {
	struct modguard_bpf *skel;
	struct ring_buffer *rb;
	struct mg_groups groups;
	struct mg_bpf_caps caps;
	/* the system call hooks that end in-flight calls; NULL: detached */
	struct bpf_link *calls_ends[MG_CALLS_ENDS];
	struct bpf_link *watch[MG_WATCH_PROGS];
	char pin_base[200];  /* the --pin-dir folder */
	char pin_dir[240];   /* pin_base/<build id>; "" when nothing is pinned */
	int same_version;    /* the pinned programs are ours: adopt them */
	int keep_pins;       /* leave everything pinned on stop */
	struct mg_entry_probe *entries;
	size_t nentries;
	mg_event_fn fn;
	void *ctx;
	/*
	 * what the last ledger settle walked of mg_armed, for a dump right
	 * after it (the same request): armed_at is when (CLOCK_MONOTONIC
	 * ns), 0 when there is none
	 */
	uint64_t *armed_objs;
	struct mg_armed_info *armed_infos;
	size_t narmed;
	uint64_t armed_at;
};

/* bpf_pins.c */
/* pin the maps under base/<build id>; before the skeleton is loaded */
int mg_pins_prepare(struct mg_bpf *b, const char *base);
/* attach prog, or adopt the link a predecessor of our build pinned */
struct bpf_link *mg_pins_attach(struct mg_bpf *b, struct bpf_program *prog);
/* remove the pin of program prog's link, if any */
void mg_pins_forget(struct mg_bpf *b, const char *prog);
/* pin an entry probe, so that a restarted daemon keeps counting */
void mg_pins_entry(struct mg_bpf *b, const struct mg_entry_probe *e);
/* once attached: take over a predecessor's entry probes, sweep old builds */
void mg_pins_adopt(struct mg_bpf *b);
/* a clean stop: unpin the maps and remove our folder */
void mg_pins_remove(struct mg_bpf *b);
/* destroy link (NULL: nothing); unpin: and its pin */
void mg_link_drop(struct bpf_link *link, int unpin);

/* bpf_probes.c */
/* the hooks that end counted calls; all or none */
int mg_calls_ends_attach(struct mg_bpf *b);
void mg_calls_ends_detach(struct mg_bpf *b, int unpin);
/* a predecessor's hooks, pinned, with no entry point left to end */
void mg_calls_ends_forget(struct mg_bpf *b);
/* keep link as the entry probe of (mod, func); 0 or -ENOMEM */
int mg_entries_add(struct mg_bpf *b, uint64_t mod, uint64_t func,
		   struct bpf_link *link);
/* destroy every entry probe; unpin: and its pin */
void mg_entries_drop(struct mg_bpf *b, int unpin);
void mg_task_watch_detach(struct mg_bpf *b);

/* bpf_maps.c */
/* the enforcement switch of mg_config; 0 or -errno */
int mg_config_set_enforcing(struct mg_bpf *b, int on);

#endif /* MG_BPF_INTERNAL_H */
