// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dmraid driver of hwraid (plugins/hwraid/dmraid.c): the corpus
 * captures, group supersets, states, set names, and hostile input.  Run from
 * the top of the tree (tests/corpus).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

#define HWRAID_TEST_MEMBERS 16
#include "hwraid_test.h"

#define CORPUS "tests/corpus/dmraid/"

/* A capture, not empty. */
static char *capture(const char *path)
{
	size_t n;
	char *buf = slurp(path, &n);

	assert_true(n > 0);
	return buf;
}

/* Outputs (NULL-terminated, the first the main one) through the driver. */
static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_dmraid, r, NULL, texts, false, err, len);
}

static void test_corpus(void **state)
{
	char *ok = capture(CORPUS "check_raid-dmraid-jmicron-mirror-ok/dmraid-r.txt");
	char *none = capture(CORPUS "check_raid-dmraid-no-raid-disks/dmraid-r.txt");
	const char *t1[] = { ok, NULL }, *t2[] = { none, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t1, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "jmicron_JRAID");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 2);
	assert_int_equal(e.g.margin, 1);
	assert_string_equal(e.mem[1].name, "sdb");
	assert_string_equal(e.mem[1].device, "/dev/sdb");
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, t2, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 0);
	assert_true(r.none);
	hwraid_result_free(&r);
	free(ok);
	free(none);
}

/* An isw group of two volumes: each volume a group of the group's disks, one broken. */
static void test_superset(void **state)
{
	const char *t[] = {
		"/dev/sda: isw, \"isw_cabciecjeh\", GROUP, ok, 976773166 sectors, data@ 0\n"
		"/dev/sdb: isw, \"isw_cabciecjeh\", GROUP, broken, 976773166 sectors, data@ 0\n"
		"/dev/sdc: isw, \"isw_cabciecjeh\", spare, ok, 976773166 sectors, data@ 0\n",
		"*** Group superset isw_cabciecjeh\n"
		"--> Active Subset\nname   : isw_cabciecjeh_Volume0\nsize   : 1000\n"
		"stride : 128\ntype   : mirror\nstatus : broken\nsubsets: 0\ndevs   : 2\n"
		"spares : 1\n"
		"--> Active Subset\nname   : isw_cabciecjeh_Volume1\ntype   : stripe\n"
		"status : ok\ndevs   : 2\n",
		NULL
	};
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "isw_cabciecjeh_Volume0");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_failed, 1);
	assert_int_equal(e.g.spares, 1);
	assert_int_equal(e.g.margin, 0);
	assert_non_null(strstr(e.g.reason, "broken"));
	eval(&r.ld[1], &e);
	assert_string_equal(e.g.type, "raid0");
	assert_int_equal(e.g.margin_nominal, 0);
	hwraid_result_free(&r);
}

/* A disk gone from -r that -s still counts: the slot is lost. */
static void test_missing_disk(void **state)
{
	const char *t[] = { "/dev/sdb: pdc, \"pdc_bbcde\", mirror, ok, 100 sectors, data@ 0\n",
			    "*** Active Set\nname   : pdc_bbcde\ntype   : mirror\n"
			    "status : ok\ndevs   : 2\n",
			    NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.margin, 0);
	hwraid_result_free(&r);
}

static void test_words_and_names(void **state)
{
	const char *unknown[] = {
		"/dev/sda: nvidia, \"nvidia_x\", mirror, wobbly, 1 sectors, data@ 0\n", NULL
	};
	const char *nosync[] = {
		"/dev/sda: nvidia, \"nv a/b\x1b\", mirror, ok, 1 sectors, data@ 0\n"
		"/dev/sdb: nvidia, \"nv a/b\x1b\", mirror, nosync, 1 sectors, data@ 0\n",
		NULL
	};
	const char *long_word[] = { "/dev/sda: nvidia, \"nvidia_x\", mirror, "
				    "wobbly_beyond_twenty_three_bytes, 1 sectors, data@ 0\n",
				    NULL };
	const char *longname[] = { "/dev/sda: sil, \"sil_0123456789012345678901234567890123\", "
				   "raid4, ok, 1 sectors, data@ 0\n",
				   NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, unknown, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "wobbly"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, long_word, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_non_null(strstr(e.g.reason, "'wobbly_beyond_twenty_three_bytes'"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, nosync, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "nv_a_b_");
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(e.g.margin, 0);
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, longname, err, sizeof(err)), 0);
	assert_int_equal(strlen(r.ld[0].name), HWRAID_NAME - 1);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN); /* raid4: no level of the rules */
	assert_non_null(strstr(e.g.reason, "RAID level 'raid4' not understood"));
	hwraid_result_free(&r);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n\x01\xff\n",
		"/dev/sda jmicron\n",
		"/dev/sda: jmicron, jmicron_JRAID, mirror, ok\n",
		"/dev/sda: jmicron, \"\", mirror, ok\n",
		"/dev/sda: jmicron, \"x\"\n",
		"*** Active Set\nname : x\ndevs : 99999999999999999999\n",
		"*** Active Set\n",
	};
	char *ok = capture(CORPUS "check_raid-dmraid-jmicron-mirror-ok/dmraid-r.txt");
	size_t n = strlen(ok);
	struct hwraid_result r;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *t[] = { bad[i], NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		hwraid_result_free(&r);
	}
	for (size_t cut = 0; cut < n; cut++) {
		char *c = strndup(ok, cut);
		const char *t[] = { c, "garbage", NULL };
		struct eval e;

		if (parse(&r, t, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < r.n_ld; i++) {
				eval(&r.ld[i], &e);
				assert_true(e.g.members_ok <= e.g.members_total);
			}
		}
		hwraid_result_free(&r);
		free(c);
	}
	free(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),	     cmocka_unit_test(test_superset),
		cmocka_unit_test(test_missing_disk), cmocka_unit_test(test_words_and_names),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
