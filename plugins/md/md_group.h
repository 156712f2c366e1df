/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decision: from one (merged) md array record to a struct redmon_group,
 * with member roles, counts, margin and a reason in words.  Pure functions,
 * no I/O, no logging.
 */
#ifndef REDMON_MD_GROUP_H
#define REDMON_MD_GROUP_H

#include "md_array.h"

/* Occupancy of one slot, as the rules see it. */
enum md_slot_state {
	MD_SLOT_EMPTY = 0, /* nobody in it: a missing member */
	MD_SLOT_IN_SYNC,   /* an in-sync, non-faulty member */
	MD_SLOT_BUSY,	   /* a member that is not in sync (rebuilding, failed) */
};

/* raid10 geometry; near = far = 0 means "not known" (near-2 assumed). */
struct md_r10_geo {
	int near, far;
};

struct md_margin {
	int32_t margin;	 /* REDMON_MARGIN_UNKNOWN when the rule cannot tell */
	int32_t nominal; /* the margin with every slot in sync */
};

/*
 * The margin rule of one level for n slots of which ok are in sync.  slots
 * (n entries of enum md_slot_state, may be NULL) tells which slots are in
 * sync; raid10 uses it for the exact worst case (the kernel's raid10.c
 * _enough() windows), else it falls back to max(0, copies - 1 - missing).
 *   raid1, multipath: ok - 1 / n - 1
 *   raid4, raid5:     1 - missing (>= -1) / 1
 *   raid6:            2 - missing (>= -1) / 2
 *   raid10:           copies - 1 - worst losses / copies - 1
 *   raid0, linear, faulty: 0, or -1 with any slot missing / 0
 * Other levels give REDMON_MARGIN_UNKNOWN and nominal 0.
 */
struct md_margin md_margin_rule(enum md_level level, int n, int ok, const unsigned char *slots,
				const struct md_r10_geo *geo);

/* Text storage of one member (the redmon_member points into it). */
struct md_member_text {
	char name[MD_DEV_NAME_MAX];
	char device[MD_DEV_NAME_MAX + 8];
	char state[MD_STATE_MAX];
};

/*
 * Output of md_group_build(), reused from array to array and scan to scan.
 * Zero-initialise before first use; md_group_buf_free() releases it.
 */
struct md_group_buf {
	struct redmon_group g;
	struct redmon_member *members;
	struct md_member_text *text;
	unsigned char *slots; /* enum md_slot_state per slot */
	size_t cap;	      /* entries in each of the three */
	char reason[256];
	char scrub_found[40]; /* "mismatch_cnt N" */
};

/*
 * Decide one array (the rules: md_group.c).  On success *ret points into gb
 * (valid until the next call) or is NULL when the array is not a redundancy
 * group (an IMSM/DDF container).  Returns 0 or -ENOMEM.
 */
int md_group_build(const struct md_array *a, struct md_group_buf *gb,
		   const struct redmon_group **ret);

void md_group_buf_free(struct md_group_buf *gb);

#endif /* REDMON_MD_GROUP_H */
