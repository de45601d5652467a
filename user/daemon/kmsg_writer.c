// SPDX-License-Identifier: GPL-2.0
/* Rate-limited kernel-log lines, one open kernel log; see kmsg_writer.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmsg_writer.h"
#include "log.h"
#include "modguard_abi.h"

/*
 * The kernel refuses /dev/kmsg writes longer than 1024 - 32 bytes (older
 * kernels' LOG_LINE_MAX, kernel/printk/printk.c devkmsg_write()); stay
 * well below, as kernel_log.c does.
 */
#define LINE_MAX_BYTES 960
#define PREFIX "<4>modguard: "

struct slot {
	char module[MG_MODULE_NAME_LEN]; /* "" for a free slot */
	uint64_t start_ns; /* its window began */
	uint32_t lines;	   /* written in the window */
	int noted;	   /* the window's note was written */
	uint64_t held;	   /* held back since its last line */
};

static struct {
	/* the last one is shared by the modules beyond MG_KMSG_SLOTS */
	struct slot slots[MG_KMSG_SLOTS + 1];
	uint64_t all_start_ns;
	uint32_t all_lines;
	int fd;
	char path[256];
	int warned; /* the kernel log failed: said once until it works again */
} kw = { .fd = -1 };

static int expired(uint64_t start_ns, uint64_t now_ns)
{
	return now_ns < start_ns || now_ns - start_ns >= MG_KMSG_WINDOW_NS;
}

/* module's slot: its own, a free one, an expired one, else the shared one */
static struct slot *slot_of(const char *module, uint64_t now_ns)
{
	struct slot *victim = NULL;

	for (int i = 0; i < MG_KMSG_SLOTS; i++)
		if (kw.slots[i].module[0] &&
		    !strcmp(kw.slots[i].module, module))
			return &kw.slots[i];
	for (int i = 0; i < MG_KMSG_SLOTS; i++) {
		struct slot *s = &kw.slots[i];

		if (!s->module[0]) {
			victim = s;
			break;
		}
		/* an expired window, preferably one with nothing held back */
		if (expired(s->start_ns, now_ns) &&
		    (!victim || (victim->held && !s->held)))
			victim = s;
	}
	if (!victim)
		return &kw.slots[MG_KMSG_SLOTS];
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->module, sizeof(victim->module), "%s", module);
	victim->start_ns = now_ns;
	return victim;
}

struct mg_kmsg_admit mg_kmsg_admit(const char *module, uint64_t now_ns)
{
	struct mg_kmsg_admit a = { 0 };
	struct slot *s;

	if (!kw.all_start_ns || expired(kw.all_start_ns, now_ns)) {
		kw.all_start_ns = now_ns ? now_ns : 1;
		kw.all_lines = 0;
	}
	s = slot_of(module ? module : "", now_ns);
	if (expired(s->start_ns, now_ns)) {
		s->start_ns = now_ns;
		s->lines = 0;
		s->noted = 0;
	}
	if (s->lines < MG_KMSG_BURST && kw.all_lines < MG_KMSG_TOTAL) {
		a.log = 1;
		a.held = s->held;
		s->held = 0;
		s->lines++;
		kw.all_lines++;
		return a;
	}
	s->held++;
	if (!s->noted && kw.all_lines < MG_KMSG_TOTAL) {
		a.note = 1;
		s->noted = 1;
		kw.all_lines++;
	}
	return a;
}

void mg_kmsg_clean(const char *s, size_t n, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; s && i < n && s[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[i] = '\0';
}

static int kmsg_open(const char *path)
{
	if (kw.fd >= 0 && !strcmp(kw.path, path))
		return 0;
	if (kw.fd >= 0)
		close(kw.fd);
	snprintf(kw.path, sizeof(kw.path), "%s", path);
	/* O_NONBLOCK: whatever path is, the event loop must not wait on it */
	kw.fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC |
				   O_NOCTTY);
	return kw.fd < 0 ? -errno : 0;
}

int mg_kmsg_write(const char *path, const char *msg)
{
	char line[LINE_MAX_BYTES];
	const size_t plen = sizeof(PREFIX) - 1;
	/* the message, and the newline */
	const size_t room = sizeof(line) - plen - 1;
	size_t len = strlen(msg ? msg : "");
	ssize_t w;
	int err;

	memcpy(line, PREFIX, plen);
	mg_kmsg_clean(msg, len, line + plen, room + 1);
	if (len > room)
		memcpy(line + plen + room - 3, "...", 3);
	len = strlen(line);
	line[len++] = '\n';
	err = kmsg_open(path && *path ? path : "/dev/kmsg");
	if (!err) {
		/* one write is one kernel log record */
		do
			w = write(kw.fd, line, len);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			err = -errno;
		else if ((size_t)w != len)
			err = -EIO;
	}
	if (err && err != -EAGAIN) {
		/* open it again next time: it may have been a passing state */
		if (kw.fd >= 0)
			close(kw.fd);
		kw.fd = -1;
		if (!kw.warned++)
			mg_warn("kernel log: cannot write to %s: %s; the refusal "
				"is still recorded", kw.path, strerror(-err));
	} else if (!err) {
		kw.warned = 0;
	}
	return err;
}
