/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Write-ahead intents of guarded unloads.  A leftover whose object lives
 * in the module's own memory can crash the kernel while delete_module()
 * frees it, before anyone can look.  So what is armed when the exit starts
 * is made durable first (an "unloading" record) and named on the console;
 * the intent is removed once the unload is settled, and a later boot turns
 * one that was never settled into a crash record.
 */
#ifndef MG_INTENTS_H
#define MG_INTENTS_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon.h"
#include "evidence.h"

/*
 * Before delete_module() of module: if ev lists any reference, write the
 * intent and its console line; its record id goes to id_out ("" if none
 * was written).  Returns 0 or the -errno of the record write: then the
 * unload must not go ahead (nothing would name the suspects of a crash).
 */
int mg_intent_write(struct mg_daemon *d, const char *module, const char *build,
		     pid_t requester, const char *requester_comm,
		     const struct mg_evidence *ev, char *id_out, size_t id_len);
/*
 * At start: settle the intents left by a crash (from an earlier boot: a
 * stale record that quarantines the build) or by our own restart (from
 * this boot: says nothing about the module, removed).
 */
void mg_intents_recover(struct mg_daemon *d);

#endif /* MG_INTENTS_H */
