/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Room for one more element in a growable array, for the core and the
 * plugins alike (a header: a plugin links no core code).  The capacity
 * doubles, so n appends cost O(n) copies in all.
 */
#ifndef REDMON_GROW_H
#define REDMON_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/*
 * Make the array *v of *cap elements of size bytes, n of them in use, hold
 * n + 1 (first: the capacity of its first allocation); false when out of
 * memory, *v and *cap then untouched.
 */
static inline bool grow_one(void **v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	void *p;

	if (n < *cap)
		return true;
	p = reallocarray(*v, c, size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/*
 * Give back the room of the array *v beyond n elements (plus an eighth, so
 * that a few appends do not grow it again) when over a quarter of it is
 * unused: doubling left a table of 4,100 entries room for 8,192.  Out of
 * memory, the array stays as it was.
 */
static inline void grow_trim(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = n + n / 8;
	void *p;

	if (!n || c >= *cap - *cap / 4)
		return;
	p = reallocarray(*v, c, size);
	if (!p)
		return;
	*v = p;
	*cap = c;
}

#endif
