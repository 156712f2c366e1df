// SPDX-License-Identifier: GPL-2.0-or-later
/* Opens that stay inside a probe's root directory: see rootfs.h. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * openat2 with the given resolve flags.  EAGAIN: a rename elsewhere raced
 * with the ".." check; openat2(2) says to retry.  Bounded, so a tree that
 * keeps renaming cannot spin a scan.  ENOSYS (kernel before 5.6) and EPERM (a
 * seccomp filter that does not know the call) fall back to openat().
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
#else
	(void)resolve;
#endif
	return openat(base_fd, path, flags);
}

int rootfs_open(int root_fd, const char *path, int flags)
{
	return open_resolved(root_fd, path, flags, RESOLVE_IN_ROOT);
}

int rootfs_open_beneath(int dir_fd, const char *path, int flags)
{
	return open_resolved(dir_fd, path, flags, RESOLVE_BENEATH);
}
