/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inotify watches over the directories a bond scan read, for captured trees
 * (--root): sysfs and procfs never send inotify events, but a test or a
 * replayed capture changes plain files.  Each full scan hands the set of
 * directories it depends on to bond_ino_sync(), which adds the new ones and
 * drops those no longer wanted; a watch on a directory reports changes to
 * the files in it.
 *
 * Every directory carries an owner: the index of the one bond whose files it
 * holds, or one of the BOND_INO_* values below, so that an event can be
 * turned into "re-read that bond" without any path lookup.  Nothing logs.
 */
#ifndef REDMON_BOND_INOTIFY_H
#define REDMON_BOND_INOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Owners that are not one bond. */
#define BOND_INO_TOP	 (-1) /* a directory above the bonds (sys/class/net, ...) */
#define BOND_INO_PROC	 (-2) /* proc/net/bonding: one file per bond, by name */
#define BOND_INO_SHARED	 (-3) /* the files of more than one bond */
#define BOND_INO_UNKNOWN (-4) /* no watch of ours, or the event queue overflowed */

/* The directories a scan depends on, each with its owner. */
struct bond_dir {
	char *path; /* relative to the root, owned */
	int owner;
};

struct bond_dirs {
	struct bond_dir *v;
	size_t n, cap;
};

/* Append a copy of path (printf format) with its owner; 0 or -ENOMEM (too long: skipped). */
int bond_dirs_add(struct bond_dirs *d, int owner, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bond_dirs_free(struct bond_dirs *d);

struct bond_watch {
	int wd, owner;
};

/* A directory watched, by path. */
struct bond_held {
	char *path; /* owned */
	int wd;
};

struct bond_ino {
	int fd;		      /* the inotify instance, -1 when closed */
	struct bond_watch *w; /* held, sorted by wd */
	size_t n;
	/*
	 * The directories watched, sorted by path: a full scan adds a watch
	 * only for those not in here.  A directory leaves it when its watch
	 * says it is gone or moved (and so does everything under it), or when
	 * events were lost.
	 */
	struct bond_held *held;
	size_t n_held;
	/*
	 * Since the last bond_ino_sync(), a directory may have come or gone
	 * (an entry created, removed or renamed; events lost), so the same
	 * list of directories may need other watches.
	 */
	bool resync;
};

/* Create the instance (non-blocking, close-on-exec); 0 or -errno. */
int bond_ino_open(struct bond_ino *w);

/*
 * Watch exactly the directories in dirs (paths relative to the root root_fd,
 * resolved inside it: a link leading out of the root watches nothing of the
 * host); those that do not exist are skipped, those watched already are not
 * added again.  Two directories that are one inode (a lower_ link and the
 * slave's own directory) become one watch; when their owners differ, it is
 * BOND_INO_SHARED.  Returns 0 or -ENOMEM.
 */
int bond_ino_sync(struct bond_ino *w, int root_fd, const struct bond_dirs *dirs);

/*
 * Called for each event: owner of the watched directory (BOND_INO_UNKNOWN
 * for a watch we do not know or a queue overflow), the event mask, and the
 * name of the file in it ("" for the directory itself).  Return true to
 * stop looking at the events (they are still drained).
 */
typedef bool (*bond_ino_fn)(void *ctx, int owner, uint32_t mask, const char *name);

/*
 * Read every pending event and pass each to fn, except IN_IGNORED (a watch
 * dropped: nothing changed).  Returns 0 or -errno.
 */
int bond_ino_drain(struct bond_ino *w, bond_ino_fn fn, void *ctx);

/* Close the instance and forget the watches; safe on a closed one. */
void bond_ino_close(struct bond_ino *w);

#endif /* REDMON_BOND_INOTIFY_H */
