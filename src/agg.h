/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The aggregator: keeps the last snapshot of every probe and turns each new
 * scan into events (docs/json.md) by diffing it against the last one.  It
 * returns the events; the bus (bus.h) numbers them and hands them out.
 * While they are handed out, the aggregator keeps when each group's health
 * was announced: subscribe agg_announcing first and agg_announced last.
 */
#ifndef REDMON_AGG_H
#define REDMON_AGG_H

#include <stdbool.h>

#include "event.h"
#include "expect.h"
#include "model.h"

struct agg;
struct agg_hold;
struct marks;

/* One probe as the aggregator keeps it (read-only outside agg.c). */
struct agg_probe {
	char *name;
	struct snapshot groups; /* sorted by id */
	bool scanned;		/* at least one scan (or failure) recorded */
	bool failed;
	char *error;
	struct agg_hold *holds; /* changes held back (damping), sorted by id */
	size_t n_holds;
};

/* A new, empty aggregator in *ret (the caller frees it with agg_free); 0 or -ENOMEM. */
int agg_new(struct agg **ret, unsigned progress_step);

/* Rebuild progress reported every progress_step %; damping over recovery_scans scans. */
void agg_configure(struct agg *a, unsigned progress_step, unsigned recovery_scans);

/*
 * A recovery, resync or reshape whose progress has not moved for
 * stall_after_ms is stalled (rebuild_stalled; 0: never).  Default 10 min.
 */
void agg_set_stall_after(struct agg *a, uint64_t stall_after_ms);

/* The monotonic clock in ms (never 0) rates and stalls are timed by; NULL: CLOCK_MONOTONIC. */
void agg_set_clock(struct agg *a, int64_t (*clock_ms)(void));

/*
 * A group whose last scrub is older than max_age_s (0: never), or which the
 * daemon has known that long without seeing one, gets scrub_overdue; a scrub
 * that found errors scrub_found_errors (scrub.h).  Default 35 days.
 */
void agg_set_scrub_max_age(struct agg *a, int64_t max_age_s);

/* The wall clock in Unix s scrubs are dated by; NULL: time(). */
void agg_set_wallclock(struct agg *a, int64_t (*clock_s)(void));

/*
 * The [group.ID] expectations (v, n of them, copied): a group short of its
 * spares or members gets a reason and spares_missing/members_missing, a
 * required one that vanishes a critical group_vanished.  0 or -ENOMEM (the
 * old ones kept).
 */
int agg_expect(struct agg *a, const struct group_expect *v, size_t n);
/* The i-th expectation, or NULL past the last (for `redmon check`). */
const struct group_expect *agg_expect_at(const struct agg *a, size_t i);

/*
 * A probe scanned successfully: diff fresh against its last groups, append
 * the events to out (NULL: not wanted), and keep fresh's groups.  fresh
 * receives the probe's previous groups, which vanished events point into:
 * snapshot_clear() it once the events are published.  The events' pointers
 * are valid until then and until the next agg_update, agg_probe_failed,
 * agg_restore_probe or agg_drop_unscanned.  0 or -ENOMEM (state unchanged).
 */
int agg_update(struct agg *a, const char *probe, struct snapshot *fresh, struct event_list *out);

/*
 * A probe's scan failed: on the first failure append probe_failed and turn
 * its groups unknown (health_changed for each), keeping them so a recovery
 * shows.  The events live as agg_update's (error is the caller's string).
 */
int agg_probe_failed(struct agg *a, const char *probe, const char *error, struct event_list *out);

/*
 * Bus subscribers (ctx: the struct agg).  agg_announcing, first: a group
 * that appeared or changed health was announced now (its reminders count
 * from then).  agg_announced, last: a vanished group is forgotten only
 * after everybody saw it, so its alert still starts when its trouble did.
 */
void agg_announcing(void *ctx, const struct event *ev);
void agg_announced(void *ctx, const struct event *ev);

/* Whether probe has a recovery held back that a further scan should confirm. */
bool agg_recovery_pending(const struct agg *a, const char *probe);

/* When the health of group id was last announced; false if not known. */
bool agg_since(const struct agg *a, const char *id, struct timespec *ret);

/* Counts of groups by health over every probe. */
void agg_summarize(const struct agg *a, struct event_summary *ret);

/*
 * Prime the aggregator with a probe's groups from a saved state, before the
 * first scan: that scan is then diffed against them, so what changed while
 * redmon was down is reported as a change.  groups is moved in (left empty).
 * Returns 0 or -ENOMEM.
 */
int agg_restore_probe(struct agg *a, const char *probe, struct snapshot *groups, bool failed,
		      const char *error);
/* Set when the health of group id was announced; 0 or -ENOMEM. */
int agg_set_since(struct agg *a, const char *id, const struct timespec *t);

/*
 * Move the probes and announcement times of src (primed from a saved state)
 * into dst, which has none; src gets dst's empty ones.
 */
void agg_take_restored(struct agg *dst, struct agg *src);

/*
 * After the first full scan: restored probes that did not scan (not loaded,
 * disabled) lose their groups (group_vanished each, appended to out; out
 * keeps the groups they point into until it is cleared).
 */
void agg_drop_unscanned(struct agg *a, struct event_list *out);

/*
 * The operator's marks (acknowledged, in maintenance, vanished while not ok;
 * marks.h), NULL when there are none yet; agg_marks_edit() makes the table
 * (NULL on ENOMEM).
 */
const struct marks *agg_marks(const struct agg *a);
struct marks *agg_marks_edit(struct agg *a);

/* Frees a and everything it keeps; NULL is a no-op. */
void agg_free(struct agg *a);

/*
 * The read-only view for everybody else (state, status, sinks, SNMP).
 * Probes are sorted by name, each probe's groups by id; pointers are valid
 * until the next agg_update, agg_probe_failed, agg_restore_probe or
 * agg_drop_unscanned.
 */
size_t agg_probe_count(const struct agg *a);
const struct agg_probe *agg_probe_at(const struct agg *a, size_t i);
/* The probe named name, or NULL. */
const struct agg_probe *agg_probe_find(const struct agg *a, const char *name);

/* Where agg_next_group() is: start at {0}. */
struct agg_iter {
	size_t probe, group;
};

/* The group of that id ("<probe>:<name>", probe names have no ':') a probe reports, or NULL. */
const struct group *agg_find_group(const struct agg *a, const char *id);

/* Every group, probe by probe, each probe's by id; NULL at the end. */
const struct group *agg_next_group(const struct agg *a, struct agg_iter *it);

#endif
