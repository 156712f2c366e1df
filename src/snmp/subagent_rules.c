/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "subagent_rules.h"

#include <string.h>

#include "../json.h"
#include "../remind.h"

bool subagent_health_alarmed(enum health h)
{
	return h == HEALTH_DEGRADED || h == HEALTH_UNKNOWN || h == HEALTH_CRITICAL ||
	       h == HEALTH_FAILED;
}

/* The notification for a group that is (now) in health h. */
static enum subagent_notif notif_for_health(enum health h)
{
	static const enum subagent_notif notif[HEALTH_COUNT_] = {
		[HEALTH_DEGRADED] = SUBAGENT_NOTIF_GROUP_DEGRADED,
		[HEALTH_CRITICAL] = SUBAGENT_NOTIF_GROUP_CRITICAL,
		[HEALTH_FAILED] = SUBAGENT_NOTIF_GROUP_FAILED,
		[HEALTH_UNKNOWN] = SUBAGENT_NOTIF_GROUP_UNKNOWN,
	};

	return (unsigned)h < HEALTH_COUNT_ ? notif[h] : SUBAGENT_NOTIF_NONE;
}

/*
 * Member notifications: a member that fails, and a member that was out of
 * service (failed, missing, rebuilding) and carries load or stands by again.
 * A standby slave taking over or a new disk arriving is no recovery.
 */
static enum subagent_notif notif_for_member(const struct event *ev)
{
	int was = ev->member_prev_role, is = ev->member_role;

	if (is == REDMON_ROLE_FAILED && was != REDMON_ROLE_FAILED)
		return SUBAGENT_NOTIF_MEMBER_FAILED;
	if ((is == REDMON_ROLE_ACTIVE || is == REDMON_ROLE_STANDBY) &&
	    (was == REDMON_ROLE_FAILED || was == REDMON_ROLE_MISSING ||
	     was == REDMON_ROLE_REBUILDING))
		return SUBAGENT_NOTIF_MEMBER_RECOVERED;
	return SUBAGENT_NOTIF_NONE;
}

enum subagent_notif subagent_notif_for(const struct event *ev)
{
	/* In maintenance (redmon maintenance): tables change, notifications wait for its end. */
	if (ev->maint_until && ev->type != EV_TEST)
		return SUBAGENT_NOTIF_NONE;
	switch (ev->type) {
	case EV_MAINTENANCE_ENDED:
		/* What the group is now, as if it had just become so. */
		return ev->group && subagent_health_alarmed(ev->group->health)
			       ? notif_for_health(ev->group->health)
			       : SUBAGENT_NOTIF_NONE;
	case EV_GROUP_APPEARED:
		/* A group already in trouble when first seen is reported. */
		return ev->group ? notif_for_health(ev->group->health) : SUBAGENT_NOTIF_NONE;
	case EV_HEALTH_CHANGED:
		if (!ev->group)
			return SUBAGENT_NOTIF_NONE;
		if (subagent_health_alarmed(ev->group->health))
			return notif_for_health(ev->group->health);
		return subagent_health_alarmed(ev->prev_health) ? SUBAGENT_NOTIF_GROUP_RECOVERED
								: SUBAGENT_NOTIF_NONE;
	case EV_MEMBER_CHANGED:
		return notif_for_member(ev);
	case EV_REBUILD_STARTED:
		return SUBAGENT_NOTIF_REBUILD_STARTED;
	case EV_REBUILD_FINISHED:
		return SUBAGENT_NOTIF_REBUILD_FINISHED;
	case EV_PROBE_FAILED:
		return SUBAGENT_NOTIF_PROBE_FAILED;
	case EV_PROBE_RECOVERED:
		return SUBAGENT_NOTIF_PROBE_RECOVERED;
	case EV_TEST:
		return SUBAGENT_NOTIF_TEST;
	case EV_REMINDER:
		/* The sinks' reminder walk decides when; those named for SNMP are ours. */
		return ev->group && ev->sink && strcmp(ev->sink, REMIND_TO_SNMP) == 0
			       ? SUBAGENT_NOTIF_REMINDER
			       : SUBAGENT_NOTIF_NONE;
	case EV_SPOF_FOUND:
		return ev->group ? SUBAGENT_NOTIF_SPOF_FOUND : SUBAGENT_NOTIF_NONE;
	case EV_SECOND_FAILURE_RISK:
		/* Its start only: the JSON event and Alertmanager tell its end. */
		return ev->resolved || !ev->group ? SUBAGENT_NOTIF_NONE
						  : SUBAGENT_NOTIF_SECOND_FAILURE_RISK;
	/* Warnings about a group whose health they leave alone: its objects say which. */
	case EV_REBUILD_STALLED:
		return ev->group ? SUBAGENT_NOTIF_REBUILD_STALLED : SUBAGENT_NOTIF_NONE;
	case EV_REBUILD_RESUMED:
		return ev->group ? SUBAGENT_NOTIF_REBUILD_RESUMED : SUBAGENT_NOTIF_NONE;
	case EV_SPARES_MISSING:
		return ev->group ? SUBAGENT_NOTIF_SPARES_MISSING : SUBAGENT_NOTIF_NONE;
	case EV_MEMBERS_MISSING:
		return ev->group ? SUBAGENT_NOTIF_MEMBERS_MISSING : SUBAGENT_NOTIF_NONE;
	case EV_SCRUB_OVERDUE:
		return ev->group ? SUBAGENT_NOTIF_SCRUB_OVERDUE : SUBAGENT_NOTIF_NONE;
	case EV_SCRUB_FOUND_ERRORS:
		return ev->group ? SUBAGENT_NOTIF_SCRUB_FOUND_ERRORS : SUBAGENT_NOTIF_NONE;
	default:
		return SUBAGENT_NOTIF_NONE;
	}
}

enum subagent_alarm_op subagent_alarm_for(const struct event *ev)
{
	switch (ev->type) {
	case EV_GROUP_APPEARED:
		return ev->group && subagent_health_alarmed(ev->group->health)
			       ? SUBAGENT_ALARM_RAISE
			       : SUBAGENT_ALARM_KEEP;
	case EV_HEALTH_CHANGED:
		if (!ev->group)
			return SUBAGENT_ALARM_KEEP;
		/* Any change while in trouble (degraded -> critical, a margin
		 * step) replaces the alarm: the new row says what is true now. */
		return subagent_health_alarmed(ev->group->health) ? SUBAGENT_ALARM_RAISE
								  : SUBAGENT_ALARM_CLEAR;
	/* The operator's word replaces the row: its text says who and until when. */
	case EV_ACKNOWLEDGED:
	case EV_MAINTENANCE_STARTED:
	case EV_MAINTENANCE_ENDED:
		return ev->group && subagent_health_alarmed(ev->group->health)
			       ? SUBAGENT_ALARM_RAISE
			       : SUBAGENT_ALARM_KEEP;
	case EV_GROUP_VANISHED:
	case EV_GROUP_FORGOTTEN:
	case EV_PROBE_RECOVERED:
		return SUBAGENT_ALARM_CLEAR;
	case EV_PROBE_FAILED:
		return SUBAGENT_ALARM_RAISE;
	default:
		return SUBAGENT_ALARM_KEEP;
	}
}

int subagent_health_value(enum health h)
{
	/* RedmonHealth grows with severity, as health_worse() orders them. */
	static const int value[HEALTH_COUNT_] = {
		[HEALTH_OK] = 1,      [HEALTH_NONREDUNDANT] = 2, [HEALTH_DEGRADED] = 3,
		[HEALTH_UNKNOWN] = 4, [HEALTH_CRITICAL] = 5,	 [HEALTH_FAILED] = 6,
	};

	return (unsigned)h < HEALTH_COUNT_ ? value[h] : 4; /* else unknown */
}

int subagent_role_value(int role)
{
	if (role == ROLE_ABSENT)
		return SUBAGENT_ROLE_ABSENT;
	if (role < 0 || role >= REDMON_ROLE_COUNT_)
		return 7; /* unknown */
	return role + 1;  /* RedmonRole follows enum redmon_role */
}

int subagent_activity_value(enum redmon_activity a)
{
	if ((int)a < 0 || a >= REDMON_ACTIVITY_COUNT_)
		return 1;
	return (int)a + 1; /* RedmonActivity follows enum redmon_activity */
}

int subagent_progress_tenths(double progress)
{
	if (!(progress >= 0))
		return -1;
	if (progress > 100)
		progress = 100;
	return (int)(long long)(progress * 10 + 0.5);
}

size_t subagent_date_and_time(const struct timespec *ts, unsigned char buf[11])
{
	struct tm tm;

	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		return 0;
	gmtime_r(&ts->tv_sec, &tm);
	buf[0] = (unsigned char)((tm.tm_year + 1900) >> 8);
	buf[1] = (unsigned char)((tm.tm_year + 1900) & 0xff);
	buf[2] = (unsigned char)(tm.tm_mon + 1);
	buf[3] = (unsigned char)tm.tm_mday;
	buf[4] = (unsigned char)tm.tm_hour;
	buf[5] = (unsigned char)tm.tm_min;
	buf[6] = (unsigned char)tm.tm_sec;
	buf[7] = (unsigned char)(ts->tv_nsec / 100000000); /* deci-seconds */
	buf[8] = '+';					   /* UTC: +0:00 */
	buf[9] = 0;
	buf[10] = 0;
	return 11;
}

size_t subagent_cut(const char *s, char *buf, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max) {
		/* Back to the start of the UTF-8 sequence the cut falls in. */
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(buf, s, n);
	buf[n] = 0;
	return n;
}

size_t subagent_text(const char *s, char *buf, size_t max)
{
	/* text_escape() keeps escapes and characters (at most 4 octets) whole,
	 * so tmp holds at least the first max + 1 octets that the cut looks at. */
	char tmp[512];

	if (s)
		text_escape(s, tmp, sizeof(tmp));
	return subagent_cut(s ? tmp : NULL, buf, max);
}

void subagent_spof_join(const struct group *g, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n_spof; i++) {
		size_t n = strlen(g->spof[i]), sep = i ? 2 : 0;

		if (len + sep + n >= cap)
			break;
		memcpy(buf + len, "; ", sep);
		memcpy(buf + len + sep, g->spof[i], n + 1);
		len += sep + n;
	}
}
