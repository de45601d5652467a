/* SPDX-License-Identifier: GPL-2.0 */
/* a task's effective capabilities, as the kernel shows them in /proc */
#ifndef MG_CAPS_H
#define MG_CAPS_H

#include <stdint.h>

/*
 * The CapEff mask of a /proc/<pid>/status file (or a fixture with the same
 * "CapEff:\t<hex>" line).  Returns 0, -errno when it cannot be read, or
 * -ENODATA when it has no such line.
 */
int mg_cap_eff_read(const char *status_path, uint64_t *eff);

/* 1 if capability cap (CAP_* of <linux/capability.h>) is in mask eff */
static inline int mg_cap_has(uint64_t eff, int cap)
{
	return cap >= 0 && cap < 64 && ((eff >> cap) & 1);
}

#endif /* MG_CAPS_H */
