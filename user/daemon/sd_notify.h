/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's service notification (sd_notify(3), Type=notify): one datagram
 * of "KEY=VALUE" lines to the AF_UNIX socket $NOTIFY_SOCKET names (a path,
 * or "@name" for an abstract one).  A sender of our own rather than
 * libsystemd's: the protocol is one sendto(), and libsystemd would be a
 * new dependency of a root daemon for it.
 */
#ifndef MG_SD_NOTIFY_H
#define MG_SD_NOTIFY_H

/*
 * Send state (e.g. "READY=1\nSTATUS=tracking 40 modules").  Returns 0 when
 * sent, 1 when $NOTIFY_SOCKET is not set (not under systemd: nothing to
 * do), -EAFNOSUPPORT for an address that is neither a path nor "@name",
 * -ENAMETOOLONG, or the -errno of socket()/sendto().
 */
int mg_sd_notify(const char *state);

#endif /* MG_SD_NOTIFY_H */
