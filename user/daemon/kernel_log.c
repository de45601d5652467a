// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log: one line per stale unload, refusal and unload intent,
 * written to /dev/kmsg so that it lands on the console next to a later
 * oops, which itself never names the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel_log.h"

/*
 * The kernel refuses /dev/kmsg writes longer than 1024 - 32 bytes (older
 * kernels' LOG_LINE_MAX); stay well below.
 */
#define KMSG_LINE_MAX 960
#define KMSG_PREFIX "<4>modguard: "

static int kmsg_vlog(const char *kmsg_path, char level, const char *fmt,
		     va_list ap)
{
	char line[KMSG_LINE_MAX];
	const size_t plen = sizeof(KMSG_PREFIX) - 1;
	/* room for the message, its "..." and the newline */
	const size_t room = sizeof(line) - plen - 1;
	size_t len;
	ssize_t w;
	int fd, n, err = 0;

	memcpy(line, KMSG_PREFIX, plen);
	line[1] = level; /* "<N>" */
	n = vsnprintf(line + plen, room + 1, fmt, ap);
	if (n < 0)
		return -EINVAL;
	len = (size_t)n;
	if (len > room) {
		/* cut, not inside a UTF-8 sequence, and say so */
		len = room - 3;
		while (len && ((unsigned char)line[plen + len] & 0xc0) == 0x80)
			len--;
		memcpy(line + plen + len, "...", 3);
		len += 3;
	}
	while (len && line[plen + len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[plen + i];

		if (c == '\t')
			line[plen + i] = ' ';
		else if (c < 0x20 || c == 0x7f)
			line[plen + i] = '?';
	}
	len += plen;
	line[len++] = '\n';

	fd = open(kmsg_path ? kmsg_path : MG_KMSG_PATH,
		  O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* one write is one kernel log record */
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != len)
		err = -EIO;
	close(fd);
	return err;
}

int mg_kmsg_log(const char *kmsg_path, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = kmsg_vlog(kmsg_path, '4', fmt, ap);
	va_end(ap);
	return err;
}


size_t mg_kmsg_ref_list(const struct mg_ref_summary *refs, size_t nrefs,
			size_t total, const char *first_sep, char *buf,
			size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nrefs && i < MG_KMSG_REFS && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%.*s %.*s",
				 i ? ", " : first_sep,
				 (int)mg_field_len(refs[i].kind, sizeof(refs[i].kind)),
				 refs[i].kind,
				 (int)mg_field_len(refs[i].function,
						sizeof(refs[i].function)),
				 refs[i].function);

		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (total > MG_KMSG_REFS && off < len)
		snprintf(buf + off, len - off, ", ...");
	return off < len ? off : len - 1;
}

int mg_kmsg_record(const char *kmsg_path, const struct mg_unload_record *rec)
{
	size_t blen = mg_field_len(rec->build, sizeof(rec->build));
	size_t nrefs = rec->nrefs + rec->refs_omitted;
	char what[512];

	mg_kmsg_ref_list(rec->refs, rec->nrefs, nrefs, ": ", what, sizeof(what));
	return mg_kmsg_log(kmsg_path,
			   "module %.*s (build %.*s) %.*s: %.*s; %zu reference%s%s (record %.*s)",
			   (int)mg_field_len(rec->module, sizeof(rec->module)),
			   rec->module, blen ? (int)blen : 1,
			   blen ? rec->build : "-",
			   (int)mg_field_len(rec->outcome, sizeof(rec->outcome)),
			   rec->outcome,
			   (int)mg_field_len(rec->reason, sizeof(rec->reason)),
			   rec->reason, nrefs, nrefs == 1 ? "" : "s", what,
			   (int)mg_field_len(rec->id, sizeof(rec->id)), rec->id);
}
