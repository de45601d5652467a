/* SPDX-License-Identifier: GPL-2.0 */
/* the delete_module(2) step of modguard-rmmod, kept apart to be testable */
#ifndef MG_UNLOAD_H
#define MG_UNLOAD_H

/* delete_module(name, flags) via syscall(2); 0 or -errno */
int mg_delete_module(const char *name, unsigned int flags);

/*
 * Map a delete_module() error to an exit code and a short reason:
 * -ENOENT -> 2 "not loaded"; -EWOULDBLOCK/-EAGAIN/-EBUSY -> 1 "in use";
 * -EPERM -> 1 "not permitted"; anything else -> 3 "failed".
 */
int mg_unload_exit_code(int err, const char **reason);

#endif /* MG_UNLOAD_H */
