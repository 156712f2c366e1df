/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef REDMON_SORTED_H
#define REDMON_SORTED_H

/*
 * Binary search in a sorted table, shared by the core and plugins (header
 * only: a plugin never calls a core symbol).  Unlike bsearch(3) it also gives
 * where a missing key would be inserted, which sorted tables kept by
 * insertion need.
 */
#include <stdbool.h>
#include <stddef.h>

/*
 * Search n sorted items; cmp(key, i) compares item i with the key (< 0: the
 * item sorts before it).  Returns the position of the key, or of the first
 * item after it; *found says which.
 */
static inline size_t sorted_search(size_t n, int (*cmp)(const void *key, size_t i), const void *key,
				   bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(key, mid);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
