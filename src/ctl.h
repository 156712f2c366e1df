/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's local socket ([daemon] socket): `redmon status` and `check`
 * ask it for the daemon's view, `ack`, `maintenance` and `forget` tell it
 * something.  One request per connection: a JSON object and a newline; one
 * answer: {"exit": N, "output": "..."} (docs/control.md).
 */
#ifndef REDMON_CTL_H
#define REDMON_CTL_H

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>

/* Where the package's daemon listens when [daemon] socket says nothing. */
#define CTL_SOCKET_DEFAULT "/run/redmon/redmon.sock"

/* Who connected (SO_PEERCRED). */
struct ctl_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/*
 * Answer req: its text into out, its exit code returned.  A request the
 * daemon cannot answer for this client (another root directory) sets
 * *refused to why, and the client scans by itself.
 */
typedef int (*ctl_handler)(void *ctx, const json_t *req, const struct ctl_peer *peer, FILE *out,
			   const char **refused);

struct loop;
struct ctl_server;

/*
 * Listen at path (absolute), mode 0660, group group when it exists (NULL:
 * the daemon's): a stale socket there is replaced, anything else or a live
 * daemon refused.  Made as root before the privilege drop (/run/redmon is
 * root's), answered from ctl_server_serve() on, once there is a view to
 * give: clients meanwhile wait in the backlog.  0 or -errno with why.
 */
int ctl_server_open(const char *path, const char *group, struct loop *l, ctl_handler h, void *ctx,
		    struct ctl_server **ret, char *why, size_t len);
/* Start answering (NULL: nothing to do); 0 or -errno. */
int ctl_server_serve(struct ctl_server *s);
/* Close every connection and the socket (the file stays: see ctl.c). */
void ctl_server_free(struct ctl_server *s);

/*
 * The client: send req to the daemon at path and wait up to timeout_ms for
 * its answer (*ret, the caller's).  -errno: -ENOENT, -ECONNREFUSED, -EACCES
 * (no daemon for us), -ETIMEDOUT, -EPROTO (an answer that is no answer).
 */
int ctl_ask(const char *path, const json_t *req, int timeout_ms, json_t **ret);

#endif
