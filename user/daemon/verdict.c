// SPDX-License-Identifier: GPL-2.0
#include "verdict.h"

enum mg_verdict mg_verdict_decide(const struct mg_verdict_input *in)
{
	/*
	 * After exit, anything still pointing in will jump into freed memory;
	 * tasks still inside count as much as armed callbacks.
	 */
	if (in->gone)
		return in->own_pointers || in->foreign_tasks ||
				       in->unknown_tasks || in->open_files
			       ? MG_VERDICT_STALE
			       : MG_VERDICT_CLEAN;
	/*
	 * A correct exit cancels the module's own callbacks and stops its own
	 * kthreads, so they do not make a live module busy.  What the exit
	 * cannot undo is a caller inside: a reference, a foreign task, or a
	 * task we could not unwind (running on another CPU: like livepatch,
	 * treat it as "retry", never as "not inside").  An unknown refcnt or a
	 * module not yet (or no longer) live is busy too: when in doubt, refuse.
	 * A file open on a device it registered without .owner counts as the
	 * reference .owner would have taken: its next read() enters the
	 * module whenever it comes.
	 */
	if (in->refcnt != 0 || in->foreign_tasks || in->unknown_tasks ||
	    in->open_files || !in->live)
		return MG_VERDICT_BUSY;
	return MG_VERDICT_CLEAN;
}

const char *mg_verdict_name(enum mg_verdict v)
{
	switch (v) {
	case MG_VERDICT_CLEAN:
		return "clean";
	case MG_VERDICT_BUSY:
		return "busy";
	case MG_VERDICT_STALE:
		return "stale";
	}
	return "busy";
}
