/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Startup preflight: can modguardd run on this kernel, with these
 * capabilities?  Asked before anything is created (state dir, signalfd,
 * socket, bpffs pins), so that a daemon that cannot run says why in one
 * line and leaves nothing behind.  What is not fatal (the BPF LSM missing:
 * advisory mode) is not checked here.
 */
#ifndef MG_PREFLIGHT_H
#define MG_PREFLIGHT_H

#include <stddef.h>

#define MG_BTF_VMLINUX "/sys/kernel/btf/vmlinux"
/* the lockdown LSM's mode: "none [integrity] confidentiality" */
#define MG_LOCKDOWN "/sys/kernel/security/lockdown"
/* the kprobe PMU, through which libbpf attaches kprobes */
#define MG_KPROBE_PMU "/sys/bus/event_source/devices/kprobe"
/* the oldest kernel modguard runs on: Debian 12's, the oldest tested */
#define MG_MIN_KERNEL_MAJOR 6
#define MG_MIN_KERNEL_MINOR 1
#define MG_PROC_SELF_STATUS "/proc/self/status"

/* the files asked; tests point them at fixtures */
struct mg_preflight {
	const char *proc_modules; /* /proc/modules: loadable module support */
	const char *btf_vmlinux;  /* /sys/kernel/btf/vmlinux: kernel BTF */
	const char *kprobe_pmu;   /* MG_KPROBE_PMU: kprobes */
	const char *lockdown;     /* MG_LOCKDOWN: kernel lockdown's mode */
	const char *release;      /* the kernel's release; NULL: uname() */
	const char *proc_status;  /* /proc/self/status: our capabilities */
	const char *kallsyms;     /* /proc/kallsyms: are addresses shown? */
	const char *pin_dir;      /* --pin-dir, NULL with --no-pin */
};

/*
 * Check, in this order: module support, a kernel at least 6.1, kernel BTF,
 * kprobes, no lockdown=confidentiality (it forbids kprobes and BPF reads
 * of kernel memory; integrity is fine), capabilities (BPF
 * loading: CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN; unloads:
 * CAP_SYS_MODULE; CAP_SYSLOG when kallsyms hides its addresses from us),
 * bpffs at the pin dir.  Returns 0 when modguardd can run; otherwise a
 * negative errno and, in why, one sentence that names the cause (no
 * program name in front, no newline).
 */
int mg_preflight(const struct mg_preflight *p, char *why, size_t len);

#endif /* MG_PREFLIGHT_H */
