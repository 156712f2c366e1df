/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The health rule and snapshot handling of src/model.c. */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * n groups "<prefix><i>" of a probe "md": raid1 of two members, with state
 * and reason strings that repeat (what interning is for).
 */
static void fill(struct snapshot *s, const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		char name[32], dev[32];
		struct redmon_member m[] = {
			{ .name = "sda1", .role = REDMON_ROLE_ACTIVE, .state = "in_sync" },
			{ .name = "sdb1",
			  .role = REDMON_ROLE_FAILED,
			  .state = "faulty",
			  .device = dev,
			  .reason = "write errors" },
		};
		struct redmon_group g = {
			.name = name,
			.kind = "raid",
			.type = "raid1",
			.margin = 0,
			.margin_nominal = 1,
			.progress = -1,
			.reason = "1 of 2 slots missing",
			.members = m,
			.n_members = 2,
		};

		snprintf(name, sizeof(name), "%s%d", prefix, i);
		snprintf(dev, sizeof(dev), "/dev/disk/by-id/wwn-%d", i);
		assert_int_equal(snapshot_add(s, "md", &g), 0);
	}
	snapshot_sort(s);
}

/* Every string of every group reads back as fill() wrote it. */
static void check_fill(const struct snapshot *s, const char *prefix, int n)
{
	assert_int_equal(s->n, n);
	for (int i = 0; i < n; i++) {
		char id[48], dev[32];
		const struct group *g;

		snprintf(id, sizeof(id), "md:%s%d", prefix, i);
		snprintf(dev, sizeof(dev), "/dev/disk/by-id/wwn-%d", i);
		g = snapshot_find(s, id);
		assert_non_null(g);
		assert_string_equal(g->id, id);
		assert_string_equal(g->name, id + 3);
		assert_string_equal(g->probe, "md");
		assert_string_equal(g->kind, "raid");
		assert_string_equal(g->type, "raid1");
		assert_string_equal(g->reason, "1 of 2 slots missing");
		assert_int_equal(g->n_members, 2);
		assert_string_equal(g->members[0].state, "in_sync");
		assert_null(g->members[0].device);
		assert_string_equal(g->members[1].device, dev);
		assert_string_equal(g->members[1].reason, "write errors");
	}
}

/*
 * A small snapshot (a few dozen groups) keeps its arena block across a clear:
 * scan after scan it is refilled in place, without malloc, and a second
 * clear in a row (a snapshot handed back already clear) changes nothing.
 */
static void test_small_arena_reused_across_scans(void **state)
{
	struct snapshot s = { 0 };
	const struct snap_block *block;
	size_t steady;

	(void)state;
	fill(&s, "md", 50);
	snapshot_clear(&s);
	fill(&s, "md", 50);
	snapshot_clear(&s);
	steady = snapshot_footprint(&s);
	block = s.blocks;
	assert_non_null(block);
	for (int scan = 0; scan < 200; scan++) {
		fill(&s, "md", 50);
		check_fill(&s, "md", 50);
		assert_ptr_equal(s.blocks, block);
		assert_int_equal(snapshot_footprint(&s), steady);
		snapshot_clear(&s);
		snapshot_clear(&s);
		assert_ptr_equal(s.blocks, block);
		assert_int_equal(snapshot_footprint(&s), steady);
	}
	snapshot_free(&s);
	assert_null(s.blocks);
	assert_null(s.groups);
}

/*
 * A large snapshot holds nothing once cleared (it may wait a whole scan in
 * a hand-over slot), and its next fill takes one block and one groups array
 * of the size the last fill needed: the same footprint scan after scan.
 */
static void test_large_snapshot_released_and_resized(void **state)
{
	struct snapshot s = { 0 };
	size_t steady = 0;

	(void)state;
	for (int scan = 0; scan < 50; scan++) {
		fill(&s, "md", 2000);
		check_fill(&s, "md", 2000);
		if (scan > 0) {
			assert_true(s.cap < 2 * 2000);
		}
		if (scan == 1)
			steady = snapshot_footprint(&s);
		if (scan > 1)
			assert_int_equal(snapshot_footprint(&s), steady);
		snapshot_clear(&s);
		assert_int_equal(snapshot_footprint(&s), 0);
		snapshot_clear(&s);
		assert_int_equal(snapshot_footprint(&s), 0);
	}
	snapshot_free(&s);
}

/* Repeated strings are stored once; the footprint says so. */
static void test_repeated_strings_interned(void **state)
{
	struct snapshot s = { 0 };

	(void)state;
	fill(&s, "md", 2);
	assert_ptr_equal(s.groups[0].kind, s.groups[1].kind);
	assert_ptr_equal(s.groups[0].members[0].state, s.groups[1].members[0].state);
	assert_ptr_equal(s.groups[0].reason, s.groups[1].reason);
	assert_true(s.groups[0].members[1].device != s.groups[1].members[1].device);
	snapshot_free(&s);
}

/* A snapshot that shrank a lot gives its memory back, in two scans at most. */
static void test_arena_shrinks(void **state)
{
	struct snapshot s = { 0 };

	(void)state;
	fill(&s, "md", 5000);
	snapshot_clear(&s);
	for (int scan = 0; scan < 2; scan++) {
		fill(&s, "x", 3);
		check_fill(&s, "x", 3);
		snapshot_clear(&s);
	}
	assert_true(snapshot_footprint(&s) < 8192);
	fill(&s, "x", 3);
	assert_true(snapshot_footprint(&s) < 8192);
	snapshot_clear(&s);
	/* a probe whose groups all went: its empty fill, sorted, forgets the old size */
	fill(&s, "md", 5000);
	snapshot_clear(&s);
	snapshot_sort(&s);
	assert_int_equal(snapshot_footprint(&s), 0);
	fill(&s, "x", 3);
	assert_true(snapshot_footprint(&s) < 8192);
	snapshot_free(&s);
}

/*
 * Snapshots move between threads by swapping struct values: every string
 * must stay where it was (nothing points into the struct), and each
 * snapshot's arena goes with it.  Under ASan a dangling pointer would show.
 */
static void test_snapshot_swap(void **state)
{
	struct snapshot a = { 0 }, b = { 0 }, tmp;

	(void)state;
	fill(&a, "a", 300);
	fill(&b, "b", 7);
	tmp = a;
	a = b;
	b = tmp;
	check_fill(&a, "b", 7);
	check_fill(&b, "a", 300);
	/* clearing one leaves the other intact, and either refills */
	snapshot_clear(&a);
	check_fill(&b, "a", 300);
	fill(&a, "c", 40);
	tmp = a;
	a = b;
	b = tmp;
	snapshot_clear(&a);
	check_fill(&b, "c", 40);
	fill(&a, "d", 300);
	check_fill(&a, "d", 300);
	check_fill(&b, "c", 40);
	snapshot_free(&a);
	snapshot_free(&b);
}

/*
 * Hostile sizes: a 1 MiB reason, a 64 KiB member name, 20,000 members, and
 * small groups before and after.  All copied whole, none corrupting another.
 */
static void test_hostile_long_strings(void **state)
{
	struct snapshot s = { 0 };
	size_t n_members = 20000;
	struct redmon_member *m = calloc(n_members, sizeof(*m));
	char *reason = malloc(1u << 20), *mname = malloc(1u << 16);
	struct redmon_group g = { .name = "huge", .progress = -1 };
	struct redmon_group small = { .name = "small", .kind = "raid", .progress = -1 };
	const struct group *got;
	struct group copy;

	(void)state;
	assert_non_null(m);
	assert_non_null(reason);
	assert_non_null(mname);
	memset(reason, 'r', (1u << 20) - 1);
	reason[(1u << 20) - 1] = 0;
	memset(mname, 'n', (1u << 16) - 1);
	mname[(1u << 16) - 1] = 0;
	for (size_t i = 0; i < n_members; i++) {
		m[i].name = i == 7 ? mname : "sdz";
		m[i].state = "in_sync";
	}
	g.reason = reason;
	g.members = m;
	g.n_members = n_members;
	g.spof = (const char *const[]){ "one disk", "one HBA" };
	g.n_spof = 2;
	g.scrub_time = 1700000000;
	g.scrub_found = "12 mismatches";
	g.eta_s = 600;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(snapshot_add(&s, "md", &small), 0);
		assert_int_equal(snapshot_add(&s, "md", &g), 0);
		small.name = "tiny";
		assert_int_equal(snapshot_add(&s, "md", &small), 0);
		small.name = "small";
		snapshot_sort(&s);
		got = snapshot_find(&s, "md:huge");
		assert_non_null(got);
		assert_int_equal(strlen(got->reason), (1u << 20) - 1);
		assert_int_equal(got->n_members, n_members);
		assert_int_equal(strlen(got->members[7].name), (1u << 16) - 1);
		assert_string_equal(got->members[n_members - 1].name, "sdz");
		assert_string_equal(snapshot_find(&s, "md:small")->kind, "raid");
		assert_string_equal(snapshot_find(&s, "md:tiny")->kind, "raid");
		/* a standalone copy outlives the snapshot's clear */
		assert_int_equal(group_copy(&copy, got), 0);
		snapshot_clear(&s);
		assert_string_equal(copy.id, "md:huge");
		assert_int_equal(strlen(copy.reason), (1u << 20) - 1);
		assert_int_equal(strlen(copy.members[7].name), (1u << 16) - 1);
		assert_string_equal(copy.members[8].state, "in_sync");
		assert_int_equal(copy.n_spof, 2);
		assert_string_equal(copy.spof[1], "one HBA");
		assert_int_equal(copy.scrub_time, 1700000000);
		assert_string_equal(copy.scrub_found, "12 mismatches");
		assert_int_equal(copy.eta_source_s, 600);
		group_free(&copy);
		assert_null(copy.own);
	}
	snapshot_free(&s);
	free(m);
	free(reason);
	free(mname);
}

/* snapshot_strdup: lives with the snapshot's groups, and a group pointed at it keeps it. */
static void test_strdup_and_copy_into_snapshot(void **state)
{
	struct snapshot s = { 0 }, t = { 0 };
	struct group copy;
	char *r;

	(void)state;
	fill(&s, "md", 3);
	fill(&t, "md", 3);
	r = snapshot_strdup(&s, "probe failed: EIO");
	assert_non_null(r);
	s.groups[1].reason = r;
	/* a group of t replaced by a copy of one of s, as flap damping does */
	assert_int_equal(group_copy(&copy, &s.groups[1]), 0);
	group_free(&t.groups[1]);
	t.groups[1] = copy;
	snapshot_free(&s);
	assert_string_equal(t.groups[1].reason, "probe failed: EIO");
	assert_string_equal(t.groups[1].members[1].state, "faulty");
	assert_non_null(snapshot_find(&t, "md:md1"));
	snapshot_clear(&t); /* frees the copy's own block */
	fill(&t, "md", 3);
	check_fill(&t, "md", 3);
	snapshot_free(&t);
}

/* Disks: validated, copied, the first report of a device kept, and sorting keeps them. */
static void test_snapshot_disks(void **state)
{
	struct snapshot s = { 0 };
	struct redmon_disk d = { .device = "/dev/sda",
				 .health = REDMON_RISK_FAILING,
				 .reason = "SMART overall-health self-assessment failed",
				 .model = "M",
				 .serial = "S" };
	struct redmon_disk ok = { .device = "/dev/sdb", .health = REDMON_RISK_OK, .reason = "x" };
	struct redmon_disk bad = d;

	(void)state;
	assert_int_equal(snapshot_add_disk(&s, &d, sizeof(d)), 0);
	assert_int_equal(snapshot_add_disk(&s, &d, sizeof(d)), -EEXIST);
	assert_int_equal(snapshot_add_disk(&s, &ok, sizeof(ok)), 0);
	assert_int_equal(snapshot_add_disk(&s, &d, offsetof(struct redmon_disk, serial)), -EINVAL);
	bad.health = REDMON_RISK_NONE;
	assert_int_equal(snapshot_add_disk(&s, &bad, sizeof(bad)), -EINVAL);
	bad.health = (enum redmon_risk)99;
	assert_int_equal(snapshot_add_disk(&s, &bad, sizeof(bad)), -EINVAL);
	bad = d;
	bad.reason = NULL; /* failing, but no word why */
	assert_int_equal(snapshot_add_disk(&s, &bad, sizeof(bad)), -EINVAL);
	bad = d;
	bad.device = "";
	assert_int_equal(snapshot_add_disk(&s, &bad, sizeof(bad)), -EINVAL);
	assert_int_equal(snapshot_sort(&s), 0);
	assert_int_equal(s.n_disks, 2);
	assert_string_equal(s.disks[0].reason, "SMART overall-health self-assessment failed");
	assert_null(s.disks[1].reason); /* ok carries no reason */
	assert_string_equal(risk_name(s.disks[0].health), "failing");
	snapshot_clear(&s);
	assert_int_equal(s.n_disks, 0);
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
		cmocka_unit_test(test_small_arena_reused_across_scans),
		cmocka_unit_test(test_large_snapshot_released_and_resized),
		cmocka_unit_test(test_repeated_strings_interned),
		cmocka_unit_test(test_arena_shrinks),
		cmocka_unit_test(test_snapshot_swap),
		cmocka_unit_test(test_hostile_long_strings),
		cmocka_unit_test(test_strdup_and_copy_into_snapshot),
		cmocka_unit_test(test_snapshot_disks),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
