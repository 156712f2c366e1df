// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inotify watches for captured trees: see bond_inotify.h.
 */
#include "bond_inotify.h"

#include <errno.h>
#include <limits.h>
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

int bond_ino_open(struct bond_ino *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return w->fd < 0 ? -errno : 0;
}

static bool held(const int *v, size_t n, int wd)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == wd)
			return true;
	}
	return false;
}

int bond_ino_sync(struct bond_ino *w, const char *root, const struct bond_names *dirs)
{
	int *now = NULL;
	size_t n = 0;

	if (w->fd < 0)
		return 0;
	if (dirs->n) {
		now = malloc(dirs->n * sizeof(*now));
		if (!now)
			return -ENOMEM;
	}
	/*
	 * Adding a watch for an inode already watched returns its descriptor:
	 * re-adding every directory each scan also picks up one that was
	 * removed and created again (a new inode, a new descriptor).
	 */
	for (size_t i = 0; i < dirs->n; i++) {
		char path[PATH_MAX];
		int len = snprintf(path, sizeof(path), "%s/%s", root, dirs->v[i]);
		int wd;

		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		wd = inotify_add_watch(w->fd, path, WATCH_MASK);
		if (wd >= 0 && !held(now, n, wd))
			now[n++] = wd;
	}
	for (size_t i = 0; i < w->n; i++) {
		if (!held(now, n, w->wds[i]))
			inotify_rm_watch(w->fd, w->wds[i]); /* EINVAL if already gone */
	}
	free(w->wds);
	w->wds = now;
	w->n = n;
	return 0;
}

int bond_ino_drain(struct bond_ino *w)
{
	union {
		struct inotify_event ev;
		char b[8192];
	} u;
	int changed = 0;

	for (;;) {
		ssize_t n = read(w->fd, u.b, sizeof(u.b));
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return changed;
			return -errno;
		}
		if (n == 0)
			return changed;
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			struct inotify_event ev;

			memcpy(&ev, u.b + off, sizeof(ev));
			/* IN_IGNORED alone: a watch we dropped, nothing changed. */
			if (ev.mask != IN_IGNORED)
				changed = 1;
			off += sizeof(ev) + ev.len;
		}
	}
}

void bond_ino_close(struct bond_ino *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->wds);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
