/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rules of the Redfish probe, between the walk (redfish_walk.c, which
 * finds the resources) and the result: how one member's Status reads
 * (DSP0268 Resource.Status: State and Health), how a PSU or fan set and its
 * Redundancy objects make a group, how a volume's RAIDType and drives make
 * one.  The sets keep their memory across walks in a struct rf_memos (which
 * member was seen present: plugins/lib/psu_set.h).  Nothing logs.
 */
#ifndef REDMON_REDFISH_GROUPS_H
#define REDMON_REDFISH_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "redfish_walk.h"
#include "../lib/psu_set.h"

#define RF_NAME	   (REDFISH_PATH_MAX + 32) /* a group name: a path and a suffix */
#define RF_KEY	   64			   /* a member name */
#define RF_MAX_RED 8			   /* Redundancy objects read for one set */

/* One member of a set or volume as the walk found it. */
struct rf_member {
	char key[RF_KEY];      /* last segment of its path, or the array entry's MemberId */
	const char *link;      /* the link it was read from (borrowed); NULL for an inline entry */
	const json_t *res;     /* the resource or array entry (borrowed); NULL: could not be had */
	char why[REDFISH_WHY]; /* why res is NULL */
	bool in_set;	       /* named by a Redundancy object: counted even while absent */
};

/* A PSU or fan set: its members and the Redundancy objects describing it. */
struct rf_set {
	char name[RF_NAME];
	const char *kind; /* "psu-redfish", "fan-redfish" */
	struct rf_member *m;
	size_t n, cap;
	const json_t *red[RF_MAX_RED]; /* borrowed */
	size_t n_red;
	bool psu;
};

/* A volume, its drives and the spares that may take a drive's place. */
struct rf_volume {
	char name[RF_NAME];
	const json_t *vol;	 /* borrowed */
	struct rf_member *drive; /* Links.Drives */
	size_t n_drive, cap_drive;
	struct rf_member *spare; /* usable hot spares (dedicated, global) */
	size_t n_spare, cap_spare;
};

/* Memory of the groups across walks, sorted by name. */
struct rf_memo {
	char *name;
	char *kind;
	struct psu_group pg;
	uint64_t stamp; /* the walk that last produced it */
};

struct rf_memos {
	struct rf_memo **v;
	size_t n, cap;
	uint64_t walk; /* the walk in progress, counted from 1 */
};

void rf_memos_free(struct rf_memos *ms);

/* A member appended to *v (zeroed), or NULL when out of memory or past REDFISH_MAX_MEMBERS. */
struct rf_member *rf_member_add(struct rf_member **v, size_t *n, size_t *cap);

/*
 * The set or volume as a group appended to out (a name already reported in
 * this walk is skipped): 0, or -ENOMEM.
 */
int rf_add_set(struct rf_memos *ms, const struct rf_set *s, struct redfish_result *out);
int rf_add_volume(struct rf_memos *ms, const struct rf_volume *v, struct redfish_result *out);

/* Whether a volume of this RAIDType/VolumeType is redundant (a hot spare helps it). */
bool rf_volume_redundant(const json_t *vol);

/*
 * Whether a drive resource is a usable hot spare: in service, and dedicated
 * to the volume (the caller knows) or HotspareType Global or Chassis.
 */
bool rf_drive_spare(const json_t *drive, bool dedicated);

/* A group that could not be read, unknown with why: 0 or -ENOMEM. */
int rf_add_unknown(struct rf_memos *ms, const char *name, const char *kind, const char *why,
		   struct redfish_result *out);

/*
 * After a walk that left resources out: every group of an earlier walk not
 * found in this one, appended unknown with why.  0 or -ENOMEM.
 */
int rf_add_unread(struct rf_memos *ms, const char *why, struct redfish_result *out);

/* After a complete walk: forget the groups it did not find (bounds the memory). */
void rf_memos_prune(struct rf_memos *ms);

/* The string at key of object o, or NULL (absent, not an object, not a string). */
const char *rf_str(const json_t *o, const char *key);
/* The "@odata.id" of the object at key of o (o itself when key is NULL), or NULL. */
const char *rf_link(const json_t *o, const char *key);

#endif /* REDMON_REDFISH_GROUPS_H */
