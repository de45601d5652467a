/* SPDX-License-Identifier: GPL-2.0 */
/*
 * delete_module(2) and what its errors mean, for modguardd's guarded
 * unloads and modguard-rmmod's unguarded --force alike.
 */
#ifndef MG_DELETE_MODULE_H
#define MG_DELETE_MODULE_H

#include "outcome.h"

/* delete_module(name, flags) via syscall(2); 0 or -errno */
int mg_delete_module(const char *name, unsigned int flags);

/*
 * What a delete_module() result err (0 or -errno) comes to, with a short
 * reason: 0 -> OK "unloaded"; -ENOENT -> BAD_INPUT "not loaded";
 * -EWOULDBLOCK/-EAGAIN/-EBUSY -> REFUSED "in use"; -EPERM -> REFUSED
 * "not permitted"; anything else -> FAILED "failed".
 */
enum mg_outcome mg_delete_module_outcome(int err, const char **reason);

#endif /* MG_DELETE_MODULE_H */
