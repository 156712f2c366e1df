/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which disks the smart probe reads: the whole disks of /sys/block (found
 * once, at init, when the command lines are registered), the devices the
 * `devices` option names ("/dev/bus/0 megaraid,1": behind a controller, as
 * the hwraid probe's members name them), or, under --root, the captures
 * DIR/smartctl-*.json.  No logging: the probe logs what these return.
 */
#ifndef REDMON_SMART_TARGETS_H
#define REDMON_SMART_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "smart_read.h"

/* One disk to read: a command (cmd_id) or a capture file (file). */
struct smart_target {
	char device[128]; /* as smartctl names it: "/dev/sda", "/dev/bus/0 megaraid,1" */
	char name[96];	  /* the device argument: "/dev/sda", "/dev/bus/0" */
	char type[32];	  /* smartctl's -d argument, "" for none */
	char file[128];	  /* under --root: the capture, relative to the root */
	int cmd_id;
	int64_t error_log; /* the last run's error log count, -1 none */
	struct smart_disk last;
	bool have_last;
};

struct smart_targets {
	struct smart_target *v;
	size_t n, cap;
};

/* Whether a /sys/block entry is a disk SMART could speak of (not loop, md, dm-, ...). */
bool smart_is_disk_name(const char *name);

/* Add every whole disk of root's sys/block (in name order); 0 or -errno. */
int smart_targets_sysfs(struct smart_targets *t, int root_fd);

/*
 * Add the devices of a `devices` option: entries separated by ';', each
 * "NAME" or "NAME TYPE" with NAME under /dev/ and TYPE smartctl's -d value.
 * 0, -EINVAL with the bad entry named in why, or -ENOMEM.
 */
int smart_targets_option(struct smart_targets *t, const char *list, char *why, size_t len);

/* Add root's smartctl-*.json captures (in name order); 0 or -errno. */
int smart_targets_captures(struct smart_targets *t, int root_fd);

/*
 * Judge one smartctl output for d: its verdict becomes d->last, its error log
 * count d->error_log; a disk in standby keeps its last verdict, if any.
 */
void smart_target_judge(struct smart_target *d, const char *out, size_t len);

void smart_targets_free(struct smart_targets *t);

#endif
