/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inotify watches over the directories a bond scan read, for captured trees
 * (--root): sysfs and procfs never send inotify events, but a test or a
 * replayed capture changes plain files.  Each scan hands the set of
 * directories it depends on to bond_ino_sync(), which adds the new ones and
 * drops those no longer wanted; a watch on a directory reports changes to
 * the files in it.  Nothing logs.
 */
#ifndef REDMON_BOND_INOTIFY_H
#define REDMON_BOND_INOTIFY_H

#include <stddef.h>

#include "bond_sysfs.h"

struct bond_ino {
	int fd;	  /* the inotify instance, -1 when closed */
	int *wds; /* watch descriptors held */
	size_t n;
};

/* Create the inotify instance (non-blocking, close-on-exec); 0 or -errno. */
int bond_ino_open(struct bond_ino *w);

/*
 * Watch exactly the directories in dirs (paths relative to root); those that
 * do not exist are skipped.  Returns 0 or -ENOMEM.
 */
int bond_ino_sync(struct bond_ino *w, const char *root, const struct bond_names *dirs);

/*
 * Read every pending event.  Returns 1 when something changed, 0 when only
 * bookkeeping events came (a watch dropped), or -errno.
 */
int bond_ino_drain(struct bond_ino *w);

/* Close the instance and forget the watches; safe on a closed one. */
void bond_ino_close(struct bond_ino *w);

#endif /* REDMON_BOND_INOTIFY_H */
