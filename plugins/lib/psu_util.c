// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers shared by the PSU probes: see psu_util.h. */
#include "psu_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootfs.h"

void psu_text_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	if (at + 1 >= len)
		return;
	snprintf(buf + at, len - at, "%s", at ? sep : "");
	at = strlen(buf);
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

int psu_read_text_fd(int fd, char *buf, size_t max)
{
	struct stat st;
	size_t n = 0;

	if (max == 0)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* sysfs answers a show() in one read; a captured file may need more. */
	while (n < max - 1) {
		ssize_t r = pread(fd, buf + n, max - 1 - n, (off_t)n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

int psu_read_text_at(int dirfd, const char *path, char *buf, size_t max)
{
	int fd, rc;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	rc = psu_read_text_fd(fd, buf, max);
	close(fd);
	return rc;
}

/* Is there an entry (of any kind, a dangling symlink too) at path in the root? */
static bool entry_exists(int root_fd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[2048];
	struct stat st;
	bool ret;
	int dfd;

	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else if ((size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	} else {
		return false;
	}
	dfd = rootfs_open(root_fd, dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	ret = fstatat(dfd, slash ? slash + 1 : path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return ret;
}

int psu_read_in_root(int root_fd, const char *path, char *buf, size_t max)
{
	int fd, rc;

	fd = rootfs_open(root_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		/* Only the error path pays for the second look. */
		return rc == -ENOENT && entry_exists(root_fd, path) ? -ENOLINK : rc;
	}
	rc = psu_read_text_fd(fd, buf, max);
	close(fd);
	return rc;
}

int psu_read_beneath(int dirfd, const char *name, char *buf, size_t max)
{
	struct stat st;
	int fd, rc;

	fd = rootfs_open_beneath(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			rc = -ENOLINK;
		return rc;
	}
	rc = psu_read_text_fd(fd, buf, max);
	close(fd);
	return rc;
}

const char *psu_read_strerror(int rc)
{
	if (rc == -EXDEV)
		return "a link out of its directory";
	if (rc == -ENOLINK)
		return "a link that leads nowhere in the root";
	if (rc == -EINVAL)
		return "not a regular file";
	return strerror(-rc);
}

int psu_follow_link(int root_fd, const char *dir, const char *name, char *out, size_t len)
{
	char target[1024];
	struct stat st;
	ssize_t n;
	int dfd, rc = 0;

	dfd = rootfs_open(root_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = -errno;
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			rc = -errno;
		else if ((size_t)n >= sizeof(target) - 1)
			rc = -ENAMETOOLONG;
		else
			target[n] = '\0';
	} else if (S_ISREG(st.st_mode)) {
		/* It was no link a moment ago; if it is one now, it stays unfollowed. */
		int fd = rootfs_open_beneath(dfd, name,
					     O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

		rc = fd < 0 ? -errno : psu_read_text_fd(fd, target, sizeof(target));
		if (fd >= 0)
			close(fd);
		if (rc >= 0)
			rc = target[0] && !strchr(target, '\n') ? 0 : -EINVAL;
	} else {
		target[0] = '\0'; /* a directory: dir/name itself */
	}
	close(dfd);
	if (rc < 0)
		return rc;
	{
		char path[2048];

		if (!target[0])
			n = snprintf(path, sizeof(path), "%s/%s", dir, name);
		else if (target[0] == '/')
			n = snprintf(path, sizeof(path), "%s",
				     target + 1); /* absolute: from the root */
		else
			n = snprintf(path, sizeof(path), "%s/%s", dir, target);
		if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(path))
			return -ENAMETOOLONG;
		/* Drop trailing slashes so the basename is the last component. */
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		memcpy(out, path, (size_t)n + 1);
	}
	return 0;
}

uint64_t psu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
