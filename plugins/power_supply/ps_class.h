/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /sys/class/power_supply reader and classification
 * (Documentation/ABI/testing/sysfs-class-power).
 *
 * Members are the supplies of type "Mains" and "UPS" (online/offline,
 * present, health) and, when there is at least one of those, the batteries:
 * a battery carries the load when the mains input is lost, so an AC adapter
 * and a battery are a 1+1 set (the shared corpus counts a laptop on battery
 * as degraded, and so do we).  A battery-only system is not a redundancy
 * group; USB and wireless chargers are never members.  A group exists only
 * when at least two members have been seen.
 */
#ifndef REDMON_PS_CLASS_H
#define REDMON_PS_CLASS_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/psu_set.h"
#include "redmon/plugin.h"

#define PS_TEXT_MAX	128
#define PS_SUPPLIES_MAX 256

/* One entry of the class, as read (strings bounded, any byte kept). */
struct ps_entry {
	char name[256];		/* directory name */
	char path[768];		/* its directory, relative to the root */
	char type[PS_TEXT_MAX]; /* "Mains", "UPS", "Battery", ... or "" */
	char health[PS_TEXT_MAX];
	char status[PS_TEXT_MAX]; /* batteries only */
	char serial[PS_TEXT_MAX];
	int online;  /* 0/1, -1 when the attribute is missing or garbage */
	int present; /* 0/1, -1 when missing or garbage */
	/*
	 * Why the supply could not be read ("online: Permission denied"), or
	 * "": its directory, type or a state attribute is there but cannot be
	 * read.  Such a supply is a member of unknown state whatever its type.
	 */
	char error[PS_TEXT_MAX];
};

/*
 * Read ROOT/sys/class/power_supply/<entry>/ for every entry, sorted by name.
 * Every path resolves inside the root (rootfs_open()).  A missing class
 * directory is no entry; an entry that cannot be read is one with error set
 * (an unreadable entry is never skipped).  *ret is malloc'd (free()).
 * Returns 0 or -errno.
 */
int ps_read(int root_fd, struct ps_entry **ret, size_t *ret_n);

/*
 * Is this entry a member of the power set?  Batteries only next to a mains
 * supply; an unreadable entry always (it may be a mains supply).
 */
bool ps_is_member(const struct ps_entry *e, bool has_mains);

/* The verdict on one member entry (state, reason, condition). */
void ps_classify(const struct ps_entry *e, struct psu_view *ret);

/*
 * The group ("mains") from entries, into the probe's set p.  On 0 *g points
 * into p until the next call; -ENODATA when there is no group (fewer than
 * two supplies), -ENOMEM.
 */
int ps_psu_eval(struct psu_group *p, const struct ps_entry *v, size_t n, int required,
		struct redmon_group *g);

#endif /* REDMON_PS_CLASS_H */
