// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The power_supply plugin (plugins/power_supply/power_supply.c) against the
 * fake host: the event plumbing.  Under a captured root its inotify fd is
 * watched, a supply's file rewritten or a supply appearing wakes it, a file
 * outside the class (or behind a link leading out of the root) does not; on
 * the live root it listens to the kernel's uevents; without an event loop it
 * watches nothing; every fd is unwatched before it is closed.
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
#include <sys/stat.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "fake_host.h"

extern const struct redmon_plugin redmon_plugin;

static int setup(void **state)
{
	struct redmon_host *h = fake_host_new(&redmon_plugin, "redmon-psp");

	*state = h;
	return h ? 0 : -1;
}

static int teardown(void **state)
{
	struct redmon_host *h = *state;
	char out[96];

	snprintf(out, sizeof(out), "%s.out", h->root);
	fake_host_rm_tree(out);
	fake_host_free(h);
	return 0;
}

static void supply(struct redmon_host *h, const char *name, const char *online)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/class/power_supply/%s/type", name);
	fake_host_write(h, rel, "Mains\n");
	snprintf(rel, sizeof(rel), "sys/class/power_supply/%s/online", name);
	fake_host_write(h, rel, online);
}

/* Whether fd has something to read now. */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void *start(struct redmon_host *h)
{
	void *inst = NULL;

	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_non_null(inst);
	return inst;
}

static int32_t scan_margin(struct redmon_host *h, void *inst)
{
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 1);
	return h->reports[0].margin;
}

static void test_captured_tree_events(void **state)
{
	struct redmon_host *h = *state;
	void *inst;
	int fd;

	supply(h, "AC1", "1\n");
	supply(h, "AC2", "1\n");
	inst = start(h);
	assert_int_equal(h->n_watched, 1);
	assert_int_equal(h->watched[0].events, EPOLLIN);
	fd = h->watched[0].fd;
	assert_int_equal(scan_margin(h, inst), 1);
	assert_false(readable(fd));
	assert_int_equal(h->n_rescans, 1); /* the directories watched after they were read */

	/* a supply goes offline: heard, and the rescan sees it */
	fake_host_write(h, "sys/class/power_supply/AC2/online", "0\n");
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);
	assert_false(readable(fd)); /* drained */
	assert_int_equal(scan_margin(h, inst), 0);

	/* a file elsewhere in the tree: not heard */
	fake_host_write(h, "sys/class/other/x", "1\n");
	assert_false(readable(fd));

	/* a supply appears: heard, and watched from the next scan on */
	assert_int_equal(h->n_rescans, 1);
	supply(h, "AC3", "1\n");
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);
	assert_int_equal(scan_margin(h, inst), 1);
	assert_int_equal(h->n_rescans, 2); /* AC3's directory, new: read once more */
	fake_host_write(h, "sys/class/power_supply/AC3/online", "0\n");
	assert_true(readable(fd));
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLIN), 1);

	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* A supply directory that is a link out of the root: nothing outside is watched. */
static void test_link_out_of_root(void **state)
{
	struct redmon_host *h = *state;
	char out[96], path[160];
	void *inst;
	int fd;

	supply(h, "AC1", "1\n");
	supply(h, "AC2", "1\n");
	snprintf(out, sizeof(out), "%s.out", h->root);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/class/power_supply/AC9", h->root);
	assert_int_equal(symlink(out, path), 0);
	inst = start(h);
	fd = h->watched[0].fd;
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_false(readable(fd));

	snprintf(path, sizeof(path), "%s/online", out);
	fclose(fopen(path, "w"));
	assert_false(readable(fd));
	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

/* The live root: one uevent monitor, nothing to drain yet, unwatched at fini. */
static void test_live_uevents(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	h->live = true;
	inst = start(h);
	if (h->n_watched == 0) { /* no uevent socket here: said so */
		assert_int_equal(h->n_logs, 1);
		redmon_plugin.fini(inst);
		skip();
	}
	assert_int_equal(h->n_watched, 1);
	assert_int_equal(h->watched[0].events, EPOLLIN);
	assert_int_equal(redmon_plugin.on_fd(inst, h->watched[0].fd, EPOLLIN), 0);
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* A host without an event loop: scans work, nothing is watched. */
static void test_no_event_loop(void **state)
{
	struct redmon_host *h = *state;
	void *inst;

	supply(h, "AC1", "1\n");
	supply(h, "AC2", "1\n");
	h->events = false;
	for (int live = 0; live < 2; live++) {
		h->live = live;
		inst = start(h);
		assert_int_equal(h->n_watched, 0);
		if (!live)
			assert_int_equal(scan_margin(h, inst), 1);
		redmon_plugin.fini(inst);
		assert_false(h->bad_unwatch);
	}
	assert_int_equal(h->n_logs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_captured_tree_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_out_of_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_uevents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_event_loop, setup, teardown),
	};

	return cmocka_run_group_tests_name("power_supply_plugin", tests, NULL, NULL);
}
