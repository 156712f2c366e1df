/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugins/lib/hindex.c: lookups through collisions, growth, and removal. */
#include "cmocka_all.h"

#include <stdio.h>
#include <string.h>

#include "../../plugins/lib/hindex.h"
#include "redmon/fnv1a.h"

#define N 1000

struct names {
	char v[N][16];
	const char *sought;
};

static bool name_match(const void *ctx, size_t ref)
{
	const struct names *n = ctx;

	return strcmp(n->v[ref], n->sought) == 0;
}

static size_t find(const struct hindex *h, struct names *n, uint64_t hash, const char *name)
{
	n->sought = name;
	return hindex_find(h, hash, name_match, n);
}

static uint64_t hash_of(const char *s)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, s);
}

/* Many names: the index grows, stays at most half full, and finds every one. */
static void test_grows_and_finds(void **state)
{
	static struct names n;
	struct hindex h = { 0 };

	(void)state;
	assert_int_equal(find(&h, &n, hash_of("md0"), "md0"), HINDEX_NONE);
	for (size_t i = 0; i < N; i++) {
		snprintf(n.v[i], sizeof(n.v[i]), "md%zu", i);
		assert_int_equal(hindex_add(&h, hash_of(n.v[i]), i), 0);
	}
	assert_int_equal(h.n, N);
	assert_true(h.n_slots >= 2 * N);
	assert_int_equal(h.n_slots & (h.n_slots - 1), 0);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(find(&h, &n, hash_of(n.v[i]), n.v[i]), i);
	assert_int_equal(find(&h, &n, hash_of("md1000"), "md1000"), HINDEX_NONE);
	hindex_clear(&h);
	assert_int_equal(find(&h, &n, hash_of("md1"), "md1"), HINDEX_NONE);
	hindex_free(&h);
	hindex_free(NULL);
}

/*
 * Every key under one hash (a hostile key set, or a weak hash): one long
 * probe chain, in which match() alone tells the keys apart; removing from
 * its middle must leave the rest reachable.
 */
static void test_collisions_and_removal(void **state)
{
	static struct names n;
	struct hindex h = { 0 };
	const uint64_t same = 42;

	(void)state;
	for (size_t i = 0; i < 100; i++) {
		snprintf(n.v[i], sizeof(n.v[i]), "k%zu", i);
		assert_int_equal(hindex_add(&h, same, i), 0);
	}
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(find(&h, &n, same, n.v[i]), i);
	assert_int_equal(find(&h, &n, 43, "k1"), HINDEX_NONE); /* another hash: never matched */
	for (size_t i = 0; i < 100; i += 3)
		assert_true(hindex_remove(&h, same, i));
	assert_false(hindex_remove(&h, same, 0)); /* already gone */
	assert_false(hindex_remove(&h, same, 500));
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(find(&h, &n, same, n.v[i]), i % 3 == 0 ? HINDEX_NONE : i);
	assert_int_equal(h.n, 66);
	/* Hashes equal in their low 32 bits only: match() still tells the keys apart. */
	assert_int_equal(hindex_add(&h, (1ull << 40) | same, 200), 0);
	snprintf(n.v[200], sizeof(n.v[200]), "high");
	assert_int_equal(find(&h, &n, (1ull << 40) | same, "high"), 200);
	assert_int_equal(find(&h, &n, same, "high"), 200);
	assert_int_equal(find(&h, &n, (1ull << 40) | same, "k1"), 1);
	hindex_free(&h);
}

/*
 * Removal where chains wrap around the end of the table and mix homes: after
 * removing any one entry, every other one is still found (backward shift
 * must not move an entry before its home).
 */
static void test_removal_keeps_chains(void **state)
{
	static struct names n;
	struct hindex h;

	(void)state;
	for (size_t victim = 0; victim < 40; victim++) {
		memset(&h, 0, sizeof(h));
		for (size_t i = 0; i < 40; i++) {
			snprintf(n.v[i], sizeof(n.v[i]), "e%zu", i);
			/* Homes near the end of a 128-slot table and at its start. */
			assert_int_equal(hindex_add(&h, 120 + (i % 12), i), 0);
		}
		assert_true(hindex_remove(&h, 120 + (victim % 12), victim));
		for (size_t i = 0; i < 40; i++)
			assert_int_equal(find(&h, &n, 120 + (i % 12), n.v[i]),
					 i == victim ? HINDEX_NONE : i);
		hindex_free(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_finds),
		cmocka_unit_test(test_collisions_and_removal),
		cmocka_unit_test(test_removal_keeps_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
