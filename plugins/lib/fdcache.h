/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kept-open files of a probe, keyed by their path under the probe's root.
 *
 * A scan re-reads the same files (proc/mdstat, a few attributes per array or
 * bond).  Re-reading a kept descriptor with pread() at offset 0 (which runs a
 * sysfs show() or a seq_file again) saves each file's open, path walk, fstat
 * and close, and a kept-open sysfs attribute is what poll() needs for
 * sysfs_notify().  Each costs a descriptor (and, for sysfs, a kernel page),
 * so at most `budget` are kept.  Files not read between fdcache_begin() and
 * fdcache_sweep() (a vanished array) are closed.  Opens stay inside the root
 * (rootfs_open_regular()).  A kept file must not outlive a rename over its
 * path or a renamed device taking the name: the owner keeps a cache only
 * while it gets the events that say so, and flushes it then.
 *
 * The cache owns its descriptors and calls the unwatch hook before closing
 * one the owner registered for events (entry->watched).  Nothing logs.  Not
 * thread-safe: one per probe instance.
 */
#ifndef REDMON_PLUGINS_FDCACHE_H
#define REDMON_PLUGINS_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <redmon/plugin.h>

#include "hindex.h"
#include "strbuf.h"

/* fdcache_entry.dir of a path without a '/'. */
#define FDC_NO_DIR UINT32_MAX

/*
 * The path (relative to the root) is kept in the cache's pool in two parts:
 * the directory up to and including the last '/' (FDC_NO_DIR when there is
 * none), one copy shared by a run of entries in it, and the name after it.
 * Offsets, not pointers: an entry stays 16 bytes, and they survive the pool
 * moving.  fdcache_entry_path() gives the whole path.
 */
struct fdcache_entry {
	uint32_t dir, name; /* offsets in the cache's pool */
	int fd;		    /* owned */
	bool used;	    /* read since fdcache_begin() */
	bool notify;	    /* the kernel sysfs_notify()s this file: worth watching */
	bool watched;	    /* the owner registered fd for events */
};

struct fdcache {
	struct fdcache_entry *v;
	size_t n, cap;
	size_t budget;	   /* most descriptors kept open; 0 keeps none */
	size_t cursor;	   /* tried first: scans read in the same order */
	uint32_t *by_path; /* entries as at the last sweep, sorted by path */
	size_t n_by_path, cap_by_path;
	struct hindex fresh;		      /* entries kept since: by path, freed at the sweep */
	char *pool;			      /* the entries' directories and names, end to end */
	size_t pool_len, pool_cap, pool_dead; /* bytes used, held, of closed entries' names */
	void (*unwatch)(void *ctx, int fd);
	void *ctx;
	size_t refused; /* files not kept since fdcache_begin(): the budget was reached */
	size_t want;	/* files the last scan read (kept or refused); SIZE_MAX before one */
};

/* Read flags.  NOTIFY: the kernel notifies the file (fdcache_entry.notify). */
#define FDC_NOTIFY 0x1u
/* TO_EOF: read until a read returns 0, not to the first short read (STRBUF_TO_EOF). */
#define FDC_TO_EOF 0x2u
/* REOPEN: the name may now be another file (renamed over): open it again, keeping the entry. */
#define FDC_REOPEN 0x4u
/*
 * RETRY: any error of a kept-open file (but ENOMEM) reopens the path; without
 * it only those of a file gone (ENODEV, ESTALE, ENOENT) do, so that an
 * attribute failing by design (EINVAL, EIO) keeps its descriptor.
 */
#define FDC_RETRY 0x8u
/*
 * ONCE: a file its reader seldom reads again (it keeps what it said): open,
 * read, close, never kept, so a descriptor is not held for it between reads.
 */
#define FDC_ONCE 0x10u

/* unwatch may be NULL when nothing is ever watched. */
void fdcache_init(struct fdcache *c, size_t budget, void (*unwatch)(void *ctx, int fd), void *ctx);

/*
 * Read the regular file at path (below root_fd) into b, at most max bytes, as
 * strbuf_read_fd() does, from the kept descriptor when there is one.  c may be
 * NULL (no caching); ret_truncated may be NULL.  0 or -errno as
 * rootfs_open_regular() and strbuf_read_fd() give it; on error b->len is 0.
 */
int fdcache_read(struct fdcache *c, int root_fd, const char *path, unsigned int flags,
		 struct strbuf *b, size_t max, bool *ret_truncated);

/* Start a scan: every entry becomes unused until read again.  c may be NULL. */
void fdcache_begin(struct fdcache *c);

/* End a scan: close the entries not read since fdcache_begin().  c may be NULL. */
void fdcache_sweep(struct fdcache *c);

/* Close every entry (the files may have been replaced).  c may be NULL. */
void fdcache_flush(struct fdcache *c);

/* The entry holding fd, or NULL. */
struct fdcache_entry *fdcache_find_fd(struct fdcache *c, int fd);

/*
 * e's whole path (relative to the root), written into buf of len bytes with
 * its NUL; buf is returned, valid as long as the caller keeps it.  NULL, and
 * buf empty when len > 0, when the path does not fit: never a cut path.
 */
const char *fdcache_entry_path(const struct fdcache *c, const struct fdcache_entry *e, char *buf,
			       size_t len);

/* Close one entry and forget it. */
void fdcache_drop(struct fdcache *c, struct fdcache_entry *e);

/* Keep at most budget files from now on, closing the entries beyond it. */
void fdcache_set_budget(struct fdcache *c, size_t budget);

/*
 * Take the budget the core gives this probe (ops->fd_share) for what the
 * last scan wanted (c->want), at most cap (0: no cap), and keep no more.
 * Call it in init() (the probe registers; nothing is kept yet) and before
 * each full scan's fdcache_begin().  On a core without fd_share the budget
 * stays as fdcache_init() set it.
 */
void fdcache_follow_share(struct fdcache *c, const struct redmon_host_ops *ops,
			  struct redmon_host *h, size_t cap);

/* Close everything and free; NULL is a no-op.  c can be reused after fdcache_init(). */
void fdcache_free(struct fdcache *c);

#endif
