// SPDX-License-Identifier: GPL-2.0
/*
 * Open one socket and hold it until killed, for the holder scan's tests:
 * a socket of a family a module serves holds references on it.
 * Usage: hold_socket FAMILY TYPE PROTOCOL (numbers); prints "ready" once
 * the socket is open, exits 1 if socket(2) fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: hold_socket FAMILY TYPE PROTOCOL\n");
		return 2;
	}
	fd = socket(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]));
	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	printf("ready fd=%d\n", fd);
	fflush(stdout);
	for (;;)
		pause();
}
