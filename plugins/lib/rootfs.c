// SPDX-License-Identifier: GPL-2.0-or-later
/* Opens that stay inside a probe's root directory: see rootfs.h. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
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

/*
 * openat2 with the given resolve flags.  EAGAIN (a rename raced with the ".."
 * check) is retried a bounded number of times, so a tree that keeps renaming
 * cannot spin a scan.  Without openat2 (ENOSYS before 5.6, EPERM from a
 * seccomp filter that does not know the call) only an open in the root of
 * the live system falls back to openat(), which resolves links the same
 * there; under a captured tree, or beneath a directory, a link could lead
 * out, so the open fails with that errno: a clear error, never a file of the
 * host.
 */
static int open_resolved(int base_fd, const char *path, int flags, uint64_t resolve)
{
	int err;
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
	err = errno;
#else
	err = ENOSYS;
#endif
	if ((resolve & RESOLVE_IN_ROOT) && is_system_root(base_fd))
		return openat(base_fd, path, flags);
	errno = err;
	return -1;
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
