/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One disk's health from `smartctl -j -a` (smartmontools 7 JSON output,
 * smartctl(8) "-j" and "EXIT STATUS"): the facts it prints, then the verdict
 * of issue 17 in words.  A pure layer: no logging, no I/O, every input hostile.
 */
#ifndef REDMON_SMART_READ_H
#define REDMON_SMART_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redmon/plugin.h"

#define SMART_TEXT_MAX 256

/* The verdict on one disk; strings are printable ASCII, "" when not known. */
struct smart_disk {
	char device[128]; /* "/dev/sda", "/dev/sda megaraid,1" */
	char model[96];
	char serial[64];
	enum redmon_risk health;     /* OK, WARNING, FAILING or UNKNOWN */
	char reason[SMART_TEXT_MAX]; /* "" when ok */
	int64_t error_log;	     /* device error log entries, -1 if not reported */
	bool standby;		     /* not read: asleep, and -n standby left it so */
};

/*
 * Judge one smartctl output of len bytes (need not be NUL-terminated).
 * prev_error_log is the error log count of the last run (-1: none), so that a
 * rising count warns while an old one does not.  Always fills *ret: a text
 * that is no smartctl JSON gives UNKNOWN with the reason.  Returns 0, or
 * -EINVAL when the text is not a JSON object (ret still filled).
 */
int smart_judge(const char *text, size_t len, int64_t prev_error_log, struct smart_disk *ret);

#endif
