/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event diff of src/agg.c: which events, in which order, with which fields. */
#include "cmocka_all.h"

#include <stdio.h>
#include <string.h>

#include "../../src/agg.h"
#include "../../src/bus.h"

#define MAX_EVENTS 32

struct recorded {
	enum event_type type;
	uint64_t seq;
	char group[32];
	enum health health, prev_health;
	int32_t margin, prev_margin;
	char member[32];
	int role, prev_role;
	enum redmon_activity prev_activity;
	char error[64];
	struct timespec time;
	bool since_known; /* agg_since() of the group while the event was delivered */
	struct timespec since;
	enum event_severity severity;
	uint64_t count;
	bool required;
	char message[160];
};

static struct recorded events[MAX_EVENTS];
static size_t n_events;

static void record(void *ctx, const struct event *ev)
{
	struct recorded *r = &events[n_events++];

	assert_true(n_events <= MAX_EVENTS);
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->seq = ev->seq;
	r->time = ev->time;
	if (ev->group && ctx)
		r->since_known = agg_since(ctx, ev->group->id, &r->since);
	if (ev->group) {
		snprintf(r->group, sizeof(r->group), "%s", ev->group->id);
		r->health = ev->group->health;
		r->margin = margin_shown(ev->group);
	}
	r->prev_health = ev->prev_health;
	r->prev_margin = ev->prev_margin;
	if (ev->member_name)
		snprintf(r->member, sizeof(r->member), "%s", ev->member_name);
	r->role = ev->member_role;
	r->prev_role = ev->member_prev_role;
	r->prev_activity = ev->prev_activity;
	if (ev->error)
		snprintf(r->error, sizeof(r->error), "%s", ev->error);
	r->severity = event_severity(ev);
	r->count = ev->count;
	r->required = ev->required;
	event_message(ev, r->message, sizeof(r->message));
}

/*
 * The daemon's wiring in small: the aggregator's events go out on a bus
 * that records them between its bookkeeping.  Without start() (bus NULL)
 * nobody wants the events.
 */
static struct bus *bus;
static struct event_list list;

static void start(struct agg **a)
{
	assert_int_equal(agg_new(a, 10), 0);
	assert_int_equal(bus_new(&bus), 0);
	assert_int_equal(bus_subscribe(bus, agg_announcing, *a), 0);
	assert_int_equal(bus_subscribe(bus, record, *a), 0);
	assert_int_equal(bus_subscribe(bus, agg_announced, *a), 0);
}

static void publish(struct snapshot *s)
{
	if (bus)
		assert_int_equal(bus_publish_list(bus, &list), 0);
	if (s)
		snapshot_clear(s);
}

static int update(struct agg *a, const char *probe, struct snapshot *s)
{
	int rc = agg_update(a, probe, s, bus ? &list : NULL);

	publish(s);
	return rc;
}

static int failed(struct agg *a, const char *probe, const char *error)
{
	int rc = agg_probe_failed(a, probe, error, bus ? &list : NULL);

	publish(NULL);
	return rc;
}

static void stop(struct agg *a)
{
	agg_free(a);
	bus_free(bus);
	bus = NULL;
	event_list_free(&list);
}

/* A raid1 md0 of sda1 + sdb1 with the given roles, activity and progress. */
static void raid1(struct snapshot *s, enum redmon_role a, enum redmon_role b,
		  enum redmon_activity act, double progress)
{
	struct redmon_member m[] = {
		{ .name = "sda1", .role = a },
		{ .name = "sdb1", .role = b },
	};
	int ok = (a == REDMON_ROLE_ACTIVE) + (b == REDMON_ROLE_ACTIVE);
	struct redmon_group g = {
		.name = "md0",
		.kind = "raid",
		.type = "raid1",
		.members_total = 2,
		.members_ok = ok,
		.margin = ok - 1,
		.margin_nominal = 1,
		.activity = act,
		.progress = progress,
		.members = m,
		.n_members = 2,
	};

	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
}

static int setup(void **state)
{
	(void)state;
	n_events = 0;
	bus = NULL;
	return 0;
}

static void test_first_scan_reports_every_group(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	assert_int_equal(update(a, "md", &s), 0);
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].type, EV_GROUP_APPEARED);
	assert_int_equal(events[0].seq, 1);
	assert_int_equal(events[0].health, HEALTH_CRITICAL);
	assert_string_equal(events[0].group, "md:md0");
	/* the same again: nothing new */
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	assert_int_equal(update(a, "md", &s), 0);
	assert_int_equal(n_events, 1);
	snapshot_free(&s);
	stop(a);
}

static void test_failure_recovery_cycle(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);

	/* sdb1 fails: health first, then the member */
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[1].type, EV_HEALTH_CHANGED);
	assert_int_equal(events[1].prev_health, HEALTH_OK);
	assert_int_equal(events[1].prev_margin, 1);
	assert_int_equal(events[1].health, HEALTH_CRITICAL);
	assert_int_equal(events[1].margin, 0);
	assert_int_equal(events[2].type, EV_MEMBER_CHANGED);
	assert_string_equal(events[2].member, "sdb1");
	assert_int_equal(events[2].prev_role, REDMON_ROLE_ACTIVE);
	assert_int_equal(events[2].role, REDMON_ROLE_FAILED);

	/* recovery starts at 3%, passes 10% and 20% in one step (one event), ends */
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_REBUILDING, REDMON_ACTIVITY_RECOVERY, 3);
	update(a, "md", &s);
	assert_int_equal(n_events, 5);
	assert_int_equal(events[3].type, EV_MEMBER_CHANGED);
	assert_int_equal(events[3].role, REDMON_ROLE_REBUILDING);
	assert_int_equal(events[4].type, EV_REBUILD_STARTED);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_REBUILDING, REDMON_ACTIVITY_RECOVERY, 9.9);
	update(a, "md", &s);
	assert_int_equal(n_events, 5);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_REBUILDING, REDMON_ACTIVITY_RECOVERY, 25);
	update(a, "md", &s);
	assert_int_equal(n_events, 6);
	assert_int_equal(events[5].type, EV_REBUILD_PROGRESS);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(n_events, 9);
	assert_int_equal(events[6].type, EV_HEALTH_CHANGED);
	assert_int_equal(events[6].health, HEALTH_OK);
	assert_int_equal(events[7].type, EV_MEMBER_CHANGED);
	assert_int_equal(events[7].role, REDMON_ROLE_ACTIVE);
	assert_int_equal(events[8].type, EV_REBUILD_FINISHED);
	assert_int_equal(events[8].prev_activity, REDMON_ACTIVITY_RECOVERY);
	for (size_t i = 0; i < n_events; i++)
		assert_int_equal(events[i].seq, i + 1);
	snapshot_free(&s);
	stop(a);
}

static void test_scrub_is_not_a_rebuild(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_CHECK, 50);
	update(a, "md", &s);
	assert_int_equal(n_events, 1);
	snapshot_free(&s);
	stop(a);
}

static void test_member_removed_and_group_vanished(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };
	struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE },
		{ .name = "slot1", .role = REDMON_ROLE_MISSING },
	};
	struct redmon_group g = { .name = "md0",
				  .members_total = 2,
				  .members_ok = 1,
				  .margin = 0,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = m,
				  .n_members = 2 };

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	/* sdb1 removed, its slot now shows as missing: one member event, not two */
	snapshot_add(&s, "md", &g);
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_MEMBER_CHANGED);
	assert_string_equal(events[1].member, "sdb1");
	assert_int_equal(events[1].role, ROLE_ABSENT);
	/* the array is stopped */
	update(a, "md", &s);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[2].type, EV_GROUP_VANISHED);
	assert_string_equal(events[2].group, "md:md0");
	snapshot_free(&s);
	stop(a);
}

static void test_probe_failure_makes_groups_unknown(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(failed(a, "md", "mdstat: Input/output error"), 0);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[1].type, EV_PROBE_FAILED);
	assert_string_equal(events[1].error, "mdstat: Input/output error");
	assert_int_equal(events[2].type, EV_HEALTH_CHANGED);
	assert_int_equal(events[2].health, HEALTH_UNKNOWN);
	assert_int_equal(events[2].margin, -1);
	/* failing again says nothing new */
	failed(a, "md", "mdstat: Input/output error");
	assert_int_equal(n_events, 3);
	/* recovery: probe_recovered, then the group is ok again */
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(n_events, 5);
	assert_int_equal(events[3].type, EV_PROBE_RECOVERED);
	assert_int_equal(events[4].type, EV_HEALTH_CHANGED);
	assert_int_equal(events[4].prev_health, HEALTH_UNKNOWN);
	assert_int_equal(events[4].health, HEALTH_OK);
	snapshot_free(&s);
	stop(a);
}

/*
 * When a group's health was announced: set as its event goes out (before
 * the subscribers in the middle), dropped for a vanished group only once
 * every subscriber saw it.  Restored groups of a probe that no longer
 * scans vanish after the first full scan.
 */
static void test_announcement_times_around_delivery(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 }, restored = { 0 };
	struct timespec t;

	(void)state;
	start(&a);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(n_events, 1);
	assert_true(events[0].since_known);
	assert_int_equal(events[0].since.tv_sec, events[0].time.tv_sec);
	assert_int_equal(events[0].since.tv_nsec, events[0].time.tv_nsec);
	update(a, "md", &s); /* no groups now */
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_GROUP_VANISHED);
	assert_true(events[1].since_known);
	assert_int_equal(events[1].since.tv_nsec, events[0].time.tv_nsec);
	assert_false(agg_since(a, "md:md0", &t));

	raid1(&restored, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	assert_int_equal(agg_restore_probe(a, "gone", &restored, false, NULL), 0);
	agg_drop_unscanned(a, &list);
	assert_int_equal(list.n, 1);
	publish(NULL);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[2].type, EV_GROUP_VANISHED);
	assert_string_equal(events[2].group, "md:md0");
	assert_int_equal(events[2].seq, 3);
	assert_int_equal(list.n, 0);
	snapshot_free(&s);
	snapshot_free(&restored);
	stop(a);
}

/* A supply that stays failed but goes from "failure" to "input lost" is news. */
static void test_member_state_change_without_role_change(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };
	const char *states[] = { "Power Supply Failure detected", "Power Supply input lost",
				 "Power Supply input lost" };

	(void)state;
	start(&a);
	for (int i = 0; i < 3; i++) {
		struct redmon_member m[] = {
			{ .name = "PSU1", .role = REDMON_ROLE_ACTIVE, .state = "ok" },
			{ .name = "PSU2", .role = REDMON_ROLE_FAILED, .state = states[i] },
		};
		struct redmon_group g = { .name = "psu",
					  .members_total = 2,
					  .members_ok = 1,
					  .margin = 0,
					  .margin_nominal = 1,
					  .progress = -1,
					  .members = m,
					  .n_members = 2 };

		assert_int_equal(snapshot_add(&s, "ipmi", &g), 0);
		update(a, "ipmi", &s);
	}
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_MEMBER_CHANGED);
	assert_string_equal(events[1].member, "PSU2");
	assert_int_equal(events[1].prev_role, REDMON_ROLE_FAILED);
	assert_int_equal(events[1].role, REDMON_ROLE_FAILED);
	snapshot_free(&s);
	stop(a);
}

/* The agg snapshot of probe name. */
static const struct snapshot *kept(const struct agg *a, const char *name)
{
	const struct agg_probe *p = agg_probe_find(a, name);

	return p ? &p->groups : NULL;
}

/* n raid1 groups "md<i>" with one member's state text st. */
static void many(struct snapshot *s, int n, const char *st)
{
	for (int i = 0; i < n; i++) {
		char name[16];
		struct redmon_member m[] = {
			{ .name = "sda1", .role = REDMON_ROLE_ACTIVE, .state = "in_sync" },
			{ .name = "sdb1", .role = REDMON_ROLE_ACTIVE, .state = st },
		};
		struct redmon_group g = { .name = name,
					  .kind = "raid",
					  .type = "raid1",
					  .members_total = 2,
					  .members_ok = 2,
					  .margin = 1,
					  .margin_nominal = 1,
					  .progress = -1,
					  .members = m,
					  .n_members = 2 };

		snprintf(name, sizeof(name), "md%d", i);
		assert_int_equal(snapshot_add(s, "md", &g), 0);
	}
	snapshot_sort(s);
}

/*
 * agg_update swaps the fresh snapshot in and hands the old one back to be
 * refilled: for a small probe both arenas are reused, scan after scan, and
 * the groups the aggregator keeps read back whole.
 */
static void test_scans_reuse_both_arenas(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };
	size_t steady = 0;

	(void)state;
	assert_int_equal(agg_new(&a, 10), 0);
	for (int scan = 0; scan < 300; scan++) {
		many(&s, 200, "in_sync");
		assert_int_equal(update(a, "md", &s), 0);
		assert_int_equal(s.n, 0);
		if (scan == 3)
			steady = snapshot_footprint(&s) + snapshot_footprint(kept(a, "md"));
		if (scan > 3)
			assert_int_equal(snapshot_footprint(&s) + snapshot_footprint(kept(a, "md")),
					 steady);
	}
	assert_int_equal(kept(a, "md")->n, 200);
	assert_string_equal(snapshot_find(kept(a, "md"), "md:md199")->members[1].state, "in_sync");
	/* a large probe: the copy handed back holds nothing while it waits for the next scan */
	for (int scan = 0; scan < 3; scan++) {
		many(&s, 3000, "in_sync");
		assert_int_equal(update(a, "md", &s), 0);
		if (scan > 0) /* the first hands back the 200-group copy */
			assert_int_equal(snapshot_footprint(&s), 0);
	}
	assert_int_equal(kept(a, "md")->n, 3000);
	assert_string_equal(snapshot_find(kept(a, "md"), "md:md2999")->members[1].state, "in_sync");
	snapshot_free(&s);
	stop(a);
}

/*
 * Flap damping keeps the last announced group (a group_copy of it) in place
 * of the fresh one until the recovery is confirmed: that copy must stay
 * whole across the arenas being cleared and refilled under it.
 */
static void test_damping_keeps_a_whole_copy(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };
	const struct group *g;

	(void)state;
	start(&a);
	agg_configure(a, 10, 3);
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	assert_int_equal(n_events, 1);
	for (int scan = 1; scan <= 2; scan++) {
		raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
		assert_int_equal(update(a, "md", &s), 0);
		assert_int_equal(n_events, 1);
		assert_true(agg_recovery_pending(a, "md"));
		g = snapshot_find(kept(a, "md"), "md:md0");
		assert_non_null(g);
		assert_int_equal(g->health, HEALTH_CRITICAL);
		assert_string_equal(g->members[1].name, "sdb1");
		assert_int_equal(g->members[1].role, REDMON_ROLE_FAILED);
		assert_string_equal(g->type, "raid1");
	}
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	assert_int_equal(update(a, "md", &s), 0);
	assert_false(agg_recovery_pending(a, "md"));
	assert_int_equal(events[1].type, EV_HEALTH_CHANGED);
	assert_int_equal(events[1].health, HEALTH_OK);
	assert_int_equal(snapshot_find(kept(a, "md"), "md:md0")->health, HEALTH_OK);
	snapshot_free(&s);
	stop(a);
}

static size_t count_events(enum event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < n_events; i++)
		n += events[i].type == type;
	return n;
}

/* One scan of the raid1 md0 with sdb1 in the given role (sda1 in sync). */
static void scan_sdb1(struct agg *a, struct snapshot *s, enum redmon_role role)
{
	raid1(s, REDMON_ROLE_ACTIVE, role, REDMON_ACTIVITY_NONE, -1);
	assert_int_equal(update(a, "md", s), 0);
}

/*
 * Member changes are damped as health changes are: a disk kicked out and
 * re-added over and over (failed <-> spare, the margin 0 all along) gives no
 * member_changed until one state holds recovery_scans scans; a failure, even
 * one that leaves the margin as it is, goes through at once.
 */
static void test_damping_holds_member_churn(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	agg_configure(a, 10, 3);
	scan_sdb1(a, &s, REDMON_ROLE_FAILED);
	assert_int_equal(n_events, 1); /* group_appeared */
	for (int cycle = 0; cycle < 10; cycle++) {
		scan_sdb1(a, &s, REDMON_ROLE_SPARE);
		scan_sdb1(a, &s, REDMON_ROLE_FAILED);
	}
	assert_int_equal(n_events, 1);
	/* spare for 3 scans in a row: announced at the third */
	scan_sdb1(a, &s, REDMON_ROLE_SPARE);
	scan_sdb1(a, &s, REDMON_ROLE_SPARE);
	assert_int_equal(n_events, 1);
	assert_true(agg_recovery_pending(a, "md"));
	scan_sdb1(a, &s, REDMON_ROLE_SPARE);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_MEMBER_CHANGED);
	assert_string_equal(events[1].member, "sdb1");
	assert_int_equal(events[1].prev_role, REDMON_ROLE_FAILED);
	assert_int_equal(events[1].role, REDMON_ROLE_SPARE);
	/* spare -> rebuilding (same rank, same margin) is held too ... */
	scan_sdb1(a, &s, REDMON_ROLE_REBUILDING);
	assert_int_equal(n_events, 2);
	/* ... and a failure is not: at once, with no health change */
	scan_sdb1(a, &s, REDMON_ROLE_FAILED);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[2].type, EV_MEMBER_CHANGED);
	assert_int_equal(events[2].prev_role, REDMON_ROLE_SPARE);
	assert_int_equal(events[2].role, REDMON_ROLE_FAILED);
	assert_int_equal(count_events(EV_HEALTH_CHANGED), 0);
	assert_false(agg_recovery_pending(a, "md"));
	snapshot_free(&s);
	stop(a);
}

/* With recovery_scans = 1 (the default) every change is announced at once. */
static void test_no_damping_by_default(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	scan_sdb1(a, &s, REDMON_ROLE_FAILED);
	scan_sdb1(a, &s, REDMON_ROLE_SPARE);
	scan_sdb1(a, &s, REDMON_ROLE_FAILED);
	assert_int_equal(count_events(EV_MEMBER_CHANGED), 2);
	snapshot_free(&s);
	stop(a);
}

/* A failed probe's groups all get one reason, which lasts until they are rescanned. */
static void test_probe_failure_reason_on_every_group(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };
	const struct snapshot *k;

	(void)state;
	assert_int_equal(agg_new(&a, 10), 0);
	many(&s, 50, "in_sync");
	update(a, "md", &s);
	assert_int_equal(failed(a, "md", "mdstat: Input/output error"), 0);
	k = kept(a, "md");
	for (size_t i = 0; i < k->n; i++) {
		assert_int_equal(k->groups[i].health, HEALTH_UNKNOWN);
		assert_string_equal(k->groups[i].reason,
				    "probe failed: mdstat: Input/output error");
		assert_string_equal(k->groups[i].members[0].state, "in_sync");
	}
	many(&s, 50, "in_sync");
	update(a, "md", &s);
	k = kept(a, "md");
	assert_int_equal(k->n, 50);
	assert_null(k->groups[0].reason);
	assert_int_equal(k->groups[0].health, HEALTH_OK);
	snapshot_free(&s);
	stop(a);
}

/* The aggregator's clock in the tests below: milliseconds set by hand. */
static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

/* One scan of md0 at time t (ms): sdb1 rebuilding at progress. */
static void rebuild_at(struct agg *a, struct snapshot *s, int64_t t, double progress)
{
	fake_now = t;
	raid1(s, REDMON_ROLE_ACTIVE, REDMON_ROLE_REBUILDING, REDMON_ACTIVITY_RECOVERY, progress);
	update(a, "md", s);
}

/*
 * ETA from the rate the daemon observed; a recovery frozen for stall_after
 * is stalled (warning, no ETA), and moving again resumes it.
 */
static void test_rebuild_eta_and_stall(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	agg_set_clock(a, fake_clock);
	agg_set_stall_after(a, 60000);
	rebuild_at(a, &s, 1000, 10);
	assert_int_equal(events[n_events - 1].type, EV_GROUP_APPEARED);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, -1); /* one observation: no rate */
	rebuild_at(a, &s, 1500, 10.0000001); /* a crawl: no year-long ETA, no overflow */
	assert_int_equal(kept(a, "md")->groups[0].eta_s, -1);
	rebuild_at(a, &s, 11000, 15);
	/* 5% in 10 s: the 85% left take 170 s */
	assert_int_equal(kept(a, "md")->groups[0].eta_s, 170);
	n_events = 0;
	rebuild_at(a, &s, 70999, 15); /* 59.999 s without a move: not yet */
	assert_int_equal(n_events, 0);
	assert_false(kept(a, "md")->groups[0].stalled);
	rebuild_at(a, &s, 71000, 15);
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].type, EV_REBUILD_STALLED);
	assert_int_equal(events[0].severity, SEV_WARNING);
	assert_string_equal(events[0].message, "md:md0 recovery stalled at 15.0%");
	assert_true(kept(a, "md")->groups[0].stalled);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, -1);
	rebuild_at(a, &s, 200000, 15); /* still stalled: said once */
	assert_int_equal(n_events, 1);
	rebuild_at(a, &s, 210000, 16);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_REBUILD_RESUMED);
	assert_false(kept(a, "md")->groups[0].stalled);
	assert_true(kept(a, "md")->groups[0].eta_s > 0);
	/* frozen again, then finished: rebuild_finished says it, no resumed */
	rebuild_at(a, &s, 300000, 16);
	assert_int_equal(events[n_events - 1].type, EV_REBUILD_STALLED);
	n_events = 0;
	fake_now = 310000;
	raid1(&s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	update(a, "md", &s);
	for (size_t i = 0; i < n_events; i++)
		assert_int_not_equal(events[i].type, EV_REBUILD_RESUMED);
	assert_int_equal(events[n_events - 1].type, EV_REBUILD_FINISHED);
	snapshot_free(&s);
	stop(a);
}

/* Progress unknown (-1) or a stall time of 0: never stalled. */
static void test_no_stall_without_progress(void **state)
{
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	agg_set_clock(a, fake_clock);
	agg_set_stall_after(a, 1000);
	rebuild_at(a, &s, 1000, -1);
	rebuild_at(a, &s, 100000, -1);
	assert_int_equal(n_events, 1); /* appeared, and no stall since */
	assert_false(kept(a, "md")->groups[0].stalled);
	agg_set_stall_after(a, 0);
	rebuild_at(a, &s, 200000, 50);
	rebuild_at(a, &s, 900000, 50);
	assert_false(kept(a, "md")->groups[0].stalled);
	snapshot_free(&s);
	stop(a);
}

/* md0 with `spares` idle spares. */
static void raid1_spares(struct snapshot *s, int spares)
{
	raid1(s, REDMON_ROLE_ACTIVE, REDMON_ROLE_ACTIVE, REDMON_ACTIVITY_NONE, -1);
	s->groups[0].spares = spares;
}

/*
 * [group.md:md0] spares = 1, required = yes: a missing spare is a reason
 * and one warning (health stays ok); the group gone is critical.
 */
static void test_expected_spares_and_required(void **state)
{
	const struct group_expect e = {
		.id = "md:md0", .spares = 1, .spares_set = true, .required = true
	};
	struct snapshot s = { 0 };
	struct agg *a;

	(void)state;
	start(&a);
	assert_int_equal(agg_expect(a, &e, 1), 0);
	raid1_spares(&s, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 1);
	assert_int_equal(kept(a, "md")->groups[0].short_of, 0);
	raid1_spares(&s, 0);
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_SPARES_MISSING);
	assert_int_equal(events[1].severity, SEV_WARNING);
	assert_int_equal(events[1].count, 1);
	assert_int_equal(events[1].health, HEALTH_OK);
	assert_string_equal(events[1].message, "md:md0 has 0 spares, 1 expected");
	assert_string_equal(kept(a, "md")->groups[0].reason, "1 spare expected, 0 present");
	raid1_spares(&s, 0);
	update(a, "md", &s); /* said once */
	assert_int_equal(n_events, 2);
	update(a, "md", &s); /* s is empty: md0 is gone */
	assert_int_equal(n_events, 3);
	assert_int_equal(events[2].type, EV_GROUP_VANISHED);
	assert_true(events[2].required);
	assert_int_equal(events[2].severity, SEV_CRITICAL);
	assert_string_equal(events[2].message, "expected group md:md0 (raid1) is gone");
	snapshot_free(&s);
	stop(a);
}

/* A new group already short of members says so at once, after its appearance. */
static void test_expected_members_on_first_scan(void **state)
{
	const struct group_expect e[] = {
		{ .id = "md:md0", .members = 3, .members_set = true },
		{ .id = "md:md9", .spares = 2, .spares_set = true },
	};
	struct snapshot s = { 0 };
	struct agg *a;

	(void)state;
	start(&a);
	assert_int_equal(agg_expect(a, e, 2), 0);
	raid1_spares(&s, 0);
	s.groups[0].reason = "probe's own";
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[0].type, EV_GROUP_APPEARED);
	assert_int_equal(events[1].type, EV_MEMBERS_MISSING);
	assert_int_equal(events[1].count, 3);
	assert_string_equal(kept(a, "md")->groups[0].reason,
			    "probe's own; 3 members expected, 2 present");
	update(a, "md", &s); /* gone, not required: as bad as it was (ok: info) */
	assert_int_equal(events[2].type, EV_GROUP_VANISHED);
	assert_false(events[2].required);
	assert_int_equal(events[2].severity, SEV_INFO);
	snapshot_free(&s);
	stop(a);
}

/*
 * A reload that expects more is heard of at the next scan; a group restored
 * from the state file already short of its spares is not announced again.
 */
static void test_expectations_reloaded_and_restored(void **state)
{
	struct group_expect e = { .id = "md:md0", .spares = 1, .spares_set = true };
	struct snapshot s = { 0 }, saved = { 0 };
	struct agg *a, *tmp;

	(void)state;
	start(&a);
	raid1_spares(&s, 1);
	update(a, "md", &s);
	assert_int_equal(agg_expect(a, &e, 1), 0);
	raid1_spares(&s, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 1); /* one spare, one expected */
	e.spares = 2;
	assert_int_equal(agg_expect(a, &e, 1), 0);
	raid1_spares(&s, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[1].type, EV_SPARES_MISSING);
	assert_int_equal(events[1].count, 2);
	snapshot_free(&s);
	stop(a);

	/* restart: the saved md0 had 1 spare of 2 expected, and still has */
	n_events = 0;
	start(&a);
	assert_int_equal(agg_expect(a, &e, 1), 0);
	assert_int_equal(agg_new(&tmp, 0), 0);
	raid1_spares(&saved, 1);
	assert_int_equal(agg_restore_probe(tmp, "md", &saved, false, NULL), 0);
	agg_take_restored(a, tmp);
	agg_free(tmp);
	raid1_spares(&s, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 0);
	assert_string_equal(kept(a, "md")->groups[0].reason, "2 spares expected, 1 present");
	snapshot_free(&s);
	snapshot_free(&saved);
	stop(a);
}

/* The wall clock of the scrub tests: Unix seconds set by hand. */
static int64_t fake_wall;

static int64_t fake_wallclock(void)
{
	return fake_wall;
}

#define DAY (24 * 3600)

/* One scan of md0 at Unix time t: activity act, scrub as the source reports it. */
static void scrub_at(struct agg *a, struct snapshot *s, int64_t t, enum redmon_activity act,
		     int64_t scrub_time, const char *found)
{
	struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE },
		{ .name = "sdb1", .role = REDMON_ROLE_ACTIVE },
	};
	struct redmon_group g = {
		.name = "md0",
		.kind = "raid",
		.type = "raid1",
		.members_total = 2,
		.members_ok = 2,
		.margin = 1,
		.margin_nominal = 1,
		.activity = act,
		.progress = act == REDMON_ACTIVITY_NONE ? -1 : 50,
		.members = m,
		.n_members = 2,
		.scrub_time = scrub_time,
		.scrub_found = found,
	};

	fake_wall = t;
	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
	update(a, "md", s);
}

/*
 * md gives no date: a new group raises nothing; past scrub_max_age without a
 * scrub, one scrub_overdue (warning) and a reason; a check seen ending clears
 * it and dates the last scrub; it comes back once when that scrub grows old.
 */
static void test_scrub_overdue_counts_from_first_seen(void **state)
{
	const struct group *g;
	struct agg *a;
	struct snapshot s = { 0 };
	int64_t t0 = 1800000000;

	(void)state;
	start(&a);
	agg_set_wallclock(a, fake_wallclock);
	agg_set_scrub_max_age(a, 35 * DAY);
	scrub_at(a, &s, t0, REDMON_ACTIVITY_NONE, 0, NULL);
	assert_int_equal(n_events, 1); /* appeared only */
	g = &kept(a, "md")->groups[0];
	assert_int_equal(g->scrub_first_seen, t0);
	assert_int_equal(g->scrub_age_s, -1);
	assert_false(g->scrub_overdue);
	assert_null(g->reason);
	n_events = 0;
	scrub_at(a, &s, t0 + 35 * DAY, REDMON_ACTIVITY_NONE, 0, NULL); /* not older yet */
	assert_int_equal(n_events, 0);
	scrub_at(a, &s, t0 + 36 * DAY, REDMON_ACTIVITY_NONE, 0, NULL);
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].type, EV_SCRUB_OVERDUE);
	assert_int_equal(events[0].severity, SEV_WARNING);
	assert_int_equal(events[0].health, HEALTH_OK); /* health stays the margin's */
	assert_string_equal(events[0].message,
			    "md:md0: no scrub seen since 2027-01-15, when redmon first saw it");
	g = &kept(a, "md")->groups[0];
	assert_string_equal(g->reason, "no scrub seen in 36 days");
	scrub_at(a, &s, t0 + 37 * DAY, REDMON_ACTIVITY_NONE, 0, NULL); /* said once */
	assert_int_equal(n_events, 1);
	/* a check runs: not overdue while it runs, and no event for that */
	scrub_at(a, &s, t0 + 38 * DAY, REDMON_ACTIVITY_CHECK, 0, NULL);
	assert_false(kept(a, "md")->groups[0].scrub_overdue);
	scrub_at(a, &s, t0 + 38 * DAY + 3600, REDMON_ACTIVITY_NONE, 0, NULL);
	g = &kept(a, "md")->groups[0];
	assert_int_equal(g->scrub_last, t0 + 38 * DAY + 3600);
	assert_int_equal(g->scrub_age_s, 0);
	assert_false(g->scrub_overdue);
	assert_null(g->reason);
	n_events = 0;
	scrub_at(a, &s, t0 + 80 * DAY, REDMON_ACTIVITY_NONE, 0, NULL);
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].type, EV_SCRUB_OVERDUE);
	assert_string_equal(kept(a, "md")->groups[0].reason, "last scrub 41 days ago");
	/* 0: never overdue */
	agg_set_scrub_max_age(a, 0);
	scrub_at(a, &s, t0 + 200 * DAY, REDMON_ACTIVITY_NONE, 0, NULL);
	assert_false(kept(a, "md")->groups[0].scrub_overdue);
	assert_int_equal(kept(a, "md")->groups[0].scrub_age_s, 200 * DAY - 38 * DAY - 3600);
	snapshot_free(&s);
	stop(a);
}

/*
 * A source's date (ZFS) is the last scrub, old or not; what it found raises
 * scrub_found_errors once, a clean scrub clears it, new findings raise it again.
 */
static void test_scrub_source_time_and_found_errors(void **state)
{
	const struct group *g;
	struct agg *a;
	struct snapshot s = { 0 };
	int64_t t0 = 1800000000;

	(void)state;
	start(&a);
	agg_set_wallclock(a, fake_wallclock);
	/* an old scrub on a group seen for the first time is overdue at once: its date says so */
	scrub_at(a, &s, t0, REDMON_ACTIVITY_NONE, t0 - 40 * DAY, "mismatch_cnt 128");
	assert_int_equal(n_events, 3);
	assert_int_equal(events[0].type, EV_GROUP_APPEARED);
	assert_int_equal(events[1].type, EV_SCRUB_OVERDUE);
	assert_string_equal(events[1].message, "md:md0 was last scrubbed 40 days ago (2026-12-06)");
	assert_int_equal(events[2].type, EV_SCRUB_FOUND_ERRORS);
	assert_int_equal(events[2].severity, SEV_WARNING);
	assert_string_equal(events[2].message, "md:md0: the last scrub found mismatch_cnt 128");
	g = &kept(a, "md")->groups[0];
	assert_string_equal(g->reason,
			    "last scrub 40 days ago; scrub found errors: mismatch_cnt 128");
	assert_int_equal(g->scrub_age_s, 40 * DAY);
	n_events = 0;
	scrub_at(a, &s, t0 + 60, REDMON_ACTIVITY_NONE, t0 - 40 * DAY, "mismatch_cnt 128");
	assert_int_equal(n_events, 0);
	/* a fresh clean scrub: both cleared, no event */
	scrub_at(a, &s, t0 + 120, REDMON_ACTIVITY_NONE, t0 + 100, NULL);
	assert_int_equal(n_events, 0);
	g = &kept(a, "md")->groups[0];
	assert_false(g->scrub_overdue);
	assert_false(g->scrub_errors);
	assert_null(g->reason);
	assert_int_equal(g->scrub_age_s, 20);
	scrub_at(a, &s, t0 + DAY, REDMON_ACTIVITY_NONE, t0 + DAY - 10, "repaired 4K");
	assert_int_equal(n_events, 1);
	assert_int_equal(events[0].type, EV_SCRUB_FOUND_ERRORS);
	/* a date far ahead is no scrub: the age counts from first seen */
	scrub_at(a, &s, t0 + DAY + 60, REDMON_ACTIVITY_NONE, INT64_MAX / 2, NULL);
	assert_int_equal(kept(a, "md")->groups[0].scrub_last, 0);
	assert_int_equal(kept(a, "md")->groups[0].scrub_age_s, -1);
	snapshot_free(&s);
	stop(a);
}

/* The probe's own ETA (md sync_speed) is preferred over the rate the daemon observed. */
static void test_source_eta_preferred(void **state)
{
	struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE },
		{ .name = "sdb1", .role = REDMON_ROLE_REBUILDING },
	};
	struct redmon_group rg = {
		.name = "md0",
		.type = "raid1",
		.members_total = 2,
		.members_ok = 1,
		.margin = 0,
		.margin_nominal = 1,
		.activity = REDMON_ACTIVITY_RECOVERY,
		.progress = 10,
		.members = m,
		.n_members = 2,
	};
	struct agg *a;
	struct snapshot s = { 0 };

	(void)state;
	start(&a);
	agg_set_clock(a, fake_clock);
	fake_now = 1000;
	assert_int_equal(snapshot_add(&s, "md", &rg), 0);
	update(a, "md", &s);
	fake_now = 11000;
	rg.progress = 15;
	assert_int_equal(snapshot_add(&s, "md", &rg), 0);
	update(a, "md", &s);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, 170); /* the daemon's own */
	fake_now = 21000;
	rg.progress = 20;
	rg.eta_s = 4242;
	assert_int_equal(snapshot_add(&s, "md", &rg), 0);
	update(a, "md", &s);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, 4242);
	/* a check's time left: only the source's */
	rg.activity = REDMON_ACTIVITY_CHECK;
	rg.margin = 1;
	rg.members_ok = 2;
	m[1].role = REDMON_ROLE_ACTIVE;
	assert_int_equal(snapshot_add(&s, "md", &rg), 0);
	update(a, "md", &s);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, 4242);
	rg.eta_s = 0;
	assert_int_equal(snapshot_add(&s, "md", &rg), 0);
	update(a, "md", &s);
	assert_int_equal(kept(a, "md")->groups[0].eta_s, -1);
	snapshot_free(&s);
	stop(a);
}

/* md0 (raid1, both in sync) with the given spof reasons. */
static void raid1_spof(struct snapshot *s, const char *const *spof, size_t n)
{
	struct redmon_member m[] = {
		{ .name = "sdb1", .role = REDMON_ROLE_ACTIVE },
		{ .name = "sdb2", .role = REDMON_ROLE_ACTIVE },
	};
	struct redmon_group g = { .name = "md0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 2,
				  .margin = 1,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = m,
				  .n_members = 2,
				  .spof = spof,
				  .n_spof = n };

	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
}

/*
 * spof_found: once per group and reason when first seen (info, health
 * untouched), not while it persists, again after it went away; and not after
 * a restart whose saved group had it.
 */
static void test_spof_found_once_per_reason(void **state)
{
	static const char *const one[] = {
		"members sdb1 and sdb2 are partitions of one disk, sdb"
	};
	static const char *const two[] = { "members sdb1 and sdb2 are partitions of one disk, sdb",
					   "every member is behind one controller, 0000:00:1f.2" };
	struct snapshot s = { 0 }, saved = { 0 };
	struct agg *a, *tmp;

	(void)state;
	start(&a);
	raid1_spof(&s, one, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	assert_int_equal(events[0].type, EV_GROUP_APPEARED);
	assert_int_equal(events[1].type, EV_SPOF_FOUND);
	assert_int_equal(events[1].severity, SEV_INFO);
	assert_int_equal(events[1].health, HEALTH_OK);
	assert_string_equal(events[1].message,
			    "md:md0 has a hidden single point of failure: "
			    "members sdb1 and sdb2 are partitions of one disk, sdb");
	raid1_spof(&s, one, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 2);
	/* a second reason: only it is new */
	raid1_spof(&s, two, 2);
	update(a, "md", &s);
	assert_int_equal(n_events, 3);
	assert_int_equal(events[2].type, EV_SPOF_FOUND);
	assert_true(strstr(events[2].message, "one controller") != NULL);
	/* gone, then back: forgotten, so announced again */
	raid1_spof(&s, NULL, 0);
	update(a, "md", &s);
	assert_int_equal(n_events, 3);
	raid1_spof(&s, one, 1);
	update(a, "md", &s);
	assert_int_equal(n_events, 4);
	assert_int_equal(events[3].type, EV_SPOF_FOUND);
	snapshot_free(&s);
	stop(a);

	/* restart: the saved md0 had the reason: nothing; a new one is announced */
	n_events = 0;
	start(&a);
	assert_int_equal(agg_new(&tmp, 0), 0);
	raid1_spof(&saved, one, 1);
	assert_int_equal(agg_restore_probe(tmp, "md", &saved, false, NULL), 0);
	agg_take_restored(a, tmp);
	agg_free(tmp);
	raid1_spof(&s, two, 2);
	update(a, "md", &s);
	assert_int_equal(n_events, 1);
	assert_true(strstr(events[0].message, "one controller") != NULL);
	snapshot_free(&s);
	snapshot_free(&saved);
	stop(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_scan_reports_every_group, setup),
		cmocka_unit_test_setup(test_failure_recovery_cycle, setup),
		cmocka_unit_test_setup(test_scrub_is_not_a_rebuild, setup),
		cmocka_unit_test_setup(test_member_removed_and_group_vanished, setup),
		cmocka_unit_test_setup(test_probe_failure_makes_groups_unknown, setup),
		cmocka_unit_test_setup(test_announcement_times_around_delivery, setup),
		cmocka_unit_test_setup(test_member_state_change_without_role_change, setup),
		cmocka_unit_test_setup(test_scans_reuse_both_arenas, setup),
		cmocka_unit_test_setup(test_damping_keeps_a_whole_copy, setup),
		cmocka_unit_test_setup(test_damping_holds_member_churn, setup),
		cmocka_unit_test_setup(test_no_damping_by_default, setup),
		cmocka_unit_test_setup(test_probe_failure_reason_on_every_group, setup),
		cmocka_unit_test_setup(test_rebuild_eta_and_stall, setup),
		cmocka_unit_test_setup(test_no_stall_without_progress, setup),
		cmocka_unit_test_setup(test_expected_spares_and_required, setup),
		cmocka_unit_test_setup(test_expected_members_on_first_scan, setup),
		cmocka_unit_test_setup(test_expectations_reloaded_and_restored, setup),
		cmocka_unit_test_setup(test_scrub_overdue_counts_from_first_seen, setup),
		cmocka_unit_test_setup(test_scrub_source_time_and_found_errors, setup),
		cmocka_unit_test_setup(test_source_eta_preferred, setup),
		cmocka_unit_test_setup(test_spof_found_once_per_reason, setup),
	};

	return cmocka_run_group_tests_name("agg", tests, NULL, NULL);
}
