// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "ksym_iter.h"
#include "log.h"
#include "modguard.skel.h"

/* bpf/module_ksyms.bpf.c's request */
struct want {
	uint64_t mods[MG_KSYM_WANT_MAX];
	uint32_t n;
	uint32_t mod, sym; /* the program's cursor: from the start */
	uint32_t _pad;
};

struct pass {
	int (*fn)(const struct mg_ksym *s, void *ctx);
	void *ctx;
	int ended; /* the end mark came: the walk was whole */
};

static int each_rec(const void *recs, size_t n, void *ctx)
{
	const struct mg_ksym_rec *in = recs;
	struct pass *p = ctx;

	for (size_t i = 0; i < n; i++) {
		struct mg_ksym_rec r = in[i];
		struct mg_ksym s;
		int err;

		if (!r.addr && !r.type) {
			p->ended = 1;
			continue;
		}
		r.module[sizeof(r.module) - 1] = '\0';
		r.name[sizeof(r.name) - 1] = '\0';
		s.addr = r.addr;
		s.type = r.type;
		s.name = r.name;
		s.module = r.module;
		err = p->fn(&s, p->ctx);
		if (err)
			return err;
	}
	return 0;
}

int mg_ksym_iter_modules(struct mg_bpf *b, const uint64_t *mods, size_t n,
			 int (*fn)(const struct mg_ksym *s, void *ctx),
			 void *ctx)
{
	struct modguard_bpf *skel = mg_bpf_skel(b);
	struct pass p = { .fn = fn, .ctx = ctx };
	static struct want want;
	const uint32_t zero = 0;

	if (!skel)
		return -ENOSYS;
	if (n > MG_KSYM_WANT_MAX)
		return -E2BIG;
	memset(&want, 0, sizeof(want));
	memcpy(want.mods, mods, n * sizeof(*mods));
	want.n = n;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.mg_ksym_want), &zero,
				&want, BPF_ANY)) {
		int err = -errno;

		mg_warn("symbolizer: cannot ask for module symbols: %s",
			strerror(-err));
		return err;
	}
	{
		union bpf_iter_link_info linfo = {
			.map.map_fd = bpf_map__fd(skel->maps.mg_ksym_steps),
		};
		LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &linfo,
			    .link_info_len = sizeof(linfo));

		int err = mg_bpf_iter_read(skel->progs.mg_scan_ksyms, &opts,
					   "module symbols",
					   sizeof(struct mg_ksym_rec), each_rec,
					   &p);

		/* more symbols than a pass's steps: the rest unread */
		return err ? err : p.ended ? 0 : -E2BIG;
	}
}
