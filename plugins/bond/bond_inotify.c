// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inotify watches for captured trees: see bond_inotify.h.
 */
#include "bond_inotify.h"

#include "../lib/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/*
 * Files are rewritten in place (IN_MODIFY, IN_CLOSE_WRITE) or replaced by
 * rename (IN_MOVED_TO); directories come and go (IN_CREATE, IN_DELETE, the
 * watched directory itself: IN_DELETE_SELF, IN_MOVE_SELF).
 */
#define WATCH_MASK                                                                                 \
	(IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |          \
	 IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

int bond_dirs_add(struct bond_dirs *d, int owner, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct bond_dir *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].path = strdup(path);
	if (!d->v[d->n].path)
		return -ENOMEM;
	d->v[d->n++].owner = owner;
	return 0;
}

void bond_dirs_free(struct bond_dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int bond_ino_open(struct bond_ino *w)
{
	memset(w, 0, sizeof(*w));
	w->resync = true;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return w->fd < 0 ? -errno : 0;
}

static int cmp_wd(const void *a, const void *b)
{
	const struct bond_watch *x = a, *y = b;

	return (x->wd > y->wd) - (x->wd < y->wd);
}

static const struct bond_watch *find(const struct bond_watch *v, size_t n, int wd)
{
	struct bond_watch key = { .wd = wd };

	return n ? bsearch(&key, v, n, sizeof(*v), cmp_wd) : NULL;
}

static int cmp_held(const void *a, const void *b)
{
	return strcmp(((const struct bond_held *)a)->path, ((const struct bond_held *)b)->path);
}

static struct bond_held *held_find(struct bond_ino *w, const char *path)
{
	struct bond_held key = { .path = (char *)path };

	return w->n_held ? bsearch(&key, w->held, w->n_held, sizeof(key), cmp_held) : NULL;
}

static void held_free(struct bond_held *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* Whether path is dir or under it. */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/*
 * Forget the directories of watch wd and everything under them (wd -1: all).
 * Rare (a directory removed or renamed), so a plain quadratic pass.
 */
static void held_forget(struct bond_ino *w, int wd)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_held; i++) {
		bool gone = wd < 0;

		for (size_t j = 0; !gone && j < w->n_held; j++)
			gone = w->held[j].path && w->held[j].wd == wd &&
			       within(w->held[i].path, w->held[j].path);
		if (gone)
			w->held[i].wd = -1;
	}
	for (size_t i = 0; i < w->n_held; i++) {
		if (w->held[i].wd < 0)
			free(w->held[i].path);
		else
			w->held[k++] = w->held[i];
	}
	w->n_held = k;
}

/*
 * Watch directory rel of the root.  inotify_add_watch() takes a path and
 * follows every link in it, so a planted sys/class/net/bond0 -> /etc would
 * watch a host directory: the directory is opened inside the root
 * (rootfs_open()) and the watch put on the inode opened, through its
 * /proc/self/fd link.  Returns the watch descriptor, or -1.
 */
static int add_watch(int ino_fd, int root_fd, const char *rel)
{
	int fd = rootfs_open(root_fd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC), wd;
	char path[32];

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(ino_fd, path, WATCH_MASK);
	close(fd);
	return wd;
}

int bond_ino_sync(struct bond_ino *w, int root_fd, const struct bond_dirs *dirs)
{
	struct bond_watch *now = NULL;
	struct bond_held *held = NULL;
	size_t n = 0, k = 0, m = 0;
	int r = 0;

	if (w->fd < 0)
		return 0;
	if (dirs->n) {
		now = malloc(dirs->n * sizeof(*now));
		held = malloc(dirs->n * sizeof(*held));
		if (!now || !held) {
			free(now);
			free(held);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < dirs->n; i++) {
		const char *rel = dirs->v[i].path;
		struct bond_held *h = held_find(w, rel);
		int wd;

		if (h && h->wd >= 0) {
			/* Watched, and not gone or moved since: no syscall. */
			wd = h->wd;
			held[m].path = strdup(rel);
		} else {
			/*
			 * Adding a watch for an inode already watched returns
			 * its descriptor; a directory created again is a new
			 * inode, a new descriptor.
			 */
			wd = add_watch(w->fd, root_fd, rel);
			if (wd < 0)
				continue;
			held[m].path = strdup(rel);
		}
		held[m].wd = wd;
		if (held[m].path)
			m++;
		else
			r = -ENOMEM; /* still watched; added again next time */
		now[n++] = (struct bond_watch){ .wd = wd, .owner = dirs->v[i].owner };
	}
	/* Sorted by descriptor: one watch per inode, lookups by bsearch. */
	if (n > 1)
		qsort(now, n, sizeof(*now), cmp_wd);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && now[k - 1].wd == now[i].wd) {
			if (now[k - 1].owner != now[i].owner)
				now[k - 1].owner = BOND_INO_SHARED;
			continue;
		}
		now[k++] = now[i];
	}
	for (size_t i = 0; i < w->n; i++) {
		if (!find(now, k, w->w[i].wd))
			inotify_rm_watch(w->fd, w->w[i].wd); /* EINVAL if already gone */
	}
	free(w->w);
	w->w = now;
	w->n = k;
	if (m > 1)
		qsort(held, m, sizeof(*held), cmp_held);
	held_free(w->held, w->n_held);
	w->held = held;
	w->n_held = m;
	w->resync = r < 0;
	return r;
}

int bond_ino_drain(struct bond_ino *w, bond_ino_fn fn, void *ctx)
{
	union {
		struct inotify_event ev;
		char b[8192];
	} u;
	bool stop = false;

	for (;;) {
		ssize_t n = read(w->fd, u.b, sizeof(u.b));
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		if (n == 0)
			return 0;
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			struct inotify_event ev;
			const struct bond_watch *wt;
			const char *name = "";

			memcpy(&ev, u.b + off, sizeof(ev));
			/* The kernel pads the name with NULs; a last byte not NUL is not ours. */
			if (ev.len && off + sizeof(ev) + ev.len <= (size_t)n &&
			    u.b[off + sizeof(ev) + ev.len - 1] == 0)
				name = u.b + off + sizeof(ev);
			off += sizeof(ev) + ev.len;
			wt = (ev.mask & IN_Q_OVERFLOW) ? NULL : find(w->w, w->n, ev.wd);
			/*
			 * A directory gone or moved: its path and those under
			 * it no longer lead to what is watched, so the next
			 * full scan adds them again.  Events lost: all.
			 */
			if (ev.mask & (IN_Q_OVERFLOW | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
				       IN_MOVED_TO | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				w->resync = true;
			if (ev.mask & IN_Q_OVERFLOW)
				held_forget(w, -1);
			else if (ev.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				held_forget(w, ev.wd);
			/* IN_IGNORED alone: a watch dropped, nothing changed. */
			if (stop || ev.mask == IN_IGNORED)
				continue;
			stop = fn(ctx, wt ? wt->owner : BOND_INO_UNKNOWN, ev.mask, name);
		}
	}
}

void bond_ino_close(struct bond_ino *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->w);
	held_free(w->held, w->n_held);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
