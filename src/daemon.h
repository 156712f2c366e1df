/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_DAEMON_H
#define REDMON_DAEMON_H

#include <stddef.h>

struct config;
struct runtime;

/*
 * What the daemon would fail on beyond the config's own values, checked at
 * start, on reload and by --check-config: the user to drop to exists, every
 * secret file is private (config.h), the [snmp] settings load.  0, or the
 * -errno of the first problem with every problem in err, one line each.
 */
int daemon_check_config(const struct runtime *rt, const struct config *cfg, char *err,
			size_t errlen);

/* Run the service loop until SIGTERM/SIGINT; returns the process exit code. */
int daemon_run(struct runtime *rt);

#endif
