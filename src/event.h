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
	EV_COUNT_
};

enum event_severity { SEV_INFO = 0, SEV_WARNING, SEV_CRITICAL };

/* A member role, or "absent" for a member that is not (or no longer) there. */
#define ROLE_ABSENT (-1)

/* Pointers are borrowed for the duration of the emit call. */
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
	/* probe_failed, test */
	const char *error;
	const char *message;
};

const char *event_type_name(enum event_type t);
enum event_severity event_severity(const struct event *ev);
const char *event_severity_name(enum event_severity s);
/* "info", "warning", "critical" -> severity; unknown words map to SEV_INFO. */
int event_severity_from_name(const char *s);

/* A new JSON object for the event (docs/json.md), or NULL on allocation failure. */
json_t *event_to_json(const struct event *ev, const char *host);

#endif
