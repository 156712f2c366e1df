/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FNV-1a, 64-bit (http://www.isthe.com/chongo/tech/comp/fnv/): the one string
 * hash of core and plugins; header-only, so plugins need no core symbol.  Not
 * flood-proof: every index of system names bounds its own probe length.
 */
#ifndef REDMON_FNV1A_H
#define REDMON_FNV1A_H
#include <stddef.h>
#include <stdint.h>

#define REDMON_FNV1A_BASIS 0xcbf29ce484222325ull /* 14695981039346656037 */
#define REDMON_FNV1A_PRIME 0x100000001b3ull	 /* 1099511628211 */

/* h folded with one byte; start from REDMON_FNV1A_BASIS. */
static inline uint64_t redmon_fnv1a_byte(uint64_t h, unsigned char b)
{
	return (h ^ b) * REDMON_FNV1A_PRIME;
}

/* h folded with len bytes at data. */
static inline uint64_t redmon_fnv1a_mem(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = redmon_fnv1a_byte(h, p[i]);
	return h;
}

/* h folded with the bytes of the string s (not its NUL). */
static inline uint64_t redmon_fnv1a_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = redmon_fnv1a_byte(h, (unsigned char)*s);
	return h;
}
#endif
