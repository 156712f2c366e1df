/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Redfish walk: from the service root (/redfish/v1) through Chassis to
 * the power supplies and fans (Power/Thermal, and the newer
 * PowerSubsystem/ThermalSubsystem, DSP0268 2020.4 and later), and through
 * Systems to Storage, its Volumes and their Drives; the resources come from
 * a struct redfish_source (redfish_source.h: a mockup tree or a BMC).  Every
 * resource is hostile: the walk is bounded (fetches, depth, members of a
 * collection), fetches each path once, and refuses any link that is not an
 * absolute /redfish/v1/... path without query, fragment or "..".
 *
 * It turns what it read into groups (docs/redfish.md): each chassis' PSU set
 * `Chassis/<id>:psu`, each fan redundancy set `Chassis/<id>:fans[-suffix]`,
 * each volume `Systems/<id>/Storage/<s>/Volumes/<v>`.  A struct redfish_walk
 * remembers, across walks, which members each group has seen present, so a
 * bay that turns Absent stays counted as missing (plugins/lib/psu_set.h).
 * Nothing here logs.
 */
#ifndef REDMON_REDFISH_WALK_H
#define REDMON_REDFISH_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "redfish_source.h"
#include "redmon/plugin.h"

#define REDFISH_ROOT	    "/redfish/v1"
#define REDFISH_PATH_MAX    512	       /* longest link followed */
#define REDFISH_MAX_FETCHES 2048       /* resources one walk reads at most */
#define REDFISH_MAX_DEPTH   12	       /* links from the service root (a volume's drive is 8) */
#define REDFISH_MAX_MEMBERS 256	       /* members taken from one collection or array */
#define REDFISH_MAX_GROUPS  512	       /* groups one walk reports at most */
#define REDFISH_MAX_VALUES  (1u << 20) /* JSON values one walk holds (~100 MB at most) */
#define REDFISH_WHY	    512	       /* a reason */

/* One group of a walk's result; every string is owned (strdup). */
struct redfish_group {
	struct redmon_group g;
	struct redmon_member *members; /* g.members */
};

/* What one walk found: its groups in walk order, and what it cost. */
struct redfish_result {
	struct redfish_group *v;
	size_t n, cap;
	unsigned fetches;  /* get() calls made */
	unsigned failures; /* get() calls that failed (the resource was left out) */
};

void redfish_result_free(struct redfish_result *r);

struct redfish_walk;

/* Memory across walks, or NULL when out of memory; free with redfish_walk_free() (NULL: no-op). */
struct redfish_walk *redfish_walk_new(void);
void redfish_walk_free(struct redfish_walk *w);

/*
 * One walk over src into *ret (zeroed first; free it with
 * redfish_result_free() whatever the answer).  0, or -EIO when the service
 * root cannot be had or the service stopped answering during the walk, or
 * -ENOMEM; why says why (one printable line).  A resource that cannot be had
 * while the service still answers leaves out what it would have shown; a
 * group reported before and not found this time is reported unknown.
 */
int redfish_walk_run(struct redfish_walk *w, struct redfish_source *src, struct redfish_result *ret,
		     char *why, size_t why_len);

/*
 * Whether path may be followed: "/redfish/v1" or below it, at most
 * REDFISH_PATH_MAX bytes, URI path characters only (RFC 3986 pchar), no
 * query, fragment, empty, "." or ".." segment, and no %-escape of '.', '/'
 * or '\'.  A trailing '/' is allowed (the mockups' root is "/redfish/v1/").
 */
bool redfish_path_ok(const char *path);

#endif /* REDMON_REDFISH_WALK_H */
