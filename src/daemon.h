/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_DAEMON_H
#define REDMON_DAEMON_H

struct runtime;

/* Run the service loop until SIGTERM/SIGINT; returns the process exit code. */
int daemon_run(struct runtime *rt);

#endif
