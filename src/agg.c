/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agg.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "marks.h"
#include "expect.h"
#include "scrub.h"
#include "disk_join.h"
#include "redmon/fnv1a.h"
#include "redmon/grow.h"
#include "redmon/sorted.h"

/*
 * A change seen but not yet announced (flap damping): what it would be (a
 * fingerprint of health, margin and member roles), how often seen in a row.
 */
struct agg_hold {
	char *id;
	uint64_t fingerprint;
	unsigned scans;
};

/* When a group's current health was announced (the anchor of its reminders). */
struct agg_since {
	char *id;
	struct timespec time;
};

struct agg {
	struct agg_probe *probes; /* sorted by name */
	size_t n_probes;
	unsigned progress_step;
	/* A change that is no failure is announced once this many scans in a row saw it (1: at once). */
	unsigned recovery_scans;
	struct agg_since *since; /* sorted by id */
	size_t n_since;
	/* A rebuild whose progress has not moved this long is stalled (0: never). */
	uint64_t stall_after_ms;
	int64_t (*clock_ms)(void); /* monotonic milliseconds, never 0 */
	/* Scrubs older than this are overdue (0: never); timed by the wall clock in s. */
	int64_t scrub_max_age_s;
	int64_t (*clock_s)(void);
	struct group_expect *expect; /* [group.ID] sections, copied */
	size_t n_expect;
	/* Groups announced at second-failure risk (ids, malloc'd), in no order. */
	char **at_risk;
	size_t n_at_risk, at_risk_cap;
	/* Groups or disks changed since risk_events() last looked at them all. */
	bool risk_stale;
	struct marks *marks; /* the operator's (marks.h); NULL until the first */
};

static int64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 + 1;
}

/* Scrub times are dates (a tool's, the state file's): the wall clock, not the monotonic. */
static int64_t realtime_s(void)
{
	return (int64_t)time(NULL);
}

int agg_new(struct agg **ret, unsigned progress_step)
{
	struct agg *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	agg_configure(a, progress_step, 1);
	a->stall_after_ms = 600000;
	a->clock_ms = monotonic_ms;
	a->scrub_max_age_s = SCRUB_MAX_AGE_DEFAULT_S;
	a->clock_s = realtime_s;
	a->risk_stale = true;
	*ret = a;
	return 0;
}

void agg_configure(struct agg *a, unsigned progress_step, unsigned recovery_scans)
{
	a->progress_step = progress_step ? progress_step : 10;
	a->recovery_scans = recovery_scans;
}

void agg_set_stall_after(struct agg *a, uint64_t stall_after_ms)
{
	a->stall_after_ms = stall_after_ms;
}

void agg_set_clock(struct agg *a, int64_t (*clock_ms)(void))
{
	a->clock_ms = clock_ms ? clock_ms : monotonic_ms;
}

void agg_set_scrub_max_age(struct agg *a, int64_t max_age_s)
{
	a->scrub_max_age_s = max_age_s > 0 ? max_age_s : 0;
}

void agg_set_wallclock(struct agg *a, int64_t (*clock_s)(void))
{
	a->clock_s = clock_s ? clock_s : realtime_s;
}

static void expect_free_all(struct group_expect *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
}

int agg_expect(struct agg *a, const struct group_expect *v, size_t n)
{
	struct group_expect *copy = n ? calloc(n, sizeof(*copy)) : NULL;

	if (n && !copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i] = v[i];
		copy[i].id = strdup(v[i].id);
		if (!copy[i].id) {
			expect_free_all(copy, i);
			return -ENOMEM;
		}
	}
	expect_free_all(a->expect, a->n_expect);
	a->expect = copy;
	a->n_expect = n;
	a->risk_stale = true;
	return 0;
}

const struct group_expect *agg_expect_at(const struct agg *a, size_t i)
{
	return i < a->n_expect ? &a->expect[i] : NULL;
}

static const struct group_expect *expect_of(const struct agg *a, const char *id)
{
	return expect_find(a->expect, a->n_expect, id);
}

/*
 * Room at index i of a table of n items of size bytes (since, probes): the
 * grown table, the items from i on moved up by one; NULL on ENOMEM (v kept).
 */
static void *table_insert(void *v, size_t n, size_t size, size_t i)
{
	char *t = realloc(v, (n + 1) * size);

	if (t)
		memmove(t + (i + 1) * size, t + i * size, (n - i) * size);
	return t;
}

/* What a search of one of the sorted tables (since, probes) looks for. */
struct agg_key {
	const struct agg *a;
	const char *id;
};

static int since_cmp(const void *key, size_t i)
{
	const struct agg_key *k = key;

	return strcmp(k->a->since[i].id, k->id);
}

/* Index of id in the sorted since table, or where it would go (*found false). */
static size_t since_pos(const struct agg *a, const char *id, bool *found)
{
	return sorted_search(a->n_since, since_cmp, &(struct agg_key){ a, id }, found);
}

int agg_set_since(struct agg *a, const char *id, const struct timespec *t)
{
	bool found;
	size_t i = since_pos(a, id, &found);
	struct agg_since *v;
	char *copy;

	if (found) {
		a->since[i].time = *t;
		return 0;
	}
	copy = strdup(id);
	v = copy ? table_insert(a->since, a->n_since, sizeof(*v), i) : NULL;
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	a->since = v;
	v[i] = (struct agg_since){ .id = copy, .time = *t };
	a->n_since++;
	return 0;
}

static void since_drop(struct agg *a, const char *id)
{
	bool found;
	size_t i = since_pos(a, id, &found);

	if (!found)
		return;
	free(a->since[i].id);
	memmove(&a->since[i], &a->since[i + 1], (a->n_since - i - 1) * sizeof(*a->since));
	a->n_since--;
}

bool agg_since(const struct agg *a, const char *id, struct timespec *ret)
{
	bool found;
	size_t i = since_pos(a, id, &found);

	if (found)
		*ret = a->since[i].time;
	return found;
}

void agg_announcing(void *ctx, const struct event *ev)
{
	/* Reminders count from the last time a group's health was announced. */
	if (ev->group && (ev->type == EV_GROUP_APPEARED || ev->type == EV_HEALTH_CHANGED))
		agg_set_since(ctx, ev->group->id, &ev->time);
}

void agg_announced(void *ctx, const struct event *ev)
{
	/* After the sinks: a vanished group's alert starts when its trouble did. */
	if (ev->group && ev->type == EV_GROUP_VANISHED)
		since_drop(ctx, ev->group->id);
}

/* An event for the caller to publish (out NULL: not wanted). */
static void emit(struct event_list *out, const struct event *ev)
{
	if (out)
		event_list_push(out, ev);
}

static int probe_cmp(const void *key, size_t i)
{
	const struct agg_key *k = key;

	return strcmp(k->a->probes[i].name, k->id);
}

static size_t probe_pos(const struct agg *a, const char *name, bool *found)
{
	return sorted_search(a->n_probes, probe_cmp, &(struct agg_key){ a, name }, found);
}

/* The probe named name, added (empty) if missing; NULL on ENOMEM. */
static struct agg_probe *probe_slot(struct agg *a, const char *name)
{
	bool found;
	size_t i = probe_pos(a, name, &found);
	struct agg_probe *v;
	char *copy;

	if (found)
		return &a->probes[i];
	copy = strdup(name);
	v = copy ? table_insert(a->probes, a->n_probes, sizeof(*v), i) : NULL;
	if (!v) {
		free(copy);
		return NULL;
	}
	a->probes = v;
	v[i] = (struct agg_probe){ .name = copy };
	a->n_probes++;
	return &v[i];
}

static void emit_group(struct event_list *out, enum event_type type, const struct group *g)
{
	emit(out, &(struct event){ .type = type, .probe = g->probe, .group = g });
}

/*
 * Probes report members in the same order scan after scan: look at index hint
 * first, so that diffing a group of 1,000 supplies is not 1,000,000 compares.
 */
static const struct member *member_find(const struct group *g, const char *name, size_t hint)
{
	if (hint < g->n_members && strcmp(g->members[hint].name, name) == 0)
		return &g->members[hint];
	for (size_t i = 0; i < g->n_members; i++) {
		if (strcmp(g->members[i].name, name) == 0)
			return &g->members[i];
	}
	return NULL;
}

static void emit_member(struct event_list *out, const struct group *g, const char *name,
			const char *state, int prev_role, int role)
{
	emit(out, &(struct event){ .type = EV_MEMBER_CHANGED,
				   .probe = g->probe,
				   .group = g,
				   .member_name = name,
				   .member_state = state,
				   .member_prev_role = prev_role,
				   .member_role = role });
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Members whose role, state or reason changed.  State and reason count too: a
 * supply going from "failed" to "input lost", or a predictive failure, changes
 * no role but must still be heard of.  An empty slot (role missing) appearing
 * where a member left, or vanishing when a member fills it, is the same fact
 * as the member's own change, so it gives no event of its own.
 */
static void diff_members(struct event_list *out, const struct group *old, const struct group *g)
{
	for (size_t i = 0; i < g->n_members; i++) {
		const struct member *m = &g->members[i];
		const struct member *o = member_find(old, m->name, i);

		if (!o && m->role != REDMON_ROLE_MISSING)
			emit_member(out, g, m->name, m->state, ROLE_ABSENT, m->role);
		else if (o && (o->role != m->role || !same_text(o->state, m->state) ||
			       !same_text(o->reason, m->reason)))
			emit_member(out, g, m->name, m->state, o->role, m->role);
	}
	for (size_t i = 0; i < old->n_members; i++) {
		const struct member *o = &old->members[i];

		if (o->role != REDMON_ROLE_MISSING && !member_find(g, o->name, i))
			emit_member(out, g, o->name, o->state, o->role, ROLE_ABSENT);
	}
}

static void diff_activity(const struct agg *a, struct event_list *out, const struct group *old,
			  const struct group *g)
{
	bool was = activity_is_rebuild(old->activity), is = activity_is_rebuild(g->activity);

	if (was && old->activity != g->activity)
		emit(out, &(struct event){ .type = EV_REBUILD_FINISHED,
					   .probe = g->probe,
					   .group = g,
					   .prev_activity = old->activity,
					   .prev_progress = old->progress });
	if (is && old->activity != g->activity) {
		emit_group(out, EV_REBUILD_STARTED, g);
		return;
	}
	if (is && g->progress >= 0 && old->progress >= 0 &&
	    floor(g->progress / a->progress_step) > floor(old->progress / a->progress_step))
		emit_group(out, EV_REBUILD_PROGRESS, g);
}

/* rebuild_stalled and rebuild_resumed: track_rebuild() decided g->stalled. */
static void diff_stall(struct event_list *out, const struct group *old, const struct group *g)
{
	if (g->stalled && !old->stalled)
		emit_group(out, EV_REBUILD_STALLED, g);
	else if (!g->stalled && old->stalled && activity_is_rebuild(g->activity) &&
		 g->activity == old->activity)
		emit_group(out, EV_REBUILD_RESUMED, g);
}

/*
 * spares_missing and members_missing, when g falls short of its [group.ID]
 * where old (NULL: g is new) did not, under the expectations of its own
 * scan: a reload that expects more is heard of.  Groups restored from the
 * state file were judged when restored (agg_take_restored).
 */
static void emit_shortfall(const struct agg *a, struct event_list *out, const struct group *old,
			   const struct group *g)
{
	const struct group_expect *e = expect_of(a, g->id);
	unsigned fresh = e ? g->short_of & ~(old ? old->short_of : 0u) : 0u;

	if (fresh & EXPECT_SPARES)
		emit(out, &(struct event){ .type = EV_SPARES_MISSING,
					   .probe = g->probe,
					   .group = g,
					   .count = e->spares });
	if (fresh & EXPECT_MEMBERS)
		emit(out, &(struct event){ .type = EV_MEMBERS_MISSING,
					   .probe = g->probe,
					   .group = g,
					   .count = e->members });
}

/*
 * scrub_overdue and scrub_found_errors, once each: when the condition holds
 * now and did not on old (NULL: g is new).  scrub_track() decided both.
 */
static void emit_scrub(struct event_list *out, const struct group *old, const struct group *g)
{
	if (g->scrub_overdue && !(old && old->scrub_overdue))
		emit_group(out, EV_SCRUB_OVERDUE, g);
	if (g->scrub_errors && !(old && old->scrub_errors))
		emit_group(out, EV_SCRUB_FOUND_ERRORS, g);
}

/* Whether g lists reason among its spof. */
static bool has_spof(const struct group *g, const char *reason)
{
	for (size_t i = 0; i < g->n_spof; i++)
		if (strcmp(g->spof[i], reason) == 0)
			return true;
	return false;
}

/*
 * spof_found, once for each reason g has that old (NULL: g is new) did not.
 * What the last scan listed was announced then; a reason gone from a scan is
 * forgotten, so it is announced again if it returns.  Groups restored from
 * the state file carry the reasons they had: a restart announces none again.
 */
static void emit_spof(struct event_list *out, const struct group *old, const struct group *g)
{
	for (size_t i = 0; i < g->n_spof; i++)
		if (!old || !has_spof(old, g->spof[i]))
			emit(out, &(struct event){ .type = EV_SPOF_FOUND,
						   .probe = g->probe,
						   .group = g,
						   .spof = g->spof[i] });
}

/* Events for one group seen before and now: health first, then members, then activity. */
static void diff_group(const struct agg *a, struct event_list *out, const struct group *old,
		       const struct group *g)
{
	if (old->health != g->health || margin_shown(old) != margin_shown(g))
		emit(out, &(struct event){ .type = EV_HEALTH_CHANGED,
					   .probe = g->probe,
					   .group = g,
					   .prev_health = old->health,
					   .prev_margin = margin_shown(old) });
	diff_members(out, old, g);
	diff_activity(a, out, old, g);
	diff_stall(out, old, g);
	emit_shortfall(a, out, old, g);
	emit_scrub(out, old, g);
	emit_spof(out, old, g);
}

static void emit_vanished(const struct agg *a, struct event_list *out, const struct group *g)
{
	const struct group_expect *e = expect_of(a, g->id);

	emit(out, &(struct event){ .type = EV_GROUP_VANISHED,
				   .probe = g->probe,
				   .group = g,
				   .required = e && e->required });
}

static void emit_appeared(const struct agg *a, struct event_list *out, const struct group *g)
{
	emit_group(out, EV_GROUP_APPEARED, g);
	emit_shortfall(a, out, NULL, g);
	emit_scrub(out, NULL, g);
	emit_spof(out, NULL, g);
}

/* Walk two id-sorted snapshots together: O(old + new). */
static void diff_snapshots(const struct agg *a, struct event_list *out, const struct snapshot *old,
			   const struct snapshot *now)
{
	size_t i = 0, j = 0;

	while (i < old->n || j < now->n) {
		int c = i == old->n   ? 1
			: j == now->n ? -1
				      : strcmp(old->groups[i].id, now->groups[j].id);

		if (c < 0) {
			emit_vanished(a, out, &old->groups[i++]);
		} else if (c > 0) {
			emit_appeared(a, out, &now->groups[j++]);
		} else {
			diff_group(a, out, &old->groups[i], &now->groups[j]);
			i++;
			j++;
		}
	}
}

static void holds_free(struct agg_hold *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
}

static const struct agg_hold *hold_find(const struct agg_probe *p, const char *id)
{
	for (size_t i = 0; i < p->n_holds; i++) {
		if (strcmp(p->holds[i].id, id) == 0)
			return &p->holds[i];
	}
	return NULL;
}

/*
 * How much a member role contributes, for flap damping: 0 healthy, 1 on its
 * way (an idle spare, a disk being rebuilt), 2 contributing nothing.  A
 * member moving to a higher rank is a failure; to a lower one, a recovery.
 */
static int role_rank(int role)
{
	switch (role) {
	case REDMON_ROLE_ACTIVE:
	case REDMON_ROLE_STANDBY:
		return 0;
	case REDMON_ROLE_SPARE:
	case REDMON_ROLE_REBUILDING:
		return 1;
	default:
		return 2; /* failed, missing, unknown, absent */
	}
}

/* How a fresh group differs from the one last announced, for flap damping. */
enum agg_change {
	CHANGE_NONE,  /* nothing damping cares about (state or reason text at most) */
	CHANGE_WORSE, /* a failure somewhere: announced at once */
	CHANGE_OTHER, /* a recovery, or members moving without a failure: damped */
};

static enum agg_change classify_members(const struct group *old, const struct group *g)
{
	enum agg_change c = CHANGE_NONE;

	for (size_t i = 0; i < g->n_members; i++) {
		const struct member *m = &g->members[i];
		const struct member *o = member_find(old, m->name, i);
		int was = o ? (int)o->role : ROLE_ABSENT;

		if (role_rank(m->role) > role_rank(was))
			return CHANGE_WORSE;
		if ((int)m->role != was)
			c = CHANGE_OTHER;
	}
	for (size_t i = 0; i < old->n_members; i++) {
		const struct member *o = &old->members[i];

		if (member_find(g, o->name, i))
			continue;
		if (role_rank(o->role) < role_rank(ROLE_ABSENT))
			return CHANGE_WORSE;
		c = CHANGE_OTHER;
	}
	return c;
}

static enum agg_change classify(const struct group *old, const struct group *g)
{
	if (old->health != g->health)
		return health_worse(g->health, old->health) ? CHANGE_WORSE : CHANGE_OTHER;
	if (margin_shown(g) != margin_shown(old))
		return margin_shown(g) < margin_shown(old) ? CHANGE_WORSE : CHANGE_OTHER;
	return classify_members(old, g);
}

/*
 * What a held group looks like, to tell "the same change seen again" from a
 * different one: health, margin and every member's name and role.  Each name
 * is folded with its NUL, so a name and the role after it cannot run
 * together.  Kept in memory only (never saved): its values may change.
 */
static uint64_t group_fingerprint(const struct group *g)
{
	int32_t margin = margin_shown(g);
	uint64_t h = REDMON_FNV1A_BASIS;

	h = redmon_fnv1a_mem(h, &g->health, sizeof(g->health));
	h = redmon_fnv1a_mem(h, &margin, sizeof(margin));
	for (size_t i = 0; i < g->n_members; i++) {
		h = redmon_fnv1a_str(h, g->members[i].name ? g->members[i].name : "");
		h = redmon_fnv1a_byte(h, 0);
		h = redmon_fnv1a_mem(h, &g->members[i].role, sizeof(g->members[i].role));
	}
	return h;
}

/*
 * Flap damping (OpenBSD sensorsd's "N consistent samples"): a change that is
 * not a failure (a recovery, a disk re-added as a spare and rebuilt, a slave
 * moving between active and backup) is announced only once recovery_scans
 * scans in a row saw the same members and health; until then the group stays
 * as last announced, so its fresh copy is replaced by the old one.  Anything
 * worse (health, margin or one member's role) goes through at once.  A change
 * of a member's state or reason text alone is not held.
 */
static int damp_changes(struct agg *a, struct agg_probe *p, struct snapshot *fresh)
{
	struct agg_hold *holds = NULL;
	size_t n_holds = 0;

	for (size_t j = 0; a->recovery_scans > 1 && j < fresh->n; j++) {
		struct group *g = &fresh->groups[j];
		const struct group *old = snapshot_find(&p->groups, g->id);
		const struct agg_hold *h;
		struct agg_hold *v;
		struct group copy;
		uint64_t fp;
		unsigned scans;

		if (!old || classify(old, g) != CHANGE_OTHER)
			continue;
		h = hold_find(p, g->id);
		fp = group_fingerprint(g);
		scans = h && h->fingerprint == fp ? h->scans + 1 : 1;
		if (scans >= a->recovery_scans)
			continue;
		v = realloc(holds, (n_holds + 1) * sizeof(*v));
		if (!v)
			goto oom;
		holds = v;
		v[n_holds] =
			(struct agg_hold){ .id = strdup(g->id), .fingerprint = fp, .scans = scans };
		if (!v[n_holds].id)
			goto oom;
		n_holds++;
		if (group_copy(&copy, old) < 0)
			goto oom;
		group_free(g);
		*g = copy;
	}
	/* A delta says nothing of the groups it leaves out: their holds stay. */
	if (fresh->delta && p->n_holds) {
		struct agg_hold *v = realloc(holds, (n_holds + p->n_holds) * sizeof(*v));

		if (!v)
			goto oom;
		holds = v;
		for (size_t k = 0; k < p->n_holds; k++) {
			if (snapshot_find(fresh, p->holds[k].id))
				continue;
			holds[n_holds++] = p->holds[k];
			p->holds[k].id = NULL; /* moved */
		}
	}
	holds_free(p->holds, p->n_holds);
	p->holds = holds;
	p->n_holds = n_holds;
	return 0;
oom:
	holds_free(holds, n_holds);
	return -ENOMEM;
}

/* The longest ETA shown: a year; beyond it the rate says "not moving", not a date. */
#define ETA_MAX_S (366.0 * 24 * 3600)

/*
 * A rebuild's rate, ETA and stall, carried from its last scan (old, NULL if
 * none).  The rate is the progress made since the daemon first saw this
 * rebuild over the time taken; progress going back (a restarted resync)
 * starts the count again.  A rebuild stalls when its progress has not moved
 * for stall_after; it has then no ETA.
 */
static void track_rebuild(const struct agg *a, const struct group *old, struct group *g,
			  int64_t now)
{
	double done, eta;

	g->eta_s = -1;
	g->stalled = false;
	if (!activity_is_rebuild(g->activity) || g->progress < 0) {
		/* A check's or repair's time left, only as its source estimates it. */
		if (g->activity != REDMON_ACTIVITY_NONE && g->eta_source_s > 0)
			g->eta_s = g->eta_source_s;
		return;
	}
	if (!old || old->activity != g->activity || old->progress < 0 || !old->rate_t0_ms ||
	    g->progress < old->progress) {
		g->rate_progress0 = g->progress;
		g->rate_t0_ms = g->moved_ms = now;
		return;
	}
	g->rate_progress0 = old->rate_progress0;
	g->rate_t0_ms = old->rate_t0_ms;
	g->moved_ms = g->progress > old->progress ? now : old->moved_ms;
	g->stalled = a->stall_after_ms && g->progress == old->progress &&
		     (uint64_t)(now - g->moved_ms) >= a->stall_after_ms;
	/* The source's estimate (md's sync_speed) knows the current speed: preferred. */
	if (!g->stalled && g->eta_source_s > 0) {
		g->eta_s = g->eta_source_s;
		return;
	}
	done = g->progress - g->rate_progress0;
	if (g->stalled || done <= 0 || now <= g->rate_t0_ms)
		return;
	eta = (100.0 - g->progress) * (double)(now - g->rate_t0_ms) / done / 1000.0;
	/* A crawl of a millionth of a percent gives no time worth showing (nor an overflow). */
	if (eta >= 0 && eta < ETA_MAX_S)
		g->eta_s = (int64_t)llround(eta);
}

/* A reason of its own, after what g says already; 0 or -ENOMEM. */
static int add_reason(struct snapshot *fresh, struct group *g, const char *why)
{
	char both[700];

	if (g->reason)
		snprintf(both, sizeof(both), "%s; %s", g->reason, why);
	g->reason = snapshot_strdup(fresh, g->reason ? both : why);
	return g->reason ? 0 : -ENOMEM;
}

/*
 * g's scrub age and findings, and their reason.  A group damping replaced by
 * its old copy was tracked already (scrub_first_seen set): left as it is.
 */
static int track_scrub(const struct agg *a, const struct agg_probe *p, struct snapshot *fresh,
		       struct group *g)
{
	int64_t now = a->clock_s();
	char why[300];

	if (g->scrub_first_seen)
		return 0;
	scrub_track(snapshot_find(&p->groups, g->id), g, now, a->scrub_max_age_s);
	scrub_reason(g, now, why, sizeof(why));
	return why[0] ? add_reason(fresh, g, why) : 0;
}

/*
 * What the core adds to a fresh scan's groups before they are diffed: the
 * rebuild's rate and stall, and what falls short of its [group.ID] (a reason
 * of its own after the probe's).  A group damping replaced by its old copy
 * already carries its shortfall, and is left as it is.
 */
static int track_groups(const struct agg *a, const struct agg_probe *p, struct snapshot *fresh)
{
	int64_t now = a->clock_ms();

	for (size_t j = 0; j < fresh->n; j++) {
		struct group *g = &fresh->groups[j];
		const struct group_expect *e = expect_of(a, g->id);
		char why[200], both[700];

		track_rebuild(a, snapshot_find(&p->groups, g->id), g, now);
		if (track_scrub(a, p, fresh, g) < 0)
			return -ENOMEM;
		if (g->short_of || !(g->short_of = expect_shortfall(e, g)))
			continue;
		expect_reason(e, g, g->short_of, why, sizeof(why));
		if (g->reason)
			snprintf(both, sizeof(both), "%s; %s", g->reason, why);
		g->reason = snapshot_strdup(fresh, g->reason ? both : why);
		if (!g->reason)
			return -ENOMEM;
	}
	return 0;
}

bool agg_recovery_pending(const struct agg *a, const char *probe)
{
	const struct agg_probe *p = agg_probe_find(a, probe);

	return p && p->n_holds > 0;
}

/*
 * disk_health_changed for each disk of fresh whose health differs from old's,
 * or new at warning or failing (a VM's disks, unknown to smartctl, say nothing).
 */
static void diff_disks(struct event_list *out, const char *probe, const struct snapshot *old,
		       const struct snapshot *fresh)
{
	for (size_t i = 0; i < fresh->n_disks; i++) {
		const struct disk *d = &fresh->disks[i];
		enum redmon_risk prev = REDMON_RISK_NONE;

		for (size_t j = 0; j < old->n_disks; j++) {
			if (strcmp(old->disks[j].device, d->device) == 0)
				prev = old->disks[j].health;
		}
		if (prev == d->health ||
		    (prev == REDMON_RISK_NONE &&
		     (d->health == REDMON_RISK_OK || d->health == REDMON_RISK_UNKNOWN)))
			continue;
		emit(out, &(struct event){ .type = EV_DISK_HEALTH_CHANGED,
					   .probe = probe,
					   .disk = d,
					   .disk_prev_health = (int)prev });
	}
}

const struct group *agg_find_group(const struct agg *a, const char *id)
{
	const char *colon = strchr(id, ':');
	char probe[64];

	if (!colon || (size_t)(colon - id) >= sizeof(probe))
		return NULL;
	memcpy(probe, id, (size_t)(colon - id));
	probe[colon - id] = 0;
	for (size_t i = 0; i < a->n_probes; i++) {
		if (strcmp(a->probes[i].name, probe) == 0)
			return snapshot_find(&a->probes[i].groups, id);
	}
	return NULL;
}

static bool at_risk_known(const struct agg *a, const char *id, size_t *ret_i)
{
	for (size_t i = 0; i < a->n_at_risk; i++) {
		if (strcmp(a->at_risk[i], id) == 0) {
			*ret_i = i;
			return true;
		}
	}
	return false;
}

/* One group: raise second_failure_risk when it starts depending on a member at risk. */
static void risk_check_group(struct agg *a, struct event_list *out, const struct group *g,
			     bool *seen)
{
	const struct disk *d = NULL;
	const struct member *m = NULL;
	size_t k;
	char *id;

	if (disk_second_failure_risk(a, g))
		m = disk_member_at_risk(a, g, &d);
	if (at_risk_known(a, g->id, &k)) {
		seen[k] = m != NULL;
		return;
	}
	if (!m ||
	    !grow_one((void **)&a->at_risk, &a->at_risk_cap, a->n_at_risk, sizeof(*a->at_risk), 8))
		return;
	id = strdup(g->id);
	if (!id)
		return;
	a->at_risk[a->n_at_risk++] = id;
	emit(out, &(struct event){ .type = EV_SECOND_FAILURE_RISK,
				   .probe = g->probe,
				   .group = g,
				   .member_name = m->name,
				   .disk = d });
}

/*
 * Second-failure risk across probes: a disk's health comes from one probe,
 * the group from another, so every group is looked at after every update
 * (a host has few groups with members on disks).  A group no longer at
 * risk, or gone, is resolved (gone: without an event; group_vanished says it).
 */
static void risk_events(struct agg *a, struct event_list *out)
{
	size_t n = a->n_at_risk, keep = 0;
	bool *seen;

	/* Risk is a function of the groups and disks alone: unchanged, it is as it was. */
	if (!a->risk_stale)
		return;
	seen = calloc(n ? n : 1, sizeof(*seen));
	if (!seen)
		return;
	a->risk_stale = false;
	for (size_t i = 0; i < a->n_probes; i++) {
		const struct snapshot *s = &a->probes[i].groups;

		for (size_t j = 0; j < s->n; j++)
			risk_check_group(a, out, &s->groups[j], seen);
	}
	for (size_t k = 0; k < n; k++) {
		const struct group *g = seen[k] ? NULL : agg_find_group(a, a->at_risk[k]);

		if (g)
			emit(out, &(struct event){ .type = EV_SECOND_FAILURE_RISK,
						   .probe = g->probe,
						   .group = g,
						   .resolved = true });
		if (seen[k])
			a->at_risk[keep++] = a->at_risk[k];
		else
			free(a->at_risk[k]);
	}
	/* the ones raised in this pass, appended after the n known */
	for (size_t k = n; k < a->n_at_risk; k++)
		a->at_risk[keep++] = a->at_risk[k];
	a->n_at_risk = keep;
	free(seen);
}

/*
 * A delta leaves out a rebuild whose progress stood still, but its time runs
 * on: its rate and ETA, and its stall once stall_after has passed.  After
 * the merge: fresh holds the old copies of the groups the delta replaced
 * (in id order), which were tracked with it.
 */
static void track_unchanged(const struct agg *a, struct snapshot *cur, const struct snapshot *fresh,
			    struct event_list *out)
{
	int64_t now = a->clock_ms();

	for (size_t i = 0; i < cur->n; i++) {
		struct group *g = &cur->groups[i];
		struct group old;

		if (!activity_is_rebuild(g->activity) || snapshot_find(fresh, g->id))
			continue;
		old = *g;
		track_rebuild(a, &old, g, now);
		diff_stall(out, &old, g);
	}
}

/*
 * merge_delta when groups appear or vanish: the probe's groups, the delta's
 * copies and its gone ids walked together into a new array, in id order.
 * The replaced and vanished old groups go to fresh's array (*n_old of them,
 * room made), which holds no group of its own any more.
 */
static int merge_reshaped(const struct agg *a, struct snapshot *cur, const struct group *copies,
			  size_t n_copies, struct snapshot *fresh, size_t *n_old,
			  struct event_list *out)
{
	struct group *olds = fresh->groups;
	size_t i = 0, j = 0, k = 0, m = 0, cap = cur->n + n_copies;
	struct group *v = malloc((cap ? cap : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	while (i < cur->n || j < n_copies) {
		int c = i == cur->n	? 1
			: j == n_copies ? -1
					: strcmp(cur->groups[i].id, copies[j].id);

		if (c > 0) {
			v[m] = copies[j++];
			emit_appeared(a, out, &v[m++]);
			continue;
		}
		if (c == 0) {
			olds[*n_old] = cur->groups[i++];
			v[m] = copies[j++];
			diff_group(a, out, &olds[(*n_old)++], &v[m++]);
			continue;
		}
		while (k < fresh->n_gone && strcmp(fresh->gone[k], cur->groups[i].id) < 0)
			k++;
		if (k < fresh->n_gone && strcmp(fresh->gone[k], cur->groups[i].id) == 0) {
			olds[*n_old] = cur->groups[i++];
			emit_vanished(a, out, &olds[(*n_old)++]);
		} else {
			v[m++] = cur->groups[i++];
		}
	}
	free(cur->groups);
	cur->groups = v;
	cur->n = m;
	cur->cap = cap ? cap : 1;
	return 0;
}

/*
 * The groups of a delta in the probe's own: each changed one replaces its
 * old copy where it stands, so a change to one group of thousands costs a
 * copy of that group (group_copy: fresh's arena goes back to its thread).
 * Diffed as diff_snapshots would, in id order.  fresh is left holding the
 * old copies the events point into.
 */
static int merge_delta(struct agg *a, struct agg_probe *p, struct snapshot *fresh,
		       struct event_list *out)
{
	struct snapshot *cur = &p->groups;
	size_t n_add = 0, n_old = 0, made = 0, need = fresh->n + fresh->n_gone;
	/* Usually one group or a few: no allocation for them. */
	struct group on_stack[8];
	struct group *copies = fresh->n <= 8 ? on_stack : calloc(fresh->n, sizeof(*copies));
	int rc = -ENOMEM;

	if (!copies)
		return -ENOMEM;
	/* fresh's array takes the old copies: the replaced groups and the vanished. */
	if (need > fresh->cap) {
		struct group *v = realloc(fresh->groups, need * sizeof(*v));

		if (!v)
			goto out;
		fresh->groups = v;
		fresh->cap = need;
	}
	for (; made < fresh->n; made++) {
		if (group_copy(&copies[made], &fresh->groups[made]) < 0)
			goto out;
		n_add += !snapshot_find(cur, copies[made].id);
	}
	for (size_t j = 0; j < fresh->n; j++)
		group_free(&fresh->groups[j]); /* copied: their slots are free */
	fresh->n = 0;
	if (n_add || fresh->n_gone) {
		rc = merge_reshaped(a, cur, copies, made, fresh, &n_old, out);
		if (rc < 0)
			goto out;
	} else {
		for (size_t j = 0; j < made; j++) {
			struct group *slot = (struct group *)snapshot_find(cur, copies[j].id);

			fresh->groups[n_old] = *slot;
			*slot = copies[j];
			diff_group(a, out, &fresh->groups[n_old++], slot);
		}
	}
	made = 0; /* every copy is the probe's now */
	fresh->n = n_old;
	fresh->n_gone = 0;
	fresh->delta = false;
	rc = 0;
out:
	for (size_t j = 0; j < made; j++)
		group_free(&copies[j]);
	if (copies != on_stack)
		free(copies);
	return rc;
}

int agg_update(struct agg *a, const char *probe, struct snapshot *fresh, struct event_list *out)
{
	struct agg_probe *p = probe_slot(a, probe);
	struct snapshot old;

	if (p && fresh->delta && (p->failed || !p->scanned))
		return -ESTALE; /* nothing to apply it to: a whole scan is needed */
	if (!p || damp_changes(a, p, fresh) < 0 || track_groups(a, p, fresh) < 0)
		return -ENOMEM;
	/* An empty delta (a scan that changed nothing) leaves every group as it was. */
	if (!fresh->delta || fresh->n || fresh->n_gone)
		a->risk_stale = true;
	if (fresh->delta) {
		if (merge_delta(a, p, fresh, out) < 0)
			return -ENOMEM;
		track_unchanged(a, &p->groups, fresh, out);
		risk_events(a, out);
		if (!out)
			snapshot_clear(fresh);
		return 0;
	}
	if (p->failed) {
		p->failed = false;
		free(p->error);
		p->error = NULL;
		emit(out, &(struct event){ .type = EV_PROBE_RECOVERED, .probe = probe });
	}
	diff_snapshots(a, out, &p->groups, fresh);
	diff_disks(out, probe, &p->groups, fresh);
	p->scanned = true;
	/* Swap: the probe keeps fresh's groups, fresh gets the old array to reuse. */
	old = p->groups;
	p->groups = *fresh;
	*fresh = old;
	risk_events(a, out);
	if (!out)
		snapshot_clear(fresh);
	return 0;
}

int agg_probe_failed(struct agg *a, const char *probe, const char *error, struct event_list *out)
{
	struct agg_probe *p = probe_slot(a, probe);
	char reason[512];
	char *e = p ? strdup(error ? error : "unknown error") : NULL;
	char *r;

	if (!e)
		return -ENOMEM;
	free(p->error);
	p->error = e;
	p->scanned = true;
	if (p->failed)
		return 0;
	p->failed = true;
	/* A recovery in doubt is moot now: the groups turn unknown. */
	holds_free(p->holds, p->n_holds);
	p->holds = NULL;
	p->n_holds = 0;
	emit(out, &(struct event){ .type = EV_PROBE_FAILED, .probe = probe, .error = error });
	a->risk_stale = true;
	/* One copy of the reason, in the snapshot's arena, shared by every group. */
	snprintf(reason, sizeof(reason), "probe failed: %s", p->error);
	r = p->groups.n ? snapshot_strdup(&p->groups, reason) : NULL;
	if (p->groups.n && !r)
		return -ENOMEM;
	for (size_t i = 0; i < p->groups.n; i++) {
		struct group *g = &p->groups.groups[i];
		/* A shallow copy is enough: no string of g is freed, only repointed. */
		const struct group old = *g;

		if (g->health == HEALTH_UNKNOWN)
			continue;
		g->reason = r;
		g->margin = REDMON_MARGIN_UNKNOWN;
		g->health = HEALTH_UNKNOWN;
		diff_group(a, out, &old, g);
	}
	risk_events(a, out); /* unknown now: no longer degraded, so no longer at risk */
	return 0;
}

void agg_summarize(const struct agg *a, struct event_summary *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < a->n_probes; i++) {
		const struct agg_probe *p = &a->probes[i];

		if (p->failed)
			ret->probes_failed++;
		for (size_t j = 0; j < p->groups.n; j++) {
			enum health h = p->groups.groups[j].health;

			ret->groups++;
			ret->by_health[h]++;
			if (health_worse(h, ret->worst))
				ret->worst = h;
		}
	}
}

int agg_restore_probe(struct agg *a, const char *probe, struct snapshot *groups, bool failed,
		      const char *error)
{
	struct agg_probe *p = probe_slot(a, probe);
	char *e = NULL;

	if (!p || (error && !(e = strdup(error))))
		return -ENOMEM;
	snapshot_free(&p->groups);
	p->groups = *groups;
	memset(groups, 0, sizeof(*groups));
	p->scanned = false;
	p->failed = failed;
	free(p->error);
	p->error = e;
	a->risk_stale = true;
	return 0;
}

void agg_drop_unscanned(struct agg *a, struct event_list *out)
{
	struct snapshot empty = { 0 };

	for (size_t i = 0; i < a->n_probes; i++) {
		struct agg_probe *p = &a->probes[i];
		size_t before = out ? out->n : 0;

		if (p->scanned)
			continue;
		p->failed = false; /* no probe_recovered for a probe that is gone */
		diff_snapshots(a, out, &p->groups, &empty);
		/* The events point into the groups: out keeps them, or they are lost. */
		if (out && event_list_keep(out, &p->groups) < 0) {
			out->lost += out->n - before;
			out->n = before;
		}
		snapshot_free(&p->groups);
		p->scanned = true;
		a->risk_stale = true;
	}
}

void agg_take_restored(struct agg *dst, struct agg *src)
{
	struct agg keep = *dst;

	*dst = *src; /* its probes and announcement times */
	dst->progress_step = keep.progress_step;
	dst->recovery_scans = keep.recovery_scans;
	dst->stall_after_ms = keep.stall_after_ms;
	dst->clock_ms = keep.clock_ms;
	dst->scrub_max_age_s = keep.scrub_max_age_s;
	dst->clock_s = keep.clock_s;
	dst->expect = keep.expect;
	dst->n_expect = keep.n_expect;
	keep.expect = src->expect;
	keep.n_expect = src->n_expect;
	*src = keep; /* and dst's settings and empty tables */
	dst->risk_stale = true;
	/* What the restored groups lacked is known already: not announced again. */
	for (size_t i = 0; i < dst->n_probes; i++) {
		struct snapshot *s = &dst->probes[i].groups;

		for (size_t j = 0; j < s->n; j++)
			s->groups[j].short_of =
				expect_shortfall(expect_of(dst, s->groups[j].id), &s->groups[j]);
	}
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_probes; i++) {
		free(a->probes[i].name);
		free(a->probes[i].error);
		snapshot_free(&a->probes[i].groups);
		holds_free(a->probes[i].holds, a->probes[i].n_holds);
	}
	for (size_t i = 0; i < a->n_since; i++)
		free(a->since[i].id);
	free(a->since);
	for (size_t i = 0; i < a->n_at_risk; i++)
		free(a->at_risk[i]);
	free(a->at_risk);
	free(a->probes);
	expect_free_all(a->expect, a->n_expect);
	marks_free(a->marks);
	free(a);
}

const struct marks *agg_marks(const struct agg *a)
{
	return a->marks;
}

struct marks *agg_marks_edit(struct agg *a)
{
	if (!a->marks)
		a->marks = marks_new();
	return a->marks;
}

size_t agg_probe_count(const struct agg *a)
{
	return a->n_probes;
}

const struct agg_probe *agg_probe_at(const struct agg *a, size_t i)
{
	return i < a->n_probes ? &a->probes[i] : NULL;
}

const struct agg_probe *agg_probe_find(const struct agg *a, const char *name)
{
	bool found;
	size_t i = probe_pos(a, name, &found);

	return found ? &a->probes[i] : NULL;
}

const struct group *agg_next_group(const struct agg *a, struct agg_iter *it)
{
	while (it->probe < a->n_probes) {
		const struct snapshot *s = &a->probes[it->probe].groups;

		if (it->group < s->n)
			return &s->groups[it->group++];
		it->probe++;
		it->group = 0;
	}
	return NULL;
}
