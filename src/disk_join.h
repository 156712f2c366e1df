/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Members joined to the disks a disk-health probe reported (issue 17): a
 * member whose device is a disk, or a partition of one (/dev/sdb1 of
 * /dev/sdb), or the controller device string the disk was read through
 * ("/dev/bus/0 megaraid,1"), is at that disk's risk.  A risk the member's own
 * probe reported (a Redfish drive's FailurePredicted) wins.
 */
#ifndef REDMON_DISK_JOIN_H
#define REDMON_DISK_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "agg.h"
#include "model.h"

/*
 * The whole disk of a device path into buf: "/dev/sdb1" -> "/dev/sdb",
 * "/dev/nvme0n1p2" -> "/dev/nvme0n1", "/dev/mmcblk0p1" -> "/dev/mmcblk0";
 * anything else as it is.  Cut to len - 1 bytes.
 */
void disk_whole(const char *dev, char *buf, size_t len);

/* The disk of any probe of a that m sits on, or NULL. */
const struct disk *disk_of_member(const struct agg *a, const struct member *m);

/* m's risk: its probe's own, else its disk's health, else NONE. */
enum redmon_risk disk_member_risk(const struct agg *a, const struct member *m);

/*
 * The first active member of g at warning or failing, and in *ret_disk its
 * disk (NULL for a risk its own probe reported); NULL when there is none.
 */
const struct member *disk_member_at_risk(const struct agg *a, const struct group *g,
					 const struct disk **ret_disk);

/* Whether g (degraded or critical) depends on an active member at risk: issue 17's trigger. */
bool disk_second_failure_risk(const struct agg *a, const struct group *g);

/* Active members of g at warning or failing. */
int disk_group_at_risk(const struct agg *a, const struct group *g);

#endif
