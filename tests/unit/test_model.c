/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The health rule and snapshot handling of src/model.c. */
#include "cmocka_all.h"

#include <errno.h>
#include <string.h>

#include "../../src/model.h"

static void test_health_rule(void **state)
{
	(void)state;
	assert_int_equal(health_derive(REDMON_MARGIN_UNKNOWN, 1), HEALTH_UNKNOWN);
	assert_int_equal(health_derive(-1, 1), HEALTH_FAILED);
	assert_int_equal(health_derive(-1, 0), HEALTH_FAILED);
	assert_int_equal(health_derive(0, 0), HEALTH_NONREDUNDANT);
	assert_int_equal(health_derive(2, 2), HEALTH_OK);
	assert_int_equal(health_derive(3, 2), HEALTH_OK);
	assert_int_equal(health_derive(1, 2), HEALTH_DEGRADED);
	assert_int_equal(health_derive(0, 2), HEALTH_CRITICAL);
	assert_int_equal(health_derive(0, 1), HEALTH_CRITICAL);
}

static void test_worst_order(void **state)
{
	(void)state;
	assert_true(health_worse(HEALTH_FAILED, HEALTH_CRITICAL));
	assert_true(health_worse(HEALTH_CRITICAL, HEALTH_UNKNOWN));
	assert_true(health_worse(HEALTH_UNKNOWN, HEALTH_DEGRADED));
	assert_true(health_worse(HEALTH_DEGRADED, HEALTH_NONREDUNDANT));
	assert_true(health_worse(HEALTH_NONREDUNDANT, HEALTH_OK));
	assert_false(health_worse(HEALTH_OK, HEALTH_OK));
}

static void test_snapshot_add_copies_and_derives(void **state)
{
	struct snapshot s = { 0 };
	char name[] = "md0";
	struct redmon_member m[] = {
		{ .name = "sda1", .role = REDMON_ROLE_ACTIVE, .state = "in_sync" },
		{ .name = "sdb1", .role = REDMON_ROLE_FAILED, .state = "faulty" },
	};
	struct redmon_group g = {
		.name = name,
		.kind = "raid",
		.type = "raid1",
		.members_total = 2,
		.members_ok = 1,
		.members_failed = 1,
		.margin = 0,
		.margin_nominal = 1,
		.progress = -1,
		.members = m,
		.n_members = 2,
	};
	const struct group *got;

	(void)state;
	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	name[2] = '9'; /* the core must have copied */
	got = snapshot_find(&s, "md:md0");
	assert_non_null(got);
	assert_string_equal(got->probe, "md");
	assert_int_equal(got->health, HEALTH_CRITICAL);
	assert_int_equal(got->n_members, 2);
	assert_string_equal(got->members[1].state, "faulty");
	assert_null(got->members[0].device);
	snapshot_free(&s);
}

static void test_snapshot_rejects_bad_reports(void **state)
{
	struct snapshot s = { 0 };
	struct redmon_member bad_member = { .name = NULL };
	struct redmon_group g = { .name = "", .progress = -1 };

	(void)state;
	assert_int_equal(snapshot_add(&s, "md", &g), -EINVAL);
	g.name = "md0";
	g.activity = REDMON_ACTIVITY_COUNT_;
	assert_int_equal(snapshot_add(&s, "md", &g), -EINVAL);
	g.activity = REDMON_ACTIVITY_NONE;
	g.members = &bad_member;
	g.n_members = 1;
	assert_int_equal(snapshot_add(&s, "md", &g), -EINVAL);
	g.members = NULL;
	assert_int_equal(snapshot_add(&s, "md", &g), -EINVAL);
	assert_int_equal(s.n, 0);
	snapshot_free(&s);
}

static void test_sort_drops_duplicates(void **state)
{
	struct snapshot s = { 0 };
	const char *names[] = { "md2", "md0", "md2", "md1" };

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct redmon_group g = { .name = names[i], .progress = 250 };

		assert_int_equal(snapshot_add(&s, "md", &g), 0);
	}
	assert_int_equal(snapshot_sort(&s), 1);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.groups[0].id, "md:md0");
	assert_string_equal(s.groups[2].id, "md:md2");
	assert_null(snapshot_find(&s, "md:md3"));
	assert_non_null(snapshot_find(&s, "md:md1"));
	/* out-of-range progress is not believed */
	assert_true(s.groups[0].progress < 0);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_rule),
		cmocka_unit_test(test_worst_order),
		cmocka_unit_test(test_snapshot_add_copies_and_derives),
		cmocka_unit_test(test_snapshot_rejects_bad_reports),
		cmocka_unit_test(test_sort_drops_duplicates),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
