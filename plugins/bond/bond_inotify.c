// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inotify watches for captured trees: see bond_inotify.h.
 */
#include "bond_inotify.h"

#include <errno.h>
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

int bond_ino_sync(struct bond_ino *w, const char *root, const struct bond_dirs *dirs)
{
	struct bond_watch *now = NULL;
	size_t n = 0, k = 0;

	if (w->fd < 0)
		return 0;
	if (dirs->n) {
		now = malloc(dirs->n * sizeof(*now));
		if (!now)
			return -ENOMEM;
	}
	/*
	 * Adding a watch for an inode already watched returns its descriptor:
	 * re-adding every directory each full scan also picks up one that was
	 * removed and created again (a new inode, a new descriptor).
	 */
	for (size_t i = 0; i < dirs->n; i++) {
		char path[PATH_MAX];
		int len = snprintf(path, sizeof(path), "%s/%s", root, dirs->v[i].path);
		int wd;

		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		wd = inotify_add_watch(w->fd, path, WATCH_MASK);
		if (wd >= 0)
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
	return 0;
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
			/* IN_IGNORED alone: a watch we dropped, nothing changed. */
			if (stop || ev.mask == IN_IGNORED)
				continue;
			wt = (ev.mask & IN_Q_OVERFLOW) ? NULL : find(w->w, w->n, ev.wd);
			stop = fn(ctx, wt ? wt->owner : BOND_INO_UNKNOWN, ev.mask, name);
		}
	}
}

void bond_ino_close(struct bond_ino *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->w);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
