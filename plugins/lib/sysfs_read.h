/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attributes of one sysfs (or procfs) directory of the root
 * ("sys/block/md0/md/" then "array_state", "dev-sda/state"), read through
 * kept-open files (fdcache.h).  Each read builds the attribute's path by hand
 * (snprintf() was a fifth of the md probe's instructions) and leaves it, so
 * a reason can name the attribute that failed.  Nothing logs; 0 or -errno.
 * One per scan, on the caller's stack.
 */
#ifndef REDMON_PLUGINS_SYSFS_READ_H
#define REDMON_PLUGINS_SYSFS_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "fdcache.h"
#include "strbuf.h"

struct sysfs_dir {
	int root_fd;
	struct fdcache *fdc; /* NULL: each file opened and closed */
	struct strbuf *buf;  /* the attribute just read */
	unsigned int flags;  /* FDC_* added to every read */
	size_t max;	     /* longest content: longer is -EFBIG (cut_ok: cut, no error) */
	bool cut_ok;
	char path[320]; /* the directory (plen bytes, ending in '/'), then the attribute */
	size_t plen;
};

/* Set the directory (printf-style, a '/' is added); -ENAMETOOLONG leaves none. */
int sysfs_dir_at(struct sysfs_dir *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same for the directory p1 p2 p3 joined as they are, without a format: every array or bond. */
int sysfs_dir_set(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3);

/* Build the directory's path then p1 p2 p3 (any may be "") in d->path, or -ENAMETOOLONG. */
int sysfs_dir_path(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3);

/*
 * Read the attribute p1 p2 p3 of the directory through d->fdc into d->buf,
 * with d->flags | flags; *ret views its bytes, blanks and all.  0, or -errno:
 * -ENOENT, -ENOLINK (a link out of the root), -EFBIG (over d->max, !cut_ok).
 */
int sysfs_read3(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3,
		unsigned int flags, struct strv *ret);

static inline int sysfs_read(struct sysfs_dir *d, const char *name, unsigned int flags,
			     struct strv *ret)
{
	return sysfs_read3(d, name, "", "", flags, ret);
}

/* The attribute last read or built, as a reason names it: its path below the directory. */
static inline const char *sysfs_name(const struct sysfs_dir *d)
{
	return d->path + d->plen;
}

/*
 * Call fn for each entry but "." and ".." of the directory at path (below
 * root_fd), listed with getdents64() into buf (kept across scans: no DIR and
 * its 32 KiB allocated each time).  A non-zero return of fn stops; a negative
 * one is returned.  0 or -errno (-ENOENT, -ENOTDIR, -ENOLINK).
 */
int sysfs_list_dir(int root_fd, const char *path, struct strbuf *buf,
		   int (*fn)(void *ctx, const char *name), void *ctx);

/*
 * Why an attribute could not be had, into buf (returned): "content not
 * understood" (-EINVAL, a parser's answer), "content too long" (-EFBIG), "a
 * symbolic link leading nowhere inside the root" (-ENOLINK), else strerror().
 */
const char *sysfs_strerror(int e, char *buf, size_t len);

#endif
