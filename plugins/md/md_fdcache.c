/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cache of open attribute files: see md_fdcache.h.
 */
#include "md_fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/rootfs.h"

void md_fdc_init(struct md_fdcache *c, size_t budget, void (*unwatch)(void *ctx, int fd), void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->budget = budget;
	c->unwatch = unwatch;
	c->ctx = ctx;
}

static void entry_close(struct md_fdcache *c, struct md_fd_entry *e)
{
	if (e->watched && c->unwatch)
		c->unwatch(c->ctx, e->fd);
	e->watched = false;
	close(e->fd);
	free(e->path);
	e->path = NULL;
	e->fd = -1;
}

/* FNV-1a: paths differ in their tails (md0/dev-sda1/state), all bytes count. */
static size_t path_hash(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return (size_t)h;
}

static void index_put(struct md_fdcache *c, size_t i)
{
	size_t mask = c->n_slots - 1, s = path_hash(c->v[i].path) & mask;

	while (c->slots[s])
		s = (s + 1) & mask;
	c->slots[s] = i + 1;
}

/*
 * Rebuild the index for the current entries, growing it to keep the load
 * below one half.  Without it a scan that meets many new files (10,000 arrays
 * appearing at once) would compare each against every kept path.  False when
 * out of memory (lookups then miss: files are re-opened, nothing is wrong).
 */
static bool index_rebuild(struct md_fdcache *c, size_t want)
{
	size_t n_slots = c->n_slots ? c->n_slots : 64;

	while (n_slots < 2 * want)
		n_slots *= 2;
	if (n_slots != c->n_slots) {
		size_t *s = calloc(n_slots, sizeof(*s));

		if (!s)
			return false;
		free(c->slots);
		c->slots = s;
		c->n_slots = n_slots;
	} else {
		memset(c->slots, 0, n_slots * sizeof(*c->slots));
	}
	for (size_t i = 0; i < c->n; i++)
		index_put(c, i);
	return true;
}

static struct md_fd_entry *lookup(struct md_fdcache *c, const char *path)
{
	size_t mask, s, i;

	if (c->n == 0 || !c->n_slots)
		return NULL;
	if (c->cursor < c->n && strcmp(c->v[c->cursor].path, path) == 0) {
		i = c->cursor;
		goto found;
	}
	mask = c->n_slots - 1;
	for (s = path_hash(path) & mask; c->slots[s]; s = (s + 1) & mask) {
		i = c->slots[s] - 1;
		if (strcmp(c->v[i].path, path) == 0)
			goto found;
	}
	return NULL;
found:
	c->cursor = i + 1;
	return &c->v[i];
}

/* Keep fd under path; false when over budget or out of memory (caller closes fd). */
static bool remember(struct md_fdcache *c, const char *path, int fd, unsigned int flags)
{
	struct md_fd_entry *e;
	char *p;

	if (c->n >= c->budget)
		return false;
	if (2 * (c->n + 1) > c->n_slots && !index_rebuild(c, c->n + 1))
		return false;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		e = realloc(c->v, cap * sizeof(*e));
		if (!e)
			return false;
		c->v = e;
		c->cap = cap;
	}
	p = strdup(path);
	if (!p)
		return false;
	e = &c->v[c->n++];
	e->path = p;
	e->fd = fd;
	e->used = true;
	e->notify = flags & MD_FDC_NOTIFY;
	e->watched = false;
	index_put(c, c->n - 1);
	return true;
}

/*
 * ENOENT from a resolution in the root: the file is absent, or it is a
 * symbolic link that leads nowhere inside the root (sys/block/md1/md/level ->
 * /etc/shadow, resolved as <root>/etc/shadow).  The second is -ENOLINK: an
 * attribute that is there but cannot be read, never one that is absent.
 * Only paid on ENOENT.
 */
static int absent_or_dangling(int root_fd, const char *path)
{
	struct stat st;
	int fd = rootfs_open(root_fd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	bool link;

	if (fd < 0)
		return -ENOENT;
	link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
	close(fd);
	return link ? -ENOLINK : -ENOENT;
}

int md_open_in_root(int root_fd, const char *path, int flags)
{
	int fd = rootfs_open(root_fd, path, flags);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return absent_or_dangling(root_fd, path);
	return -errno;
}

static int open_regular(int dirfd, const char *path)
{
	struct stat st;
	int fd;

	fd = md_open_in_root(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	return fd;
}

static int read_fd(int fd, unsigned int flags, struct md_buf *b, size_t max, bool *ret_truncated)
{
	if (flags & MD_FDC_RECORD)
		return md_read_record(fd, b, max, ret_truncated);
	return md_read_fd(fd, b, max, ret_truncated);
}

int md_fdc_read(struct md_fdcache *c, int dirfd, const char *path, unsigned int flags,
		struct md_buf *b, size_t max, bool *ret_truncated)
{
	struct md_fd_entry *e = c ? lookup(c, path) : NULL;
	int fd, r;

	if (e && (flags & MD_FDC_REOPEN)) {
		/* The entry stays (and its index slot): only its descriptor changes. */
		fd = open_regular(dirfd, path);
		if (fd < 0) {
			md_fdc_drop(c, e);
			return fd;
		}
		if (e->watched && c->unwatch)
			c->unwatch(c->ctx, e->fd);
		e->watched = false;
		close(e->fd);
		e->fd = fd;
	}
	if (e) {
		e->used = true;
		r = read_fd(e->fd, flags, b, max, ret_truncated);
		/*
		 * A removed kernfs node answers ENODEV (fs/kernfs/file.c), a
		 * replaced NFS file ESTALE: the name may now be a new file.
		 */
		if (r != -ENODEV && r != -ESTALE && r != -ENOENT)
			return r;
		md_fdc_drop(c, e);
	}
	fd = open_regular(dirfd, path);
	if (fd < 0)
		return fd;
	r = read_fd(fd, flags, b, max, ret_truncated);
	if (r < 0 || !c || !remember(c, path, fd, flags))
		close(fd);
	return r;
}

void md_fdc_begin(struct md_fdcache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		c->v[i].used = false;
}

void md_fdc_sweep(struct md_fdcache *c)
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
		index_rebuild(c, k);
	}
	c->cursor = 0;
}

void md_fdc_flush(struct md_fdcache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		entry_close(c, &c->v[i]);
	c->n = 0;
	c->cursor = 0;
	if (c->slots)
		memset(c->slots, 0, c->n_slots * sizeof(*c->slots));
}

struct md_fd_entry *md_fdc_find_fd(struct md_fdcache *c, int fd)
{
	size_t i;

	for (i = 0; c && i < c->n; i++)
		if (c->v[i].fd == fd)
			return &c->v[i];
	return NULL;
}

void md_fdc_drop(struct md_fdcache *c, struct md_fd_entry *e)
{
	size_t i = (size_t)(e - c->v);

	entry_close(c, e);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*e));
	c->n--;
	c->cursor = 0;
	index_rebuild(c, c->n);
}

void md_fdc_free(struct md_fdcache *c)
{
	if (!c)
		return;
	md_fdc_flush(c);
	free(c->v);
	c->v = NULL;
	c->cap = 0;
	free(c->slots);
	c->slots = NULL;
	c->n_slots = 0;
}
