// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwmon plugin (plugins/hwmon/hwmon.c) against the fake host: the event
 * plumbing of the --root reader.  Under a captured root the reader's inotify
 * fd is watched beside the poll timer; an alarm replaced by rename, a supply
 * appearing or vanishing wakes it and the rescan reports the change; an
 * alarm rewritten in place wakes nothing and is still seen by the next scan
 * (its kept descriptor is read every scan); without an event loop nothing is
 * watched; every fd is unwatched before it is closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "fake_host.h"

extern const struct redmon_plugin redmon_plugin;

static int setup(void **state)
{
	struct redmon_host *h = fake_host_new(&redmon_plugin, "redmon-hwp");

	*state = h;
	return h ? 0 : -1;
}

static int teardown(void **state)
{
	fake_host_free(*state);
	return 0;
}

static void link_at(struct redmon_host *h, const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", h->root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A PMBus supply at I2C 3-00<addr>, listed as class entry hwmon<n>. */
static void supply(struct redmon_host *h, const char *addr, int n)
{
	static const char *const files[][2] = {
		{ "name", "pmbus\n" },	       { "in1_label", "vin\n" },
		{ "in1_input", "230000\n" },   { "in1_alarm", "0\n" },
		{ "fan1_fault", "0\n" },       { "temp1_input", "38000\n" },
		{ "temp1_crit_alarm", "0\n" },
	};
	char dir[128], rel[192], target[192];

	snprintf(dir, sizeof(dir), "sys/devices/i2c-3/3-00%s/hwmon/hwmon%d", addr, n);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, files[i][0]);
		fake_host_write(h, rel, files[i][1]);
	}
	snprintf(rel, sizeof(rel), "%s/device", dir);
	snprintf(target, sizeof(target), "../../../3-00%s", addr);
	link_at(h, target, rel);
	snprintf(rel, sizeof(rel), "sys/devices/i2c-3/3-00%s/subsystem", addr);
	link_at(h, "../../../bus/i2c", rel);
	snprintf(rel, sizeof(rel), "sys/class/hwmon/hwmon%d", n);
	snprintf(target, sizeof(target), "../../%s", dir + 4);
	link_at(h, target, rel);
}

/* Whether fd has something to read now. */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* The watched fd that is an inotify instance, or -1. */
static int inotify_fd(const struct redmon_host *h)
{
	for (int i = 0; i < h->n_watched; i++) {
		char path[64], target[64];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", h->watched[i].fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = '\0', strcmp(target, "anon_inode:inotify") == 0))
			return h->watched[i].fd;
	}
	return -1;
}

/* One scan's PSU group: how many supplies, how many ok. */
static void scan_psu(struct redmon_host *h, void *inst, int total, int ok)
{
	const struct fake_report *r;

	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	r = fake_host_report(h, "psu");
	assert_non_null(r);
	assert_int_equal(r->total, total);
	assert_int_equal(r->ok, ok);
}

static void test_captured_tree_events(void **state)
{
	struct redmon_host *h = *state;
	const char *alarm = "sys/devices/i2c-3/3-0058/hwmon/hwmon0/in1_alarm";
	void *inst = NULL;
	char rel[256];
	int fd;

	fake_host_write(h, "sys/bus/i2c/.keep", "");
	fake_host_write(h, "sys/class/hwmon/.keep", "");
	supply(h, "58", 0);
	supply(h, "59", 1);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(h->n_watched, 2); /* the poll timer and the reader's inotify */
	fd = inotify_fd(h);
	assert_true(fd >= 0);
	scan_psu(h, inst, 2, 2);
	assert_false(readable(fd));

	/* In place: nothing heard, the next scan reads it all the same. */
	fake_host_write(h, alarm, "1\n");
	assert_false(readable(fd));
	scan_psu(h, inst, 2, 1);

	/* Replaced by rename: heard; the rescan reads the new file. */
	fake_host_replace(h, alarm, "0\n");
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);
	assert_false(readable(fd)); /* drained */
	scan_psu(h, inst, 2, 2);
	fake_host_write(h, alarm, "1\n"); /* and that file is the one kept */
	scan_psu(h, inst, 2, 1);

	/* A supply appears, then one vanishes. */
	supply(h, "5a", 2);
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);
	scan_psu(h, inst, 3, 2);
	snprintf(rel, sizeof(rel), "%s/sys/class/hwmon/hwmon1", h->root);
	assert_int_equal(unlink(rel), 0);
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);
	scan_psu(h, inst, 3, 1); /* the set remembers it: a supply pulled */
	assert_non_null(strstr(fake_host_report(h, "psu")->reason, "pmbus-i2c-3-59: gone"));
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* A one-shot host (no event loop): nothing watched, the scan reads the tree. */
static void test_no_events(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;

	h->events = false;
	fake_host_write(h, "sys/bus/i2c/.keep", "");
	fake_host_write(h, "sys/class/hwmon/.keep", "");
	supply(h, "58", 0);
	supply(h, "59", 1);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(h->n_watched, 0);
	scan_psu(h, inst, 2, 2);
	fake_host_replace(h, "sys/devices/i2c-3/3-0059/hwmon/hwmon1/in1_alarm", "1\n");
	scan_psu(h, inst, 2, 1);
	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_captured_tree_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
