/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_DAEMON_H
#define REDMON_DAEMON_H

#include <stddef.h>

struct config;
struct runtime;

/*
 * What the daemon would fail on beyond the config's values (start, reload,
 * --check-config): the user to drop to, the secret files (config.h), [snmp].
 * 0, or the first problem's -errno with every problem in err, one a line.
 */
int daemon_check_config(const struct runtime *rt, const struct config *cfg, char *err,
			size_t errlen);

/* Run the service loop until SIGTERM/SIGINT; returns the process exit code. */
int daemon_run(struct runtime *rt);

#endif
