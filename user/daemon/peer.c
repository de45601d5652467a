// SPDX-License-Identifier: GPL-2.0
/* Client credentials from the kernel; see peer.h. */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "caps.h"
#include "daemon.h"
#include "fsutil.h"
#include "parse.h"
#include "peer.h"

#define MG_CAP_SYSLOG 34
#define MG_KPTR_RESTRICT "/proc/sys/kernel/kptr_restrict"
#define MG_PERF_PARANOID "/proc/sys/kernel/perf_event_paranoid"

int mg_peer_of_fd(struct mg_daemon *d, int fd, struct mg_peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct mg_peer_cred bc;

	p->pid = 0;
	p->uid = (uid_t)-1;
	p->caps_known = 0;
	p->caps = 0;
	/* unchecked, zeroed credentials would read as uid 0 */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	p->pid = cred.pid;
	p->uid = cred.uid;
	if (d->bpf && !mg_bpf_peer_cred(d->bpf, fd, &bc) && bc.valid) {
		p->caps_known = 1;
		p->caps = bc.caps;
	}
	return 0;
}

int mg_peer_capable(const struct mg_peer *p, int cap)
{
	return p->caps_known && mg_cap_has(p->caps, cap);
}

#define MG_CAP_SYS_MODULE 16

const char *mg_peer_why_not_unload(const struct mg_peer *p)
{
	if (p->caps_known && !mg_peer_capable(p, MG_CAP_SYS_MODULE))
		return "this needs CAP_SYS_MODULE in the initial user namespace: "
		       "the kernel would refuse you the unload too";
	if (!p->caps_known && p->uid != 0)
		return "this needs root (CAP_SYS_MODULE)";
	return NULL;
}

static int read_int(const char *path, int dflt)
{
	char buf[32];
	int64_t v;

	if (mg_read_first_line(path, buf, sizeof(buf)) ||
	    mg_parse_s64(buf, INT32_MIN, INT32_MAX, &v))
		return dflt;
	return (int)v;
}

int mg_peer_may_see_addrs(const struct mg_peer *p, const char *kptr_path,
			  const char *paranoid_path)
{
	/* unreadable: the strictest reading */
	switch (read_int(kptr_path ? kptr_path : MG_KPTR_RESTRICT, 2)) {
	case 0:
		if (read_int(paranoid_path ? paranoid_path : MG_PERF_PARANOID,
			     2) <= 1)
			return 1;
		/* fall through */
	case 1:
		return mg_peer_capable(p, MG_CAP_SYSLOG);
	default:
		return 0;
	}
}
