// SPDX-License-Identifier: GPL-2.0
/* modguard-rmmod's delete_module error mapping (exit codes are interface) */
#include <errno.h>
#include <fcntl.h>

/* unload.o comes from user/cli, linked into every unit test */
#include "../../user/cli/unload.h"
#include "check.h"

static void t_exit_codes(void)
{
	static const struct {
		int err, exit;
		const char *reason;
	} cases[] = {
		{ 0, 0, "unloaded" },
		{ -ENOENT, 2, "not loaded" },
		{ -EWOULDBLOCK, 1, "in use" },
		{ -EAGAIN, 1, "in use" },
		{ -EBUSY, 1, "in use" },
		{ -EPERM, 1, "not permitted" },
		{ -EFAULT, 3, "failed" },
		{ -EINVAL, 3, "failed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *reason = NULL;

		CHECK_INT(mg_unload_exit_code(cases[i].err, &reason),
			  cases[i].exit);
		CHECK_STR(reason, cases[i].reason);
	}
}

static void t_delete_missing(void)
{
	/* without CAP_SYS_MODULE the kernel says EPERM before looking */
	int err = mg_delete_module("mg_surely_not_loaded_xyz", O_NONBLOCK);

	/* ENOSYS: a seccomp sandbox (containers, CI) */
	if (err != -ENOENT && err != -EPERM && err != -ENOSYS)
		check_fail(__FILE__, __LINE__, "got %d", err);
}

int main(void)
{
	RUN(t_exit_codes);
	RUN(t_delete_missing);
	return check_done();
}
