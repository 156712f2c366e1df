/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/fd_shares.c: the split of kept-open descriptors among probes by what
 * each wants, never promising what another holds.
 */
#include "cmocka_all.h"

#include <stdint.h>

#include "../../src/fd_shares.h"

/* Three probes, identified by these addresses. */
static const char md, bond, hwmon;

static int fresh(void **state)
{
	(void)state;
	fd_shares_reset(900);
	return 0;
}

/* The core keeps a quarter of a small limit, at most FD_SHARES_CORE_MAX of a large one. */
static void test_total(void **state)
{
	(void)state;
	assert_int_equal(fd_shares_total_for(1024), 768);
	assert_int_equal(fd_shares_total_for(20000), 20000 - FD_SHARES_CORE_MAX);
	assert_int_equal(fd_shares_total_for(0), 0);
}

/* Registered in init: a fair part each, held by none, so the first scans split evenly. */
static void test_registering(void **state)
{
	(void)state;
	assert_int_equal(fd_shares_ask(&md, SIZE_MAX, true), 900);
	assert_int_equal(fd_shares_ask(&bond, SIZE_MAX, true), 450);
	assert_int_equal(fd_shares_ask(&hwmon, SIZE_MAX, true), 300);
	/* md's first scan: a third, though it registered alone */
	assert_int_equal(fd_shares_ask(&md, SIZE_MAX, false), 300);
	assert_int_equal(fd_shares_ask(&bond, SIZE_MAX, false), 300);
	assert_int_equal(fd_shares_ask(&hwmon, SIZE_MAX, false), 300);
}

/* Wants below a fair part are met; the rest is split equally among the others. */
static void test_water_filling(void **state)
{
	(void)state;
	fd_shares_ask(&md, SIZE_MAX, true);
	fd_shares_ask(&bond, SIZE_MAX, true);
	fd_shares_ask(&hwmon, SIZE_MAX, true);
	assert_int_equal(fd_shares_ask(&hwmon, 100, false), 100);
	assert_int_equal(fd_shares_ask(&bond, 1000, false), 400); /* (900 - 100) / 2 */
	assert_int_equal(fd_shares_ask(&md, 5000, false), 400);
	/* bond needs less now: md gets what bond gave back */
	assert_int_equal(fd_shares_ask(&bond, 250, false), 250);
	assert_int_equal(fd_shares_ask(&md, 5000, false), 550);
	/* everybody fits: each gets its want */
	assert_int_equal(fd_shares_ask(&md, 10, false), 10);
	assert_int_equal(fd_shares_ask(&bond, 10, false), 10);
	assert_int_equal(fd_shares_ask(&hwmon, 0, false), 0);
}

/* What another probe holds is not promised again until it asks and gives it back. */
static void test_never_promised_twice(void **state)
{
	(void)state;
	assert_int_equal(fd_shares_ask(&md, SIZE_MAX, false), 900); /* alone: all of it */
	/* bond comes: its fair part is 450, but md holds 900 until its next scan */
	assert_int_equal(fd_shares_ask(&bond, SIZE_MAX, false), 0);
	assert_int_equal(fd_shares_ask(&md, 800, false), 450);
	assert_int_equal(fd_shares_ask(&bond, SIZE_MAX, false), 450);
	/* the sum held never passes the total */
	assert_int_equal(fd_shares_ask(&hwmon, SIZE_MAX, false), 0);
	assert_int_equal(fd_shares_ask(&md, 800, false), 300);
	assert_int_equal(fd_shares_ask(&bond, 800, false), 300);
	assert_int_equal(fd_shares_ask(&hwmon, SIZE_MAX, false), 300);
}

/* A probe that leaves (reload, stop) gives back what it held. */
static void test_leave(void **state)
{
	(void)state;
	assert_int_equal(fd_shares_ask(&md, SIZE_MAX, false), 900);
	fd_shares_leave(&md);
	assert_int_equal(fd_shares_ask(&bond, SIZE_MAX, false), 900);
	fd_shares_leave(&md); /* twice, or never registered: nothing */
	fd_shares_leave(&hwmon);
	assert_int_equal(fd_shares_ask(&bond, 20, false), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_total, fresh),
		cmocka_unit_test_setup(test_registering, fresh),
		cmocka_unit_test_setup(test_water_filling, fresh),
		cmocka_unit_test_setup(test_never_promised_twice, fresh),
		cmocka_unit_test_setup(test_leave, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
