/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The aggregator: keeps the last snapshot of every probe and turns each new
 * scan into events (docs/json.md) by diffing it against the last one.
 */
#ifndef REDMON_AGG_H
#define REDMON_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "model.h"

typedef void (*agg_emit_fn)(void *ctx, const struct event *ev);

/*
 * A change seen but not yet announced (flap damping): what it would be (a
 * fingerprint of health, margin and member roles), how often seen in a row.
 */
struct agg_hold {
	char *id;
	uint64_t fingerprint;
	unsigned scans;
};

struct agg_probe {
	char *name;
	struct snapshot groups; /* sorted by id */
	bool scanned;		/* at least one scan (or failure) recorded */
	bool failed;
	char *error;
	struct agg_hold *holds; /* changes held back (damping), sorted by id */
	size_t n_holds;
};

/* When a group's current health was announced (the anchor of its reminders). */
struct agg_since {
	char *id;
	struct timespec time;
};

struct agg {
	struct agg_probe *probes; /* sorted by name */
	size_t n_probes;
	uint64_t seq; /* of the last event emitted */
	unsigned progress_step;
	/* A change that is no failure is announced once this many scans in a row saw it (1: at once). */
	unsigned recovery_scans;
	struct agg_since *since; /* sorted by id */
	size_t n_since;
	agg_emit_fn emit;
	void *emit_ctx;
};

void agg_init(struct agg *a, unsigned progress_step, agg_emit_fn emit, void *ctx);

/*
 * A probe scanned successfully: diff fresh against its last groups, emit the
 * events, and keep fresh (its groups are moved out; fresh is left empty).
 * Returns 0 or -ENOMEM (state unchanged then).
 */
int agg_update(struct agg *a, const char *probe, struct snapshot *fresh);

/*
 * A probe's scan failed: on the first failure emit probe_failed and turn its
 * groups unknown (health_changed for each), keeping them so a recovery shows.
 */
int agg_probe_failed(struct agg *a, const char *probe, const char *error);

/* Emit an event that is not a diff (test, ...): fills seq and time. */
void agg_emit(struct agg *a, struct event *ev);

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
 * After the first full scan: restored probes that did not scan (not loaded,
 * disabled) lose their groups (group_vanished each).
 */
void agg_drop_unscanned(struct agg *a);

void agg_fini(struct agg *a);

/*
 * The read-only view for everybody else (state, status, sinks, SNMP): no
 * module but agg.c reads struct agg's fields.  Probes are sorted by name,
 * each probe's groups by id; pointers are valid until the next agg_update,
 * agg_probe_failed, agg_restore_probe or agg_drop_unscanned.
 */
size_t agg_probe_count(const struct agg *a);
const struct agg_probe *agg_probe_at(const struct agg *a, size_t i);
/* The probe named name, or NULL. */
const struct agg_probe *agg_probe_find(const struct agg *a, const char *name);
/* The sequence number of the last event emitted (0: none yet). */
uint64_t agg_last_seq(const struct agg *a);

#endif
