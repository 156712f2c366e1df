/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the /proc/mdstat parser (plugins/md/mdstat.c), with text
 * copied byte for byte from the corpus captures (named in each test) and
 * hand-made text for what no capture shows: (W)/(J)/(R) flags, bad bytes,
 * cut and huge files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/md/md_group.h"
#include "../../plugins/md/md_scan.h"
#include "../../plugins/md/mdstat.h"

struct fixture {
	struct md_set set;
	struct md_group_buf gb;
};

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fixture));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	md_set_free(&f->set);
	md_group_buf_free(&f->gb);
	free(f);
	return 0;
}

static void parse_n(struct fixture *f, const char *text, size_t n)
{
	assert_int_equal(md_mdstat_parse(text, n, false, &f->set), 0);
}

#define PARSE(f, lit) parse_n((f), (lit), sizeof(lit) - 1)

static const struct md_array *get(struct fixture *f, const char *name)
{
	const struct md_array *a = md_set_find(&f->set, name);

	if (!a)
		fail_msg("array %s not parsed", name);
	return a;
}

static const struct redmon_group *group(struct fixture *f, const char *name)
{
	const struct redmon_group *g = NULL;

	assert_int_equal(md_group_build(get(f, name), &f->gb, &g), 0);
	return g;
}

static int count_role(const struct redmon_group *g, enum redmon_role role)
{
	size_t i;
	int n = 0;

	for (i = 0; i < g->n_members; i++)
		n += g->members[i].role == role;
	return n;
}

static const struct redmon_member *member(const struct redmon_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n_members; i++)
		if (strcmp(g->members[i].name, name) == 0)
			return &g->members[i];
	fail_msg("member %s not found", name);
	return NULL;
}

/* corpus md-mdstat/procfs-fixtures-many-arrays (prometheus/procfs) */
static const char many_arrays[] =
	"Personalities : [linear] [multipath] [raid0] [raid1] [raid6] [raid5] [raid4] [raid10]\n"
	"\n"
	"md3 : active raid6 sda1[8] sdh1[7] sdg1[6] sdf1[5] sde1[11] sdd1[3] sdc1[10] sdb1[9] "
	"sdd1[10](S) sdd2[11](S)\n"
	"      5853468288 blocks super 1.2 level 6, 64k chunk, algorithm 2 [8/8] [UUUUUUUU]\n"
	"\n"
	"md127 : active raid1 sdi2[0] sdj2[1]\n"
	"      312319552 blocks [2/2] [UU]\n"
	"\n"
	"md0 : active raid1 sdi1[0] sdj1[1]\n"
	"      248896 blocks [2/2] [UU]\n"
	"\n"
	"md4 : inactive raid1 sda3[0](F) sdb3[1](S)\n"
	"      4883648 blocks [2/2] [UU]\n"
	"\n"
	"md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]\n"
	"      195310144 blocks [2/1] [U_]\n"
	"      [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min "
	"speed=259783K/sec\n"
	"\n"
	"md8 : active raid1 sdb1[1] sda1[0] sdc[2](S) sde[3](S)\n"
	"      195310144 blocks [2/2] [UU]\n"
	"      [=>...................]  resync =  8.5% (16775552/195310144) finish=17.0min "
	"speed=259783K/sec\n"
	"\n"
	"md201 : active raid1 sda3[0] sdb3[1]\n"
	"      1993728 blocks super 1.2 [2/2] [UU]\n"
	"      [=>...................]  check =  5.7% (114176/1993728) finish=0.2min "
	"speed=114176K/sec\n"
	"\n"
	"md7 : active raid6 sdb1[0] sde1[3] sdd1[2] sdc1[1](F)\n"
	"      7813735424 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/3] [U_UU]\n"
	"      bitmap: 0/30 pages [0KB], 65536KB chunk\n"
	"\n"
	"md9 : active raid1 sdc2[2] sdd2[3] sdb2[1] sda2[0] sde[4](F) sdf[5](F) sdg[6](S)\n"
	"      523968 blocks super 1.2 [4/4] [UUUU]\n"
	"      resync=DELAYED\n"
	"\n"
	"md10 : active raid0 sda1[0] sdb1[1]\n"
	"       314159265 blocks 64k chunks\n"
	"\n"
	"md11 : active (auto-read-only) raid1 sdb2[0] sdc2[1] sdc3[2](F) hda[4](S) ssdc2[3](S)\n"
	"      4190208 blocks super 1.2 [2/2] [UU]\n"
	"      resync=PENDING\n"
	"\n"
	"md12 : active raid0 sdc2[0] sdd2[1]\n"
	"      3886394368 blocks super 1.2 512k chunks\n"
	"\n"
	"md126 : active raid0 sdb[1] sdc[0]\n"
	"      1855870976 blocks super external:/md127/0 128k chunks\n"
	"\n"
	"md219 : inactive sdb[2](S) sdc[1](S) sda[0](S)\n"
	"        7932 blocks super external:imsm\n"
	"\n"
	"md00 : active raid0 xvdb[0]\n"
	"      4186624 blocks super 1.2 256k chunks\n"
	"\n"
	"md120 : active linear sda1[1] sdb1[0]\n"
	"        2095104 blocks super 1.2 0k rounding\n"
	"\n"
	"md101 : active (read-only) raid0 sdb[2] sdd[1] sdc[0]\n"
	"      322560 blocks super 1.2 512k chunks\n"
	"\n"
	"md42 : active raid5 sda1[3](S) sdd1[0] sde1[1]\n"
	"      1953381440 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/2] [UU_]\n"
	"      [===========>.........]  reshape = 56.1% (1096879076/1953381440) finish=1868.1min "
	"speed=7640K/sec\n"
	"      bitmap: 4/15 pages [16KB], 65536KB chunk\n"
	"\n"
	"unused devices: <none>\n";

static void test_many_arrays_parse(void **state)
{
	struct fixture *f = *state;
	const struct md_array *a;

	PARSE(f, many_arrays);
	assert_int_equal(f->set.n, 18);
	/* mdstat order is kept */
	assert_string_equal(f->set.v[0].name, "md3");
	assert_string_equal(f->set.v[17].name, "md42");

	a = get(f, "md3");
	assert_int_equal(a->level, MD_LEVEL_RAID6);
	assert_int_equal(a->run, MD_RUN_ACTIVE);
	assert_int_equal(a->raid_disks, 8);
	assert_int_equal(a->n_devs, 10);
	assert_int_equal(a->n_slots, 8);
	assert_string_equal(a->devs[9].name, "sdd2");
	assert_int_equal(a->devs[9].desc_nr, 11);
	assert_true(a->devs[9].flags & MD_DEV_SPARE);
	assert_false(md_array_failed(a));

	a = get(f, "md6");
	assert_int_equal(a->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(a->progress, 8.5, 1e-9);
	assert_true(a->devs[0].flags & MD_DEV_FAULTY);
	assert_memory_equal(md_array_slots(a), "U_", 2);

	a = get(f, "md201");
	assert_int_equal(a->activity, REDMON_ACTIVITY_CHECK);
	assert_float_equal(a->progress, 5.7, 1e-9);

	a = get(f, "md42");
	assert_int_equal(a->activity, REDMON_ACTIVITY_RESHAPE);
	assert_float_equal(a->progress, 56.1, 1e-9);

	assert_int_equal(get(f, "md9")->activity, REDMON_ACTIVITY_DELAYED);
	assert_true(get(f, "md11")->read_only);
	assert_int_equal(get(f, "md11")->activity, REDMON_ACTIVITY_PENDING);
	assert_true(get(f, "md101")->read_only);
	assert_int_equal(get(f, "md120")->level, MD_LEVEL_LINEAR);
	assert_int_equal(get(f, "md10")->n_slots, 0); /* 7-space indent, no [n/m] */

	/* md219: inactive, super external:imsm, all (S): an IMSM container */
	assert_true(get(f, "md219")->container);
	/* md126: super external:/md127/0 is a member array, not a container */
	assert_false(get(f, "md126")->container);
	assert_false(get(f, "md126")->ext_container);
	/* md4: inactive, hand-edited [UU] kept but not trusted by the rules */
	a = get(f, "md4");
	assert_int_equal(a->run, MD_RUN_INACTIVE);
	assert_int_equal(a->level, MD_LEVEL_RAID1);
	assert_false(a->container);
}

static void test_many_arrays_groups(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, many_arrays);

	g = group(f, "md6");
	assert_int_equal(g->members_total, 2);
	assert_int_equal(g->members_ok, 1);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->margin_nominal, 1);
	assert_float_equal(g->progress, 8.5, 1e-9);
	assert_int_equal(member(g, "sdb2")->role, REDMON_ROLE_FAILED);
	assert_int_equal(member(g, "sdc")->role, REDMON_ROLE_SPARE);
	assert_int_equal(member(g, "sda2")->role, REDMON_ROLE_ACTIVE);
	assert_int_equal(member(g, "slot1")->role, REDMON_ROLE_MISSING);
	assert_null(member(g, "slot1")->device);
	assert_string_equal(member(g, "sda2")->device, "/dev/sda2");
	assert_string_equal(member(g, "sdb2")->state, "faulty");
	assert_string_equal(g->reason, "1 of 2 slots missing (sdb2 failed); recovery 8.5% done");

	/* md9: [4/4] plus two (F) beyond the slots: failed 2, margin intact */
	g = group(f, "md9");
	assert_int_equal(g->members_ok, 4);
	assert_int_equal(g->members_failed, 2);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, 3);
	assert_int_equal(g->activity, REDMON_ACTIVITY_DELAYED);
	assert_true(g->progress < 0);
	assert_non_null(strstr(g->reason, "2 failed devices still attached (sde, sdf)"));

	g = group(f, "md7");
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->margin_nominal, 2);
	assert_int_equal(member(g, "slot1")->role, REDMON_ROLE_MISSING);

	g = group(f, "md201"); /* scrub: an activity, not a degradation */
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_CHECK);
	assert_string_equal(g->reason, "check 5.7% done");

	g = group(f, "md4"); /* inactive: failed, nominal of raid1 [2] */
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->margin_nominal, 1);
	assert_int_equal(g->members_total, 2);
	assert_int_equal(g->members_ok, 0);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->spares, 1);
	assert_string_equal(g->reason, "array inactive (not running)");

	g = group(f, "md00");
	assert_int_equal(g->members_total, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->margin_nominal, 0);
	assert_null(g->reason);
	assert_string_equal(g->type, "raid0");

	g = group(f, "md120");
	assert_string_equal(g->type, "linear");
	assert_int_equal(g->members_total, 2);

	g = group(f, "md42");
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESHAPE);

	/* the container is no group */
	assert_int_equal(md_group_build(get(f, "md219"), &f->gb, &g), 0);
	assert_null(g);
}

/* corpus check_raid-issue43-reshape-raid5-to-raid6: 2-space indentation */
static void test_two_space_indent(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : [raid6] [raid5] [raid4]\n"
		 "md0 : active raid6 sde1[6](S) sdf1[7](S) sdb1[0] sdg1[3] sdd1[2] sdc[1]\n"
		 "  5860543744 blocks super 0.91 level 6, 4k chunk, algorithm 18 [6/4] [UUUU__]\n"
		 "  [=========>...........]  reshape = 48.4% (709745748/1465135936) "
		 "finish=1271.8min speed=9898K/sec\n"
		 "\n"
		 "unused devices: <none>\n"
		 "\n");
	g = group(f, "md0");
	assert_int_equal(g->members_total, 6);
	assert_int_equal(g->members_ok, 4);
	assert_int_equal(g->spares, 2);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->margin_nominal, 2);
	assert_float_equal(g->progress, 48.4, 1e-9);
	assert_int_equal(count_role(g, REDMON_ROLE_MISSING), 2);
	assert_int_equal(count_role(g, REDMON_ROLE_REBUILDING), 0);
	assert_string_equal(member(g, "slot4")->name, "slot4");
	assert_string_equal(member(g, "slot5")->name, "slot5");
}

/* corpus pymdstat-15: continuation lines not indented at all, no final newline */
static void test_no_indent_no_newline(void **state)
{
	struct fixture *f = *state;

	PARSE(f,
	      "Personalities : [linear] [raid0] [raid1] [raid10] [raid6] [raid5] [raid4]\n"
	      "md3 : active raid6 sdh6[8] sda6[0] sdg6[6] sdf6[5] sde6[4] sdd6[3] sdc6[2] sdb6[1]\n"
	      "17581481472 blocks super 1.2 level 6, 64k chunk, algorithm 2 [8/8] [UUUUUUUU]\n"
	      "\n"
	      "md1 : active raid1 sdh2[7] sda2[0] sdb2[1] sdc2[2] sdd2[3] sde2[4] sdf2[5] sdg2[6]\n"
	      "2097088 blocks [8/8] [UUUUUUUU]\n"
	      "\n"
	      "unused devices: <none>");
	assert_int_equal(f->set.n, 2);
	assert_int_equal(get(f, "md3")->raid_disks, 8);
	assert_int_equal(group(f, "md1")->margin, 7);
	assert_int_equal(f->gb.g.margin_nominal, 7);
}

/* corpus pymdstat-03: 5-space indentation, no final newline; degraded raid5 */
static void test_five_space_indent(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : [raid6] [raid5] [raid4]\n"
		 "md0 : active raid5 sda1[0] sdd1[2] sdb1[1]\n"
		 "     1465151808 blocks level 5, 64k chunk, algorithm 2 [4/3] [UUU_]\n"
		 "\n"
		 "unused devices: <none>");
	g = group(f, "md0");
	assert_int_equal(g->members_ok, 3);
	assert_int_equal(g->margin, 0);
	assert_int_equal(member(g, "slot3")->role, REDMON_ROLE_MISSING);
	assert_string_equal(g->reason, "1 of 4 slots missing");
}

/* corpus check_raid-pr28_2-recovery-delayed: 8-space resync=DELAYED */
static void test_delayed_eight_spaces(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : [raid1] \n"
		 "md1 : active raid1 sda2[2] sdb2[1]\n"
		 "      972574976 blocks [2/1] [_U]\n"
		 "        resync=DELAYED\n"
		 "\n"
		 "md0 : active raid1 sda1[2] sdb1[1]\n"
		 "      208704 blocks [2/1] [_U]\n"
		 "      [>....................]  recovery =  3.9% (8448/208704) finish=267.0min "
		 "speed=12K/sec\n"
		 "\n"
		 "unused devices: <none>\n");
	g = group(f, "md1");
	assert_int_equal(g->activity, REDMON_ACTIVITY_DELAYED);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->spares, 0);
	/* sda2[2]: the highest [k] of the unflagged surplus waits in slot 0 */
	assert_int_equal(member(g, "sda2")->role, REDMON_ROLE_REBUILDING);
	assert_int_equal(member(g, "sdb2")->role, REDMON_ROLE_ACTIVE);
	assert_int_equal(count_role(g, REDMON_ROLE_MISSING), 0);
	assert_string_equal(g->reason, "1 of 2 slots missing (sda2 rebuilding); "
				       "resync delayed behind another array");
	g = group(f, "md0");
	assert_int_equal(g->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(g->progress, 3.9, 1e-9);
}

/* corpus check_raid-issue43-readd-recovery: shell prompt line, recovery of sdc1[6] */
static void test_prompt_and_rebuilding(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "# cat /proc/mdstat\n"
		 "Personalities : [raid6] [raid5] [raid4]\n"
		 "md0 : active raid6 sdc1[6] sdb1[0] sdf1[5] sde1[4] sdg1[3] sdd1[2]\n"
		 "      5860543744 blocks level 6, 4k chunk, algorithm 2 [6/5] [U_UUUU]\n"
		 "      [>....................]  recovery =  0.2% (3563496/1465135936) "
		 "finish=1638.2min speed=14868K/sec\n"
		 "\n"
		 "unused devices: <none>\n");
	assert_int_equal(f->set.n, 1);
	g = group(f, "md0");
	assert_int_equal(g->margin, 1);
	assert_int_equal(member(g, "sdc1")->role, REDMON_ROLE_REBUILDING);
	assert_int_equal(count_role(g, REDMON_ROLE_ACTIVE), 5);
	assert_int_equal(count_role(g, REDMON_ROLE_MISSING), 0);
	assert_string_equal(member(g, "sdc1")->state, "rebuilding");
	assert_string_equal(member(g, "sdb1")->state, "in_sync");
}

/* corpus pymdstat-02 (md_d0) and hand-made md00 / named arrays */
static void test_names(void **state)
{
	struct fixture *f = *state;

	PARSE(f, "Personalities : [raid1] [raid6] [raid5] [raid4]\n"
		 "md_d0 : active raid5 sde1[0] sdf1[4] sdb1[5] sdd1[2] sdc1[1]\n"
		 "      1250241792 blocks super 1.2 level 5, 64k chunk, algorithm 2 [5/5] [UUUUU]\n"
		 "      bitmap: 0/10 pages [0KB], 16384KB chunk\n"
		 "\n"
		 "md_home : active raid1 sda1[0] sdb1[1]\n"
		 "      100 blocks super 1.2 [2/2] [UU]\n"
		 "\n"
		 "md00 : active raid0 xvdb[0]\n"
		 "      4186624 blocks super 1.2 256k chunks\n"
		 "\n"
		 "unused devices: <none>");
	assert_int_equal(f->set.n, 3);
	assert_int_equal(group(f, "md_d0")->margin, 1);
	assert_int_equal(group(f, "md_home")->margin, 1);
	assert_int_equal(group(f, "md00")->margin, 0);
}

/* corpus check_raid-issue34-imsm: member array and its container */
static void test_imsm(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f,
	      "Personalities : [raid1]\n"
	      "md127 : active raid1 sda[1] sdb[0]\n"
	      "      976759808 blocks super external:/md0/0 [2/2] [UU]\n"
	      "\n"
	      "md0 : inactive sda[1](S) sdb[0](S)\n"
	      "      5288 blocks super external:imsm\n"
	      "\n"
	      "md1 : inactive sdc[0](S) sdd[1](S)\n"
	      "      5288 blocks super external:ddf\n"
	      "\n"
	      "md2 : active raid5 sdc[2] sdd[1] sde[0]\n"
	      "      100 blocks super external:-md1/1 level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n"
	      "\n"
	      "unused devices: <none>\n");
	g = group(f, "md127");
	assert_non_null(g);
	assert_int_equal(g->margin, 1);
	assert_true(get(f, "md0")->container);
	assert_true(get(f, "md1")->container);
	assert_false(get(f, "md2")->container);
	assert_int_equal(md_group_build(get(f, "md0"), &f->gb, &g), 0);
	assert_null(g);
}

/* corpus check_raid-issue64-auto-read-only: 6-space separator lines */
static void test_auto_read_only(void **state)
{
	struct fixture *f = *state;

	PARSE(f, "Personalities : [raid1] \n"
		 "md2 : active (auto-read-only) raid1 sdc3[0] sdd3[1]\n"
		 "      1757700984 blocks super 1.2 [2/2] [UU]\n"
		 "      \n"
		 "md1 : active raid1 sdc2[0] sdd2[1]\n"
		 "      195311544 blocks super 1.2 [2/2] [UU]\n"
		 "      \n"
		 "unused devices: <none>\n");
	assert_int_equal(f->set.n, 2);
	assert_true(get(f, "md2")->read_only);
	assert_false(get(f, "md1")->read_only);
	assert_null(group(f, "md2")->reason);
}

/* corpus pymdstat-11: inactive without a level; spares counted */
static void test_inactive_no_level(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : [raid0]\n"
		 "md127 : inactive sda[0] sdb[1] sdc[2](S)\n"
		 "      6282240 blocks super 1.2\n"
		 "\n"
		 "unused devices: <none>");
	g = group(f, "md127");
	assert_string_equal(g->type, "unknown");
	assert_int_equal(g->members_total, 3);
	assert_int_equal(g->members_ok, 0);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->margin_nominal, 0);
	assert_int_equal(member(g, "sda")->role, REDMON_ROLE_UNKNOWN);
	assert_int_equal(member(g, "sdc")->role, REDMON_ROLE_SPARE);
}

/* The real kernel's inactive line: 7-space continuation, nothing more. */
static void test_inactive_kernel_form(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : \n"
		 "md5 : inactive sdb1[1](S) sda1[0](S)\n"
		 "      2096128 blocks super 1.2\n"
		 "       \n"
		 "md9 : inactive super 1.2\n"
		 "       \n"
		 "unused devices: <none>\n");
	g = group(f, "md5");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->spares, 2);
	assert_false(get(f, "md5")->container); /* not external: an ordinary inactive array */
	/* no devices at all: "super" lands on the header line (md_seq_show) */
	g = group(f, "md9");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->members_total, 0);
	assert_int_equal(g->n_members, 0);
}

/* (W) (J) (R) and combinations: flags as md_seq_show prints them. */
static void test_flags(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;
	const struct md_array *a;

	PARSE(f,
	      "md0 : active raid1 sda1[0](W) sdb1[1](W)(F) sdc1[2](W)(S) sdd1[3]\n"
	      "      100 blocks super 1.2 [2/2] [UU]\n"
	      "\n"
	      "md1 : active raid5 sdj1[4](J) sda2[0] sdb2[1] sdc2[2]\n"
	      "      100 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n"
	      "\n"
	      "md2 : active raid1 sda3[0] sdb3[1] sdc3[2](R)\n"
	      "      100 blocks super 1.2 [2/2] [UU]\n"
	      "      [=>...................]  recovery =  5.0% (5/100) finish=1.0min speed=1K/sec\n"
	      "\n");
	a = get(f, "md0");
	assert_int_equal(a->devs[0].flags, MD_DEV_WRITE_MOSTLY);
	assert_int_equal(a->devs[1].flags, MD_DEV_WRITE_MOSTLY | MD_DEV_FAULTY);
	assert_int_equal(a->devs[2].flags, MD_DEV_WRITE_MOSTLY | MD_DEV_SPARE);
	g = group(f, "md0");
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->members_ok, 2);
	assert_string_equal(member(g, "sda1")->state, "in_sync,write_mostly");
	assert_string_equal(member(g, "sdb1")->state, "faulty,write_mostly");
	/* sdd1 has no flag but [UU] is full: listed devices beyond in-sync slots do not exist here */
	assert_int_equal(member(g, "sdd1")->role, REDMON_ROLE_ACTIVE);

	g = group(f, "md1");
	assert_int_equal(member(g, "sdj1")->role, REDMON_ROLE_ACTIVE);
	assert_string_equal(member(g, "sdj1")->state, "journal");
	assert_int_equal(g->members_ok, 3);
	assert_int_equal(g->margin, 1);
	assert_null(g->reason);

	g = group(f, "md2");
	assert_int_equal(member(g, "sdc3")->role, REDMON_ROLE_REBUILDING);
	assert_string_equal(member(g, "sdc3")->state, "replacement");
	assert_int_equal(g->margin, 1); /* a replacement runs beside a healthy slot */
	assert_int_equal(g->spares, 0);
}

/* Progress lines of every activity, the joined "=100.0%" form, and REMOTE. */
static void test_activities(void **state)
{
	struct fixture *f = *state;

	PARSE(f,
	      "md0 : active raid1 sda1[0] sdb1[1]\n"
	      "      100 blocks [2/2] [UU]\n"
	      "      [====================>]  repair =100.0% (100/100) finish=0.0min speed=1K/sec\n"
	      "\n"
	      "md1 : active raid1 sda2[0] sdb2[1]\n"
	      "      100 blocks [2/2] [UU]\n"
	      "      \tresync=REMOTE\n"
	      "\n"
	      "md2 : active raid1 sda3[0] sdb3[1]\n"
	      "      100 blocks [2/1] [U_]\n"
	      "      \trecover=REMOTE\n"
	      "\n"
	      "md3 : active raid1 sda4[0] sdb4[1]\n"
	      "      100 blocks [2/2] [UU]\n"
	      "      [>....................]  resync = 0.0%\n"
	      "\n"
	      "md4 : active raid1 sda5[0] sdb5[1]\n"
	      "      100 blocks [2/2] [UU]\n"
	      "      [>....................]  check = garbage%\n"
	      "\n");
	assert_int_equal(get(f, "md0")->activity, REDMON_ACTIVITY_REPAIR);
	assert_float_equal(get(f, "md0")->progress, 100.0, 1e-9);
	assert_int_equal(get(f, "md1")->activity, REDMON_ACTIVITY_RESYNC);
	assert_true(get(f, "md1")->progress < 0);
	assert_int_equal(get(f, "md2")->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(get(f, "md3")->progress, 0.0, 1e-9);
	assert_int_equal(get(f, "md4")->activity, REDMON_ACTIVITY_CHECK);
	assert_true(get(f, "md4")->progress < 0);
	assert_string_equal(group(f, "md4")->reason, "check running");
	assert_false(md_array_failed(get(f, "md4")));
}

/* raid10 geometry from raid10_status(), and linear "0k rounding". */
static void test_raid10_copies(void **state)
{
	struct fixture *f = *state;
	const struct md_array *a;
	const struct redmon_group *g;

	PARSE(f, "md0 : active raid10 sda1[0] sdb1[1] sdc1[2] sdd1[3]\n"
		 "      200 blocks super 1.2 512K chunks 2 near-copies [4/3] [U_UU]\n"
		 "\n"
		 "md1 : active raid10 sda2[0] sdb2[1] sdc2[2] sdd2[3] sde2[4] sdf2[5]\n"
		 "      300 blocks super 1.2 512K chunks 3 near-copies [6/4] [_UU_UU]\n"
		 "\n"
		 "md2 : active raid10 sda3[0] sdb3[1] sdc3[2] sdd3[3]\n"
		 "      200 blocks super 1.2 512K chunks 2 offset-copies [4/4] [UUUU]\n"
		 "\n"
		 "md3 : active raid10 sda4[0] sdb4[1]\n"
		 "      200 blocks super 1.2 2 far-copies [2/2] [UU]\n"
		 "\n");
	a = get(f, "md0");
	assert_true(a->r10_known);
	assert_int_equal(a->r10_near, 2);
	assert_int_equal(a->r10_far, 1);
	g = group(f, "md0");
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->margin_nominal, 1);
	assert_non_null(strstr(g->reason, "worst case"));

	/* near-3 on 6: windows {0,1,2} and {3,4,5} each lost one: one more is survivable */
	g = group(f, "md1");
	assert_int_equal(g->margin_nominal, 2);
	assert_int_equal(g->margin, 1);

	a = get(f, "md2");
	assert_int_equal(a->r10_near, 1);
	assert_int_equal(a->r10_far, 2);
	assert_true(a->r10_offset);
	assert_int_equal(group(f, "md2")->margin, 1);
	assert_int_equal(get(f, "md3")->r10_far, 2);
	assert_false(get(f, "md3")->r10_offset);
}

/* [n/m] whose [U_] string disagrees, [n/m] alone, active without status: unreadable. */
static void test_inconsistent_status(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "md0 : active raid1 sda1[0] sdb1[1]\n"
		 "      100 blocks [3/2] [UU]\n"
		 "\n"
		 "md1 : active raid1 sda2[0] sdb2[1]\n"
		 "      100 blocks [2/2]\n"
		 "\n"
		 "md2 : active raid5 sda3[0] sdb3[1] sdc3[2]\n"
		 "\n"
		 "md3 : active raid1 sda4[0] sdb4[1]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "\n"
		 "md4 : active raid1 sda5[0]\n"
		 "      100 blocks [2/2] [UX]\n");
	assert_int_equal(f->set.n, 5);
	g = group(f, "md0");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->reason, "3 slots"));
	assert_int_equal(group(f, "md1")->margin, REDMON_MARGIN_UNKNOWN);
	g = group(f, "md2");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->reason, "no status line"));
	assert_int_equal(g->n_members, 3);
	assert_int_equal(group(f, "md3")->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(group(f, "md4")->margin, REDMON_MARGIN_UNKNOWN);
}

/* A running array that lost more than it can: raid5 [4/2]. */
static void test_service_lost(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "md0 : active raid5 sda1[0] sdb1[1] sdc1[2](F) sdd1[3](F)\n"
		 "      300 blocks level 5, 64k chunk, algorithm 2 [4/2] [UU__]\n"
		 "\n"
		 "md1 : active raid0 sda2[0] sdb2[1](F)\n"
		 "      300 blocks 64k chunks\n");
	g = group(f, "md0");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->members_failed, 2);
	assert_string_equal(g->reason,
			    "2 of 4 slots missing (sdc1, sdd1 failed), more than raid5 survives");
	g = group(f, "md1");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->members_total, 2);
	assert_int_equal(g->members_ok, 1);
}

/* Unknown personality: reported, margin unknown, with the name in the reason. */
static void test_unknown_level(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "md0 : active raid7 sda1[0] sdb1[1]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "\n"
		 "md1 : active raid7abcdefghijklmnopqrstuvwxyz sda2[0] sdb2[1]\n"
		 "      100 blocks [2/2] [UU]\n");
	g = group(f, "md0");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g->type, "unknown");
	assert_non_null(strstr(g->reason, "raid7"));
	/* The name as printed, cut at MD_LEVEL_TEXT_MAX - 1 bytes. */
	g = group(f, "md1");
	assert_string_equal(g->reason, "level \"raid7abcdefghijklmnopqr\" not known to this probe");
}

/* Non-UTF-8: ignored in unrelated lines, fatal for the array in a device name. */
static void test_non_utf8(void **state)
{
	struct fixture *f = *state;
	const struct redmon_group *g;

	PARSE(f, "Personalities : [raid1] \xff\xfe\n"
		 "\xc3\x28 garbage line\n"
		 "md0 : active raid1 sda1[0] sdb1[1]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "      \xff\xff\xff bitmap\x80\n"
		 "\n"
		 "md1 : active raid1 sd\xe9[0] sdb2[1]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "\n"
		 "m\xff : active raid1 sda3[0]\n");
	assert_int_equal(f->set.n, 2);
	g = group(f, "md0");
	assert_int_equal(g->margin, 1);
	g = group(f, "md1");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	/* the reason quotes the bad token, made printable */
	assert_non_null(strstr(g->reason, "sd?[0]"));
}

/* No "unused devices" trailer and no final newline (pymdstat-16, mdstat-raid0). */
static void test_no_trailer(void **state)
{
	struct fixture *f = *state;

	PARSE(f, "Personalities : [raid6] [raid5] [raid4] [linear] [multipath] [raid0] [raid1] "
		 "[raid10] \n"
		 "md1 : active raid5 sdd[2] sdf[8] sdb[6] sda[0] sdh[5] sdc[1] sde[7] sdg[3]\n"
		 "      95705752576 blocks super 1.2 level 5, 512k chunk, algorithm 2 [8/8] "
		 "[UUUUUUUU]\n"
		 "      bitmap: 2/102 pages [8KB], 65536KB chunk");
	assert_int_equal(group(f, "md1")->margin, 1);
	assert_int_equal(f->gb.g.members_total, 8);
}

/* CRLF line ends (a capture copied through Windows). */
static void test_crlf(void **state)
{
	struct fixture *f = *state;

	PARSE(f, "Personalities : [raid1]\r\n"
		 "md0 : active raid1 sda1[0] sdb1[1]\r\n"
		 "      100 blocks [2/1] [U_]\r\n"
		 "\r\n");
	assert_int_equal(group(f, "md0")->margin, 0);
}

/* Text cut by the read limit inside an array, or just cut short. */
static void test_truncated(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "md0 : active raid1 sda1[0] sdb1[1]\n"
				   "      100 blocks [2/2] [UU]\n"
				   "\n"
				   "md1 : active raid1 sda2[0] sdb2[1]\n"
				   "      100 blocks [2/2] [U";
	static const char cut_header[] = "md0 : active raid1 sda1[0] sd";
	const struct redmon_group *g;

	assert_int_equal(md_mdstat_parse(text, sizeof(text) - 1, true, &f->set), 0);
	assert_false(md_array_failed(get(f, "md0")));
	g = group(f, "md1");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(g->reason, "MiB"));

	/* The same text without the limit flag: the cut [U is still garbage. */
	assert_int_equal(md_mdstat_parse(text, sizeof(text) - 1, false, &f->set), 0);
	assert_int_equal(group(f, "md1")->margin, REDMON_MARGIN_UNKNOWN);

	/* Cut inside the device list: "sd" is not a device entry. */
	assert_int_equal(md_mdstat_parse(cut_header, sizeof(cut_header) - 1, false, &f->set), 0);
	assert_int_equal(group(f, "md0")->margin, REDMON_MARGIN_UNKNOWN);
}

/* Garbage: no arrays, no crash; empty input; the "none" capture. */
static void test_garbage(void **state)
{
	struct fixture *f = *state;
	unsigned char junk[4096];
	unsigned int seed = 12345;
	size_t i;

	for (i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (unsigned char)(seed >> 16);
	}
	assert_int_equal(md_mdstat_parse((const char *)junk, sizeof(junk), false, &f->set), 0);
	assert_int_equal(md_mdstat_parse("", 0, false, &f->set), 0);
	assert_int_equal(f->set.n, 0);
	PARSE(f, "Personalities : \nunused devices: <none>\n");
	assert_int_equal(f->set.n, 0);
	PARSE(f, "\0\0\0md0 : active\0raid1\n\n\n");
	PARSE(f, "md0 :\nmd1 : running raid1 sda[0]\nmd2 : active\n");
	assert_int_equal(f->set.n, 3);
	assert_true(md_array_failed(get(f, "md0")));
	assert_true(md_array_failed(get(f, "md1")));
	assert_true(md_array_failed(get(f, "md2")));
}

/* One name twice: neither block can be trusted. */
static void test_duplicate(void **state)
{
	struct fixture *f = *state;

	PARSE(f, "md0 : active raid1 sda1[0] sdb1[1]\n"
		 "      100 blocks [2/2] [UU]\n"
		 "\n"
		 "md0 : active raid1 sdc1[0] sdd1[1]\n"
		 "      100 blocks [2/1] [U_]\n"
		 "\n");
	assert_int_equal(f->set.n, 1);
	assert_int_equal(group(f, "md0")->margin, REDMON_MARGIN_UNKNOWN);
}

/* --- md_mdstat_update: one block parsed again ------------------------------ */

static void assert_same_sets(const struct md_set *a, const struct md_set *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct md_array *x = &a->v[i], *y = &b->v[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(md_array_error(x), md_array_error(y));
		assert_string_equal(md_array_level(x), md_array_level(y));
		assert_int_equal(x->source, y->source);
		assert_int_equal(x->level, y->level);
		assert_int_equal(x->run, y->run);
		assert_int_equal(x->read_only, y->read_only);
		assert_int_equal(x->container, y->container);
		assert_int_equal(x->ext_container, y->ext_container);
		assert_int_equal(x->raid_disks, y->raid_disks);
		assert_int_equal(x->degraded, y->degraded);
		assert_int_equal(x->n_slots, y->n_slots);
		if (x->n_slots)
			assert_memory_equal(md_array_slots(x), md_array_slots(y), x->n_slots);
		assert_int_equal(x->n_devs, y->n_devs);
		if (x->n_devs)
			assert_memory_equal(x->devs, y->devs, x->n_devs * sizeof(*x->devs));
		assert_int_equal(x->activity, y->activity);
		assert_true(x->progress == y->progress);
		assert_int_equal(x->r10_known, y->r10_known);
		assert_int_equal(x->r10_near, y->r10_near);
		assert_int_equal(x->r10_far, y->r10_far);
		assert_int_equal(x->r10_offset, y->r10_offset);
		assert_int_equal(x->text_off, y->text_off);
		assert_int_equal(x->text_len, y->text_len);
	}
}

/*
 * Parse old, update to new: -EAGAIN, or exactly what a full parse of new gives.
 * Returns what md_mdstat_update() returned.
 */
static int update(struct fixture *f, const char *old, size_t old_len, const char *new,
		  size_t new_len)
{
	struct md_set full = { 0 }, tmp = { 0 };
	int r;

	assert_int_equal(md_mdstat_parse(old, old_len, false, &f->set), 0);
	const struct md_array *changed = (const struct md_array *)&full;

	r = md_mdstat_update(old, old_len, new, new_len, &f->set, &tmp, &changed);
	assert_true(r == 0 || r == -EAGAIN);
	if (r == 0) {
		/* the changed array is named, or none when the text is the same */
		if (old_len == new_len && memcmp(old, new, old_len) == 0)
			assert_null(changed);
		else
			assert_true(changed >= f->set.v && changed < f->set.v + f->set.n);
		assert_int_equal(md_mdstat_parse(new, new_len, false, &full), 0);
		assert_same_sets(&f->set, &full);
	}
	md_set_free(&full);
	md_set_free(&tmp);
	return r;
}

#define U_MD0 "md0 : active raid1 sdb1[1] sda1[0]\n      100 blocks super 1.2 [2/2] [UU]\n"
#define U_MD1                                                                                      \
	"md1 : active raid5 sde1[3] sdd1[2] sdc1[1]\n      200 blocks level 5, 64k chunk, "        \
	"algorithm 2 [3/3] [UUU]\n"
#define U_MD1_REC(pct)                                                                             \
	"md1 : active raid5 sde1[3] sdd1[2] sdc1[1]\n      200 blocks level 5, 64k chunk, "        \
	"algorithm 2 [3/2] [UU_]\n      [=>...]  recovery = " pct "% (1/100) finish=1min "         \
	"speed=1K/sec\n"
#define U_MD2	    "md2 : active raid10 sdh1[1] sdg1[0]\n      300 blocks 2 near-copies [2/2] [UU]\n"
#define U_HEAD	    "Personalities : [raid1] [raid5] [raid10]\n"
#define U_TAIL	    "unused devices: <none>\n"
#define U_TEXT(md1) U_HEAD U_MD0 "\n" md1 "\n" U_MD2 "\n" U_TAIL

#define UPDATE(f, a, b) update((f), (a), sizeof(a) - 1, (b), sizeof(b) - 1)

static void test_update_one_block(void **state)
{
	struct fixture *f = *state;

	/* the same text: nothing to do */
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1), U_TEXT(U_MD1)), 0);
	/* a recovery starts in md1 (lines added at the block's end), progresses, ends */
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1), U_TEXT(U_MD1_REC("1.0"))), 0);
	assert_int_equal(get(f, "md1")->activity, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1_REC("1.0")), U_TEXT(U_MD1_REC("37.5"))), 0);
	assert_true(get(f, "md1")->progress == 37.5);
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1_REC("37.5")), U_TEXT(U_MD1)), 0);
	/* the first and the last array (the last one ending the text, no trailer) */
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1),
				U_HEAD
				"md0 : active raid1 sdb1[1](F) sda1[0]\n      100 blocks super "
				"1.2 [2/1] [U_]\n\n" U_MD1 "\n" U_MD2 "\n" U_TAIL),
			 0);
	assert_int_equal(get(f, "md0")->n_slots, 2);
	assert_int_equal(UPDATE(f, U_HEAD U_MD0 "\n" U_MD2,
				U_HEAD U_MD0 "\nmd2 : active raid10 sdh1[1](F) sdg1[0]\n      300 "
					     "blocks 2 near-copies [2/1] [U_]\n"),
			 0);
}

static void test_update_refuses(void **state)
{
	struct fixture *f = *state;

	/* two blocks change */
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1),
				U_HEAD
				"md0 : active raid1 sdb1[1](F) sda1[0]\n      100 blocks super "
				"1.2 [2/1] [U_]\n\n" U_MD1_REC("1.0") "\n" U_MD2 "\n" U_TAIL),
			 -EAGAIN);
	/* an array appears, one goes, one is renamed */
	assert_int_equal(
		UPDATE(f, U_TEXT(U_MD1), U_HEAD U_MD0 "\n" U_MD1 "\n" U_MD2 "\n" U_MD2 "\n" U_TAIL),
		-EAGAIN);
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1), U_HEAD U_MD0 "\n" U_MD2 "\n" U_TAIL), -EAGAIN);
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1),
				U_HEAD U_MD0
				"\nmd9 : active raid5 sde1[3] sdd1[2] sdc1[1]\n      200 "
				"blocks level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n\n" U_MD2
				"\n" U_TAIL),
			 -EAGAIN);
	/* outside any block */
	assert_int_equal(UPDATE(f, U_TEXT(U_MD1),
				"Personalities : [raid1] [raid5] [raid10] [raid6]\n" U_MD0
				"\n" U_MD1 "\n" U_MD2 "\n" U_TAIL),
			 -EAGAIN);
	/* a duplicate name: no block is known for sure */
	assert_int_equal(UPDATE(f, U_HEAD U_MD0 "\n" U_MD0 "\n", U_HEAD U_MD0 "\n" U_MD0 "\n\n"),
			 -EAGAIN);
}

/*
 * Every single-byte edit of a text (a byte replaced, removed, or one
 * inserted) at every position: the update either refuses or gives exactly
 * what a full parse gives.
 */
static void test_update_every_edit(void **state)
{
	struct fixture *f = *state;
	static const char base[] = U_TEXT(U_MD1_REC("12.5"));
	static const char with[] = { ' ', '\n', '_', 'U', '(', ')', '[', '1', 'F', ':', 'm' };
	char edited[sizeof(base) + 1];
	size_t n = sizeof(base) - 1, pos, k;
	int applied = 0;

	for (pos = 0; pos <= n; pos++) {
		for (k = 0; k < sizeof(with); k++) {
			if (pos < n) {
				memcpy(edited, base, n);
				edited[pos] = with[k];
				applied += update(f, base, n, edited, n) == 0;
			}
			memcpy(edited, base, pos);
			edited[pos] = with[k];
			memcpy(edited + pos + 1, base + pos, n - pos);
			applied += update(f, base, n, edited, n + 1) == 0;
		}
		if (pos < n) {
			memcpy(edited, base, pos);
			memcpy(edited + pos, base + pos + 1, n - pos - 1);
			applied += update(f, base, n, edited, n - 1) == 0;
		}
	}
	assert_true(applied > 1000); /* most edits stay inside one block */
}

static void test_parse_dev(void **state)
{
	struct md_dev d, before;

	(void)state;
	/* out-parameter untouched on failure */
	memset(&before, 0x5a, sizeof(before));
	d = before;
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[1](F)(Q"), &d), -EINVAL);
	assert_memory_equal(&d, &before, sizeof(d));
	assert_int_equal(md_mdstat_parse_dev(strv_c("nvme0n1p2[12](W)(F)"), &d), 0);
	assert_string_equal(d.name, "nvme0n1p2");
	assert_int_equal(d.desc_nr, 12);
	assert_int_equal(d.flags, MD_DEV_WRITE_MOSTLY | MD_DEV_FAULTY);
	assert_int_equal(md_mdstat_parse_dev(strv_c("dm-15[1]"), &d), 0);
	assert_int_equal(md_mdstat_parse_dev(strv_c("cciss/c0d0p1[0](S)"), &d), 0);
	assert_string_equal(d.name, "cciss/c0d0p1");
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[0](X)"), &d), 0); /* unknown flag */
	assert_int_equal(d.flags, 0);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("[0]"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[]"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[-1]"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[1"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[1]F"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[1](F"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("sda[99999999999999999999]"), &d), -EINVAL);
	assert_int_equal(md_mdstat_parse_dev(strv_c("s(d)a[1]"), &d), -EINVAL);
	assert_int_equal(
		md_mdstat_parse_dev(strv_c("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					   "aaaaaaaaaaaaaaaaa[0]"),
				    &d),
		-ENAMETOOLONG);
	/* The boundary: BDEVNAME_SIZE 32 holds 31 bytes and the NUL. */
	assert_int_equal(md_mdstat_parse_dev(strv_c("n123456789012345678901234567890[3]"), &d), 0);
	assert_string_equal(d.name, "n123456789012345678901234567890");
	assert_int_equal(md_mdstat_parse_dev(strv_c("n1234567890123456789012345678901[3]"), &d),
			 -ENAMETOOLONG);
}

/*
 * A device name longer than the kernel allows (a hostile or corrupt capture)
 * makes the array unknown with a reason that says so, never a cut name.
 */
static void test_long_dev_name(void **state)
{
	struct fixture *f = *state;
	const char *text = "md0 : active raid1 n123456789012345678901234567890[0] sdb1[1]\n"
			   "      100 blocks [2/2] [UU]\n"
			   "\n"
			   "md1 : active raid1 n1234567890123456789012345678901[0] sdb2[1]\n"
			   "      100 blocks [2/2] [UU]\n"
			   "\n";
	const struct md_array *a;

	assert_int_equal(md_mdstat_parse(text, strlen(text), false, &f->set), 0);
	a = get(f, "md0");
	assert_false(md_array_failed(a));
	assert_int_equal(a->n_devs, 2);
	assert_string_equal(a->devs[0].name, "n123456789012345678901234567890");
	a = get(f, "md1");
	assert_true(md_array_failed(a));
	assert_string_equal(md_array_error(a),
			    "mdstat device name \"n1234567890123456789012345678901[0]...\" "
			    "longer than the kernel's 31 bytes");
}

/* A 10 MiB proc/mdstat is read up to the limit, the cut array unknown, no crash. */
static void test_huge_file(void **state)
{
	struct fixture *f = *state;
	struct md_scan scan = { 0 };
	char dir[] = "/tmp/test_md_mdstat.XXXXXX", path[64];
	const char block[] = "md0 : active raid1 sda1[0] sdb1[1]\n"
			     "      100 blocks [2/2] [UU]\n"
			     "\n";
	size_t written = 0;
	int fd, root;
	FILE *fp;

	(void)f;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/mdstat", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	/* One good array, then 10 MiB of a single endless device list. */
	fputs(block, fp);
	fputs("md1 : active raid1", fp);
	while (written < (10u << 20)) {
		fputs(" sdzz1[0]", fp);
		written += 9;
	}
	fputs("\n", fp);
	fclose(fp);

	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	assert_int_equal(md_scan_read(&scan, root, NULL), 0);
	assert_int_equal(scan.mdstat_err, 0);
	assert_true(scan.mdstat_truncated);
	assert_int_equal(scan.text.len, MD_MDSTAT_MAX);
	assert_int_equal(scan.mdstat.n, 2);
	assert_false(md_array_failed(&scan.mdstat.v[0]));
	assert_true(md_array_failed(&scan.mdstat.v[1])); /* too many devices, or cut */
	close(root);
	md_scan_free(&scan);

	fd = unlink(path);
	assert_int_equal(fd, 0);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

/* Crashes found by fuzz_mdstat become regression cases here (none so far). */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_arrays_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_arrays_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_space_indent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_indent_no_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_five_space_indent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delayed_eight_spaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_and_rebuilding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imsm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_no_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_kernel_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raid10_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_trailer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test(test_parse_dev),
		cmocka_unit_test_setup_teardown(test_long_dev_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_one_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_every_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("md_mdstat", tests, NULL, NULL);
}
