/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cache of open attribute files: see md_fdcache.h.
 */
#include "md_fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static struct md_fd_entry *lookup(struct md_fdcache *c, const char *path)
{
	size_t i, k;

	for (k = 0; k < c->n; k++) {
		i = (c->cursor + k) % c->n;
		if (strcmp(c->v[i].path, path) == 0) {
			c->cursor = (i + 1) % c->n;
			return &c->v[i];
		}
	}
	return NULL;
}

/* Keep fd under path; false when over budget or out of memory (caller closes fd). */
static bool remember(struct md_fdcache *c, const char *path, int fd, unsigned int flags)
{
	struct md_fd_entry *e;
	char *p;

	if (c->n >= c->budget)
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
	return true;
}

static int open_regular(int dirfd, const char *path)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
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

int md_fdc_read(struct md_fdcache *c, int dirfd, const char *path, unsigned int flags,
		struct md_buf *b, size_t max, bool *ret_truncated)
{
	struct md_fd_entry *e = c ? lookup(c, path) : NULL;
	int fd, r;

	if (e) {
		e->used = true;
		r = md_read_fd(e->fd, b, max, ret_truncated);
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
	r = md_read_fd(fd, b, max, ret_truncated);
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
	c->n = k;
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
}

void md_fdc_free(struct md_fdcache *c)
{
	if (!c)
		return;
	md_fdc_flush(c);
	free(c->v);
	c->v = NULL;
	c->cap = 0;
}
