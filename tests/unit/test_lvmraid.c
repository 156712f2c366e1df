// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lvmraid parser and rules (plugins/lvmraid): the corpus captures,
 * status lines the kernel printed in lvm2's own test suite, every leg
 * character, level and sync action, sub-LVs and mirrored logs, and hostile
 * input.  Run from the top of the tree (tests/corpus).
 *
 * The lines marked LKML are copied from the output of lvm2's
 * lvconvert-repair-raid.sh on Linux 6.8-rc1, posted to linux-kernel in
 * "Re: [PATCH v5 00/14] dm-raid/md/raid: fix v6.7 regressions" (Yu Kuai,
 * 2024-02-06, Message-ID <7b948d27-2ae0-499c-5841-bd28a546197b@huaweicloud.com>);
 * `dmsetup status VG-LV` prints them without the name, which we add.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/lvmraid/lvmraid.h"

#define CORPUS "tests/corpus/lvm-raid/"
#define MAX_G  8

/* What a test looks at of a reported group (the view is scratch, reused). */
struct got {
	char name[LVR_NAME], type[LVR_WORD], reason[640];
	int total, ok, failed, n_members;
	int32_t margin, nominal;
	enum redmon_activity activity;
	double progress;
	enum redmon_role role[8];
	char member[8][LVR_NAME + 16], device[8][LVR_DEV + 12];
};

struct run {
	struct got g[MAX_G];
	size_t n;
};

static int collect(void *ctx, const struct redmon_group *g)
{
	struct run *r = ctx;
	struct got *o;

	assert_true(r->n < MAX_G);
	o = &r->g[r->n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", g->name);
	snprintf(o->type, sizeof(o->type), "%s", g->type);
	snprintf(o->reason, sizeof(o->reason), "%s", g->reason ? g->reason : "");
	o->total = g->members_total;
	o->ok = g->members_ok;
	o->failed = g->members_failed;
	o->n_members = (int)g->n_members;
	o->margin = g->margin;
	o->nominal = g->margin_nominal;
	o->activity = g->activity;
	o->progress = g->progress;
	for (size_t i = 0; i < g->n_members && i < 8; i++) {
		o->role[i] = g->members[i].role;
		snprintf(o->member[i], sizeof(o->member[i]), "%s", g->members[i].name);
		snprintf(o->device[i], sizeof(o->device[i]), "%s",
			 g->members[i].device ? g->members[i].device : "");
	}
	return 0;
}

static struct lvr_view view;

/* text through the parser and the rules into r: the parser's return. */
static int groups(const char *text, struct run *r)
{
	struct lvr_status st = { 0 };
	char err[256] = "";
	int rc = lvr_parse(text, strlen(text), &st, err, sizeof(err));

	memset(r, 0, sizeof(*r));
	if (rc < 0) {
		assert_true(err[0] != '\0'); /* a failure says why */
		return rc;
	}
	assert_int_equal(lvr_groups(&st, &view, collect, r), 0);
	lvr_status_free(&st);
	return 0;
}

/* The one group text gives. */
static struct got *one(const char *text, struct run *r)
{
	assert_int_equal(groups(text, r), 0);
	assert_int_equal(r->n, 1);
	return &r->g[0];
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return buf;
}

static struct got *find(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->g[i].name, name) == 0)
			return &r->g[i];
	}
	fail_msg("no group %s", name);
	return NULL;
}

static void test_corpus_all_combos(void **state)
{
	char *t = slurp(CORPUS
			"check_raid-dmsetup-status-lvm-raid-and-mirror-types/dmsetup-status.txt");
	struct run r;
	struct got *g;

	(void)state;
	assert_int_equal(groups(t, &r), 0);
	assert_int_equal(r.n, 6); /* the mirrored log is folded into its mirror */
	g = find(&r, "vg-raid1");
	assert_string_equal(g->type, "raid1");
	assert_int_equal(g->total, 2);
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->nominal, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_NONE);
	assert_string_equal(g->member[1], "vg-raid1_rimage_1");
	g = find(&r, "vg-raid5");
	assert_string_equal(g->type, "raid5_ls");
	assert_int_equal(g->total, 3);
	assert_int_equal(g->margin, 1);
	g = find(&r, "vg-raid6");
	assert_int_equal(g->total, 5);
	assert_int_equal(g->margin, 2);
	g = find(&r, "vg-mirror--mirrorlog--core");
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_NONE);
	assert_string_equal(g->device[0], "/dev/block/254:57");
	assert_string_equal(g->member[0], "vg-mirror--mirrorlog--core_mimage_0");
	g = find(&r, "vg-mirror--mirrorlog--disk");
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESYNC);
	assert_float_equal(g->progress, 100.0 * 730 / 2048, 1e-9);
	assert_int_equal(g->margin, 1);
	assert_string_equal(g->reason, "");
	g = find(&r, "vg-mirror--mirrorlog--mirrored");
	assert_float_equal(g->progress, 100.0 * 1328 / 2048, 1e-9);
	assert_string_equal(g->reason, ""); /* its log (8/8, AA) is fine */
	free(t);
}

static void test_corpus_linear_only(void **state)
{
	char *t = slurp(CORPUS "check_raid-dmsetup-status-linear-only/dmsetup-status.txt");
	struct lvr_status st = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(lvr_parse(t, strlen(t), &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, 0);
	assert_int_equal(st.targets, 3);
	lvr_status_free(&st);
	free(t);
}

/* LKML: a raid1 leg failed under I/O, before lvconvert --repair. */
static void test_raid1_dead_leg(void **state)
{
	struct run r;
	struct got *g =
		one("LVMTEST14057vg-LV1: 0 65536 raid raid1 2 AD 65536/65536 idle 0 0 -\n", &r);

	(void)state;
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->nominal, 1);
	assert_int_equal(g->ok, 1);
	assert_int_equal(g->failed, 1);
	assert_int_equal(g->role[0], REDMON_ROLE_ACTIVE);
	assert_int_equal(g->role[1], REDMON_ROLE_FAILED);
	assert_string_equal(g->member[1], "LVMTEST14057vg-LV1_rimage_1");
	g = one("v-l: 0 8 raid raid1 2 DD 8/8 idle 0 0 -\n", &r);
	assert_int_equal(g->margin, -1);
}

/* LKML: the initial resync marks every leg 'a'; the data is still redundant. */
static void test_raid1_resync(void **state)
{
	struct run r;
	struct got *g =
		one("LVMTEST14057vg-LV1: 0 65536 raid raid1 2 aa 21120/65536 resync 0 0 -\n", &r);

	(void)state;
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESYNC);
	assert_float_equal(g->progress, 100.0 * 21120 / 65536, 1e-9);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->role[0], REDMON_ROLE_ACTIVE);
}

static void test_raid_recover_and_missing(void **state)
{
	struct run r;
	struct got *g = one("v-r: 0 8 raid raid1 3 AAa 50/200 recover 0 0 -\n", &r);

	(void)state;
	assert_int_equal(g->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(g->progress, 25.0, 1e-9);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->nominal, 2);
	assert_int_equal(g->role[2], REDMON_ROLE_REBUILDING);
	assert_int_equal(g->failed, 0);
	g = one("v-r: 0 8 raid raid5_ls 3 A-A 8/8 idle 0 0 -\n", &r);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->role[1], REDMON_ROLE_MISSING);
	assert_int_equal(g->failed, 0);
	/* an old kernel's 'a' left after a recovery ended, idle and wholly in sync: in service */
	g = one("v-r: 0 8 raid raid1 2 Aa 8/8 idle 0\n", &r);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->role[1], REDMON_ROLE_ACTIVE);
	/* dm-raid.rst's example: the initial sync, called init */
	g = one("v-r: 0 1960893648 raid raid4 5 AAAAA 2/490221568 init 0\n", &r);
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESYNC);
	assert_int_equal(g->margin, 1);
	/* out of sync with nothing recovering: lost, and said so */
	g = one("v-r: 0 8 raid raid1 2 Aa 4/8 idle 0 0 -\n", &r);
	assert_int_equal(g->margin, 0);
	assert_non_null(strstr(g->reason, "out of sync"));
}

static void test_raid_levels(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(one("a: 0 8 raid raid6_zr 5 ADDDA 8/8 idle 0\n", &r)->margin, -1);
	assert_int_equal(one("a: 0 8 raid raid6_nc 5 ADDAA 8/8 idle 0\n", &r)->margin, 0);
	assert_int_equal(one("a: 0 8 raid raid6_ls_6 5 AAAAA 8/8 idle 0\n", &r)->margin, 2);
	assert_int_equal(one("a: 0 8 raid raid4 3 AAD 8/8 idle 0\n", &r)->margin, 0);
	assert_int_equal(one("a: 0 8 raid raid5_n 3 ADD 8/8 idle 0\n", &r)->margin, -1);
	assert_int_equal(one("a: 0 8 raid raid10 4 AAAA 8/8 idle 0\n", &r)->margin, 1);
	assert_int_equal(one("a: 0 8 raid raid10 4 ADAD 8/8 idle 0\n", &r)->margin, 0);
	assert_int_equal(one("a: 0 8 raid raid10 4 DDAD 8/8 idle 0\n", &r)->margin, -1);
	assert_int_equal(one("a: 0 8 raid raid0 2 AA 8/8 idle 0\n", &r)->nominal, 0);
	assert_int_equal(one("a: 0 8 raid raid0 2 AD 8/8 idle 0\n", &r)->margin, -1);
	assert_int_equal(one("a: 0 8 raid raid1 1 A 8/8 idle 0\n", &r)->nominal, 0);
	/* a level we do not know: unknown, named */
	assert_int_equal(one("a: 0 8 raid raid7 3 AAA 8/8 idle 0\n", &r)->margin,
			 REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(r.g[0].reason, "raid7"));
}

static void test_raid_fields(void **state)
{
	struct run r;
	struct got *g;

	(void)state;
	/* a kernel before dm-raid 1.5.0: no sync action */
	g = one("a: 0 8 raid raid1 2 AA 8/8\n", &r);
	assert_int_equal(g->margin, 1);
	assert_string_equal(g->reason, "");
	g = one("a: 0 8 raid raid5_ls 3 AAA 8/8 idle 12 0 -\n", &r);
	assert_non_null(strstr(g->reason, "12 mismatches"));
	assert_int_equal(g->margin, 1);
	g = one("a: 0 8 raid raid5_ls 3 AAA 8/8 idle 0 0 D\n", &r);
	assert_non_null(strstr(g->reason, "journal"));
	g = one("a: 0 8 raid raid1 2 AA 4/8 frozen 0 0 -\n", &r);
	assert_non_null(strstr(g->reason, "frozen"));
	assert_int_equal(g->activity, REDMON_ACTIVITY_NONE);
	g = one("a: 0 8 raid raid1 2 AA 4/8 check 0 0 -\n", &r);
	assert_int_equal(g->activity, REDMON_ACTIVITY_CHECK);
	assert_float_equal(g->progress, 50.0, 1e-9);
	g = one("a: 0 8 raid raid1 2 AA 4/8 repair 0 0 -\n", &r);
	assert_int_equal(g->activity, REDMON_ACTIVITY_REPAIR);
	g = one("a: 0 8 raid raid5_ls 4 aaaa 4/8 reshape 0 0 -\n", &r);
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESHAPE);
	assert_int_equal(g->margin, 1);
	g = one("a: 0 8 raid raid1 2 AA 8/8 dancing 0 0 -\n", &r);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->reason, "dancing"));
}

static void test_mirror_legs_and_logs(void **state)
{
	struct run r;
	struct got *g;

	(void)state;
	g = one("vg-m: 0 8 mirror 2 254:1 254:2 8/8 1 AD 1 core\n", &r);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->failed, 1);
	assert_int_equal(g->role[1], REDMON_ROLE_FAILED);
	assert_string_equal(g->device[1], "/dev/block/254:2");
	g = one("vg-m: 0 8 mirror 3 1:1 1:2 1:3 8/8 1 SRA 1 core\n", &r);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->nominal, 2);
	g = one("vg-m: 0 8 mirror 2 1:1 1:2 8/8 1 FU 1 core\n", &r);
	assert_int_equal(g->margin, -1);
	/* a failed disk log: a reason, not a lost leg */
	g = one("vg-m: 0 8 mirror 2 1:1 1:2 8/8 1 AA 3 disk 1:3 D\n", &r);
	assert_int_equal(g->margin, 1);
	assert_non_null(strstr(g->reason, "log device 1:3"));
	/* a mirrored log with a failed leg: folded into its mirror's reason */
	assert_int_equal(groups("vg-m: 0 8 mirror 2 1:1 1:2 8/8 1 AA 3 disk 1:9 A\n"
				"vg-m_mlog: 0 8 mirror 2 1:5 1:6 8/8 1 AD 1 core\n"
				"vg-m_mlog_mimage_0: 0 8 linear\n",
				&r),
			 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.g[0].name, "vg-m");
	assert_non_null(strstr(r.g[0].reason, "mirrored log vg-m_mlog: legs AD"));
	/* a mirrored log whose mirror is not listed is a group of its own */
	g = one("vg-x_mlog: 0 8 mirror 2 1:5 1:6 8/8 1 AA 1 core\n", &r);
	assert_string_equal(g->name, "vg-x_mlog");
}

/*
 * A host's `dmsetup status` (lvm2 2.03.02, kernel 5.4), posted to dm-devel
 * by Michal Soltys, quoted by John Stoffel on 2020-05-08 (Message-ID
 * <24245.33901.720471.896495@quad.stoffel.home>); these lines verbatim, the
 * quoting removed: thin pools whose metadata is raid1, its images and
 * metadata sub-LVs, thin volumes, a two-segment linear _tdata.
 */
static void test_thin_pool_metadata_on_raid1(void **state)
{
	static const char text[] =
		"x22v0-tp_ssd-tpool: 0 2577285120 thin-pool 19 8886/552960 629535/838960 - rw "
		"no_discard_passdown queue_if_no_space - 1024 \n"
		"x22v0-tp_ssd_tdata: 0 2147696640 linear \n"
		"x22v0-tp_ssd_tdata: 2147696640 429588480 linear \n"
		"x22v0-tp_ssd_tmeta_rimage_1: 0 4423680 linear \n"
		"x22v0-tp_ssd_tmeta: 0 4423680 raid raid1 2 AA 4423680/4423680 idle 0 0 -\n"
		"x22v0-gerrit--new: 0 268615680 thin 255510528 268459007\n"
		"x22v0-tp_ssd_tmeta_rimage_0: 0 4423680 linear \n"
		"x22v0-tp_big_tmeta_rimage_1: 0 8601600 linear \n"
		"x22v0-tp_ssd_tmeta_rmeta_1: 0 245760 linear \n"
		"x22v0-tp_big_tmeta_rimage_0: 0 8601600 linear \n"
		"x22v0-tp_ssd_tmeta_rmeta_0: 0 245760 linear \n"
		"x22v0-tp_big_tmeta: 0 8601600 raid raid1 2 AA 8601600/8601600 idle 0 0 -\n"
		"x22v0-tp_big_tmeta_rmeta_1: 0 245760 linear \n"
		"x22v0-tp_big_tmeta_rmeta_0: 0 245760 linear \n";
	struct run r;

	(void)state;
	assert_int_equal(groups(text, &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.g[0].name, "x22v0-tp_ssd_tmeta");
	assert_string_equal(r.g[1].name, "x22v0-tp_big_tmeta");
	assert_int_equal(r.g[1].margin, 1);
	assert_int_equal(r.g[1].total, 2);
}

static void test_sub_lvs_and_segments(void **state)
{
	struct run r;

	(void)state;
	/* images are never groups, whatever their target; a raid _tmeta is one */
	assert_int_equal(
		groups("v-a_rimage_0: 0 8 raid raid1 2 DD 8/8 idle 0\n"
		       "v-a_rmeta_0: 0 8 mirror 2 1:1 1:2 8/8 1 DD 1 core\n"
		       "v-a_mimage_0: 0 8 raid raid1 2 DD 8/8 idle 0\n"
		       "x22v0-tp_ssd_tmeta: 0 4423680 raid raid1 2 AA 4423680/4423680 idle 0 0 -\n",
		       &r),
		0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.g[0].name, "x22v0-tp_ssd_tmeta");
	/* two segments of one name: reported once, the worse one */
	assert_int_equal(groups("v-b: 0 8 raid raid1 2 AA 8/8 idle 0\n"
				"v-b: 8 8 raid raid1 2 DA 8/8 idle 0\n"
				"v-c: 0 8 linear\n",
				&r),
			 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.g[0].margin, 0);
}

static void test_no_devices(void **state)
{
	struct lvr_status st = { 0 };
	char err[128] = "";

	(void)state;
	assert_int_equal(lvr_parse("No devices found\n", 17, &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, 0);
	/* a device without a live table, then one with */
	assert_int_equal(lvr_parse("v-new:\nv-a: 0 8 linear \n", 24, &st, err, sizeof(err)), 0);
	assert_int_equal(st.targets, 2);
	lvr_status_free(&st);
	lvr_status_free(NULL);
}

/* Output that is not a status listing fails, with why; the out-parameter is untouched. */
static void test_hostile_output(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n# only a comment\n",
		"Command failed\n",
		"v-a 0 8 linear\n",
		": 0 8 linear\n",
		"v-a: zero 8 linear\n",
		"v-a: 0 -8 linear\n",
		"v-a: 0 8\n",
		"v-a: 0 8 linear\nv-b:0 8 linear\n",
	};
	char longname[300];
	struct lvr_status st = { .n = 77 };
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(lvr_parse(bad[i], strlen(bad[i]), &st, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		assert_int_equal(st.n, 77);
	}
	memset(longname, 'x', sizeof(longname));
	memcpy(longname + 200, ": 0 8 linear\n", 14);
	assert_int_equal(lvr_parse(longname, strlen(longname), &st, err, sizeof(err)), -EINVAL);
}

/*
 * A device name that is not printable ASCII (a NUL, a control byte, UTF-8):
 * another target's line is left alone; a raid's group is unknown, named with
 * '?' for those bytes.  A name with a space is a name.
 */
static void test_odd_names(void **state)
{
	static const char text[] = "v\001a: 0 8 linear\n"
				   "v-a\0b: 0 8 linear\n"
				   "r\303\251: 0 8 raid raid1 2 AA 8/8 idle 0\n"
				   "my dev: 0 8 raid raid1 2 AD 8/8 idle 0\n";
	struct lvr_status st = { 0 };
	char err[64];
	struct run r;

	(void)state;
	assert_int_equal(lvr_parse(text, sizeof(text) - 1, &st, err, sizeof(err)), 0);
	assert_int_equal(st.targets, 4);
	memset(&r, 0, sizeof(r));
	assert_int_equal(lvr_groups(&st, &view, collect, &r), 0);
	lvr_status_free(&st);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.g[0].name, "r??");
	assert_int_equal(r.g[0].margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(r.g[0].reason, "not printable"));
	assert_string_equal(r.g[1].name, "my dev");
	assert_int_equal(r.g[1].margin, 0);
}

/* A raid or mirror line that does not parse: that group unknown with why, the others read. */
static void test_hostile_lines(void **state)
{
	static const char *const bad[] = {
		"g: 0 8 raid\n",
		"g: 0 8 raid raid1 2 AA\n",
		"g: 0 8 raid raid1 0  8/8 idle 0\n",
		"g: 0 8 raid raid1 254 AA 8/8 idle 0\n",
		"g: 0 8 raid raid1 2 AAA 8/8 idle 0\n",
		"g: 0 8 raid raid1 2 AX 8/8 idle 0\n",
		"g: 0 8 raid raid1 2 AA 9/8 idle 0\n",
		"g: 0 8 raid raid1 2 AA 8/ idle 0\n",
		"g: 0 8 raid raid1 2 AA /8 idle 0\n",
		"g: 0 8 raid raid1 2 AA 99999999999999999999/8 idle 0\n",
		"g: 0 8 raid raid1 2 AA 8/8 idle -1\n",
		"g: 0 8 raid raid1 2 AA 8/8 idle 0 0 X\n",
		"g: 0 8 raid raid1 2 AA 8/8 idle 0 0 AA\n",
		"g: 0 8 raid raid1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 2 AA 8/8 idle 0\n",
		"g: 0 8 mirror\n",
		"g: 0 8 mirror 33 1:1\n",
		"g: 0 8 mirror 2 1:1 8/8 1 AA 1 core\n",
		"g: 0 8 mirror 2 1:1 1-2 8/8 1 AA 1 core\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 2 AA 1 core\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AX 1 core\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AA\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AA 3 disk\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AA 3 disk 1:3\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AA 3 disk 1:3 Q\n",
		"g: 0 8 mirror 2 1:1 1:2 8/8 1 AA 1 disk 1:3 A\n",
	};
	char text[512];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%sok: 0 8 raid raid1 2 AA 8/8 idle 0\n", bad[i]);
		assert_int_equal(groups(text, &r), 0);
		assert_int_equal(r.n, 2);
		assert_string_equal(r.g[0].name, "g");
		if (r.g[0].margin != REDMON_MARGIN_UNKNOWN)
			fail_msg("case %zu (%s): margin %d", i, bad[i], r.g[0].margin);
		assert_non_null(strstr(r.g[0].reason, "line 1: "));
		assert_int_equal(r.g[0].total, -1);
		assert_int_equal(r.g[1].margin, 1);
	}
}

/* Every prefix of good lines: no crash, and a failure always says why. */
static void test_every_prefix(void **state)
{
	static const char good[] =
		"vg-r: 0 2113536 raid raid6_zr 5 AAaDA 704512/704512 recover 3 0 A\n"
		"vg-m: 0 2097152 mirror 2 254:61 254:62 730/2048 1 AD 3 disk 254:60 A\n"
		"vg-m_mlog: 0 8192 mirror 2 254:64 254:65 8/8 1 AA 1 core\n";
	struct run r;

	(void)state;
	for (size_t n = 0; n <= sizeof(good) - 1; n++) {
		char *t = strndup(good, n);

		assert_non_null(t);
		(void)groups(t, &r);
		free(t);
	}
}

/* More raid lines than the parser keeps: the rest left out, and said so. */
static void test_too_many(void **state)
{
	size_t n = LVR_MAX_SEGS + 3, len = 0;
	char *t = malloc(n * 48);
	struct lvr_status st = { 0 };
	char err[64];

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, "v-%zu: 0 8 raid raid1 2 AA 8/8 idle 0\n", i);
	assert_int_equal(lvr_parse(t, len, &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, LVR_MAX_SEGS);
	assert_true(st.cut);
	lvr_status_free(&st);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_all_combos),
		cmocka_unit_test(test_corpus_linear_only),
		cmocka_unit_test(test_raid1_dead_leg),
		cmocka_unit_test(test_raid1_resync),
		cmocka_unit_test(test_raid_recover_and_missing),
		cmocka_unit_test(test_raid_levels),
		cmocka_unit_test(test_raid_fields),
		cmocka_unit_test(test_mirror_legs_and_logs),
		cmocka_unit_test(test_sub_lvs_and_segments),
		cmocka_unit_test(test_thin_pool_metadata_on_raid1),
		cmocka_unit_test(test_no_devices),
		cmocka_unit_test(test_hostile_output),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
