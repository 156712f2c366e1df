/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's own copy of what probes report: groups, members, health.
 * Everything here is owned by the snapshot that holds it.
 */
#ifndef REDMON_MODEL_H
#define REDMON_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redmon/plugin.h"

enum health {
	HEALTH_OK = 0,
	HEALTH_NONREDUNDANT,
	HEALTH_DEGRADED,
	HEALTH_UNKNOWN,
	HEALTH_CRITICAL,
	HEALTH_FAILED,
	HEALTH_COUNT_
};

struct member {
	char *name;
	enum redmon_role role;
	char *state;
	char *device;
	char *serial;
	char *location;
	char *reason;
};

struct group {
	char *id; /* "<probe>:<name>" */
	char *probe;
	char *name;
	char *kind;
	char *type;
	int members_total;
	int members_ok;
	int members_failed;
	int spares;
	int32_t margin; /* as reported: may be < 0 or REDMON_MARGIN_UNKNOWN */
	int32_t margin_nominal;
	enum health health; /* derived by health_derive() */
	enum redmon_activity activity;
	double progress;
	char *reason;
	struct member *members;
	size_t n_members;
};

/* A set of groups, sorted by id once complete. */
struct snapshot {
	struct group *groups;
	size_t n, cap;
};

/* The health rule of DESIGN.md; the only place health is decided. */
enum health health_derive(int32_t margin, int32_t margin_nominal);

/* The margin as shown to people: clamped to >= 0, or -1 when unknown. */
int32_t margin_shown(const struct group *g);

/* Order used for "worst": ok < nonredundant < degraded < unknown < critical < failed. */
static inline bool health_worse(enum health a, enum health b)
{
	return a > b;
}

const char *health_name(enum health h);
const char *role_name(enum redmon_role r);
const char *activity_name(enum redmon_activity a);
/* recovery, resync and reshape: work that restores or changes redundancy. */
bool activity_is_rebuild(enum redmon_activity a);

/*
 * Deep-copy a probe's report into a new group of the snapshot, validating it.
 * Returns 0, -EINVAL (no name, bad enum), or -ENOMEM.  Duplicates are
 * removed by snapshot_sort().
 */
int snapshot_add(struct snapshot *s, const char *probe, const struct redmon_group *g);

/* Deep-copy one group; 0 or -ENOMEM. */
int group_copy(struct group *dst, const struct group *src);

/* Sort by id and drop every group whose id repeats an earlier one; returns how many. */
size_t snapshot_sort(struct snapshot *s);
/* Binary search: only on a sorted snapshot. */
const struct group *snapshot_find(const struct snapshot *s, const char *id);
/* Free every group, keep the allocation for reuse. */
void snapshot_clear(struct snapshot *s);
void snapshot_free(struct snapshot *s);
void group_free(struct group *g);

#endif
