/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scrub or a device replace, from the text of `btrfs scrub status` and
 * `btrfs replace status -1` (btrfs-progs cmds/scrub.c print_scrub_summary(),
 * cmds/replace.c print_replace_status()).  The sysfs tree tells neither a
 * scrub's progress nor a replace's, so these come from captures under
 * --root (docs/btrfs.md).  Parsers only: no I/O, no logging.
 */
#ifndef REDMON_PLUGINS_BTRFS_TASK_H
#define REDMON_PLUGINS_BTRFS_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include <redmon/plugin.h>

#include "../lib/strbuf.h"

struct btrfs_task {
	bool running;
	double progress;     /* percent done, or -1 when the text does not say */
	char errors[96];     /* a scrub's "Error summary:" when it found any; else "" */
	int64_t finished_at; /* a finished scrub: its start plus its duration, Unix s; 0 unknown */
};

/*
 * `btrfs scrub status` of one filesystem.  A "UUID:" or "scrub status for"
 * line naming another filesystem than uuid is -ENOENT (not this one's);
 * text with no line this parser knows is -EINVAL.  0 fills *ret.
 */
int btrfs_parse_scrub_status(struct strv text, const char *uuid, struct btrfs_task *ret);

/* `btrfs replace status -1`: "12.8% done, ..." is running; 0 or -EINVAL. */
int btrfs_parse_replace_status(struct strv text, struct btrfs_task *ret);

/*
 * What the tasks add to a group: a running replace is recovery, a running
 * scrub a check (unless the group already has an activity); their progress;
 * the scrub's end as scrub_time and its errors as scrub_found (pointing into
 * *scrub: it must outlive the report; the core words the reason).  NULL
 * tasks are skipped.
 */
void btrfs_task_apply(const struct btrfs_task *scrub, const struct btrfs_task *replace,
		      struct redmon_group *g);

#endif
