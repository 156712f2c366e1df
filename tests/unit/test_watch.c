// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plugins/lib/watch.c and watch_udev.c with a real inotify instance on
 * temporary trees: events reach the owner of their directory, a lost queue
 * asks for a rescan, a directory removed and made again is watched again, a
 * round drops what it no longer names (without an event), and a link planted
 * to lead out of the root is refused.  The udev monitor: opened, filtered
 * and drained on the kernel's uevents of a veth pair made in a private
 * network namespace (skipped where namespaces cannot be made).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libudev.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "../../plugins/lib/watch.h"

#define MASK	 (IN_CREATE | IN_MODIFY | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM)
#define MAX_SEEN 64

struct seen {
	int owner;
	char dir[64], name[64];
	uint32_t mask;
};

struct fixture {
	char root[64], out[80];
	int root_fd;
	struct watch_ino w;
	struct seen seen[MAX_SEEN];
	int n_seen, n_calls;
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/redmon-watch-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->out, sizeof(f->out), "%s.out", f->root);
	f->root_fd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->root_fd < 0 || watch_ino_open(&f->w, f->root_fd, f->root, MASK) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	watch_ino_close(&f->w);
	close(f->root_fd);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(f->out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void make_dir(struct fixture *f, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void write_file(struct fixture *f, const char *rel, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void remove_path(struct fixture *f, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static bool record(void *ctx, const struct watch_event *ev)
{
	struct fixture *f = ctx;
	struct seen *s;

	f->n_calls++;
	if (f->n_seen == MAX_SEEN)
		return false;
	s = &f->seen[f->n_seen++];
	s->owner = ev->owner;
	snprintf(s->dir, sizeof(s->dir), "%s", ev->dir ? ev->dir : "(null)");
	snprintf(s->name, sizeof(s->name), "%s", ev->name);
	s->mask = ev->mask;
	return false;
}

static void drain(struct fixture *f)
{
	f->n_seen = f->n_calls = 0;
	assert_int_equal(watch_ino_drain(&f->w, record, f), 0);
}

/* The first event with all of mask naming name, or NULL. */
static const struct seen *find(struct fixture *f, uint32_t mask, const char *name)
{
	for (int i = 0; i < f->n_seen; i++)
		if ((f->seen[i].mask & mask) == mask && strcmp(f->seen[i].name, name) == 0)
			return &f->seen[i];
	return NULL;
}

static void round_of(struct fixture *f, const char *a, int owner_a, const char *b, int owner_b)
{
	watch_ino_begin(&f->w);
	if (a)
		assert_int_equal(watch_ino_add(&f->w, a, owner_a), 0);
	if (b)
		assert_int_equal(watch_ino_add(&f->w, b, owner_b), 0);
	watch_ino_end(&f->w);
}

/* Create, modify and delete in two directories: each event carries its directory's owner. */
static void test_events_reach_owner(void **state)
{
	struct fixture *f = *state;
	const struct seen *s;

	make_dir(f, "a");
	make_dir(f, "b");
	assert_true(f->w.lost); /* nothing watched yet */
	round_of(f, "a", 1, "b", 2);
	assert_false(f->w.lost);
	drain(f);
	assert_int_equal(f->n_calls, 0);

	write_file(f, "a/x", "1\n");
	write_file(f, "b/y", "2\n");
	drain(f);
	s = find(f, IN_CREATE, "x");
	assert_non_null(s);
	assert_int_equal(s->owner, 1);
	assert_string_equal(s->dir, "a");
	s = find(f, IN_CLOSE_WRITE, "y");
	assert_non_null(s);
	assert_int_equal(s->owner, 2);
	assert_string_equal(s->dir, "b");
	assert_true(f->w.entries_changed);

	write_file(f, "b/y", "3\n");
	drain(f);
	assert_non_null(find(f, IN_MODIFY, "y"));
	assert_null(find(f, IN_CREATE, "y"));
	assert_int_equal(find(f, IN_MODIFY, "y")->owner, 2);

	remove_path(f, "a/x");
	drain(f);
	s = find(f, IN_DELETE, "x");
	assert_non_null(s);
	assert_int_equal(s->owner, 1);
	assert_false(f->w.lost); /* a file went, not a watched directory */

	/* an owner changes with the next round */
	round_of(f, "a", 5, "b", 2);
	write_file(f, "a/x", "1\n");
	drain(f);
	assert_int_equal(find(f, IN_CREATE, "x")->owner, 5);
}

/* Two paths to one directory share its watch; with two owners the watch is shared. */
static void test_two_paths_one_watch(void **state)
{
	struct fixture *f = *state;
	char path[128];

	make_dir(f, "a");
	snprintf(path, sizeof(path), "%s/link", f->root);
	assert_int_equal(symlink("a", path), 0);
	round_of(f, "a", 1, "link", 1);
	write_file(f, "a/x", "1\n");
	drain(f);
	assert_int_equal(find(f, IN_CREATE, "x")->owner, 1);

	round_of(f, "a", 1, "link", 2);
	write_file(f, "a/y", "1\n");
	drain(f);
	assert_int_equal(find(f, IN_CREATE, "y")->owner, WATCH_SHARED);
	assert_int_equal(f->n_seen, 3); /* create, modify, close_write: one watch, not two */

	/* the path that made the watch goes, the other keeps it: still one watch, its owner */
	round_of(f, "link", 3, NULL, 0);
	write_file(f, "a/z", "1\n");
	drain(f);
	assert_int_equal(find(f, IN_CREATE, "z")->owner, 3);
	assert_non_null(find(f, IN_CREATE, "z")->dir);
	round_of(f, "link", 3, "a", 3); /* found again without a new watch */
	write_file(f, "a/w", "1\n");
	drain(f);
	assert_int_equal(f->n_seen, 3);
	assert_int_equal(find(f, IN_CREATE, "w")->owner, 3);
}

/*
 * Many watches, some dropped by a round and others made later (higher wds):
 * an event is still found by its wd and reaches its own owner and directory.
 */
static void test_many_watches_by_wd(void **state)
{
	struct fixture *f = *state;
	char rel[32];
	enum { N_DIRS = 200 };

	for (int i = 0; i < N_DIRS; i++) {
		snprintf(rel, sizeof(rel), "d%d", i);
		make_dir(f, rel);
	}
	watch_ino_begin(&f->w);
	for (int i = 0; i < N_DIRS; i++)
		assert_int_equal(watch_ino_addf(&f->w, 100 + i, "d%d", i), 0);
	watch_ino_end(&f->w);
	/* every third goes, and the first of them comes back last: a new, higher wd */
	watch_ino_begin(&f->w);
	for (int i = 0; i < N_DIRS; i++)
		if (i % 3)
			assert_int_equal(watch_ino_addf(&f->w, 100 + i, "d%d", i), 0);
	watch_ino_end(&f->w);
	watch_ino_begin(&f->w);
	for (int i = 1; i < N_DIRS; i++)
		if (i % 3)
			assert_int_equal(watch_ino_addf(&f->w, 100 + i, "d%d", i), 0);
	assert_int_equal(watch_ino_add(&f->w, "d0", 7), 0);
	watch_ino_end(&f->w);
	drain(f);

	for (int i = 0; i < N_DIRS; i += 7) {
		snprintf(rel, sizeof(rel), "d%d/x", i);
		write_file(f, rel, "1\n");
		drain(f);
		if (i % 3 && i) {
			assert_int_equal(find(f, IN_CREATE, "x")->owner, 100 + i);
			snprintf(rel, sizeof(rel), "d%d", i);
			assert_string_equal(find(f, IN_CREATE, "x")->dir, rel);
		} else if (i == 0) {
			assert_int_equal(find(f, IN_CREATE, "x")->owner, 7);
			assert_string_equal(find(f, IN_CREATE, "x")->dir, "d0");
		} else {
			assert_int_equal(f->n_calls, 0); /* dropped: no watch left */
		}
	}
}

/* More events than the kernel queues: one WATCH_UNKNOWN overflow, and a rescan is due. */
static void test_overflow_asks_rescan(void **state)
{
	struct fixture *f = *state;
	unsigned long max = 0;
	const struct seen *s;
	char rel[64];
	FILE *fp;

	fp = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	if (!fp || fscanf(fp, "%lu", &max) != 1 || max > 200000) {
		if (fp)
			fclose(fp);
		skip();
	}
	fclose(fp);
	make_dir(f, "a");
	round_of(f, "a", 1, NULL, 0);
	for (unsigned long i = 0; i < max / 3 + 16; i++) { /* create, modify, close_write */
		snprintf(rel, sizeof(rel), "a/f%lu", i);
		write_file(f, rel, "x");
	}
	f->w.lost = false; /* (cleared by hand: the overflow must set it) */
	drain(f);
	assert_true(f->n_calls >= (int)max);
	assert_true(f->w.lost);

	/* the watch itself survives: later events still name their owner */
	write_file(f, "a/after", "x");
	drain(f);
	s = find(f, IN_CREATE, "after");
	assert_non_null(s);
	assert_int_equal(s->owner, 1);
	assert_string_equal(s->dir, "a");

	/* a round resolves the paths again and clears the request */
	round_of(f, "a", 1, NULL, 0);
	assert_false(f->w.lost);
}

static bool record_overflow(void *ctx, const struct watch_event *ev)
{
	int *n = ctx;

	if (ev->mask & IN_Q_OVERFLOW) {
		assert_int_equal(ev->owner, WATCH_UNKNOWN);
		assert_null(ev->dir);
		(*n)++;
	}
	return false;
}

/* The overflow event itself reaches the callback, with no owner. */
static void test_overflow_event(void **state)
{
	struct fixture *f = *state;
	unsigned long max = 0;
	char rel[64];
	FILE *fp;
	int n = 0;

	fp = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	if (!fp || fscanf(fp, "%lu", &max) != 1 || max > 200000) {
		if (fp)
			fclose(fp);
		skip();
	}
	fclose(fp);
	make_dir(f, "a");
	round_of(f, "a", 1, NULL, 0);
	for (unsigned long i = 0; i < max / 3 + 16; i++) {
		snprintf(rel, sizeof(rel), "a/f%lu", i);
		write_file(f, rel, "x");
	}
	assert_int_equal(watch_ino_drain(&f->w, record_overflow, &n), 0);
	assert_int_equal(n, 1);
}

/* A watched directory removed and made again: forgotten, then watched again by the next round. */
static void test_directory_made_again(void **state)
{
	struct fixture *f = *state;
	const struct seen *s;

	make_dir(f, "a");
	make_dir(f, "a/sub");
	round_of(f, "a", 1, "a/sub", 2);
	remove_path(f, "a");
	drain(f);
	/* sub goes first (its owner), then a: each says so, and the kernel's IN_IGNORED follows */
	for (int i = 0, n_self = 0, n_ignored = 0; i < f->n_seen; i++) {
		s = &f->seen[i];
		if (s->mask & (IN_DELETE_SELF | IN_IGNORED))
			assert_int_equal(s->owner, strcmp(s->dir, "a") == 0 ? 1 : 2);
		n_self += !!(s->mask & IN_DELETE_SELF);
		n_ignored += !!(s->mask & IN_IGNORED);
		if (i == f->n_seen - 1) {
			assert_int_equal(n_self, 2);
			assert_int_equal(n_ignored, 2);
		}
	}
	assert_true(f->w.lost);

	make_dir(f, "a");
	make_dir(f, "a/sub");
	write_file(f, "a/sub/x", "1\n");
	drain(f);
	assert_int_equal(f->n_calls, 0); /* nothing watches the new directories yet */

	round_of(f, "a", 1, "a/sub", 2);
	assert_false(f->w.lost);
	write_file(f, "a/y", "1\n");
	write_file(f, "a/sub/z", "1\n");
	drain(f);
	assert_int_equal(find(f, IN_CREATE, "y")->owner, 1);
	assert_int_equal(find(f, IN_CREATE, "z")->owner, 2);

	/* moved away: forgotten too, and not found under the old name */
	{
		char from[128], to[128];

		snprintf(from, sizeof(from), "%s/a/sub", f->root);
		snprintf(to, sizeof(to), "%s/moved", f->root);
		assert_int_equal(rename(from, to), 0);
	}
	drain(f);
	assert_non_null(find(f, IN_MOVE_SELF, ""));
	assert_true(f->w.lost);
	watch_ino_begin(&f->w);
	assert_int_equal(watch_ino_add(&f->w, "a", 1), 0);
	assert_int_equal(watch_ino_add(&f->w, "a/sub", 2), -ENOENT);
	watch_ino_end(&f->w);
}

/* A host that counts ops->rescan calls, for watch_ino_rescan_if_added(). */
static void count_rescan(struct redmon_host *h)
{
	(*(int *)(void *)h)++;
}

/*
 * ino.added: set by a round that watched a directory for the first time (or
 * again, after it was made anew), not by one that only names watched ones;
 * watch_ino_rescan_if_added() asks for one scan and clears it.
 */
static void test_added_asks_one_rescan(void **state)
{
	struct fixture *f = *state;
	struct redmon_host_ops ops = { .abi_version = REDMON_ABI_VERSION,
				       .size = sizeof(ops),
				       .rescan = count_rescan };
	int rescans = 0;
	struct redmon_host *h = (struct redmon_host *)(void *)&rescans;

	make_dir(f, "a");
	make_dir(f, "b");
	round_of(f, "a", 1, NULL, 0);
	assert_true(f->w.added);
	watch_ino_rescan_if_added(&f->w, &ops, h);
	assert_int_equal(rescans, 1);
	assert_false(f->w.added);

	round_of(f, "a", 1, NULL, 0); /* watched already */
	watch_ino_rescan_if_added(&f->w, &ops, h);
	assert_int_equal(rescans, 1);

	round_of(f, "a", 1, "b", 2); /* b is new */
	watch_ino_rescan_if_added(&f->w, &ops, h);
	assert_int_equal(rescans, 2);

	remove_path(f, "b");
	make_dir(f, "b");
	drain(f);
	round_of(f, "a", 1, "b", 2); /* b made again: a new watch */
	watch_ino_rescan_if_added(&f->w, &ops, h);
	assert_int_equal(rescans, 3);

	/* a core without the op: cleared all the same, nothing called */
	ops.size = offsetof(struct redmon_host_ops, rescan);
	round_of(f, "a", 1, NULL, 0);
	make_dir(f, "c");
	round_of(f, "a", 1, "c", 3);
	watch_ino_rescan_if_added(&f->w, &ops, h);
	assert_false(f->w.added);
	assert_int_equal(rescans, 3);
}

/* A round drops the watches it no longer names, and their IN_IGNORED is not passed on. */
static void test_round_drops_unnamed(void **state)
{
	struct fixture *f = *state;

	make_dir(f, "a");
	make_dir(f, "b");
	round_of(f, "a", 1, "b", 2);
	round_of(f, "a", 1, NULL, 0);
	drain(f);
	assert_int_equal(f->n_calls, 0);
	write_file(f, "b/x", "1\n");
	write_file(f, "a/x", "1\n");
	drain(f);
	assert_non_null(find(f, IN_CREATE, "x"));
	for (int i = 0; i < f->n_seen; i++)
		assert_string_equal(f->seen[i].dir, "a");

	/* outside a round, an add only adds */
	assert_int_equal(watch_ino_add(&f->w, "b", 2), 0);
	write_file(f, "b/y", "1\n");
	write_file(f, "a/y", "1\n");
	drain(f);
	assert_int_equal(f->n_seen, 6);
}

/* Links planted to lead out of the root watch nothing outside it. */
static void test_link_out_of_root_refused(void **state)
{
	struct fixture *f = *state;
	char path[160], target[160];

	assert_int_equal(mkdir(f->out, 0755), 0);
	snprintf(path, sizeof(path), "%s/abs", f->root);
	assert_int_equal(symlink(f->out, path), 0);
	snprintf(path, sizeof(path), "%s/rel", f->root);
	snprintf(target, sizeof(target), "../%s", strrchr(f->out, '/') + 1);
	assert_int_equal(symlink(target, path), 0);

	watch_ino_begin(&f->w);
	assert_true(watch_ino_add(&f->w, "abs", 1) < 0);
	assert_true(watch_ino_add(&f->w, "rel", 2) < 0);
	assert_int_equal(watch_ino_addf(&f->w, 3, "%s", "missing"), -ENOENT);
	watch_ino_end(&f->w);

	snprintf(path, sizeof(path), "%s/x", f->out);
	fclose(fopen(path, "w"));
	drain(f);
	assert_int_equal(f->n_calls, 0);
}

/* Closed: nothing to drain, adds refused, close again is harmless. */
static void test_closed(void **state)
{
	struct fixture *f = *state;

	watch_ino_close(&f->w);
	assert_int_equal(f->w.fd, -1);
	assert_int_equal(watch_ino_add(&f->w, "a", 1), -EBADF);
	drain(f);
	assert_int_equal(f->n_calls, 0);
	watch_ino_close(&f->w);
}

/* --- udev --------------------------------------------------------------------- */

struct uev {
	int net_adds;
	bool other;
};

static bool on_dev(void *ctx, struct udev_device *dev)
{
	struct uev *u = ctx;
	const char *sub = udev_device_get_subsystem(dev);
	const char *action = udev_device_get_action(dev);
	const char *name = udev_device_get_sysname(dev);

	if (sub && strcmp(sub, "net") == 0 && action && strcmp(action, "add") == 0 && name &&
	    strncmp(name, "rmw", 3) == 0)
		u->net_adds++;
	else if (!sub || strcmp(sub, "net") != 0)
		u->other = true;
	return false;
}

static bool never(void *ctx, struct udev_device *dev)
{
	(void)dev;
	*(bool *)ctx = true;
	return false;
}

/* Drain until two devices were seen or a second went by. */
static void drain_for_a_while(struct watch_udev *w, struct uev *u)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

	for (int i = 0; i < 20 && u->net_adds < 2; i++) {
		if (poll(&pfd, 1, 50) > 0 && watch_udev_drain(w, on_dev, u) < 0)
			_exit(5);
	}
}

/*
 * In a child in its own network namespace: two monitors on the kernel's
 * uevents, for "net" and for "power_supply"; a veth pair made there gives
 * two net adds to the first and nothing to the second.  Exit 0 on success,
 * 77 to skip.
 */
static int udev_child(void)
{
	static const char *const net[] = { "net", NULL }, *const ps[] = { "power_supply", NULL };
	char *argv[] = {
		"ip", "link", "add", "rmwA", "type", "veth", "peer", "name", "rmwB", NULL
	};
	struct watch_udev w_net, w_ps;
	const char *why = NULL;
	struct uev u = { 0 };
	bool ps_seen = false;
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWNET) < 0)
		return 77;
	if (watch_udev_open(&w_net, "kernel", net, &why) < 0 ||
	    watch_udev_open(&w_ps, "kernel", ps, &why) < 0)
		return 2;
	if (!(fcntl(w_net.fd, F_GETFL) & O_NONBLOCK) || !(fcntl(w_net.fd, F_GETFD) & FD_CLOEXEC))
		return 3;
	if (watch_udev_drain(&w_net, on_dev, &u) != 0 || u.net_adds) /* nothing yet */
		return 4;
	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, NULL) != 0)
		return 77;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 77; /* no veth here */
	drain_for_a_while(&w_net, &u);
	if (u.net_adds != 2 || u.other)
		return 6;
	if (watch_udev_drain(&w_ps, never, &ps_seen) != 0 || ps_seen)
		return 7;
	watch_udev_close(&w_net);
	watch_udev_close(&w_ps);
	watch_udev_close(&w_ps); /* again: harmless */
	return w_net.fd == -1 ? 0 : 8;
}

static void test_udev_monitor(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(udev_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A source libudev does not know: an error, a reason, and a closed monitor. */
static void test_udev_bad_source(void **state)
{
	static const char *const net[] = { "net", NULL };
	struct watch_udev w;
	const char *why = NULL;
	bool seen = false;

	(void)state;
	assert_true(watch_udev_open(&w, "nonsense", net, &why) < 0);
	assert_non_null(why);
	assert_int_equal(w.fd, -1);
	assert_int_equal(watch_udev_drain(&w, never, &seen), 0);
	assert_false(seen);
	watch_udev_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_reach_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_paths_one_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_watches_by_wd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_asks_rescan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_made_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_asks_one_rescan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_drops_unnamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_out_of_root_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
		cmocka_unit_test(test_udev_monitor),
		cmocka_unit_test(test_udev_bad_source),
	};

	return cmocka_run_group_tests_name("watch", tests, NULL, NULL);
}
