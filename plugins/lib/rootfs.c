// SPDX-License-Identifier: GPL-2.0-or-later
/* Opens that stay inside a probe's root directory: see rootfs.h. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether fd is the system's root directory, where a plain openat() cannot leave the root. */
static bool is_system_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* What walk_open() follows at most, as the kernel: symbolic links, and directories deep. */
#define WALK_LINKS_MAX 40
#define WALK_DEPTH_MAX 256

/* A path being walked: the directories passed (dirs[0] the base, not owned) and what is left. */
struct walk {
	int dirs[WALK_DEPTH_MAX];
	int depth;
	char rest[2 * PATH_MAX];
	size_t pos; /* in rest */
	int links;
	bool beneath; /* RESOLVE_BENEATH: leaving the base is EXDEV; else RESOLVE_IN_ROOT */
};

/* Put a link's text in front of what is left of the path; an absolute one starts at the base. */
static int splice_link(struct walk *w, const char *target)
{
	char tmp[sizeof(w->rest)];
	int n;

	if (++w->links > WALK_LINKS_MAX)
		return -ELOOP;
	if (target[0] == '/') {
		if (w->beneath)
			return -EXDEV;
		while (w->depth > 0)
			close(w->dirs[w->depth--]);
	}
	/* No slash after a last component's link: its target need not be a directory. */
	n = snprintf(tmp, sizeof(tmp), "%s%s%s", target, w->rest[w->pos] ? "/" : "",
		     w->rest + w->pos);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(w->rest, tmp, (size_t)n + 1);
	w->pos = 0;
	return 0;
}

/*
 * One component, name, of the walk; last: nothing follows it.  0 or -errno;
 * *ret_fd is the file opened, once the last component is reached (else -1).
 */
static int walk_step(struct walk *w, const char *name, bool last, int flags, int *ret_fd)
{
	int cur = w->dirs[w->depth], fd;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	*ret_fd = -1;
	if (strcmp(name, ".") == 0) {
		if (last && (*ret_fd = openat(cur, ".", flags)) < 0)
			return -errno;
		return 0;
	}
	if (strcmp(name, "..") == 0) {
		if (w->depth == 0)
			return w->beneath ? -EXDEV : 0; /* in root: ".." of the root is the root */
		close(w->dirs[w->depth--]);
		return 0;
	}
	if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
		n = readlinkat(cur, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return splice_link(w, target);
	}
	/* O_NOFOLLOW: a link put in its place since the fstatat() is not followed. */
	if (last) {
		*ret_fd = openat(cur, name, flags | O_NOFOLLOW);
		return *ret_fd < 0 ? -errno : 0;
	}
	if (w->depth + 1 >= WALK_DEPTH_MAX)
		return -ENAMETOOLONG;
	fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w->dirs[++w->depth] = fd;
	return 0;
}

/*
 * RESOLVE_IN_ROOT or RESOLVE_BENEATH by hand, where openat2 is missing: one
 * component at a time from base_fd, never following a link the kernel's
 * way: its text is read and walked like the rest of the path, from the
 * base when absolute, and ".." stops at the base (in root) or is EXDEV
 * (beneath).  Magic links are text like any other.  An fd, or -1 with errno.
 */
static int walk_open(int base_fd, const char *path, int flags, bool beneath)
{
	struct walk *w = calloc(1, sizeof(*w));
	int r = 0, fd = -1;

	if (!w) {
		errno = ENOMEM;
		return -1;
	}
	w->dirs[0] = base_fd;
	w->beneath = beneath;
	if (!path[0])
		r = -ENOENT;
	else if (path[0] == '/' && beneath)
		r = -EXDEV;
	else if (strlen(path) >= sizeof(w->rest))
		r = -ENAMETOOLONG;
	else
		memcpy(w->rest, path, strlen(path) + 1);
	while (r == 0 && fd < 0) {
		char name[NAME_MAX + 1];
		size_t len, end;

		while (w->rest[w->pos] == '/')
			w->pos++;
		if (!w->rest[w->pos]) { /* the end, after "..", "." or a slash: that directory */
			r = walk_step(w, ".", true, flags, &fd);
			break;
		}
		len = strcspn(w->rest + w->pos, "/");
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, w->rest + w->pos, len);
		name[len] = '\0';
		w->pos += len;
		end = w->pos + strspn(w->rest + w->pos, "/");
		/* A trailing slash: the last component must be a directory. */
		r = walk_step(w, name, !w->rest[end],
			      end > w->pos && !w->rest[end] ? flags | O_DIRECTORY : flags, &fd);
	}
	while (w->depth > 0)
		close(w->dirs[w->depth--]);
	free(w);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		errno = -r;
		return -1;
	}
	return fd;
}

/*
 * openat2 with the given resolve flags.  EAGAIN (a rename raced with the ".."
 * check) is retried a bounded number of times, so a tree that keeps renaming
 * cannot spin a scan.  Without openat2 (ENOSYS before 5.6, EPERM from a
 * seccomp filter that does not know the call, or valgrind) an open in the
 * live system's root is a plain openat(), which resolves links the same
 * there, and any other is walked by hand (walk_open()).
 */
static int open_resolved(int base_fd, const char *path, int flags, uint64_t resolve)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = (uint64_t)(unsigned)flags,
		.resolve = resolve | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int tries = 0;

	do
		fd = syscall(SYS_openat2, base_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return (int)fd;
#endif
	if ((resolve & RESOLVE_IN_ROOT) && is_system_root(base_fd))
		return openat(base_fd, path, flags);
	return walk_open(base_fd, path, flags, !(resolve & RESOLVE_IN_ROOT));
}

int rootfs_open(int root_fd, const char *path, int flags)
{
	return open_resolved(root_fd, path, flags, RESOLVE_IN_ROOT);
}

int rootfs_open_beneath(int dir_fd, const char *path, int flags)
{
	return open_resolved(dir_fd, path, flags, RESOLVE_BENEATH);
}

/* ENOENT: absent, or a link leading nowhere in the root?  Only paid on ENOENT. */
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

int rootfs_open_checked(int root_fd, const char *path, int flags)
{
	int fd = rootfs_open(root_fd, path, flags);

	if (fd >= 0)
		return fd;
	return errno == ENOENT ? absent_or_dangling(root_fd, path) : -errno;
}

int rootfs_open_regular(int root_fd, const char *path)
{
	struct stat st;
	int fd, r;

	fd = rootfs_open_checked(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (S_ISREG(st.st_mode))
		return fd;
	close(fd);
	return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}
