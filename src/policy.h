/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sink's reminders while a group is not ok (as smartd's -M) and heartbeats:
 * pure functions of time, so they are tested with a fake clock.
 */
#ifndef REDMON_POLICY_H
#define REDMON_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "remind.h"

/*
 * "once", "daily", "diminishing", "diminishing/<duration>" or a duration
 * ("6h", "90m"; at least 1s) into *ret.  0 or -EINVAL.
 */
int policy_parse_remind(const char *s, struct remind *ret);

/*
 * The parse() of a remind key (settings.h), [sink.NAME] and [snmp] alike:
 * policy_parse_remind() into field (a struct remind); NULL, or what is wrong.
 */
const char *policy_remind_setting(const char *value, void *field);

/* "off" (0) or a duration of at least 1s, in milliseconds.  0 or -EINVAL. */
int policy_parse_heartbeat(const char *s, uint64_t *ret_ms);

/* When reminder n (1, 2, ...) is due, in ms after the health was announced; INT64_MAX: never. */
int64_t policy_remind_offset(const struct remind *r, unsigned n);

/* The first reminder (*ret_n, due at *ret_due) after after_ms; false: none will come. */
bool policy_next_reminder(const struct remind *r, int64_t since_ms, int64_t after_ms,
			  unsigned *ret_n, int64_t *ret_due);

/* Whether a group in this health is reminded about: degraded, critical, failed, unknown. */
bool policy_health_reminded(enum health h);

#endif
