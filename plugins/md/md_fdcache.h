/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A cache of open attribute files, keyed by their path under the root.
 *
 * A scan re-reads the same files every time (proc/mdstat, a few attributes per
 * array); keeping them open saves an open/close pair per file and scan, and a
 * kept-open sysfs attribute is what poll()/epoll need for sysfs_notify().  The
 * cache holds at most `budget` descriptors; beyond that a read falls back to
 * open, read, close.  A scan brackets its reads with md_fdc_begin() and
 * md_fdc_sweep(): files not read in between (a vanished array) are closed.
 *
 * Every open resolves the path inside the root (plugins/lib/rootfs.h): a link
 * in a captured tree cannot make the probe read, and the daemon send, a file
 * of the host.
 *
 * The cache owns every descriptor in it.  Before closing one that the owner
 * registered for events (entry->watched) it calls the unwatch hook.
 */
#ifndef REDMON_MD_FDCACHE_H
#define REDMON_MD_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "md_text.h"

struct md_fd_entry {
	char *path;   /* relative to the root, owned */
	int fd;	      /* owned */
	bool used;    /* read during the current scan */
	bool notify;  /* the kernel sysfs_notify()s this file: worth watching */
	bool watched; /* the owner registered fd for events */
};

struct md_fdcache {
	struct md_fd_entry *v;
	size_t n, cap;
	size_t budget;	/* most descriptors kept open; 0 keeps none */
	size_t cursor;	/* tried first: scans read in the same order */
	size_t *slots;	/* open-addressing index by path hash: entry index + 1, 0 = empty */
	size_t n_slots; /* a power of two, at least twice n (0 before the first entry) */
	void (*unwatch)(void *ctx, int fd);
	void *ctx;
};

/* Read flags.  NOTIFY: the file is one the kernel notifies (md_fd_entry.notify). */
#define MD_FDC_NOTIFY 0x1u
/* RECORD: one record, such as a sysfs attribute: one pread reads it (md_read_record). */
#define MD_FDC_RECORD 0x2u
/*
 * REOPEN: the name may now be another file (a captured tree where a file was
 * renamed over): open it again, keeping the entry, and read the new file.
 */
#define MD_FDC_REOPEN 0x4u

/* unwatch may be NULL when nothing is ever watched. */
void md_fdc_init(struct md_fdcache *c, size_t budget, void (*unwatch)(void *ctx, int fd),
		 void *ctx);

/*
 * Open path below root_fd as if root_fd were "/" (rootfs_open(): no link or
 * ".." leaves it).  Returns the fd, or -errno: -ENOENT when path does not
 * exist, -ENOLINK when it is a symbolic link leading nowhere inside the root.
 */
int md_open_in_root(int root_fd, const char *path, int flags);

/*
 * Read the file at path (below dirfd, the root: md_open_in_root()) into b, as
 * md_read_fd() does, from the cached descriptor when there is one.  c may be
 * NULL (no caching).  Only regular files are read (-EINVAL otherwise: a FIFO
 * in a captured tree must not block a scan).  Returns 0 or -errno (-ENOENT
 * when the file does not exist, -ENOLINK for a link leading out of the root).
 */
int md_fdc_read(struct md_fdcache *c, int dirfd, const char *path, unsigned int flags,
		struct md_buf *b, size_t max, bool *ret_truncated);

/* Start a scan: every entry becomes unused until read again. */
void md_fdc_begin(struct md_fdcache *c);

/* End a scan: close the entries not read since md_fdc_begin(). */
void md_fdc_sweep(struct md_fdcache *c);

/* Close every entry (the files may have been replaced). */
void md_fdc_flush(struct md_fdcache *c);

/* The entry holding fd, or NULL. */
struct md_fd_entry *md_fdc_find_fd(struct md_fdcache *c, int fd);

/* Close one entry and forget it. */
void md_fdc_drop(struct md_fdcache *c, struct md_fd_entry *e);

/* Close everything and free the table; NULL is a no-op.  c can be reused after md_fdc_init(). */
void md_fdc_free(struct md_fdcache *c);

#endif /* REDMON_MD_FDCACHE_H */
