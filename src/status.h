/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_STATUS_H
#define REDMON_STATUS_H

#include <stdbool.h>
#include <stdio.h>

struct agg;
struct event_summary;
struct runtime;

/* The order of groups: by name, numbers as numbers (md2 before md10); or the worst first. */
enum status_sort { STATUS_SORT_NAME = 0, STATUS_SORT_WORST };

/* <0, 0, >0 as strcmp, but a run of digits compares as a number. */
int natural_cmp(const char *a, const char *b);

/* Print the groups and probes of agg as the status JSON ("source": "scan" or "daemon"); 0 or -1. */
int status_print_json(const struct agg *a, enum status_sort sort, const char *host,
		      const char *root, const char *source, FILE *out);

/* Print them as a table, with health in colour when color. */
void status_print_table(const struct agg *a, enum status_sort sort, bool color, FILE *out);

/* Colour when out is a terminal, TERM is not "dumb", and neither --no-color nor NO_COLOR. */
bool status_use_color(bool no_color, FILE *out);

/* The closing line of the table ("3 groups: 1 ok, ...; worst: critical"). */
void status_summary(const struct agg *a, char *buf, size_t len);

/* The same line, of a summary made already. */
void status_summary_text(const struct event_summary *s, char *buf, size_t len);

/* Whether two summaries make the same line (the counts it shows, not probes_failed). */
bool status_summary_same_text(const struct event_summary *a, const struct event_summary *b);

/*
 * status --test: the exit code of `mdadm --detail --test` from the worst
 * group: 0 ok (or nonredundant), 1 degraded or critical, 2 failed, 4 unknown.
 */
int status_test_code(const struct agg *a);

/* `redmon status --watch` until SIGINT or SIGTERM; returns the exit code. */
int status_watch(struct runtime *rt, bool color);

/* What `redmon check` is asked beyond the configuration. */
struct check_opts {
	char **exclude; /* --exclude: fnmatch(3) patterns of group ids left out */
	size_t n_exclude;
	int empty;     /* --empty: the exit code (0-3) when no group is found */
	char **expect; /* --expect sent to the daemon: ids that must be there (beside its own) */
	size_t n_expect;
};

/* Print the Nagios plugin output (status line, perfdata, long output); its exit code (0-3). */
int check_print(const struct agg *a, const struct check_opts *o, FILE *out);

#endif
