// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Adaptec/Microchip arcconf parsers (GETCONFIG, GETSTATUS) and driver,
 * against the corpus captures and made-up outputs in arcconf's real shapes:
 * every segment state, spares, controller trouble, hostile input.  Run from
 * the top of the tree (tests/corpus).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/hwraid/arcconf.h"
#include "../../plugins/hwraid/hwraid.h"

#include "hwraid_test.h"

#define CORPUS "tests/corpus/hwraid-text/"

/* Parse outputs (names[i], texts[i], NULL-terminated, every one main) with the driver. */
static int parse(struct hwraid_result *res, const char *const *names, const char *const *texts,
		 char *err, size_t len)
{
	return hwraid_test_parse(&hwraid_arcconf, res, names, texts, true, err, len);
}

static int parse1(struct hwraid_result *res, const char *text, char *err, size_t len)
{
	const char *names[] = { "arcconf", NULL }, *texts[] = { text, NULL };

	return parse(res, names, texts, err, len);
}

static void test_corpus_raid1(void **state)
{
	size_t n1, n2;
	char *cfg =
		slurp(CORPUS "check_raid-arcconf-raid1-optimal/arcconf-getconfig-1-al.txt", &n1);
	char *st = slurp(CORPUS "check_raid-arcconf-raid1-optimal/arcconf-getstatus-1.txt", &n2);
	const char *names[] = { "arcconf-getconfig-1-al.txt", "arcconf-getstatus-1.txt", NULL };
	const char *texts[] = { cfg, st, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, names, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "ld0");
	assert_string_equal(e.g.type, "raid1");
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.members_ok, 2);
	assert_int_equal(e.g.margin, 1);
	assert_null(e.g.reason);
	assert_string_equal(r.ld[0].pd[0].name, "0,0");
	assert_string_equal(r.ld[0].pd[0].serial, "3LQ1WEH4");
	assert_string_equal(r.ld[0].pd[0].model, "ST373455SS"); /* by Reported Channel,Device */
	assert_true(r.ld[0].progress < 0);
	hwraid_result_free(&r);
	free(cfg);
	free(st);
}

static void test_corpus_raid10_rebuilding(void **state)
{
	size_t n1, n2;
	char *cfg = slurp(CORPUS "check_raid-arcconf-raid10-rebuilding/arcconf-getconfig-1-al.txt",
			  &n1);
	char *st =
		slurp(CORPUS "check_raid-arcconf-raid10-rebuilding/arcconf-getstatus-1.txt", &n2);
	/* the status first: it is applied after every configuration all the same */
	const char *names[] = { "arcconf-getstatus-1.txt", "arcconf-getconfig-1-al.txt", NULL };
	const char *texts[] = { st, cfg, NULL };
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse(&r, names, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "ld0");
	assert_string_equal(e.g.type, "raid10");
	assert_int_equal(e.g.members_total, 4);
	assert_int_equal(e.g.members_ok, 3);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_true(e.g.progress == 1.0);
	assert_string_equal(e.mem[3].name, "Enclosure:0,Slot:3");
	assert_int_equal(e.mem[3].role, REDMON_ROLE_REBUILDING);
	assert_string_equal(e.mem[3].serial, "WD-WCAW36405341"); /* the segment's, not "WD-***" */
	assert_int_equal(r.ld[0].pd[3].span, 1);
	assert_string_equal(r.ld[0].pd[3].model, "WD1003FBYX-01Y7B"); /* by Reported Location */
	assert_string_equal(e.g.reason, "controller says Degraded");
	hwraid_result_free(&r);
	free(cfg);
	free(st);
}

static void test_corpus_ld_only(void **state)
{
	size_t n;
	char *cfg =
		slurp(CORPUS "netdata-arcconf-ld-raid10-optimal/arcconf-getconfig-1-ld.txt", &n);
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(arc_kind(cfg, n), ARC_CONFIG);
	assert_int_equal(parse1(&r, cfg, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "ld0");
	assert_int_equal(e.g.members_total, 4);
	assert_int_equal(e.g.members_ok, 4);
	assert_int_equal(e.g.margin, 1);
	assert_string_equal(e.mem[2].name, "Connector:0,Device:2");
	assert_string_equal(e.mem[2].serial, "7CS00AAD");
	hwraid_result_free(&r);
	free(cfg);
}

#define LD_HEAD                                                                                    \
	"----------------------------------------------------------------------\n"                 \
	"Logical device information\n"                                                             \
	"----------------------------------------------------------------------\n"

static const char ctl_block[] =
	"Controllers found: 1\n"
	"----------------------------------------------------------------------\n"
	"Controller information\n"
	"----------------------------------------------------------------------\n"
	"   Controller Status                        : Not Responding\n"
	"   Defunct disk drive count                 : 1\n"
	"   --------------------------------------------------------\n"
	"   Controller Battery Information\n"
	"   --------------------------------------------------------\n"
	"   Status                                   : Failed\n"
	"\n" LD_HEAD "Logical device number 3\n"
	"   Logical device name                      : x\n"
	"   RAID level                               : 5\n"
	"   Status of logical device                 : Degraded\n"
	"   Write-cache setting                      : Enabled\n"
	"   Write-cache status                       : Off\n"
	"   Protected by Hot-Spare                   : Yes\n"
	"   Global Hot-Spare                         : 0,25\n"
	"   Dedicated Hot-Spare                      : 0,26\n"
	"   Failed stripes                           : Yes\n"
	"   --------------------------------------------------------\n"
	"   Logical device segment information\n"
	"   --------------------------------------------------------\n"
	"   Segment 0                                : Present (0,0) S0\n"
	"   Segment 1                                : Missing\n"
	"   Segment 2                                : Inconsistent (0,5) \n"
	"Logical drive number 4\n"
	"   RAID level                               : 6 Reed-Solomon\n"
	"   Status of logical drive                  : Impacted ( Build/Verify with fix : 90 % )\n"
	"   Segment 0                                : Present (0,1) S1\n"
	"Logical device number 5\n"
	"   RAID level                               : Spanned_volume\n"
	"   Status of logical device                 : Offline\n"
	"   Segment 0                                : Present (0,2) S2\n"
	"\nCommand completed successfully.\n";

static void test_states_and_reasons(void **state)
{
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse1(&r, ctl_block, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 3);

	eval(&r.ld[0], &e);
	assert_string_equal(e.g.name, "ld3");
	assert_int_equal(e.g.members_total, 3);
	assert_int_equal(e.g.members_ok, 1);
	assert_int_equal(e.g.spares, 2);
	assert_int_equal(e.g.margin, 0);
	/* in the order printed: the spares' lines come first */
	assert_string_equal(e.mem[3].name, "missing-1");
	assert_int_equal(e.mem[3].role, REDMON_ROLE_MISSING);
	assert_string_equal(e.mem[4].name, "0,5");
	assert_int_equal(e.mem[4].role, REDMON_ROLE_UNKNOWN);
	assert_int_equal(e.mem[0].role, REDMON_ROLE_SPARE);
	assert_string_equal(e.mem[0].name, "0,25");
	assert_non_null(strstr(e.g.reason, "Segment 2 state 'Inconsistent' not understood"));
	assert_non_null(strstr(e.g.reason, "controller 1 status Not Responding"));
	assert_non_null(strstr(e.g.reason, "cache backup (battery/ZMM) Failed"));
	assert_non_null(strstr(e.g.reason, "1 defunct drive on controller 1"));
	assert_non_null(strstr(e.g.reason, "write cache enabled but off"));
	assert_non_null(strstr(e.g.reason, "stripes lost"));

	eval(&r.ld[1], &e); /* old "logical drive" wording; a Build/Verify running */
	assert_string_equal(e.g.name, "ld4");
	assert_string_equal(e.g.type, "raid6");
	assert_int_equal(e.g.margin, 2);
	assert_non_null(strstr(e.g.reason, "Impacted (Build/Verify with fix : 90 %): redundancy "
					   "being built or verified"));

	eval(&r.ld[2], &e);
	assert_string_equal(e.g.type, "raid0");
	assert_int_equal(e.g.margin, -1); /* offline: service lost */
	hwraid_result_free(&r);
}

/*
 * "Impacted": a Build/Verify computes or checks the redundancy of a logical
 * device whose members are all in place: ok, the task in the reason; with a
 * segment lost, the margin still counts it.  Only the word itself: a longer
 * status naming it stays unknown.
 */
static void test_impacted(void **state)
{
	static const char text[] =
		"Controllers found: 1\n" LD_HEAD "Logical Device number 0\n"
		"   Logical Device name                      : LogicalDrv 0\n"
		"   RAID level                               : 6 Reed-Solomon\n"
		"   Status of Logical Device                 : Impacted ( Build/Verify with fix : "
		"0 % )\n"
		"   Additional details                       : Initialized with Build/Clear\n"
		"   --------------------------------------------------------\n"
		"   Logical Device segment information\n"
		"   --------------------------------------------------------\n"
		"   Segment 0                                : Present "
		"(Controller:1,Enclosure:0,Slot:0) A\n"
		"   Segment 1                                : Present "
		"(Controller:1,Enclosure:0,Slot:1) B\n"
		"   Segment 2                                : Present "
		"(Controller:1,Enclosure:0,Slot:2) C\n"
		"   Segment 3                                : Present "
		"(Controller:1,Enclosure:0,Slot:3) D\n"
		"Logical Device number 1\n"
		"   RAID level                               : 5\n"
		"   Status of Logical Device                 : Impacted\n"
		"   Segment 0                                : Present (0,4) E\n"
		"   Segment 1                                : Missing\n"
		"   Segment 2                                : Present (0,6) G\n"
		"Logical Device number 2\n"
		"   RAID level                               : 1\n"
		"   Status of Logical Device                 : Impacted (unterminated\x1b[2J\n"
		"   Segment 0                                : Present (0,7) H\n"
		"   Segment 1                                : Present (0,8) I\n";
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse1(&r, text, err, sizeof(err)), 0);
	eval(find(&r, "ld0"), &e);
	assert_string_equal(e.g.type, "raid6");
	assert_int_equal(e.g.members_ok, 4);
	assert_int_equal(e.g.margin, 2);
	assert_int_equal(e.g.margin_nominal, 2);
	assert_string_equal(e.g.reason, "Impacted (Build/Verify with fix : 0 %): redundancy being "
					"built or verified");
	eval(find(&r, "ld1"), &e);
	assert_int_equal(e.g.margin, 0); /* a RAID5 with a segment missing */
	assert_non_null(strstr(e.g.reason, "Impacted: redundancy being built or verified"));
	eval(find(&r, "ld2"), &e);
	assert_int_equal(e.g.margin, 1);
	assert_non_null(strstr(e.g.reason, "Impacted (unterminated?[2J): "));
	hwraid_result_free(&r);
}

static void test_other_controller(void **state)
{
	const char *names[] = { "arcconf-getconfig-2-al.txt", "arcconf-getstatus-2.txt", NULL };
	const char *texts[] = { LD_HEAD "Logical device number 1\n"
					"   RAID level                  : 1\n"
					"   Status of logical device    : Rebuilding\n"
					"   Segment 0                   : Present (0,0) A\n"
					"   Segment 1                   : Rebuilding (0,1) B\n",
				"Controllers found: 2\nLogical device Task:\n"
				"   Logical device                 : 1\n"
				"   Current operation              : Rebuild\n"
				"   Percentage complete            : 42\n",
				NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(arc_ctl_of("arcconf-getconfig-2-al.txt"), 2);
	assert_int_equal(arc_ctl_of("ARCCONF-GETSTATUS-12"), 12);
	assert_int_equal(arc_ctl_of("arcconf"), 1);
	assert_int_equal(arc_ctl_of("arcconf-getconfig-999999999999999999999-al"), 1);
	assert_int_equal(parse(&r, names, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 1);
	assert_string_equal(r.ld[0].name, "c2/ld1");
	assert_int_equal(r.ld[0].cond, HWRAID_LD_RECOVERY);
	assert_true(r.ld[0].progress == 42.0);
	hwraid_result_free(&r);
}

#define TWO "tests/captures/hwraid/check_raid-arcconf-two-controllers-raid6/"

static char *capture(const char *path)
{
	size_t n;
	char *buf = slurp(path, &n);

	assert_true(n > 0);
	return buf;
}

/*
 * Two controllers (a real capture): the controller list the live path reads
 * at init, and each controller's outputs named by their command, as the
 * live path names them.
 */
static void test_two_controllers(void **state)
{
	const char *names[] = { "arcconf GETCONFIG 1 AL", "arcconf GETCONFIG 2 AL",
				"arcconf GETSTATUS 1", "arcconf GETSTATUS 2", NULL };
	char *c1 = capture(TWO "arcconf-getconfig-1-al.txt"),
	     *c2 = capture(TWO "arcconf-getconfig-2-al.txt"),
	     *st = capture(TWO "arcconf-getstatus-1.txt");
	const char *texts[] = { c1, c2, st, st, NULL };
	int ctl[HWRAID_MAX_CTL];
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(arc_controllers(st, strlen(st), ctl, HWRAID_MAX_CTL), 2);
	assert_int_equal(ctl[0], 1);
	assert_int_equal(ctl[1], 2);
	assert_int_equal(arc_controllers(c2, strlen(c2), ctl, 1), 1); /* bounded */
	assert_int_equal(arc_controllers("Controllers found: 0\n", 21, ctl, 4), 0);
	assert_int_equal(arc_controllers("Controllers found: 99999999999\n", 31, ctl, 4), -EINVAL);
	assert_int_equal(arc_controllers("Controllers found: x\n", 21, ctl, 4), -EINVAL);
	assert_int_equal(arc_controllers("garbage\n", 8, ctl, 4), -EINVAL);
	assert_int_equal(arc_ctl_of("arcconf GETCONFIG 2 AL"), 2);
	assert_int_equal(arc_ctl_of("arcconf GETSTATUS 12"), 12);
	assert_int_equal(arc_ctl_of("arcconf GETCONFIGX 2"), 1);

	assert_int_equal(parse(&r, names, texts, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, 2);
	eval(find(&r, "ld0"), &e);
	assert_string_equal(e.g.type, "raid6");
	assert_int_equal(e.g.members_total, 7);
	assert_int_equal(e.g.margin, 2);
	assert_string_equal(e.mem[0].name, "Connector:0,Device:3");
	assert_non_null(strstr(e.g.reason, "1 defunct drive on controller 1"));
	eval(find(&r, "c2/ld0"), &e);
	assert_string_equal(e.g.type, "raid6");
	assert_int_equal(e.g.members_total, 7);
	assert_int_equal(e.g.margin, 2);
	assert_string_equal(e.mem[0].name, "Connector:1,Device:2");
	assert_string_equal(e.mem[0].serial, "22R0A03FFRG8");
	assert_null(e.g.reason);
	hwraid_result_free(&r);
	free(c1);
	free(c2);
	free(st);
}

/* text with its first "Controllers found: 2" line saying found instead. */
static char *found_says(const char *text, int found)
{
	const char *line = "Controllers found: 2\n", *hit = strstr(text, line);
	size_t n = strlen(text) + 32;
	char *out = calloc(1, n);

	assert_non_null(hit);
	assert_non_null(out);
	snprintf(out, n, "%.*sControllers found: %d\n%s", (int)(hit - text), text, found,
		 hit + strlen(line));
	return out;
}

/*
 * More controllers than the HWRAID_MAX_CTL the live path asks about (it
 * registers GETCONFIG 1 to 16 only): the logical drives it reads name those
 * left out in their reasons; exactly 16, or every one read (captures), says
 * nothing; none read with a logical drive to carry the reason fails the
 * probe, naming them.
 */
static void test_more_controllers_than_read(void **state)
{
	char *c2 = capture(TWO "arcconf-getconfig-2-al.txt");
	struct hwraid_output o[HWRAID_MAX_CTL + 3];
	char names[HWRAID_MAX_CTL + 3][32], *texts[2], err[256];
	const char *want = "3 controllers not read (c17, c18, c19): redmon reads the first 16 a "
			   "tool lists";
	struct hwraid_result r;
	struct eval e;

	(void)state;
	texts[0] = found_says(c2, 19);
	texts[1] = found_says(c2, 16);
	for (size_t k = 0; k < HWRAID_MAX_CTL + 3; k++) {
		snprintf(names[k], sizeof(names[k]), "arcconf GETCONFIG %zu AL", k + 1);
		o[k] = (struct hwraid_output){
			.name = names[k], .buf = texts[0], .len = strlen(texts[0]), .main = true
		};
	}
	/* the first 16 of 19, as the live path reads them */
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_arcconf.parse(o, HWRAID_MAX_CTL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, HWRAID_MAX_CTL);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_non_null(e.g.reason);
		assert_non_null(strstr(e.g.reason, want));
	}
	assert_non_null(find(&r, "c16/ld0"));
	hwraid_result_free(&r);
	/* all 19 read (captures under --root): nothing left out */
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_arcconf.parse(o, HWRAID_MAX_CTL + 3, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_ld, HWRAID_MAX_CTL + 3);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_true(!e.g.reason || !strstr(e.g.reason, "not read"));
	}
	hwraid_result_free(&r);
	/* exactly 16 */
	for (size_t k = 0; k < HWRAID_MAX_CTL; k++) {
		o[k].buf = texts[1];
		o[k].len = strlen(texts[1]);
	}
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_arcconf.parse(o, HWRAID_MAX_CTL, &r, err, sizeof(err)), 0);
	for (size_t i = 0; i < r.n_ld; i++) {
		eval(&r.ld[i], &e);
		assert_true(!e.g.reason || !strstr(e.g.reason, "not read"));
	}
	hwraid_result_free(&r);
	/* 19 found, but the one output read has no logical device: the probe fails, naming them */
	o[0] = (struct hwraid_output){ .name = "arcconf GETSTATUS 1",
				       .buf = "Controllers found: 19\n",
				       .len = 22,
				       .main = false };
	r = (struct hwraid_result){ 0 };
	assert_int_equal(hwraid_arcconf.parse(o, 1, &r, err, sizeof(err)), -E2BIG);
	assert_int_equal(r.n_ld, 0);
	assert_non_null(strstr(err, want));
	hwraid_result_free(&r);
	free(texts[0]);
	free(texts[1]);
	free(c2);
}

/* The outputs named as the live path names them, with the controller's aacraid number. */
static int parse_host(struct hwraid_result *r, const char *cfg, const char *st, int host)
{
	struct hwraid_output o[2] = {
		{ .name = "arcconf GETCONFIG 1 AL",
		  .buf = cfg,
		  .len = strlen(cfg),
		  .main = true,
		  .host_known = host >= 0,
		  .host = host },
		{ .name = "arcconf GETSTATUS 1",
		  .buf = st,
		  .len = strlen(st),
		  .main = false,
		  .host_known = host >= 0,
		  .host = host },
	};
	char err[256];

	*r = (struct hwraid_result){ 0 };
	return hwraid_arcconf.parse(o, 2, r, err, sizeof(err));
}

/*
 * smartctl's device: "/dev/aacH aacraid,H,LUN,TARGET" from the physical
 * device's "Reported Channel,Device(T:L)" on channel 0, when the live path
 * knows H; none without H, without (T:L) (old arcconf), or on another channel.
 */
static void test_smartctl_device(void **state)
{
	char *cfg = capture(CORPUS
			    "check_raid-arcconf-raid10-rebuilding/arcconf-getconfig-1-al.txt"),
	     *st = capture(CORPUS "check_raid-arcconf-raid10-rebuilding/arcconf-getstatus-1.txt"),
	     *old = capture(CORPUS "check_raid-arcconf-raid1-optimal/arcconf-getconfig-1-al.txt"),
	     *two = capture(TWO "arcconf-getconfig-2-al.txt");
	static const char *const bad[] = { "1,0(0:0)", "0,0(0:256)", "0,0", "0,0(x:0)", "0,0(0:0" };
	struct hwraid_result r;
	struct eval e;

	(void)state;
	assert_int_equal(parse_host(&r, cfg, st, 0), 0);
	eval(&r.ld[0], &e);
	assert_string_equal(e.mem[0].device, "/dev/aac0 aacraid,0,0,0");
	assert_string_equal(e.mem[3].name, "Enclosure:0,Slot:3");
	assert_string_equal(e.mem[3].device, "/dev/aac0 aacraid,0,0,3");
	hwraid_result_free(&r);
	assert_int_equal(parse_host(&r, cfg, st, -1), 0); /* H not known */
	eval(&r.ld[0], &e);
	assert_null(e.mem[0].device);
	hwraid_result_free(&r);
	assert_int_equal(parse_host(&r, old, st, 2), 0); /* no (T:L) printed */
	eval(&r.ld[0], &e);
	assert_null(e.mem[0].device);
	hwraid_result_free(&r);
	/* Connector:1,Device:2 is "Reported Channel,Device(T:L) : 0,6(6:0)" */
	assert_int_equal(parse_host(&r, two, st, 3), 0);
	eval(&r.ld[0], &e);
	assert_string_equal(e.mem[0].name, "Connector:1,Device:2");
	assert_string_equal(e.mem[0].device, "/dev/aac3 aacraid,3,0,6");
	hwraid_result_free(&r);
	/* another channel, a LUN out of range, no parentheses: no device */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];

		snprintf(text, sizeof(text),
			 LD_HEAD
			 "Logical device number 0\n"
			 "   RAID level : 1\n   Status of logical device : Optimal\n"
			 "   Segment 0 : Present (0,0) S\n"
			 "----------------------------------------------------------------------\n"
			 "Physical Device information\n"
			 "----------------------------------------------------------------------\n"
			 "      Device #0\n"
			 "         Reported Channel,Device(T:L)       : %s\n",
			 bad[i]);
		assert_int_equal(parse_host(&r, text, st, 0), 0);
		eval(&r.ld[0], &e);
		if (e.mem[0].device)
			fail_msg("%s gave %s", bad[i], e.mem[0].device);
		hwraid_result_free(&r);
	}
	free(cfg);
	free(st);
	free(old);
	free(two);
}

/* A file of the test's sysfs tree, its directories made. */
static void put(const char *root, const char *path, const char *text)
{
	char p[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	for (s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* H: the unique_id of the only aacraid SCSI host, or none. */
static void test_only_host(void **state)
{
	char root[] = "/tmp/test_hwraid_arcconf.XXXXXX", cmd[128];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(hwraid_only_host(fd, "aacraid"), -1); /* no sys at all */
	put(root, "sys/class/scsi_host/host0/proc_name", "ahci\n");
	put(root, "sys/class/scsi_host/host0/unique_id", "1\n");
	assert_int_equal(hwraid_only_host(fd, "aacraid"), -1);
	put(root, "sys/class/scsi_host/host6/proc_name", "aacraid\n");
	put(root, "sys/class/scsi_host/host6/unique_id", "0\n");
	assert_int_equal(hwraid_only_host(fd, "aacraid"), 0); /* the unique_id, not 6 */
	put(root, "sys/class/scsi_host/host7/proc_name", "aacraid\n");
	put(root, "sys/class/scsi_host/host7/unique_id", "1\n");
	assert_int_equal(hwraid_only_host(fd, "aacraid"), -1); /* two: which is which? */
	put(root, "sys/class/scsi_host/host7/proc_name", "aacraidx\n");
	assert_int_equal(hwraid_only_host(fd, "aacraid"), 0);
	put(root, "sys/class/scsi_host/host6/unique_id", "banana\n");
	assert_int_equal(hwraid_only_host(fd, "aacraid"), -1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* A RAID level and a status past 23 bytes nobody knows: both named whole. */
static void test_unknown_words(void **state)
{
	static const char text[] = LD_HEAD
		"Logical device number 0\n"
		"   RAID level                               : 4 Dedicated Parity\n"
		"   Status of logical device                 : Impacted Consistency Check Queued\n"
		"   Segment 0                                : Present (0,0) S0\n"
		"Logical device number 1\n"
		"   RAID level                               : 5\n"
		"   Status of logical device                 : Optimal\n"
		"   Segment 0                                : Present (0,1) S1\n"
		"   Segment 1                                : Present (0,2) S2\n"
		"   Segment 2                                : Awaiting Replacement Drive "
		"Confirmation (0,3) S3\n";
	static const char state_only[] = LD_HEAD
		"Logical device number 2\n"
		"   RAID level                               : 1\n"
		"   Status of logical device                 : Impacted Consistency Check Queued\n";
	struct hwraid_result r;
	char err[256];
	struct eval e;

	(void)state;
	assert_int_equal(parse1(&r, text, err, sizeof(err)), 0);
	eval(find(&r, "ld0"), &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "RAID level '4 Dedicated Parity' not understood"));
	eval(find(&r, "ld1"), &e);
	assert_non_null(
		strstr(e.g.reason, "'Awaiting Replacement Drive Confirmation' not understood"));
	hwraid_result_free(&r);
	assert_int_equal(parse1(&r, state_only, err, sizeof(err)), 0);
	eval(find(&r, "ld2"), &e);
	assert_non_null(
		strstr(e.g.reason, "state 'Impacted Consistency Check Queued' not understood"));
	hwraid_result_free(&r);
}

static void test_hostile(void **state)
{
	static const char *const bad_number[] = {
		LD_HEAD "Logical device number 99999999999999999999999\n",
		LD_HEAD "Logical device number -1\n",
		LD_HEAD "Logical device number x\n",
	};
	struct hwraid_result r;
	char err[256], big[8192];
	struct eval e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_number) / sizeof(bad_number[0]); i++) {
		assert_int_equal(parse1(&r, bad_number[i], err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "line 4 not understood"));
		hwraid_result_free(&r);
	}
	/* garbage, and an empty output */
	assert_int_equal(parse1(&r, "\x01\x02garbage\n\xff : \xfe\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "neither arcconf's GETCONFIG"));
	hwraid_result_free(&r);
	assert_int_equal(parse1(&r, "", err, sizeof(err)), -EINVAL);
	hwraid_result_free(&r);
	/* no controller */
	assert_int_equal(
		parse1(&r, "Controllers found: 0\nInvalid controller number.\n", err, sizeof(err)),
		0);
	assert_true(r.none);
	assert_int_equal(r.n_ld, 0);
	hwraid_result_free(&r);
	/* truncated in the middle of a segment line; bytes not printable in words */
	assert_int_equal(parse1(&r,
				LD_HEAD "Logical device number 0\n   RAID level : 1\n"
					"   Status of logical device : Opt\x1b[1m\n"
					"   Segment 0 : Pres\xc3\xa9nt (Enclosure:0,Sl",
				err, sizeof(err)),
			 0);
	assert_int_equal(r.n_ld, 1);
	eval(&r.ld[0], &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(r.ld[0].state, "Opt?[1m");
	assert_string_equal(r.ld[0].pd[0].state, "Pres??nt");
	assert_string_equal(r.ld[0].pd[0].name, "missing-1"); /* no closing parenthesis */
	hwraid_result_free(&r);
	/* a huge bay, a huge group, a huge progress: cut or ignored */
	snprintf(big, sizeof(big),
		 LD_HEAD
		 "Logical device number 0\n   RAID level : 10\n"
		 "   Status of logical device : Optimal\n"
		 "   Group 99999, Segment 0 : Present (Enclosure:99999999,Slot:99999999) S\n"
		 "   Group 1, Segment 1 : Present (Enclosure:1,Slot:123456789012345678901) T\n");
	assert_int_equal(parse1(&r, big, err, sizeof(err)), 0);
	assert_int_equal(r.ld[0].n_pd, 2);
	assert_int_equal(r.ld[0].pd[0].span, -1);
	assert_string_equal(r.ld[0].pd[1].name, "Enclosure:1");
	hwraid_result_free(&r);
	/* segments without end: bounded by the rules' limit, an error, no crash */
	{
		size_t cap = 4096 * 64, n = 0;
		char *many = malloc(cap);

		assert_non_null(many);
		n += (size_t)snprintf(many, cap, LD_HEAD "Logical device number 0\n");
		while (n + 64 < cap)
			n += (size_t)snprintf(many + n, cap - n, "Segment 0 : Present (0,0) S\n");
		assert_int_equal(parse1(&r, many, err, sizeof(err)), -ENOMEM);
		assert_true(err[0]);
		hwraid_result_free(&r);
		free(many);
	}
}

static void test_status_only_running_rebuild(void **state)
{
	const char *names[] = { "arcconf", "arcconf", NULL };
	const char *texts[] = { LD_HEAD
				"Logical device number 0\n"
				"   RAID level : 5\n   Status of logical device : Degraded\n"
				"   Segment 0 : Present (0,0) A\n",
				"Logical device Task:\n   Logical device : 0\n"
				"   Current operation : Build/Verify\n   Percentage complete : 11\n"
				"Logical device Task:\n   Logical device : 0\n"
				"   Percentage complete : 12\n"
				"Logical device Task:\n   Logical device : 0\n"
				"   Current operation : Rebuild\n   Percentage complete : 1000\n",
				NULL };
	struct hwraid_result r;
	char err[256];

	(void)state;
	assert_int_equal(arc_kind(texts[1], strlen(texts[1])), ARC_STATUS);
	assert_int_equal(parse(&r, names, texts, err, sizeof(err)), 0);
	assert_true(r.ld[0].progress < 0); /* a verify is no rebuild; 1000 % is no percentage */
	hwraid_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_raid1),
		cmocka_unit_test(test_corpus_raid10_rebuilding),
		cmocka_unit_test(test_corpus_ld_only),
		cmocka_unit_test(test_states_and_reasons),
		cmocka_unit_test(test_impacted),
		cmocka_unit_test(test_other_controller),
		cmocka_unit_test(test_two_controllers),
		cmocka_unit_test(test_smartctl_device),
		cmocka_unit_test(test_only_host),
		cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_status_only_running_rebuild),
		cmocka_unit_test(test_more_controllers_than_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
