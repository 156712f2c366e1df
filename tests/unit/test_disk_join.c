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
		{ .name = "251:1",
		  .role = REDMON_ROLE_FAILED,
		  .device = "/dev/bus/0 megaraid,1" },
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_disk),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests_name("disk_join", tests, NULL, NULL);
}
