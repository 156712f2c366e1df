/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fan sets from hwmon fan controllers: which chips are one, which of their
 * channels are members, when a fan is not ok, and the group of each set.
 * Both readers fill struct hwmon_chip (hwmon_class.h) for a chip they mark
 * c->fans; every rule lives here.
 *
 * A fan set is a chip of a fan-tray controller driver (the built-in list in
 * hwmon_fan.c: drivers whose fanN_enable says which tachometer inputs are
 * in use) or one matching the `fan_chips` patterns.  Board Super-I/O chips
 * (nct67xx, it87, ...) report headers with nothing connected as 0 RPM, so
 * they are a set only when the operator names them.
 *
 * Members are the channels not disabled (fanN_enable 0: not a member, never a
 * failure; a channel without fanN_enable is in use).  A member fails on
 * fanN_fault or fanN_alarm set, or at 0 RPM; a member whose values could not
 * be read is unknown, with the reason, and the margin is unknown.  A chip
 * with fewer than two members is no set.  How many fans the cooling needs is
 * `fans_required`; unset, all but one (N+1), and the group's reason says that
 * policy was assumed.
 */
#ifndef REDMON_HWMON_FAN_H
#define REDMON_HWMON_FAN_H

#include <stdbool.h>
#include <stddef.h>

#include "hwmon_class.h"
#include "redmon/plugin.h"

/* Beyond any fan tray: bounds the configured fans_required. */
#define HWMON_FANS_REQUIRED_MAX 64

/* Is a chip with this hwmon name a fan set (built-in list, or patterns as hwmon_is_psu_chip)? */
bool hwmon_is_fan_chip(const char *prefix, const char *patterns);

/* Does a fan set's verdict read this attribute (fanN_input, _enable, _fault, _alarm)? */
bool hwmon_fan_value_needed(const char *name);

/*
 * Is name (any attribute of channel fanN) of a channel c has read as
 * disabled (fanN_enable 0)?  Its other values are then not read: a disabled
 * channel's input may fail by design (-ENODATA, sysfs-interface.rst).
 */
bool hwmon_fan_channel_off(const struct hwmon_chip *c, const char *name);

/*
 * The fan sets of a probe instance across scans: one per chip, each
 * remembering the fans seen (a chip that vanishes leaves its fans missing,
 * as a pulled supply).  Zero it; free with hwmon_fans_free().
 */
struct hwmon_fanset;
struct hwmon_fans {
	struct hwmon_fanset **v; /* sorted by chip name */
	size_t n, cap;
	struct redmon_group *groups; /* the last eval's */
	size_t n_groups, cap_groups;
};

/*
 * Evaluate the fan chips (c->fans) of chips (sorted by name, as the readers
 * give them) into groups (kind "fan", named "<chip>:fans"): on 0, *ret and
 * *ret_n are the groups, pointing into f until the next call.  required: the
 * `fans_required` option, 0 for none.  0 or -ENOMEM.
 */
int hwmon_fans_eval(struct hwmon_fans *f, const struct hwmon_chip *chips, size_t n, int required,
		    const struct redmon_group **ret, size_t *ret_n);

void hwmon_fans_free(struct hwmon_fans *f);

#endif /* REDMON_HWMON_FAN_H */
