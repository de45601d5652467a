// SPDX-License-Identifier: GPL-2.0
/*
 * A module's symbols, read from the module itself.
 *
 * Reading /proc/kallsyms formats every symbol of the kernel as a line of
 * text (about 96,000 on 6.1) for modguardd to parse and throw away all but
 * a few: 1.6 s of emulated time per new module under TCG.  The kallsyms
 * iterator (iter/ksym) spares the text but still walks every core symbol
 * first (0.56 s).  A module's table is in the module: mod->kallsyms, the
 * very table module_get_kallsym() lists in /proc/kallsyms (symbols, their
 * names in strtab, one type character each in typetab).  So this program
 * walks the tables of the modules modguardd asks for (mg_ksym_want: struct
 * module addresses it has from the tracepoints) and writes a struct
 * mg_ksym_rec for each text symbol: work in proportion to those modules'
 * symbols, nothing else.
 *
 * Everything is read with bpf_probe_read_kernel(): a module that went
 * away meanwhile yields nothing or nonsense, which modguardd drops (a
 * table that names nothing in the module's text is read again).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "maps.bpf.h"
#include "core_fixes.bpf.h"

#define MG_KSYM_MAX_PER_MODULE (1 << 18)
/*
 * One program run must fit its output in the iterator's buffer (a run
 * that writes more makes the read fail with E2BIG): so the walk goes in
 * steps of at most MG_KSYM_PER_STEP symbols (records of 200 bytes), one
 * step per element of mg_ksym_steps (MG_KSYM_STEPS), the map the iterator
 * walks, and a cursor in mg_ksym_want carries it from one step to the
 * next.  A walk that ends writes an all-zero record, the end mark: without
 * it modguardd reads /proc/kallsyms instead.
 */
#define MG_KSYM_PER_STEP 150

/* the modules whose symbols this pass reads, written by modguardd */
struct mg_ksym_want {
	__u64 mods[MG_KSYM_WANT_MAX];
	__u32 n;
	/* the cursor: modguardd zeroes it with the request */
	__u32 mod; /* the module being read, index into mods */
	__u32 sym; /* its next symbol */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_ksym_want);
} mg_ksym_want SEC(".maps");

/* nothing but a count of steps for the iterator to walk */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MG_KSYM_STEPS);
	__type(key, __u32);
	__type(value, __u8);
} mg_ksym_steps SEC(".maps");

_Static_assert(MG_KSYM_PER_STEP * sizeof(struct mg_ksym_rec) + 
		       sizeof(struct mg_ksym_rec) < 8 * 4096,
	       "a step's records and the end mark fit the iterator's buffer");

/* the record being written: too big for the BPF stack beside the walk */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_ksym_rec);
} mg_ksym_rec_scratch SEC(".maps");

struct step {
	struct seq_file *seq;
	struct mg_ksym_want *want;
	Elf64_Sym *symtab;
	char *strtab;
	char *typetab;
	__u32 first;  /* the symbol index this module's part starts at */
	__u32 budget; /* symbols this step may still look at */
	char module[MG_MODULE_NAME_LEN];
};

static long sym_one(__u32 i, struct step *w)
{
	struct mg_ksym_rec *r;
	__u32 zero = 0, k = w->first + i;
	Elf64_Sym sym;
	char type;
	long n;

	if (bpf_probe_read_kernel(&type, 1, w->typetab + k) ||
	    (type | 0x20) != 't')
		return 0;
	if (bpf_probe_read_kernel(&sym, sizeof(sym), w->symtab + k) ||
	    !sym.st_value)
		return 0;
	r = bpf_map_lookup_elem(&mg_ksym_rec_scratch, &zero);
	if (!r)
		return 1;
	r->addr = sym.st_value;
	r->type = type;
	__builtin_memcpy(r->module, w->module, sizeof(r->module));
	n = bpf_probe_read_kernel_str(r->name, sizeof(r->name),
				      w->strtab + sym.st_name);
	if (n <= 1)
		return 0;
	r->name_cut = n == sizeof(r->name);
	bpf_seq_write(w->seq, r, sizeof(*r));
	return 0;
}

/* after the last module, once: modguardd knows the walk was whole */
static __always_inline void end_mark(struct step *w)
{
	struct mg_ksym_want *want = w->want;
	struct mg_ksym_rec *r;
	__u32 zero = 0;

	if (want->sym == MG_KSYM_END)
		return;
	want->sym = MG_KSYM_END;
	r = bpf_map_lookup_elem(&mg_ksym_rec_scratch, &zero);
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	bpf_seq_write(w->seq, r, sizeof(*r));
}

/* the next part of the module at the cursor; 1: this step is done */
static long module_part(__u32 i, struct step *w)
{
	struct mg_ksym_want *want = w->want;
	struct mod_kallsyms___typed *ks;
	__u32 nsyms, todo;
	struct module *mod;

	if (want->mod >= want->n || want->mod >= MG_KSYM_WANT_MAX) {
		end_mark(w);
		return 1;
	}
	if (!w->budget)
		return 1;
	mod = (struct module *)want->mods[want->mod & (MG_KSYM_WANT_MAX - 1)];
	/* locals: inside BPF_CORE_READ a field of w would be relocated too */
	ks = mg_module_kallsyms(mod);
	nsyms = ks ? BPF_CORE_READ(ks, num_symtab) : 0;
	if (nsyms > MG_KSYM_MAX_PER_MODULE)
		nsyms = MG_KSYM_MAX_PER_MODULE;
	if (want->sym >= nsyms) {
		want->mod++;
		want->sym = 0;
		return 0;
	}
	BPF_CORE_READ_STR_INTO(&w->module, mod, name);
	w->symtab = BPF_CORE_READ(ks, symtab);
	w->strtab = BPF_CORE_READ(ks, strtab);
	w->typetab = BPF_CORE_READ(ks, typetab);
	if (!w->symtab || !w->strtab || !w->typetab) {
		want->mod++;
		want->sym = 0;
		return 0;
	}
	todo = nsyms - want->sym;
	if (todo > w->budget)
		todo = w->budget;
	w->first = want->sym;
	bpf_loop(todo, sym_one, w, 0);
	want->sym += todo;
	w->budget -= todo;
	return 0;
}

_Static_assert((MG_KSYM_WANT_MAX & (MG_KSYM_WANT_MAX - 1)) == 0,
	       "MG_KSYM_WANT_MAX is a mask");

SEC("iter/bpf_map_elem")
int mg_scan_ksyms(struct bpf_iter__bpf_map_elem *ctx)
{
	struct step w = { .seq = ctx->meta->seq, .budget = MG_KSYM_PER_STEP };
	__u32 zero = 0;

	if (!ctx->key)
		return 0;
	w.want = bpf_map_lookup_elem(&mg_ksym_want, &zero);
	if (!w.want)
		return 0;
	/* a module, then maybe part of the next ones, until the budget */
	bpf_loop(MG_KSYM_WANT_MAX, module_part, &w, 0);
	return 0;
}
