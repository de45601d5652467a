// SPDX-License-Identifier: GPL-2.0
/* systemd's notification datagram: where it goes, what it says */
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../../user/daemon/sd_notify.h"
#include "check.h"

/* a datagram socket bound at path (a leading '@': abstract) */
static int listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)))
		return -1;
	return fd;
}

static void t_unset(void)
{
	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(mg_sd_notify("READY=1"), 1);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK_INT(mg_sd_notify("READY=1"), 1);
}

static void t_path(void)
{
	char tmpl[] = "/tmp/mg_notify.XXXXXX", path[200], buf[256] = "";
	char *dir = check_mkdtemp(tmpl);
	int fd;

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(mg_sd_notify("READY=1\nSTATUS=tracking 3 modules"), 0);
	CHECK(recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0);
	CHECK_STR(buf, "READY=1\nSTATUS=tracking 3 modules");
}

static void t_abstract(void)
{
	char name[64], buf[64] = "";
	int fd;

	snprintf(name, sizeof(name), "@mg_notify_test_%d", (int)getpid());
	fd = listener(name);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK_INT(mg_sd_notify("STOPPING=1"), 0);
	CHECK(recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0);
	CHECK_STR(buf, "STOPPING=1");
}

static void t_bad(void)
{
	char longp[200];

	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	CHECK_INT(mg_sd_notify("READY=1"), -EAFNOSUPPORT);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	CHECK_INT(mg_sd_notify("READY=1"), -ENAMETOOLONG);
	/* nobody listens there */
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	CHECK_INT(mg_sd_notify("READY=1"), -ENOENT);
}

int main(void)
{
	RUN(t_unset);
	RUN(t_path);
	RUN(t_abstract);
	RUN(t_bad);
	return check_done();
}
