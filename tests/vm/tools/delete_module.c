// SPDX-License-Identifier: GPL-2.0
/*
 * delete_module(2) called directly, as any program may: the enforcement
 * must not depend on kmod.  Usage: delete_module NAME; prints the errno
 * name and exits 0 on success, 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: delete_module NAME\n");
		return 2;
	}
	if (syscall(SYS_delete_module, argv[1], O_NONBLOCK)) {
		printf("delete_module(%s): %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("delete_module(%s): ok\n", argv[1]);
	return 0;
}
