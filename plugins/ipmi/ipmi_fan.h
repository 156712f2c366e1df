/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPMI sensor interpretation for fans: from the sensors the reader found to
 * one fan group beside the PSU group, by the rules ipmi_psu.h's sets share
 * (a fan once seen that turns absent stays missing; the redundancy sensor's
 * state wins when worse).  No libfreeipmi here: the unit tests and the
 * fuzzer drive it directly.
 *
 * Sensors used, all of sensor type 04h Fan (IPMI 2.0 tables 42-1 to 42-3;
 * type 04h has no sensor-specific offsets):
 *   event/reading type 01h, threshold: the tachometer (RPM); the comparison
 *     status of Get Sensor Reading says which thresholds are crossed.
 *   02h..0Ch generic discrete, as freeipmi's interpretation knows them for
 *     fans (freeipmi_interpret_sensor.conf, IPMI_Fan_*): 03h digital state,
 *     07h severity, 08h device absent / present, 0Ah availability.
 *   0Bh, redundancy: the fan set's redundancy sensor; also a 0Bh sensor of
 *     another type whose ID string names fans ("Fan Redundancy"), outside the
 *     PSU types 08h/09h, for BMCs that file it elsewhere.
 *
 * A fan is one tachometer, or one discrete sensor that has none beside it:
 * the discrete sensors of an entity (IPMI 2.0 section 39, id.instance) with
 * exactly one tachometer describe that fan and join its member; where an
 * entity holds several tachometers (fans filed under the system board) its
 * discrete sensors cannot be told apart and stand alone.
 */
#ifndef REDMON_IPMI_FAN_H
#define REDMON_IPMI_FAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipmi_psu.h"

#define IPMI_SENSOR_TYPE_FAN 0x04
#define IPMI_ERT_THRESHOLD   0x01
#define IPMI_ERT_DIGITAL     0x03 /* state deasserted / asserted */
#define IPMI_ERT_SEVERITY    0x07
#define IPMI_ERT_DEV_STATE   0x0a /* running, in test, power off, ... */

/*
 * Is this a sensor the fan interpretation uses?  name is the SDR ID string
 * (a redundancy sensor of another type counts when it names fans).
 */
bool ipmi_fan_relevant(uint8_t type, uint8_t ertype, const char *name);

/* The interpretation of one fan sensor alone (tests; the member merges its sensors'). */
void ipmi_fan_view(const struct ipmi_sensor *s, struct psu_view *ret);

/*
 * Build the fan group from n sensors (any mix; irrelevant ones are skipped).
 * required > 0 is the configured N (`fans_required`); without it and without
 * a readable fan redundancy sensor N+1 is assumed and the reason says so.  On
 * 0, *g is filled and points into p (valid until the next call or
 * ipmi_set_free()).  -ENODATA when there is no fan group, -ENOMEM.
 */
int ipmi_fan_eval(struct ipmi_set *p, const struct ipmi_sensor *v, size_t n, int required,
		  struct redmon_group *g);

#endif /* REDMON_IPMI_FAN_H */
