// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inotify over directories of a probe's root: see watch.h.  Two tables, each
 * indexed (hindex.h) because at 1000 md arrays a round looks up 5000 paths:
 * the paths added (path -> wd), and the watch descriptors (wd -> owner and a
 * path for the events).  Several paths may lead to one wd.
 */
#include "watch.h"

#include "rootfs.h"

#include <redmon/fnv1a.h>
#include <redmon/grow.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

struct watch_path {
	char *path; /* relative to the root: owned, or its watch's dir */
	int wd;
	bool borrowed; /* path is the dir of its watch (which outlives it) */
	bool wanted;   /* added in the current round */
	bool gone;     /* being forgotten (forget_under) */
};

struct watch_wd {
	int wd;
	int owner;
	bool wanted; /* added in the current round: its owner is this round's */
	char *dir;   /* the path that first led to it, owned */
};

static void path_free(struct watch_path *p)
{
	if (!p->borrowed)
		free(p->path);
}

/* --- indexes (hindex.h) ------------------------------------------------------ */

static uint64_t hash_path(const char *s)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, s);
}

static uint64_t hash_wd(int wd)
{
	return (uint32_t)wd * 2654435761u;
}

/* Index every wd again, after a removal: fewer entries, so it cannot fail. */
static void wds_reindex(struct watch_ino *w)
{
	hindex_clear(&w->wd_index);
	for (size_t i = 0; i < w->n_wds; i++)
		hindex_add(&w->wd_index, hash_wd(w->wds[i].wd), i);
}

/* What hindex_find() compares a candidate with: a path, or a wd. */
struct key {
	const struct watch_ino *w;
	const char *rel;
	int wd;
};

static bool path_is(const void *ctx, size_t ref)
{
	const struct key *k = ctx;

	return strcmp(k->w->paths[ref].path, k->rel) == 0;
}

static struct watch_path *path_find(const struct watch_ino *w, const char *rel)
{
	struct key k = { .w = w, .rel = rel };
	size_t i = hindex_find(&w->path_index, hash_path(rel), path_is, &k);

	return i == HINDEX_NONE ? NULL : &w->paths[i];
}

static bool wd_is(const void *ctx, size_t ref)
{
	const struct key *k = ctx;

	return k->w->wds[ref].wd == k->wd;
}

static struct watch_wd *wd_find(const struct watch_ino *w, int wd)
{
	struct key k = { .w = w, .wd = wd };
	size_t i = hindex_find(&w->wd_index, hash_wd(wd), wd_is, &k);

	return i == HINDEX_NONE ? NULL : &w->wds[i];
}

/* A new path to watch wd: a copy of rel, or borrow (its watch's dir) when not NULL. */
static int path_append(struct watch_ino *w, const char *rel, int wd, char *borrow)
{
	struct watch_path *p;

	if (!grow_one((void **)&w->paths, &w->cap_paths, w->n_paths, sizeof(*w->paths), 16))
		return -ENOMEM;
	p = &w->paths[w->n_paths];
	*p = (struct watch_path){
		.path = borrow ? borrow : strdup(rel),
		.wd = wd,
		.borrowed = borrow != NULL,
		.wanted = true,
	};
	if (!p->path || hindex_add(&w->path_index, hash_path(rel), w->n_paths) < 0) {
		path_free(p);
		return -ENOMEM;
	}
	w->n_paths++;
	return 0;
}

static struct watch_wd *wd_append(struct watch_ino *w, int wd, const char *rel, int owner)
{
	struct watch_wd *x;

	if (!grow_one((void **)&w->wds, &w->cap_wds, w->n_wds, sizeof(*w->wds), 16))
		return NULL;
	x = &w->wds[w->n_wds];
	*x = (struct watch_wd){ .wd = wd, .owner = owner, .wanted = true, .dir = strdup(rel) };
	if (!x->dir || hindex_add(&w->wd_index, hash_wd(wd), w->n_wds) < 0) {
		free(x->dir);
		return NULL;
	}
	w->n_wds++;
	return x;
}

/* Drop the paths marked gone; the index is rebuilt, smaller, so it cannot fail. */
static void paths_sweep(struct watch_ino *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_paths; i++) {
		if (w->paths[i].gone)
			path_free(&w->paths[i]);
		else
			w->paths[k++] = w->paths[i];
	}
	if (k == w->n_paths)
		return;
	w->n_paths = k;
	hindex_clear(&w->path_index);
	for (size_t i = 0; i < k; i++)
		hindex_add(&w->path_index, hash_path(w->paths[i].path), i);
}

/* --- adding ------------------------------------------------------------------- */

int watch_ino_open(struct watch_ino *w, int root_fd, const char *root, uint32_t mask)
{
	*w = (struct watch_ino){
		.fd = -1,
		.root_fd = root_fd,
		.root = root ? strdup(root) : NULL,
		.mask = mask | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF,
		.lost = true, /* nothing watched yet */
	};
	if (root && !w->root)
		return -ENOMEM;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int r = -errno;

		watch_ino_close(w);
		return r;
	}
	return 0;
}

/*
 * Without /proc the opened directory has no name to give inotify: watch its
 * path (IN_DONT_FOLLOW), kept only if on the directory opened inside the root
 * (a link higher up could lead out of it).  The wd or -errno.
 */
static int add_by_name(struct watch_ino *w, const char *rel, int dfd)
{
	struct stat want, got;
	char path[4096];
	int n, wd;

	if (!w->root)
		return -ENOENT;
	n = snprintf(path, sizeof(path), "%s%s%s", w->root,
		     w->root[0] && w->root[strlen(w->root) - 1] == '/' ? "" : "/", rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	wd = inotify_add_watch(w->fd, path, w->mask | IN_DONT_FOLLOW);
	if (wd < 0)
		return -errno;
	if (fstat(dfd, &want) == 0 && stat(path, &got) == 0 && want.st_dev == got.st_dev &&
	    want.st_ino == got.st_ino)
		return wd;
	if (!wd_find(w, wd)) /* not a watch another path holds */
		inotify_rm_watch(w->fd, wd);
	return -EXDEV;
}

/*
 * Watch directory rel of the root.  inotify_add_watch() follows every link,
 * so a planted sys/class/net/bond0 -> /etc would watch the host's: watch the
 * directory opened inside the root, through its /proc/self/fd link.  The wd
 * (an inode watched already gives its own) or -errno.
 */
static int add_watch(struct watch_ino *w, const char *rel)
{
	int dfd = rootfs_open(w->root_fd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char path[32];
	int wd;

	if (dfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dfd);
	wd = inotify_add_watch(w->fd, path, w->mask);
	if (wd < 0)
		wd = errno == ENOENT ? add_by_name(w, rel, dfd) : -errno;
	close(dfd);
	return wd;
}

/* The owner of x as added now: this round's first, or shared between two. */
static void wd_claim(struct watch_ino *w, struct watch_wd *x, int owner)
{
	if (w->in_round && !x->wanted)
		x->owner = owner;
	else if (x->owner != owner)
		x->owner = WATCH_SHARED;
	x->wanted = true;
}

void watch_ino_begin(struct watch_ino *w)
{
	for (size_t i = 0; i < w->n_paths; i++)
		w->paths[i].wanted = false;
	for (size_t i = 0; i < w->n_wds; i++)
		w->wds[i].wanted = false;
	w->in_round = true;
	w->lost = false;
	w->entries_changed = false;
}

int watch_ino_add(struct watch_ino *w, const char *rel, int owner)
{
	struct watch_path *p;
	struct watch_wd *x;
	int wd;

	if (w->fd < 0)
		return -EBADF;
	p = path_find(w, rel);
	x = p ? wd_find(w, p->wd) : NULL;
	if (x) {
		/* Watched, and not removed or moved since: no system call. */
		p->wanted = true;
		wd_claim(w, x, owner);
		return 0;
	}
	if (p) { /* cannot happen: a path's watch goes with the path */
		p->gone = true;
		paths_sweep(w);
	}
	wd = add_watch(w, rel);
	if (wd < 0)
		return wd;
	x = wd_find(w, wd);
	if (x) {
		wd_claim(w, x, owner); /* the same directory under another path */
		x = NULL;
	} else {
		x = wd_append(w, wd, rel, owner);
		if (!x) {
			inotify_rm_watch(w->fd, wd);
			w->lost = true;
			return -ENOMEM;
		}
	}
	if (path_append(w, rel, wd, x ? x->dir : NULL) < 0) {
		w->lost = true; /* still watched; the path is resolved again next round */
		return -ENOMEM;
	}
	return 0;
}

int watch_ino_addf(struct watch_ino *w, int owner, const char *fmt, ...)
{
	char rel[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	return watch_ino_add(w, rel, owner);
}

void watch_ino_end(struct watch_ino *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_paths; i++)
		w->paths[i].gone = !w->paths[i].wanted;
	paths_sweep(w);
	for (size_t i = 0; i < w->n_wds; i++) {
		if (w->wds[i].wanted) {
			w->wds[k++] = w->wds[i];
		} else {
			inotify_rm_watch(w->fd, w->wds[i].wd); /* EINVAL if the kernel dropped it */
			free(w->wds[i].dir);
		}
	}
	if (k != w->n_wds) {
		w->n_wds = k;
		wds_reindex(w);
	}
	w->in_round = false;
}

/* --- events ------------------------------------------------------------------- */

/* Whether path is dir or under it. */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/*
 * The directory of watch wd was removed or moved: forget its paths and those
 * under them (the next round resolves them again), and with drop_wd
 * (IN_IGNORED: the kernel dropped it) the watch too.  Rare: a plain k * n pass.
 */
static void forget_under(struct watch_ino *w, int wd, bool drop_wd)
{
	for (size_t j = 0; j < w->n_paths; j++) {
		if (w->paths[j].wd != wd)
			continue;
		for (size_t i = 0; i < w->n_paths; i++)
			w->paths[i].gone |= within(w->paths[i].path, w->paths[j].path);
	}
	paths_sweep(w);
	if (drop_wd) {
		struct watch_wd *x = wd_find(w, wd);

		free(x->dir);
		*x = w->wds[--w->n_wds];
		wds_reindex(w);
	}
	w->lost = true;
}

/* Events were lost: which directories are still the ones watched, no telling. */
static void forget_paths(struct watch_ino *w)
{
	for (size_t i = 0; i < w->n_paths; i++)
		path_free(&w->paths[i]);
	w->n_paths = 0;
	hindex_clear(&w->path_index);
	w->lost = true;
}

/* Pass one event on (unless stopped), then keep the tables in step with it; the new stop. */
static bool one_event(struct watch_ino *w, const struct inotify_event *ev, const char *name,
		      bool stop, watch_ino_fn fn, void *ctx)
{
	const uint32_t entries = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
	struct watch_wd *x = (ev->mask & IN_Q_OVERFLOW) ? NULL : wd_find(w, ev->wd);
	struct watch_event e = {
		.owner = x ? x->owner : WATCH_UNKNOWN,
		.dir = x ? x->dir : NULL,
		.name = name,
		.mask = ev->mask,
	};

	/* The last word of a watch we removed ourselves: nothing changed. */
	if ((ev->mask & IN_IGNORED) && !x)
		return stop;
	if (!stop && fn)
		stop = fn(ctx, &e);
	if (ev->mask & entries)
		w->entries_changed = true;
	if (ev->mask & IN_Q_OVERFLOW)
		forget_paths(w);
	else if (x && (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)))
		forget_under(w, ev->wd, ev->mask & IN_IGNORED);
	return stop;
}

int watch_ino_drain(struct watch_ino *w, watch_ino_fn fn, void *ctx)
{
	union {
		struct inotify_event ev;
		char b[8192];
	} u;
	bool stop = false;

	if (w->fd < 0)
		return 0;
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
			const char *name = "";

			memcpy(&ev, u.b + off, sizeof(ev));
			/* The kernel pads the name with NULs; a last byte not NUL is not ours. */
			if (ev.len && off + sizeof(ev) + ev.len <= (size_t)n &&
			    u.b[off + sizeof(ev) + ev.len - 1] == 0)
				name = u.b + off + sizeof(ev);
			off += sizeof(ev) + ev.len;
			stop = one_event(w, &ev, name, stop, fn, ctx);
		}
	}
}

void watch_ino_close(struct watch_ino *w)
{
	if (w->fd >= 0)
		close(w->fd);
	forget_paths(w);
	for (size_t i = 0; i < w->n_wds; i++)
		free(w->wds[i].dir);
	free(w->paths);
	free(w->wds);
	hindex_free(&w->path_index);
	hindex_free(&w->wd_index);
	free(w->root);
	*w = (struct watch_ino){ .fd = -1 };
}
