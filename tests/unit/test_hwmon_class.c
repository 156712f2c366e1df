// SPDX-License-Identifier: GPL-2.0-or-later
/* hwmon PSU classification and the sysfs reader (plugins/hwmon/hwmon_class.c, hwmon_sysfs.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/hwmon/hwmon_class.h"
#include "../../plugins/hwmon/hwmon_read.h"

static void has(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
}

/* A PMBus supply in libsensors units: vin 230 V or 0 V. */
static void pmbus_chip(struct hwmon_chip *c, const char *name, double vin)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(hwmon_chip_set_id(c, name, "dps650ab", NULL), 0);
	assert_int_equal(hwmon_chip_label(c, "in1", "vin"), 0);
	assert_int_equal(hwmon_chip_label(c, "fan1", "fan1"), 0);
	assert_int_equal(hwmon_chip_add(c, "in1_input", vin), 0);
	assert_int_equal(hwmon_chip_add(c, "in1_alarm", 0), 0);
	assert_int_equal(hwmon_chip_add(c, "in1_lcrit_alarm", 0), 0);
	assert_int_equal(hwmon_chip_add(c, "curr1_max_alarm", 0), 0);
	assert_int_equal(hwmon_chip_add(c, "fan1_fault", 0), 0);
	assert_int_equal(hwmon_chip_add(c, "temp1_crit_alarm", 0), 0);
	/* Not classified: limits and unknown channel types are dropped. */
	assert_int_equal(hwmon_chip_add(c, "in1_crit", 264), 0);
	assert_int_equal(hwmon_chip_add(c, "intrusion0_alarm", 1), 0);
}

static void set(struct hwmon_chip *c, const char *attr, double v)
{
	for (size_t i = 0; i < c->n_attrs; i++) {
		if (strcmp(c->attrs[i].name, attr) == 0) {
			c->attrs[i].value = v;
			return;
		}
	}
	fail_msg("no attribute %s", attr);
}

static void test_chip_list(void **state)
{
	(void)state;
	assert_true(hwmon_is_psu_chip("pmbus", NULL));
	assert_true(hwmon_is_psu_chip("dps650ab", ""));
	assert_true(hwmon_is_psu_chip("ibm_cffps1", NULL));
	assert_true(hwmon_is_psu_chip("ibm-cffps1", NULL)); /* '-' == '_' */
	assert_true(hwmon_is_psu_chip("ipsps1", NULL));
	assert_false(hwmon_is_psu_chip("nct6779", NULL));
	assert_false(hwmon_is_psu_chip("coretemp", NULL));
	assert_false(hwmon_is_psu_chip("tps53679", NULL)); /* a PMBus DC-DC converter */
	assert_true(hwmon_is_psu_chip("acme_psu2", "foo, acme_psu*"));
	assert_true(hwmon_is_psu_chip("acme-psu2", "acme_psu?"));
	assert_false(hwmon_is_psu_chip("acme", "acme_psu*,"));
	assert_true(hwmon_attr_wanted("in1_alarm"));
	assert_true(hwmon_attr_wanted("power12_lcrit_alarm"));
	assert_true(hwmon_attr_wanted("fan1_fault"));
	assert_true(hwmon_attr_wanted("temp1_input"));
	assert_false(hwmon_attr_wanted("in1_crit"));
	assert_false(hwmon_attr_wanted("in_alarm"));
	assert_false(hwmon_attr_wanted("intrusion0_alarm"));
	assert_false(hwmon_attr_wanted("pwm1_enable"));
}

/* Of the wanted attributes, a verdict reads alarms, faults and the vin input only. */
static void test_value_needed(void **state)
{
	struct hwmon_chip c = { 0 };

	(void)state;
	assert_int_equal(hwmon_chip_label(&c, "in1", "vin"), 0);
	assert_int_equal(hwmon_chip_label(&c, "in2", "vout1"), 0);
	assert_true(hwmon_value_needed(&c, "in1_input"));
	assert_false(hwmon_value_needed(&c, "in2_input"));
	assert_false(hwmon_value_needed(&c, "in3_input")); /* no label */
	assert_false(hwmon_value_needed(&c, "curr1_input"));
	assert_false(hwmon_value_needed(&c, "temp1_input"));
	assert_true(hwmon_value_needed(&c, "in2_alarm"));
	assert_true(hwmon_value_needed(&c, "temp1_crit_alarm"));
	assert_true(hwmon_value_needed(&c, "fan1_fault"));
	assert_false(hwmon_value_needed(&c, "in1_crit"));
	assert_false(hwmon_value_needed(&c, "intrusion0_alarm"));
	/* Channels by index, leading zeros dropped: "in010" is channel in10. */
	assert_int_equal(hwmon_chip_label(&c, "in10", "vin"), 0);
	assert_int_equal(hwmon_chip_label(&c, "in0", "vin"), 0);
	assert_true(hwmon_value_needed(&c, "in10_input"));
	assert_true(hwmon_value_needed(&c, "in010_input"));
	assert_true(hwmon_value_needed(&c, "in0_input"));
	assert_false(hwmon_value_needed(&c, "in100_input"));
	hwmon_chip_free(&c);
}

/* c with its vin at volts: the verdict, state and reason it gets. */
static void expect_at_vin(struct hwmon_chip *c, double volts, enum psu_cond cond, const char *st,
			  const char *why)
{
	struct psu_view v;

	set(c, "in1_input", volts);
	hwmon_classify(c, &v);
	assert_int_equal(v.cond, cond);
	assert_string_equal(v.state, st);
	assert_string_equal(v.why, why);
}

static void test_classify(void **state)
{
	struct hwmon_chip c;
	struct psu_view v;

	(void)state;
	pmbus_chip(&c, "dps650ab-i2c-3-58", 230.0);
	expect_at_vin(&c, 230.0, PSU_OK, "no alarm", "");
	/* The input voltage moving is no change: state and reason say conditions, not readings. */
	expect_at_vin(&c, 231.3, PSU_OK, "no alarm", "");

	/* Failing alarms: which one fired goes into the reason. */
	set(&c, "in1_lcrit_alarm", 1);
	hwmon_classify(&c, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "alarm: vin in1_lcrit_alarm");
	set(&c, "in1_lcrit_alarm", 0);
	set(&c, "fan1_fault", 1);
	hwmon_classify(&c, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "alarm: fan1_fault"); /* label equal to the name: no label */
	set(&c, "fan1_fault", 0);
	set(&c, "temp1_crit_alarm", 1);
	hwmon_classify(&c, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	set(&c, "temp1_crit_alarm", 0);

	/* A warning-level alarm names itself but keeps the supply in service. */
	set(&c, "curr1_max_alarm", 1);
	hwmon_classify(&c, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.why, "warning: curr1_max_alarm");
	set(&c, "curr1_max_alarm", 0);

	/* Input gone without any alarm; what is left of it moving is no change either. */
	expect_at_vin(&c, 0.2, PSU_FAILED, "input lost", "input lost (vin below 1 V)");
	expect_at_vin(&c, 0.4, PSU_FAILED, "input lost", "input lost (vin below 1 V)");
	expect_at_vin(&c, NAN, PSU_FAILED, "input lost", "input lost (vin not a number)");
	hwmon_chip_free(&c);
}

static void test_group(void **state)
{
	struct hwmon_chip *c = calloc(3, sizeof(*c));
	struct psu_group p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_non_null(c);
	pmbus_chip(&c[0], "dps650ab-i2c-3-58", 230);
	pmbus_chip(&c[1], "dps650ab-i2c-3-59", 230);
	assert_int_equal(hwmon_chip_set_id(&c[2], "nct6779-isa-0290", "nct6779", NULL), 0);
	assert_int_equal(hwmon_chip_add(&c[2], "in1_alarm", 1), 0);

	assert_int_equal(hwmon_psu_eval(&p, c, 3, NULL, 0, &g), 0);
	assert_string_equal(g.name, "psu");
	assert_string_equal(g.type, "1+1");
	assert_int_equal(g.n_members, 2);
	assert_int_equal(g.margin, 1);
	assert_null(g.reason);

	set(&c[1], "in1_alarm", 1);
	assert_int_equal(hwmon_psu_eval(&p, c, 3, NULL, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.members_failed, 1);
	has(g.reason, "dps650ab-i2c-3-59: alarm: vin in1_alarm");

	/* The chip vanishes (PSU pulled, client gone): missing, the set keeps 2. */
	assert_int_equal(hwmon_psu_eval(&p, c, 1, NULL, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.members[1].role, REDMON_ROLE_MISSING);
	psu_group_free(&p);

	/* Configured as a PSU, the board chip joins (and its unset-limit alarm counts). */
	memset(&p, 0, sizeof(p));
	assert_int_equal(hwmon_psu_eval(&p, &c[2], 1, "nct*", 0, &g), 0);
	assert_int_equal(g.members_failed, 1);
	psu_group_free(&p);
	hwmon_chips_free(c, 3);
}

/* tests/corpus, relative to the repository root the runner starts us in. */
static const char *corpus(const char *cas, char *buf, size_t len)
{
	struct stat st;

	snprintf(buf, len, "tests/corpus/%s", cas);
	return stat(buf, &st) == 0 ? buf : NULL;
}

/* The corpus nct6779 tree: read by the sysfs path, alarms seen, no PSU group. */
static void test_corpus_nct6779(void **state)
{
	char path[4096];
	struct hwmon_chip *chips = NULL;
	struct psu_group p = { 0 };
	struct redmon_group g;
	size_t n = 0;
	int fd;

	(void)state;
	if (!corpus("hwmon/node-exporter-nct6779-alarms-unset-limits", path, sizeof(path)))
		fail_msg("%s not found (run from the repository root)", path);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* Not a PSU: identified, but no value is read. */
	assert_int_equal(hwmon_sysfs_read(fd, NULL, &chips, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(chips[0].prefix, "nct6779");
	assert_int_equal(chips[0].n_attrs, 0);
	assert_int_equal(hwmon_psu_eval(&p, chips, n, NULL, 0, &g), -ENODATA);
	hwmon_chips_free(chips, n);
	/* Configured as one, its alarms are read. */
	assert_int_equal(hwmon_sysfs_read(fd, "nct*", &chips, &n), 0);
	assert_int_equal(n, 1);
	{
		bool in1 = false;

		for (size_t i = 0; i < chips[0].n_attrs; i++)
			in1 |= strcmp(chips[0].attrs[i].name, "in1_alarm") == 0 &&
			       chips[0].attrs[i].value == 1;
		assert_true(in1);
	}
	psu_group_free(&p);
	hwmon_chips_free(chips, n);
	close(fd);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A captured PMBus tree, old-style attributes, garbage values, a FIFO, escaping links. */
static void test_sysfs_tree(void **state)
{
	char root[] = "/tmp/rm-hwmon-XXXXXX", p[4096], dev[256], hw[512];
	struct hwmon_chip *chips = NULL;
	size_t n = 0;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dev, sizeof(dev), "%s/sys/devices/i2c-3/3-0058", root);
	snprintf(hw, sizeof(hw), "%s/hwmon/hwmon0", dev);
	snprintf(p, sizeof(p),
		 "mkdir -p '%s' '%s/sys/class/hwmon' '%s/sys/bus/i2c' "
		 "'%s/sys/devices/platform/old'",
		 hw, root, root, root);
	assert_int_equal(system(p), 0);
	put(hw, "name", "dps650ab\n");
	put(hw, "in1_label", "vin\n");
	put(hw, "in1_input", "230000\n");
	put(hw, "in1_alarm", "garbage\n");
	put(hw, "fan1_fault", "1\n");
	put(hw, "power1_input", "310000000\n");
	snprintf(p, sizeof(p), "%s/temp1_crit_alarm", hw);
	assert_int_equal(mkfifo(p, 0644), 0); /* must not block the read */
	snprintf(p, sizeof(p), "%s/device", hw);
	assert_int_equal(symlink("../../../3-0058", p), 0);
	snprintf(p, sizeof(p), "%s/subsystem", dev);
	assert_int_equal(symlink("../../../bus/i2c", p), 0);
	snprintf(p, sizeof(p), "%s/sys/class/hwmon/hwmon0", root);
	assert_int_equal(symlink("../../devices/i2c-3/3-0058/hwmon/hwmon0", p), 0);
	/* Old style: name and attributes in the device directory. */
	snprintf(p, sizeof(p), "%s/sys/devices/platform/old/hwmon1", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/platform/old/hwmon1/device", root);
	assert_int_equal(symlink("..", p), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/platform/old", root);
	put(p, "name", "pmbus\n");
	put(p, "in1_alarm", "1\n");
	snprintf(p, sizeof(p), "%s/sys/class/hwmon/hwmon1", root);
	assert_int_equal(symlink("../../devices/platform/old/hwmon1", p), 0);
	/* An absolute link must resolve inside the root, not on the host. */
	snprintf(p, sizeof(p), "%s/sys/class/hwmon/hwmon9", root);
	assert_int_equal(symlink("/sys/class/hwmon/hwmon0", p), 0);

	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(hwmon_sysfs_read(fd, NULL, &chips, &n), 0);
	/* hwmon9 resolves to <root>/sys/class/hwmon/hwmon0: the same chip again. */
	assert_true(n == 2 || n == 3);
	assert_string_equal(chips[0].name, "dps650ab-i2c-3-58");
	assert_string_equal(chips[0].location, "i2c 3-0058");
	{
		struct psu_view v;

		hwmon_classify(&chips[0], &v);
		assert_int_equal(v.cond, PSU_FAILED);
		/* Garbage in1_alarm: no value.  The FIFO cannot be read: named, but the
		 * supply is out anyway (fan1_fault), so it stays failed, not unknown. */
		assert_string_equal(v.why, "alarm: fan1_fault; unreadable: temp1_crit_alarm: not a "
					   "regular file");
		has(v.state, "alarms: fan1_fault");
	}
	{
		struct psu_group ps = { 0 };
		struct redmon_group g;

		assert_int_equal(hwmon_psu_eval(&ps, chips, n, NULL, 0, &g), 0);
		assert_int_equal(g.members_total, 2); /* the duplicate entry counts once */
		psu_group_free(&ps);
	}
	assert_string_equal(chips[n - 1].prefix, "pmbus");
	assert_string_equal(chips[n - 1].name, "pmbus-virtual-0");
	hwmon_chips_free(chips, n);
	close(fd);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

static void test_no_class_dir(void **state)
{
	struct hwmon_chip *chips = (void *)1;
	size_t n = 9;
	int fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC); /* no sys/ under it */

	(void)state;
	assert_int_equal(hwmon_sysfs_read(fd, NULL, &chips, &n), 0);
	assert_int_equal(n, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chip_list),      cmocka_unit_test(test_value_needed),
		cmocka_unit_test(test_classify),       cmocka_unit_test(test_group),
		cmocka_unit_test(test_corpus_nct6779), cmocka_unit_test(test_sysfs_tree),
		cmocka_unit_test(test_no_class_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
