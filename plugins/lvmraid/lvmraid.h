/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvmraid: LVM RAID (the device-mapper "raid" target, dm-raid) and old-style
 * LVM mirrors (the "mirror" target), read from the status lines of the
 * device-mapper table: `dmsetup status` (plugins/lvmraid/README.md says why
 * the tool rather than libdevmapper in-process).
 *
 * The parser (dm_status.c) turns the output into segments, one per raid or
 * mirror target line, with the kernel's own words kept; the rules
 * (lvmraid_rules.c) turn a segment into a redundancy group.  Neither logs
 * nor keeps state.  Formats: the kernel's
 * Documentation/admin-guide/device-mapper/dm-raid.rst ("Status Output") and
 * drivers/md/dm-raid1.c mirror_status() with dm-log.c's core/disk log status.
 */
#ifndef REDMON_LVMRAID_H
#define REDMON_LVMRAID_H

#include <stdbool.h>
#include <stddef.h>

#include "redmon/plugin.h"

#define LVR_NAME       128 /* DM_NAME_LEN, with its NUL */
#define LVR_WORD       32  /* a target type, a sync action, a log type */
#define LVR_DEV	       24  /* "254:57" */
#define LVR_MAX_LEGS   253 /* dm-raid's MAX_RAID_DEVICES; a mirror has at most 9 */
#define LVR_MAX_MIRROR 32
#define LVR_MAX_SEGS   1024 /* raid and mirror lines kept from one output */
#define LVR_WHY	       160

enum lvr_kind {
	LVR_RAID = 0,
	LVR_MIRROR,
};

/* One raid or mirror target line of the device-mapper table's status. */
struct lvr_seg {
	char name[LVR_NAME]; /* the dm name, "vg-raid1": the group's name */
	enum lvr_kind kind;
	char type[LVR_WORD]; /* raid: "raid5_ls"; mirror: "mirror" */
	unsigned int legs;
	char health[LVR_MAX_LEGS + 1];	     /* one character per leg, NUL-terminated */
	char dev[LVR_MAX_MIRROR][LVR_DEV];   /* mirror: each leg's major:minor */
	unsigned long long in_sync, regions; /* the sync ratio */
	char action[LVR_WORD];		     /* raid: sync action, "" when not printed */
	bool has_mismatch;
	unsigned long long mismatch;
	char journal;	       /* raid: journal character, 0 when not printed or '-' */
	char log[LVR_WORD];    /* mirror: log type, "core", "disk" */
	char log_dev[LVR_DEV]; /* mirror, disk log: its major:minor */
	char log_health;       /* mirror, disk log: 'A', 'D', 'F'; 0 otherwise */
	unsigned int line;     /* in the output, for reasons */
	char bad[LVR_WHY];     /* why the line was not understood ("" when it was) */
};

/* What one output held: its raid and mirror segments, owned (lvr_status_free()). */
struct lvr_status {
	struct lvr_seg *seg;
	size_t n, cap;
	size_t targets; /* target lines of any kind: 0 and no "No devices found" is suspect */
	bool cut;	/* more than LVR_MAX_SEGS raid/mirror lines: the rest left out */
};

void lvr_status_free(struct lvr_status *s);

/*
 * Parse `dmsetup status` output (len bytes, need not be NUL-terminated) into
 * *ret (zeroed by the caller; filled only on success): 0, or -EINVAL with
 * why in err (a line that names no device or no target: the output is not
 * what we asked for), -ENOMEM.  A raid or mirror line whose parameters do not
 * parse is kept with bad set: its group is unknown, the others are read.
 */
int lvr_parse(const char *buf, size_t len, struct lvr_status *ret, char *err, size_t errlen);

/* Whether a dm name is an LVM sub-LV that is part of another LV, never a group. */
bool lvr_is_sub_lv(const char *name);

/* A group as lvr_eval() fills it: the group, its members and their texts. */
struct lvr_view {
	struct redmon_group g;
	struct redmon_member mem[LVR_MAX_LEGS];
	char mname[LVR_MAX_LEGS][LVR_NAME + 16];
	char mdev[LVR_MAX_LEGS][LVR_DEV + 12];
	char mstate[LVR_MAX_LEGS][24];
	char reason[640];
};

/*
 * One segment as a group into v: counts, margin (from the RAID level, worst
 * case), activity and progress, members named as LVM names the images
 * ("vg-raid1_rimage_0", "vg-m_mimage_1").  log, when not NULL, is the
 * segment of a mirror's mirrored log ("vg-m_mlog"): its trouble goes into
 * the reason.  v's strings point into s, log and v.
 */
void lvr_eval(const struct lvr_seg *s, const struct lvr_seg *log, struct lvr_view *v);

/*
 * Every group of st, in order: sub-LVs left out, a mirrored log folded into
 * its mirror, a name with several raid/mirror segments reported once with
 * its worst segment.  report(ctx, g) is called per group, its return (0 or
 * -errno) stops the walk; v is the scratch the groups are built in.
 */
int lvr_groups(const struct lvr_status *st, struct lvr_view *v,
	       int (*report)(void *ctx, const struct redmon_group *g), void *ctx);

#endif
