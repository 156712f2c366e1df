/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands' side of the control socket (ctl.h): ask the running daemon. */
#ifndef REDMON_ASK_H
#define REDMON_ASK_H

#include <jansson.h>
#include <stdbool.h>

#include "runtime.h"

/*
 * The control socket cli's configuration names into buf: 0; 1 when it names
 * none ([daemon] socket empty); -1 when the configuration does not load (the
 * command's own start reports why).
 */
int ask_socket_path(const struct cli *cli, char *buf, size_t len);

/*
 * Send req (taken) to the daemon at path, print its answer and return its
 * exit code: on stdout (view: status and check, whatever the code), else
 * on stdout when it worked and stderr when not.  -1 when no daemon answered,
 * or it would not answer for us: why in why.
 */
int ask_daemon(const char *path, json_t *req, int timeout_ms, bool view, char *why, size_t len);

#endif
