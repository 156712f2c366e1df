// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HPE Smart Array driver of hwraid (ssacli's text forms and
 * cciss_vol_status), against made-up outputs, hostile ones and the corpus
 * captures.  Run from the top of the tree (tests/corpus).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

#include "hwraid_test.h"

#define CORPUS "tests/corpus/hwraid-text/"

/* Outputs (NULL-terminated, the first the main one) through the driver. */
static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_smartarray, r, NULL, texts, false, err, len);
}

static const char DEGRADED[] = "Smart Array P420i in Slot 0 (Embedded)\n"
			       "   Controller Status: OK\n"
			       "   Cache Status: Temporarily Disabled\n"
			       "   Battery/Capacitor Status: Failed (Replace Batteries)\n"
			       "\n"
			       "   Array: A\n"
			       "      Status: Failed Physical Drive\n"
			       "\n"
			       "      Logical Drive: 1\n"
			       "         Fault Tolerance: 5\n"
			       "         Status: Recovering, 42% complete\n"
			       "\n"
			       "      physicaldrive 1I:1:1\n"
			       "         Status: OK\n"
			       "         Drive Type: Data Drive\n"
			       "         Serial Number: S1\n"
			       "         Model: HP      EG0300\n"
			       "      physicaldrive 1I:1:2\n"
			       "         Status: Rebuilding\n"
			       "         Drive Type: Data Drive\n"
			       "      physicaldrive 1I:1:3\n"
			       "         Status: Predictive Failure\n"
			       "         Drive Type: Data Drive\n"
			       "      physicaldrive 1I:1:4\n"
			       "         Status: OK\n"
			       "         Drive Type: Spare Drive\n"
			       "\n"
			       "   Array: B\n"
			       "      Logical Drive: 2\n"
			       "         Fault Tolerance: 1 (ADM)\n"
			       "         Status: Interim Recovery Mode\n"
			       "      physicaldrive 2I:1:5\n"
			       "         Status: Failed\n"
			       "      physicaldrive 2I:1:6\n"
			       "         Status: OK\n"
			       "      physicaldrive 2I:1:7\n"
			       "         Status: OK\n"
			       "   Unassigned\n"
			       "      physicaldrive 2I:1:8\n"
			       "         Status: OK\n";

static void test_config_detail_degraded(void **state)
{
	const char *const t[] = { DEGRADED, NULL };
	struct hwraid_result r;
	struct eval e;
	const struct hwraid_ld *a, *b;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	a = find(&r, "slot0/array A/ld1");
	assert_string_equal(a->level, "raid5");
	assert_int_equal(a->cond, HWRAID_LD_RECOVERY);
	assert_true(a->progress > 41.9 && a->progress < 42.1);
	assert_int_equal(a->n_pd, 4);
	assert_int_equal(a->spares, 1);
	assert_string_equal(a->pd[0].serial, "S1");
	eval(a, &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.members_total, 3);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_non_null(strstr(e.reason, "predictive failure"));
	assert_non_null(strstr(e.reason, "array A Failed Physical Drive"));
	assert_non_null(strstr(e.reason, "cache Temporarily Disabled"));
	assert_non_null(strstr(e.reason, "battery/capacitor Failed"));

	b = find(&r, "slot0/array B/ld2");
	assert_string_equal(b->level, "raid1adm"); /* HPE's triple mirror: margin 2 */
	eval(b, &e);
	assert_int_equal(e.g.margin_nominal, 2);
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(e.g.members_failed, 1);
	hwraid_result_free(&r);
}

/*
 * A RAID 50 logical drive as ssacli lists its parity groups: the lines of
 * HPSSA_ONE_DRIVE_RAID_50 in openstack/proliantutils (Apache-2.0, commit
 * 86ef3b47b4eca97c221577e3570b0240d6a25f22,
 * proliantutils/tests/hpssa/raid_constants.py), cut to the controller's
 * status, the array, its logical drive and three of its drives' blocks (the
 * others' statuses as the short lines give them).
 */
#define P822_HEAD                                                                                  \
	"Smart Array P822 in Slot 2\n"                                                             \
	"   Controller Status: OK\n"                                                               \
	"   Cache Status: OK\n"                                                                    \
	"   Battery/Capacitor Status: OK\n"                                                        \
	"\n"                                                                                       \
	"   Array: A\n"                                                                            \
	"      Interface Type: SAS\n"                                                              \
	"      Status: OK\n"                                                                       \
	"\n"                                                                                       \
	"      Logical Drive: 1\n"                                                                 \
	"         Size: 100.0 GB\n"                                                                \
	"         Fault Tolerance: %s\n"                                                           \
	"         Number of Parity Groups: 2\n"                                                    \
	"         Status: %s\n"                                                                    \
	"         Parity Group 0:\n"                                                               \
	"            physicaldrive 5I:1:1 (port 5I:box 1:bay 1, SAS, 600 GB, %s)\n"                \
	"            physicaldrive 5I:1:3 (port 5I:box 1:bay 3, SAS, 600 GB, OK)\n"                \
	"            physicaldrive 6I:1:5 (port 6I:box 1:bay 5, SAS, 600 GB, OK)\n"                \
	"         Parity Group 1:\n"                                                               \
	"            physicaldrive 5I:1:2 (port 5I:box 1:bay 2, SAS, 600 GB, %s)\n"                \
	"            physicaldrive 5I:1:4 (port 5I:box 1:bay 4, SAS, 600 GB, OK)\n"                \
	"            physicaldrive 6I:1:6 (port 6I:box 1:bay 6, SAS, 600 GB, OK)\n"                \
	"         Drive Type: Data\n"                                                              \
	"\n"                                                                                       \
	"      physicaldrive 5I:1:1\n"                                                             \
	"         Status: %s\n"                                                                    \
	"         Drive Type: Data Drive\n"                                                        \
	"         Serial Number: 6SL7G55D0000N4173JLT\n"                                           \
	"      physicaldrive 5I:1:2\n"                                                             \
	"         Status: %s\n"                                                                    \
	"         Drive Type: Data Drive\n"                                                        \
	"      physicaldrive 5I:1:3\n"                                                             \
	"         Status: OK\n"                                                                    \
	"      physicaldrive 5I:1:4\n"                                                             \
	"         Status: OK\n"                                                                    \
	"      physicaldrive 6I:1:5\n"                                                             \
	"         Status: OK\n"                                                                    \
	"      physicaldrive 6I:1:6\n"                                                             \
	"         Status: OK\n"

/* The drives of each parity group are a span: the weakest group gives the margin. */
static void test_parity_groups(void **state)
{
	char text[4096], err[256], *g0, *g1;
	const char *texts[] = { text, NULL };
	struct hwraid_result r;
	struct eval e;

	(void)state;
	/* as proliantutils has it: RAID 50, all OK */
	snprintf(text, sizeof(text), P822_HEAD, "50", "OK", "OK", "OK", "OK", "OK");
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(find(&r, "slot2/array A/ld1"), &e);
	assert_string_equal(e.g.type, "raid50");
	assert_int_equal(e.g.members_total, 6);
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(r.ld[0].pd[0].span, 0); /* 5I:1:1 */
	assert_int_equal(r.ld[0].pd[1].span, 1); /* 5I:1:2 */
	assert_int_equal(r.ld[0].pd[5].span, 1); /* 6I:1:6 */
	hwraid_result_free(&r);
	/* edited: a RAID 60 that lost one drive in each group still survives one more */
	snprintf(text, sizeof(text), P822_HEAD, "60", "Interim Recovery Mode", "Failed", "Failed",
		 "Failed", "Failed");
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.type, "raid60");
	assert_int_equal(e.g.members_failed, 2);
	assert_int_equal(e.g.margin, 1);
	hwraid_result_free(&r);
	/* edited: 5I:1:2 and 5I:1:3 swapped, both failed drives in group 0: it has none to spare */
	snprintf(text, sizeof(text), P822_HEAD, "60", "Interim Recovery Mode", "Failed", "Failed",
		 "Failed", "Failed");
	g0 = strstr(text, "physicaldrive 5I:1:3 (port 5I:box 1:bay 3");
	g1 = strstr(text, "physicaldrive 5I:1:2 (port 5I:box 1:bay 2");
	assert_true(g0 && g1);
	memcpy(g0 + 14, "5I:1:2 (port 5I:box 1:bay 2", 27);
	memcpy(g1 + 14, "5I:1:3 (port 5I:box 1:bay 3", 27);
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(r.ld[0].pd[1].span, 0);
	assert_int_equal(e.g.margin, 0);
	hwraid_result_free(&r);
	/* a drive of the array no group lists: no spans, every loss against the level */
	snprintf(text, sizeof(text), P822_HEAD, "60", "Interim Recovery Mode", "Failed", "Failed",
		 "Failed", "Failed");
	memcpy(strstr(text, "Parity Group 1:"), "Parity Group X:", 15);
	assert_int_equal(parse(&r, texts, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(r.ld[0].pd[1].span, -1);
	assert_int_equal(e.g.margin, 0);
	hwraid_result_free(&r);
}

static void test_short_forms(void **state)
{
	const char *const t[] = {
		"Smart Array P410 in Slot 1\n   Controller Status: OK\n", /* show status */
		"FIRMWARE UPGRADE REQUIRED: A firmware update is recommended\n"
		"                           for this controller.\n\n"
		"Smart Array P410 in Slot 1\n\n"
		"   array A\n\n"
		"      logicaldrive 1 (136.7 GB, RAID 1+0, Recovering, 23% complete)\n"
		"   array B (Failed)\n"
		"      logicaldrive 2 (2.2 TB, RAID 5, OK)\n"
		"   array C (SAS, Unused Space: 0  MB)\n"
		"      logicaldrive 3 (1 TB, RAID 6, Expanding, 5% complete)\n"
		"      physicaldrive 1I:1:1 (port 1I:box 1:bay 1, SAS, 146 GB, OK)\n"
		"      physicaldrive 1I:1:2 (port 1I:box 1:bay 2, SAS, 146 GB, OK, spare)\n",
		NULL
	};
	struct hwraid_result r;
	struct eval e;
	const struct hwraid_ld *ld;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 3);
	ld = find(&r, "slot1/array A/ld1");
	assert_string_equal(ld->level, "raid10");
	assert_string_equal(ld->state, "Recovering");
	assert_true(ld->progress > 22.9 && ld->progress < 23.1);
	eval(ld, &e);
	assert_int_equal(e.g.margin, 0); /* recovering: not complete */
	ld = find(&r, "slot1/array B/ld2");
	assert_int_equal(ld->cond, HWRAID_LD_DEGRADED);
	ld = find(&r, "slot1/array C/ld3");
	assert_int_equal(ld->cond, HWRAID_LD_OK);
	assert_non_null(strstr(ld->reason, "Expanding, 5% complete"));
	assert_int_equal(ld->spares, 1);
	assert_int_equal(ld->n_pd, 2);
	hwraid_result_free(&r);
}

static void test_no_controller(void **state)
{
	const char *const t[] = { "\nError: No controllers detected. Possible causes:\n", NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_true(r.none);
	assert_int_equal(r.n_ld, 0);
}

static void test_hostile(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *needle; /* in err, or in the first drive's reason */
	} t[] = {
		{ "garbage\n\x01\x02\xff", -EINVAL, "neither ssacli" },
		{ "", -EINVAL, "neither" },
		{ "Smart Array X in Slot 99999999999999999999\n", -EINVAL, "line 1" },
		{ "Smart Array X in Slot 0\n   array a\n", -EINVAL, "line 2" },
		{ "Smart Array X in Slot 0\n   array ABCDE\n", -EINVAL, "line 2" },
		{ "Smart Array X in Slot 0\n   array A\n      logicaldrive 99999999 (1, RAID 5, "
		  "OK)\n",
		  -EINVAL, "line 3" },
		{ "Smart Array X in Slot 0\n   array A\n      logicaldrive 1 (1 GB\n", -EINVAL,
		  "line 3" },
		{ "Smart Array X in Slot 0\n   array A\n      logicaldrive 1 (1 GB, RAID 5, "
		  "Melting)\n",
		  0, "state 'Melting' not understood" },
		{ "Smart Array X in Slot 0\n   array A\n      logicaldrive 1 (1 GB, RAID 3, OK)\n",
		  0, "RAID level 'RAID 3' not understood" },
		{ "Smart Array X in Slot 0\n   Array: A\n      Logical Drive: 1\n         Fault "
		  "Tolerance: 5\n         Status: OK\n      physicaldrive 1I:1:1\n         Status: "
		  "Smoking\n",
		  0, NULL },
		{ "/dev/sd;a: (Smart Array) RAID 5 Volume 0 status: OK.\n", -EINVAL, "line 1" },
		{ "/dev/sda: (Smart Array) RAID 5 Volume 99999999999 status: OK.\n", -EINVAL,
		  "line 1" },
		{ "/dev/sda: (Smart Array) RAID 5 Volume 0 status: Unknown status 42.\n", 0,
		  "state 'Unknown status 42' not understood" },
		{ "/dev/sda: (Smart Array) RAID 5 Volume 0 status: Unknown status with a long "
		  "word.\n",
		  0, "state 'Unknown status with a long word' not understood" },
		{ "/dev/sda: (Smart Array) RAID 4 Volume 0 status: OK.\n", 0,
		  "RAID level 'RAID 4' not understood" },
		{ "Smart Array X in Slot 0\n   array A\n      logicaldrive 1 (1 GB, RAID 5, "
		  "Resting Quietly Through The Night)\n",
		  0, "state 'Resting Quietly Through The Night' not understood" },
		{ "/dev/sda: (Smart Array) RAID 5 Volume 0 status: FAILED.\n  Failed drives:\n"
		  "         connector 1I box x bay 4\n",
		  -EINVAL, "line 3" },
		{ "/dev/sda: (Smart Array) RAID 5 Vol", -EINVAL, "neither" }, /* truncated */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *const texts[] = { t[i].text, NULL };
		struct hwraid_result r;
		char err[256];
		struct eval e;
		int rc = parse(&r, texts, err, sizeof(err));

		if (rc != t[i].rc)
			fail_msg("case %zu: rc %d, expected %d (%s)", i, rc, t[i].rc, err);
		if (rc < 0 && t[i].needle && !strstr(err, t[i].needle))
			fail_msg("case %zu: err '%s' lacks '%s'", i, err, t[i].needle);
		if (rc == 0 && r.n_ld) {
			eval(&r.ld[0], &e);
			if (t[i].needle && !strstr(e.reason, t[i].needle))
				fail_msg("case %zu: reason '%s' lacks '%s'", i, e.reason,
					 t[i].needle);
			if (i == 9) { /* a drive state we do not know: lost, margin 0 */
				assert_int_equal(e.g.margin, 0);
				assert_int_equal(e.mem[0].role, REDMON_ROLE_UNKNOWN);
				assert_string_equal(e.mem[0].state, "Smoking");
			}
		}
		hwraid_result_free(&r);
	}
}

static void test_corpus(void **state)
{
	size_t len;
	char *ssa = slurp(CORPUS "netdata-ssacli-p212-p410i-config-detail/"
				 "ssacli-ctrl-all-show-config-detail.txt",
			  &len);
	char *spare =
		slurp(CORPUS "check_raid-cciss-raid5-failed-spare/cciss_vol_status-V.txt", &len);
	char *rec = slurp(CORPUS "check_raid-cciss-raid5-ready-for-recovery/cciss_vol_status.txt",
			  &len);
	const char *const t[] = { ssa, spare, rec, NULL };
	struct hwraid_result r;
	const struct hwraid_ld *ld;
	struct eval e;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 6);
	ld = find(&r, "slot5/array A/ld1");
	assert_int_equal(ld->n_pd, 6); /* the six unassigned drives are not members */
	assert_int_equal(ld->spares, 0);
	assert_string_equal(ld->pd[0].name, "2E:1:1");
	assert_string_equal(ld->pd[0].model, "ATA     MB1000EBZQB");
	ld = find(&r, "sda/vol0");
	eval(ld, &e);
	assert_int_equal(e.g.members_total, 3);
	assert_int_equal(e.g.members_failed, 0);
	assert_int_equal(e.g.margin, 1);
	assert_string_equal(ld->pd[0].serial, "JXY1BLJN");
	assert_non_null(strstr(e.reason, "failed drive 1I:1:4"));
	ld = find(&r, "c0d0/vol0");
	eval(ld, &e);
	assert_int_equal(e.g.margin, 0);
	assert_non_null(strstr(e.reason, "replacement drive 2I:1:1"));
	hwraid_result_free(&r);
	free(ssa);
	free(spare);
	free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_detail_degraded),
		cmocka_unit_test(test_parity_groups),
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_no_controller),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
