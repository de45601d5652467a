/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says of a module right now, from /proc/modules and
 * /sys/module: the ground truth the ledger is checked against.
 */
#ifndef MG_KERNEL_VIEW_H
#define MG_KERNEL_VIEW_H

#include <stdint.h>

#include "modguard_abi.h"

struct mg_kmod {
	char name[MG_MODULE_NAME_LEN];
	char state[16];	      /* live, coming, going */
	int refcnt;	      /* users, as lsmod shows: refcnt - MODULE_REF_BASE */
	char holders[256];    /* modules that depend on it, comma-separated */
	char srcversion[64];  /* the build's identity, "" if none */
	char build[96];       /* srcversion, else "build-id:<hex>", else "" */
};

/*
 * A module build's identity, for quarantine: its srcversion, or else the
 * GNU build id kbuild links into every module (/sys/module/NAME/notes).
 * Empty when neither can be read.
 */
void mg_kmod_build_id(const char *sys_module, const char *name, char *buf,
		      size_t len);

/*
 * Fill k for name from proc_modules (normally /proc/modules) and sys_module
 * (/sys/module).  Returns 0, -ENOENT if it is not loaded, or -EEXIST if it
 * is built into the kernel (a /sys/module entry without being loadable).
 */
int mg_kmod_read(const char *proc_modules, const char *sys_module,
		 const char *name, struct mg_kmod *k);

#endif /* MG_KERNEL_VIEW_H */
