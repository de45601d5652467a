// SPDX-License-Identifier: GPL-2.0
/* effective capabilities from /proc; see caps.h */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "caps.h"

int mg_cap_eff_read(const char *status_path, uint64_t *eff)
{
	char line[256];
	uint64_t v;
	int err = -ENODATA;
	FILE *f = fopen(status_path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &v) == 1) {
			*eff = v;
			err = 0;
			break;
		}
	fclose(f);
	return err;
}
