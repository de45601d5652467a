/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol client shared by modguard and modguard-rmmod: one connection,
 * one request, then reply records until the final "ok" or "err" line.
 */
#ifndef MG_CLIENT_H
#define MG_CLIENT_H

#include "proto.h"

#define MG_DEFAULT_SOCKET "/run/modguard/modguard.sock"
#define MG_SOCKET_ENV "MODGUARD_SOCKET"
/* default receive timeout of the commands */
#define MG_CLIENT_TIMEOUT_MS 10000

struct mg_client {
	int fd;
	int timeout_ms;    /* per receive; < 0 waits forever */
	int done;          /* final line seen */
	enum mg_outcome err_code; /* from "err code=", MG_OUTCOME_OK otherwise */
	char *err_msg;     /* from "err msg=", owned, NULL otherwise */
	char *buf;         /* received bytes not yet returned */
	size_t len;        /* bytes in buf */
	size_t off;        /* start of the next line in buf */
	size_t cap;
	struct mg_record rec; /* last record, points into buf */
};

/* a reply collected in memory; each record points into its own line */
struct mg_reply {
	int nrecs;
	struct mg_reply_rec {
		char *line;
		struct mg_record rec;
	} *recs;
	enum mg_outcome err_code; /* MG_OUTCOME_OK on "ok" */
	char *err_msg;     /* NULL on "ok" */
};

/* the socket to use: opt if set, else $MODGUARD_SOCKET if set, else default */
const char *mg_client_socket_path(const char *opt);

/*
 * Connect to the unix socket at path. Returns 0 or -errno (-ENAMETOOLONG
 * for a path that does not fit sun_path). c is initialized in every case.
 */
int mg_client_connect(struct mg_client *c, const char *path, int timeout_ms);
/* use an already connected fd (socketpair in tests); takes ownership */
void mg_client_attach_fd(struct mg_client *c, int fd, int timeout_ms);
/* send "MG1 verb args...\n"; 0 or -errno (-EINVAL for bad verb/args) */
int mg_client_send(struct mg_client *c, const char *verb,
		   const char *const *args, int nargs);
/*
 * Read the next record. Returns 1 with *rec set (valid until the next call),
 * 0 when the final "ok" arrived, -EREMOTEIO when the final line was "err"
 * (c->err_code and c->err_msg set), or -errno: -ETIMEDOUT, -EPROTO (the
 * connection closed before the final line), -EMSGSIZE (overlong line),
 * -EBADMSG (malformed line), -ENOMEM.
 */
int mg_client_next(struct mg_client *c, const struct mg_record **rec);
void mg_client_close(struct mg_client *c);

/*
 * Whole exchange collected into r. Returns 0 (also when the daemon said
 * "err": see r->err_code) or -errno for transport/protocol failures.
 */
int mg_client_collect(struct mg_client *c, struct mg_reply *r);
int mg_client_request(const char *path, int timeout_ms, const char *verb,
		      const char *const *args, int nargs, struct mg_reply *r);
void mg_reply_free(struct mg_reply *r);

#endif /* MG_CLIENT_H */
