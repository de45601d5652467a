// SPDX-License-Identifier: GPL-2.0
/* The memory of modguardd's BPF maps; see map_memory.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf_loader.h"
#include "log.h"
#include "map_memory.h"
#include "modguard.skel.h"

#define MEMLOCK_KEY "memlock:"
/* a map's fdinfo is ten short lines (kernel/bpf/syscall.c) */
#define FDINFO_MAX 4096

/* one plain decimal number, no sign, up to UINT64_MAX; 0 or -EINVAL */
static int parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int mg_map_memory_parse(const char *fdinfo, uint64_t *bytes)
{
	const char *line = fdinfo;

	if (!fdinfo)
		return -EINVAL;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len >= strlen(MEMLOCK_KEY) &&
		    !strncmp(line, MEMLOCK_KEY, strlen(MEMLOCK_KEY))) {
			const char *v = line + strlen(MEMLOCK_KEY);
			size_t vlen = len - strlen(MEMLOCK_KEY);

			for (; vlen && (*v == ' ' || *v == '\t'); v++, vlen--)
				;
			while (vlen && (v[vlen - 1] == ' ' ||
					v[vlen - 1] == '\t'))
				vlen--;
			return parse_decimal(v, vlen, bytes);
		}
		if (!end)
			break;
		line = end + 1;
	}
	return -ENOENT;
}

uint64_t mg_map_memory_bytes(const char *type, uint32_t max_entries,
			     uint64_t memlock)
{
	/* ringbuf_map_alloc(): max_entries is the size of its data pages */
	if (type && !strcmp(type, "ringbuf") && memlock < max_entries)
		return max_entries;
	return memlock;
}

int mg_map_memory_of_fd(int fd, uint64_t *bytes)
{
	char path[64], buf[FDINFO_MAX];
	size_t len = 0;
	ssize_t got;
	int f, err = 0;

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		got = read(f, buf + len, sizeof(buf) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (!got)
			break;
		len += (size_t)got;
	}
	close(f);
	if (err)
		return err;
	buf[len] = '\0';
	return mg_map_memory_parse(buf, bytes);
}

static void describe(const struct bpf_map *map, struct mg_map_memory *m)
{
	enum bpf_map_type t = bpf_map__type(map);
	const char *type = libbpf_bpf_map_type_str(t);
	uint64_t memlock = 0;
	int err;

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", bpf_map__name(map));
	if (type)
		snprintf(m->type, sizeof(m->type), "%s", type);
	else
		snprintf(m->type, sizeof(m->type), "type %d", (int)t);
	m->max_entries = bpf_map__max_entries(map);
	err = mg_map_memory_of_fd(bpf_map__fd(map), &memlock);
	if (err) {
		mg_dbg("bpf: memory of map %s unknown: cannot read its fdinfo: "
		       "%s", m->name, strerror(-err));
		return;
	}
	m->bytes = mg_map_memory_bytes(m->type, m->max_entries, memlock);
	m->known = 1;
}

int mg_map_memory_of_object(const struct bpf_object *obj,
			    struct mg_map_memory **maps, size_t *n)
{
	const struct bpf_map *map;
	struct mg_map_memory *grown;
	size_t add = 0;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__fd(map) >= 0)
			add++;
	if (!add)
		return 0;
	grown = realloc(*maps, (*n + add) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*maps = grown;
	bpf_object__for_each_map(map, obj) {
		/* not created (autocreate off): it takes no memory */
		if (bpf_map__fd(map) < 0 || !add)
			continue;
		describe(map, &grown[(*n)++]);
		add--;
	}
	return 0;
}

int mg_map_memory_list(struct mg_bpf *b, struct mg_map_memory **maps,
		       size_t *n, uint64_t *total)
{
	struct modguard_bpf *skel = b ? mg_bpf_skel(b) : NULL;
	int err;

	*maps = NULL;
	*n = 0;
	*total = 0;
	if (!skel)
		return 0;
	/* modguardd loads one skeleton; another would be listed here too */
	err = mg_map_memory_of_object(skel->obj, maps, n);
	if (err) {
		mg_warn("bpf: cannot list the maps' memory: %s",
			strerror(-err));
		free(*maps);
		*maps = NULL;
		*n = 0;
		return err;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*maps)[i].known)
			*total += (*maps)[i].bytes;
	return 0;
}
