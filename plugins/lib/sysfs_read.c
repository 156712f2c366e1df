// SPDX-License-Identifier: GPL-2.0-or-later
/* Attributes of one directory of the root: see sysfs_read.h. */
#include "sysfs_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rootfs.h"

/* End the directory's path of n bytes (as snprintf counted them; SIZE_MAX: failed) with a '/'. */
static int dir_end(struct sysfs_dir *d, size_t n)
{
	if (n >= sizeof(d->path) - 1) {
		d->path[0] = '\0';
		d->plen = 0;
		return -ENAMETOOLONG;
	}
	d->path[n++] = '/';
	d->path[n] = '\0';
	d->plen = (size_t)n;
	return 0;
}

int sysfs_dir_at(struct sysfs_dir *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->path, sizeof(d->path) - 1, fmt, ap);
	va_end(ap);
	return dir_end(d, n < 0 ? SIZE_MAX : (size_t)n);
}

int sysfs_dir_set(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3)
{
	return dir_end(d, str_concat(d->path, sizeof(d->path) - 1, p1, p2, p3, (const char *)NULL));
}

int sysfs_dir_path(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3)
{
	const char *parts[3] = { p1, p2, p3 };
	size_t len = d->plen;

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);

		if (len + n >= sizeof(d->path)) {
			d->path[len] = '\0'; /* errors still name what was built */
			return -ENAMETOOLONG;
		}
		memcpy(d->path + len, parts[i], n);
		len += n;
	}
	d->path[len] = '\0';
	return 0;
}

int sysfs_read3(struct sysfs_dir *d, const char *p1, const char *p2, const char *p3,
		unsigned int flags, struct strv *ret)
{
	bool cut = false;
	int e = sysfs_dir_path(d, p1, p2, p3);

	if (e == 0)
		e = fdcache_read(d->fdc, d->root_fd, d->path, d->flags | flags, d->buf, d->max,
				 &cut);
	if (e == 0 && cut && !d->cut_ok)
		e = -EFBIG;
	if (e < 0)
		return e;
	*ret = strv_make(d->buf->p, d->buf->len);
	return 0;
}

const char *sysfs_strerror(int e, char *buf, size_t len)
{
	if (e == -EINVAL)
		snprintf(buf, len, "content not understood");
	else if (e == -EFBIG)
		snprintf(buf, len, "content too long");
	else if (e == -ENOLINK)
		snprintf(buf, len, "a symbolic link leading nowhere inside the root");
	else
		snprintf(buf, len, "%s", strerror_r(-e, (char[64]){ 0 }, 64));
	return buf;
}

int sysfs_list_dir(int root_fd, const char *path, struct strbuf *buf,
		   int (*fn)(void *ctx, const char *name), void *ctx)
{
	ssize_t n;
	int fd, r;

	r = strbuf_reserve(buf, 32768);
	if (r < 0)
		return r;
	fd = rootfs_open_checked(root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	while ((n = getdents64(fd, buf->p, buf->cap)) > 0) {
		for (size_t off = 0; off < (size_t)n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf->p + off);

			off += de->d_reclen;
			if (de->d_name[0] == '.' &&
			    (de->d_name[1] == '\0' ||
			     (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			r = fn(ctx, de->d_name);
			if (r != 0)
				goto out;
		}
	}
	r = n < 0 ? -errno : 0;
out:
	close(fd);
	return r < 0 ? r : 0;
}
