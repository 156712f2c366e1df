/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report_memo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/fnv1a.h"

#define MEMO_CAP_MIN 16

void memo_begin(struct report_memo *m)
{
	/* 0 is never an epoch: a fresh entry of an old scan cannot look seen. */
	if (++m->epoch == 0)
		m->epoch = 1;
}

static uint64_t name_key(const char *name)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, name);
}

/* The slot of name, or the free slot where it would go; cap must be > 0. */
static struct memo_entry *slot_of(const struct report_memo *m, const char *name, uint64_t key)
{
	size_t mask = m->cap - 1;

	/* The table is at most half full: the walk ends at a free slot. */
	for (size_t i = key & mask;; i = (i + 1) & mask) {
		struct memo_entry *e = &m->slots[i];

		if (!e->name || (e->key == key && strcmp(e->name, name) == 0))
			return e;
	}
}

struct memo_entry *memo_find(const struct report_memo *m, const char *name)
{
	struct memo_entry *e;

	if (!m->cap)
		return NULL;
	e = slot_of(m, name, name_key(name));
	return e->name ? e : NULL;
}

/* Move the entries of m to a table of cap slots (a power of two); 0 or -ENOMEM. */
static int rehash(struct report_memo *m, size_t cap)
{
	struct memo_entry *old = m->slots;
	size_t old_cap = m->cap;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].name)
			*slot_of(m, old[i].name, old[i].key) = old[i];
	}
	free(old);
	return 0;
}

int memo_put(struct report_memo *m, const char *name, uint64_t content)
{
	uint64_t key = name_key(name);
	struct memo_entry *e;

	if ((m->n + 1) * 2 > m->cap &&
	    (m->cap > SIZE_MAX / 4 || rehash(m, m->cap ? m->cap * 2 : MEMO_CAP_MIN) < 0))
		return -ENOMEM;
	e = slot_of(m, name, key);
	if (!e->name) {
		e->name = strdup(name);
		if (!e->name)
			return -ENOMEM;
		e->key = key;
		m->n++;
	}
	e->content = content;
	e->seen = m->epoch;
	return 0;
}

int memo_sweep(struct report_memo *m, int (*gone)(void *ctx, const char *name), void *ctx)
{
	size_t dropped = 0;
	int first = 0;

	for (size_t i = 0; i < m->cap; i++) {
		struct memo_entry *e = &m->slots[i];
		int rc;

		if (!e->name || e->seen == m->epoch)
			continue;
		rc = gone ? gone(ctx, e->name) : 0;
		first = first ? first : rc;
		free(e->name);
		e->name = NULL;
		dropped++;
	}
	if (!dropped)
		return first;
	m->n -= dropped;
	/*
	 * A free slot in the middle of a probe sequence would hide what lies
	 * behind it: put the rest back in place, in a table sized for them.
	 */
	{
		size_t cap = MEMO_CAP_MIN;

		while (cap < m->n * 4)
			cap *= 2;
		if (rehash(m, cap) < 0) {
			memo_reset(m); /* the next scan hands over everything */
			return first ? first : -ENOMEM;
		}
	}
	return first;
}

void memo_reset(struct report_memo *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].name);
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}
