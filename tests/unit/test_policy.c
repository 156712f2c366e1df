/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reminder and heartbeat policies (src/policy.c), on a fake clock. */
#include "cmocka_all.h"

#include <errno.h>

#include "../../src/policy.h"

#define DAY POLICY_DAY_MS

static void test_parse_remind(void **state)
{
	struct remind r;

	(void)state;
	assert_int_equal(policy_parse_remind("once", &r), 0);
	assert_int_equal(r.kind, REMIND_ONCE);
	assert_int_equal(policy_parse_remind("daily", &r), 0);
	assert_int_equal(r.kind, REMIND_EVERY);
	assert_int_equal(r.interval_ms, DAY);
	assert_int_equal(policy_parse_remind("diminishing", &r), 0);
	assert_int_equal(r.kind, REMIND_DIMINISHING);
	assert_int_equal(r.interval_ms, DAY);
	assert_int_equal(policy_parse_remind("diminishing/2s", &r), 0);
	assert_int_equal(r.interval_ms, 2000);
	assert_int_equal(policy_parse_remind("6h", &r), 0);
	assert_int_equal(r.kind, REMIND_EVERY);
	assert_int_equal(r.interval_ms, 6 * 3600 * 1000);
	/* Below a second, zero, words we do not know, or junk: refused. */
	assert_int_equal(policy_parse_remind("500ms", &r), -EINVAL);
	assert_int_equal(policy_parse_remind("0", &r), -EINVAL);
	assert_int_equal(policy_parse_remind("weekly", &r), -EINVAL);
	assert_int_equal(policy_parse_remind("diminishing/", &r), -EINVAL);
	assert_int_equal(policy_parse_remind("-1h", &r), -EINVAL);
	assert_int_equal(policy_parse_remind("", &r), -EINVAL);
}

static void test_parse_heartbeat(void **state)
{
	uint64_t ms = 7;

	(void)state;
	assert_int_equal(policy_parse_heartbeat("off", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(policy_parse_heartbeat("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(policy_parse_heartbeat("999ms", &ms), -EINVAL);
	assert_int_equal(policy_parse_heartbeat("on", &ms), -EINVAL);
}

static void test_offsets(void **state)
{
	struct remind daily = { REMIND_EVERY, DAY }, dim = { REMIND_DIMINISHING, DAY };
	struct remind once = { REMIND_ONCE, 0 };

	(void)state;
	assert_true(policy_remind_offset(&daily, 1) == DAY);
	assert_true(policy_remind_offset(&daily, 3) == 3 * DAY);
	/* smartd's diminishing: gaps of 1, 2, 4, 8 days. */
	assert_true(policy_remind_offset(&dim, 1) == 1 * DAY);
	assert_true(policy_remind_offset(&dim, 2) == 3 * DAY);
	assert_true(policy_remind_offset(&dim, 3) == 7 * DAY);
	assert_true(policy_remind_offset(&dim, 4) == 15 * DAY);
	assert_true(policy_remind_offset(&once, 1) == INT64_MAX);
	assert_true(policy_remind_offset(&dim, 63) == INT64_MAX); /* no overflow */
}

static void test_next_on_fake_clock(void **state)
{
	struct remind daily = { REMIND_EVERY, DAY }, dim = { REMIND_DIMINISHING, DAY };
	struct remind once = { REMIND_ONCE, 0 };
	int64_t since = 1000000, due;
	unsigned n;

	(void)state;
	/* Announced now: the first reminder a day later. */
	assert_true(policy_next_reminder(&daily, since, since, &n, &due));
	assert_int_equal(n, 1);
	assert_true(due == since + DAY);
	/* Just after the first went out: the second. */
	assert_true(policy_next_reminder(&daily, since, since + DAY, &n, &due));
	assert_int_equal(n, 2);
	assert_true(due == since + 2 * DAY);
	/* A restart 100.5 days in: number 101, on the original schedule. */
	assert_true(policy_next_reminder(&daily, since, since + 100 * DAY + DAY / 2, &n, &due));
	assert_int_equal(n, 101);
	assert_true(due == since + 101 * DAY);
	/* Diminishing after the first: the second comes two days later. */
	assert_true(policy_next_reminder(&dim, since, since + DAY, &n, &due));
	assert_int_equal(n, 2);
	assert_true(due == since + 3 * DAY);
	assert_true(policy_next_reminder(&dim, since, since + 3 * DAY, &n, &due));
	assert_int_equal(n, 3);
	assert_true(due == since + 7 * DAY);
	/* Announced after the last tick (a new failure): its first reminder. */
	assert_true(policy_next_reminder(&dim, since, since - 5000, &n, &due));
	assert_int_equal(n, 1);
	assert_false(policy_next_reminder(&once, since, since, &n, &due));
}

static void test_reminded_healths(void **state)
{
	(void)state;
	assert_false(policy_health_reminded(HEALTH_OK));
	assert_false(policy_health_reminded(HEALTH_NONREDUNDANT));
	assert_true(policy_health_reminded(HEALTH_DEGRADED));
	assert_true(policy_health_reminded(HEALTH_CRITICAL));
	assert_true(policy_health_reminded(HEALTH_FAILED));
	assert_true(policy_health_reminded(HEALTH_UNKNOWN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_remind),	 cmocka_unit_test(test_parse_heartbeat),
		cmocka_unit_test(test_offsets),		 cmocka_unit_test(test_next_on_fake_clock),
		cmocka_unit_test(test_reminded_healths),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
