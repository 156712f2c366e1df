/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An index by hash over an array the caller owns: open addressing with
 * linear probing, at most half full, so that a scan meeting thousands of
 * names (10,000 arrays, 5,000 kept files) no longer compares each with every
 * one it keeps (that was the whole cost of such a scan).  A slot is 8 bytes:
 * the low 32 bits of the key's hash (include/redmon/fnv1a.h for names and
 * paths) and the entry's index in the caller's array.  The index never sees
 * the keys: a lookup hands each candidate to the caller's match().  An index
 * that could not grow is unchanged.  Nothing logs.  One per owner.
 */
#ifndef REDMON_PLUGINS_HINDEX_H
#define REDMON_PLUGINS_HINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HINDEX_NONE SIZE_MAX

struct hindex_slot {
	uint32_t hash; /* the low 32 bits */
	uint32_t ref;  /* the caller's entry index + 1; 0: empty */
};

struct hindex {
	struct hindex_slot *slots;
	size_t n_slots; /* a power of two, at least twice n; 0 before the first add */
	size_t n;	/* references held */
};

/* Add ref under hash (the index grows as needed).  0, -ENOMEM or -E2BIG. */
int hindex_add(struct hindex *h, uint64_t hash, size_t ref);

/*
 * The first ref under hash for which match(ctx, ref) is true, or HINDEX_NONE.
 * match is asked only about refs whose hash agrees in its low 32 bits.
 */
size_t hindex_find(const struct hindex *h, uint64_t hash,
		   bool (*match)(const void *ctx, size_t ref), const void *ctx);

/* Remove ref (added under hash); false when it is not there. */
bool hindex_remove(struct hindex *h, uint64_t hash, size_t ref);

/* Forget every ref, keeping the memory (an owner about to add them again). */
void hindex_clear(struct hindex *h);

/* Free the slots; NULL is a no-op.  h can be used again as is. */
void hindex_free(struct hindex *h);

#endif
