// SPDX-License-Identifier: GPL-2.0-or-later
/* Kept-open files of a probe: see fdcache.h. */
#include "fdcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redmon/fnv1a.h"
#include "redmon/grow.h"
#include "rootfs.h"

void fdcache_init(struct fdcache *c, size_t budget, void (*unwatch)(void *ctx, int fd), void *ctx)
{
	*c = (struct fdcache){ .budget = budget, .unwatch = unwatch, .ctx = ctx };
}

static uint64_t path_hash(const char *path)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, path);
}

/* Tell the owner to stop watching e's descriptor, which is about to close. */
static void entry_unwatch(struct fdcache *c, struct fdcache_entry *e)
{
	if (e->watched && c->unwatch)
		c->unwatch(c->ctx, e->fd);
	e->watched = false;
}

static void entry_close(struct fdcache *c, struct fdcache_entry *e)
{
	entry_unwatch(c, e);
	close(e->fd);
	free(e->path);
	e->path = NULL;
	e->fd = -1;
}

/*
 * Index every entry again (after entries moved).  Out of memory, lookups
 * would miss and files be kept twice: close them all instead.
 */
static void reindex(struct fdcache *c)
{
	hindex_clear(&c->index);
	for (size_t i = 0; i < c->n; i++) {
		if (hindex_add(&c->index, path_hash(c->v[i].path), i) < 0) {
			fdcache_flush(c);
			return;
		}
	}
	c->cursor = 0;
}

struct path_key {
	const struct fdcache *c;
	const char *path;
};

static bool path_match(const void *ctx, size_t ref)
{
	const struct path_key *k = ctx;

	return strcmp(k->c->v[ref].path, k->path) == 0;
}

static struct fdcache_entry *lookup(struct fdcache *c, const char *path)
{
	struct path_key key = { c, path };
	size_t i;

	if (c->cursor < c->n && strcmp(c->v[c->cursor].path, path) == 0)
		i = c->cursor;
	else
		i = hindex_find(&c->index, path_hash(path), path_match, &key);
	if (i == HINDEX_NONE)
		return NULL;
	c->cursor = i + 1;
	return &c->v[i];
}

/* Keep fd under path; false when over budget or out of memory (caller closes fd). */
static bool remember(struct fdcache *c, const char *path, int fd, unsigned int flags)
{
	char *p;

	if (c->n >= c->budget || !grow_one((void **)&c->v, &c->cap, c->n, sizeof(*c->v), 32))
		return false;
	p = strdup(path);
	if (!p || hindex_add(&c->index, path_hash(path), c->n) < 0) {
		free(p);
		return false;
	}
	c->v[c->n++] = (struct fdcache_entry){
		.path = p, .fd = fd, .used = true, .notify = flags & FDC_NOTIFY
	};
	return true;
}

/* Whether a kept descriptor's error r says: open the path again. */
static bool worth_reopen(int r, unsigned int flags)
{
	if (r == 0 || r == -ENOMEM)
		return false;
	return (flags & FDC_RETRY) || r == -ENODEV || r == -ESTALE || r == -ENOENT;
}

/* Point e at a new open of its path (FDC_REOPEN); the entry keeps its place. */
static int entry_reopen(struct fdcache *c, struct fdcache_entry *e, int root_fd)
{
	int fd = rootfs_open_regular(root_fd, e->path);

	if (fd < 0) {
		fdcache_drop(c, e);
		return fd;
	}
	entry_unwatch(c, e);
	close(e->fd);
	e->fd = fd;
	return 0;
}

int fdcache_read(struct fdcache *c, int root_fd, const char *path, unsigned int flags,
		 struct strbuf *b, size_t max, bool *ret_truncated)
{
	struct fdcache_entry *e = c && c->budget ? lookup(c, path) : NULL;
	unsigned int how = flags & FDC_TO_EOF ? STRBUF_TO_EOF : 0;
	int fd, r;

	b->len = 0;
	if (e && (flags & FDC_REOPEN)) {
		r = entry_reopen(c, e, root_fd);
		if (r < 0)
			return r;
	}
	if (e) {
		e->used = true;
		r = strbuf_read_fd(b, e->fd, max, how, ret_truncated);
		if (!worth_reopen(r, flags))
			return r;
		fdcache_drop(c, e);
	}
	fd = rootfs_open_regular(root_fd, path);
	if (fd < 0)
		return fd;
	r = strbuf_read_fd(b, fd, max, how, ret_truncated);
	if (r < 0 || !c || !remember(c, path, fd, flags))
		close(fd);
	return r;
}

void fdcache_begin(struct fdcache *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		c->v[i].used = false;
}

void fdcache_sweep(struct fdcache *c)
{
	size_t i, k = 0;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->v[i].used)
			c->v[k++] = c->v[i];
		else
			entry_close(c, &c->v[i]);
	}
	if (k != c->n) {
		c->n = k;
		reindex(c);
	}
	c->cursor = 0;
}

void fdcache_flush(struct fdcache *c)
{
	fdcache_begin(c);
	fdcache_sweep(c);
}

struct fdcache_entry *fdcache_find_fd(struct fdcache *c, int fd)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->v[i].fd == fd)
			return &c->v[i];
	return NULL;
}

void fdcache_drop(struct fdcache *c, struct fdcache_entry *e)
{
	size_t i = (size_t)(e - c->v);

	entry_close(c, e);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*e));
	c->n--;
	reindex(c);
}

void fdcache_free(struct fdcache *c)
{
	if (!c)
		return;
	fdcache_flush(c);
	free(c->v);
	hindex_free(&c->index);
	memset(c, 0, sizeof(*c));
}
