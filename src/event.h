/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events: what changed between two snapshots, and their JSON form (docs/json.md). */
#ifndef REDMON_EVENT_H
#define REDMON_EVENT_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "model.h"

enum event_type {
	EV_GROUP_APPEARED = 0,
	EV_GROUP_VANISHED,
	EV_HEALTH_CHANGED,
	EV_MEMBER_CHANGED,
	EV_REBUILD_STARTED,
	EV_REBUILD_PROGRESS,
	EV_REBUILD_FINISHED,
	EV_PROBE_FAILED,
	EV_PROBE_RECOVERED,
	EV_TEST,
	EV_REMINDER,
	EV_HEARTBEAT,
	EV_SINK_FAILED,
	EV_SINK_RECOVERED,
	EV_SPOOL_OVERFLOW,
	EV_REBUILD_STALLED, /* a recovery, resync or reshape not moving for [daemon] stall_after */
	EV_REBUILD_RESUMED,
	EV_SPARES_MISSING,	/* fewer spares than its [group.ID] expects */
	EV_MEMBERS_MISSING,	/* fewer members than its [group.ID] expects */
	EV_DISK_HEALTH_CHANGED, /* a disk's health changed (or is first seen not ok) */
	EV_SECOND_FAILURE_RISK, /* a degraded group depends on a member at risk, or no longer */
	EV_SCRUB_OVERDUE,	/* no scrub completed for [daemon] scrub_max_age */
	EV_SCRUB_FOUND_ERRORS,	/* the last scrub found errors (md mismatch_cnt, ZFS repairs) */
	EV_SPOF_FOUND,		/* a hidden single point of failure of a group, first seen */
	EV_ACKNOWLEDGED,	/* redmon ack: reminders stop until the group changes */
	EV_MAINTENANCE_STARTED, /* redmon maintenance: alerts held until it ends */
	EV_MAINTENANCE_ENDED,	/* its time is up (or ended early): the group as it is now */
	EV_GROUP_FORGOTTEN,	/* redmon forget: a vanished group's alert resolves */
	EV_COUNT_
};

enum event_severity { SEV_INFO = 0, SEV_WARNING, SEV_CRITICAL };

/* A member role, or "absent" for a member that is not (or no longer) there. */
#define ROLE_ABSENT (-1)

/* Counts of groups by health, for heartbeats (and anything else that summarises). */
struct event_summary {
	size_t groups;
	size_t by_health[HEALTH_COUNT_];
	enum health worst;
	size_t probes_failed;
};

/* Pointers are borrowed: for how long, whoever hands the event over says. */
struct event {
	uint64_t seq;
	struct timespec time; /* CLOCK_REALTIME */
	enum event_type type;
	const char *probe;
	const struct group *group; /* after the change; last known for vanished */
	/* health_changed */
	enum health prev_health;
	int32_t prev_margin; /* as shown: >= 0, or -1 for unknown */
	/* member_changed */
	const char *member_name;
	const char *member_state;
	int member_role; /* enum redmon_role or ROLE_ABSENT */
	int member_prev_role;
	/* rebuild_finished */
	enum redmon_activity prev_activity;
	double prev_progress;
	/* probe_failed, test; sink_failed */
	const char *error;
	const char *message;
	/*
	 * sink_*, spool_overflow: the sink it is about (never delivered to it);
	 * reminder, heartbeat, test: the one sink it is for (NULL: every sink).
	 */
	const char *sink;
	/*
	 * sink_failed: failures in a row; sink_recovered: failures before;
	 * spool_overflow: dropped; spares_missing, members_missing: how many expected
	 */
	uint64_t count;
	/* reminder: its number (1, 2, ...) and when the group's health was announced */
	unsigned reminder;
	struct timespec since;
	/* heartbeat */
	const struct event_summary *summary;
	/* group_vanished: a group its [group.ID] requires (critical) */
	bool required;
	/* disk_health_changed; second_failure_risk: the disk of the member at risk */
	const struct disk *disk;
	int disk_prev_health; /* enum redmon_risk; REDMON_RISK_NONE when first seen */
	/* second_failure_risk: the member at risk (member_name), and whether it is over */
	bool resolved;
	/* spof_found: the reason, one of the group's spof */
	const char *spof;
	/* acknowledged, maintenance_*, group_forgotten: who said so (a user name) */
	const char *by;
	/*
	 * The operator's marks on the group when the event went out (marks.h):
	 * acknowledged (ack_time, Unix ms; 0: not), in maintenance until
	 * maint_until (Unix ms; 0: not).
	 */
	const char *ack_by, *ack_comment, *maint_by, *maint_comment;
	int64_t ack_time, maint_until;
};

/* Events in order; {0} is empty.  They borrow from whoever appended them, or from kept. */
struct event_list {
	struct event *v;
	size_t n, cap;
	size_t lost;	       /* events not appended for want of memory */
	struct snapshot *kept; /* what the events point into, freed by the next clear */
	size_t n_kept;
};

/* Append a copy of ev (its pointers still borrowed); counts it in lost on ENOMEM. */
void event_list_push(struct event_list *l, const struct event *ev);
/* Keep *s (moved in, left empty) until the next event_list_clear(); 0 or -ENOMEM (s untouched). */
int event_list_keep(struct event_list *l, struct snapshot *s);
/* Forget the events and free what the list keeps; a large array is freed too. */
void event_list_clear(struct event_list *l);
void event_list_free(struct event_list *l);

/* A copy of ev owning what it points to; NULL on ENOMEM.  event_dup_free(NULL) is a no-op. */
struct event *event_dup(const struct event *ev);
void event_dup_free(struct event *ev);

const char *event_type_name(enum event_type t);
enum event_severity event_severity(const struct event *ev);
const char *event_severity_name(enum event_severity s);

/* "<host>:<seq>" into buf; seq 0 (`redmon test-alert`) gets "<host>:test-<time in ns>". */
void event_key(const struct event *ev, const char *host, char *buf, size_t len);

/* The human sentence of an event (raw bytes of names; escape before output). */
void event_message(const struct event *ev, char *buf, size_t len);

/* A new JSON object for the event (docs/json.md), or NULL on allocation failure. */
json_t *event_to_json(const struct event *ev, const char *host);
/* The "summary" object of heartbeats and `redmon status --json`. */
json_t *event_summary_to_json(const struct event_summary *s);

#endif
