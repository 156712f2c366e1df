// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The MegaCli driver of hwraid (plugins/hwraid/megacli.c): the corpus
 * capture, made-up degraded and spanned drives, and hostile input.  Run from
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

#define CASE "tests/corpus/hwraid-text/check_raid-megacli-raid5-predictive-failure/"

/* The outputs (LDInfo first) through the driver. */
static int parse2(struct hwraid_result *r, const char *ld, size_t ld_len, const char *pd,
		  size_t pd_len, char *err, size_t errlen)
{
	struct hwraid_output o[2] = {
		{ .name = "ldinfo", .buf = ld, .len = ld_len, .main = true },
		{ .name = "pdlist", .buf = pd, .len = pd_len },
	};

	*r = (struct hwraid_result){ 0 };
	err[0] = '\0';
	return hwraid_megacli.parse(o, pd ? 2 : 1, r, err, errlen);
}

static int parse(struct hwraid_result *r, const char *ld, const char *pd, char *err, size_t len)
{
	return parse2(r, ld, strlen(ld), pd, pd ? strlen(pd) : 0, err, len);
}

static void test_corpus(void **state)
{
	size_t ll, pl;
	char *ld = slurp(CASE "megacli-ldinfo-lall-aall.txt", &ll);
	char *pd = slurp(CASE "megacli-pdlist-aall.txt", &pl);
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse2(&r, ld, ll, pd, pl, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "a0/vd0");
	assert_string_equal(e.g.type, "raid5");
	assert_int_equal(e.g.members_total, 8);
	assert_int_equal(e.g.members_ok, 8);
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(e.g.margin_nominal, 1);
	assert_string_equal(e.mem[2].location, "252:2");
	assert_string_equal(e.mem[2].device, "/dev/bus/0 megaraid,9");
	assert_string_equal(e.mem[2].state, "Online");
	assert_non_null(e.mem[2].reason);
	assert_non_null(
		strstr(e.mem[2].reason, "predictive failure count 423 and a S.M.A.R.T alert"));
	assert_null(e.mem[1].reason);
	assert_non_null(strstr(e.g.reason, "252:2"));
	assert_non_null(strstr(e.g.reason, "write-through"));
	hwraid_result_free(&r);
	/* LDInfo alone: the drive and its count, no members listed. */
	assert_int_equal(parse2(&r, ld, ll, NULL, 0, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_total, 8);
	hwraid_result_free(&r);
	free(ld);
	free(pd);
}

static const char raid10_ld[] =
	"Adapter 1 -- Virtual Drive Information:\n"
	"Virtual Drive: 3 (Target Id: 3)\n"
	"RAID Level          : Primary-1, Secondary-3, RAID Level Qualifier-0\n"
	"State               : Degraded\n"
	"Number Of Drives per span:2\n"
	"Span Depth          : 2\n"
	"Ongoing Progresses:\n"
	"  Rebuild              : Completed 43%, Taken 10 min.\n"
	"Exit Code: 0x00\n";

static const char raid10_pd[] = "Adapter #1\n\n"
				"Enclosure Device ID: 32\nSlot Number: 0\n"
				"Drive's position: DiskGroup: 5, Span: 0, Arm: 0\nDevice Id: 4\n"
				"Firmware state: Online, Spun Up\n\n"
				"Enclosure Device ID: 32\nSlot Number: 1\n"
				"Drive's position: DiskGroup: 5, Span: 0, Arm: 1\nDevice Id: 5\n"
				"Firmware state: Online, Spun Up\n\n"
				"Enclosure Device ID: 32\nSlot Number: 2\n"
				"Drive's position: DiskGroup: 5, Span: 1, Arm: 0\nDevice Id: 6\n"
				"Firmware state: Rebuild\n\n"
				"Enclosure Device ID: N/A\nSlot Number: 3\n"
				"Drive's position: DiskGroup: 5, Span: 1, Arm: 1\nDevice Id: 7\n"
				"Firmware state: Online, Spun Up\n\n"
				"Enclosure Device ID: 32\nSlot Number: 4\nDevice Id: 8\n"
				"Firmware state: Hotspare, Spun down\n\n"
				"Enclosure Device ID: 32\nSlot Number: 5\nDevice Id: 9\n"
				"Firmware state: Unconfigured(bad)\nForeign State: Foreign\n"
				"Exit Code: 0x00\n";

/*
 * smartctl's /dev/bus/N is the SCSI host's number: with the one megaraid_sas
 * host known (live: host6) and one adapter, every drive is on /dev/bus/6;
 * with drives on two adapters (which host is which is not said), each
 * adapter's number.
 */
static void test_smartctl_bus(void **state)
{
	size_t ll, pl;
	char *ld = slurp(CASE "megacli-ldinfo-lall-aall.txt", &ll);
	char *pd = slurp(CASE "megacli-pdlist-aall.txt", &pl);
	struct hwraid_output o[4] = {
		{ .name = "ldinfo",
		  .buf = ld,
		  .len = ll,
		  .main = true,
		  .host_known = true,
		  .host = 6 },
		{ .name = "pdlist", .buf = pd, .len = pl, .host_known = true, .host = 6 },
		{ .name = "ldinfo1", .buf = raid10_ld, .len = strlen(raid10_ld), .main = true },
		{ .name = "pdlist1", .buf = raid10_pd, .len = strlen(raid10_pd) },
	};
	struct hwraid_result r = { 0 };
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(hwraid_megacli.parse(o, 2, &r, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.n_members, 8);
	for (size_t i = 0; i < e.g.n_members; i++)
		assert_true(strncmp(e.mem[i].device, "/dev/bus/6 megaraid,", 20) == 0);
	assert_string_equal(e.mem[2].device, "/dev/bus/6 megaraid,9");
	hwraid_result_free(&r);
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_megacli.parse(o, 4, &r, err, sizeof(err)), 0);
	eval(find(&r, "a0/vd0"), &e);
	assert_string_equal(e.mem[2].device, "/dev/bus/0 megaraid,9");
	eval(find(&r, "a1/vd3"), &e);
	assert_string_equal(e.mem[0].device, "/dev/bus/1 megaraid,4");
	hwraid_result_free(&r);
	free(ld);
	free(pd);
}

static void test_raid10_rebuild(void **state)
{
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, raid10_ld, raid10_pd, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "a1/vd3");
	assert_string_equal(e.g.type, "raid10");
	assert_int_equal(e.g.members_total, 4);
	assert_int_equal(e.g.members_ok, 3);
	assert_int_equal(e.g.spares, 1);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > 42.9 && e.g.progress < 43.1);
	assert_string_equal(e.mem[3].location, ":3");
	assert_int_equal(e.mem[2].role, REDMON_ROLE_REBUILDING);
	assert_int_equal(e.mem[4].role, REDMON_ROLE_SPARE);
	assert_non_null(strstr(e.g.reason, "1 unconfigured-bad drive"));
	assert_non_null(strstr(e.g.reason, "foreign"));
	hwraid_result_free(&r);
}

static void test_states(void **state)
{
	static const char *const words[] = { "Offline", "Partially Degraded", "Frobnicated",
					     "Frobnicated Beyond All Recognition" };
	static const int margins[] = { -1, 0, REDMON_MARGIN_UNKNOWN, REDMON_MARGIN_UNKNOWN };
	struct hwraid_result r;
	char ld[512], err[256];
	struct eval e;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(
			ld, sizeof(ld),
			"Adapter 0 -- Virtual Drive Information:\nVirtual Drive: 0 (Target Id: 0)\n"
			"RAID Level : Primary-6, Secondary-0, RAID Level Qualifier-3\n"
			"State : %s\nNumber Of Drives : 4\nSpan Depth : 1\n",
			words[i]);
		assert_int_equal(parse(&r, ld, NULL, err, sizeof(err)), 0);
		eval(&r.ld[0], &e);
		assert_string_equal(e.g.type, "raid6");
		assert_int_equal(e.g.margin, margins[i]);
		assert_non_null(strstr(e.g.reason, words[i]));
		hwraid_result_free(&r);
	}
	/* a level the rules do not know: the line as printed is in the reason */
	snprintf(ld, sizeof(ld),
		 "Adapter 0 -- Virtual Drive Information:\nVirtual Drive: 0 (Target Id: 0)\n"
		 "RAID Level : Primary-3, Secondary-0, RAID Level Qualifier-0\n"
		 "State : Optimal\nNumber Of Drives : 4\nSpan Depth : 1\n");
	assert_int_equal(parse(&r, ld, NULL, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "RAID level 'Primary-3, Secondary-0, RAID Level "
					   "Qualifier-0' not understood"));
	hwraid_result_free(&r);
}

/* Two drives, one disk group: which drives are whose cannot be told. */
static void test_unpaired(void **state)
{
	const char *ld = "Adapter 0 -- Virtual Drive Information:\n"
			 "Virtual Drive: 0 (Target Id: 0)\nRAID Level : Primary-1, Secondary-0\n"
			 "State : Optimal\nNumber Of Drives : 2\n"
			 "Virtual Drive: 1 (Target Id: 1)\nRAID Level : Primary-1, Secondary-0\n"
			 "State : Optimal\nNumber Of Drives : 2\n";
	const char *pd = "Adapter #0\nEnclosure Device ID: 8\nSlot Number: 0\n"
			 "Drive's position: DiskGroup: 0, Span: 0, Arm: 0\n"
			 "Firmware state: Online, Spun Up\n";
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, ld, pd, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	eval(&r.ld[1], &e);
	assert_string_equal(e.g.name, "a0/vd1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.n_members, 0);
	assert_non_null(strstr(e.g.reason, "not known"));
	hwraid_result_free(&r);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n\x01\x02\xff\n",
		"Adapter 0\nVirtual Drive: 99999999999999999999999 (Target Id: 0)\n",
		"Adapter 0\nVirtual Drive: x\n",
		"Adapter 0\nVirtual Drive: 0\nNumber Of Drives : 100000\n",
		"Adapter 0\nEnclosure Device ID: 252\nPredictive Failure Count: "
		"99999999999999999\n",
		"Adapter 0\nEnclosure Device ID: 70000\n",
		"Exit Code: 0xzz\n",
	};
	size_t ll, pl;
	char *ld = slurp(CASE "megacli-ldinfo-lall-aall.txt", &ll);
	char *pd = slurp(CASE "megacli-pdlist-aall.txt", &pl);
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&r, bad[i], NULL, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		hwraid_result_free(&r);
	}
	assert_int_equal(parse(&r, "Adapter 0: No Virtual Drive Configured.\nExit Code: 0x01\n",
			       NULL, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "0x01"));
	hwraid_result_free(&r);
	/* Cut anywhere: never a crash, and what is left is still sound. */
	for (size_t cut = 0; cut < pl; cut += 97) {
		if (parse2(&r, ld, ll, pd, cut, err, sizeof(err)) == 0 && r.n_ld == 1) {
			eval(&r.ld[0], &e);
			assert_true(e.g.members_ok <= e.g.members_total);
		}
		hwraid_result_free(&r);
	}
	/* A state word with control bytes reaches no text unprinted. */
	assert_int_equal(parse(&r, "Adapter 0\nVirtual Drive: 0\nState : Bad\x1b[31m\n", NULL, err,
			       sizeof(err)),
			 0);
	assert_null(strchr(r.ld[0].state, '\x1b'));
	hwraid_result_free(&r);
	free(ld);
	free(pd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),	cmocka_unit_test(test_raid10_rebuild),
		cmocka_unit_test(test_states),	cmocka_unit_test(test_unpaired),
		cmocka_unit_test(test_hostile), cmocka_unit_test(test_smartctl_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
