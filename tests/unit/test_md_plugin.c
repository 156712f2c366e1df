/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The md plugin (plugins/md/md.c) against a fake host: the descriptor, init
 * and fini, scan and scan_error, and the event plumbing (watch before use,
 * unwatch before close, on_fd asking for rescans), on temporary trees.
 * "Live" is faked on a temporary tree too, so the sysfs EPOLLPRI path runs
 * without touching the machine's md arrays.
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
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "fake_host.h"

extern const struct redmon_plugin redmon_plugin;

static int setup(void **state)
{
	struct redmon_host *h = fake_host_new(&redmon_plugin, "test_md_plugin");

	*state = h;
	return h ? 0 : -1;
}

static int teardown(void **state)
{
	struct redmon_host *h = *state;
	char out[96];

	snprintf(out, sizeof(out), "%s.out", h->root); /* test_watch_stays_in_root's */
	fake_host_rm_tree(out);
	fake_host_free(h);
	return 0;
}

static void build_tree(struct redmon_host *h)
{
	fake_host_write(h, "proc/mdstat",
			"Personalities : [raid1]\n"
			"md0 : active raid1 sdb1[1] sda1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"md1 : active raid1 sdd1[1] sdc1[0]\n"
			"      100 blocks [2/1] [U_]\n\n"
			"unused devices: <none>\n");
	fake_host_write(h, "sys/block/md0/md/level", "raid1\n");
	fake_host_write(h, "sys/block/md0/md/array_state", "clean\n");
	fake_host_write(h, "sys/block/md0/md/raid_disks", "2\n");
	fake_host_write(h, "sys/block/md0/md/degraded", "0\n");
	fake_host_write(h, "sys/block/md0/md/sync_action", "idle\n");
	fake_host_write(h, "sys/block/md0/md/sync_completed", "none\n");
	fake_host_write(h, "sys/block/md0/md/dev-sda1/state", "in_sync\n");
	fake_host_write(h, "sys/block/md0/md/dev-sda1/slot", "0\n");
	fake_host_write(h, "sys/block/md0/md/dev-sdb1/state", "in_sync\n");
	fake_host_write(h, "sys/block/md0/md/dev-sdb1/slot", "1\n");
}

static void test_descriptor(void **state)
{
	const struct redmon_option_spec *o = redmon_plugin.options;

	(void)state;
	assert_int_equal(redmon_plugin.abi_version, REDMON_ABI_VERSION);
	assert_int_equal(redmon_plugin.size, sizeof(struct redmon_plugin));
	assert_string_equal(redmon_plugin.name, "md");
	assert_non_null(redmon_plugin.init);
	assert_non_null(redmon_plugin.fini);
	assert_non_null(redmon_plugin.scan);
	assert_non_null(redmon_plugin.on_fd);
	assert_string_equal(o[0].key, "max_open_files");
	assert_int_equal(o[0].type, REDMON_OPT_UINT);
	assert_string_equal(o[0].default_value, "0");
	assert_int_equal(o[0].max, 1000000);
	assert_non_null(o[0].help);
	assert_null(o[1].key);
	redmon_plugin.fini(NULL);
}

static void test_abi_mismatch(void **state)
{
	struct redmon_host *h = *state;
	struct redmon_host_ops bad = fake_host_ops;
	void *inst = (void *)0x1;

	bad.abi_version = REDMON_ABI_VERSION + 1;
	assert_int_equal(redmon_plugin.init(&bad, h, &inst), -EINVAL);
	assert_ptr_equal(inst, (void *)0x1);
	bad = fake_host_ops;
	bad.size = 8;
	assert_int_equal(redmon_plugin.init(&bad, h, &inst), -EINVAL);
}

/* A captured tree: inotify, reports, a rescan on change, clean fini. */
static void test_captured_tree(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	int ino_fd;

	build_tree(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_non_null(inst);
	assert_int_equal(h->n_watched, 1); /* the inotify fd */
	assert_int_equal(h->watched[0].events, EPOLLIN);
	ino_fd = h->watched[0].fd;

	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_scan_errors, 0);
	assert_int_equal(h->n_reports, 2);
	assert_string_equal(h->reports[0].name, "md0");
	assert_int_equal(h->reports[0].margin, 1);
	assert_string_equal(h->reports[1].name, "md1");
	assert_int_equal(h->reports[1].margin, 0);
	assert_int_equal(fake_host_count_watched(h, EPOLLPRI),
			 0); /* no sysfs_notify in a capture */

	/* nothing changed yet: draining finds nothing but still answers "rescan" */
	fake_host_write(h, "sys/block/md0/md/dev-sdb1/state", "faulty\n");
	fake_host_write(h, "sys/block/md0/md/degraded", "1\n"); /* raid1_error() counts it too */
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 1);
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->reports[0].margin, 0);

	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* Live (faked on a tree): EPOLLPRI on kept-open attributes, unwatched before close. */
static void test_live_watches(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	int i, pri, fd = -1;

	h->live = true;
	build_tree(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 2);
	/* mdstat, array_state, degraded, sync_action, 2 x dev state */
	pri = fake_host_count_watched(h, EPOLLPRI);
	assert_int_equal(pri, 6);
	for (i = 0; i < h->n_watched; i++)
		if (h->watched[i].events == EPOLLPRI)
			fd = h->watched[i].fd;
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLPRI), 1);
	assert_int_equal(redmon_plugin.on_fd(inst, 9999, EPOLLPRI), 0);

	/* a second scan watches nothing twice */
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(fake_host_count_watched(h, EPOLLPRI), 6);

	/* md0 vanishes: its attribute files are unwatched, then closed; mdstat stays */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/sys/block/md0", h->root);
		fake_host_rm_tree(path);
	}
	fake_host_write(h, "proc/mdstat", "Personalities : [raid1]\nunused devices: <none>\n");
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 0);
	assert_int_equal(fake_host_count_watched(h, EPOLLPRI), 1);
	assert_false(h->bad_unwatch);

	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/* The budget option: at most that many files kept (and so watched). */
static void test_budget_option(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;

	h->live = true;
	fake_host_option(h, "max_open_files", "3");
	build_tree(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 2);
	/*
	 * kept: proc/mdstat, md0 array_state, md0 degraded, all notified (level
	 * and raid_disks are read once, never kept)
	 */
	assert_int_equal(fake_host_count_watched(h, EPOLLPRI), 3);
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);

	fake_host_option(h, "max_open_files", "lots");
	h->n_logs = 0;
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_true(h->n_logs >= 1);
	redmon_plugin.fini(inst);
}

/* No md at all: nothing, no error.  mdstat unreadable and no sysfs: scan_error. */
static void test_scan_errors(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	char path[512];

	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 0);
	assert_int_equal(h->n_scan_errors, 0);

	snprintf(path, sizeof(path), "%s/proc", h->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/mdstat", h->root);
	mkdir(path, 0755);
	assert_int_equal(redmon_plugin.scan(inst), -EISDIR);
	assert_int_equal(h->n_scan_errors, 1);
	assert_non_null(strstr(h->scan_error, "proc/mdstat"));

	/* sysfs still answers: not a failed scan, a warning once */
	fake_host_write(h, "sys/block/md0/md/level", "raid1\n");
	fake_host_write(h, "sys/block/md0/md/array_state", "clean\n");
	fake_host_write(h, "sys/block/md0/md/raid_disks", "1\n");
	fake_host_write(h, "sys/block/md0/md/dev-sda/state", "in_sync\n");
	fake_host_write(h, "sys/block/md0/md/dev-sda/slot", "0\n");
	h->n_logs = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_reports, 1);
	assert_int_equal(h->n_logs, 1);
	h->n_reports = 0;
	assert_int_equal(redmon_plugin.scan(inst), 0);
	assert_int_equal(h->n_logs, 1); /* said once */
	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
}

/* A host without an event loop (redmon status): scans work, nothing is logged. */
static void test_no_event_loop(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	int live;

	build_tree(h);
	h->events = false;
	for (live = 0; live < 2; live++) {
		h->live = live;
		h->n_logs = 0;
		h->n_reports = 0;
		assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
		assert_int_equal(redmon_plugin.scan(inst), 0);
		assert_int_equal(h->n_reports, 2);
		h->n_reports = 0;
		assert_int_equal(redmon_plugin.scan(inst), 0);
		assert_int_equal(h->n_reports, 2);
		assert_int_equal(h->n_logs, 0);
		assert_int_equal(h->n_watched, 0);
		redmon_plugin.fini(inst);
		assert_false(h->bad_unwatch);
	}
}

/* md2, a second array in sysfs and mdstat, beside build_tree()'s md0 and md1. */
static void build_tree_md2(struct redmon_host *h)
{
	build_tree(h);
	fake_host_write(h, "proc/mdstat",
			"Personalities : [raid1]\n"
			"md0 : active raid1 sdb1[1] sda1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"md1 : active raid1 sdd1[1] sdc1[0]\n"
			"      100 blocks [2/1] [U_]\n\n"
			"md2 : active raid1 sdf1[1] sde1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"unused devices: <none>\n");
	fake_host_write(h, "sys/block/md2/md/level", "raid1\n");
	fake_host_write(h, "sys/block/md2/md/array_state", "clean\n");
	fake_host_write(h, "sys/block/md2/md/raid_disks", "2\n");
	fake_host_write(h, "sys/block/md2/md/degraded", "0\n");
	fake_host_write(h, "sys/block/md2/md/dev-sde1/state", "in_sync\n");
	fake_host_write(h, "sys/block/md2/md/dev-sde1/slot", "0\n");
	fake_host_write(h, "sys/block/md2/md/dev-sdf1/state", "in_sync\n");
	fake_host_write(h, "sys/block/md2/md/dev-sdf1/slot", "1\n");
}

/*
 * Fail md2's sdf1 behind the probe's back: its state and md2's degraded,
 * written through hard links in a directory nobody watches, so no inotify event names md2 (the same inode:
 * only a scan that reads md2 sees it).
 */
static void fail_md2_quietly(struct redmon_host *h)
{
	char from[512], to[512];

	snprintf(from, sizeof(from), "%s/sys/block/md2/md/dev-sdf1/state", h->root);
	snprintf(to, sizeof(to), "%s/quiet", h->root);
	mkdir(to, 0755);
	snprintf(to, sizeof(to), "%s/quiet/state", h->root);
	assert_int_equal(link(from, to), 0);
	snprintf(from, sizeof(from), "%s/sys/block/md2/md/degraded", h->root);
	snprintf(to, sizeof(to), "%s/quiet/degraded", h->root);
	assert_int_equal(link(from, to), 0);
	fake_host_write(h, "quiet/state", "faulty\n");
	fake_host_write(h, "quiet/degraded", "1\n");
}

static int32_t margin_of(struct redmon_host *h, const char *name)
{
	const struct fake_report *r = fake_host_report(h, name);

	if (!r)
		fail_msg("group %s not reported", name);
	return r ? r->margin : 0;
}

static int scan_now(struct redmon_host *h, void *inst)
{
	h->n_reports = 0;
	return redmon_plugin.scan(inst);
}

/*
 * A captured tree: an inotify event naming md0 makes the next scan re-read md0
 * (and mdstat) only, still reporting every group; a scan with no event behind
 * it reads everything; an array appearing makes the event scan a full one.
 */
static void test_partial_captured(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	int ino_fd;

	build_tree_md2(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	ino_fd = h->watched[0].fd;
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(margin_of(h, "md2"), 1);

	/* a file nobody reads changes: no rescan wanted */
	fake_host_write(h, "proc/other", "x\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 0);

	fail_md2_quietly(h);
	fake_host_write(h, "sys/block/md0/md/dev-sdb1/state", "faulty\n");
	fake_host_write(h, "sys/block/md0/md/degraded", "1\n"); /* raid1_error() counts it too */
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(margin_of(h, "md0"), 0);
	assert_int_equal(margin_of(h, "md2"), 1); /* not re-read: as before */

	/* the periodic rescan (no event): everything */
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md2"), 0);

	/* an array appears: the event scan is a full one and finds it */
	fake_host_write(h, "sys/block/md3/md/level", "raid1\n");
	fake_host_write(h, "sys/block/md3/md/array_state", "clean\n");
	fake_host_write(h, "sys/block/md3/md/raid_disks", "1\n");
	fake_host_write(h, "sys/block/md3/md/dev-sdg1/state", "in_sync\n");
	fake_host_write(h, "sys/block/md3/md/dev-sdg1/slot", "0\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(h->n_reports, 4);
	assert_int_equal(margin_of(h, "md3"), 0);

	/* md3's directories are watched from then on: a change in dev-sdg1 is seen */
	fake_host_write(h, "sys/block/md3/md/dev-sdg1/state", "faulty\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md3"), -1);

	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/*
 * A captured tree: a directory is watched only after the scan that found it
 * read it, so a change in between sends no event (fail_md2_quietly() makes
 * one): the probe asks for another scan at once, which reads it; that scan
 * sets no new watch and asks for no more.
 */
static void test_rescan_after_new_watches(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;

	build_tree_md2(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md2"), 1);
	assert_int_equal(h->n_rescans, 1);

	fail_md2_quietly(h); /* between the read and the watch */
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md2"), 0);
	assert_int_equal(h->n_rescans, 1);

	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

/* The watched fd whose /proc/self/fd link ends in suffix, or -1. */
static int watched_fd_of(struct redmon_host *h, const char *suffix)
{
	char link[64], target[512];
	size_t n = strlen(suffix);
	ssize_t len;
	int i;

	for (i = 0; i < h->n_watched; i++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", h->watched[i].fd);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if ((size_t)len >= n && strcmp(target + len - n, suffix) == 0)
			return h->watched[i].fd;
	}
	return -1;
}

/* Live (faked): EPOLLPRI on one attribute re-reads its array only; mdstat's re-reads mdstat. */
static void test_partial_live(void **state)
{
	struct redmon_host *h = *state;
	void *inst = NULL;
	int fd;

	h->live = true;
	build_tree_md2(h);
	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(h->n_reports, 3);

	fail_md2_quietly(h);
	fake_host_write(h, "sys/block/md0/md/dev-sdb1/state", "faulty\n");
	fake_host_write(h, "sys/block/md0/md/degraded", "1\n"); /* raid1_error() counts it too */
	fd = watched_fd_of(h, "/md0/md/dev-sdb1/state");
	assert_true(fd >= 0);
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLPRI), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(h->n_reports, 3);
	assert_int_equal(margin_of(h, "md0"), 0);
	assert_int_equal(margin_of(h, "md2"), 1); /* not re-read */

	/* mdstat's event: md1 (known to mdstat only) is whole again */
	fake_host_write(h, "proc/mdstat",
			"Personalities : [raid1]\n"
			"md0 : active raid1 sdb1[1](F) sda1[0]\n"
			"      100 blocks [2/1] [U_]\n\n"
			"md1 : active raid1 sdd1[1] sdc1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"md2 : active raid1 sdf1[1] sde1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"unused devices: <none>\n");
	fd = watched_fd_of(h, "/proc/mdstat");
	assert_true(fd >= 0);
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLPRI), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md1"), 1);
	assert_int_equal(margin_of(h, "md2"), 1); /* its block unchanged: not re-read */

	/* mdstat's event, md2's block changed: md2's sysfs is read again too */
	fake_host_write(h, "proc/mdstat",
			"Personalities : [raid1]\n"
			"md0 : active raid1 sdb1[1](F) sda1[0]\n"
			"      100 blocks [2/1] [U_]\n\n"
			"md1 : active raid1 sdd1[1] sdc1[0]\n"
			"      100 blocks [2/2] [UU]\n\n"
			"md2 : active raid1 sdf1[1](F) sde1[0]\n"
			"      100 blocks [2/1] [U_]\n\n"
			"unused devices: <none>\n");
	assert_int_equal(redmon_plugin.on_fd(inst, fd, EPOLLPRI), 1);
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md2"), 0);

	/* the periodic rescan reads everything: md2's disk back, quietly */
	fake_host_write(h, "quiet/state", "in_sync\n");
	fake_host_write(h, "quiet/degraded", "0\n");
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md2"), 1);

	redmon_plugin.fini(inst);
	assert_int_equal(h->n_watched, 0);
	assert_false(h->bad_unwatch);
}

/*
 * Issue 12 E1: inotify watches resolve like the reads, inside the root.
 * sys/block/md5 -> /abs/ROOT.out (an array directory outside the root) is
 * nothing in the root: no watch goes on ROOT.out/md, so writes there are not
 * heard, and nothing of it is reported.
 */
static void test_watch_stays_in_root(void **state)
{
	struct redmon_host *h = *state;
	char out[96], path[160];
	void *inst = NULL;
	int ino_fd;
	FILE *fp;

	build_tree(h);
	snprintf(out, sizeof(out), "%s.out", h->root);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(path, sizeof(path), "%s/md", out);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/md/level", out);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("raid1\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/sys/block/md5", h->root);
	assert_int_equal(symlink(out, path), 0);

	assert_int_equal(redmon_plugin.init(&fake_host_ops, h, &inst), 0);
	ino_fd = h->watched[0].fd;
	assert_int_equal(scan_now(h, inst), 0);
	assert_int_equal(margin_of(h, "md5"), REDMON_MARGIN_UNKNOWN);
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 0);

	snprintf(path, sizeof(path), "%s/md/array_state", out);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("clean\n", fp);
	fclose(fp);
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 0);

	/* the watches in the root still work */
	fake_host_write(h, "sys/block/md0/md/degraded", "1\n");
	assert_int_equal(redmon_plugin.on_fd(inst, ino_fd, EPOLLIN), 1);

	redmon_plugin.fini(inst);
	assert_false(h->bad_unwatch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test_setup_teardown(test_abi_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_captured_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_event_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rescan_after_new_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_stays_in_root, setup, teardown),
	};

	return cmocka_run_group_tests_name("md_plugin", tests, NULL, NULL);
}
