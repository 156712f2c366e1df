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

/* Free bytes inside the heap (not its top) from which heap_give_back() trims. */
#define HEAP_GIVE_BACK_MIN ((size_t)256 << 10)

/* malloc_trim() when at least HEAP_GIVE_BACK_MIN bytes lie free inside the heap; whether it did. */
int heap_give_back(void);

#endif
