// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tw_cli driver of hwraid (plugins/hwraid/twcli.c): the real captures of
 * tests/captures/hwraid, made-up tables for the states no capture shows, and
 * hostile input.  Run from the top of the tree.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"

#define HWRAID_TEST_MEMBERS 32
#include "hwraid_test.h"

#define CAP "tests/captures/hwraid/check_raid-tw_cli-"

#define UNITS                                                                                      \
	"Unit  UnitType  Status         %RCmpl  %V/I/M  Stripe  Size(GB)  Cache  AVrfy\n"          \
	"------------------------------------------------------------------------------\n"
#define PORTS                                                                                      \
	"VPort Status         Unit Size      Type  Phy Encl-Slot    Model\n"                       \
	"------------------------------------------------------------------------------\n"
#define LIST                                                                                       \
	"Ctl   Model        (V)Ports  Drives   Units   NotOpt  RRate   VRate  BBU\n"               \
	"------------------------------------------------------------------------\n"

/* Files of a capture case (NULL-terminated names), named as the files are. */
static int parse_files(struct hwraid_result *r, const char *dir, const char *const *files,
		       char *err, size_t len)
{
	struct hwraid_output o[8] = { 0 };
	char *bufs[8] = { 0 }, path[256];
	size_t n = 0;
	int rc;

	for (; files[n] && n < 8; n++) {
		snprintf(path, sizeof(path), CAP "%s/%s", dir, files[n]);
		bufs[n] = slurp(path, &o[n].len);
		o[n] = (struct hwraid_output){
			.name = files[n], .buf = bufs[n], .len = o[n].len, .main = true
		};
	}
	*r = (struct hwraid_result){ 0 };
	err[0] = '\0';
	rc = hwraid_twcli.parse(o, n, r, err, len);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	return rc;
}

static int parse(struct hwraid_result *r, const char *const *texts, char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_twcli, r, NULL, texts, false, err, len);
}

static const struct redmon_member *member(const struct eval *e, const char *name)
{
	for (size_t i = 0; i < e->g.n_members; i++) {
		if (strcmp(e->mem[i].name, name) == 0)
			return &e->mem[i];
	}
	fail_msg("no member %s", name);
	return NULL;
}

static void test_rebuilding(void **state)
{
	const char *f[] = { "tw_cli-info.txt", "tw_cli-info-c0-drivestatus.txt",
			    "tw_cli-info-c0-unitstatus.txt", NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse_files(&r, "raid1-rebuilding-98", f, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c0/u0");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress > 97.9 && e.g.progress < 98.1);
	assert_int_equal(member(&e, "p0")->role, REDMON_ROLE_REBUILDING);
	assert_string_equal(member(&e, "p0")->serial, "9QM1SHZY");
	assert_string_equal(member(&e, "p0")->device, "/dev/twa0 3ware,0"); /* 9650SE: 3w-9xxx */
	assert_string_equal(member(&e, "p1")->location, "p1");
	hwraid_result_free(&r);
}

static void test_spares_and_show_all(void **state)
{
	const char *sys[] = { "tw_cli-info.txt", "tw_cli-info-c0-bbustatus.txt",
			      "tw_cli-info-c0-drivestatus.txt", "tw_cli-info-c0-unitstatus.txt",
			      NULL };
	const char *all[] = { "tw_cli-c0-show-all.txt", "tw_cli-info-c0-drivestatus.txt",
			      "tw_cli-info-c0-unitstatus.txt", "tw_cli-info.txt", NULL };
	const char *jbod[] = { "tw_cli-show.txt", "tw_cli-info-c0-unitstatus.txt",
			       "tw_cli-info-c0-drivestatus.txt", NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse_files(&r, "raid10-verifying-two-spares", sys, err, sizeof(err)), 0);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_total, 10);
	assert_int_equal(e.g.spares, 2);
	assert_int_equal(e.g.margin, 1);
	assert_int_equal(member(&e, "p11")->role, REDMON_ROLE_SPARE);
	assert_non_null(strstr(e.g.reason, "VERIFYING, 25%"));
	hwraid_result_free(&r);

	/* the same unit and ports in "/c0 show all" and drivestatus: once each */
	assert_int_equal(parse_files(&r, "9750-raid5-verifying-show-all", all, err, sizeof(err)),
			 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.members_total, 4);
	assert_string_equal(r.ld[0].pd[0].model, "SEAGATE ST32000444SS");
	hwraid_result_free(&r);

	assert_int_equal(parse_files(&r, "raid10-two-jbod", jbod, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1); /* u1, u2 JBOD: no groups */
	assert_string_equal(r.ld[0].name, "c0/u0");
	hwraid_result_free(&r);
}

/* States no capture shows, a BBU in trouble, and a controller named by "show all". */
static void test_words(void **state)
{
	const char *t[] = {
		LIST
		"c1    9650SE-4LPML 4         4        3       2       1      1      Charging\n",
		"/c1 Model = 9650SE-4LPML\n\n" UNITS
		"u0    RAID-5    DEGRADED       -       -       64K     931.303   ON     OFF\n"
		"u1    RAID-1    INOPERABLE     -       -       -       100       ON     OFF\n"
		"u2    RAID-6    WOBBLY         -       -       64K     100       ON     OFF\n"
		"u3    SPARE     OK             -       -       -       100       -      OFF\n"
		"\n" PORTS "p0    OK             u0   465.76 GB SATA  0   -            WDC WD5000\n"
		"p1    SMART-FAILURE  u0   465.76 GB SATA  1   -            WDC WD5000\n"
		"p2    DEGRADED       u0   465.76 GB SATA  2   -            WDC WD5000\n"
		"p3    DEVICE-ERROR   u3   465.76 GB SATA  3   -            WDC WD5000\n"
		"\nName  OnlineState  BBUReady  Status    Volt     Temp     Hours  LastCapTest\n"
		"---------------------------------------------------------------------------\n"
		"bbu   On           No        FAULT     OK       OK       0      xx-xxx-xxxx\n",
		NULL
	};
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 3);
	eval(find(&r, "c1/u0"), &e);
	assert_int_equal(e.g.members_failed, 1); /* p2 DEGRADED outside a rebuild */
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.spares, 0); /* the spare p3 has failed */
	assert_non_null(strstr(e.g.reason, "spare p3 DEVICE-ERROR"));
	assert_non_null(strstr(e.g.reason, "p1 SMART-FAILURE"));
	assert_non_null(strstr(e.g.reason, "BBU Charging"));
	assert_non_null(strstr(e.g.reason, "BBU status FAULT"));
	assert_non_null(strstr(e.g.reason, "BBU not ready"));
	eval(find(&r, "c1/u1"), &e);
	assert_int_equal(e.g.margin, -1);
	eval(find(&r, "c1/u2"), &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "WOBBLY"));
	hwraid_result_free(&r);
}

/* A listed controller with units whose tables were not read; no controller at all. */
static void test_controllers(void **state)
{
	const char *unread[] = {
		LIST "c0    9650SE-2LP   2         2        1       0       1       1      -\n"
		     "c3    9650SE-2LP   2         2        1       0       1       1      -\n",
		"/c0 Model = 9650SE-2LP\n" UNITS
		"u0    RAID-1    OK             -       -       -       465.651   OFF    OFF\n",
		NULL
	};
	const char *none[] = { "No controller found.\n", NULL };
	const char *c2[] = {
		"/c2 Driver Version = 3.26.00.028\n/c2 Model = 9750-8i\n\n" UNITS
		"u0    RAID-1    OK             -       -       -       100       ON     OFF\n"
		"\n" PORTS "p4    OK             u0   1.82 TB   SAS   -   /c2/e0/slt4  SEAGATE X\n",
		NULL
	};
	struct eval e;
	const char *missing[] = { LIST "c0    9650SE-2LP   2         2        1       0       1"
				       "       1      -\n",
				  "Error: (CLI:003) Specified controller does not exist.\n", NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(parse(&r, unread, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "c3"));
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, c2, err, sizeof(err)), 0);
	eval(find(&r, "c2/u0"), &e); /* the controller from "/c2 ..." lines */
	assert_string_equal(e.mem[0].device, "/dev/twl2 3ware,4"); /* 9750: 3w-sas */
	assert_string_equal(r.ld[0].pd[0].model, "SEAGATE X");
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, none, err, sizeof(err)), 0);
	assert_true(r.none);
	assert_int_equal(r.n_ld, 0);
	hwraid_result_free(&r);
	assert_int_equal(parse(&r, missing, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "c0 has 1 units"));
	hwraid_result_free(&r);
}

/* The controller list of the live path: the ids "show" names, gaps and all. */
static void test_controller_list(void **state)
{
	size_t l;
	char *info = slurp(CAP "9750-three-units-enclosures/tw_cli-show.txt", &l);
	char *two = calloc(1, l + 128);
	const char *units =
		UNITS "u0    RAID-1    OK             -       -       -       100  ON  OFF\n";
	int ctl[HWRAID_MAX_CTL];

	(void)state;
	assert_non_null(two);
	assert_int_equal(hwraid_twcli.controllers(info, l, ctl, HWRAID_MAX_CTL), 1);
	assert_int_equal(ctl[0], 0);
	snprintf(two, l + 128,
		 LIST "c0    9750-4i      4         4        1       0       1"
		      "       1      OK\nc8    9650SE-2LP   2         2        1       0"
		      "       1       1      -\n");
	assert_int_equal(hwraid_twcli.controllers(two, strlen(two), ctl, HWRAID_MAX_CTL), 2);
	assert_int_equal(ctl[0], 0);
	assert_int_equal(ctl[1], 8);
	assert_int_equal(hwraid_twcli.controllers(two, strlen(two), ctl, 1), 1); /* at most max */
	assert_int_equal(hwraid_twcli.controllers("No controller found.\n", 21, ctl, 4), 0);
	assert_int_equal(hwraid_twcli.controllers(units, strlen(units), ctl, 4), -EINVAL);
	assert_int_equal(hwraid_twcli.controllers("garbage\n", 8, ctl, 4), -EINVAL);
	assert_int_equal(hwraid_twcli.controllers("", 0, ctl, 4), -EINVAL);
	assert_int_equal(hwraid_twcli.controllers(LIST "c0 x\n", strlen(LIST) + 5, ctl, 4),
			 -EINVAL);
	free(info);
	free(two);
}

/*
 * "show" lists 17 controllers with a unit each; the live path reads
 * "/cN show all" of the first HWRAID_MAX_CTL only: the run does not fail on
 * c16, the units read name it in their reasons.  One of the first 16 unread
 * still fails the run.
 */
static void test_more_controllers_than_read(void **state)
{
	char list[4096] = LIST, names[HWRAID_MAX_CTL + 1][32], texts[HWRAID_MAX_CTL][512];
	struct hwraid_output o[HWRAID_MAX_CTL + 1];
	int ctl[HWRAID_MAX_CTL + 1];
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	for (int c = 0; c <= HWRAID_MAX_CTL; c++) {
		size_t k = strlen(list);

		snprintf(list + k, sizeof(list) - k,
			 "c%-4d 9650SE-2LP   2         2        1       0       1       1      -\n",
			 c);
	}
	assert_int_equal(hwraid_twcli.controllers(list, strlen(list), ctl, HWRAID_MAX_CTL + 1),
			 HWRAID_MAX_CTL + 1);
	o[0] = (struct hwraid_output){
		.name = "tw_cli show", .buf = list, .len = strlen(list), .main = true
	};
	for (int c = 0; c < HWRAID_MAX_CTL; c++) {
		snprintf(names[c], sizeof(names[c]), "tw_cli /c%d show all", c);
		snprintf(texts[c], sizeof(texts[c]), "/c%d Model = 9650SE-2LP\n%s%s", c, UNITS,
			 "u0    RAID-1    OK             -       -       -       465.651   OFF    "
			 "OFF\n");
		o[c + 1] = (struct hwraid_output){
			.name = names[c], .buf = texts[c], .len = strlen(texts[c]), .main = false
		};
	}
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_twcli.parse(o, HWRAID_MAX_CTL + 1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, HWRAID_MAX_CTL);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_non_null(e.g.reason);
		assert_non_null(strstr(e.g.reason, "1 controller not read (c16): redmon reads the "
						   "first 16 a tool lists"));
	}
	assert_non_null(find(&r, "c15/u0"));
	hwraid_result_free(&r);
	/* c3's output left out (it failed): the run fails, naming it */
	o[4] = o[HWRAID_MAX_CTL];
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_twcli.parse(o, HWRAID_MAX_CTL, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "c3 has 1 units, none read"));
	hwraid_result_free(&r);
}

/* The commands as registered: "show" once, "/c{ctl} show all" per controller, the id inside a word. */
static void test_commands(void **state)
{
	struct hwraid_argv a;
	const char *const long_word[HWRAID_MAX_ARGS] = {
		"/c" HWRAID_CTL
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		NULL
	};
	const char *const twice[HWRAID_MAX_ARGS] = { HWRAID_CTL "-" HWRAID_CTL, "x", NULL };

	(void)state;
	assert_int_equal(hwraid_twcli.n_commands, 2);
	assert_false(hwraid_command_per_ctl(hwraid_twcli.commands[0]));
	assert_true(hwraid_command_per_ctl(hwraid_twcli.commands[1]));
	assert_string_equal(hwraid_twcli.list_command[0], "show");
	assert_int_equal(hwraid_twcli.first_ctl, 0);
	assert_int_equal(hwraid_argv_make(&a, "/sbin/tw_cli", hwraid_twcli.commands[1], 8), 0);
	assert_string_equal(a.argv[0], "/sbin/tw_cli");
	assert_string_equal(a.argv[1], "/c8");
	assert_string_equal(a.argv[2], "show");
	assert_string_equal(a.argv[3], "all");
	assert_null(a.argv[4]);
	assert_int_equal(hwraid_argv_make(&a, "/sbin/tw_cli", hwraid_twcli.commands[0], -1), 0);
	assert_string_equal(a.argv[1], "show");
	assert_null(a.argv[2]);
	assert_int_equal(hwraid_argv_make(&a, "t", twice, 12), 0);
	assert_string_equal(a.argv[1], "12-12");
	assert_string_equal(a.argv[2], "x");
	assert_int_equal(hwraid_argv_make(&a, "t", hwraid_twcli.commands[1], -1), -EINVAL);
	assert_int_equal(hwraid_argv_make(&a, "t", long_word, 1), -E2BIG);
}

#define LONG_PORT_STATE "A_PORT_STATE_OF_SEVENTY_BYTES_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/*
 * A live output is named by its command: "tw_cli /c8 show all" without
 * "/c8" lines (the older tables) is controller 8's.  A unit type nobody
 * knows and words past 23 bytes are named whole, a control byte as '?'.
 */
static void test_named_by_command(void **state)
{
	size_t l;
	char *units = slurp(CAP "raid1-rebuilding-98/tw_cli-info-c0-unitstatus.txt", &l);
	char *ports = slurp(CAP "raid1-rebuilding-98/tw_cli-info-c0-drivestatus.txt", &l);
	char *both = calloc(1, 8192);
	const char *names[] = { "tw_cli show", "tw_cli /c8 show all", NULL };
	const char *odd[] = {
		UNITS
		"u0    RAID-3    OK             -       -       64K     931.303   ON     OFF\n"
		"u1    RAID-1    A_STATE_WORD_OF_FORTY_FOUR_BYTES_NOBODY_KNOWS -  -  -  1  ON  "
		"OFF\n"
		"u2    RAID-1    BAD\x1b[2JWORD  -  -  -  1  ON  OFF\n"
		"u3    RAID-1    OK  -  -  -  1  ON  OFF\n" PORTS "p0    " LONG_PORT_STATE
		"  u3   1 GB  SATA  0  -  M\n",
		NULL
	};
	const char *t[3];
	struct hwraid_result r;
	char err[256], want[128];
	struct eval e;

	(void)state;
	assert_non_null(both);
	snprintf(both, 8192, "%s%s", units, ports);
	t[0] = LIST "c8    9650SE-2LP   2         2        1       1       1       1      -\n";
	t[1] = both;
	t[2] = NULL;
	assert_int_equal(hwraid_test_parse(&hwraid_twcli, &r, names, t, false, err, sizeof(err)),
			 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "c8/u0");
	assert_string_equal(member(&e, "p0")->device, "/dev/twa8 3ware,0");
	hwraid_result_free(&r);

	assert_int_equal(parse(&r, odd, err, sizeof(err)), 0);
	eval(find(&r, "c0/u0"), &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "RAID level 'RAID-3' not understood"));
	eval(find(&r, "c0/u1"), &e);
	assert_non_null(
		strstr(e.g.reason,
		       "state 'A_STATE_WORD_OF_FORTY_FOUR_BYTES_NOBODY_KNOWS' not understood"));
	eval(find(&r, "c0/u2"), &e);
	assert_non_null(strstr(e.g.reason, "'BAD?[2JWORD' not understood"));
	eval(find(&r, "c0/u3"), &e); /* a word past 63 bytes: its first 63 */
	assert_true(strlen(LONG_PORT_STATE) > HWRAID_WORD);
	snprintf(want, sizeof(want), "p0 state '%.63s' not understood", LONG_PORT_STATE);
	assert_non_null(strstr(e.g.reason, want));
	assert_int_equal(strlen(r.ld[3].pd[0].state), HWRAID_WORD - 1);
	hwraid_result_free(&r);
	free(units);
	free(ports);
	free(both);
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"----------\n", /* check_raid's "empty" capture */
		"garbage\n\x01\xff\n",
		UNITS "u0 RAID-1\n",
		PORTS "p0\n",
		LIST "c0 x\n",
	};
	size_t l;
	char *d = slurp(CAP "9750-three-units-enclosures/tw_cli-info-c0-drivestatus.txt", &l);
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
	for (size_t cut = 0; cut < l; cut += 11) {
		char *c = strndup(d, cut);
		const char *t[] = { UNITS "u1 RAID-10 OK - - 256K 11175.8 RiW ON\n", c, NULL };

		if (parse(&r, t, err, sizeof(err)) == 0 && r.n_ld == 1) {
			eval(&r.ld[0], &e);
			assert_true(e.g.members_ok <= e.g.members_total && e.g.members_total <= 8);
		}
		hwraid_result_free(&r);
		free(c);
	}
	{
		const char *huge[] = { UNITS "u99999999999 RAID-1 OK - - - 1 ON OFF\n", NULL };
		const char *t[] = { UNITS "u1 RAID-1 OK\x1b[2J 101% 5%(A) - 1 ON OFF\n" PORTS
					  "p0 OK u1 1 GB SATA 0 - Model\x7f\xfe with words\n",
				    NULL };

		assert_int_equal(parse(&r, huge, err, sizeof(err)), 0);
		assert_int_equal(r.n_ld, 0); /* no unit number: not a row, the table ends */
		hwraid_result_free(&r);
		assert_int_equal(parse(&r, t, err, sizeof(err)), 0);
		assert_null(strchr(r.ld[0].state, '\x1b'));
		assert_string_equal(r.ld[0].pd[0].model, "Model?? with words");
		assert_true(r.ld[0].progress <
			    0); /* 101% is no percentage; not rebuilding anyway */
		hwraid_result_free(&r);
	}
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuilding),
		cmocka_unit_test(test_spares_and_show_all),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_controllers),
		cmocka_unit_test(test_controller_list),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_named_by_command),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_more_controllers_than_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
