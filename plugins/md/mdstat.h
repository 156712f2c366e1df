/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parser of /proc/mdstat text into md array records.
 *
 * The format is whatever drivers/md/md.c md_seq_show() prints, plus the
 * personality's ->status() (raid1.c raid1_status, raid5.c raid5_status,
 * raid10.c raid10_status, raid0.c raid0_status, md-linear.c linear_status)
 * and status_resync().  Captures in the wild are also re-indented, cut, and
 * prefixed with shell prompts, so the parser keys on tokens, not columns.
 */
#ifndef REDMON_MD_MDSTAT_H
#define REDMON_MD_MDSTAT_H

#include "md_array.h"

/* Read limit for proc/mdstat; a larger file is cut and its last array marked unreadable. */
#define MD_MDSTAT_MAX (4u << 20)

/*
 * Parse len bytes at buf (no NUL needed, any bytes allowed) into set, which is
 * reset first.  truncated says the text was cut by the read limit: the last
 * array is then marked unreadable.  Content never makes this fail: an array
 * that cannot be understood gets an error text (md_array.error), lines that
 * belong to nothing are skipped.  Returns 0 or -ENOMEM.
 */
int md_mdstat_parse(const char *buf, size_t len, bool truncated, struct md_set *set);

/*
 * Bring set, the parse of old (old_len bytes, by md_mdstat_parse() or this
 * function), up to date with the text new, which was read whole: when the
 * two texts differ only inside one array's block, only that block is parsed
 * again (a change in one array of a thousand costs a thousandth).  tmp is
 * scratch.  *ret_changed is the array parsed again, NULL when the texts are
 * the same.  Returns 0 (set is now what md_mdstat_parse(new) would give),
 * -EAGAIN when a full parse is needed (the change spans arrays or lines
 * outside any, an array appears or goes), or -ENOMEM (set unusable).
 */
int md_mdstat_update(const char *old, size_t old_len, const char *new, size_t new_len,
		     struct md_set *set, struct md_set *tmp, const struct md_array **ret_changed);

/*
 * Parse one device token of an array line, "sdb1[1](W)(F)", into d.
 * Returns 0, -ENAMETOOLONG (a name of MD_DEV_NAME_MAX bytes or more, which
 * no kernel prints), or -EINVAL.  Exposed for tests.
 */
int md_mdstat_parse_dev(struct strv tok, struct md_dev *d);

#endif /* REDMON_MD_MDSTAT_H */
