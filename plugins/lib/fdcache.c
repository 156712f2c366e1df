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

static const char *entry_dir(const struct fdcache *c, const struct fdcache_entry *e)
{
	return e->dir == FDC_NO_DIR ? "" : c->pool + e->dir;
}

static const char *entry_name(const struct fdcache *c, const struct fdcache_entry *e)
{
	return c->pool + e->name;
}

/* The hash of e's whole path: FNV-1a folds byte by byte, so fed both parts it is path_hash(). */
static uint64_t entry_hash(const struct fdcache *c, const struct fdcache_entry *e)
{
	return redmon_fnv1a_str(redmon_fnv1a_str(REDMON_FNV1A_BASIS, entry_dir(c, e)),
				entry_name(c, e));
}

/*
 * The path a0 a1 (two parts in a row) against the path b0 b1, ordered as
 * strcmp() orders the whole paths, wherever each is split ("a/bc" is "a/"
 * "bc", "a/b/c" is "a/b/" "c"): the sorted index must stay in the order of
 * the whole paths for sorted_search().
 */
static int parts_cmp(const char *a0, const char *a1, const char *b0, const char *b1)
{
	for (;; a0++, b0++) {
		if (!*a0) {
			a0 = a1;
			a1 = "";
		}
		if (!*b0) {
			b0 = b1;
			b1 = "";
		}
		if (*a0 != *b0 || !*a0)
			return (unsigned char)*a0 - (unsigned char)*b0;
	}
}

/*
 * e's path against path, as strcmp() of the whole paths: the first strlen(dir)
 * bytes of e's path are its directory, the rest its name (libc's string
 * functions: a binary search makes a dozen of these per lookup).
 */
static int entry_cmp(const struct fdcache *c, const struct fdcache_entry *e, const char *path)
{
	const char *dir = entry_dir(c, e);
	size_t n = strlen(dir);
	int r = strncmp(dir, path, n);

	return r ? r : strcmp(entry_name(c, e), path + n);
}

const char *fdcache_entry_path(const struct fdcache *c, const struct fdcache_entry *e, char *buf,
			       size_t len)
{
	const char *dir = entry_dir(c, e), *name = entry_name(c, e);
	size_t dir_len = strlen(dir), name_len = strlen(name);

	if (dir_len + name_len >= len) {
		if (len)
			buf[0] = '\0';
		return NULL;
	}
	memcpy(buf, dir, dir_len);
	memcpy(buf + dir_len, name, name_len + 1);
	return buf;
}

/* Tell the owner to stop watching e's descriptor, which is about to close. */
static void entry_unwatch(struct fdcache *c, struct fdcache_entry *e)
{
	if (e->watched && c->unwatch)
		c->unwatch(c->ctx, e->fd);
	e->watched = false;
}

/*
 * Only the name's bytes become dead here: the directory's copy is dead only
 * with the last entry of its run, which is not at hand while entries close
 * one by one in the middle of a compaction.  pool_live() counts the copies
 * still used when the pool moves.  A closed entry adds at least its name's
 * NUL, so pool_dead is 0 only while nothing in the pool is dead.
 */
static void entry_close(struct fdcache *c, struct fdcache_entry *e)
{
	entry_unwatch(c, e);
	close(e->fd);
	c->pool_dead += strlen(entry_name(c, e)) + 1;
	e->fd = -1;
}

static int by_path_cmp(const void *a, const void *b, void *ctx)
{
	const struct fdcache *c = ctx;
	const struct fdcache_entry *x = &c->v[*(const uint32_t *)a],
				   *y = &c->v[*(const uint32_t *)b];
	const char *dx = entry_dir(c, x), *dy = entry_dir(c, y);
	size_t nx, ny;
	int r;

	if (x->dir == y->dir) /* one copy: the names decide (most pairs, in a run) */
		return strcmp(entry_name(c, x), entry_name(c, y));
	/* Directories that differ within the shorter one decide (most other pairs). */
	nx = strlen(dx);
	ny = strlen(dy);
	r = memcmp(dx, dy, nx < ny ? nx : ny);
	return r ? r : parts_cmp(dx, entry_name(c, x), dy, entry_name(c, y));
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
		qsort_r(c->by_path, c->n_by_path, sizeof(*c->by_path), by_path_cmp, c);
	c->cursor = 0;
}

struct path_key {
	const struct fdcache *c;
	const char *path;
};

static bool path_match(const void *ctx, size_t ref)
{
	const struct path_key *k = ctx;

	return entry_cmp(k->c, &k->c->v[ref], k->path) == 0;
}

/* sorted_search() over by_path: entry i's path against k->path. */
static int by_path_vs(const void *key, size_t i)
{
	const struct path_key *k = key;

	return entry_cmp(k->c, &k->c->v[k->c->by_path[i]], k->path);
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

	if (c->cursor < c->n && entry_cmp(c, &c->v[c->cursor], path) == 0)
		i = c->cursor;
	else if ((i = sorted_find(c, path)) == HINDEX_NONE)
		i = hindex_find(&c->fresh, path_hash(path), path_match, &key);
	if (i == HINDEX_NONE)
		return NULL;
	c->cursor = i + 1;
	return &c->v[i];
}

/* Whether the directory copies at offsets a and b (or FDC_NO_DIR) say the same. */
static bool same_dir(const char *pool, uint32_t a, uint32_t b)
{
	return a == b || (a != FDC_NO_DIR && b != FDC_NO_DIR && strcmp(pool + a, pool + b) == 0);
}

/*
 * The bytes the n entries need in a pool: each name, and one copy of a
 * directory for each run of entries in it.  A run stays together: entries
 * are only appended, and closing some keeps the others in order.
 */
static size_t pool_live(const struct fdcache *c)
{
	uint32_t prev = FDC_NO_DIR;
	size_t live = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct fdcache_entry *e = &c->v[i];

		if (e->dir != FDC_NO_DIR && !same_dir(c->pool, prev, e->dir))
			live += strlen(c->pool + e->dir) + 1;
		prev = e->dir;
		live += strlen(entry_name(c, e)) + 1;
	}
	return live;
}

/* Copy s[0..len) and a NUL to pool + *at, which moves past them; the copy's offset. */
static uint32_t pool_put(char *pool, size_t *at, const char *s, size_t len)
{
	uint32_t off = (uint32_t)*at;

	memcpy(pool + off, s, len);
	pool[off + len] = '\0';
	*at += len + 1;
	return off;
}

/*
 * The paths live in one pool: a malloc'd copy each cost a third more (its
 * header and rounding), 80 KiB at 4,100 kept files; and each directory once
 * for a run of entries in it, as probes read a directory's attributes in a
 * row (10,000 hwmon paths, 10 a chip: 397 KB whole, 146 KB so; 800 KB and
 * 186 KB with paths under sys/devices).  Move the n entries' strings into a
 * new pool of cap bytes (at least pool_live()), leaving out those of closed
 * entries, a run's directory copied once.  false, and nothing moved, when
 * out of memory.
 */
static bool pool_move(struct fdcache *c, size_t cap)
{
	uint32_t prev = FDC_NO_DIR, moved = FDC_NO_DIR;
	char *pool = NULL;
	size_t at = 0;

	if (cap && !(pool = malloc(cap)))
		return false;
	for (size_t i = 0; i < c->n; i++) {
		struct fdcache_entry *e = &c->v[i];
		const char *name = entry_name(c, e);
		uint32_t dir = e->dir;

		if (dir != FDC_NO_DIR && !same_dir(c->pool, prev, dir))
			moved = pool_put(pool, &at, c->pool + dir, strlen(c->pool + dir));
		prev = dir;
		e->dir = dir == FDC_NO_DIR ? FDC_NO_DIR : moved;
		e->name = pool_put(pool, &at, name, strlen(name));
	}
	free(c->pool);
	c->pool = pool;
	c->pool_len = at;
	c->pool_cap = cap;
	c->pool_dead = 0;
	return true;
}

/* Room for len more bytes in the pool: the live strings in one twice as large. */
static bool pool_reserve(struct fdcache *c, size_t len)
{
	size_t live, cap = c->pool_cap ? c->pool_cap : 1024;

	if (c->pool_len + len <= c->pool_cap)
		return true;
	live = pool_live(c);
	while (cap < 2 * (live + len))
		cap *= 2;
	return pool_move(c, cap);
}

/* After closing entries: the pool compacted, and trimmed to its strings and an eighth. */
static void pool_tidy(struct fdcache *c)
{
	size_t live;

	if (!c->pool_dead && c->pool_cap - c->pool_len <= c->pool_len / 4)
		return;
	live = pool_live(c);
	pool_move(c, live + live / 8);
}

/* Whether the last entry kept is in the directory path[0..dir_len) (its '/' included). */
static bool in_last_dir(const struct fdcache *c, const char *path, size_t dir_len)
{
	const char *d;

	if (!c->n || c->v[c->n - 1].dir == FDC_NO_DIR)
		return false;
	d = c->pool + c->v[c->n - 1].dir;
	return strncmp(d, path, dir_len) == 0 && d[dir_len] == '\0';
}

/*
 * Keep fd under path; false when over budget or out of memory (caller
 * closes fd).  The directory part is shared with the entry kept just before
 * when it is the same (no index of directories: a probe reads one
 * directory's files in a row).
 */
static bool remember(struct fdcache *c, const char *path, int fd, unsigned int flags)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash + 1 - path) : 0, name_len = strlen(path + dir_len);
	bool new_dir = dir_len && !in_last_dir(c, path, dir_len);
	size_t need = (new_dir ? dir_len + 1 : 0) + name_len + 1;
	uint32_t dir = FDC_NO_DIR;

	if (c->n >= c->budget) {
		c->refused++;
		return false;
	}
	if (c->n >= UINT32_MAX || !grow_one((void **)&c->v, &c->cap, c->n, sizeof(*c->v), 32) ||
	    !grow_one((void **)&c->by_path, &c->cap_by_path, c->n, sizeof(*c->by_path), 32) ||
	    !pool_reserve(c, need) || c->pool_len + need >= FDC_NO_DIR ||
	    hindex_add(&c->fresh, path_hash(path), c->n) < 0)
		return false;
	if (new_dir)
		dir = pool_put(c->pool, &c->pool_len, path, dir_len);
	else if (dir_len)
		dir = c->v[c->n - 1].dir; /* the pool may have moved: the offset after it */
	c->v[c->n] = (struct fdcache_entry){
		.dir = dir, .fd = fd, .used = true, .notify = flags & FDC_NOTIFY
	};
	c->v[c->n++].name = pool_put(c->pool, &c->pool_len, path + dir_len, name_len);
	return true;
}

/* Whether a kept descriptor's error r says: open the path again. */
static bool worth_reopen(int r, unsigned int flags)
{
	if (r == 0 || r == -ENOMEM)
		return false;
	return (flags & FDC_RETRY) || r == -ENODEV || r == -ESTALE || r == -ENOENT;
}

/* Point e, found under path, at a new open of it (FDC_REOPEN); the entry keeps its place. */
static int entry_reopen(struct fdcache *c, struct fdcache_entry *e, int root_fd, const char *path)
{
	int fd = rootfs_open_regular(root_fd, path);

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
		r = entry_reopen(c, e, root_fd, path);
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
	/* Not on every drop (a drop follows an event); pool_dead leaves out directories. */
	if (c->pool_dead > c->pool_len / 2)
		pool_tidy(c);
	for (size_t j = 0; j < c->n_by_path; j++)
		if (c->by_path[j] != i)
			c->by_path[k++] = c->by_path[j] - (c->by_path[j] > i);
	c->n_by_path = k;
	hindex_clear(&c->fresh); /* fewer entries than it held: cannot fail */
	for (size_t j = c->n_by_path; j < c->n; j++)
		hindex_add(&c->fresh, entry_hash(c, &c->v[j]), j);
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
