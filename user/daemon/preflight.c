// SPDX-License-Identifier: GPL-2.0
/* can modguardd run here?  See preflight.h */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include <linux/capability.h>
#include <linux/magic.h>

#include "caps.h"
#include "fsutil.h"
#include "preflight.h"

static int absent(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 && errno == ENOENT;
}

/*
 * Does kallsyms show us its addresses?  Hidden ones read as 0 (the first
 * per-cpu symbols are 0 anyway: any other line tells).  A file we cannot
 * read is not a capability question; the loader says what it lacks.
 */
static int kallsyms_hidden(const char *kallsyms)
{
	char line[512];
	unsigned long long addr;
	int lines = 0, shown = 0;
	FILE *f = fopen(kallsyms, "re");

	if (!f)
		return 0;
	while (!shown && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx", &addr) == 1) {
			lines++;
			shown = addr != 0;
		}
	fclose(f);
	return lines && !shown;
}

/* append "; item" (or item when first) to list */
static void add_missing(char *list, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_missing(char *list, size_t len, const char *fmt, ...)
{
	size_t n = strlen(list);
	va_list ap;

	if (n && n + 2 < len) {
		memcpy(list + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(list + n, len - n, fmt, ap);
	va_end(ap);
}

static int check_caps(const struct mg_preflight *p, char *why, size_t len)
{
	char missing[512] = "";
	uint64_t eff;
	int err = mg_cap_eff_read(p->proc_status, &eff);

	if (err) {
		snprintf(why, len, "cannot read modguardd's capabilities from %s: %s",
			 p->proc_status, strerror(-err));
		return err;
	}
	if (!mg_cap_has(eff, CAP_SYS_ADMIN) &&
	    !(mg_cap_has(eff, CAP_BPF) && mg_cap_has(eff, CAP_PERFMON)))
		add_missing(missing, sizeof(missing),
			    "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to load "
			    "and attach BPF programs");
	if (!mg_cap_has(eff, CAP_SYS_MODULE))
		add_missing(missing, sizeof(missing),
			    "CAP_SYS_MODULE to unload modules");
	if (!mg_cap_has(eff, CAP_SYSLOG) && kallsyms_hidden(p->kallsyms))
		add_missing(missing, sizeof(missing),
			    "CAP_SYSLOG to read the kernel addresses in %s",
			    p->kallsyms);
	if (!missing[0])
		return 0;
	snprintf(why, len, "missing capabilities: %s; run modguardd as root "
		 "with its full capability set", missing);
	return -EPERM;
}

/* the pin dir, or the folder it will be made in, must be on bpffs */
static int check_bpffs(const char *pin_dir, char *why, size_t len)
{
	char parent[PATH_MAX];
	const char *at = pin_dir;
	struct statfs sfs;

	if (statfs(pin_dir, &sfs) < 0) {
		int err = -errno;

		if (err != -ENOENT) {
			snprintf(why, len, "cannot check the pin dir %s: %s",
				 pin_dir, strerror(-err));
			return err;
		}
		snprintf(parent, sizeof(parent), "%s", pin_dir);
		at = dirname(parent);
		if (statfs(at, &sfs) < 0) {
			snprintf(why, len, "bpffs is not mounted at %s (%s: %s), "
				 "where the pin dir %s goes; mount it there or run "
				 "with --no-pin", at, at, strerror(errno), pin_dir);
			return -ENOENT;
		}
	}
	if ((uint32_t)sfs.f_type == (uint32_t)BPF_FS_MAGIC)
		return 0;
	snprintf(why, len, "bpffs is not mounted at %s, where the pin dir %s "
		 "goes: mount it (mount -t bpf bpf %s) or run with --no-pin", at,
		 pin_dir, at);
	return -ENOTSUP;
}

/* is release ("6.1.0-57-amd64") older than MG_MIN_KERNEL_*?  */
static int too_old(const char *release)
{
	unsigned int major, minor;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return 0; /* unparsable: let the loader find out */
	return major < MG_MIN_KERNEL_MAJOR ||
	       (major == MG_MIN_KERNEL_MAJOR && minor < MG_MIN_KERNEL_MINOR);
}

/*
 * Is kernel lockdown in confidentiality mode ("... [confidentiality]")?
 * No file: no lockdown LSM, or securityfs is not mounted.
 */
static int confidential(const char *lockdown)
{
	char line[128];

	return lockdown && !mg_read_first_line(lockdown, line, sizeof(line)) &&
	       strstr(line, "[confidentiality]");
}

int mg_preflight(const struct mg_preflight *p, char *why, size_t len)
{
	const char *release = p->release;
	struct utsname u;
	int err;

	if (len)
		why[0] = '\0';
	if (absent(p->proc_modules)) {
		snprintf(why, len, "this kernel has no loadable module support "
			 "(%s is absent): there is nothing to guard",
			 p->proc_modules);
		return -ENOSYS;
	}
	if (!release)
		release = uname(&u) ? "" : u.release;
	if (too_old(release)) {
		snprintf(why, len, "this kernel is %s: modguard needs Linux "
			 "%d.%d or newer", release, MG_MIN_KERNEL_MAJOR,
			 MG_MIN_KERNEL_MINOR);
		return -ENOTSUP;
	}
	if (absent(p->btf_vmlinux)) {
		snprintf(why, len, "this kernel has no BTF (%s is absent): "
			 "modguard's CO-RE programs need CONFIG_DEBUG_INFO_BTF=y",
			 p->btf_vmlinux);
		return -ENOENT;
	}
	if (p->kprobe_pmu && absent(p->kprobe_pmu)) {
		snprintf(why, len, "this kernel has no kprobes (%s is absent): "
			 "modguard's probes on registrations and on owner-less "
			 "file operations need CONFIG_KPROBES=y and "
			 "CONFIG_KPROBE_EVENTS=y", p->kprobe_pmu);
		return -ENOSYS;
	}
	if (confidential(p->lockdown)) {
		snprintf(why, len, "kernel lockdown is in confidentiality mode "
			 "(%s): it forbids the kprobes and the BPF reads of kernel "
			 "memory that modguard's tracking is made of; boot with "
			 "lockdown=integrity (what Secure Boot gives) or none",
			 p->lockdown);
		return -EPERM;
	}
	err = check_caps(p, why, len);
	if (!err && p->pin_dir)
		err = check_bpffs(p->pin_dir, why, len);
	return err;
}
