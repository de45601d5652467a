// SPDX-License-Identifier: GPL-2.0
/*
 * Who connects to modguardd, as the kernel knows it at connect(): the
 * connecting task's effective capabilities in the initial user namespace,
 * recorded on the socket accept() will return (socket storage), so that
 * the daemon decides privileges from what the kernel vouches for, not from
 * /proc/<pid> when the request is handled (the task may have exec'd a
 * setuid program since, or handed the socket on; a root of its own user
 * namespace has a full CapEff there and none here).
 *
 * modguardd marks its listening socket in mg_listener; connections to
 * other sockets cost one socket-storage lookup and nothing else.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "modguard_abi.h"

/* &init_user_ns, from kallsyms (0: unknown, no capabilities recorded) */
const volatile __u64 mg_init_user_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} mg_listener SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mg_peer_cred);
} mg_peer_creds SEC(".maps");

SEC("lsm/unix_stream_connect")
int BPF_PROG(mg_peer_connect, struct sock *sock, struct sock *other,
	     struct sock *newsk, int ret)
{
	struct task_struct *task;
	struct mg_peer_cred *c;
	const struct cred *cred;
	__u64 caps = 0;

	if (ret || !bpf_sk_storage_get(&mg_listener, other, 0, 0))
		return ret;
	c = bpf_sk_storage_get(&mg_peer_creds, newsk, 0,
			       BPF_SK_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	task = bpf_get_current_task_btf();
	cred = task->cred;
	/*
	 * capabilities held in a user namespace of its own count for nothing
	 * here: only the initial one's are the kernel's (ns_capable())
	 */
	if (mg_init_user_ns && (__u64)cred->user_ns == mg_init_user_ns)
		bpf_probe_read_kernel(&caps, sizeof(caps), &cred->cap_effective);
	c->caps = caps;
	c->uid = cred->euid.val;
	c->valid = mg_init_user_ns != 0;
	return 0;
}
