// SPDX-License-Identifier: GPL-2.0-or-later
/* Kept-open files of a probe: see fdcache.h. */
#include "fdcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redmon/fnv1a.h"
#include "redmon/grow.h"
#include "redmon/sorted.h"
#include "rootfs.h"

void fdcache_init(struct fdcache *c, size_t budget, void (*unwatch)(void *ctx, int fd), void *ctx)
{
	*c = (struct fdcache){ .budget = budget, .unwatch = unwatch, .ctx = ctx, .want = SIZE_MAX };
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
	c->pool_dead += strlen(e->path) + 1;
	e->path = NULL;
	e->fd = -1;
}

static int by_path_cmp(const void *a, const void *b, void *ctx)
{
	const struct fdcache_entry *v = ctx;

	return strcmp(v[*(const uint32_t *)a].path, v[*(const uint32_t *)b].path);
}

/*
 * Index every entry again (after entries moved, or at a sweep): sorted by
 * path, a binary search; the hash index of the entries kept since the last
 * sweep goes.  by_path has room for every entry (remember()): cannot fail.
 */
static void reindex(struct fdcache *c)
{
	hindex_free(&c->fresh);
	for (size_t i = 0; i < c->n; i++)
		c->by_path[i] = (uint32_t)i;
	c->n_by_path = c->n;
	if (c->n_by_path > 1) /* by_path is NULL while the cache is empty */
		qsort_r(c->by_path, c->n_by_path, sizeof(*c->by_path), by_path_cmp, c->v);
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

/* sorted_search() over by_path: entry i's path against k->path. */
static int by_path_vs(const void *key, size_t i)
{
	const struct path_key *k = key;

	return -strcmp(k->path, k->c->v[k->c->by_path[i]].path);
}

/* The entry of path in by_path (paths are kept once), or HINDEX_NONE. */
static size_t sorted_find(const struct fdcache *c, const char *path)
{
	struct path_key key = { c, path };
	bool found;
	size_t i = sorted_search(c->n_by_path, by_path_vs, &key, &found);

	return found ? c->by_path[i] : HINDEX_NONE;
}

/*
 * The cursor first (a scan reads in the order of the last: one strcmp), then
 * the entries sorted at the last sweep, then those kept since.  A hash index
 * of them all cost 128 KiB at 4,100 kept files, 4 bytes an entry now.
 */
static struct fdcache_entry *lookup(struct fdcache *c, const char *path)
{
	struct path_key key = { c, path };
	size_t i;

	if (c->cursor < c->n && strcmp(c->v[c->cursor].path, path) == 0)
		i = c->cursor;
	else if ((i = sorted_find(c, path)) == HINDEX_NONE)
		i = hindex_find(&c->fresh, path_hash(path), path_match, &key);
	if (i == HINDEX_NONE)
		return NULL;
	c->cursor = i + 1;
	return &c->v[i];
}

/*
 * The paths live end to end in one pool: a malloc'd copy each cost a third
 * more (its header and rounding), 80 KiB at 4,100 kept files.  Move the
 * paths of the n entries into a new pool of cap bytes (at least theirs),
 * leaving out those of closed entries.  false, and nothing moved, when out of
 * memory.
 */
static bool pool_move(struct fdcache *c, size_t cap)
{
	char *pool = NULL, *at;

	if (cap && !(pool = malloc(cap)))
		return false;
	at = pool;
	for (size_t i = 0; i < c->n; i++) {
		size_t len = strlen(c->v[i].path) + 1;

		memcpy(at, c->v[i].path, len);
		c->v[i].path = at;
		at += len;
	}
	free(c->pool);
	c->pool = pool;
	c->pool_len = (size_t)(at - pool);
	c->pool_cap = cap;
	c->pool_dead = 0;
	return true;
}

/* Room for len more bytes in the pool: the live paths in one twice as large. */
static bool pool_reserve(struct fdcache *c, size_t len)
{
	size_t live = c->pool_len - c->pool_dead, cap = c->pool_cap ? c->pool_cap : 1024;

	if (c->pool_len + len <= c->pool_cap)
		return true;
	while (cap < 2 * (live + len))
		cap *= 2;
	return pool_move(c, cap);
}

/* After closing entries: the pool compacted, and trimmed to its paths and an eighth. */
static void pool_tidy(struct fdcache *c)
{
	size_t live = c->pool_len - c->pool_dead;

	if (c->pool_dead || c->pool_cap - c->pool_len > c->pool_len / 4)
		pool_move(c, live + live / 8);
}

/* Keep fd under path; false when over budget or out of memory (caller closes fd). */
static bool remember(struct fdcache *c, const char *path, int fd, unsigned int flags)
{
	size_t len = strlen(path) + 1;
	char *p;

	if (c->n >= c->budget) {
		c->refused++;
		return false;
	}
	if (c->n >= UINT32_MAX || !grow_one((void **)&c->v, &c->cap, c->n, sizeof(*c->v), 32) ||
	    !grow_one((void **)&c->by_path, &c->cap_by_path, c->n, sizeof(*c->by_path), 32) ||
	    !pool_reserve(c, len) || hindex_add(&c->fresh, path_hash(path), c->n) < 0)
		return false;
	p = memcpy(c->pool + c->pool_len, path, len);
	c->pool_len += len;
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
	struct fdcache_entry *e = c && c->budget && !(flags & FDC_ONCE) ? lookup(c, path) : NULL;
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
	if (r < 0 || !c || (flags & FDC_ONCE) || !remember(c, path, fd, flags))
		close(fd);
	return r;
}

void fdcache_begin(struct fdcache *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		c->v[i].used = false;
	if (c)
		c->refused = 0;
}

/* Close the entries not used since fdcache_begin(). */
static void close_unused(struct fdcache *c)
{
	size_t i, k = 0;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].used)
			c->v[k++] = c->v[i];
		else
			entry_close(c, &c->v[i]);
	}
	if (k != c->n || c->fresh.n) {
		c->n = k;
		reindex(c);
	}
	pool_tidy(c);
	grow_trim((void **)&c->v, &c->cap, c->n, sizeof(*c->v));
	grow_trim((void **)&c->by_path, &c->cap_by_path, c->n, sizeof(*c->by_path));
	c->cursor = 0;
}

void fdcache_sweep(struct fdcache *c)
{
	if (!c)
		return;
	close_unused(c);
	c->want = c->n + c->refused;
}

/* Not a scan: what the last one wanted stays. */
void fdcache_flush(struct fdcache *c)
{
	if (!c)
		return;
	fdcache_begin(c);
	close_unused(c);
}

void fdcache_set_budget(struct fdcache *c, size_t budget)
{
	c->budget = budget;
	if (c->n <= budget)
		return;
	for (size_t i = budget; i < c->n; i++)
		entry_close(c, &c->v[i]);
	c->n = budget;
	reindex(c);
	pool_tidy(c);
}

void fdcache_follow_share(struct fdcache *c, const struct redmon_host_ops *ops,
			  struct redmon_host *h, size_t cap)
{
	size_t want = cap && c->want > cap ? cap : c->want, share;

	if (!REDMON_HOST_HAS(ops, fd_share))
		return;
	share = ops->fd_share(h, want);
	fdcache_set_budget(c, cap && share > cap ? cap : share);
}

struct fdcache_entry *fdcache_find_fd(struct fdcache *c, int fd)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->v[i].fd == fd)
			return &c->v[i];
	return NULL;
}

/*
 * Close one entry and forget it.  The others keep their order, so the sorted
 * array only loses it and the entries after it move down one (no new sort:
 * a drop follows an event); those kept since the sweep are v[n_by_path..n).
 */
void fdcache_drop(struct fdcache *c, struct fdcache_entry *e)
{
	size_t i = (size_t)(e - c->v), k = 0;

	entry_close(c, e);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*e));
	c->n--;
	if (c->pool_dead > c->pool_len / 2) /* not on every drop: a drop follows an event */
		pool_tidy(c);
	for (size_t j = 0; j < c->n_by_path; j++)
		if (c->by_path[j] != i)
			c->by_path[k++] = c->by_path[j] - (c->by_path[j] > i);
	c->n_by_path = k;
	hindex_clear(&c->fresh); /* fewer entries than it held: cannot fail */
	for (size_t j = c->n_by_path; j < c->n; j++)
		hindex_add(&c->fresh, path_hash(c->v[j].path), j);
	c->cursor = 0;
}

void fdcache_free(struct fdcache *c)
{
	if (!c)
		return;
	fdcache_flush(c);
	free(c->v);
	free(c->by_path);
	free(c->pool);
	hindex_free(&c->fresh);
	memset(c, 0, sizeof(*c));
}
