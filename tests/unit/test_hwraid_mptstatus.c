// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mpt-status driver of hwraid (plugins/hwraid/mptstatus.c): the corpus
 * capture in both forms, made-up volumes, and hostile input.  Run from the
 * top of the tree (tests/corpus).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

#define HWRAID_TEST_MEMBERS 16
#include "hwraid_test.h"

#define CASE "tests/corpus/hwraid-text/check_raid-mpt-status-raid1-resync-70/"

/* Outputs (NULL-terminated, the first the main one) through the driver. */
static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_mptstatus, r, NULL, texts, false, err, len);
}

static void check_resync(const struct hwraid_result *r, double progress)
{
	struct eval e;

	assert_int_equal(r->n_ld, 1);
	eval(&r->ld[0], &e);
	assert_string_equal(e.g.name, "ioc0/vol0");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.members_failed, 0);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > progress - 0.01 && e.g.progress < progress + 0.01);
	assert_string_equal(e.mem[1].name, "phy1");
	assert_string_equal(e.mem[1].state, "ONLINE OUT_OF_SYNC");
	assert_int_equal(e.mem[1].role, REDMON_ROLE_REBUILDING);
	assert_string_equal(r->ld[0].pd[1].model, "MAXTOR ATLAS10K4_73SCA");
}

static void test_corpus(void **state)
{
	size_t il, nl;
	char *i0 = slurp(CASE "mpt-status-i0.txt", &il), *n = slurp(CASE "mpt-status-n.txt", &nl);
	const char *both[] = { i0, n, NULL }, *old[] = { i0, NULL }, *newer[] = { n, NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, both, err, sizeof(err)), 0);
	check_resync(&r, 70);
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, newer, err, sizeof(err)), 0);
	check_resync(&r, 70);
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, old, err, sizeof(err)), 0);
	check_resync(&r, -1); /* the default form prints no percentage */
	hwraid_result_free(&r);
	free(i0);
	free(n);
}

/* Two runs (-i 0, -i 2) and a failed disk; a volume id that is none prints no volume. */
static void test_volumes(void **state)
{
	const char *t[] = {
		"ioc0 vol_id 0 type IM, 2 phy, 33 GB, state DEGRADED, flags ENABLED\n"
		"ioc0 phy 2 scsi_id 5 FUJITSU  MAY2036RC  0401, 33 GB, state ONLINE, flags NONE\n"
		"ioc0 phy 3 scsi_id 1 FUJITSU  MAY2036RC  0401, 33 GB, state FAILED, flags NONE\n",
		"You seem to have no SCSI disks attached to your HBA\n",
		"ioc:0 vol_id:2 type:IS raidlevel:RAID-0 num_disks:2 size(GB):58 state: OPTIMAL "
		"flags: ENABLED\n"
		"ioc:0 phys_id:1 scsi_id:4 vendor:ATA product_id:SSDSA2SH064G1GC revision:8860 "
		"size(GB):59 state: ONLINE flags: NONE sync_state: 100 ASC/ASCQ:0x00/0x00\n",
		NULL
	};
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_failed, 1);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_NONE);
	assert_string_equal(r.ld[0].pd[0].model, "FUJITSU MAY2036RC");
	eval(&r.ld[1], &e);
	assert_string_equal(e.g.name, "ioc0/vol2");
	assert_string_equal(e.g.type, "raid0");
	assert_int_equal(e.g.members_total, 2); /* one disk listed of num_disks 2 */
	assert_int_equal(e.g.margin_nominal, 0);
	hwraid_result_free(&r);
}

static void test_words(void **state)
{
	const char *unknown[] = {
		"ioc0 vol_id 0 type IM, 2 phy, 1 GB, state WOBBLY, flags ENABLED\n", NULL
	};
	const char *long_word[] = { "ioc0 vol_id 0 type IM, 2 phy, 1 GB, state "
				    "WOBBLY_BEYOND_TWENTY_THREE_BYTES, flags ENABLED\n",
				    NULL };
	const char *level[] = { "ioc:0 vol_id:0 type:IX raidlevel:RAID-4 num_disks:2 "
				"size(GB):68 state: OPTIMAL flags: ENABLED\n",
				NULL };
	const char *failed[] = { "ioc0 vol_id 1 type IME, 3 phy, 1 GB, state FAILED, flags "
				 "ENABLED VOLUME_INACTIVE\n"
				 "ioc0 phy 0 scsi_id 0 A B C, 1 GB, state SIDEWAYS, flags NONE\n",
				 NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, unknown, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "WOBBLY"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, long_word, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_non_null(strstr(e.g.reason, "'WOBBLY_BEYOND_TWENTY_THREE_BYTES' not understood"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, level, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "RAID level 'RAID-4' not understood"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, failed, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.type, "raid1e");
	assert_int_equal(e.g.margin, -1);
	assert_non_null(strstr(e.g.reason, "inactive"));
	assert_int_equal(e.mem[0].role, REDMON_ROLE_UNKNOWN);
	assert_string_equal(e.mem[0].state, "SIDEWAYS");
	hwraid_result_free(&r);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n\x01\xff\n",
		"ioc0 vol_id x type IM, 2 phy\n",
		"ioc99999999999999999999 vol_id 0 type IM\n",
		"ioc0 vol_id 0\n",
		"ioc0 phy\n",
		"ioc:x vol_id:0 type:IM state: OPTIMAL\n",
	};
	size_t nl;
	char *n = slurp(CASE "mpt-status-n.txt", &nl);
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *t[] = { bad[i], NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		hwraid_result_free(&r);
	}
	for (size_t cut = 0; cut < nl; cut += 7) {
		char *c = strndup(n, cut);
		const char *t[] = { c, NULL };

		if (parse(&r, t, err, sizeof(err)) == 0 && r.n_ld == 1) {
			eval(&r.ld[0], &e);
			assert_true(e.g.members_ok <= e.g.members_total);
			assert_true(e.g.progress <= 100);
		}
		hwraid_result_free(&r);
		free(c);
	}
	{
		const char *t[] = {
			"ioc:0 vol_id:0 type:IM raidlevel:RAID-1 num_disks:99999999999 "
			"state: OPT\x1bIMAL\n"
			"ioc:0 phys_id:0 state: ONLINE sync_state: 250\nscsi_id:0 -5%\n",
			NULL
		};

		assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
		assert_null(strchr(r.ld[0].state, '\x1b'));
		assert_int_equal(r.ld[0].total, -1);
		assert_true(r.ld[0].progress < 0);
		hwraid_result_free(&r);
	}
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
