/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a probe last handed over, group by group: each group's name and the
 * hash of its report (group_report_hash), so that the next scan hands the
 * aggregator only the groups whose report changed, appeared or vanished (a
 * delta, model.h) instead of copying, sorting and diffing every one of them.
 * A table keyed by name, open addressing; each scan marks what it saw.
 */
#ifndef REDMON_REPORT_MEMO_H
#define REDMON_REPORT_MEMO_H

#include <stddef.h>
#include <stdint.h>

struct memo_entry {
	char *name;	  /* NULL: a free slot */
	uint64_t key;	  /* FNV-1a of name */
	uint64_t content; /* group_report_hash() of the last report handed over */
	uint32_t seen;	  /* the scan (epoch) that last reported it */
};

struct report_memo {
	struct memo_entry *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
	uint32_t epoch; /* the scan under way */
};

/* A new scan: entries not seen in it are gone at memo_sweep(). */
void memo_begin(struct report_memo *m);

/* The entry of name, or NULL. */
struct memo_entry *memo_find(const struct report_memo *m, const char *name);

/* name was handed over with content in this scan: 0 or -ENOMEM (then forget the memo). */
int memo_put(struct report_memo *m, const char *name, uint64_t content);

/*
 * Drop every entry this scan did not see, calling gone(ctx, name) for each
 * first when gone is not NULL; 0, or the first error gone() returned (the
 * sweep still completes).
 */
int memo_sweep(struct report_memo *m, int (*gone)(void *ctx, const char *name), void *ctx);

/* Forget everything and free the table (the next scan hands over every group). */
void memo_reset(struct report_memo *m);

#endif
