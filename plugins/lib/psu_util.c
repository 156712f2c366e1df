// SPDX-License-Identifier: GPL-2.0-or-later
/* What the PSU probes read their own way: see psu_util.h. */
#include "psu_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rootfs.h"
#include "strbuf.h"

#define TEXT_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

void psu_text_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	if (at + 1 >= len)
		return;
	if (at)
		at += str_copy(buf + at, len - at, sep);
	if (at + 1 >= len)
		return;
	/* Most items are words ("active", "no alarm"): no format to parse. */
	if (!strchr(fmt, '%')) {
		str_copy(buf + at, len - at, fmt);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

/* Read the open file fd into buf as psu_read_in_root() says. */
static int read_text_fd(int fd, char *buf, size_t max)
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

/* Read fd (or return its -errno) and close it. */
static int read_close(int fd, char *buf, size_t max)
{
	int rc;

	if (fd < 0)
		return fd;
	rc = read_text_fd(fd, buf, max);
	close(fd);
	return rc;
}

int psu_read_in_root(int root_fd, const char *path, char *buf, size_t max)
{
	return read_close(rootfs_open_checked(root_fd, path, TEXT_FLAGS), buf, max);
}

int psu_read_beneath(int dirfd, const char *name, char *buf, size_t max)
{
	struct stat st;
	int fd = rootfs_open_beneath(dirfd, name, TEXT_FLAGS);

	if (fd < 0) {
		fd = -errno;
		if (fd == -ENOENT && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			fd = -ENOLINK;
	}
	return read_close(fd, buf, max);
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

int psu_read_link(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, name, buf, len - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

int psu_follow_link(int root_fd, const char *dir, const char *name, char *out, size_t len)
{
	char target[1024], path[2048];
	struct stat st;
	ssize_t n;
	int dfd, rc = 0;

	dfd = rootfs_open(root_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = -errno;
	} else if (S_ISLNK(st.st_mode)) {
		rc = psu_read_link(dfd, name, target, sizeof(target));
	} else if (S_ISREG(st.st_mode)) {
		/* It was no link a moment ago; if it is one now, it stays unfollowed. */
		int fd = rootfs_open_beneath(dfd, name, TEXT_FLAGS | O_NOFOLLOW);

		rc = read_close(fd < 0 ? -errno : fd, target, sizeof(target));
		if (rc >= 0)
			rc = target[0] && !strchr(target, '\n') ? 0 : -EINVAL;
	} else {
		target[0] = '\0'; /* a directory: dir/name itself */
	}
	close(dfd);
	if (rc < 0)
		return rc;
	if (!target[0])
		n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	else if (target[0] == '/') /* absolute: from the root */
		n = snprintf(path, sizeof(path), "%s", target + 1);
	else
		n = snprintf(path, sizeof(path), "%s/%s", dir, target);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* Drop trailing slashes so the basename is the last component. */
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	memcpy(out, path, (size_t)n + 1);
	return 0;
}

uint64_t psu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
