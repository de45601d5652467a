/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a client is, as the kernel vouches for it at connect time: never
 * read from /proc/<pid> when a request is handled (the pid may have
 * exec'd a setuid program since, or passed the socket on).
 *
 * uid and pid come from SO_PEERCRED (the connecting task's credentials,
 * recorded by the kernel at connect()).  Capabilities come from the BPF
 * LSM program bpf/peer_creds.bpf.c, which records the connecting task's
 * effective capabilities in the initial user namespace on the accepted
 * socket; without it (no BPF LSM) they are unknown, and everything that
 * needs one is refused (fail closed).
 */
#ifndef MG_PEER_H
#define MG_PEER_H

#include <stdint.h>
#include <sys/types.h>

struct mg_daemon;

struct mg_peer {
	pid_t pid;
	uid_t uid;
	int caps_known;	      /* caps come from the kernel (BPF LSM) */
	uint64_t caps;	      /* effective, in the initial user namespace */
};

/* fill p for the accepted socket fd; -errno when SO_PEERCRED fails */
int mg_peer_of_fd(struct mg_daemon *d, int fd, struct mg_peer *p);
/* 1 if the peer holds capability cap in the initial user namespace */
int mg_peer_capable(const struct mg_peer *p, int cap);
/*
 * May the peer unload modules through the daemon (and clear a
 * quarantine)?  CAP_SYS_MODULE in the initial user namespace, as the
 * kernel recorded it; where that is unknown (no BPF LSM), uid 0.  NULL, or
 * why not.
 */
const char *mg_peer_why_not_unload(const struct mg_peer *p);
/*
 * May the peer see raw kernel addresses?  The rule of /proc/kallsyms
 * (kallsyms_show_value()): kptr_restrict 0 with perf_event_paranoid <= 1
 * shows them to all, 0 or 1 to CAP_SYSLOG, 2 to nobody.  kptr_path and
 * paranoid_path: the sysctl files (tests substitute them).
 */
int mg_peer_may_see_addrs(const struct mg_peer *p, const char *kptr_path,
			  const char *paranoid_path);

#endif /* MG_PEER_H */
