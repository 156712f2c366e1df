// SPDX-License-Identifier: GPL-2.0-or-later
// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inotify over directories of a probe's root: see watch.h.  One table of the
 * paths added, each with the watch descriptor it leads to.  Several paths may
 * lead to one wd; the first of them holds the wd (its owner, and its path is
 * the directory the events name), and outlives its own path when only another
 * leads there now.
 *
 * At 1000 md arrays a round looks up 4,100 paths, and an event its wd, so
 * both are indexed, in 4 bytes a path: a round adds the paths in the order of
 * the last, so the one after the last found is tried first (one strcmp); else
 * a binary search of the paths sorted at the last round's end, and a hash
 * index (hindex.h) of those added since, freed at the round's end.  The wds
 * are a sorted array of the holders (the kernel hands wds out in increasing
 * order, so a new one is appended).  A second record and two hash tables per
 * watch cost 250 KiB more at 1000 arrays.
 */
#include "watch.h"

#include "rootfs.h"

#include <redmon/fnv1a.h>
#include <redmon/grow.h>
#include <redmon/plugin.h>
#include <redmon/sorted.h>

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
	char *path; /* relative to the root, owned */
	int wd;
	int owner;	/* holder: the wd's owner */
	bool holder;	/* the first path that led to wd: listed in by_wd */
	bool is_path;	/* still a path (false: a holder kept only as its wd's dir) */
	bool wanted;	/* path added in the current round */
	bool wd_wanted; /* holder: wd added, by any path, in the current round */
	bool gone;	/* being dropped (sweep) */
};

/* --- indexes --------------------------------------------------------------------- */

static uint64_t hash_path(const char *s)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, s);
}

struct key {
	const struct watch_ino *w;
	const char *rel;
};

/* Every entry stays indexed by its path; only those still paths match. */
static bool path_is(const void *ctx, size_t ref)
{
	const struct key *k = ctx;
	const struct watch_path *p = &k->w->paths[ref];

	return p->is_path && strcmp(p->path, k->rel) == 0;
}

/* sorted_search() over by_path: entry i's path against k->rel. */
static int by_path_vs(const void *key, size_t i)
{
	const struct key *k = key;

	return -strcmp(k->rel, k->w->paths[k->w->by_path[i]].path);
}

/* The entry in by_path that is rel and still a path, or HINDEX_NONE. */
static size_t sorted_find(const struct watch_ino *w, const char *rel)
{
	struct key k = { .w = w, .rel = rel };
	bool found;
	size_t i = sorted_search(w->n_by_path, by_path_vs, &k, &found);

	if (!found)
		return HINDEX_NONE;
	/* A holder kept as a dir may share its path with the path's new entry. */
	while (i > 0 && by_path_vs(&k, i - 1) == 0)
		i--;
	for (; i < w->n_by_path && by_path_vs(&k, i) == 0; i++)
		if (w->paths[w->by_path[i]].is_path)
			return w->by_path[i];
	return HINDEX_NONE;
}

static struct watch_path *path_find(struct watch_ino *w, const char *rel)
{
	struct key k = { .w = w, .rel = rel };
	size_t i = w->cursor;

	if (i >= w->n_paths || !path_is(&k, i)) {
		i = sorted_find(w, rel);
		if (i == HINDEX_NONE)
			i = hindex_find(&w->fresh, hash_path(rel), path_is, &k);
		if (i == HINDEX_NONE)
			return NULL;
	}
	w->cursor = i + 1;
	return &w->paths[i];
}

struct wd_key {
	const struct watch_ino *w;
	int wd;
};

/* sorted_search() over by_wd: the holder i's wd against k->wd. */
static int by_wd_vs(const void *key, size_t i)
{
	const struct wd_key *k = key;
	int x = k->w->paths[k->w->by_wd[i]].wd;

	return (x > k->wd) - (x < k->wd);
}

/* The holder of wd, or NULL. */
static struct watch_path *wd_find(const struct watch_ino *w, int wd)
{
	struct wd_key k = { w, wd };
	bool found;
	size_t i = sorted_search(w->n_by_wd, by_wd_vs, &k, &found);

	return found ? &w->paths[w->by_wd[i]] : NULL;
}

static int by_wd_cmp(const void *a, const void *b, void *ctx)
{
	const struct watch_path *paths = ctx;
	int x = paths[*(const uint32_t *)a].wd, y = paths[*(const uint32_t *)b].wd;

	return (x > y) - (x < y);
}

static int by_path_cmp(const void *a, const void *b, void *ctx)
{
	const struct watch_path *paths = ctx;

	return strcmp(paths[*(const uint32_t *)a].path, paths[*(const uint32_t *)b].path);
}

/*
 * Index every entry again (after a sweep, or at a round's end): the arrays
 * have room for every entry (path_append), so it cannot fail.  The holders
 * come in the order of their wd but after a wd wrapped round (2^31 watches),
 * when a sort puts them back.
 */
static void reindex(struct watch_ino *w)
{
	bool sorted = true;

	hindex_free(&w->fresh);
	w->n_by_wd = 0;
	for (size_t i = 0; i < w->n_paths; i++) {
		w->by_path[i] = (uint32_t)i;
		if (!w->paths[i].holder)
			continue;
		if (w->n_by_wd && w->paths[w->by_wd[w->n_by_wd - 1]].wd > w->paths[i].wd)
			sorted = false;
		w->by_wd[w->n_by_wd++] = (uint32_t)i;
	}
	w->n_by_path = w->n_paths;
	if (w->n_by_path > 1)
		qsort_r(w->by_path, w->n_by_path, sizeof(*w->by_path), by_path_cmp, w->paths);
	if (!sorted && w->n_by_wd > 1)
		qsort_r(w->by_wd, w->n_by_wd, sizeof(*w->by_wd), by_wd_cmp, w->paths);
	w->cursor = 0;
}

/*
 * A new entry for rel leading to wd, its holder when owner is not NULL.  The
 * memory is all taken before anything changes: -ENOMEM leaves w as it was.
 */
static int path_append(struct watch_ino *w, const char *rel, int wd, const int *owner)
{
	size_t i = w->n_paths, at;
	struct watch_path *p;
	bool found;
	char *copy;

	if (i >= UINT32_MAX ||
	    !grow_one((void **)&w->paths, &w->cap_paths, i, sizeof(*w->paths), 16) ||
	    !grow_one((void **)&w->by_path, &w->cap_by_path, i, sizeof(*w->by_path), 16) ||
	    (owner &&
	     !grow_one((void **)&w->by_wd, &w->cap_by_wd, w->n_by_wd, sizeof(*w->by_wd), 16)))
		return -ENOMEM;
	copy = strdup(rel);
	if (!copy || hindex_add(&w->fresh, hash_path(rel), i) < 0) {
		free(copy);
		return -ENOMEM;
	}
	p = &w->paths[i];
	*p = (struct watch_path){
		.path = copy,
		.wd = wd,
		.owner = owner ? *owner : 0,
		.holder = owner != NULL,
		.is_path = true,
		.wanted = true,
		.wd_wanted = owner != NULL,
	};
	w->n_paths++;
	if (!owner)
		return 0;
	/* The end, unless wds wrapped round. */
	at = sorted_search(w->n_by_wd, by_wd_vs, &(struct wd_key){ w, wd }, &found);
	memmove(&w->by_wd[at + 1], &w->by_wd[at], (w->n_by_wd - at) * sizeof(*w->by_wd));
	w->by_wd[at] = (uint32_t)i;
	w->n_by_wd++;
	return 0;
}

/* Keep in an index array only the entries map keeps, under their new numbers. */
static size_t renumber(uint32_t *v, size_t n, const uint32_t *map)
{
	size_t m = 0;

	for (size_t j = 0; j < n; j++)
		if (map[v[j]] != UINT32_MAX)
			v[m++] = map[v[j]];
	return m;
}

/*
 * Drop the entries marked gone.  The others keep their order, so the sorted
 * arrays only lose the gone and renumber the rest (no new sort: a sweep may
 * follow each of a thousand events); the paths added since the round began
 * are paths[n_by_path..n_paths).
 */
static void sweep(struct watch_ino *w)
{
	uint32_t *map;
	size_t k = 0;

	while (k < w->n_paths && !w->paths[k].gone)
		k++;
	if (k == w->n_paths)
		return;
	map = malloc(w->n_paths * sizeof(*map));
	k = 0;
	for (size_t i = 0; i < w->n_paths; i++) {
		if (map)
			map[i] = w->paths[i].gone ? UINT32_MAX : (uint32_t)k;
		if (w->paths[i].gone)
			free(w->paths[i].path);
		else
			w->paths[k++] = w->paths[i];
	}
	w->n_paths = k;
	if (!map) {
		reindex(w); /* out of memory: sort again, in place */
		return;
	}
	w->n_by_path = renumber(w->by_path, w->n_by_path, map);
	w->n_by_wd = renumber(w->by_wd, w->n_by_wd, map);
	free(map);
	hindex_clear(&w->fresh); /* fewer entries than it held: cannot fail */
	for (size_t j = w->n_by_path; j < w->n_paths; j++)
		hindex_add(&w->fresh, hash_path(w->paths[j].path), j);
	w->cursor = 0;
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

/* The owner of holder x's wd as added now: this round's first, or shared between two. */
static void wd_claim(struct watch_ino *w, struct watch_path *x, int owner)
{
	if (w->in_round && !x->wd_wanted)
		x->owner = owner;
	else if (x->owner != owner)
		x->owner = WATCH_SHARED;
	x->wd_wanted = true;
}

void watch_ino_begin(struct watch_ino *w)
{
	for (size_t i = 0; i < w->n_paths; i++)
		w->paths[i].wanted = w->paths[i].wd_wanted = false;
	w->in_round = true;
	w->cursor = 0;
	w->lost = false;
	w->entries_changed = false;
}

/* A new watch (or one of ours again) for rel, owned by owner: its entry. */
static int add_new(struct watch_ino *w, const char *rel, int owner)
{
	struct watch_path *x;
	int wd = add_watch(w, rel);

	if (wd < 0)
		return wd;
	x = wd_find(w, wd);
	if (!x) {
		if (path_append(w, rel, wd, &owner) == 0) {
			w->added = true;
			return 0;
		}
		inotify_rm_watch(w->fd, wd);
		w->lost = true;
		return -ENOMEM;
	}
	wd_claim(w, x, owner); /* the same directory, under another path or this one again */
	if (!x->is_path && strcmp(x->path, rel) == 0) {
		x->is_path = x->wanted = true; /* still indexed under rel */
		w->cursor = (size_t)(x - w->paths) + 1;
		return 0;
	}
	if (path_append(w, rel, wd, NULL) < 0) {
		w->lost = true; /* still watched; the path is resolved again next round */
		return -ENOMEM;
	}
	return 0;
}

int watch_ino_add(struct watch_ino *w, const char *rel, int owner)
{
	struct watch_path *p, *x;

	if (w->fd < 0)
		return -EBADF;
	p = path_find(w, rel);
	x = p && !p->holder ? wd_find(w, p->wd) : p;
	if (x) {
		/* Watched, and not removed or moved since: no system call. */
		p->wanted = true;
		wd_claim(w, x, owner);
		return 0;
	}
	if (p) { /* cannot happen: a path's holder goes with the path */
		p->gone = true;
		sweep(w);
	}
	return add_new(w, rel, owner);
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

/*
 * End a round: drop the paths not added in it, and the watches no path added
 * leads to.  A holder whose wd another path still leads to stays as its dir.
 */
void watch_ino_end(struct watch_ino *w)
{
	for (size_t i = 0; i < w->n_paths; i++) {
		struct watch_path *p = &w->paths[i];

		if (p->wanted)
			continue;
		if (p->holder && p->wd_wanted) {
			p->is_path = false;
			continue;
		}
		if (p->holder)
			inotify_rm_watch(w->fd, p->wd); /* EINVAL if the kernel dropped it */
		p->gone = true;
	}
	sweep(w);
	if (w->fresh.n) /* paths new in this round: into the sorted array */
		reindex(w);
	grow_trim((void **)&w->paths, &w->cap_paths, w->n_paths, sizeof(*w->paths));
	grow_trim((void **)&w->by_path, &w->cap_by_path, w->n_paths, sizeof(*w->by_path));
	grow_trim((void **)&w->by_wd, &w->cap_by_wd, w->n_by_wd, sizeof(*w->by_wd));
	w->cursor = 0;
	w->in_round = false;
}

void watch_ino_rescan_if_added(struct watch_ino *w, const struct redmon_host_ops *ops,
			       struct redmon_host *h)
{
	if (!w->added)
		return;
	w->added = false;
	if (REDMON_HOST_HAS(ops, rescan))
		ops->rescan(h);
}

/* --- events ------------------------------------------------------------------- */

/* Whether path is dir or under it. */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* Entry p is no longer a path; a holder stays as its wd's dir unless dropping its wd. */
static void unpath(struct watch_path *p, bool drop_wd, int wd)
{
	if (p->holder && !(drop_wd && p->wd == wd))
		p->is_path = false;
	else
		p->gone = true;
}

/*
 * The directory of watch wd was removed or moved: forget its paths and those
 * under them (the next round resolves them again), and with drop_wd
 * (IN_IGNORED: the kernel dropped it) the watch too.  Rare: a plain k * n pass.
 */
static void forget_under(struct watch_ino *w, int wd, bool drop_wd)
{
	for (size_t j = 0; j < w->n_paths; j++) {
		const struct watch_path *d = &w->paths[j];

		if (d->wd != wd || !d->is_path)
			continue;
		for (size_t i = 0; i < w->n_paths; i++)
			if (w->paths[i].is_path && i != j && within(w->paths[i].path, d->path))
				unpath(&w->paths[i], drop_wd, wd);
		unpath(&w->paths[j], drop_wd, wd);
	}
	if (drop_wd)
		wd_find(w, wd)->gone = true;
	sweep(w);
	w->lost = true;
}

/* Events were lost: which directories are still the ones watched, no telling. */
static void forget_paths(struct watch_ino *w)
{
	for (size_t i = 0; i < w->n_paths; i++)
		unpath(&w->paths[i], false, 0);
	sweep(w);
	w->lost = true;
}

/* Pass one event on (unless stopped), then keep the tables in step with it; the new stop. */
static bool one_event(struct watch_ino *w, const struct inotify_event *ev, const char *name,
		      bool stop, watch_ino_fn fn, void *ctx)
{
	const uint32_t entries = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
	struct watch_path *x = (ev->mask & IN_Q_OVERFLOW) ? NULL : wd_find(w, ev->wd);
	struct watch_event e = {
		.owner = x ? x->owner : WATCH_UNKNOWN,
		.dir = x ? x->path : NULL,
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
	for (size_t i = 0; i < w->n_paths; i++)
		free(w->paths[i].path);
	free(w->paths);
	free(w->by_wd);
	free(w->by_path);
	hindex_free(&w->fresh);
	free(w->root);
	*w = (struct watch_ino){ .fd = -1 };
}
