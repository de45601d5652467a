// SPDX-License-Identifier: GPL-2.0
/* outcomes of a request; see outcome.h */
#include <errno.h>
#include <stddef.h>

#include "outcome.h"

const char *mg_outcome_name(enum mg_outcome o)
{
	static const char *const names[] = {
		[MG_OUTCOME_OK] = "ok",
		[MG_OUTCOME_REFUSED] = "refused",
		[MG_OUTCOME_BAD_INPUT] = "bad_input",
		[MG_OUTCOME_FAILED] = "failed",
		[MG_OUTCOME_STALE] = "stale",
	};

	return (unsigned)o <= MG_OUTCOME_MAX ? names[o] : "?";
}

int mg_outcome_parse(const char *s, enum mg_outcome *out)
{
	if (!s || s[0] < '0' || s[0] > '0' + MG_OUTCOME_MAX || s[1])
		return -EINVAL;
	*out = (enum mg_outcome)(s[0] - '0');
	return 0;
}
