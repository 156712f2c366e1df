/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Change notification for probes: inotify over directories of the root
 * (watch.c), and a udev monitor (watch_udev.c, apart so that a probe using
 * only inotify does not link libudev).
 *
 * sysfs and procfs send no inotify events, but a captured tree (--root) is
 * plain files that a test or a replayed capture rewrites, so a probe watches
 * the directories it reads.  A watch carries an owner, a number the probe
 * chooses (the index of a bond, a kind of directory), so that an event
 * becomes "re-read that" without a path lookup.  Directories are resolved
 * inside the root (rootfs.h): a planted link never watches one of the host.
 * A directory removed or moved away drops its path (and those under it), so
 * that the next round watches it again when it reappears.  On the live root,
 * uevents announce devices: a probe opens one udev monitor filtered (in the
 * kernel: no wake-up for other devices) to its subsystems.
 *
 * Neither logs nor talks to the host (but for watch_ino_rescan_if_added()):
 * the probe registers the descriptor (ops->watch_fd) and says what failed.
 * 0 or -errno everywhere.
 *
 * A watch sees only the changes after it is set, and a probe learns which
 * directories to watch by reading them: one first watched after its scan
 * read it is read once more (watch_ino_rescan_if_added), or a change in
 * between would go unseen until the periodic rescan.
 */
#ifndef REDMON_PLUGINS_WATCH_H
#define REDMON_PLUGINS_WATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hindex.h"

/* Owners the helper gives; a probe's own owners are any other int. */
#define WATCH_SHARED  (INT_MIN + 1) /* one directory added with two owners */
#define WATCH_UNKNOWN INT_MIN	    /* events lost (IN_Q_OVERFLOW), or a watch not ours */

/* One inotify event, as the callback of watch_ino_drain() sees it. */
struct watch_event {
	int owner;	  /* of the directory, WATCH_SHARED or WATCH_UNKNOWN */
	const char *dir;  /* its path as first added, NULL with WATCH_UNKNOWN */
	const char *name; /* the entry in it, "" for the directory itself */
	uint32_t mask;	  /* IN_* of <sys/inotify.h> */
};

/* Return true to stop looking at the events (they are still drained). */
typedef bool (*watch_ino_fn)(void *ctx, const struct watch_event *ev);

struct watch_path; /* a path added, and the watch it leads to: watch.c */

struct watch_ino {
	int fd; /* the inotify instance, for ops->watch_fd; -1 when closed */
	/* Paths forgotten (directory moved, events lost, no memory): run a round. */
	bool lost;
	/* An entry came, went or was renamed in a watched directory since the round. */
	bool entries_changed;
	/* A directory got a watch it did not have (first seen, or back): see the top. */
	bool added;

	/* Private to watch.c. */
	int root_fd;
	char *root;
	uint32_t mask;
	bool in_round;
	struct watch_path *paths;
	size_t n_paths, cap_paths;
	uint32_t *by_wd; /* the paths holding a watch, in the order of their wd */
	size_t n_by_wd, cap_by_wd;
	uint32_t *by_path; /* the paths as at the last round's end, sorted */
	size_t n_by_path, cap_by_path;
	struct hindex fresh; /* the paths added since: into paths */
	size_t cursor;	     /* the path expected next: rounds add in the same order */
};

/*
 * Create the instance (non-blocking, close-on-exec) for directories of the
 * root root_fd (an O_PATH fd the caller keeps open) at path root (copied; used
 * only where /proc is not mounted).  mask: the IN_* events the probe wants,
 * plus IN_ONLYDIR, IN_DELETE_SELF and IN_MOVE_SELF (to forget moved paths).
 * Returns 0, or -errno with w closed.
 */
int watch_ino_open(struct watch_ino *w, int root_fd, const char *root, uint32_t mask);

/* Start a round: every path is unwanted until added again; lost and entries_changed clear. */
void watch_ino_begin(struct watch_ino *w);

/*
 * Watch the directory rel (relative to the root, resolved inside it) for
 * owner; a path already watched costs no system call.  0, or -errno: -ENOENT,
 * -ENOTDIR, -ENOSPC (out of watches), -ENOMEM, -ENAMETOOLONG (addf).
 */
int watch_ino_add(struct watch_ino *w, const char *rel, int owner);
int watch_ino_addf(struct watch_ino *w, int owner, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* End a round: remove the watches no path added in it leads to. */
void watch_ino_end(struct watch_ino *w);

/*
 * Pass every pending event to fn; WATCH_UNKNOWN: events were lost, rescan
 * everything.  IN_IGNORED is passed only for a watch the kernel dropped (its
 * directory is gone), not for one watch_ino_end() removed.  fn may be NULL
 * (any event means a rescan).  0 or -errno.
 */
int watch_ino_drain(struct watch_ino *w, watch_ino_fn fn, void *ctx);

/*
 * From the probe's scan(), after its watches are added: when one is new
 * (w->added), clear that and ask the host for another scan (ops->rescan), to
 * read again what the scan read before the watch was set.
 */
struct redmon_host_ops;
struct redmon_host;
void watch_ino_rescan_if_added(struct watch_ino *w, const struct redmon_host_ops *ops,
			       struct redmon_host *h);

/* Close the instance and forget everything; safe on a closed one. */
void watch_ino_close(struct watch_ino *w);

struct udev;
struct udev_monitor;
struct udev_device;

struct watch_udev {
	int fd; /* the monitor's socket, for ops->watch_fd; -1 when closed */
	struct udev *udev;
	struct udev_monitor *mon;
};

/*
 * Open a monitor on source ("udev": after udevd's rules, "kernel": raw
 * uevents) for the subsystems listed (NULL-terminated).  0, or -errno with w
 * closed and *ret_why (when not NULL) naming the step that failed.
 */
int watch_udev_open(struct watch_udev *w, const char *source, const char *const *subsystems,
		    const char **ret_why);

/* Return true to stop looking at the devices (they are still drained). */
typedef bool (*watch_udev_fn)(void *ctx, struct udev_device *dev);

/*
 * Receive every pending device and pass each to fn (which must not keep it).
 * 0, or -ENOBUFS when the socket overflowed: rescan everything.
 */
int watch_udev_drain(struct watch_udev *w, watch_udev_fn fn, void *ctx);

/* Close the monitor; safe on a closed one. */
void watch_udev_close(struct watch_udev *w);

#endif /* REDMON_PLUGINS_WATCH_H */
