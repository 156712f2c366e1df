/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operator's marks (src/marks.c) and the control socket's requests
 * (src/control.c): acknowledgements end when the group changes, a group gone
 * while not ok is remembered until forgotten, maintenance windows end in
 * order, marks survive a JSON round trip and a damaged entry is left out,
 * and a hostile or unprivileged request changes nothing.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/agg.h"
#include "../../src/bus.h"
#include "../../src/control.h"
#include "../../src/marks.h"

/* --- marks ------------------------------------------------------------------ */

static void test_marks_table(void **state)
{
	struct marks *m = marks_new();
	struct group g = { .id = "md:md1", .type = "raid1", .health = HEALTH_DEGRADED };

	(void)state;
	assert_non_null(m);
	assert_int_equal(marks_ack(m, "md:md2", "root", "disk ordered", 1000), 0);
	assert_int_equal(marks_maintain(m, "md:md0", "alice", NULL, 5000), 0);
	assert_int_equal(marks_gone(m, &g, 2000), 0);
	/* sorted by id, found by bisection */
	assert_string_equal(marks_at(m, 0)->id, "md:md0");
	assert_string_equal(marks_at(m, 1)->id, "md:md1");
	assert_string_equal(marks_at(m, 2)->id, "md:md2");
	assert_null(marks_at(m, 3));
	assert_string_equal(marks_find(m, "md:md2")->ack.comment, "disk ordered");
	assert_true(marks_quiet(m, "md:md2", 99999));
	assert_true(marks_quiet(m, "md:md0", 4999));
	assert_false(marks_quiet(m, "md:md0", 5000)); /* the window is over at its end */
	assert_false(marks_quiet(m, "md:md1", 0));    /* gone is no silence */
	assert_int_equal(marks_next_end(m), 5000);
	/* An emptied mark goes; one with something left stays. */
	assert_true(marks_unack(m, "md:md2"));
	assert_false(marks_unack(m, "md:md2"));
	assert_null(marks_find(m, "md:md2"));
	assert_int_equal(marks_ack(m, "md:md1", "root", NULL, 3000), 0);
	assert_true(marks_back(m, "md:md1"));
	assert_non_null(marks_find(m, "md:md1"));
	assert_int_equal(marks_find(m, "md:md1")->gone_time, 0);
	assert_true(marks_remove(m, "md:md1"));
	assert_null(marks_find(m, "md:md1"));
	assert_true(marks_end_maintenance(m, "md:md0"));
	assert_null(marks_at(m, 0));
	assert_int_equal(marks_next_end(m), 0);
	marks_free(m);
}

static void test_marks_json_round_trip_and_damage(void **state)
{
	struct marks *m = marks_new(), *back = marks_new();
	struct group g = { .id = "bond:bond0", .type = "802.3ad", .health = HEALTH_CRITICAL };
	json_t *j, *bad;
	unsigned n_bad = 0;

	(void)state;
	assert_int_equal(marks_ack(m, "md:md2", "root", "ticket 42", 1796590711852), 0);
	assert_int_equal(marks_maintain(m, "md:md2", "alice", "swap", 1796590999000), 0);
	assert_int_equal(marks_gone(m, &g, 1796590000000), 0);
	j = marks_to_json(m);
	assert_int_equal(marks_from_json(back, j, &n_bad), 0);
	assert_int_equal(n_bad, 0);
	assert_int_equal(marks_find(back, "md:md2")->ack.time, 1796590711852);
	assert_string_equal(marks_find(back, "md:md2")->maint.by, "alice");
	assert_int_equal(marks_find(back, "md:md2")->maint.time, 1796590999000);
	assert_int_equal(marks_find(back, "bond:bond0")->gone_health, HEALTH_CRITICAL);
	assert_string_equal(marks_find(back, "bond:bond0")->gone_type, "802.3ad");
	/* Hostile entries: each left out and counted, the good one kept. */
	bad = json_loads("[{\"id\": \"a\"},"
			 " {\"id\": 5, \"acknowledged\": {\"by\": \"x\", \"time_ms\": 1}},"
			 " {\"id\": \"b\", \"acknowledged\": {\"time_ms\": 1}},"
			 " {\"id\": \"c\", \"maintenance\": {\"by\": \"x\", \"until_ms\": -4}},"
			 " {\"id\": \"d\", \"vanished\": {\"health\": \"sad\", \"time_ms\": 1}},"
			 " 17,"
			 " {\"id\": \"e\", \"acknowledged\": {\"by\": \"x\", \"time_ms\": 9}}]",
			 0, NULL);
	assert_non_null(bad);
	assert_int_equal(marks_from_json(back, bad, &n_bad), 0);
	assert_int_equal(n_bad, 6);
	assert_non_null(marks_find(back, "e"));
	assert_null(marks_at(back, 1));
	n_bad = 0;
	assert_int_equal(marks_from_json(back, json_object_get(bad, "nope"), &n_bad), 0);
	assert_int_equal(n_bad, 0); /* absent: nothing, nothing damaged */
	assert_null(marks_at(back, 0));
	json_decref(bad);
	json_decref(j);
	marks_free(m);
	marks_free(back);
}

/* --- the daemon's side ------------------------------------------------------ */

#define MAX_SEEN 16
static struct {
	enum event_type type;
	char group[32], by[32], ack_by[32];
	int64_t maint_until;
} seen[MAX_SEEN];
static size_t n_seen;

static void record(void *ctx, const struct event *ev)
{
	(void)ctx;
	assert_true(n_seen < MAX_SEEN);
	memset(&seen[n_seen], 0, sizeof(seen[0]));
	seen[n_seen].type = ev->type;
	snprintf(seen[n_seen].group, sizeof(seen[0].group), "%s", ev->group ? ev->group->id : "");
	snprintf(seen[n_seen].by, sizeof(seen[0].by), "%s", ev->by ? ev->by : "");
	snprintf(seen[n_seen].ack_by, sizeof(seen[0].ack_by), "%s", ev->ack_by ? ev->ack_by : "");
	seen[n_seen].maint_until = ev->maint_until;
	n_seen++;
}

static void changed(void *ctx)
{
	(*(int *)ctx)++;
}

/* md0 (raid1) with sdb1 failed or not. */
static void scan(struct agg *a, bool failed, struct event_list *l)
{
	struct redmon_member m[] = { { .name = "sda1", .role = REDMON_ROLE_ACTIVE },
				     { .name = "sdb1",
				       .role = failed ? REDMON_ROLE_FAILED : REDMON_ROLE_ACTIVE } };
	struct redmon_group g = { .name = "md0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = failed ? 1 : 2,
				  .margin = failed ? 0 : 1,
				  .margin_nominal = 1,
				  .members = m,
				  .n_members = 2 };
	struct snapshot s = { 0 };

	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	snapshot_sort(&s);
	assert_int_equal(agg_update(a, "md", &s, l), 0);
	snapshot_free(&s);
}

/* The daemon in small: md0 failed, seen, its events out on a recording bus. */
static void daemon_start(struct agg **a, struct bus **b, struct control_env *e,
			 struct event_list *l, int *n_changed)
{
	n_seen = 0;
	assert_int_equal(agg_new(a, 10), 0);
	assert_int_equal(bus_new(b), 0);
	assert_int_equal(bus_subscribe(*b, record, NULL), 0);
	*e = (struct control_env){
		.agg = *a, .bus = *b, .host = "h", .root = "/", .changed = changed, .ctx = n_changed
	};
	scan(*a, true, l);
	control_annotate(*a, l, 1000);
	event_list_clear(l);
}

/* A request from uid; the exit code, the text in out. */
static int ask(struct control_env *e, const char *req, uid_t uid, char *out, size_t len,
	       const char **refused)
{
	json_t *j = json_loads(req, 0, NULL);
	struct ctl_peer peer = { .uid = uid, .pid = 1 };
	FILE *f = fmemopen(out, len, "w");
	int code;

	assert_non_null(j);
	assert_non_null(f);
	*refused = NULL;
	code = control_handle(e, j, &peer, f, refused);
	fclose(f);
	json_decref(j);
	return code;
}

static void test_ack_until_change_and_hostile_requests(void **state)
{
	struct agg *a;
	struct bus *b;
	struct event_list l = { 0 };
	int n_changed = 0;
	struct control_env e;
	const char *refused;
	char out[8192];

	(void)state;
	daemon_start(&a, &b, &e, &l, &n_changed);

	/* Not root (nor the test's own uid): refused, nothing changes. */
	assert_int_equal(ask(&e, "{\"command\": \"ack\", \"group\": \"md:md0\"}", 4242, out,
			     sizeof(out), &refused),
			 1);
	assert_non_null(strstr(out, "needs root"));
	assert_null(agg_marks(a) ? marks_find(agg_marks(a), "md:md0") : NULL);
	/* Hostile shapes: clear refusals. */
	assert_int_equal(ask(&e, "{\"group\": \"md:md0\"}", 0, out, sizeof(out), &refused), 2);
	assert_int_equal(
		ask(&e, "{\"command\": \"ack\", \"group\": [1]}", 0, out, sizeof(out), &refused),
		1);
	assert_int_equal(ask(&e, "{\"command\": \"ack\", \"group\": \"md:none\"}", 0, out,
			     sizeof(out), &refused),
			 1);
	assert_int_equal(ask(&e,
			     "{\"command\": \"maintenance\", \"group\": \"md:md0\", "
			     "\"duration_ms\": 99999999999999}",
			     0, out, sizeof(out), &refused),
			 2);
	assert_int_equal(ask(&e, "{\"command\": \"status\", \"root\": \"/elsewhere\"}", 0, out,
			     sizeof(out), &refused),
			 2);
	assert_non_null(refused);
	assert_int_equal(n_seen, 0);
	assert_int_equal(n_changed, 0);

	/* The ack: an event by root, the comment cleaned to one line. */
	assert_int_equal(ask(&e,
			     "{\"command\": \"ack\", \"group\": \"md:md0\", \"comment\": "
			     "\"a\\nb\\u001b[31m\"}",
			     0, out, sizeof(out), &refused),
			 0);
	assert_int_equal(n_seen, 1);
	assert_int_equal(seen[0].type, EV_ACKNOWLEDGED);
	assert_string_equal(seen[0].by, "root");
	assert_string_equal(marks_find(agg_marks(a), "md:md0")->ack.comment, "a b [31m");
	assert_int_equal(n_changed, 1);
	/* status shows it */
	assert_int_equal(ask(&e, "{\"command\": \"status\"}", 0, out, sizeof(out), &refused), 0);
	assert_non_null(strstr(out, "acknowledged by root"));

	/* A recovery is a change: the acknowledgement ends, its event carries none. */
	scan(a, false, &l);
	assert_true(control_annotate(a, &l, 2000));
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].ack_time, 0);
	event_list_clear(&l);
	assert_null(marks_find(agg_marks(a), "md:md0"));
	/* An ok group has nothing to acknowledge. */
	assert_int_equal(ask(&e, "{\"command\": \"ack\", \"group\": \"md:md0\"}", 0, out,
			     sizeof(out), &refused),
			 1);
	assert_non_null(strstr(out, "nothing to acknowledge"));

	event_list_free(&l);
	bus_free(b);
	agg_free(a);
}

static void test_gone_forget_and_maintenance_end(void **state)
{
	struct agg *a;
	struct bus *b;
	struct event_list l = { 0 };
	struct snapshot empty = { 0 };
	int n_changed = 0;
	struct control_env e;
	const char *refused;
	char out[8192];

	(void)state;
	daemon_start(&a, &b, &e, &l, &n_changed);

	/* A maintenance window: events carry it; its end is published, in time only. */
	assert_int_equal(ask(&e,
			     "{\"command\": \"maintenance\", \"group\": \"md:md0\", "
			     "\"duration_ms\": 60000}",
			     0, out, sizeof(out), &refused),
			 0);
	assert_int_equal(seen[0].type, EV_MAINTENANCE_STARTED);
	assert_true(seen[0].maint_until > 0);
	control_end_maintenance(&e, marks_next_end(agg_marks(a)) - 1);
	assert_int_equal(n_seen, 1);
	control_end_maintenance(&e, marks_next_end(agg_marks(a)));
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[1].type, EV_MAINTENANCE_ENDED);
	assert_int_equal(seen[1].maint_until, 0);
	assert_null(marks_find(agg_marks(a), "md:md0"));

	/* Present: nothing to forget.  Gone while critical: remembered, then forgotten. */
	assert_int_equal(ask(&e, "{\"command\": \"forget\", \"group\": \"md:md0\"}", 0, out,
			     sizeof(out), &refused),
			 1);
	assert_int_equal(agg_update(a, "md", &empty, &l), 0);
	assert_true(control_annotate(a, &l, 3000));
	event_list_clear(&l);
	assert_int_equal(marks_find(agg_marks(a), "md:md0")->gone_health, HEALTH_CRITICAL);
	assert_int_equal(ask(&e, "{\"command\": \"status\", \"format\": \"json\"}", 0, out,
			     sizeof(out), &refused),
			 0);
	assert_non_null(strstr(out, "\"vanished\": [\n    {"));
	assert_int_equal(ask(&e, "{\"command\": \"forget\", \"group\": \"md:md0\"}", 0, out,
			     sizeof(out), &refused),
			 0);
	assert_int_equal(seen[n_seen - 1].type, EV_GROUP_FORGOTTEN);
	assert_string_equal(seen[n_seen - 1].group, "md:md0");
	assert_null(marks_find(agg_marks(a), "md:md0"));
	assert_int_equal(ask(&e, "{\"command\": \"forget\", \"group\": \"md:md0\"}", 0, out,
			     sizeof(out), &refused),
			 1);

	snapshot_free(&empty);
	event_list_free(&l);
	bus_free(b);
	agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_table),
		cmocka_unit_test(test_marks_json_round_trip_and_damage),
		cmocka_unit_test(test_ack_until_change_and_hostile_requests),
		cmocka_unit_test(test_gone_forget_and_maintenance_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
