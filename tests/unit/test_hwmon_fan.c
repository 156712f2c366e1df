// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwmon fan sets (plugins/hwmon/hwmon_fan.c): which chips, which channels are
 * members, when a fan fails or is unknown, the N+1 assumption, a set whose
 * enabled channels change, a chip that vanishes; and the --root reader on a
 * max31790 tree (disabled channels never read) and the corpus nct6779.
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

#include "../../plugins/hwmon/hwmon_class.h"
#include "../../plugins/hwmon/hwmon_fan.h"
#include "../../plugins/hwmon/hwmon_read.h"

static void has(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
}

/* Add fan<idx>_<sub>. */
static void add(struct hwmon_chip *c, const char *sub, long idx, double v)
{
	char name[HWMON_ATTR_MAX];

	snprintf(name, sizeof(name), "fan%ld_%s", idx, sub);
	assert_int_equal(hwmon_chip_add(c, name, v), 0);
}

/*
 * A max31790 as a reader gives it: channels 1..n_on enabled at rpm, the
 * rest up to 6 disabled (their other values not read).
 */
static void tray(struct hwmon_chip *c, int n_on, double rpm)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(hwmon_chip_set_id(c, "max31790-i2c-3-20", "max31790", "i2c 3-0020"), 0);
	c->fans = true;
	for (long i = 1; i <= 6; i++) {
		add(c, "enable", i, i <= n_on);
		if (i > n_on)
			continue;
		add(c, "input", i, rpm);
		add(c, "fault", i, 0);
	}
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

static const struct redmon_member *member(const struct redmon_group *g, const char *name)
{
	for (size_t i = 0; i < g->n_members; i++) {
		if (strcmp(g->members[i].name, name) == 0)
			return &g->members[i];
	}
	fail_msg("no member %s", name);
	return NULL;
}

/* One eval that must give exactly one group. */
static const struct redmon_group *eval1(struct hwmon_fans *f, const struct hwmon_chip *c, size_t n,
					int required)
{
	const struct redmon_group *g;
	size_t n_g;

	assert_int_equal(hwmon_fans_eval(f, c, n, required, &g, &n_g), 0);
	assert_int_equal(n_g, 1);
	return g;
}

static void test_chips(void **state)
{
	(void)state;
	assert_true(hwmon_is_fan_chip("max31790", NULL));
	assert_true(hwmon_is_fan_chip("max31790", ""));
	/* Board Super-I/O chips only when named, in either list form. */
	assert_false(hwmon_is_fan_chip("nct6779", ""));
	assert_false(hwmon_is_fan_chip("it8728", NULL));
	assert_true(hwmon_is_fan_chip("nct6779", "nct67*"));
	assert_true(hwmon_is_fan_chip("it8728", "nct6779 it87*"));
	assert_true(hwmon_is_fan_chip("it8728", "nct6779,\tit87*"));
	assert_false(hwmon_is_fan_chip("dps650ab", ""));
}

static void test_values_needed(void **state)
{
	struct hwmon_chip c = { 0 };

	(void)state;
	assert_true(hwmon_fan_value_needed("fan1_input"));
	assert_true(hwmon_fan_value_needed("fan12_enable"));
	assert_true(hwmon_fan_value_needed("fan3_fault"));
	assert_true(hwmon_fan_value_needed("fan3_alarm"));
	/* Only what decides: limits, targets, warnings, other channels are not read. */
	assert_false(hwmon_fan_value_needed("fan1_min_alarm"));
	assert_false(hwmon_fan_value_needed("fan1_target"));
	assert_false(hwmon_fan_value_needed("in1_input"));
	assert_false(hwmon_fan_value_needed("temp1_fault"));
	assert_false(hwmon_fan_value_needed("fan_enable"));
	/* A chip's flag picks the rule; a PSU never reads fanN_enable nor its fans. */
	c.fans = true;
	assert_true(hwmon_value_needed(&c, "fan2_input"));
	assert_false(hwmon_value_needed(&c, "in1_alarm"));
	c.fans = false;
	assert_false(hwmon_value_needed(&c, "fan2_enable"));
	assert_false(hwmon_value_needed(&c, "fan2_input"));
	assert_true(hwmon_value_needed(&c, "fan2_fault"));
}

static void test_channel_off(void **state)
{
	struct hwmon_chip c;

	(void)state;
	tray(&c, 4, 4200);
	assert_false(hwmon_fan_channel_off(&c, "fan1_input"));
	assert_true(hwmon_fan_channel_off(&c, "fan5_input"));
	assert_true(hwmon_fan_channel_off(&c, "fan6_fault"));
	assert_false(hwmon_fan_channel_off(&c, "fan7_input")); /* no enable: in use */
	assert_false(hwmon_fan_channel_off(&c, "in1_input"));
	hwmon_chip_free(&c);
}

/* Four enabled, two disabled: a 3+1 set, assumed, all fine; then each way to fail. */
static void test_tray(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c;

	(void)state;
	tray(&c, 4, 4200);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(g->name, "max31790-i2c-3-20:fans");
	assert_string_equal(g->kind, "fan");
	assert_string_equal(g->type, "3+1");
	assert_int_equal(g->members_total, 4); /* fan5, fan6 disabled: not members */
	assert_int_equal(g->members_ok, 4);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->margin_nominal, 1);
	has(g->reason, "cooling policy assumed: N+1, one fan may stop (fans_required sets N)");
	assert_string_equal(member(g, "fan1")->state, "no alarm");
	assert_string_equal(member(g, "fan1")->location, "i2c 3-0020");
	assert_null(member(g, "fan1")->reason);
	/* Its speed moving is no change: the state says the condition, not the reading. */
	set(&c, "fan1_input", 4321);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(member(g, "fan1")->state, "no alarm");
	assert_null(member(g, "fan1")->reason);

	set(&c, "fan3_input", 0);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->members_failed, 1);
	assert_int_equal(member(g, "fan3")->role, REDMON_ROLE_FAILED);
	assert_string_equal(member(g, "fan3")->state, "failed");
	assert_string_equal(member(g, "fan3")->reason, "stopped (0 RPM)");
	has(g->reason, "fan3: stopped (0 RPM)");

	set(&c, "fan2_fault", 1);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(g->margin, -1);
	assert_int_equal(member(g, "fan2")->role, REDMON_ROLE_FAILED);
	assert_string_equal(member(g, "fan2")->reason, "fan2_fault");

	set(&c, "fan2_fault", 0);
	set(&c, "fan3_input", 3900);
	assert_int_equal(hwmon_chip_add(&c, "fan4_alarm", 1), 0);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(member(g, "fan4")->role, REDMON_ROLE_FAILED);
	assert_string_equal(member(g, "fan4")->reason, "fan4_alarm");
	assert_int_equal(member(g, "fan3")->role, REDMON_ROLE_ACTIVE);
	assert_string_equal(member(g, "fan3")->state, "no alarm");

	set(&c, "fan4_alarm", 0);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->members_failed, 0);
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
}

/* fans_required: the set's N, and no assumption in the reason. */
static void test_required(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c;

	(void)state;
	tray(&c, 4, 4200);
	g = eval1(&f, &c, 1, 2);
	assert_string_equal(g->type, "2+2");
	assert_null(g->reason);
	set(&c, "fan1_input", 0);
	g = eval1(&f, &c, 1, 2);
	assert_int_equal(g->margin, 1); /* degraded, not critical */
	assert_int_equal(g->margin_nominal, 2);
	assert_string_equal(g->reason, "fan1: stopped (0 RPM)");
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
}

/* Labels name the fan in its state, before its condition. */
static void test_label(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c;

	(void)state;
	tray(&c, 2, 5100);
	assert_int_equal(hwmon_chip_label(&c, "fan2", "Tray rear"), 0);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(g->type, "1+1");
	assert_string_equal(member(g, "fan2")->state, "Tray rear: no alarm");
	set(&c, "fan2_input", 0);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(member(g, "fan2")->state, "Tray rear: failed");
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
}

/* What could not be read: that member unknown, the margin unknown; a failure read still counts. */
static void test_unreadable(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c, bare;

	(void)state;
	tray(&c, 4, 4200);
	/* fan3_input (tray()'s 8th value) not read. */
	assert_string_equal(c.attrs[7].name, "fan3_input");
	c.attrs[7] = c.attrs[--c.n_attrs];
	hwmon_chip_set_error(&c, "fan3_input: Permission denied");
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(member(g, "fan3")->role, REDMON_ROLE_UNKNOWN);
	assert_string_equal(member(g, "fan3")->reason, "unreadable: fan3_input: Permission denied");
	assert_int_equal(member(g, "fan1")->role, REDMON_ROLE_ACTIVE);
	/* An enabled fan with no reading and no error: unknown too, never ok. */
	hwmon_chip_set_error(&c, NULL);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(member(g, "fan3")->reason, "unreadable: no fan3_input value");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	/* The same error, but fan2 faulted: failed stays failed. */
	hwmon_chip_set_error(&c, "fan2_input: Input/output error");
	set(&c, "fan2_fault", 1);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(member(g, "fan2")->role, REDMON_ROLE_FAILED);
	hwmon_fans_free(&f);

	/* The chip's directory unreadable at the first scan: one unknown member stands for it. */
	memset(&bare, 0, sizeof(bare));
	assert_int_equal(hwmon_chip_set_id(&bare, "max31790-i2c-3-20", "max31790", NULL), 0);
	bare.fans = true;
	hwmon_chip_set_error(&bare, "its directory: Permission denied");
	g = eval1(&f, &bare, 1, 0);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(g->n_members, 1);
	assert_string_equal(member(g, "fans")->reason,
			    "unreadable: its directory: Permission denied");
	/* Read once, then unreadable: the fans seen are each unknown, none missing. */
	hwmon_chip_set_error(&c, NULL);
	set(&c, "fan2_fault", 0);
	add(&c, "input", 3, 4200);
	g = eval1(&f, &c, 1, 0);
	assert_int_equal(g->margin, 1);
	g = eval1(&f, &bare, 1, 0);
	assert_int_equal(g->n_members, 4);
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	for (size_t i = 0; i < g->n_members; i++)
		assert_int_equal(g->members[i].role, REDMON_ROLE_UNKNOWN);
	/* Readable again: the same set, nothing forgotten or missing. */
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(g->type, "3+1");
	assert_int_equal(g->margin, 1);
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
	hwmon_chip_free(&bare);
}

/* Fewer than two members, or no fan chip: no group. */
static void test_no_set(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c;
	size_t n_g;

	(void)state;
	tray(&c, 1, 4200);
	assert_int_equal(hwmon_fans_eval(&f, &c, 1, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 0);
	hwmon_chip_free(&c);
	tray(&c, 4, 4200);
	c.fans = false; /* a PSU's or a board chip's fans */
	assert_int_equal(hwmon_fans_eval(&f, &c, 1, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 0);
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
}

/* A channel disabled by the operator leaves the set (a new 2+1), never missing. */
static void test_enable_change(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c;

	(void)state;
	tray(&c, 4, 4200);
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(g->type, "3+1");
	set(&c, "fan4_enable", 0);
	set(&c, "fan4_input", 0); /* what a disabled channel may read */
	g = eval1(&f, &c, 1, 0);
	assert_string_equal(g->type, "2+1");
	assert_int_equal(g->members_total, 3);
	assert_int_equal(g->margin, 1);
	for (size_t i = 0; i < g->n_members; i++)
		assert_string_not_equal(g->members[i].name, "fan4");
	/* Down to one: no set any more. */
	set(&c, "fan3_enable", 0);
	set(&c, "fan2_enable", 0);
	{
		size_t n_g;

		assert_int_equal(hwmon_fans_eval(&f, &c, 1, 0, &g, &n_g), 0);
		assert_int_equal(n_g, 0);
	}
	hwmon_fans_free(&f);
	hwmon_chip_free(&c);
}

/* The controller vanishes (tray pulled): its fans stay, missing, and the set fails. */
static void test_chip_gone(void **state)
{
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	struct hwmon_chip c[2];
	size_t n_g;

	(void)state;
	tray(&c[0], 2, 4200);
	tray(&c[1], 3, 4200);
	assert_int_equal(hwmon_chip_set_id(&c[1], "max31790-i2c-3-21", c[1].prefix, c[1].location),
			 0);
	assert_int_equal(hwmon_fans_eval(&f, c, 2, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 2);
	assert_string_equal(g[1].name, "max31790-i2c-3-21:fans");
	assert_int_equal(hwmon_fans_eval(&f, c, 1, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 2);
	assert_string_equal(g[1].name, "max31790-i2c-3-21:fans");
	assert_int_equal(g[1].members_total, 3);
	assert_true(g[1].margin < 0);
	assert_int_equal(member(&g[1], "fan2")->role, REDMON_ROLE_MISSING);
	/* Back: as before. */
	assert_int_equal(hwmon_fans_eval(&f, c, 2, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 2);
	assert_int_equal(g[1].margin, 1);
	assert_string_equal(g[1].type, "2+1");
	hwmon_fans_free(&f);
	/* A controller appearing that sorts before one known: each keeps its own set. */
	assert_int_equal(hwmon_fans_eval(&f, &c[1], 1, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 1);
	assert_int_equal(hwmon_fans_eval(&f, c, 2, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 2);
	assert_string_equal(g[0].name, "max31790-i2c-3-20:fans");
	assert_string_equal(g[0].type, "1+1");
	assert_string_equal(g[1].type, "2+1");
	assert_int_equal(g[1].margin, 1);
	hwmon_fans_free(&f);
	hwmon_chip_free(&c[0]);
	hwmon_chip_free(&c[1]);
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

/*
 * The --root reader on a max31790 tree, 4 enabled and 2 disabled channels:
 * the disabled ones' inputs are FIFOs (a read would fail the chip: they must
 * not be read), one enabled fan at 0 RPM.
 */
static void test_sysfs_tray(void **state)
{
	char root[] = "/tmp/rm-hwmon-fan-XXXXXX", p[4096], hw[512];
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	const struct hwmon_chip *v;
	struct hwmon_sysfs *s;
	size_t n, n_g;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(hw, sizeof(hw), "%s/sys/devices/i2c-3/3-0020/hwmon/hwmon4", root);
	snprintf(p, sizeof(p), "mkdir -p '%s' '%s/sys/class/hwmon' '%s/sys/bus/i2c'", hw, root,
		 root);
	assert_int_equal(system(p), 0);
	put(hw, "name", "max31790\n");
	for (int i = 1; i <= 6; i++) {
		char name[32], val[32];

		snprintf(name, sizeof(name), "fan%d_enable", i);
		put(hw, name, i <= 4 ? "1\n" : "0\n");
		snprintf(name, sizeof(name), "fan%d_fault", i);
		put(hw, name, "0\n");
		snprintf(name, sizeof(name), "fan%d_target", i);
		put(hw, name, "9000\n");
		snprintf(name, sizeof(name), "fan%d_input", i);
		snprintf(val, sizeof(val), "%d\n", i == 2 ? 0 : 4000 + i);
		if (i <= 4) {
			put(hw, name, val);
		} else {
			snprintf(p, sizeof(p), "%s/%s", hw, name);
			assert_int_equal(mkfifo(p, 0644), 0);
		}
	}
	/* Labels: one read into the state, one unreadable (a FIFO) that decides nothing. */
	put(hw, "fan4_label", "rear\n");
	snprintf(p, sizeof(p), "%s/fan1_label", hw);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/device", hw);
	assert_int_equal(symlink("../../../3-0020", p), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/i2c-3/3-0020/subsystem", root);
	assert_int_equal(symlink("../../../bus/i2c", p), 0);
	snprintf(p, sizeof(p), "%s/sys/class/hwmon/hwmon4", root);
	assert_int_equal(symlink("../../devices/i2c-3/3-0020/hwmon/hwmon4", p), 0);

	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	s = hwmon_sysfs_new(64);
	assert_non_null(s);
	for (int round = 0; round < 2; round++) { /* listed, then from kept descriptors */
		assert_int_equal(hwmon_sysfs_scan(s, fd, NULL, &v, &n), 0);
		assert_int_equal(n, 1);
		assert_true(v[0].fans);
		assert_string_equal(v[0].error, "");
		/* 6 enables, 4 inputs, 4 faults: no target, nothing of fan5/fan6 but enable. */
		assert_int_equal(v[0].n_attrs, 14);
		assert_int_equal(hwmon_fans_eval(&f, v, n, 0, &g, &n_g), 0);
		assert_int_equal(n_g, 1);
		assert_string_equal(g->name, "max31790-i2c-3-20:fans");
		assert_int_equal(g->members_total, 4);
		assert_int_equal(g->margin, 0);
		assert_int_equal(member(g, "fan2")->role, REDMON_ROLE_FAILED);
		assert_string_equal(member(g, "fan4")->state, "rear: no alarm");
		assert_string_equal(member(g, "fan1")->state, "no alarm");
		assert_int_equal(member(g, "fan1")->role, REDMON_ROLE_ACTIVE);
		assert_string_equal(member(g, "fan4")->location, "i2c 3-0020");
	}
	/* Not a fan chip unless named: a nct6779 with the same files gives no set. */
	hwmon_sysfs_free(s);
	put(hw, "name", "nct6779\n");
	s = hwmon_sysfs_new(0);
	assert_int_equal(hwmon_sysfs_scan(s, fd, NULL, &v, &n), 0);
	assert_false(v[0].fans);
	assert_int_equal(v[0].n_attrs, 0);
	assert_int_equal(hwmon_sysfs_set_fan_chips(s, "nct67*"), 0);
	assert_int_equal(hwmon_sysfs_scan(s, fd, NULL, &v, &n), 0);
	assert_true(v[0].fans);
	assert_int_equal(v[0].n_attrs, 14);
	hwmon_sysfs_free(s);
	hwmon_fans_free(&f);
	close(fd);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

/* The corpus nct6779: no fan set by default; named, its one fan header is still no set. */
static void test_corpus_nct6779(void **state)
{
	const char *path = "tests/corpus/hwmon/node-exporter-nct6779-alarms-unset-limits";
	struct hwmon_fans f = { 0 };
	const struct redmon_group *g;
	const struct hwmon_chip *v;
	struct hwmon_sysfs *s;
	size_t n, n_g;
	int fd;

	(void)state;
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s not found (run from the repository root)", path);
	s = hwmon_sysfs_new(16);
	assert_non_null(s);
	assert_int_equal(hwmon_sysfs_scan(s, fd, NULL, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_false(v[0].fans);
	assert_int_equal(hwmon_fans_eval(&f, v, n, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 0);
	assert_int_equal(hwmon_sysfs_set_fan_chips(s, "nct6779"), 0);
	assert_int_equal(hwmon_sysfs_scan(s, fd, NULL, &v, &n), 0);
	assert_true(v[0].fans);
	/* fan2_input and fan2_alarm read; fan2_min, _target, _beep not. */
	assert_int_equal(v[0].n_attrs, 2);
	assert_int_equal(hwmon_fans_eval(&f, v, n, 0, &g, &n_g), 0);
	assert_int_equal(n_g, 0);
	hwmon_sysfs_free(s);
	hwmon_fans_free(&f);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chips),	      cmocka_unit_test(test_values_needed),
		cmocka_unit_test(test_channel_off),   cmocka_unit_test(test_tray),
		cmocka_unit_test(test_required),      cmocka_unit_test(test_label),
		cmocka_unit_test(test_unreadable),    cmocka_unit_test(test_no_set),
		cmocka_unit_test(test_enable_change), cmocka_unit_test(test_chip_gone),
		cmocka_unit_test(test_sysfs_tray),    cmocka_unit_test(test_corpus_nct6779),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
