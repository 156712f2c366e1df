/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * REDMON-MIB's rules that need no net-snmp: which notification an event
 * becomes, whether it raises or clears an alarm, and how values are encoded
 * (enumerations, progress, DateAndTime, strings).  Unit-tested on their own.
 */
#ifndef REDMON_SUBAGENT_RULES_H
#define REDMON_SUBAGENT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../event.h"
#include "../model.h"

/* The notifications of REDMON-MIB, numbered as their OIDs under redmonNotifications. */
enum subagent_notif {
	SUBAGENT_NOTIF_NONE = 0,
	SUBAGENT_NOTIF_GROUP_DEGRADED = 1,
	SUBAGENT_NOTIF_GROUP_CRITICAL = 2,
	SUBAGENT_NOTIF_GROUP_FAILED = 3,
	SUBAGENT_NOTIF_GROUP_RECOVERED = 4,
	SUBAGENT_NOTIF_MEMBER_FAILED = 5,
	SUBAGENT_NOTIF_MEMBER_RECOVERED = 6,
	SUBAGENT_NOTIF_REBUILD_STARTED = 7,
	SUBAGENT_NOTIF_REBUILD_FINISHED = 8,
	SUBAGENT_NOTIF_REMINDER = 9,
	SUBAGENT_NOTIF_PROBE_FAILED = 10,
	SUBAGENT_NOTIF_PROBE_RECOVERED = 11,
	SUBAGENT_NOTIF_HEARTBEAT = 12,
	SUBAGENT_NOTIF_TEST = 13,
	SUBAGENT_NOTIF_GROUP_UNKNOWN = 14,
	SUBAGENT_NOTIF_SECOND_FAILURE_RISK = 15,
	SUBAGENT_NOTIF_REBUILD_STALLED = 16,
	SUBAGENT_NOTIF_REBUILD_RESUMED = 17,
	SUBAGENT_NOTIF_SPARES_MISSING = 18,
	SUBAGENT_NOTIF_MEMBERS_MISSING = 19,
	SUBAGENT_NOTIF_SCRUB_OVERDUE = 20,
	SUBAGENT_NOTIF_SCRUB_FOUND_ERRORS = 21,
	SUBAGENT_NOTIF_SPOF_FOUND = 22,
};

/* What an event does to the alarm table. */
enum subagent_alarm_op {
	SUBAGENT_ALARM_KEEP = 0,
	SUBAGENT_ALARM_RAISE, /* replace the object's alarm, if any, by a new one */
	SUBAGENT_ALARM_CLEAR,
};

/* MIB enumeration values (RedmonHealth, RedmonRole, RedmonActivity). */
#define SUBAGENT_HEALTH_NONE 7
#define SUBAGENT_ROLE_ABSENT 8

/* The notification an event becomes, or SUBAGENT_NOTIF_NONE. */
enum subagent_notif subagent_notif_for(const struct event *ev);

/* What the event does to the alarm of its group or probe. */
enum subagent_alarm_op subagent_alarm_for(const struct event *ev);

/* degraded, unknown, critical and failed raise an alarm; ok and nonredundant do not. */
bool subagent_health_alarmed(enum health h);

int subagent_health_value(enum health h);
int subagent_role_value(int role); /* enum redmon_role, or ROLE_ABSENT */
int subagent_activity_value(enum redmon_activity a);

/* Progress in tenths of a percent, rounded as the JSON output rounds; -1 if none. */
int subagent_progress_tenths(double progress);

/* ts as an eleven-octet DateAndTime in UTC (RFC 2579); returns 11, or 0 if ts is zero. */
size_t subagent_date_and_time(const struct timespec *ts, unsigned char buf[11]);

/*
 * Text as SNMP shows it: escaped as redmon's JSON escapes it (a byte that is
 * not UTF-8 becomes \xNN, a backslash \\), then cut to at most max octets
 * without splitting a character.  NULL is the empty string.  Returns the
 * length written into buf (buf holds at least max + 1 bytes; max <= 507).
 */
size_t subagent_text(const char *s, char *buf, size_t max);

/*
 * A group's spof reasons joined with "; " into buf (cap bytes, NUL-terminated,
 * cut at a reason's end when they do not all fit, as the 255 octets of
 * redmonGroupSpof hold less anyway): raw, for subagent_text() to escape and cut.
 */
void subagent_spof_join(const struct group *g, char *buf, size_t cap);

/* As subagent_text() for text that is escaped already: only the cut. */
size_t subagent_cut(const char *s, char *buf, size_t max);

#endif
