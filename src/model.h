/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's own copy of what probes report: groups, members, health.  A
 * snapshot's groups keep their strings and members in its arena (a few
 * large blocks, freed at once), never in mallocs of their own.
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
	enum redmon_risk risk; /* from its disk's health; NONE when not a known disk */
};

/* One disk's health as a disk-health probe reported it (struct redmon_disk). */
struct disk {
	char *device;
	enum redmon_risk health; /* OK, WARNING, FAILING or UNKNOWN */
	char *reason;		 /* NULL when OK */
	char *model;
	char *serial;
};

/* Strings are read-only: groups of one snapshot share repeated ones (snapshot_strdup()). */
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
	char **spof; /* hidden single points of failure, in words (struct redmon_group) */
	size_t n_spof;
	int64_t scrub_time;   /* the last completed scrub as the source says, Unix s; 0 unknown */
	char *scrub_found;    /* what it found wrong; NULL: nothing or not known */
	int64_t eta_source_s; /* seconds left as the probe estimates them; 0: it does not say */
	/* A copy made by group_copy(): the one block holding its strings and members. */
	void *own;
	/*
	 * Kept by the aggregator across scans (agg.c), 0 from a probe: a
	 * rebuild's first observation (progress, monotonic ms) for its rate,
	 * when its progress last moved, whether rebuild_stalled was announced,
	 * and the estimated seconds left (-1: unknown).
	 */
	double rate_progress0;
	int64_t rate_t0_ms;
	int64_t moved_ms;
	int64_t eta_s;
	/* EXPECT_* bits: what falls short of its [group.ID] section (agg.c). */
	unsigned short_of;
	/* Beside short_of, not before eta_s: no 7-byte hole in 1000s of groups. */
	bool stalled;
	/* Whether scrub_overdue and scrub_found_errors hold (announced once each; scrub.c). */
	bool scrub_overdue;
	bool scrub_errors;
	/*
	 * Scrubs, kept by the aggregator (scrub.c), 0 from a probe; Unix s.
	 * When the daemon first saw the group (the age of a scrub never seen
	 * counts from it), when it saw a check or repair end, the last scrub
	 * (the source's scrub_time, else the one seen end; 0: none known), and
	 * its age at the last scan (-1: none known).
	 */
	int64_t scrub_first_seen;
	int64_t scrub_seen_end;
	int64_t scrub_last;
	int64_t scrub_age_s;
};

struct snap_block;

/* Groups, sorted by id once complete; {0} is empty.  Moved between threads by value. */
struct snapshot {
	struct group *groups;
	size_t n, cap;
	struct snap_block *blocks; /* the arena, the block being filled first */
	size_t arena_hint;	   /* bytes the next fill is expected to need */
	size_t groups_hint;	   /* groups the next fill is expected to add */
	char **intern;		   /* short repeated strings, a table in the arena */
	struct disk *disks;	   /* in report order; strings in the arena */
	size_t n_disks, disks_cap;
	/*
	 * A delta (report_memo.h): the groups above are those that changed or
	 * appeared, gone[] the ids of those that vanished (sorted, in the
	 * arena); every other group is as the last scan handed over.  No disks.
	 */
	bool delta;
	char **gone;
	size_t n_gone, gone_cap;
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

/* Validate and deep-copy a probe's report into s: 0, -EINVAL (no name, bad enum), -ENOMEM. */
int snapshot_add(struct snapshot *s, const char *probe, const struct redmon_group *g);
/*
 * snapshot_add() for a plugin whose members are member_size bytes apart
 * (its descriptor's member_size, at least REDMON_MEMBER_SIZE_V1) and whose
 * groups are group_size bytes (at least REDMON_GROUP_SIZE_V1): a member's
 * risk, a group's spof, scrub and eta_s are read only when those sizes cover them.
 */
int snapshot_add_sized(struct snapshot *s, const char *probe, const struct redmon_group *g,
		       size_t member_size, size_t group_size);
/*
 * Validate and copy one disk (size: the plugin's sizeof(struct redmon_disk)):
 * 0, -EINVAL (no device, bad health, no reason but for ok, short struct),
 * -EEXIST (a device already
 * in s: the first report stays), -ENOMEM.
 */
int snapshot_add_disk(struct snapshot *s, const struct redmon_disk *d, size_t size);
/*
 * What snapshot_add_sized() would copy of g, as a 64-bit FNV-1a hash (never
 * 0), so that a report can be told unchanged without a copy; 0 when g is
 * invalid (snapshot_add_sized() would refuse it).
 */
uint64_t group_report_hash(const struct redmon_group *g, size_t member_size, size_t group_size);
/* In a delta, the group "<probe>:<name>" vanished; 0 or -ENOMEM.  Sorted by snapshot_sort(). */
int snapshot_add_gone(struct snapshot *s, const char *probe, const char *name);
const char *risk_name(enum redmon_risk r);

/* Deep-copy src into one block of its own (dst->own), outside any arena; 0 or -ENOMEM. */
int group_copy(struct group *dst, const struct group *src);

/* A copy of str in s's arena, for groups of s only, until s is cleared; NULL on ENOMEM. */
char *snapshot_strdup(struct snapshot *s, const char *str);

/* Sort by id and drop every group whose id repeats an earlier one; returns how many. */
size_t snapshot_sort(struct snapshot *s);
/* Binary search: only on a sorted snapshot. */
const struct group *snapshot_find(const struct snapshot *s, const char *id);
/*
 * Free every group.  A small snapshot keeps its memory for the next fill; a
 * large one (over 64 KiB) frees it, remembering its size, so as not to pin it.
 */
void snapshot_clear(struct snapshot *s);
void snapshot_free(struct snapshot *s);
/* A delta that changes nothing: no group, no vanished id, no disk. */
bool snapshot_is_empty_delta(const struct snapshot *s);
/* Bytes the snapshot holds: arena, groups array, group_copy() blocks (tests, bench). */
size_t snapshot_footprint(const struct snapshot *s);
/* Forget g (its own block if group_copy() made it); its arena memory goes with the snapshot. */
void group_free(struct group *g);

#endif
