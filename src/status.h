/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_STATUS_H
#define REDMON_STATUS_H

#include <stdbool.h>
#include <stdio.h>

struct agg;

/* Print the groups and probes of agg as a table or the status JSON; 0 or -1. */
int status_print(const struct agg *a, bool as_json, const char *host, const char *root,
		 FILE *out);

/* Print the Nagios plugin line and return its exit code (0-3). */
int check_print(const struct agg *a, FILE *out);

#endif
