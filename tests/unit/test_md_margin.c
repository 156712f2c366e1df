/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the md rules (plugins/md/md_group.c): the margin of each
 * level, raid10 layouts, and the member roles and counts built from
 * hand-made array records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/md/md_group.h"

static struct md_margin rule(enum md_level level, int n, int ok)
{
	return md_margin_rule(level, n, ok, NULL, NULL);
}

/* "U_U_" -> slot states */
static const unsigned char *map(const char *s)
{
	static unsigned char buf[64];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf); i++)
		buf[i] = s[i] == 'U' ? MD_SLOT_IN_SYNC : MD_SLOT_EMPTY;
	return buf;
}

static void test_raid1(void **state)
{
	(void)state;
	assert_int_equal(rule(MD_LEVEL_RAID1, 2, 2).margin, 1);
	assert_int_equal(rule(MD_LEVEL_RAID1, 2, 2).nominal, 1);
	assert_int_equal(rule(MD_LEVEL_RAID1, 2, 1).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID1, 2, 0).margin, -1);
	assert_int_equal(rule(MD_LEVEL_RAID1, 3, 3).margin, 2);
	assert_int_equal(rule(MD_LEVEL_RAID1, 8, 5).margin, 4);
	assert_int_equal(rule(MD_LEVEL_RAID1, 8, 5).nominal, 7);
	/* one-disk "mirror": nonredundant by design */
	assert_int_equal(rule(MD_LEVEL_RAID1, 1, 1).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID1, 1, 1).nominal, 0);
	assert_int_equal(rule(MD_LEVEL_MULTIPATH, 4, 2).margin, 1);
	assert_int_equal(rule(MD_LEVEL_MULTIPATH, 4, 2).nominal, 3);
}

static void test_raid45(void **state)
{
	(void)state;
	assert_int_equal(rule(MD_LEVEL_RAID5, 4, 4).margin, 1);
	assert_int_equal(rule(MD_LEVEL_RAID5, 4, 4).nominal, 1);
	assert_int_equal(rule(MD_LEVEL_RAID5, 4, 3).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID5, 4, 2).margin, -1); /* [4/2]: service lost */
	assert_int_equal(rule(MD_LEVEL_RAID5, 4, 0).margin, -1);
	assert_int_equal(rule(MD_LEVEL_RAID4, 3, 3).margin, 1);
	assert_int_equal(rule(MD_LEVEL_RAID4, 3, 2).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID4, 3, 1).margin, -1);
	assert_int_equal(rule(MD_LEVEL_RAID5, 2, 2).margin, 1);
}

static void test_raid6(void **state)
{
	(void)state;
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 6).margin, 2);
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 6).nominal, 2);
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 5).margin, 1);
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 4).margin, 0); /* 2 missing: critical */
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 3).margin, -1);
	assert_int_equal(rule(MD_LEVEL_RAID6, 6, 1).margin, -1);
}

static void test_raid10(void **state)
{
	struct md_r10_geo near2 = { 2, 1 }, near3 = { 3, 1 }, far2 = { 1, 2 }, bad = { 5, 4 };

	(void)state;
	/* no layout: near-2 assumed, worst-case formula without a slot map */
	assert_int_equal(rule(MD_LEVEL_RAID10, 4, 4).margin, 1);
	assert_int_equal(rule(MD_LEVEL_RAID10, 4, 4).nominal, 1);
	assert_int_equal(rule(MD_LEVEL_RAID10, 4, 3).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID10, 4, 2).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID10, 4, 0).margin, -1);

	/* with the slot map, the kernel's windows: pairs {0,1} {2,3} */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 4, map("UUUU"), &near2).margin, 1);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 3, map("U_UU"), &near2).margin, 0);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 2, map("U_U_"), &near2).margin, 0);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 2, map("__UU"), &near2).margin, -1);
	/* near-2 on 5 disks: windows start at 0,2,4,1,3 and wrap */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 5, 3, map("U_U_U"), &near2).margin, 0);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 5, 3, map("UU__U"), &near2).margin, -1);

	/* near-3 on 6: two losses in different windows leave one more survivable */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 6, 6, map("UUUUUU"), &near3).nominal, 2);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 6, 4, map("_UU_UU"), &near3).margin, 1);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 6, 4, map("__UUUU"), &near3).margin, 0);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 6, 4, NULL, &near3).margin, 0);

	/* far-2 on 4: every adjacent pair is a window */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 4, map("UUUU"), &far2).margin, 1);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 2, map("U_U_"), &far2).margin, 0);
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 2, map("UU__"), &far2).margin, -1);
	/* the far copy of slot 3 lives on slot 0: windows start at every slot, not every 2nd */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 2, map("_UU_"), &far2).margin, -1);

	/* 20 copies on 4 disks does not exist */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 4, 4, NULL, &bad).margin,
			 REDMON_MARGIN_UNKNOWN);
	/* 2 disks near-2 is a mirror */
	assert_int_equal(md_margin_rule(MD_LEVEL_RAID10, 2, 1, map("U_"), NULL).margin, 0);
}

static void test_nonredundant(void **state)
{
	(void)state;
	assert_int_equal(rule(MD_LEVEL_RAID0, 2, 2).margin, 0);
	assert_int_equal(rule(MD_LEVEL_RAID0, 2, 2).nominal, 0);
	assert_int_equal(rule(MD_LEVEL_RAID0, 2, 1).margin, -1);
	assert_int_equal(rule(MD_LEVEL_LINEAR, 3, 3).margin, 0);
	assert_int_equal(rule(MD_LEVEL_LINEAR, 3, 2).margin, -1);
	assert_int_equal(rule(MD_LEVEL_FAULTY, 1, 1).margin, 0);
	assert_int_equal(rule(MD_LEVEL_OTHER, 2, 2).margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(rule(MD_LEVEL_NONE, 2, 2).margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(rule(MD_LEVEL_RAID1, 2, 3).margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(rule(MD_LEVEL_RAID1, -1, 0).margin, REDMON_MARGIN_UNKNOWN);
}

/* Records built by hand, as the sources would. */
struct fixture {
	struct md_array a;
	struct md_group_buf gb;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	md_array_clear(&f->a);
	snprintf(f->a.name, sizeof(f->a.name), "md0");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	md_array_free(&f->a);
	md_group_buf_free(&f->gb);
	free(f);
	return 0;
}

static void add(struct md_array *a, const char *name, int desc_nr, int slot, unsigned int flags,
		const char *state)
{
	struct md_dev *d;

	assert_int_equal(md_array_add_dev(a, &d), 0);
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (state)
		assert_int_equal(md_dev_set_state(a, d, strv_c(state)), 0);
	d->desc_nr = desc_nr;
	d->slot = slot;
	d->flags = flags;
}

static const struct redmon_group *build(struct fixture *f)
{
	const struct redmon_group *g = NULL;

	assert_int_equal(md_group_build(&f->a, &f->gb, &g), 0);
	assert_non_null(g);
	return g;
}

static enum redmon_role role_of(const struct redmon_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n_members; i++)
		if (strcmp(g->members[i].name, name) == 0)
			return g->members[i].role;
	fail_msg("no member %s", name);
	return REDMON_ROLE_COUNT_;
}

static void mdstat_array(struct md_array *a, enum md_level level, const char *slots)
{
	a->source = MD_SRC_MDSTAT;
	a->level = level;
	a->run = MD_RUN_ACTIVE;
	assert_int_equal(md_array_set_slots(a, slots, strlen(slots)), 0);
	a->raid_disks = (int)strlen(slots);
}

/* mdstat: the surplus unflagged devices, highest [k] first, rebuild into the lowest holes. */
static void test_roles_mdstat_recovery(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	mdstat_array(&f->a, MD_LEVEL_RAID6, "U__UUU");
	add(&f->a, "sda", 0, -1, 0, NULL);
	add(&f->a, "sdg", 7, -1, 0, NULL);
	add(&f->a, "sdd", 3, -1, 0, NULL);
	add(&f->a, "sde", 4, -1, 0, NULL);
	add(&f->a, "sdf", 5, -1, 0, NULL);
	add(&f->a, "sdh", 9, -1, MD_DEV_SPARE, NULL);
	add(&f->a, "sdb", 1, -1, MD_DEV_FAULTY, NULL);
	f->a.activity = REDMON_ACTIVITY_RECOVERY;
	f->a.progress = 12.5;
	g = build(f);
	assert_int_equal(g->members_total, 6);
	assert_int_equal(g->members_ok, 4);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(role_of(g, "sdg"), REDMON_ROLE_REBUILDING);
	assert_int_equal(role_of(g, "sda"), REDMON_ROLE_ACTIVE);
	assert_int_equal(role_of(g, "sdh"), REDMON_ROLE_SPARE);
	assert_int_equal(role_of(g, "sdb"), REDMON_ROLE_FAILED);
	/* sdg fills slot 1, slot 2 stays empty */
	assert_int_equal(role_of(g, "slot2"), REDMON_ROLE_MISSING);
	assert_int_equal(g->n_members, 8);
	assert_float_equal(g->progress, 12.5, 1e-9);
	assert_string_equal(
		g->reason,
		"2 of 6 slots missing (sdb failed, sdg rebuilding); recovery 12.5% done");
}

/* sysfs: spare in a slot rebuilds, spare outside is idle, faulty in a slot is no hole. */
static void test_roles_sysfs(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	f->a.source = MD_SRC_SYSFS;
	f->a.level = MD_LEVEL_RAID5;
	f->a.run = MD_RUN_ACTIVE;
	f->a.raid_disks = 4;
	f->a.devs_sysfs = true;
	f->a.dev_slots_known = true;
	add(&f->a, "sda", -1, 0, MD_DEV_IN_SYNC, "in_sync");
	add(&f->a, "sdb", -1, 1, MD_DEV_SPARE, "spare");
	add(&f->a, "sdc", -1, 2, MD_DEV_FAULTY, "faulty");
	add(&f->a, "sdd", -1, -1, MD_DEV_SPARE, "spare");
	add(&f->a, "sde", -1, -1, MD_DEV_JOURNAL | MD_DEV_IN_SYNC, "in_sync,journal");
	add(&f->a, "sdf", -1, 0, MD_DEV_REPLACEMENT | MD_DEV_SPARE, "replacement,spare");
	g = build(f);
	assert_int_equal(g->members_total, 4);
	assert_int_equal(g->members_ok, 1);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, -1);
	assert_int_equal(role_of(g, "sdb"), REDMON_ROLE_REBUILDING);
	assert_int_equal(role_of(g, "sdc"), REDMON_ROLE_FAILED);
	assert_int_equal(role_of(g, "sdd"), REDMON_ROLE_SPARE);
	assert_int_equal(role_of(g, "sde"), REDMON_ROLE_ACTIVE);
	assert_int_equal(role_of(g, "sdf"), REDMON_ROLE_REBUILDING);
	assert_int_equal(role_of(g, "slot3"), REDMON_ROLE_MISSING);
	assert_int_equal(g->n_members, 7);
	assert_string_equal(g->members[0].state, "in_sync");
	assert_string_equal(g->members[0].device, "/dev/sda");
	assert_null(g->members[6].device);
}

/* sysfs devices without any slot information: state words decide, [U_] still counts. */
static void test_roles_sysfs_no_slots(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	f->a.source = MD_SRC_SYSFS | MD_SRC_MDSTAT;
	f->a.level = MD_LEVEL_RAID1;
	f->a.run = MD_RUN_ACTIVE;
	f->a.raid_disks = 2;
	f->a.devs_sysfs = true;
	assert_int_equal(md_array_set_slots(&f->a, "_U", 2), 0);
	add(&f->a, "sda", -1, -1, MD_DEV_IN_SYNC, "in_sync");
	add(&f->a, "sdb", -1, -1, MD_DEV_SPARE, "spare");
	g = build(f);
	assert_int_equal(g->members_ok, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(role_of(g, "sda"), REDMON_ROLE_ACTIVE);
}

/* sysfs without dev-* at all: the degraded count is all there is. */
static void test_degraded_only(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	f->a.source = MD_SRC_SYSFS;
	f->a.level = MD_LEVEL_RAID6;
	f->a.run = MD_RUN_ACTIVE;
	f->a.raid_disks = 5;
	f->a.degraded = 1;
	g = build(f);
	assert_int_equal(g->members_ok, 4);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->n_members, 0);

	f->a.degraded = -1;
	g = build(f);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g->reason, "no member information");
}

static void test_inactive_container_error(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	f->a.level = MD_LEVEL_RAID6;
	f->a.run = MD_RUN_INACTIVE;
	f->a.raid_disks = 6;
	add(&f->a, "sda", 0, -1, 0, NULL);
	add(&f->a, "sdb", 1, -1, MD_DEV_FAULTY, NULL);
	g = build(f);
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->margin_nominal, 2);
	assert_int_equal(g->members_ok, 0);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_NONE);
	assert_string_equal(g->reason, "array inactive (not running)");

	f->a.container = true;
	assert_int_equal(md_group_build(&f->a, &f->gb, &g), 0);
	assert_null(g);

	f->a.container = false;
	md_array_set_error(&f->a, "sysfs %s unreadable: %s", "level", "Input/output error");
	md_array_set_error(&f->a, "second reason is dropped");
	g = build(f);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(g->margin_nominal, 2);
	assert_int_equal(g->members_ok, -1);
	assert_string_equal(g->reason, "sysfs level unreadable: Input/output error");
	assert_int_equal(role_of(g, "sdb"), REDMON_ROLE_FAILED);
	assert_int_equal(role_of(g, "sda"), REDMON_ROLE_UNKNOWN);

	md_array_clear(&f->a);
	snprintf(f->a.name, sizeof(f->a.name), "md0");
	f->a.level = MD_LEVEL_RAID1;
	f->a.raid_disks = 2;
	g = build(f); /* neither active nor inactive: unknown */
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
}

/* A running array with a level that keeps slots but no slot count. */
static void test_no_raid_disks(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	f->a.level = MD_LEVEL_RAID5;
	f->a.run = MD_RUN_ACTIVE;
	add(&f->a, "sda", 0, -1, 0, NULL);
	g = build(f);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->reason, "raid_disks"));
}

/* Many failed members: the reason names four and counts the rest. */
static void test_reason_many_names(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;
	char name[16];
	int i;

	mdstat_array(&f->a, MD_LEVEL_RAID1, "UU");
	add(&f->a, "sda", 0, -1, 0, NULL);
	add(&f->a, "sdb", 1, -1, 0, NULL);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "sdx%d", i);
		add(&f->a, name, 10 + i, -1, MD_DEV_FAULTY, NULL);
	}
	g = build(f);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->members_failed, 6);
	assert_string_equal(g->reason,
			    "6 failed devices still attached (sdx0, sdx1, sdx2, sdx3 and 2 more)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raid1),
		cmocka_unit_test(test_raid45),
		cmocka_unit_test(test_raid6),
		cmocka_unit_test(test_raid10),
		cmocka_unit_test(test_nonredundant),
		cmocka_unit_test_setup_teardown(test_roles_mdstat_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles_sysfs_no_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_degraded_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_container_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_raid_disks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason_many_names, setup, teardown),
	};

	return cmocka_run_group_tests_name("md_margin", tests, NULL, NULL);
}
