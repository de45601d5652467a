/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What modguardd's BPF maps cost the kernel: for every map the daemon has
 * loaded, its name, type, bound (max_entries) and the memory the kernel
 * accounts to it, the "memlock:" line of /proc/self/fdinfo/<map fd> (what
 * bpftool shows as bytes_memlock).  `modguard status` shows them; every
 * map's bound and what happens when it is full: docs/MAPS.md.
 *
 * That figure is the kernel's own: on 6.4+ the map's real usage
 * (->map_mem_usage, kernel/bpf/syscall.c bpf_map_memory_usage()); before,
 * an estimate from its declaration, round_up(key_size + value_size, 8) *
 * max_entries page-aligned (bpf_map_memory_footprint()), which leaves out
 * hash element overhead and per-CPU copies and comes to 0 for a ring
 * buffer.  A ring buffer reported below its data area is counted at its
 * data area (max_entries bytes), which it allocates whatever the kernel.
 */
#ifndef MG_MAP_MEMORY_H
#define MG_MAP_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct mg_bpf;
struct bpf_object;

struct mg_map_memory {
	char name[64];        /* libbpf's: "mg_events", "modguard.rodata" */
	char type[32];        /* libbpf_bpf_map_type_str(): "hash", "ringbuf" */
	uint64_t bytes;       /* kernel-accounted memory; valid if known */
	uint32_t max_entries; /* the map's bound (a ring buffer: its bytes) */
	int known;            /* the kernel said how much (fdinfo read) */
};

/*
 * The memlock figure of a BPF map's fdinfo text (pure, no I/O): the
 * decimal number on the line "memlock:<tabs or spaces><digits>".
 * Returns 0, -ENOENT (no memlock line: not a BPF map, or a kernel older
 * than 4.10) or -EINVAL (a memlock line that is not one plain number that
 * fits 64 bits); *bytes is only written on success.
 */
int mg_map_memory_parse(const char *fdinfo, uint64_t *bytes);

/*
 * What a map is counted at: memlock, the kernel's figure, but at least
 * the data area of a ring buffer (before 6.4 the kernel says 0 for one).
 * type is libbpf's name of the map type.
 */
uint64_t mg_map_memory_bytes(const char *type, uint32_t max_entries,
			     uint64_t memlock);

/* the memlock figure of map fd fd (/proc/self/fdinfo/<fd>): 0 or -errno */
int mg_map_memory_of_fd(int fd, uint64_t *bytes);

/*
 * Append every map of obj that was created (has an fd) to *maps (*n of
 * them, realloc'd; the caller frees it).  A map whose fdinfo cannot be
 * read is listed with known = 0.  Returns 0 or -ENOMEM.
 */
int mg_map_memory_of_object(const struct bpf_object *obj,
			    struct mg_map_memory **maps, size_t *n);

/*
 * Every map of the BPF layer b, in object order, and their sum of known
 * bytes in *total.  *maps is malloc'd (NULL when *n == 0); the caller
 * frees it.  Returns 0 or -errno (logged).
 */
int mg_map_memory_list(struct mg_bpf *b, struct mg_map_memory **maps,
		       size_t *n, uint64_t *total);

#endif /* MG_MAP_MEMORY_H */
