// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which disks the smart probe reads (plugins/smart/smart_targets.c): whole
 * disks of a sys/block tree (links to a device only; loop, md, dm, sr
 * skipped), the `devices` option (controller devices, bad entries refused
 * with the entry named), the --root captures, and a disk in standby keeping
 * its last verdict while its error log count carries over.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/smart/smart_targets.h"

static char tmp[] = "/tmp/redmon-smart-targets-XXXXXX";

static void mkpath(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void touch(const char *rel)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/* sys/block/NAME, with a device directory when dev is true (a real disk). */
static void block(const char *name, bool dev)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/block/%s", name);
	mkpath(rel);
	if (dev) {
		snprintf(rel, sizeof(rel), "sys/block/%s/device", name);
		mkpath(rel);
	}
}

static void test_sysfs_and_captures(void **state)
{
	struct smart_targets t = { 0 };
	int root;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	mkpath("sys");
	mkpath("sys/block");
	block("sdb", true);
	block("sda", true);
	block("nvme0n1", true);
	block("loop0", true);
	block("md0", false);
	block("dm-0", false);
	block("sr0", true);
	block("vdz", false); /* no device: nothing SMART could speak of */
	touch("smartctl-sda.json");
	touch("smartctl-.json");
	touch("smartctl-x.txt");
	touch("other.json");
	root = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	assert_int_equal(smart_targets_sysfs(&t, root), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].device, "/dev/nvme0n1");
	assert_string_equal(t.v[1].device, "/dev/sda");
	assert_string_equal(t.v[2].name, "/dev/sdb");
	assert_string_equal(t.v[2].type, "");
	smart_targets_free(&t);
	assert_int_equal(smart_targets_captures(&t, root), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].file, "smartctl-sda.json");
	smart_targets_free(&t);
	close(root);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_devices_option(void **state)
{
	struct smart_targets t = { 0 };
	char why[256] = "";

	(void)state;
	assert_int_equal(smart_targets_option(&t,
					      "/dev/bus/0 megaraid,1; /dev/sda sat+megaraid,2;;"
					      " /dev/bus/0 megaraid,1",
					      why, sizeof(why)),
			 0);
	assert_int_equal(t.n, 2); /* the repeat is read once */
	assert_string_equal(t.v[0].name, "/dev/bus/0");
	assert_string_equal(t.v[0].type, "megaraid,1");
	assert_string_equal(t.v[0].device, "/dev/bus/0 megaraid,1");
	assert_string_equal(t.v[1].device, "/dev/sda megaraid,2");
	assert_int_equal(smart_targets_option(&t, "", why, sizeof(why)), 0);
	assert_int_equal(smart_targets_option(&t, NULL, why, sizeof(why)), 0);
	assert_int_equal(t.n, 2);
	smart_targets_free(&t);

	/* what would reach smartctl's argv unchecked is refused, and named */
	const char *bad[] = { "sda",	      "/dev/../etc/passwd", "/dev/sda -d; rm",
			      "/dev/sda a b", "/dev/sda $(x)",	    "/etc/sda" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		assert_int_equal(smart_targets_option(&t, bad[i], why, sizeof(why)), -EINVAL);
		if (!strstr(why, "is not \"/dev/NAME [TYPE]\""))
			fail_msg("%s: %s", bad[i], why);
		smart_targets_free(&t);
	}
}

static void test_disk_names(void **state)
{
	(void)state;
	assert_true(smart_is_disk_name("sda"));
	assert_true(smart_is_disk_name("nvme0n1"));
	assert_true(smart_is_disk_name("vda"));
	assert_false(smart_is_disk_name("loop3"));
	assert_false(smart_is_disk_name("md127"));
	assert_false(smart_is_disk_name("dm-1"));
	assert_false(smart_is_disk_name("zram0"));
	assert_false(smart_is_disk_name("sr0"));
	assert_false(smart_is_disk_name(".."));
	assert_false(smart_is_disk_name(""));
}

#define OK_LOG                                                                                     \
	"{\"device\":{\"name\":\"/dev/sda\"},\"smart_status\":{\"passed\":true},"                  \
	"\"ata_smart_error_log\":{\"summary\":{\"count\":%d}}}"
#define STANDBY                                                                                    \
	"{\"device\":{\"name\":\"/dev/sda\"},\"smartctl\":{\"exit_status\":2,\"messages\":[{"      \
	"\"string\":\"Device is in STANDBY mode, exit(2)\",\"severity\":\"information\"}]}}"

static void judge_log(struct smart_target *d, int n)
{
	char buf[512];

	snprintf(buf, sizeof(buf), OK_LOG, n);
	smart_target_judge(d, buf, strlen(buf));
}

static void judge_standby(struct smart_target *d)
{
	smart_target_judge(d, STANDBY, strlen(STANDBY));
}

static void test_standby_and_error_log(void **state)
{
	struct smart_target d = { .error_log = -1 };

	(void)state;
	/* asleep before any read: unknown, says why */
	judge_standby(&d);
	assert_int_equal(d.last.health, REDMON_RISK_UNKNOWN);
	assert_string_equal(d.last.reason, "in standby, not woken to be read");
	judge_log(&d, 3);
	assert_int_equal(d.last.health, REDMON_RISK_OK);
	/* asleep after: the last verdict stays */
	judge_standby(&d);
	assert_int_equal(d.last.health, REDMON_RISK_OK);
	judge_log(&d, 3);
	assert_int_equal(d.last.health, REDMON_RISK_OK);
	judge_log(&d, 5);
	assert_int_equal(d.last.health, REDMON_RISK_WARNING);
	assert_string_equal(d.last.reason, "error log grew from 3 to 5 entries");
	/* no new entries since: ok again */
	judge_log(&d, 5);
	assert_int_equal(d.last.health, REDMON_RISK_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysfs_and_captures),
		cmocka_unit_test(test_devices_option),
		cmocka_unit_test(test_disk_names),
		cmocka_unit_test(test_standby_and_error_log),
	};

	return cmocka_run_group_tests_name("smart_targets", tests, NULL, NULL);
}
