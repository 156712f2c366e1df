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

struct agg_probe {
	char *name;
	struct snapshot groups; /* sorted by id */
	bool scanned;		/* at least one scan (or failure) recorded */
	bool failed;
	char *error;
};

struct agg {
	struct agg_probe *probes; /* sorted by name */
	size_t n_probes;
	uint64_t seq; /* of the last event emitted */
	unsigned progress_step;
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

void agg_fini(struct agg *a);

#endif
