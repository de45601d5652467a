/* SPDX-License-Identifier: GPL-2.0 */
/* the version of modguardd, modguard and modguard-rmmod (--version, status) */
#ifndef MG_VERSION_H
#define MG_VERSION_H

#define MG_VERSION "0.1.0"

#endif /* MG_VERSION_H */
