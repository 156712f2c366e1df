/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "event.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *const type_names[EV_COUNT_] = {
	[EV_GROUP_APPEARED] = "group_appeared",
	[EV_GROUP_VANISHED] = "group_vanished",
	[EV_HEALTH_CHANGED] = "health_changed",
	[EV_MEMBER_CHANGED] = "member_changed",
	[EV_REBUILD_STARTED] = "rebuild_started",
	[EV_REBUILD_PROGRESS] = "rebuild_progress",
	[EV_REBUILD_FINISHED] = "rebuild_finished",
	[EV_PROBE_FAILED] = "probe_failed",
	[EV_PROBE_RECOVERED] = "probe_recovered",
	[EV_TEST] = "test",
	[EV_REMINDER] = "reminder",
	[EV_HEARTBEAT] = "heartbeat",
	[EV_SINK_FAILED] = "sink_failed",
	[EV_SINK_RECOVERED] = "sink_recovered",
	[EV_SPOOL_OVERFLOW] = "spool_overflow",
	[EV_REBUILD_STALLED] = "rebuild_stalled",
	[EV_REBUILD_RESUMED] = "rebuild_resumed",
	[EV_SPARES_MISSING] = "spares_missing",
	[EV_MEMBERS_MISSING] = "members_missing",
	[EV_DISK_HEALTH_CHANGED] = "disk_health_changed",
	[EV_SECOND_FAILURE_RISK] = "second_failure_risk",
	[EV_SCRUB_OVERDUE] = "scrub_overdue",
	[EV_SCRUB_FOUND_ERRORS] = "scrub_found_errors",
	[EV_SPOF_FOUND] = "spof_found",
	[EV_ACKNOWLEDGED] = "acknowledged",
	[EV_MAINTENANCE_STARTED] = "maintenance_started",
	[EV_MAINTENANCE_ENDED] = "maintenance_ended",
	[EV_GROUP_FORGOTTEN] = "group_forgotten",
};

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_WARNING] = "warning",
	[SEV_CRITICAL] = "critical",
};

/* An array this large is not kept for the next batch (the first scan of a big host). */
#define LIST_KEEP_MAX 256

void event_list_push(struct event_list *l, const struct event *ev)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct event *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->lost++;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *ev;
}

int event_list_keep(struct event_list *l, struct snapshot *s)
{
	struct snapshot *v = realloc(l->kept, (l->n_kept + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->kept = v;
	v[l->n_kept++] = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

void event_list_clear(struct event_list *l)
{
	for (size_t i = 0; i < l->n_kept; i++)
		snapshot_free(&l->kept[i]);
	free(l->kept);
	l->kept = NULL;
	l->n_kept = 0;
	l->n = 0;
	l->lost = 0;
	if (l->cap > LIST_KEEP_MAX) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
	}
}

void event_list_free(struct event_list *l)
{
	event_list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* event_dup()'s block: the event first, so that its address is the block's. */
struct event_held {
	struct event ev;
	struct group group;
	struct event_summary summary;
	struct disk disk; /* its strings malloc'd, as the event's texts */
};

static const size_t disk_texts[] = {
	offsetof(struct disk, device),
	offsetof(struct disk, reason),
	offsetof(struct disk, model),
	offsetof(struct disk, serial),
};

#define N_DISK_TEXTS (sizeof(disk_texts) / sizeof(disk_texts[0]))

static char **disk_text_at(struct disk *d, size_t i)
{
	return (char **)((char *)d + disk_texts[i]);
}

/* The strings an event points to, which event_dup() copies. */
static const size_t text_offsets[] = {
	offsetof(struct event, probe),	      offsetof(struct event, member_name),
	offsetof(struct event, member_state), offsetof(struct event, error),
	offsetof(struct event, message),      offsetof(struct event, sink),
	offsetof(struct event, spof),	      offsetof(struct event, by),
	offsetof(struct event, ack_by),	      offsetof(struct event, ack_comment),
	offsetof(struct event, maint_by),     offsetof(struct event, maint_comment),
};

#define N_TEXTS (sizeof(text_offsets) / sizeof(text_offsets[0]))

static const char **text_at(struct event *ev, size_t i)
{
	return (const char **)((char *)ev + text_offsets[i]);
}

struct event *event_dup(const struct event *ev)
{
	struct event_held *h = calloc(1, sizeof(*h));
	bool oom = false;

	if (!h)
		return NULL;
	h->ev = *ev;
	if (ev->group) {
		oom = group_copy(&h->group, ev->group) < 0;
		h->ev.group = &h->group;
	}
	if (ev->summary) {
		h->summary = *ev->summary;
		h->ev.summary = &h->summary;
	}
	if (ev->disk) {
		h->disk = *ev->disk;
		h->ev.disk = &h->disk;
		for (size_t i = 0; i < N_DISK_TEXTS; i++) {
			char **t = disk_text_at(&h->disk, i);

			if (*t && !(*t = strdup(*t)))
				oom = true;
		}
	}
	/* Every string copied, or NULL: event_dup_free() frees them all. */
	for (size_t i = 0; i < N_TEXTS; i++) {
		const char **t = text_at(&h->ev, i);

		if (*t && !(*t = strdup(*t)))
			oom = true;
	}
	if (oom) {
		event_dup_free(&h->ev);
		return NULL;
	}
	return &h->ev;
}

void event_dup_free(struct event *ev)
{
	struct event_held *h = (struct event_held *)ev;

	if (!ev)
		return;
	for (size_t i = 0; i < N_TEXTS; i++)
		free((char *)*text_at(ev, i));
	for (size_t i = 0; i < N_DISK_TEXTS; i++)
		free(*disk_text_at(&h->disk, i));
	group_free(&h->group);
	free(h);
}

const char *event_type_name(enum event_type t)
{
	return (unsigned)t < EV_COUNT_ ? type_names[t] : "unknown";
}

const char *event_severity_name(enum event_severity s)
{
	return (unsigned)s <= SEV_CRITICAL ? severity_names[s] : "info";
}

/* A disk's health as a severity: failing critical, warning warning, else info. */
static enum event_severity disk_severity(const struct disk *d)
{
	if (!d)
		return SEV_INFO;
	return d->health == REDMON_RISK_FAILING	  ? SEV_CRITICAL
	       : d->health == REDMON_RISK_WARNING ? SEV_WARNING
						  : SEV_INFO;
}

/* The severity a group's health gives its events. */
static enum event_severity health_severity(enum health h)
{
	switch (h) {
	case HEALTH_CRITICAL:
	case HEALTH_FAILED:
		return SEV_CRITICAL;
	case HEALTH_DEGRADED:
	case HEALTH_UNKNOWN:
		return SEV_WARNING;
	default:
		return SEV_INFO;
	}
}

enum event_severity event_severity(const struct event *ev)
{
	/* The warning before the second failure is critical whatever the group's health. */
	if (ev->type == EV_SECOND_FAILURE_RISK)
		return ev->resolved ? SEV_INFO : SEV_CRITICAL;
	if (ev->type == EV_DISK_HEALTH_CHANGED)
		return disk_severity(ev->disk);
	/* Informational whatever the group's health: a spof never changes a health. */
	if (ev->type == EV_SPOF_FOUND)
		return SEV_INFO;
	/* What the operator did is news, not trouble; a maintenance's end is the group's own. */
	if (ev->type == EV_ACKNOWLEDGED || ev->type == EV_MAINTENANCE_STARTED ||
	    ev->type == EV_GROUP_FORGOTTEN)
		return SEV_INFO;
	if (ev->type == EV_PROBE_FAILED || ev->type == EV_SINK_FAILED ||
	    ev->type == EV_SPOOL_OVERFLOW)
		return SEV_WARNING;
	/* An expected group gone is critical whatever it last looked like. */
	if (ev->type == EV_GROUP_VANISHED && ev->required)
		return SEV_CRITICAL;
	/*
	 * A stalled rebuild, a missing spare: warnings of their own, whatever the
	 * health; a group's critical health has its own events.
	 */
	if (ev->type == EV_REBUILD_STALLED || ev->type == EV_SPARES_MISSING ||
	    ev->type == EV_MEMBERS_MISSING || ev->type == EV_SCRUB_OVERDUE ||
	    ev->type == EV_SCRUB_FOUND_ERRORS)
		return SEV_WARNING;
	/*
	 * A group that vanished is as bad as it was last seen: one that
	 * disappears while not ok is not fixed, and must not pass as info.
	 */
	if (!ev->group)
		return SEV_INFO;
	return health_severity(ev->group->health);
}

/*
 * "md:md0 was last scrubbed 40 days ago (2026-10-27)", or "no scrub seen
 * since 2026-10-27" when the daemon never saw one: the age counts from then.
 */
static void scrub_message(const struct group *g, char *buf, size_t len)
{
	time_t t = (time_t)(g->scrub_last > 0 ? g->scrub_last : g->scrub_first_seen);
	char date[32] = "?";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	if (g->scrub_last > 0)
		snprintf(buf, len, "%s was last scrubbed %lld day%s ago (%s)", g->id,
			 (long long)(g->scrub_age_s / 86400),
			 g->scrub_age_s / 86400 == 1 ? "" : "s", date);
	else
		snprintf(buf, len, "%s: no scrub seen since %s, when redmon first saw it", g->id,
			 date);
}

/* The members a group has: its slots, else those listed (as expect.c counts them). */
static int members_listed(const struct group *g)
{
	int n = 0;

	if (g->members_total >= 0)
		return g->members_total;
	for (size_t i = 0; i < g->n_members; i++)
		n += g->members[i].role != REDMON_ROLE_MISSING;
	return n;
}

static const char *role_or_absent(int role)
{
	return role == ROLE_ABSENT ? "absent" : role_name((enum redmon_role)role);
}

/* The sentences of the disk events: which disk, why, and what it protects. */
static void disk_message(const struct event *ev, char *buf, size_t len)
{
	const struct disk *d = ev->disk;
	const struct group *g = ev->group;

	if (ev->type == EV_DISK_HEALTH_CHANGED && d) {
		snprintf(buf, len, "disk %s is %s%s%s (was %s)", d->device, risk_name(d->health),
			 d->reason ? ": " : "", d->reason ? d->reason : "",
			 ev->disk_prev_health == REDMON_RISK_NONE
				 ? "not seen"
				 : risk_name((enum redmon_risk)ev->disk_prev_health));
	} else if (g && ev->resolved) {
		snprintf(buf, len, "%s (%s) no longer depends on a member at risk: %s", g->id,
			 g->type, health_name(g->health));
	} else if (g && d) {
		snprintf(buf, len,
			 "%s (%s) is %s and still depends on %s, whose disk %s is %s: %s; "
			 "replace the failed member before this one fails",
			 g->id, g->type, health_name(g->health),
			 ev->member_name ? ev->member_name : "?", d->device, risk_name(d->health),
			 d->reason ? d->reason : "no reason given");
	} else {
		snprintf(buf, len, "%s", event_type_name(ev->type));
	}
}

/*
 * The human sentence of an event.  Raw names go in; json_text() escapes the
 * whole sentence once when it is written.
 */
static void maintenance_message(const struct event *ev, char *buf, size_t len)
{
	struct timespec until = { .tv_sec = ev->maint_until / 1000 };
	char ts[40];

	format_utc_ms(&until, ts, sizeof(ts));
	snprintf(buf, len, "%s in maintenance until %s (%s%s%s): alerts held", ev->group->id, ts,
		 ev->by ? ev->by : "?", ev->maint_comment ? ": " : "",
		 ev->maint_comment ? ev->maint_comment : "");
}

void event_message(const struct event *ev, char *buf, size_t len)
{
	const struct group *g = ev->group;
	const char *id = g ? g->id : "";
	int32_t m = g ? margin_shown(g) : -1;
	char tol[64] = "redundancy unknown", was[16] = "";

	if (m >= 0)
		snprintf(tol, sizeof(tol), "tolerates %d more failure%s", m, m == 1 ? "" : "s");
	switch (ev->type) {
	case EV_GROUP_APPEARED:
		snprintf(buf, len, "%s (%s) found: %s, %s", id, g->type, health_name(g->health),
			 tol);
		break;
	case EV_GROUP_VANISHED:
		snprintf(buf, len, "%s%s (%s) is gone", ev->required ? "expected group " : "", id,
			 g->type);
		break;
	case EV_REBUILD_STALLED:
		snprintf(buf, len, "%s %s stalled at %.1f%%", id, activity_name(g->activity),
			 g->progress);
		break;
	case EV_REBUILD_RESUMED:
		snprintf(buf, len, "%s %s moves again: %.1f%% done", id, activity_name(g->activity),
			 g->progress);
		break;
	case EV_SPARES_MISSING:
		snprintf(buf, len, "%s has %d spare%s, %llu expected", id, g->spares,
			 g->spares == 1 ? "" : "s", (unsigned long long)ev->count);
		break;
	case EV_MEMBERS_MISSING:
		snprintf(buf, len, "%s has %d member%s, %llu expected", id, members_listed(g),
			 members_listed(g) == 1 ? "" : "s", (unsigned long long)ev->count);
		break;
	case EV_SCRUB_OVERDUE:
		scrub_message(g, buf, len);
		break;
	case EV_SCRUB_FOUND_ERRORS:
		snprintf(buf, len, "%s: the last scrub found %s", id,
			 g->scrub_found ? g->scrub_found : "errors");
		break;
	case EV_HEALTH_CHANGED:
		if (ev->prev_margin >= 0)
			snprintf(was, sizeof(was), ", %d", ev->prev_margin);
		snprintf(buf, len, "%s (%s) is %s: %s (was %s%s)", id, g->type,
			 health_name(g->health), tol, health_name(ev->prev_health), was);
		break;
	case EV_MEMBER_CHANGED:
		snprintf(buf, len, "%s member %s: %s -> %s", id, ev->member_name,
			 role_or_absent(ev->member_prev_role), role_or_absent(ev->member_role));
		break;
	case EV_REBUILD_STARTED:
		snprintf(buf, len, "%s %s started", id, activity_name(g->activity));
		break;
	case EV_REBUILD_PROGRESS:
		snprintf(buf, len, "%s %s %.1f%% done", id, activity_name(g->activity),
			 g->progress);
		break;
	case EV_REBUILD_FINISHED:
		snprintf(buf, len, "%s %s finished: %s, %s", id, activity_name(ev->prev_activity),
			 health_name(g->health), tol);
		break;
	case EV_PROBE_FAILED:
		snprintf(buf, len, "probe %s failed: %s", ev->probe, ev->error ? ev->error : "?");
		break;
	case EV_PROBE_RECOVERED:
		snprintf(buf, len, "probe %s works again", ev->probe);
		break;
	case EV_REMINDER:
		snprintf(buf, len, "reminder %u: %s (%s) is still %s: %s", ev->reminder, id,
			 g->type, health_name(g->health), tol);
		break;
	case EV_HEARTBEAT:
		if (ev->summary)
			snprintf(buf, len, "alive: %zu group%s, worst health %s",
				 ev->summary->groups, ev->summary->groups == 1 ? "" : "s",
				 health_name(ev->summary->worst));
		else
			snprintf(buf, len, "alive");
		break;
	case EV_SINK_FAILED:
		snprintf(buf, len, "sink %s failed %llu time%s in a row: %s", ev->sink,
			 (unsigned long long)ev->count, ev->count == 1 ? "" : "s",
			 ev->error ? ev->error : "?");
		break;
	case EV_SINK_RECOVERED:
		snprintf(buf, len, "sink %s delivers again (after %llu failure%s)", ev->sink,
			 (unsigned long long)ev->count, ev->count == 1 ? "" : "s");
		break;
	case EV_SPOOL_OVERFLOW:
		snprintf(buf, len, "sink %s: queue full, dropped the oldest alerts (%llu so far)",
			 ev->sink, (unsigned long long)ev->count);
		break;
	case EV_DISK_HEALTH_CHANGED:
	case EV_SECOND_FAILURE_RISK:
		disk_message(ev, buf, len);
		break;
	case EV_SPOF_FOUND:
		snprintf(buf, len, "%s has a hidden single point of failure: %s", id,
			 ev->spof ? ev->spof : "?");
		break;
	case EV_ACKNOWLEDGED:
		snprintf(buf, len, "%s (%s, %s) acknowledged by %s%s%s", id, health_name(g->health),
			 tol, ev->by ? ev->by : "?", ev->ack_comment ? ": " : "",
			 ev->ack_comment ? ev->ack_comment : "");
		break;
	case EV_MAINTENANCE_STARTED:
		maintenance_message(ev, buf, len);
		break;
	case EV_MAINTENANCE_ENDED:
		snprintf(buf, len, "%s maintenance over: %s, %s", id, health_name(g->health), tol);
		break;
	case EV_GROUP_FORGOTTEN:
		snprintf(buf, len, "%s (%s) forgotten by %s: its alerts are resolved", id, g->type,
			 ev->by ? ev->by : "?");
		break;
	default:
		snprintf(buf, len, "%s", ev->message ? ev->message : "test event");
		break;
	}
}

void event_key(const struct event *ev, const char *host, char *buf, size_t len)
{
	if (ev->seq)
		snprintf(buf, len, "%s:%llu", host, (unsigned long long)ev->seq);
	else
		snprintf(buf, len, "%s:test-%lld%09ld", host, (long long)ev->time.tv_sec,
			 ev->time.tv_nsec);
}

json_t *event_summary_to_json(const struct event_summary *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "groups", json_integer((json_int_t)s->groups));
	for (int h = 0; h < HEALTH_COUNT_; h++)
		json_object_set_new(o, health_name(h), json_integer((json_int_t)s->by_health[h]));
	json_object_set_new(o, "probes_failed", json_integer((json_int_t)s->probes_failed));
	json_object_set_new(o, "worst", json_string(health_name(s->worst)));
	return o;
}

/*
 * The member of a member_changed event: its name, roles and state, and where
 * the group still lists it, where to find it (the bay to pull, the device).
 */
static json_t *member_change_to_json(const struct event *ev)
{
	json_t *o = json_pack("{s:o?, s:s, s:s, s:o?}", "name", json_text(ev->member_name), "role",
			      role_or_absent(ev->member_role), "previous_role",
			      role_or_absent(ev->member_prev_role), "state",
			      json_text(ev->member_state));

	for (size_t i = 0; o && ev->group && ev->member_name && i < ev->group->n_members; i++) {
		const struct member *m = &ev->group->members[i];

		if (strcmp(m->name, ev->member_name) != 0)
			continue;
		if (m->location)
			json_object_set_new(o, "location", json_text(m->location));
		if (m->device)
			json_object_set_new(o, "device", json_text(m->device));
		if (m->serial)
			json_object_set_new(o, "serial", json_text(m->serial));
		break;
	}
	return o;
}

/* The disk, its previous health, the member at risk and whether it is over (docs/json.md). */
static void disk_event_json(const struct event *ev, json_t *o)
{
	const struct disk *d = ev->disk;

	if (d)
		json_object_set_new(o, "disk",
				    json_pack("{s:o?, s:s, s:o?, s:o?, s:o?}", "device",
					      json_text(d->device), "health", risk_name(d->health),
					      "reason", json_text(d->reason), "model",
					      json_text(d->model), "serial", json_text(d->serial)));
	if (ev->type == EV_DISK_HEALTH_CHANGED)
		json_object_set_new(
			o, "previous",
			json_pack("{s:o?}", "disk_health",
				  ev->disk_prev_health == REDMON_RISK_NONE
					  ? NULL
					  : json_string(risk_name(
						    (enum redmon_risk)ev->disk_prev_health))));
	if (ev->type == EV_SECOND_FAILURE_RISK) {
		json_object_set_new(o, "resolved", json_boolean(ev->resolved));
		if (ev->member_name)
			json_object_set_new(o, "at_risk_member", json_text(ev->member_name));
	}
}

/* What the operator said: "by", and the group's "acknowledged" and "maintenance" marks. */
static void operator_json(const struct event *ev, json_t *o)
{
	char ts[40];

	if (ev->by)
		json_object_set_new(o, "by", json_text(ev->by));
	if (ev->ack_time) {
		struct timespec t = { .tv_sec = ev->ack_time / 1000,
				      .tv_nsec = ev->ack_time % 1000 * 1000000 };

		format_utc_ms(&t, ts, sizeof(ts));
		json_object_set_new(o, "acknowledged",
				    json_pack("{s:o, s:o, s:s}", "by", json_text(ev->ack_by),
					      "comment", json_text(ev->ack_comment), "time", ts));
	}
	if (ev->maint_until) {
		struct timespec t = { .tv_sec = ev->maint_until / 1000,
				      .tv_nsec = ev->maint_until % 1000 * 1000000 };

		format_utc_ms(&t, ts, sizeof(ts));
		json_object_set_new(o, "maintenance",
				    json_pack("{s:o, s:o, s:s}", "by", json_text(ev->maint_by),
					      "comment", json_text(ev->maint_comment), "until",
					      ts));
	}
}

json_t *event_to_json(const struct event *ev, const char *host)
{
	char ts[40], msg[1024], key[300];
	json_t *o;

	format_utc_ms(&ev->time, ts, sizeof(ts));
	o = json_pack("{s:i, s:I, s:s, s:o, s:s, s:s, s:o}", "version", 1, "seq",
		      (json_int_t)ev->seq, "time", ts, "host", json_text(host), "event",
		      event_type_name(ev->type), "severity",
		      event_severity_name(event_severity(ev)), "probe", json_text(ev->probe));
	if (!o)
		return NULL;
	if (ev->group)
		json_object_set_new(o, "group", group_to_json(ev->group));
	/* json_pack's "o?" turns NULL into null: unknown margin or progress, or no memory. */
	if (ev->type == EV_HEALTH_CHANGED)
		json_object_set_new(
			o, "previous",
			json_pack("{s:s, s:o?}", "health", health_name(ev->prev_health), "margin",
				  ev->prev_margin < 0 ? NULL : json_integer(ev->prev_margin)));
	if (ev->type == EV_REBUILD_FINISHED)
		json_object_set_new(
			o, "previous",
			json_pack("{s:s, s:o?}", "activity", activity_name(ev->prev_activity),
				  "progress",
				  ev->prev_progress < 0 ? NULL : json_real(ev->prev_progress)));
	if (ev->type == EV_MEMBER_CHANGED)
		json_object_set_new(o, "member", member_change_to_json(ev));
	if (ev->type == EV_REMINDER) {
		format_utc_ms(&ev->since, ts, sizeof(ts));
		json_object_set_new(
			o, "reminder",
			json_pack("{s:I, s:s}", "number", (json_int_t)ev->reminder, "since", ts));
	}
	if (ev->sink)
		json_object_set_new(o, "sink", json_text(ev->sink));
	if (ev->type == EV_SINK_FAILED || ev->type == EV_SINK_RECOVERED)
		json_object_set_new(o, "failures", json_integer((json_int_t)ev->count));
	if (ev->type == EV_SPOOL_OVERFLOW)
		json_object_set_new(o, "dropped", json_integer((json_int_t)ev->count));
	if (ev->type == EV_SPARES_MISSING || ev->type == EV_MEMBERS_MISSING)
		json_object_set_new(o, "expected", json_integer((json_int_t)ev->count));
	if (ev->type == EV_GROUP_VANISHED && ev->required)
		json_object_set_new(o, "required", json_true());
	if (ev->type == EV_SPOF_FOUND)
		json_object_set_new(o, "spof", json_text(ev->spof));
	if (ev->summary)
		json_object_set_new(o, "summary", event_summary_to_json(ev->summary));
	operator_json(ev, o);
	disk_event_json(ev, o);
	if (ev->error)
		json_object_set_new(o, "error", json_text(ev->error));
	event_message(ev, msg, sizeof(msg));
	json_object_set_new(o, "message", json_text(msg));
	event_key(ev, host, key, sizeof(key));
	json_object_set_new(o, "idempotency_key", json_text(key));
	return o;
}
