// SPDX-License-Identifier: GPL-2.0
/*
 * Who a client is (user/daemon/peer.c): uid and pid from SO_PEERCRED,
 * capabilities only from the kernel (the BPF LSM, here the stub's
 * mg_stub.peer_cred), never guessed; and the kernel's rule for who may see
 * raw addresses (kallsyms_show_value()), over fixture sysctl files.
 */
#include <errno.h>
#include <sys/socket.h>

#include "fixtures/fixtures.h"
#include "peer.h"
#include "stubs/bpf_stub.h"
#include "check.h"

#define CAP_SYSLOG 34
#define CAP_SYS_MODULE 16

static struct fx fx;

/* the peer of a socketpair made as euid (root again after) */
static int peer_of_pair_as(uid_t euid, struct mg_peer *p)
{
	uid_t me = geteuid();
	int sv[2], err;

	if (euid != me && seteuid(euid))
		return -errno;
	err = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ? -errno : 0;
	if (euid != me && seteuid(me))
		abort();
	if (err)
		return err;
	err = mg_peer_of_fd(&fx.d, sv[0], p);
	close(sv[0]);
	close(sv[1]);
	return err;
}

static void credentials_from_the_kernel(void)
{
	struct mg_peer p;

	fx_init(&fx);
	/* no word from the BPF LSM: capabilities unknown */
	CHECK_INT(peer_of_pair_as(geteuid(), &p), 0);
	CHECK_INT(p.pid, getpid());
	CHECK_INT(p.uid, geteuid());
	CHECK_INT(p.caps_known, 0);
	CHECK_U64(p.caps, 0);
	/* recorded at connect(): the caps; the uid stays SO_PEERCRED's */
	mg_stub.peer_cred = (struct mg_peer_cred){ .caps = 1ull << CAP_SYSLOG,
						   .uid = 4242, .valid = 1 };
	CHECK_INT(peer_of_pair_as(geteuid(), &p), 0);
	CHECK_INT(p.caps_known, 1);
	CHECK_U64(p.caps, 1ull << CAP_SYSLOG);
	CHECK_INT(p.uid, geteuid());
	/* caps read but not valid: unknown */
	mg_stub.peer_cred.valid = 0;
	CHECK_INT(peer_of_pair_as(geteuid(), &p), 0);
	CHECK_INT(p.caps_known, 0);
	/* no BPF layer at all: unknown */
	mg_stub.peer_cred.valid = 1;
	{
		struct mg_bpf *b = fx.d.bpf;

		fx.d.bpf = NULL;
		CHECK_INT(peer_of_pair_as(geteuid(), &p), 0);
		CHECK_INT(p.caps_known, 0);
		fx.d.bpf = b;
	}
	fx_fini(&fx);
}

static void another_uid(void)
{
	struct mg_peer p;

	if (geteuid() != 0)
		check_skip("becoming uid 65534 needs root");
	fx_init(&fx);
	CHECK_INT(peer_of_pair_as(65534, &p), 0);
	CHECK_INT(p.uid, 65534);
	CHECK_INT(p.pid, getpid());
	fx_fini(&fx);
}

/* SO_PEERCRED fails: an error, and nothing that reads as root */
static void no_credentials_is_nobody(void)
{
	struct mg_peer p;
	int pfd[2];

	fx_init(&fx);
	mg_stub.peer_cred = (struct mg_peer_cred){ .caps = ~0ull, .valid = 1 };
	CHECK(pipe(pfd) == 0);
	memset(&p, 0, sizeof(p));
	CHECK_INT(mg_peer_of_fd(&fx.d, pfd[0], &p), -ENOTSOCK);
	CHECK_INT(p.uid, (uid_t)-1);
	CHECK_INT(p.pid, 0);
	CHECK_INT(p.caps_known, 0);
	CHECK_U64(p.caps, 0);
	CHECK(!mg_peer_capable(&p, CAP_SYS_MODULE));
	close(pfd[0]);
	close(pfd[1]);
	fx_fini(&fx);
}

static void capable_only_when_known(void)
{
	struct mg_peer p = { .caps = ~0ull };

	CHECK(!mg_peer_capable(&p, CAP_SYS_MODULE));
	p.caps_known = 1;
	CHECK(mg_peer_capable(&p, CAP_SYS_MODULE));
	CHECK(mg_peer_capable(&p, 0));
	CHECK(mg_peer_capable(&p, 63));
	CHECK(!mg_peer_capable(&p, 64));
	CHECK(!mg_peer_capable(&p, -1));
	p.caps = ~(1ull << CAP_SYS_MODULE);
	CHECK(!mg_peer_capable(&p, CAP_SYS_MODULE));
	CHECK(mg_peer_capable(&p, CAP_SYSLOG));
}

/* who may unload: CAP_SYS_MODULE if the kernel said, else uid 0 */
static void who_may_unload(void)
{
	const struct mg_peer root = { .uid = 0 }, nobody = { .uid = 65534 },
			     capable = { .uid = 65534, .caps_known = 1,
					 .caps = 1ull << CAP_SYS_MODULE },
			     bounded = { .uid = 0, .caps_known = 1,
					 .caps = ~(1ull << CAP_SYS_MODULE) };

	CHECK(mg_peer_why_not_unload(&root) == NULL);
	CHECK(mg_peer_why_not_unload(&capable) == NULL);
	CHECK_CONTAINS(mg_peer_why_not_unload(&nobody), "CAP_SYS_MODULE");
	CHECK_CONTAINS(mg_peer_why_not_unload(&bounded), "CAP_SYS_MODULE");
	CHECK_CONTAINS(mg_peer_why_not_unload(&bounded), "initial user namespace");
}

/* kptr_restrict and perf_event_paranoid as given; NULL: no such file */
static int may_see(const struct mg_peer *p, const char *kptr,
		   const char *paranoid)
{
	char kpath[FX_PATH_MAX], ppath[FX_PATH_MAX];

	fx_path(&fx, "sysctl/kptr", kpath, sizeof(kpath));
	fx_path(&fx, "sysctl/paranoid", ppath, sizeof(ppath));
	unlink(kpath);
	unlink(ppath);
	if (kptr)
		fx_write(&fx, "sysctl/kptr", kptr);
	if (paranoid)
		fx_write(&fx, "sysctl/paranoid", paranoid);
	return mg_peer_may_see_addrs(p, kpath, ppath);
}

/* the rule of /proc/kallsyms, for three peers at once */
static void address_rule(void)
{
	static const struct {
		const char *kptr, *paranoid;
		int unknown, plain, syslog; /* what each peer may */
	} cases[] = {
		{ "0\n", "1\n", 1, 1, 1 },
		{ "0\n", "-1\n", 1, 1, 1 },
		{ "0\n", "2\n", 0, 0, 1 },
		{ "0\n", NULL, 0, 0, 1 },	/* unreadable: the strictest */
		{ "1\n", "1\n", 0, 0, 1 },
		{ "1\n", "-1\n", 0, 0, 1 },
		{ "2\n", "-1\n", 0, 0, 0 },
		{ "2\n", "2\n", 0, 0, 0 },
		{ NULL, "-1\n", 0, 0, 0 },	/* unreadable: as 2 */
		{ "x\n", "-1\n", 0, 0, 0 },
		{ "", "-1\n", 0, 0, 0 },
		{ "0\n", "x\n", 0, 0, 1 },
	};
	const struct mg_peer unknown = { .uid = 0, .caps = ~0ull },
			     plain = { .uid = 0, .caps_known = 1,
				       .caps = ~(1ull << CAP_SYSLOG) },
			     syslog = { .uid = 65534, .caps_known = 1,
					.caps = 1ull << CAP_SYSLOG };

	fx_init(&fx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *k = cases[i].kptr, *pp = cases[i].paranoid;

		if (may_see(&unknown, k, pp) != cases[i].unknown ||
		    may_see(&plain, k, pp) != cases[i].plain ||
		    may_see(&syslog, k, pp) != cases[i].syslog)
			check_fail(__FILE__, __LINE__,
				   "kptr_restrict %s, paranoid %s: want %d %d %d",
				   k ? k : "(none)", pp ? pp : "(none)",
				   cases[i].unknown, cases[i].plain,
				   cases[i].syslog);
	}
	fx_fini(&fx);
}

int main(void)
{
	RUN(credentials_from_the_kernel);
	RUN(another_uid);
	RUN(no_credentials_is_nobody);
	RUN(capable_only_when_known);
	RUN(who_may_unload);
	RUN(address_rule);
	return check_done();
}
