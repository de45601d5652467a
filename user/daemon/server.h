/* SPDX-License-Identifier: GPL-2.0 */
/* The unix socket modguard and modguard-rmmod talk to (docs/PROTOCOL.md). */
#ifndef MG_SERVER_H
#define MG_SERVER_H

#include "daemon.h"

/* create the socket (and its folder); refuses if another daemon answers */
int mg_server_open(struct mg_daemon *d);
/* accept one client, answer its one request, close it */
void mg_server_handle(struct mg_daemon *d);
void mg_server_close(struct mg_daemon *d);

#endif /* MG_SERVER_H */
