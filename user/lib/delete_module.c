// SPDX-License-Identifier: GPL-2.0
/* delete_module(2) and what its errors mean; see delete_module.h */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "delete_module.h"

int mg_delete_module(const char *name, unsigned int flags)
{
	/* glibc has no wrapper for delete_module */
	if (syscall(SYS_delete_module, name, flags) < 0)
		return -errno;
	return 0;
}

enum mg_outcome mg_delete_module_outcome(int err, const char **reason)
{
	switch (-err) {
	case 0:
		*reason = "unloaded";
		return MG_OUTCOME_OK;
	case ENOENT:
		*reason = "not loaded";
		return MG_OUTCOME_BAD_INPUT;
	case EWOULDBLOCK: /* == EAGAIN on Linux: refcount not zero */
	case EBUSY:       /* other modules depend on it, or it is not live */
		*reason = "in use";
		return MG_OUTCOME_REFUSED;
	case EPERM:       /* no CAP_SYS_MODULE, modules_disabled, no exit */
		*reason = "not permitted";
		return MG_OUTCOME_REFUSED;
	default:
		*reason = "failed";
		return MG_OUTCOME_FAILED;
	}
}
