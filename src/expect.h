/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Expected groups ([group.ID] sections): how many spares and members a group
 * should have, and whether it must exist at all.  A group short of what is
 * expected gets a reason and an event (mdadm's SparesMissing), never another
 * health: health stays the margin's.  Pure functions, no logging.
 */
#ifndef REDMON_EXPECT_H
#define REDMON_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

/* model.h's, declared only: config.h includes this beside <grp.h>'s struct group. */
struct group;

/* What a group falls short of (struct group's short_of). */
#define EXPECT_SPARES  1u
#define EXPECT_MEMBERS 2u

/* One [group.ID] section, typed by config.c's table. */
struct group_expect {
	char *id;	  /* "<probe>:<name>", as groups are named */
	unsigned spares;  /* idle hot spares expected; with spares_set */
	unsigned members; /* members (configured slots) expected; with members_set */
	bool spares_set, members_set;
	bool required; /* its vanishing is critical, its absence too */
};

/*
 * Which EXPECT_* bits g falls short of under e (NULL: none).  Members count
 * as the group's configured slots, or its listed members that are not empty
 * slots when the probe could not tell the slots.
 */
unsigned expect_shortfall(const struct group_expect *e, const struct group *g);

/* "1 spare expected, 0 present; ..." for the bits of short_of into buf. */
void expect_reason(const struct group_expect *e, const struct group *g, unsigned short_of,
		   char *buf, size_t len);

/* Whether id names a group: "<probe>:<name>", the probe a valid name, no control bytes. */
bool expect_id_valid(const char *id);

/* The expectation for id in v (n of them), or NULL. */
const struct group_expect *expect_find(const struct group_expect *v, size_t n, const char *id);

#endif
