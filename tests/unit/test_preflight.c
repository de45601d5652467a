// SPDX-License-Identifier: GPL-2.0
/* the startup preflight against fixtures: each cause, in order, one line */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <linux/magic.h>

#include "preflight.h"
#include "check.h"

static char tmp[] = "/tmp/mg-preflight-XXXXXX";
static char modules[PATH_MAX], btf[PATH_MAX], status[PATH_MAX],
	kallsyms[PATH_MAX], kprobe_pmu[PATH_MAX], lockdown[PATH_MAX];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		check_fail(__FILE__, __LINE__, "cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* CapEff of a fixture status file */
static void caps(const char *hex)
{
	char text[128];

	snprintf(text, sizeof(text), "Name:\tmodguardd\nCapEff:\t%s\n", hex);
	put(status, text);
}

/* a kernel with everything, addresses shown, all capabilities */
static struct mg_preflight fixture(void)
{
	if (!check_mkdtemp(tmp))
		check_fail(__FILE__, __LINE__, "mkdtemp");
	snprintf(modules, sizeof(modules), "%s/modules", tmp);
	snprintf(btf, sizeof(btf), "%s/vmlinux", tmp);
	snprintf(status, sizeof(status), "%s/status", tmp);
	snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms", tmp);
	snprintf(kprobe_pmu, sizeof(kprobe_pmu), "%s/kprobe", tmp);
	put(kprobe_pmu, "");
	snprintf(lockdown, sizeof(lockdown), "%s/lockdown", tmp);
	put(lockdown, "none [integrity] confidentiality\n");
	put(modules, "mg_tidy 16384 0 - Live 0xffffffffc0a00000\n");
	put(btf, "");
	caps("000001ffffffffff");
	put(kallsyms, "0000000000000000 A fixed_percpu_data\n"
		      "0000000000001000 A cpu_debug_store\n"
		      "ffffffff81000000 T _stext\n");
	return (struct mg_preflight){
		.proc_modules = modules,
		.btf_vmlinux = btf,
		.kprobe_pmu = kprobe_pmu,
		.lockdown = lockdown,
		.release = "6.1.0-57-amd64",
		.proc_status = status,
		.kallsyms = kallsyms,
		.pin_dir = NULL,
	};
}

#define CHECK_HAS(s, sub)                                                   \
	do {                                                                \
		if (!strstr((s), (sub)))                                    \
			check_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", \
				   (s), (sub));                             \
	} while (0)

#define CHECK_LACKS(s, sub)                                                 \
	do {                                                                \
		if (strstr((s), (sub)))                                     \
			check_fail(__FILE__, __LINE__, "\"%s\" has \"%s\"",  \
				   (s), (sub));                             \
	} while (0)

static void t_all_there(void)
{
	struct mg_preflight p = fixture();
	char why[512] = "x";

	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	CHECK_STR(why, "");
}

static void t_no_modules_first(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	/* no module support wins over everything else missing */
	unlink(modules);
	unlink(btf);
	caps("0000000000000000");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOSYS);
	CHECK_HAS(why, "no loadable module support");
	CHECK_HAS(why, modules);
	CHECK(!strchr(why, '\n'));
}

static void t_no_btf(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	unlink(btf);
	caps("0000000000000000");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOENT);
	CHECK_HAS(why, "no BTF");
	CHECK_HAS(why, btf);
}

static void t_too_old(void)
{
	static const struct {
		const char *release;
		int err;
	} cases[] = {
		{ "5.10.0-28-amd64", -ENOTSUP }, { "6.0.12-1-amd64", -ENOTSUP },
		{ "4.19.0", -ENOTSUP },		 { "6.1.0-57-amd64", 0 },
		{ "6.1.0-57-rt-amd64", 0 },	 { "6.12.117+deb12-amd64", 0 },
		{ "7.0.0", 0 },			 { "10.2", 0 },
		/* not a version: the loader will say what it lacks */
		{ "custom", 0 },
	};
	struct mg_preflight p = fixture();
	char why[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.release = cases[i].release;
		CHECK_INT(mg_preflight(&p, why, sizeof(why)), cases[i].err);
		if (cases[i].err) {
			CHECK_HAS(why, cases[i].release);
			CHECK_HAS(why, "needs Linux 6.1 or newer");
			CHECK(!strchr(why, '\n'));
		}
	}
	/* older and without BTF: the version is named, it is the cause */
	p.release = "5.4.0";
	unlink(btf);
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOTSUP);
	CHECK_HAS(why, "5.4.0");
}

static void t_no_kprobes(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	unlink(kprobe_pmu);
	caps("0000000000000000");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOSYS);
	CHECK_HAS(why, "no kprobes");
	CHECK_HAS(why, kprobe_pmu);
	CHECK_HAS(why, "CONFIG_KPROBES=y");
	CHECK(!strchr(why, '\n'));
}

static void t_lockdown(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	/* integrity (the fixture) and none are fine, and so is no file */
	put(lockdown, "[none] integrity confidentiality\n");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	unlink(lockdown);
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	put(lockdown, "none integrity [confidentiality]\n");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -EPERM);
	CHECK_HAS(why, "lockdown is in confidentiality mode");
	CHECK_HAS(why, lockdown);
	CHECK_HAS(why, "kprobes");
	CHECK(!strchr(why, '\n'));
}

static void t_caps(void)
{
	static const struct {
		const char *cap_eff;
		int err;
		const char *has, *lacks;
	} cases[] = {
		/* nothing; the addresses are shown to anyone here */
		{ "0000000000000000", -EPERM,
		  "missing capabilities: CAP_BPF and CAP_PERFMON (or "
		  "CAP_SYS_ADMIN) to load and attach BPF programs; "
		  "CAP_SYS_MODULE to unload modules;", "CAP_SYSLOG" },
		/* CAP_BPF alone: tracing programs need CAP_PERFMON too */
		{ "0000008000010000", -EPERM, "CAP_PERFMON", "CAP_SYS_MODULE" },
		/* CAP_BPF + CAP_PERFMON + CAP_SYS_MODULE */
		{ "000000c000010000", 0, "", NULL },
		/* CAP_SYS_ADMIN covers BPF on any kernel, not unloads */
		{ "0000000000200000", -EPERM, "CAP_SYS_MODULE to unload modules",
		  "CAP_BPF" },
		{ "0000000000210000", 0, "", NULL },
	};
	struct mg_preflight p = fixture();
	char why[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		caps(cases[i].cap_eff);
		CHECK_INT(mg_preflight(&p, why, sizeof(why)), cases[i].err);
		CHECK_HAS(why, cases[i].has);
		if (cases[i].lacks)
			CHECK_LACKS(why, cases[i].lacks);
		CHECK(!strchr(why, '\n'));
	}
}

static void t_kallsyms_hidden(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	put(kallsyms, "0000000000000000 A fixed_percpu_data\n"
		      "0000000000000000 A cpu_debug_store\n"
		      "0000000000000000 T _stext\n");
	/* hidden from us, and no CAP_SYSLOG to see them */
	caps("000000c000010000");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -EPERM);
	CHECK_HAS(why, "CAP_SYSLOG to read the kernel addresses in");
	CHECK_HAS(why, kallsyms);
	/* with CAP_SYSLOG it is kptr_restrict=2's doing: not a capability */
	caps("000000c400010000");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	/* an unreadable kallsyms is not a capability question either */
	caps("000000c000010000");
	unlink(kallsyms);
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
}

static void t_status_unreadable(void)
{
	struct mg_preflight p = fixture();
	char why[512];

	unlink(status);
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOENT);
	CHECK_HAS(why, "cannot read modguardd's capabilities from");
	put(status, "Name:\tx\n");
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENODATA);
}

static void t_bpffs(void)
{
	struct mg_preflight p = fixture();
	char why[512], pins[PATH_MAX], deep[PATH_MAX];
	struct statfs sfs;
	struct stat st;

	/* a pin dir on tmpfs or ext4: not bpffs; nothing is created */
	snprintf(pins, sizeof(pins), "%s/pins", tmp);
	p.pin_dir = pins;
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOTSUP);
	CHECK_HAS(why, "bpffs is not mounted at");
	CHECK_HAS(why, tmp);
	CHECK_HAS(why, "--no-pin");
	CHECK(stat(pins, &st) < 0 && errno == ENOENT);
	/* an existing one is judged itself */
	CHECK_INT(mkdir(pins, 0700), 0);
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOTSUP);
	CHECK_HAS(why, pins);
	/* its folder does not even exist */
	snprintf(deep, sizeof(deep), "%s/no/such/pins", tmp);
	p.pin_dir = deep;
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), -ENOENT);
	CHECK_HAS(why, "bpffs is not mounted at");
	CHECK_HAS(why, "No such file or directory");
	/* --no-pin asks nothing of bpffs */
	p.pin_dir = NULL;
	CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	/* a real bpffs, where this machine has one mounted */
	if (!statfs("/sys/fs/bpf", &sfs) &&
	    (uint32_t)sfs.f_type == (uint32_t)BPF_FS_MAGIC) {
		p.pin_dir = "/sys/fs/bpf/mg-preflight-test-absent";
		CHECK_INT(mg_preflight(&p, why, sizeof(why)), 0);
	}
}

int main(void)
{
	RUN(t_all_there);
	RUN(t_no_modules_first);
	RUN(t_no_btf);
	RUN(t_too_old);
	RUN(t_no_kprobes);
	RUN(t_lockdown);
	RUN(t_caps);
	RUN(t_kallsyms_hidden);
	RUN(t_status_unreadable);
	RUN(t_bpffs);
	return check_done();
}
