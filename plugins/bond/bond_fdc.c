// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kept-open files of the bond probe: see bond_fdc.h.
 */
#include "bond_fdc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bond_fdc_init(struct bond_fdc *c, size_t budget)
{
	memset(c, 0, sizeof(*c));
	c->budget = budget;
}

/* FNV-1a: paths differ in a few bytes in the middle ("bond12/", "b12s0/"). */
static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static void index_add(struct bond_fdc *c, size_t i)
{
	size_t mask = c->n_slots - 1, k = hash(c->v[i].path) & mask;

	while (c->slots[k])
		k = (k + 1) & mask;
	c->slots[k] = i + 1;
}

/* Rebuild the index for the current entries (after a removal, or to grow it). */
static int index_build(struct bond_fdc *c, size_t want)
{
	size_t n = 16, *slots;

	while (n < 2 * want + 1)
		n *= 2;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(c->slots);
	c->slots = slots;
	c->n_slots = n;
	for (size_t i = 0; i < c->n; i++)
		index_add(c, i);
	return 0;
}

static struct bond_fd *lookup(struct bond_fdc *c, const char *path)
{
	size_t mask = c->n_slots - 1, k;

	if (!c->n_slots)
		return NULL;
	for (k = hash(path) & mask; c->slots[k]; k = (k + 1) & mask) {
		struct bond_fd *e = &c->v[c->slots[k] - 1];

		if (strcmp(e->path, path) == 0)
			return e;
	}
	return NULL;
}

/* Keep fd for path; false when it cannot be kept (the caller closes it). */
static bool keep(struct bond_fdc *c, const char *path, int fd)
{
	struct bond_fd *e;

	if (c->n >= c->budget)
		return false;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		e = realloc(c->v, cap * sizeof(*e));
		if (!e)
			return false;
		c->v = e;
		c->cap = cap;
	}
	if (2 * (c->n + 1) >= c->n_slots && index_build(c, c->cap) < 0)
		return false;
	e = &c->v[c->n];
	e->path = strdup(path);
	if (!e->path)
		return false;
	e->fd = fd;
	e->used = true;
	index_add(c, c->n++);
	return true;
}

/* Close the entries not wanted (all of them, or those not used) and re-index. */
static void drop(struct bond_fdc *c, bool all)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (all || !c->v[i].used) {
			close(c->v[i].fd);
			free(c->v[i].path);
		} else {
			c->v[k++] = c->v[i];
		}
	}
	if (k == c->n)
		return;
	c->n = k;
	if (index_build(c, c->cap) < 0) {
		/* No index, no lookups: close the rest too. */
		for (size_t i = 0; i < c->n; i++) {
			close(c->v[i].fd);
			free(c->v[i].path);
		}
		c->n = 0;
		free(c->slots);
		c->slots = NULL;
		c->n_slots = 0;
	}
}

/* Close one entry; the last one takes its place. */
static void drop_one(struct bond_fdc *c, struct bond_fd *e)
{
	close(e->fd);
	free(e->path);
	*e = c->v[--c->n];
	if (index_build(c, c->cap) < 0)
		drop(c, true);
}

int bond_fdc_read(struct bond_fdc *c, int root_fd, const char *path, size_t max, struct bbuf *b,
		  bool *ret_truncated)
{
	struct bond_fd *e;
	int fd, r;

	if (!c || !c->budget)
		return bond_read_file(root_fd, path, max, b, ret_truncated);
	e = lookup(c, path);
	if (e) {
		r = bond_read_fd(e->fd, true, max, b, ret_truncated);
		if (r == 0 || r == -ENOMEM) {
			e->used = true;
			return r;
		}
		/*
		 * Some attributes fail by design (speed of a link that is
		 * down: EINVAL), but so does a file whose device or /proc
		 * entry is gone: forget it and look at the path again.
		 */
		drop_one(c, e);
	}
	b->len = 0;
	fd = bond_open_regular(root_fd, path);
	if (fd < 0)
		return fd;
	r = bond_read_fd(fd, true, max, b, ret_truncated);
	if (r < 0 || !keep(c, path, fd))
		close(fd);
	return r;
}

void bond_fdc_begin(struct bond_fdc *c)
{
	for (size_t i = 0; i < c->n; i++)
		c->v[i].used = false;
}

void bond_fdc_sweep(struct bond_fdc *c)
{
	drop(c, false);
}

void bond_fdc_flush(struct bond_fdc *c)
{
	drop(c, true);
}

void bond_fdc_free(struct bond_fdc *c)
{
	if (!c)
		return;
	bond_fdc_flush(c);
	free(c->v);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}
