/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scrubs: when a group was last scrubbed and what the scrub found.  The
 * classic second failure is an unreadable sector met during a rebuild, which
 * a scrub would have found; a group whose last scrub is older than
 * [daemon] scrub_max_age, or whose last scrub found errors, gets a reason and
 * an event (scrub_overdue, scrub_found_errors), never another health.  Pure
 * functions on struct group, no logging; agg.c calls them once per scan.
 */
#ifndef REDMON_SCRUB_H
#define REDMON_SCRUB_H

#include <stddef.h>
#include <stdint.h>

struct group;

/* [daemon] scrub_max_age's default: 35 days, a monthly scrub and some slack. */
#define SCRUB_MAX_AGE_DEFAULT_S (35 * 24 * 3600)

/*
 * Carry g's scrub history from its last scan (old; NULL: first seen now) and
 * decide its conditions at now (Unix s).  The last scrub is the source's
 * scrub_time when it gives one, else the time the daemon saw a check or
 * repair end on the group; with none, the age counts from when the daemon
 * first saw the group, so a new install raises nothing at once.  max_age_s
 * 0: never overdue.
 */
void scrub_track(const struct group *old, struct group *g, int64_t now, int64_t max_age_s);

/*
 * The reason in words while a condition holds ("last scrub 40 days ago",
 * "no scrub seen in 36 days", "scrub found errors: mismatch_cnt 128"), "; "
 * between them; "" when none holds.  now: as given to scrub_track().
 */
void scrub_reason(const struct group *g, int64_t now, char *buf, size_t len);

/* "40 days", "5 hours", "12 minutes": the largest whole unit of s seconds. */
void scrub_age_text(int64_t s, char *buf, size_t len);

#endif
