// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "kernel_view.h"
#include "record_format.h"
#include "parse.h"

static void read_attr(const char *sys_module, const char *name,
		      const char *attr, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s", sys_module, name, attr);
	mg_read_first_line(path, buf, len);
}

void mg_kmod_build_id(const char *sys_module, const char *name, char *buf,
		      size_t len)
{
	unsigned char note[256];
	uint32_t namesz, descsz, type, off;
	char path[512];
	size_t n, o;
	FILE *f;

	read_attr(sys_module, name, "srcversion", buf, len);
	if (buf[0])
		return;
	snprintf(path, sizeof(path), "%s/%s/notes/.note.gnu.build-id",
		 sys_module, name);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(note, 1, sizeof(note), f);
	fclose(f);
	/* Elf_Nhdr: namesz, descsz, type, then name and desc, 4-aligned */
	if (n < 12)
		return;
	memcpy(&namesz, note, 4);
	memcpy(&descsz, note + 4, 4);
	memcpy(&type, note + 8, 4);
	off = 12 + ((namesz + 3) & ~3u);
	if (type != 3 /* NT_GNU_BUILD_ID */ || off > n || descsz > n - off ||
	    len < 10 + 2 * (size_t)descsz)
		return;
	o = snprintf(buf, len, "build-id:");
	for (uint32_t i = 0; i < descsz; i++)
		o += snprintf(buf + o, len - o, "%02x", note[off + i]);
}

_Static_assert(MG_MODULE_NAME_LEN == 56, "the %55s below");

int mg_kmod_read(const char *proc_modules, const char *sys_module,
		 const char *name, struct mg_kmod *k)
{
	char line[1024], mname[MG_MODULE_NAME_LEN], holders[512], state[32], path[512];
	int refcnt, found = 0;
	FILE *f;

	memset(k, 0, sizeof(*k));
	f = fopen(proc_modules, "re");
	if (!f)
		return -errno;
	/* "name size refcnt holders, state address" */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%55s %*u %d %511s %31s", mname, &refcnt,
			   holders, state) != 4)
			continue;
		if (!mg_module_name_eq(mname, name))
			continue;
		found = 1;
		break;
	}
	fclose(f);
	if (!found) {
		/* built-in modules have /sys/module/NAME but no initstate */
		snprintf(path, sizeof(path), "%s/%s", sys_module, name);
		if (!access(path, F_OK)) {
			snprintf(path, sizeof(path), "%s/%s/initstate",
				 sys_module, name);
			if (access(path, F_OK))
				return -EEXIST;
		}
		return -ENOENT;
	}
	snprintf(k->name, sizeof(k->name), "%s", mname);
	k->refcnt = refcnt;
	if (!strcmp(state, "Live"))
		snprintf(k->state, sizeof(k->state), "live");
	else if (!strcmp(state, "Loading"))
		snprintf(k->state, sizeof(k->state), "coming");
	else
		snprintf(k->state, sizeof(k->state), "going");
	if (strcmp(holders, "-")) {
		size_t n = strlen(holders);

		if (n && holders[n - 1] == ',')
			holders[n - 1] = '\0';
		mg_field_copy(k->holders, sizeof(k->holders), holders);
	}
	read_attr(sys_module, mname, "srcversion", k->srcversion,
		  sizeof(k->srcversion));
	mg_kmod_build_id(sys_module, mname, k->build, sizeof(k->build));
	return 0;
}
