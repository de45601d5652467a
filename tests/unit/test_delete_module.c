// SPDX-License-Identifier: GPL-2.0
/* the delete_module(2) wrapper and its error mapping (exit codes are interface) */
#include <errno.h>
#include <fcntl.h>

#include "delete_module.h"
#include "check.h"

static void t_outcomes(void)
{
	static const struct {
		int err;
		enum mg_outcome outcome;
		const char *reason;
	} cases[] = {
		{ 0, MG_OUTCOME_OK, "unloaded" },
		{ -ENOENT, MG_OUTCOME_BAD_INPUT, "not loaded" },
		{ -EWOULDBLOCK, MG_OUTCOME_REFUSED, "in use" },
		{ -EAGAIN, MG_OUTCOME_REFUSED, "in use" },
		{ -EBUSY, MG_OUTCOME_REFUSED, "in use" },
		{ -EPERM, MG_OUTCOME_REFUSED, "not permitted" },
		{ -EFAULT, MG_OUTCOME_FAILED, "failed" },
		{ -EINVAL, MG_OUTCOME_FAILED, "failed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *reason = NULL;

		CHECK_INT(mg_delete_module_outcome(cases[i].err, &reason),
			  cases[i].outcome);
		CHECK_STR(reason, cases[i].reason);
	}
}

static void t_delete_missing(void)
{
	/* without CAP_SYS_MODULE the kernel says EPERM before looking */
	int err = mg_delete_module("mg_surely_not_loaded_xyz", O_NONBLOCK);

	/*
	 * ENOSYS: a seccomp sandbox (containers, CI), or a kernel without
	 * module support (CONFIG_MODULES=n: the syscall does not exist)
	 */
	if (err != -ENOENT && err != -EPERM && err != -ENOSYS)
		check_fail(__FILE__, __LINE__, "got %d", err);
}

int main(void)
{
	RUN(t_outcomes);
	RUN(t_delete_missing);
	return check_done();
}
