// SPDX-License-Identifier: GPL-2.0
/*
 * verify-bpf: load every program of a BPF object through the running
 * kernel's verifier, one program per load, with CO-RE against the running
 * kernel's BTF, and say which loaded.  Nothing is attached.
 *
 *   verify-bpf OBJECT.bpf.o
 *
 * A program whose attach point is not in this kernel (a tp_btf/ tracepoint,
 * an fentry/ or lsm/ function, an iter/ target that its BTF lacks: on a
 * kernel without module support, the module tracepoints) is skipped, with
 * the missing piece named: that is a missing feature, not a rejection.
 * Every other program must load.  kprobe/ and tracepoint/ programs load
 * whether or not the kernel has kprobes or that tracepoint: only attaching
 * needs those, so they are verified too.
 *
 * A load refused with EPERM was not judged by the verifier at all: the
 * caller may not load that kind of program here (a sandbox's security
 * policy can refuse a program type: the machines CI runs on refuse lsm/
 * and iter/bpf_map_elem programs, even empty ones, to their root).  Those are skipped too, with the reason, and
 * counted apart.  A verifier rejection (EACCES, EINVAL, E2BIG, ...) fails.
 *
 * Prints "ok - ..." / "not ok - ..." lines (a rejected program's verifier
 * log follows as "#" lines) and a "# verify-bpf ..." summary.  Exit: 0 all
 * loaded or skipped, 1 a program was rejected, 2 bad usage or an object
 * that cannot be opened.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* the log of the load in progress (the verifier's comes at WARN level) */
static char g_log[1 << 16];
static size_t g_log_len;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || g_log_len >= sizeof(g_log) - 1)
		return 0;
	n = vsnprintf(g_log + g_log_len, sizeof(g_log) - g_log_len, fmt, ap);
	if (n > 0)
		g_log_len += (size_t)n < sizeof(g_log) - g_log_len ?
				     (size_t)n : sizeof(g_log) - g_log_len - 1;
	return 0;
}

/*
 * The BTF name a section's attach point needs in the running kernel, or
 * NULL when loading needs none (kprobe/, tracepoint/, ...).
 */
static int needed_btf(const char *sec, char *name, size_t len, int *kind)
{
	static const struct {
		const char *prefix, *btf_prefix;
		int kind;
	} points[] = {
		{ "tp_btf/", "btf_trace_", BTF_KIND_TYPEDEF },
		{ "fentry/", "", BTF_KIND_FUNC },
		{ "fexit/", "", BTF_KIND_FUNC },
		{ "fmod_ret/", "", BTF_KIND_FUNC },
		{ "lsm/", "bpf_lsm_", BTF_KIND_FUNC },
		{ "lsm.s/", "bpf_lsm_", BTF_KIND_FUNC },
		{ "iter/", "bpf_iter_", BTF_KIND_FUNC },
	};
	size_t i, n;

	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		n = strlen(points[i].prefix);
		if (strncmp(sec, points[i].prefix, n))
			continue;
		snprintf(name, len, "%s%s", points[i].btf_prefix, sec + n);
		*kind = points[i].kind;
		return 1;
	}
	return 0;
}

/* load PROG alone: 0 loaded, -errno rejected (g_log holds why) */
static int load_alone(const char *path, const char *prog)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	g_log_len = 0;
	g_log[0] = '\0';
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

static void print_log(void)
{
	char *line, *save = NULL;

	for (line = strtok_r(g_log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
}

int main(int argc, char **argv)
{
	int loaded = 0, skipped = 0, refused = 0, rejected = 0, kind, err;
	struct bpf_object *obj;
	struct bpf_program *p;
	struct utsname u;
	struct btf *vmlinux;
	char need[256];

	if (argc != 2) {
		fprintf(stderr, "usage: verify-bpf OBJECT.bpf.o\n");
		return 2;
	}
	uname(&u);
	libbpf_set_print(capture);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		printf("not ok - verify-bpf: the running kernel (%s) has no BTF (/sys/kernel/btf/vmlinux): CO-RE needs it\n",
		       u.release);
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "verify-bpf: cannot open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	bpf_object__for_each_program(p, obj) {
		const char *name = bpf_program__name(p);
		const char *sec = bpf_program__section_name(p);

		if (needed_btf(sec, need, sizeof(need), &kind) &&
		    btf__find_by_name_kind(vmlinux, need, kind) < 0) {
			printf("# skip %s (%s): this kernel's BTF has no %s %s\n", name, sec,
			       kind == BTF_KIND_FUNC ? "function" : "type", need);
			skipped++;
			continue;
		}
		err = load_alone(argv[1], name);
		if (!err) {
			printf("ok - verifier of %s: %s (%s) loads\n", u.release, name, sec);
			loaded++;
			continue;
		}
		if (err == -EPERM) {
			printf("# skip %s (%s): not permitted to load it here (EPERM, before the verifier judged it)\n",
			       name, sec);
			refused++;
			continue;
		}
		printf("not ok - verifier of %s: %s (%s) is rejected: %s\n", u.release, name, sec,
		       strerror(-err));
		print_log();
		rejected++;
	}
	bpf_object__close(obj);
	btf__free(vmlinux);
	printf("# verify-bpf %s: %d loaded, %d skipped (missing in this kernel), %d not permitted here, %d rejected\n",
	       argv[1], loaded, skipped, refused, rejected);
	return rejected ? 1 : 0;
}
