/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The net-snmp-free parts of the SNMP subagent: the index state file
 * (src/snmp/subagent_index.c) and REDMON-MIB's rules (src/snmp/subagent_rules.c).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/remind.h"
#include "../../src/snmp/subagent_index.h"
#include "../../src/snmp/subagent_rules.h"

static char dir[] = "/tmp/redmon-subagent-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct subagent_index *load(const char *name)
{
	struct subagent_index *x = NULL;
	char err[512] = "";

	assert_int_equal(subagent_index_load(path_of(name), &x, err, sizeof(err)), 0);
	assert_non_null(x);
	return x;
}

static void save(struct subagent_index *x)
{
	char err[512] = "";

	assert_int_equal(subagent_index_save(x, err, sizeof(err)), 0);
	assert_false(subagent_index_dirty(x));
}

static void test_missing_file_is_empty(void **state)
{
	struct subagent_index *x = load("none");

	(void)state;
	assert_false(subagent_index_dirty(x));
	assert_int_equal(subagent_index_find_group(x, "md:md0"), 0);
	assert_int_equal(subagent_index_group(x, "md:md0"), 1);
	assert_int_equal(subagent_index_group(x, "bond:bond0"), 2);
	assert_int_equal(subagent_index_group(x, "md:md0"), 1);
	assert_true(subagent_index_dirty(x));
	subagent_index_free(x);
	subagent_index_free(NULL);
}

/* An NMS must never see md0's row become bond0's: indexes survive, never move. */
static void test_indexes_are_stable_and_never_reused(void **state)
{
	struct subagent_index *x = load("stable");
	int md1, md3, sda, sdb, probe;

	(void)state;
	md1 = subagent_index_group(x, "md:md1");
	md3 = subagent_index_group(x, "md:md3");
	sda = subagent_index_member(x, md1, "sda1");
	sdb = subagent_index_member(x, md1, "sdb1");
	probe = subagent_index_probe(x, "md");
	assert_int_equal(subagent_index_member(x, md3, "sdc1"), 1); /* per group */
	save(x);
	subagent_index_free(x);

	x = load("stable");
	/* A group that sorts first arrives: the others keep theirs, it gets a new one. */
	assert_int_equal(subagent_index_group(x, "md:md0"), 3);
	assert_int_equal(subagent_index_group(x, "md:md1"), md1);
	assert_int_equal(subagent_index_group(x, "md:md3"), md3);
	assert_int_equal(subagent_index_find_member(x, md1, "sdb1"), sdb);
	assert_int_equal(subagent_index_member(x, md1, "sda1"), sda);
	assert_int_equal(subagent_index_member(x, md1, "sdg1"), 3);
	assert_int_equal(subagent_index_probe(x, "md"), probe);
	assert_int_equal(subagent_index_probe(x, "bond"), 2);
	save(x);
	subagent_index_free(x);

	x = load("stable");
	assert_int_equal(subagent_index_find_group(x, "md:md0"), 3);
	assert_int_equal(subagent_index_find_member(x, md1, "sdg1"), 3);
	assert_int_equal(subagent_index_group(x, "md:md9"), 4);
	subagent_index_free(x);
}

static void test_names_round_trip(void **state)
{
	static const char *const names[] = { "ipmi:PS Redundancy", "md:back\\slash",
					     "bond:tab\there", "md:new\nline", "md:\x01\x7f" };
	struct subagent_index *x = load("names");
	int idx[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		idx[i] = subagent_index_group(x, names[i]);
	save(x);
	subagent_index_free(x);
	x = load("names");
	for (int i = 0; i < 5; i++)
		assert_int_equal(subagent_index_find_group(x, names[i]), idx[i]);
	subagent_index_free(x);
}

/*
 * Upgrades: tests/fixtures/snmp/snmp-index-0.1.0 was written by redmon 0.1.0's
 * index code (escaped names included).  Every key keeps its index, new keys
 * go after, and the file written back has the same lines but the boot count.
 */
static void test_reads_the_file_of_0_1_0(void **state)
{
	const char *fixture = "tests/fixtures/snmp/snmp-index-0.1.0";
	char old[2048], now[2048], cmd[512];
	struct subagent_index *x;
	size_t n_old, n_now;
	FILE *f;

	(void)state;
	snprintf(cmd, sizeof(cmd), "cp %s %s", fixture, path_of("upgrade"));
	assert_int_equal(system(cmd), 0);
	x = load("upgrade");
	assert_int_equal(subagent_index_find_group(x, "md:md1"), 1);
	assert_int_equal(subagent_index_find_group(x, "md:md3"), 2);
	assert_int_equal(subagent_index_find_group(x, "bond:bond0"), 3);
	assert_int_equal(subagent_index_find_group(x, "hwmon:psu \\ \"odd\"\tname\n"), 4);
	assert_int_equal(subagent_index_find_member(x, 1, "sdb1#2"), 3);
	assert_int_equal(subagent_index_find_member(x, 3,
						    "eth\x01"
						    "1"),
			 2);
	assert_int_equal(subagent_index_probe(x, "hwmon"), 3);
	assert_int_equal(subagent_index_boots(x), 3);
	assert_int_equal(subagent_index_group(x, "md:md0"), 5);
	assert_int_equal(subagent_index_member(x, 1, "sdc1"), 4);
	save(x);
	subagent_index_free(x);

	f = fopen(fixture, "r");
	assert_non_null(f);
	n_old = fread(old, 1, sizeof(old) - 1, f);
	fclose(f);
	old[n_old] = 0;
	f = fopen(path_of("upgrade"), "r");
	assert_non_null(f);
	n_now = fread(now, 1, sizeof(now) - 1, f);
	fclose(f);
	now[n_now] = 0;
	/* The same file, with the boot count one up and the two new keys. */
	assert_non_null(strstr(old, "boots 2\n"));
	memcpy(strstr(old, "boots 2\n"), "boots 3\n", 8);
	assert_int_equal(strncmp(now, old, n_old), 0);
	assert_string_equal(now + n_old, "group 5 md:md0\nmember 1 4 sdc1\n");
}

static void test_boots_count_once_per_start(void **state)
{
	struct subagent_index *x = load("boots");

	(void)state;
	assert_int_equal(subagent_index_boots(x), 1);
	assert_int_equal(subagent_index_boots(x), 1);
	save(x);
	subagent_index_free(x);
	x = load("boots");
	assert_int_equal(subagent_index_boots(x), 2);
	subagent_index_free(x);
}

static void test_bad_files_are_refused(void **state)
{
	static const char *const bad[] = {
		"version 2\n",
		"group 0 md:md0\n",
		"group x md:md0\n",
		"group 1 md:md0\ngroup 1 md:md1\n", /* one index, two groups */
		"group 1 md:md0\ngroup 2 md:md0\n", /* one group, two indexes */
		"member 1 1 sda1\nmember 1 1 sdb1\n",
		"group 1 md:bad\\q\n",
		"frobnicate 1\n",
		"group 2147483648 md:md0\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct subagent_index *x = NULL;
		char err[512] = "";

		write_file("bad", bad[i]);
		assert_int_equal(subagent_index_load(path_of("bad"), &x, err, sizeof(err)),
				 -EINVAL);
		assert_null(x);
		assert_non_null(strstr(err, path_of("bad")));
	}
	write_file("good", "# comment\n\nversion 1\nboots 4\ngroup 7 md:md0\nprobe 2 md\n"
			   "member 7 3 sda1\n");
	{
		struct subagent_index *x = load("good");

		assert_int_equal(subagent_index_group(x, "md:md1"), 8);
		assert_int_equal(subagent_index_member(x, 7, "sdb1"), 4);
		assert_int_equal(subagent_index_probe(x, "bond"), 3);
		subagent_index_free(x);
	}
}

/*
 * Issue 12 E4: the index is read as root in the state directory, which the
 * service user owns.  A link it planted (here to a valid index, which would
 * be taken) and a FIFO (a start blocked in open()) are refused at once, with
 * the path; so is a character device through the link (/dev/zero: no end).
 */
static void test_planted_files_are_refused(void **state)
{
	static const char *const names[] = { "link", "fifo", "zero" };
	char target[300];

	(void)state;
	write_file("real", "version 1\ngroup 7 md:md0\n");
	snprintf(target, sizeof(target), "%s", path_of("real"));
	assert_int_equal(symlink(target, path_of("link")), 0);
	assert_int_equal(mkfifo(path_of("fifo"), 0600), 0);
	assert_int_equal(symlink("/dev/zero", path_of("zero")), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct subagent_index *x = NULL;
		char err[512] = "";

		assert_true(subagent_index_load(path_of(names[i]), &x, err, sizeof(err)) < 0);
		assert_null(x);
		assert_non_null(strstr(err, path_of(names[i])));
	}
}

static void test_unwritable_state_file(void **state)
{
	struct subagent_index *x = NULL;
	char err[512] = "";

	(void)state;
	assert_int_equal(subagent_index_load("/nonexistent-dir/snmp-index", &x, err, sizeof(err)),
			 0);
	subagent_index_group(x, "md:md0");
	assert_true(subagent_index_save(x, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/snmp-index"));
	assert_true(subagent_index_dirty(x)); /* retried later */
	subagent_index_free(x);
}

/* --- rules ------------------------------------------------------------ */

static struct group grp(enum health h)
{
	struct group g = { .id = "md:md0",
			   .probe = "md",
			   .name = "md0",
			   .type = "raid1",
			   .health = h,
			   .progress = -1 };

	return g;
}

static void test_health_notifications(void **state)
{
	struct group g = grp(HEALTH_CRITICAL);
	struct event ev = { .type = EV_HEALTH_CHANGED, .group = &g, .prev_health = HEALTH_OK };

	(void)state;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_CRITICAL);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_RAISE);
	g.health = HEALTH_DEGRADED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_DEGRADED);
	g.health = HEALTH_FAILED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_FAILED);
	g.health = HEALTH_UNKNOWN;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_UNKNOWN);
	g.health = HEALTH_OK;
	ev.prev_health = HEALTH_CRITICAL;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_RECOVERED);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_CLEAR);
	g.health = HEALTH_NONREDUNDANT;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_RECOVERED);
	/* fine to fine (a nominal margin change) is no recovery */
	ev.prev_health = HEALTH_OK;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);

	ev.type = EV_GROUP_APPEARED;
	g.health = HEALTH_OK;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
	g.health = HEALTH_DEGRADED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_GROUP_DEGRADED);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_RAISE);
	ev.type = EV_GROUP_VANISHED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_CLEAR);
}

static void test_member_notifications(void **state)
{
	struct group g = grp(HEALTH_CRITICAL);
	struct event ev = { .type = EV_MEMBER_CHANGED, .group = &g, .member_name = "sdb1" };
	static const struct {
		int was, is;
		enum subagent_notif want;
	} cases[] = {
		{ REDMON_ROLE_ACTIVE, REDMON_ROLE_FAILED, SUBAGENT_NOTIF_MEMBER_FAILED },
		{ ROLE_ABSENT, REDMON_ROLE_FAILED, SUBAGENT_NOTIF_MEMBER_FAILED },
		{ REDMON_ROLE_FAILED, ROLE_ABSENT, SUBAGENT_NOTIF_NONE },
		{ REDMON_ROLE_REBUILDING, REDMON_ROLE_ACTIVE, SUBAGENT_NOTIF_MEMBER_RECOVERED },
		{ REDMON_ROLE_FAILED, REDMON_ROLE_STANDBY, SUBAGENT_NOTIF_MEMBER_RECOVERED },
		{ REDMON_ROLE_MISSING, REDMON_ROLE_ACTIVE, SUBAGENT_NOTIF_MEMBER_RECOVERED },
		{ REDMON_ROLE_STANDBY, REDMON_ROLE_ACTIVE, SUBAGENT_NOTIF_NONE }, /* a failover */
		{ ROLE_ABSENT, REDMON_ROLE_ACTIVE, SUBAGENT_NOTIF_NONE },	  /* a new disk */
		{ ROLE_ABSENT, REDMON_ROLE_REBUILDING, SUBAGENT_NOTIF_NONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev.member_prev_role = cases[i].was;
		ev.member_role = cases[i].is;
		assert_int_equal(subagent_notif_for(&ev), cases[i].want);
		assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
	}
}

/* redmonSecondFailureRisk when the risk starts, nothing when it ends; no alarm of its own. */
static void test_second_failure_risk_notification(void **state)
{
	struct group g = grp(HEALTH_CRITICAL);
	struct event ev = { .type = EV_SECOND_FAILURE_RISK, .group = &g, .member_name = "sda1" };

	(void)state;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_SECOND_FAILURE_RISK);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
	ev.resolved = true;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	ev.resolved = false;
	ev.group = NULL;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
}

/*
 * redmonSpofFound for spof_found, no alarm; redmonGroupSpof joins the reasons
 * with "; " and is cut at 255 octets without splitting a character.
 */
static void test_spof_notification_and_column(void **state)
{
	char long_reason[300], joined[1024], shown[256 + 1];
	const char *reasons[] = { "members sdb1 and sdb2 are partitions of one disk, sdb",
				  "every member is behind one controller, 0000:00:1f.2",
				  long_reason };
	struct group g = grp(HEALTH_OK);
	struct event ev = { .type = EV_SPOF_FOUND, .group = &g, .spof = reasons[0] };
	size_t n;

	(void)state;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_SPOF_FOUND);
	assert_int_equal(SUBAGENT_NOTIF_SPOF_FOUND, 22);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
	ev.group = NULL;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);

	subagent_spof_join(&g, joined, sizeof(joined));
	assert_string_equal(joined, "");
	g.spof = (char **)reasons;
	g.n_spof = 2;
	subagent_spof_join(&g, joined, sizeof(joined));
	assert_string_equal(joined, "members sdb1 and sdb2 are partitions of one disk, sdb; "
				    "every member is behind one controller, 0000:00:1f.2");
	/* A third, long and in two-byte characters: cut at 255 octets, never mid-character. */
	memset(long_reason, 0, sizeof(long_reason));
	for (size_t i = 0; i + 2 < sizeof(long_reason); i += 2)
		memcpy(long_reason + i, "\xc3\xa9", 2);
	g.n_spof = 3;
	subagent_spof_join(&g, joined, sizeof(joined));
	n = subagent_text(joined, shown, 255);
	assert_true(n <= 255 && n >= 253);
	assert_int_equal(strlen(shown), n);
	assert_true(((unsigned char)shown[n - 1] & 0xc0) != 0xc0); /* no lead byte left alone */
	assert_memory_equal(shown, joined, n);
	/* Reasons that do not fit the join buffer are left out whole. */
	subagent_spof_join(&g, joined, 60);
	assert_string_equal(joined, "members sdb1 and sdb2 are partitions of one disk, sdb");
}

static void test_other_notifications(void **state)
{
	struct group g = grp(HEALTH_CRITICAL);
	struct event ev = { .group = &g, .probe = "md" };

	(void)state;
	ev.type = EV_REBUILD_STARTED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_REBUILD_STARTED);
	ev.type = EV_REBUILD_PROGRESS;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	ev.type = EV_REBUILD_FINISHED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_REBUILD_FINISHED);
	ev.group = NULL;
	ev.type = EV_PROBE_FAILED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_PROBE_FAILED);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_RAISE);
	ev.type = EV_PROBE_RECOVERED;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_PROBE_RECOVERED);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_CLEAR);
	ev.type = EV_TEST;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_TEST);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
	/* A reminder is SNMP's only when the reminder walk named SNMP as its recipient. */
	ev.group = &g;
	ev.type = EV_REMINDER;
	ev.sink = "ops";
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	ev.sink = NULL;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	ev.sink = REMIND_TO_SNMP;
	assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_REMINDER);
	assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
}

/* The group warnings that leave health alone: one notification each, no alarm row. */
static void test_warning_notifications(void **state)
{
	static const struct {
		enum event_type ev;
		enum subagent_notif n;
	} cases[] = {
		{ EV_REBUILD_STALLED, SUBAGENT_NOTIF_REBUILD_STALLED },
		{ EV_REBUILD_RESUMED, SUBAGENT_NOTIF_REBUILD_RESUMED },
		{ EV_SPARES_MISSING, SUBAGENT_NOTIF_SPARES_MISSING },
		{ EV_MEMBERS_MISSING, SUBAGENT_NOTIF_MEMBERS_MISSING },
		{ EV_SCRUB_OVERDUE, SUBAGENT_NOTIF_SCRUB_OVERDUE },
		{ EV_SCRUB_FOUND_ERRORS, SUBAGENT_NOTIF_SCRUB_FOUND_ERRORS },
	};
	struct group g = grp(HEALTH_OK);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct event ev = { .type = cases[i].ev, .group = &g };

		assert_int_equal(subagent_notif_for(&ev), cases[i].n);
		/* numbered as REDMON-MIB's redmonNotifications */
		assert_int_equal((int)cases[i].n, 16 + (int)i);
		assert_int_equal(subagent_alarm_for(&ev), SUBAGENT_ALARM_KEEP);
		ev.group = NULL;
		assert_int_equal(subagent_notif_for(&ev), SUBAGENT_NOTIF_NONE);
	}
}

static void test_values(void **state)
{
	(void)state;
	/* RedmonHealth grows with severity, in the order of health_worse() */
	assert_int_equal(subagent_health_value(HEALTH_OK), 1);
	assert_int_equal(subagent_health_value(HEALTH_NONREDUNDANT), 2);
	assert_int_equal(subagent_health_value(HEALTH_DEGRADED), 3);
	assert_int_equal(subagent_health_value(HEALTH_UNKNOWN), 4);
	assert_int_equal(subagent_health_value(HEALTH_CRITICAL), 5);
	assert_int_equal(subagent_health_value(HEALTH_FAILED), 6);
	for (int a = 0; a < HEALTH_COUNT_; a++) {
		for (int b = 0; b < HEALTH_COUNT_; b++)
			assert_int_equal(health_worse(a, b),
					 subagent_health_value(a) > subagent_health_value(b));
	}
	assert_int_equal(subagent_role_value(REDMON_ROLE_ACTIVE), 1);
	assert_int_equal(subagent_role_value(REDMON_ROLE_FAILED), 5);
	assert_int_equal(subagent_role_value(REDMON_ROLE_UNKNOWN), 7);
	assert_int_equal(subagent_role_value(ROLE_ABSENT), SUBAGENT_ROLE_ABSENT);
	assert_int_equal(subagent_activity_value(REDMON_ACTIVITY_NONE), 1);
	assert_int_equal(subagent_activity_value(REDMON_ACTIVITY_RECOVERY), 2);
	assert_int_equal(subagent_activity_value(REDMON_ACTIVITY_PENDING), 8);
	assert_int_equal(subagent_progress_tenths(-1), -1);
	assert_int_equal(subagent_progress_tenths(37.4), 374);
	assert_int_equal(subagent_progress_tenths(37.449), 374);
	assert_int_equal(subagent_progress_tenths(37.45), 375);
	assert_int_equal(subagent_progress_tenths(100), 1000);
}

static void test_date_and_time(void **state)
{
	const struct timespec ts = { .tv_sec = 1795647001, .tv_nsec = 123000000 };
	const struct timespec zero = { 0 };
	/* 2026-11-25 22:50:01.1 UTC */
	const unsigned char want[11] = { 0x07, 0xea, 11, 25, 22, 50, 1, 1, '+', 0, 0 };
	unsigned char b[11];

	(void)state;
	assert_int_equal(subagent_date_and_time(&ts, b), 11);
	assert_memory_equal(b, want, 11);
	assert_int_equal(subagent_date_and_time(&zero, b), 0);
}

static void test_text(void **state)
{
	char buf[300], long_text[600];

	(void)state;
	assert_int_equal(subagent_text(NULL, buf, 255), 0);
	assert_string_equal(buf, "");
	subagent_text("md0", buf, 255);
	assert_string_equal(buf, "md0");
	/* escaped as the JSON output escapes it */
	subagent_text("a\\b\xff", buf, 255);
	assert_string_equal(buf, "a\\\\b\\xFF");
	/* cut at 255 octets, never inside a UTF-8 character */
	memset(long_text, 'x', 254);
	strcpy(long_text + 254, "\xc3\xa9tail");
	assert_int_equal(subagent_text(long_text, buf, 255), 254);
	memset(long_text, 'y', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = 0;
	assert_int_equal(subagent_text(long_text, buf, 255), 255);
	assert_int_equal(subagent_cut("caf\xc3\xa9", buf, 4), 3);
	assert_string_equal(buf, "caf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file_is_empty),
		cmocka_unit_test(test_indexes_are_stable_and_never_reused),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_reads_the_file_of_0_1_0),
		cmocka_unit_test(test_boots_count_once_per_start),
		cmocka_unit_test(test_bad_files_are_refused),
		cmocka_unit_test(test_planted_files_are_refused),
		cmocka_unit_test(test_unwritable_state_file),
		cmocka_unit_test(test_health_notifications),
		cmocka_unit_test(test_member_notifications),
		cmocka_unit_test(test_spof_notification_and_column),
		cmocka_unit_test(test_other_notifications),
		cmocka_unit_test(test_second_failure_risk_notification),
		cmocka_unit_test(test_warning_notifications),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_date_and_time),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("subagent", tests, setup, teardown);
}
