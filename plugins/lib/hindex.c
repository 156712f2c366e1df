// SPDX-License-Identifier: GPL-2.0-or-later
/* An index by hash with open addressing: see hindex.h. */
#include "hindex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Place a slot (hash, ref + 1) at its home or the first free slot after it. */
static void put(struct hindex_slot *slots, size_t n_slots, uint32_t hash, uint32_t ref1)
{
	size_t mask = n_slots - 1, k = hash & mask;

	while (slots[k].ref)
		k = (k + 1) & mask;
	slots[k].hash = hash;
	slots[k].ref = ref1;
}

/* Room for want refs at most half full: a new table, the old slots moved in. */
static int grow(struct hindex *h, size_t want)
{
	size_t n_slots = h->n_slots ? h->n_slots : 64;
	struct hindex_slot *slots;

	while (n_slots < 2 * want)
		n_slots *= 2;
	if (n_slots == h->n_slots)
		return 0;
	slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t k = 0; k < h->n_slots; k++)
		if (h->slots[k].ref)
			put(slots, n_slots, h->slots[k].hash, h->slots[k].ref);
	free(h->slots);
	h->slots = slots;
	h->n_slots = n_slots;
	return 0;
}

int hindex_add(struct hindex *h, uint64_t hash, size_t ref)
{
	int r;

	if (ref >= UINT32_MAX - 1)
		return -E2BIG;
	r = grow(h, h->n + 1);
	if (r < 0)
		return r;
	put(h->slots, h->n_slots, (uint32_t)hash, (uint32_t)(ref + 1));
	h->n++;
	return 0;
}

size_t hindex_find(const struct hindex *h, uint64_t hash,
		   bool (*match)(const void *ctx, size_t ref), const void *ctx)
{
	size_t mask = h->n_slots - 1, k;

	if (!h->n)
		return HINDEX_NONE;
	for (k = (uint32_t)hash & mask; h->slots[k].ref; k = (k + 1) & mask)
		if (h->slots[k].hash == (uint32_t)hash && match(ctx, h->slots[k].ref - 1))
			return h->slots[k].ref - 1;
	return HINDEX_NONE;
}

/*
 * Backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 algorithm R): a slot after
 * the hole whose home is at or before it moves in, so no tombstones pile up.
 */
bool hindex_remove(struct hindex *h, uint64_t hash, size_t ref)
{
	size_t mask = h->n_slots - 1, hole, k;

	if (!h->n || ref >= UINT32_MAX - 1)
		return false;
	for (hole = (uint32_t)hash & mask; h->slots[hole].ref != ref + 1; hole = (hole + 1) & mask)
		if (!h->slots[hole].ref)
			return false;
	for (k = (hole + 1) & mask; h->slots[k].ref; k = (k + 1) & mask) {
		size_t home = h->slots[k].hash & mask;

		/* home is cyclically outside (hole, k]: the slot may move back. */
		if (((k - home) & mask) >= ((k - hole) & mask)) {
			h->slots[hole] = h->slots[k];
			hole = k;
		}
	}
	h->slots[hole].ref = 0;
	h->n--;
	return true;
}

void hindex_clear(struct hindex *h)
{
	if (h->slots)
		memset(h->slots, 0, h->n_slots * sizeof(*h->slots));
	h->n = 0;
}

void hindex_free(struct hindex *h)
{
	if (!h)
		return;
	free(h->slots);
	memset(h, 0, sizeof(*h));
}
