/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Giving the heap's free pages back to the kernel after a scan.  A probe
 * builds a scan's groups beside the last scan's, and the aggregator frees
 * the snapshot a new one replaces: at 1000 arrays or bonds that leaves
 * hundreds of KiB free inside the heap, below live blocks, so free() cannot
 * shrink the heap and the pages stay resident until reused.
 */
#ifndef REDMON_HEAP_H
#define REDMON_HEAP_H

#include <stddef.h>

/*
 * Free bytes inside the heap (not its top) from which heap_give_back() trims.
 * With 256 KiB the holes a few deltas leave crept up under it: +240 KiB of
 * RssAnon over 10,000 changes at N = 100 (bench/run), +60 KiB with 64 KiB.
 */
#define HEAP_GIVE_BACK_MIN ((size_t)64 << 10)

/* malloc_trim() when at least HEAP_GIVE_BACK_MIN bytes lie free inside the heap; whether it did. */
int heap_give_back(void);

#endif
