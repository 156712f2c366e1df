/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reader of the md sysfs attributes, <root>/sys/block/mdX/md/
 * (Documentation/admin-guide/md.rst, drivers/md/md.c *_show functions), into
 * the same records as the mdstat parser.
 */
#ifndef REDMON_MD_SYSFS_H
#define REDMON_MD_SYSFS_H

#include "../lib/fdcache.h"
#include "md_array.h"

/* Largest attribute read: sysfs attributes are at most one page. */
#define MD_ATTR_MAX 4096

/* Reusable buffers of the reader, kept from scan to scan.  Zero-initialise. */
struct md_sysfs_buf {
	struct strbuf attr; /* one attribute */
	struct strbuf dir;  /* getdents64 records of one directory */
	/* md_sysfs_read(): the arrays sys/block lists, sorted by name. */
	char (*names)[MD_NAME_MAX];
	size_t n_names, names_cap;
	/*
	 * Set by the caller before md_sysfs_read(): the mdstat just parsed, its
	 * set and text (NULL: none).  An array whose mdstat block is as at the
	 * last full read, and whose listing then named the devices the block
	 * names, takes that listing (md_array.list) instead of listing its md
	 * directory again: mdstat prints every device of the array, and its
	 * level (which says the optional attributes).  It takes the level and
	 * raid_disks read then too, which the block prints as well.  Every
	 * MD_LIST_CHECK_EVERY-th full read lists every directory regardless.
	 */
	struct md_set *mdstat; /* its name index may be rebuilt */
	const char *mdstat_text;
	unsigned int full_reads;
};

#define MD_LIST_CHECK_EVERY 16

void md_sysfs_buf_free(struct md_sysfs_buf *b);

/*
 * Read every md array under sys/block of root_fd into set (reset first), in
 * name order.  Attribute files go through fdc (may be NULL: open, read,
 * close).  Returns 0 (also when sys/block does not exist: no arrays), -errno
 * when sys/block cannot be listed, or -ENOMEM.  An array that cannot be read
 * gets an error text instead.
 */
int md_sysfs_read(int root_fd, struct fdcache *fdc, struct md_sysfs_buf *buf, struct md_set *set);

/*
 * Read one array again, in place: a is cleared but for its name, then read as
 * md_sysfs_read() reads each array; flags (FDC_REOPEN) go to every file
 * read.  *ret_kept says whether md_sysfs_read() would keep the array (md_seq_show
 * prints it).  Returns 0 or -ENOMEM.
 */
int md_sysfs_read_array(int root_fd, struct fdcache *fdc, struct md_sysfs_buf *buf,
			unsigned int flags, struct md_array *a, bool *ret_kept);

/*
 * Attribute parsers, each taking the file's text (trailing newline allowed)
 * and returning 0 or -EINVAL; out-parameters are set only on success.
 */
int md_sysfs_parse_array_state(struct strv s, enum md_run *ret_run, bool *ret_read_only);
int md_sysfs_parse_raid_disks(struct strv s, int *ret);
int md_sysfs_parse_sync_action(struct strv s, enum redmon_activity *ret);
/* "none" -> -1, "delayed" -> *ret_delayed, "a / b" -> percent rounded down to 0.1. */
int md_sysfs_parse_sync_completed(struct strv s, double *ret_progress, bool *ret_delayed);
/*
 * Seconds left of a running sync: sync_completed ("done / total", 512-byte
 * sectors) at sync_speed ("N", KiB/s, over the last seconds: md.c
 * sync_speed_show).  -EINVAL when either says nothing ("none", "delayed", a
 * speed of 0, done past total) or is malformed.
 */
int md_sysfs_sync_eta(struct strv completed, struct strv speed, int64_t *ret_s);
/* mismatch_cnt: sectors the last check or repair found inconsistent ("N"). */
int md_sysfs_parse_mismatch_cnt(struct strv s, int64_t *ret);
/* Comma-separated state words -> enum md_dev_flag bits; unknown words are ignored. */
int md_sysfs_parse_dev_state(struct strv s, unsigned int *ret_flags);
/* "none" -> -1, "journal" -> -1, "N" -> N. */
int md_sysfs_parse_slot(struct strv s, int *ret_slot);
/* raid10 layout -> near, far, offset (drivers/md/raid10.c setup_geo). */
int md_sysfs_parse_layout(struct strv s, int *ret_near, int *ret_far, bool *ret_offset);

#endif /* REDMON_MD_SYSFS_H */
