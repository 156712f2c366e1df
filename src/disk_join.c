// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The join of members to disks.  Partition names follow the kernel's
 * (block/partitions/core.c, disk_name()): a disk whose name ends in a digit
 * (nvme0n1, mmcblk0, loop0) takes "p" before the partition number, any other
 * (sda, vdb) takes the number directly.  A host has tens of disks, so each
 * member is matched by a linear search of them.
 */
#include "disk_join.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void disk_whole(const char *dev, char *buf, size_t len)
{
	size_t n = strlen(dev), end = n;

	snprintf(buf, len, "%s", dev);
	if (strncmp(dev, "/dev/", 5) != 0 || strchr(dev, ' '))
		return;
	while (end > 5 && isdigit((unsigned char)dev[end - 1]))
		end--;
	if (end == n || end <= 5)
		return;
	if (dev[end - 1] == 'p' && end > 6 && isdigit((unsigned char)dev[end - 2]))
		end--; /* nvme0n1p2, mmcblk0p1 */
	else if (isdigit((unsigned char)dev[end - 1]) || strncmp(dev + 5, "nvme", 4) == 0 ||
		 strncmp(dev + 5, "mmcblk", 6) == 0)
		return; /* nvme0n1, mmcblk0: a whole disk already */
	if (end < len)
		buf[end] = 0;
}

static const struct disk *find(const struct agg *a, const char *device)
{
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct snapshot *s = &agg_probe_at(a, i)->groups;

		for (size_t j = 0; j < s->n_disks; j++) {
			if (strcmp(s->disks[j].device, device) == 0)
				return &s->disks[j];
		}
	}
	return NULL;
}

/* Whether any probe reported a disk: most hosts' thousand members need no path work. */
static bool any_disk(const struct agg *a)
{
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		if (agg_probe_at(a, i)->groups.n_disks)
			return true;
	}
	return false;
}

const struct disk *disk_of_member(const struct agg *a, const struct member *m)
{
	const struct disk *d;
	char whole[256];

	if (!m->device || !any_disk(a))
		return NULL;
	d = find(a, m->device);
	if (d)
		return d;
	disk_whole(m->device, whole, sizeof(whole));
	return strcmp(whole, m->device) != 0 ? find(a, whole) : NULL;
}

enum redmon_risk disk_member_risk(const struct agg *a, const struct member *m)
{
	const struct disk *d;

	if (m->risk != REDMON_RISK_NONE)
		return m->risk;
	d = disk_of_member(a, m);
	return d ? d->health : REDMON_RISK_NONE;
}

int disk_group_at_risk(const struct agg *a, const struct group *g)
{
	int n = 0;

	for (size_t i = 0; i < g->n_members; i++) {
		enum redmon_risk r = disk_member_risk(a, &g->members[i]);

		n += g->members[i].role == REDMON_ROLE_ACTIVE &&
		     (r == REDMON_RISK_WARNING || r == REDMON_RISK_FAILING);
	}
	return n;
}

const struct member *disk_member_at_risk(const struct agg *a, const struct group *g,
					 const struct disk **ret_disk)
{
	for (size_t i = 0; i < g->n_members; i++) {
		const struct member *m = &g->members[i];
		enum redmon_risk r = disk_member_risk(a, m);

		if (m->role == REDMON_ROLE_ACTIVE &&
		    (r == REDMON_RISK_WARNING || r == REDMON_RISK_FAILING)) {
			*ret_disk = disk_of_member(a, m);
			return m;
		}
	}
	return NULL;
}

bool disk_second_failure_risk(const struct agg *a, const struct group *g)
{
	const struct disk *d;

	return (g->health == HEALTH_DEGRADED || g->health == HEALTH_CRITICAL) &&
	       disk_member_at_risk(a, g, &d) != NULL;
}
