// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Members joined to disks (src/disk_join.c): partitions to their whole disk
 * by the kernel's naming, controller device strings as they are, a member's
 * own risk first, and at_risk counting active members only.
 */
#include "cmocka_all.h"

#include <string.h>

#include "../../src/agg.h"
#include "../../src/disk_join.h"

static void expect_whole(const char *dev, const char *want)
{
	char buf[64];

	disk_whole(dev, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("%s: whole disk %s, want %s", dev, buf, want);
}

static void test_whole_disk(void **state)
{
	(void)state;
	expect_whole("/dev/sdb1", "/dev/sdb");
	expect_whole("/dev/sdab12", "/dev/sdab");
	expect_whole("/dev/sdb", "/dev/sdb");
	expect_whole("/dev/vda3", "/dev/vda");
	expect_whole("/dev/nvme0n1p2", "/dev/nvme0n1");
	expect_whole("/dev/nvme0n1", "/dev/nvme0n1");
	expect_whole("/dev/mmcblk0p1", "/dev/mmcblk0");
	expect_whole("/dev/mmcblk0", "/dev/mmcblk0");
	expect_whole("/dev/bus/0 megaraid,1", "/dev/bus/0 megaraid,1");
	expect_whole("sdb1", "sdb1");
	expect_whole("/dev/1", "/dev/1");
	expect_whole("", "");
}

static struct snapshot disks_snapshot(void)
{
	struct snapshot s = { 0 };
	const struct redmon_disk a = { .device = "/dev/sda",
				       .health = REDMON_RISK_WARNING,
				       .reason = "304 reallocated sectors" };
	const struct redmon_disk b = { .device = "/dev/bus/0 megaraid,1",
				       .health = REDMON_RISK_FAILING,
				       .reason = "SMART overall-health self-assessment failed" };

	assert_int_equal(snapshot_add_disk(&s, &a, sizeof(a)), 0);
	assert_int_equal(snapshot_add_disk(&s, &b, sizeof(b)), 0);
	snapshot_sort(&s);
	return s;
}

static void test_join(void **state)
{
	struct agg *a;
	struct snapshot disks = disks_snapshot(), groups = { 0 };
	const struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE, .device = "/dev/sda1" },
		{ .name = "sdb1", .role = REDMON_ROLE_ACTIVE, .device = "/dev/sdb1" },
		{ .name = "251:1", .role = REDMON_ROLE_FAILED, .device = "/dev/bus/0 megaraid,1" },
		{ .name = "nodev", .role = REDMON_ROLE_ACTIVE },
		{ .name = "own",
		  .role = REDMON_ROLE_ACTIVE,
		  .device = "/dev/sda2",
		  .risk = REDMON_RISK_FAILING },
	};
	const struct redmon_group g = { .name = "md0",
					.margin = 0,
					.margin_nominal = 1,
					.progress = -1,
					.members = m,
					.n_members = 5 };
	const struct group *gg;

	(void)state;
	assert_int_equal(agg_new(&a, 0), 0);
	assert_int_equal(agg_update(a, "smart", &disks, NULL), 0);
	assert_int_equal(snapshot_add(&groups, "md", &g), 0);
	snapshot_sort(&groups);
	assert_int_equal(agg_update(a, "md", &groups, NULL), 0);
	gg = &agg_probe_find(a, "md")->groups.groups[0];
	assert_int_equal(disk_member_risk(a, &gg->members[0]), REDMON_RISK_WARNING);
	assert_int_equal(disk_member_risk(a, &gg->members[1]), REDMON_RISK_NONE);
	assert_int_equal(disk_member_risk(a, &gg->members[2]), REDMON_RISK_FAILING);
	assert_int_equal(disk_member_risk(a, &gg->members[3]), REDMON_RISK_NONE);
	assert_int_equal(disk_member_risk(a, &gg->members[4]), REDMON_RISK_FAILING);
	assert_string_equal(disk_of_member(a, &gg->members[0])->device, "/dev/sda");
	/* sda1 and own: active and at risk; 251:1 is failing but no longer active */
	assert_int_equal(disk_group_at_risk(a, gg), 2);
	snapshot_free(&disks);
	snapshot_free(&groups);
	agg_free(a);
}

static struct snapshot one_disk(enum redmon_risk h, const char *reason)
{
	struct snapshot s = { 0 };
	const struct redmon_disk d = { .device = "/dev/sda", .health = h, .reason = reason };

	assert_int_equal(snapshot_add_disk(&s, &d, sizeof(d)), 0);
	snapshot_sort(&s);
	return s;
}

/* md0, a raid1 on sda1 and sdb1: critical with sdb1 failed, else ok. */
static struct snapshot mirror(bool sdb1_failed)
{
	struct snapshot s = { 0 };
	const struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE, .device = "/dev/sda1" },
		{ .name = "sdb1",
		  .role = sdb1_failed ? REDMON_ROLE_FAILED : REDMON_ROLE_ACTIVE,
		  .device = "/dev/sdb1" },
	};
	const struct redmon_group g = { .name = "md0",
					.type = "raid1",
					.margin = sdb1_failed ? 0 : 1,
					.margin_nominal = 1,
					.progress = -1,
					.members = m,
					.n_members = 2 };

	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	snapshot_sort(&s);
	return s;
}

static size_t count(const struct event_list *l, enum event_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].type == t;
	return n;
}

static const struct event *find_event(const struct event_list *l, enum event_type t)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].type == t)
			return &l->v[i];
	}
	fail_msg("no %s event", event_type_name(t));
	return NULL;
}

/* Update a probe and give back its events' list, the old snapshot kept by it. */
static void update(struct agg *a, const char *probe, struct snapshot s, struct event_list *l)
{
	event_list_clear(l);
	assert_int_equal(agg_update(a, probe, &s, l), 0);
	assert_int_equal(event_list_keep(l, &s), 0);
}

static void test_events(void **state)
{
	struct agg *a;
	struct event_list l = { 0 };
	const struct event *ev;
	struct event *dup;
	char msg[512];
	json_t *j;

	(void)state;
	assert_int_equal(agg_new(&a, 0), 0);
	/* a disk first seen unknown (smartctl cannot read it) says nothing */
	update(a, "smart", one_disk(REDMON_RISK_UNKNOWN, "smartctl could not read it"), &l);
	assert_int_equal(l.n, 0);
	/* one first seen at warning is announced; the mirror is healthy so far */
	agg_free(a);
	assert_int_equal(agg_new(&a, 0), 0);
	update(a, "smart", one_disk(REDMON_RISK_WARNING, "304 reallocated sectors"), &l);
	ev = find_event(&l, EV_DISK_HEALTH_CHANGED);
	assert_int_equal(event_severity(ev), SEV_WARNING);
	event_message(ev, msg, sizeof(msg));
	assert_string_equal(msg,
			    "disk /dev/sda is warning: 304 reallocated sectors (was not seen)");
	j = event_to_json(ev, "h");
	assert_true(json_is_null(json_object_get(json_object_get(j, "previous"), "disk_health")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "disk"), "health")),
		"warning");
	json_decref(j);

	/* the mirror critical on the disk at risk: the warning before the second failure */
	update(a, "md", mirror(true), &l);
	ev = find_event(&l, EV_SECOND_FAILURE_RISK);
	assert_int_equal(event_severity(ev), SEV_CRITICAL);
	assert_false(ev->resolved);
	event_message(ev, msg, sizeof(msg));
	if (!strstr(msg, "md:md0 (raid1) is critical and still depends on sda1, whose disk "
			 "/dev/sda is warning: 304 reallocated sectors"))
		fail_msg("message: %s", msg);
	dup = event_dup(ev);
	assert_non_null(dup);
	j = event_to_json(dup, "h");
	assert_string_equal(json_string_value(json_object_get(j, "event")), "second_failure_risk");
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(j, "at_risk_member")), "sda1");
	assert_true(json_is_false(json_object_get(j, "resolved")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "disk"), "device")),
		"/dev/sda");
	json_decref(j);
	event_dup_free(dup);

	/* the same again: nothing new */
	update(a, "md", mirror(true), &l);
	assert_int_equal(count(&l, EV_SECOND_FAILURE_RISK), 0);
	update(a, "smart", one_disk(REDMON_RISK_WARNING, "304 reallocated sectors"), &l);
	assert_int_equal(l.n, 0);

	/* the disk ok again: its change, and the risk resolved (info) */
	update(a, "smart", one_disk(REDMON_RISK_OK, NULL), &l);
	assert_int_equal(count(&l, EV_DISK_HEALTH_CHANGED), 1);
	ev = find_event(&l, EV_SECOND_FAILURE_RISK);
	assert_true(ev->resolved);
	assert_int_equal(event_severity(ev), SEV_INFO);

	/* failing: critical disk event, and the risk raised again */
	update(a, "smart",
	       one_disk(REDMON_RISK_FAILING, "SMART overall-health self-assessment failed"), &l);
	assert_int_equal(event_severity(find_event(&l, EV_DISK_HEALTH_CHANGED)), SEV_CRITICAL);
	assert_false(find_event(&l, EV_SECOND_FAILURE_RISK)->resolved);
	/* the md probe fails: the group unknown, the risk resolved */
	event_list_clear(&l);
	assert_int_equal(agg_probe_failed(a, "md", "gone", &l), 0);
	assert_true(find_event(&l, EV_SECOND_FAILURE_RISK)->resolved);
	event_list_free(&l);
	agg_free(a);
}

/*
 * A scan that changed nothing (an empty delta) leaves the risk as it was,
 * and is not looked at again; a delta that changes the group is.
 */
static void test_risk_after_deltas(void **state)
{
	struct agg *a;
	struct event_list l = { 0 };
	struct snapshot quiet = { .delta = true }, s;

	(void)state;
	assert_int_equal(agg_new(&a, 0), 0);
	update(a, "smart", one_disk(REDMON_RISK_WARNING, "304 reallocated sectors"), &l);
	update(a, "md", mirror(true), &l);
	assert_false(find_event(&l, EV_SECOND_FAILURE_RISK)->resolved);

	event_list_clear(&l);
	assert_int_equal(agg_update(a, "md", &quiet, &l), 0);
	assert_int_equal(l.n, 0);

	/* sdb1 back in a delta: ok, so no longer at risk */
	s = mirror(false);
	s.delta = true;
	update(a, "md", s, &l);
	assert_true(find_event(&l, EV_SECOND_FAILURE_RISK)->resolved);
	event_list_clear(&l);
	assert_int_equal(agg_update(a, "md", &quiet, &l), 0);
	assert_int_equal(count(&l, EV_SECOND_FAILURE_RISK), 0);

	/* failed again, in a delta: the risk raised again */
	s = mirror(true);
	s.delta = true;
	update(a, "md", s, &l);
	assert_false(find_event(&l, EV_SECOND_FAILURE_RISK)->resolved);
	event_list_free(&l);
	snapshot_free(&quiet);
	agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_disk),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_risk_after_deltas),
	};

	return cmocka_run_group_tests_name("disk_join", tests, NULL, NULL);
}
