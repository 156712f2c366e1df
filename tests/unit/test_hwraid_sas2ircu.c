// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sas2ircu driver of hwraid (plugins/hwraid/sas2ircu.c): the real
 * captures of tests/captures/hwraid, the optimal one with its state words
 * edited for the states no public capture shows (degraded, rebuilding,
 * missing, hot spare, inactive), and hostile input.  Run from the top of the
 * tree.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

#define HWRAID_TEST_MEMBERS 16
#include "hwraid_test.h"

#define CAP "tests/captures/hwraid/check_raid-sas2ircu-"

static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_sas2ircu, r, NULL, texts, true, err, len);
}

/* The optimal DISPLAY with every "from" replaced by "to" (a new string, owned). */
static char *edited(const char *text, const char *from, const char *to)
{
	size_t n = strlen(text) + 4096;
	char *out = calloc(1, n), *o = out;
	const char *p = text, *hit;

	assert_non_null(out);
	while ((hit = strstr(p, from))) {
		o += snprintf(o, n - (size_t)(o - out), "%.*s%s", (int)(hit - p), p, to);
		p = hit + strlen(from);
	}
	snprintf(o, n - (size_t)(o - out), "%s", p);
	return out;
}

static void test_captures(void **state)
{
	size_t l;
	char *list = slurp(CAP "raid1-optimal/sas2ircu-list.txt", &l);
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char *stat = slurp(CAP "raid1-optimal/sas2ircu-0-status.txt", &l);
	char *none_disp = slurp(CAP "sas2008-no-volumes/sas2ircu-0-display.txt", &l);
	char *none_stat = slurp(CAP "sas2008-no-volumes/sas2ircu-0-status.txt", &l);
	const char *ok[] = { list, disp, stat, NULL }, *none[] = { none_disp, none_stat, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, ok, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c0/ir-volume1");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 2);
	assert_int_equal(e.g.margin, 1);
	assert_null(e.g.reason);
	assert_string_equal(e.mem[0].location, "1:0");
	assert_string_equal(e.mem[1].serial, "41BHT0JIT");
	assert_string_equal(e.mem[1].state, "Optimal (OPT)");
	assert_string_equal(r.ld[0].pd[0].model, "TOSHIBA MK1661GS");
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, none, err, sizeof(err)), 0); /* an HBA, twelve Ready drives */
	assert_int_equal(r.n_ld, 0);
	assert_false(r.none);
	hwraid_result_free(&r);
	{
		const char *t[] = { "LSI Corporation SAS2 IR Configuration Utility.\n"
				    "Version 18.00.00.00 (2013.11.18) \n\n"
				    "SAS2IRCU: MPTLib2 Error 1\n",
				    "SAS2IRCU: No Controller Found at index 0.\n", NULL };
		const char *main_only[] = { t[0], NULL };

		assert_int_equal(hwraid_test_parse(&hwraid_sas2ircu, &r, NULL, main_only, false,
						   err, sizeof(err)),
				 0);
		assert_true(r.none); /* no SAS2 controller at all */
		hwraid_result_free(&r);
		assert_int_equal(
			hwraid_test_parse(&hwraid_sas2ircu, &r, NULL, t, false, err, sizeof(err)),
			0);
		assert_true(r.none);
		hwraid_result_free(&r);
	}
	free(list);
	free(disp);
	free(stat);
	free(none_disp);
	free(none_stat);
}

#define ROW0 "   0     SAS2008     1000h    72h   00h:03h:00h:00h      1028h   1f1eh \n"

/* The controller list of the live path: LIST's indexes; then every listed one must be read. */
static void test_controller_list(void **state)
{
	size_t l;
	char *list = slurp(CAP "raid1-optimal/sas2ircu-list.txt", &l);
	char *three = edited(list, ROW0,
			     ROW0 "   1     SAS2308_2   1000h    87h   00h:04h:00h:00h      1028h"
				  "   1f1eh \n"
				  "   2     SAS2008     1000h    72h   00h:05h:00h:00h      1028h"
				  "   1f1eh \n");
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char *disp2 = edited(disp, "for controller 0", "for controller 2");
	const char *none = "LSI Corporation SAS2 IR Configuration Utility.\n\n"
			   "SAS2IRCU: MPTLib2 Error 1\n";
	char *hba = slurp(CAP "sas2008-no-volumes/sas2ircu-0-display.txt", &l);
	char *hba1 = edited(hba, "for controller 0", "for controller 1");
	const char *unread[] = { three, disp, disp2, NULL };
	const char *all[] = { three, disp, hba1, disp2, NULL };
	int ctl[HWRAID_MAX_CTL];
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(hwraid_sas2ircu.controllers(list, strlen(list), ctl, HWRAID_MAX_CTL), 1);
	assert_int_equal(ctl[0], 0);
	assert_int_equal(hwraid_sas2ircu.controllers(three, strlen(three), ctl, HWRAID_MAX_CTL), 3);
	assert_int_equal(ctl[1], 1);
	assert_int_equal(ctl[2], 2);
	assert_int_equal(hwraid_sas2ircu.controllers(three, strlen(three), ctl, 2), 2);
	assert_int_equal(hwraid_sas2ircu.controllers(none, strlen(none), ctl, 4), 0);
	assert_int_equal(hwraid_sas2ircu.controllers(disp, strlen(disp), ctl, 4), -EINVAL);
	assert_int_equal(hwraid_sas2ircu.controllers("garbage\n", 8, ctl, 4), -EINVAL);
	assert_int_equal(hwraid_sas2ircu.controllers("", 0, ctl, 4), -EINVAL);

	/* controller 1 listed, its DISPLAY left out (it failed): the run fails, naming it */
	assert_int_equal(
		hwraid_test_parse(&hwraid_sas2ircu, &r, NULL, unread, false, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "controller 1 listed, its DISPLAY not read"));
	hwraid_result_free(&r);
	/* every listed one read (1 an HBA without volumes): 0 and 2, each its volume */
	assert_int_equal(
		hwraid_test_parse(&hwraid_sas2ircu, &r, NULL, all, false, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	assert_non_null(find(&r, "c0/ir-volume1"));
	assert_non_null(find(&r, "c2/ir-volume1"));
	hwraid_result_free(&r);
	free(hba);
	free(hba1);
	free(list);
	free(three);
	free(disp);
	free(disp2);
}

/*
 * LIST names 18 controllers; the live path registers DISPLAY for the first
 * HWRAID_MAX_CTL (0 to 15): the run does not fail on 16 and 17, the volumes
 * read name them in their reasons.  One of the first 16 unread still fails
 * the run; exactly 16 listed and read says nothing of controllers not read.
 */
static void test_more_controllers_than_read(void **state)
{
	size_t l;
	char *list = slurp(CAP "raid1-optimal/sas2ircu-list.txt", &l);
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char rows[4096] = ROW0, from[64], to[64], names[HWRAID_MAX_CTL][32];
	char *shown[HWRAID_MAX_CTL], *many, *sixteen = NULL;
	struct hwraid_output o[HWRAID_MAX_CTL + 1];
	int ctl[HWRAID_MAX_CTL + 1];
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	for (int c = 1; c < HWRAID_MAX_CTL + 2; c++) {
		size_t k = strlen(rows);

		snprintf(rows + k, sizeof(rows) - k,
			 "  %2d     SAS2008     1000h    72h   00h:%02xh:00h:00h      1028h   "
			 "1f1eh \n",
			 c, c + 3);
		if (c == HWRAID_MAX_CTL - 1)
			sixteen = edited(list, ROW0, rows);
	}
	many = edited(list, ROW0, rows);
	/* what the live path asks for: one more than it reads, to know some are left out */
	assert_int_equal(hwraid_sas2ircu.controllers(many, strlen(many), ctl, HWRAID_MAX_CTL + 1),
			 HWRAID_MAX_CTL + 1);
	o[0] = (struct hwraid_output){
		.name = "LIST", .buf = many, .len = strlen(many), .main = true
	};
	for (int c = 0; c < HWRAID_MAX_CTL; c++) {
		snprintf(from, sizeof(from), "for controller 0");
		snprintf(to, sizeof(to), "for controller %d", c);
		shown[c] = edited(disp, from, to);
		snprintf(names[c], sizeof(names[c]), "sas2ircu %d DISPLAY", c);
		o[c + 1] = (struct hwraid_output){
			.name = names[c], .buf = shown[c], .len = strlen(shown[c]), .main = false
		};
	}
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_sas2ircu.parse(o, HWRAID_MAX_CTL + 1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, HWRAID_MAX_CTL);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_non_null(e.g.reason);
		assert_non_null(strstr(e.g.reason,
				       "2 controllers not read (c16, c17): redmon reads "
				       "the first 16 a tool lists"));
	}
	assert_non_null(find(&r, "c15/ir-volume1"));
	hwraid_result_free(&r);
	/* controller 3's DISPLAY left out (it failed): the run fails, naming it */
	o[4] = o[HWRAID_MAX_CTL];
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_sas2ircu.parse(o, HWRAID_MAX_CTL, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "controller 3 listed, its DISPLAY not read"));
	hwraid_result_free(&r);
	/* exactly 16 listed, all read */
	o[4] = (struct hwraid_output){
		.name = names[3], .buf = shown[3], .len = strlen(shown[3]), .main = false
	};
	o[0].buf = sixteen;
	o[0].len = strlen(sixteen);
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_sas2ircu.parse(o, HWRAID_MAX_CTL + 1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, HWRAID_MAX_CTL);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_true(!e.g.reason || !strstr(e.g.reason, "not read"));
	}
	hwraid_result_free(&r);
	for (int c = 0; c < HWRAID_MAX_CTL; c++)
		free(shown[c]);
	free(many);
	free(sixteen);
	free(list);
	free(disp);
}

/* The commands as registered: LIST once, DISPLAY and STATUS per controller. */
static void test_commands(void **state)
{
	struct hwraid_argv a;

	(void)state;
	assert_int_equal(hwraid_sas2ircu.n_commands, 3);
	assert_false(hwraid_command_per_ctl(hwraid_sas2ircu.commands[0]));
	assert_true(hwraid_command_per_ctl(hwraid_sas2ircu.commands[1]));
	assert_true(hwraid_command_per_ctl(hwraid_sas2ircu.commands[2]));
	assert_string_equal(hwraid_sas2ircu.list_command[0], "LIST");
	assert_int_equal(hwraid_argv_make(&a, "/usr/sbin/sas2ircu", hwraid_sas2ircu.commands[2], 2),
			 0);
	assert_string_equal(a.argv[1], "2");
	assert_string_equal(a.argv[2], "STATUS");
	assert_null(a.argv[3]);
}

/* Degraded with a failed member; then rebuilding with STATUS's percentage. */
static void test_degraded_rebuilding(void **state)
{
	size_t l;
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char *dgd = edited(disp, "Okay (OKY)", "Degraded (DGD)");
	char *fld = edited(dgd, "41BHT0JIT\n", "41BHT0JIT\n  State : Failed (FLD)\n");
	char *rbld = edited(dgd, "41BHT0JIT\n", "41BHT0JIT\n  State : Rebuilding (RBLD)\n");
	const char *status = "Background command progress status for controller 0...\n"
			     "IR Volume 1\n"
			     "  Volume ID                               : 79\n"
			     "  Current operation                       : Rebuild\n"
			     "  Volume status                           : Enabled\n"
			     "  Volume state                            : Degraded\n"
			     "  Percentage complete                     : 47.50%\n";
	const char *failed[] = { fld, NULL }, *rebuilding[] = { status, rbld, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, failed, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_failed, 1);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.mem[1].role, REDMON_ROLE_FAILED);
	assert_non_null(strstr(e.g.reason, "Degraded (DGD)"));
	hwraid_result_free(&r);
	/* STATUS before DISPLAY (captures are read sorted by name) */
	assert_int_equal(parse(&r, rebuilding, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > 47.49 && e.g.progress < 47.51);
	assert_int_equal(e.mem[1].role, REDMON_ROLE_REBUILDING);
	hwraid_result_free(&r);
	free(disp);
	free(dgd);
	free(fld);
	free(rbld);
}

/* A PHY with no device in its bay, a hot spare, an inactive volume, an unknown word, controller 1. */
static void test_words(void **state)
{
	size_t l;
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char *c1 = edited(disp, "for controller 0", "for controller 1");
	char *gone = edited(c1, "Enclosure#/Slot#                 : 1:1", "Enclosure#/Slot# : 2:7");
	char *spare = edited(gone,
			     "Optimal (OPT)\n  Size (in MB)/(in sectors)               : "
			     "152627/312581807\n  Manufacturer                            : ATA"
			     "     \n  Model Number                            : TOSHIBA MK1661GS\n"
			     "  Firmware Revision                       : ME0D\n"
			     "  Serial No                               : 41BHT0JIT",
			     "Hot Spare (HSP)\n  Serial No : 41BHT0JIT");
	char *inactive = edited(spare, "Okay (OKY)", "Inactive, Okay (OKY)");
	char *odd = edited(disp, "Okay (OKY)", "Wobbly (WBL)");
	const char *t[] = { inactive, NULL }, *u[] = { odd, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	eval(find(&r, "c1/ir-volume1"), &e);
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.margin, 0); /* 2:7 is missing */
	assert_int_equal(e.g.spares, 1);
	assert_string_equal(e.mem[1].name, "2:7");
	assert_int_equal(e.mem[1].role, REDMON_ROLE_MISSING);
	assert_string_equal(e.mem[2].name, "1:1");
	assert_int_equal(e.mem[2].role, REDMON_ROLE_SPARE);
	assert_non_null(strstr(e.g.reason, "volume inactive"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, u, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "Wobbly"));
	hwraid_result_free(&r);
	free(disp);
	free(c1);
	free(gone);
	free(spare);
	free(inactive);
	free(odd);
}

/*
 * A RAID level nobody knows is named; words past 23 bytes are named whole up
 * to 63, a control byte as '?'.
 */
static void test_unknown_words(void **state)
{
	size_t l;
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
	char *level = edited(disp, ": RAID1\n", ": RAID5 Dedicated Parity\n");
	char *vol = edited(disp, "Okay (OKY)", "Background Initialization Paused (BGP)");
	char *drive = edited(disp, "41BHT0JIT\n",
			     "41BHT0JIT\n  State : Awaiting\x1b[2J Replacement Drive Confirmation "
			     "and then some more words (AWT)\n");
	const char *t1[] = { level, NULL }, *t2[] = { vol, NULL }, *t3[] = { drive, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t1, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "RAID level 'RAID5 Dedicated Parity' not understood"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, t2, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason,
			       "state 'Background Initialization Paused (BGP)' not understood"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, t3, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_non_null(strstr(e.g.reason, "1:1 state 'Awaiting?[2J Replacement Drive "
					   "Confirmation and then some more ' not understood"));
	assert_int_equal(strlen(r.ld[0].pd[1].state), HWRAID_WORD - 1);
	hwraid_result_free(&r);
	free(disp);
	free(level);
	free(vol);
	free(drive);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n\x01\xff\n",
		"SAS2IRCU: Error executing command DISPLAY.\n",
		"Read configuration has been initiated for controller x\n",
		"Read configuration has been initiated for controller 0\nIR Volume information\n"
		"IR volume many\n",
	};
	size_t l;
	char *disp = slurp(CAP "raid1-optimal/sas2ircu-0-display.txt", &l);
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
	for (size_t cut = 0; cut < l; cut += 13) {
		char *c = strndup(disp, cut);
		const char *t[] = { c, NULL };

		if (parse(&r, t, err, sizeof(err)) == 0 && r.n_ld == 1) {
			eval(&r.ld[0], &e);
			assert_true(e.g.members_ok <= e.g.members_total && e.g.members_total <= 2);
		}
		hwraid_result_free(&r);
		free(c);
	}
	{
		char *ctl = edited(disp, "(OPT)", "(OPT)\x1b[31m");
		char *many =
			edited(disp, "  PHY[1] Enclosure#/Slot#                 : 1:1\n",
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n  PHY[1] : 1:1\n"
			       "  PHY[1] : 1:1\n  PHY[1] : 1:1\n");
		const char *t[] = { ctl, NULL }, *m[] = { many, NULL };

		assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
		assert_null(strchr(r.ld[0].pd[0].state, '\x1b'));
		hwraid_result_free(&r);
		assert_int_equal(parse(&r, m, err, sizeof(err)), 0);
		assert_int_equal(r.ld[0].total, 32); /* PHY lines past 32 are not kept */
		hwraid_result_free(&r);
		free(ctl);
		free(many);
	}
	free(disp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures), cmocka_unit_test(test_controller_list),
		cmocka_unit_test(test_commands), cmocka_unit_test(test_degraded_rebuilding),
		cmocka_unit_test(test_words),	 cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_hostile),	 cmocka_unit_test(test_more_controllers_than_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
