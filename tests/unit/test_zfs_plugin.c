// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The zfs plugin (plugins/zfs/zfs.c) against the fake host.  Live, with a
 * fake zpool (a shell script run through plugins/lib's child runner, as the
 * core's run_command() would): zpool runs at the first scan, not again while
 * the kstat state words stay the same and `interval` has not passed, and
 * again as soon as one changes; zpool printing garbage fails the scan with
 * the parser's reason; without zpool the kstat states alone give each pool.
 * Under a captured root: the captures at its top and the kstat tree, and an
 * inotify watch that asks for a rescan when a state file is replaced.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "fake_host.h"
#include "../../plugins/lib/child.h"

extern const struct redmon_plugin redmon_plugin;

#define CAPS "tests/captures/zfs/"

/* The ops of the fake host plus the two a tool-driven probe needs, served by child_run(). */
static struct redmon_host_ops ops;
static const char *registered[8];
static uint32_t reg_timeout;

static int h_register(struct redmon_host *h, const char *const argv[], uint32_t timeout_ms,
		      uint32_t out_max)
{
	(void)h;
	(void)out_max;
	for (int i = 0; i < 7 && argv[i]; i++)
		registered[i] = strdup(argv[i]);
	reg_timeout = timeout_ms;
	return 7;
}

static int h_run(struct redmon_host *h, int id, struct redmon_cmd_result *ret)
{
	(void)h;
	if (id != 7)
		return -ENOENT;
	return child_run(registered, reg_timeout, 1u << 20, ret);
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

static int count_runs(struct redmon_host *h)
{
	char path[128];
	int n = 0, c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/runs", h->root);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

struct t {
	struct redmon_host *h;
	void *inst;
	char zpool[128];
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char script[512];

	ops = fake_host_ops;
	ops.register_command = h_register;
	ops.run_command = h_run;
	t->h = fake_host_new(&redmon_plugin, "test_zfs_plugin");
	assert_non_null(t->h);
	snprintf(t->zpool, sizeof(t->zpool), "%s/zpool", t->h->root);
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"$*\" >> %s/runs\ncat %s/out\n",
		 t->h->root, t->h->root);
	fake_host_write(t->h, "zpool", script);
	assert_int_equal(chmod(t->zpool, 0755), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	redmon_plugin.fini(t->inst);
	fake_host_free(t->h);
	for (int i = 0; i < 8; i++) {
		free((void *)registered[i]);
		registered[i] = NULL;
	}
	free(t);
	return 0;
}

static void out(struct t *t, const char *capture)
{
	char *text = slurp(capture);

	fake_host_replace(t->h, "out", text);
	free(text);
}

static void scan(struct t *t, int want_rc)
{
	t->h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(t->inst), want_rc);
}

/* One-shot host (no worker thread): periodic_oneshot() runs the job in each scan. */
static void test_live_zpool_on_kstat_change(void **state)
{
	struct t *t = *state;
	const struct fake_report *r;

	t->h->live = true;
	t->h->events = false;
	fake_host_option(t->h, "zpool_path", t->zpool);
	fake_host_option(t->h, "interval", "1h");
	fake_host_write(t->h, "proc/spl/kstat/zfs/tank/state", "ONLINE\n");
	fake_host_write(t->h, "proc/spl/kstat/zfs/arcstats", "not a pool\n");
	out(t, CAPS "openzfs-docs-draid-online-distributed-spare/zpool-status.txt");
	assert_int_equal(redmon_plugin.init(&ops, t->h, &t->inst), 0);
	assert_string_equal(registered[1], "status");
	assert_string_equal(registered[2], "-p");

	scan(t, 0);
	assert_int_equal(count_runs(t->h), 1);
	r = fake_host_report(t->h, "tank");
	assert_non_null(r);
	assert_int_equal(r->margin, 1);
	assert_int_equal(r->total, 11);
	assert_int_equal(t->h->n_reports, 1); /* arcstats is no pool */

	out(t, CAPS "openzfs-docs-draid-rebuild-to-distributed-spare/zpool-status.txt");
	scan(t, 0); /* kstat unchanged, interval not passed: the last result */
	assert_int_equal(count_runs(t->h), 1);
	assert_int_equal(fake_host_report(t->h, "tank")->margin, 1);

	fake_host_replace(t->h, "proc/spl/kstat/zfs/tank/state", "DEGRADED\n");
	scan(t, 0);
	assert_int_equal(count_runs(t->h), 2);
	r = fake_host_report(t->h, "tank");
	assert_int_equal(r->margin, 0);
	assert_non_null(strstr(r->reason, "spare-6"));

	fake_host_replace(t->h, "out", "zpool: something odd\n");
	fake_host_replace(t->h, "proc/spl/kstat/zfs/tank/state", "ONLINE\n");
	scan(t, -EINVAL);
	assert_non_null(strstr(t->h->scan_error, "not zpool status output"));
}

/* A kstat pool zpool does not list (exported between the two reads) still shows. */
static void test_live_kstat_only(void **state)
{
	struct t *t = *state;
	const struct fake_report *r;

	t->h->live = true;
	t->h->events = false;
	fake_host_option(t->h, "zpool_path", "/nonexistent/zpool");
	fake_host_write(t->h, "proc/spl/kstat/zfs/pool1/state", "ONLINE\n");
	fake_host_write(t->h, "proc/spl/kstat/zfs/pool2/state", "SUSPENDED\n");
	fake_host_write(t->h, "proc/spl/kstat/zfs/pool3/state", "\x01\x02garbage words\n");
	assert_int_equal(redmon_plugin.init(&ops, t->h, &t->inst), 0);
	assert_non_null(strstr(t->h->last_log, "/nonexistent/zpool"));
	scan(t, 0);
	assert_int_equal(count_runs(t->h), 0);
	assert_int_equal(t->h->n_reports, 2); /* pool3's state is not one word */
	r = fake_host_report(t->h, "pool2");
	assert_non_null(r);
	assert_true(r->margin < 0);
	assert_int_equal(fake_host_report(t->h, "pool1")->nominal, 0);
}

/* A captured root: the captures and kstat; a replaced state file wakes the probe. */
static void test_root_captures_and_inotify(void **state)
{
	struct t *t = *state;
	char *text = slurp(CAPS "openzfs-docs-draid-online-distributed-spare/zpool-status.txt");
	struct pollfd pfd;

	fake_host_write(t->h, "zpool-status.txt", text);
	free(text);
	fake_host_write(t->h, "zpool-status.d/x", "a directory of that name: no capture\n");
	fake_host_write(t->h, "proc/spl/kstat/zfs/tank/state", "ONLINE\n");
	fake_host_write(t->h, "proc/spl/kstat/zfs/other/state", "DEGRADED\n");
	assert_int_equal(redmon_plugin.init(&ops, t->h, &t->inst), 0);
	assert_int_equal(fake_host_count_watched(t->h, EPOLLIN), 1);
	scan(t, 0);
	assert_int_equal(t->h->n_reports, 2);
	assert_int_equal(fake_host_report(t->h, "tank")->total, 11); /* status beats kstat */
	assert_int_equal(fake_host_report(t->h, "other")->margin, 0);
	assert_int_equal(count_runs(t->h), 0); /* nothing runs under a root */
	assert_int_equal(t->h->n_rescans, 1);  /* the kstat directories watched after the read */

	fake_host_replace(t->h, "proc/spl/kstat/zfs/other/state", "FAULTED\n");
	pfd = (struct pollfd){ .fd = t->h->watched[0].fd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(redmon_plugin.on_fd(t->inst, pfd.fd, EPOLLIN), 1);
	scan(t, 0);
	assert_true(fake_host_report(t->h, "other")->margin < 0);
	assert_int_equal(t->h->n_rescans, 1); /* no directory new since */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_zpool_on_kstat_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_kstat_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_captures_and_inotify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
