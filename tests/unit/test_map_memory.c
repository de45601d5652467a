// SPDX-License-Identifier: GPL-2.0
/* the BPF maps' memory (user/daemon/map_memory.c) */
#include <errno.h>
#include <sys/eventfd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map_memory.h"
#include "modguard_abi.h"
#include "modguard.skel.h"
#include "check.h"

/* /proc/<pid>/fdinfo/<fd> of an array map on 6.1 (kernel/bpf/syscall.c) */
static const char fdinfo_6_1[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t15\n"
	"ino:\t1057\n"
	"map_type:\t2\n"
	"key_size:\t4\n"
	"value_size:\t8\n"
	"max_entries:\t16\n"
	"map_flags:\t0x0\n"
	"map_extra:\t0x0\n"
	"memlock:\t4096\n"
	"map_id:\t42\n"
	"frozen:\t0\n";

static void parse_fdinfo(void)
{
	uint64_t b = 7;

	CHECK_INT(mg_map_memory_parse(fdinfo_6_1, &b), 0);
	CHECK(b == 4096);
	/* the last line without its newline; spaces instead of a tab */
	CHECK_INT(mg_map_memory_parse("map_type:\t27\nmemlock: 1052672", &b),
		  0);
	CHECK(b == 1052672);
	CHECK_INT(mg_map_memory_parse("memlock:\t0 \n", &b), 0);
	CHECK(b == 0);
	CHECK_INT(mg_map_memory_parse("memlock:\t18446744073709551615\n", &b),
		  0);
	CHECK(b == UINT64_MAX);
}

/* anything else is said, and *bytes is left alone */
static void parse_bad_fdinfo(void)
{
	static const char *const bad[] = {
		"memlock:\n",                       /* no number */
		"memlock:\t\t\n",
		"memlock:\t12ab\n",                 /* junk */
		"memlock:\t-1\n",                   /* no sign */
		"memlock:\t0x1000\n",               /* decimal only */
		"memlock:\t4096 kB\n",              /* no unit */
		"memlock:\t18446744073709551616\n", /* UINT64_MAX + 1 */
		"memlock:\t99999999999999999999\n",
	};
	uint64_t b = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mg_map_memory_parse(bad[i], &b) != -EINVAL)
			check_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
	}
	CHECK(b == 7);
	/* no memlock line: not a map, or a kernel before 4.10 */
	CHECK_INT(mg_map_memory_parse("pos:\t0\nflags:\t02\nmnt_id:\t15\n", &b),
		  -ENOENT);
	CHECK_INT(mg_map_memory_parse("", &b), -ENOENT);
	/* the key only at the start of a line, and whole */
	CHECK_INT(mg_map_memory_parse("xmemlock:\t4096\n", &b), -ENOENT);
	CHECK_INT(mg_map_memory_parse("memlocked:\t4096\n", &b), -ENOENT);
	CHECK_INT(mg_map_memory_parse("memlock\t4096\n", &b), -ENOENT);
	CHECK_INT(mg_map_memory_parse(NULL, &b), -EINVAL);
	CHECK(b == 7);
}

/* before 6.4 a ring buffer's memlock is 0: its data area counts */
static void ring_buffer_floor(void)
{
	CHECK(mg_map_memory_bytes("ringbuf", 1u << 20, 0) == 1u << 20);
	CHECK(mg_map_memory_bytes("ringbuf", 1u << 20, 1060864) == 1060864);
	CHECK(mg_map_memory_bytes("hash", 4096, 0) == 0);
	CHECK(mg_map_memory_bytes("percpu_array", 1, 8192) == 8192);
	CHECK(mg_map_memory_bytes(NULL, 4096, 12) == 12);
}

/* a file that is no map has no memlock line; a closed one no fdinfo */
static void fd_that_is_no_map(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	uint64_t b = 7;

	CHECK(fd >= 0);
	CHECK_INT(mg_map_memory_of_fd(fd, &b), -ENOENT);
	close(fd);
	CHECK_INT(mg_map_memory_of_fd(fd, &b), -ENOENT);
	CHECK_INT(mg_map_memory_of_fd(-1, &b), -EBADF);
	CHECK(b == 7);
}

/* a map of the running kernel (root with BPF only) */
static int map_or_skip(enum bpf_map_type type, const char *name, __u32 ksz,
		       __u32 vsz, __u32 max)
{
	int fd = bpf_map_create(type, name, ksz, vsz, max, NULL);

	if (fd < 0) {
		char why[120];

		snprintf(why, sizeof(why), "cannot create a BPF map here: %s",
			 strerror(errno));
		check_skip(why);
	}
	return fd;
}

static void real_map(void)
{
	int fd = map_or_skip(BPF_MAP_TYPE_ARRAY, "mg_test", 4, 8, 1024);
	uint64_t b = 0;

	CHECK_INT(mg_map_memory_of_fd(fd, &b), 0);
	/* 1024 values of 8 bytes, whatever else the kernel counts */
	CHECK(b >= 8192);
	close(fd);
}

/*
 * The walk over a libbpf object lists the maps that exist (an fd), with
 * the type and bound libbpf knows: here the skeleton, opened but not
 * loaded, with mg_events given a real ring buffer.
 */
static void object_walk(void)
{
	struct modguard_bpf *skel = modguard_bpf__open();
	struct mg_map_memory *maps = NULL;
	size_t n = 0;
	int fd;

	CHECK(skel);
	if (!skel)
		return;
	CHECK_INT(mg_map_memory_of_object(skel->obj, &maps, &n), 0);
	CHECK_INT(n, 0); /* nothing created yet: no memory */
	CHECK(maps == NULL);
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "mg_events", 0, 0,
			    MG_RINGBUF_BYTES, NULL);
	if (fd < 0) {
		modguard_bpf__destroy(skel);
		check_skip("cannot create a BPF ring buffer here");
	}
	CHECK_INT(bpf_map__reuse_fd(skel->maps.mg_events, fd), 0);
	close(fd); /* libbpf holds its own duplicate */
	CHECK_INT(mg_map_memory_of_object(skel->obj, &maps, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(maps[0].name, "mg_events");
		CHECK_STR(maps[0].type, "ringbuf");
		CHECK(maps[0].max_entries == MG_RINGBUF_BYTES);
		CHECK(maps[0].known);
		CHECK(maps[0].bytes >= MG_RINGBUF_BYTES);
	}
	/* another walk (another object's maps) appends to the list */
	CHECK_INT(mg_map_memory_of_object(skel->obj, &maps, &n), 0);
	CHECK_INT(n, 2);
	free(maps);
	modguard_bpf__destroy(skel);
}

/* no BPF layer (it failed to start): no maps, no error */
static void no_bpf_layer(void)
{
	struct mg_map_memory *maps = (void *)1;
	uint64_t total = 7;
	size_t n = 7;

	CHECK_INT(mg_map_memory_list(NULL, &maps, &n, &total), 0);
	CHECK(maps == NULL);
	CHECK_INT(n, 0);
	CHECK(total == 0);
}

int main(void)
{
	RUN(parse_fdinfo);
	RUN(parse_bad_fdinfo);
	RUN(ring_buffer_floor);
	RUN(fd_that_is_no_map);
	RUN(real_map);
	RUN(object_walk);
	RUN(no_bpf_layer);
	return check_done();
}
