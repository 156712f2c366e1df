/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_SUFFIX	".alert"
#define ENTRY_MAX_BYTES (1u << 20)

/* A queued entry: on disk, or (data) in memory while the disk refuses it (full, read-only). */
struct entry {
	uint64_t seq;
	char *data;
	size_t len;
};

struct spool {
	int dirfd;
	size_t max;
	struct entry *v; /* sorted by seq */
	size_t n, cap;
};

int mkdir_parents(const char *path, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c)
			continue;
		*p = 0;
		if (*buf && mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			break;
		*p = c;
	}
	return 0;
}

/*
 * The next directory below fd: entry name, made with mode when missing.  A
 * symbolic link is followed only when root or we own it: nobody else can
 * have planted it.  The fd (O_PATH) or -errno.
 */
static int step_dir(int fd, const char *name, mode_t mode, bool make)
{
	int next;
	struct stat st;

	if (make && mkdirat(fd, name, mode) < 0 && errno != EEXIST)
		return -errno;
	next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next >= 0 || (errno != ENOTDIR && errno != ELOOP))
		return next >= 0 ? next : -errno;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return -ELOOP;
	next = openat(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return next >= 0 ? next : -errno;
}

int open_dir_made(const char *path, mode_t mode, bool make)
{
	const char *p = path;
	int fd = open(*path == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC), next;

	if (fd < 0)
		return -errno;
	while (*(p += strspn(p, "/"))) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];

		if (n > NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, n);
		name[n] = 0;
		p += n;
		next = step_dir(fd, name, mode, make && strcmp(name, "..") != 0);
		close(fd);
		if (next < 0)
			return next;
		fd = next;
	}
	next = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	return next >= 0 ? next : -errno;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[300];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* A leftover of a crash is replaced, never written into. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	/* The rename itself is only durable once the directory is. */
	return fsync(dirfd) < 0 ? -errno : 0;
}

int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *b;
	ssize_t n;
	int rc;

	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			b = realloc(buf, cap + 1);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
	} while ((n > 0 || (n < 0 && errno == EINTR)) && len <= max);
	if (n < 0 || len > max) {
		rc = len > max ? -EFBIG : -errno;
		free(buf);
		return rc;
	}
	buf[len] = 0;
	*ret = buf;
	*ret_len = len;
	return 0;
}

int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	/* Not blocked by a FIFO planted in its place (these directories are the service user's). */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	int rc;

	if (fd < 0)
		return -errno;
	rc = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EPERM;
	if (rc == 0)
		rc = read_fd_all(fd, max, ret, ret_len);
	close(fd);
	return rc;
}

static void entry_name(uint64_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "%020" PRIu64 ENTRY_SUFFIX, seq);
}

/* "00000000000000000042.alert" -> 42; false for anything else. */
static bool parse_entry_name(const char *name, uint64_t *ret)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (strcmp(name + 20, ENTRY_SUFFIX) != 0 || v == 0)
		return false;
	*ret = v;
	return true;
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct entry *)a)->seq, y = ((const struct entry *)b)->seq;

	return x < y ? -1 : x > y;
}

/* Room for one more entry. */
static int entries_grow(struct spool *s)
{
	size_t cap = s->cap ? s->cap * 2 : 16;
	struct entry *v;

	if (s->n < s->cap)
		return 0;
	v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

static int scan_dir(struct spool *s)
{
	int fd = dup(s->dirfd), rc = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		uint64_t seq;

		/* A crash between create and rename leaves a temporary file. */
		if (len > 4 && strcmp(de->d_name + len - 4, ".tmp") == 0) {
			unlinkat(s->dirfd, de->d_name, 0);
			continue;
		}
		if (!parse_entry_name(de->d_name, &seq))
			continue;
		rc = entries_grow(s);
		if (rc < 0)
			break;
		s->v[s->n++] = (struct entry){ .seq = seq };
	}
	closedir(d);
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_seq);
	return rc;
}

int spool_open(const char *dir, size_t max, struct spool **ret)
{
	struct spool *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->max = max ? max : 1;
	if (!dir) { /* in memory: every put is held as on a disk that refuses it */
		s->dirfd = -1;
		*ret = s;
		return 0;
	}
	/* Opened as root below the state directory, which the service user owns. */
	s->dirfd = open_dir_made(dir, 0750, true);
	rc = s->dirfd < 0 ? s->dirfd : scan_dir(s);
	if (rc < 0) {
		spool_free(s);
		return rc;
	}
	*ret = s;
	return 0;
}

size_t spool_count(const struct spool *s)
{
	return s->n;
}

uint64_t spool_first(const struct spool *s)
{
	return s->n ? s->v[0].seq : 0;
}

uint64_t spool_last(const struct spool *s)
{
	return s->n ? s->v[s->n - 1].seq : 0;
}

int spool_dirfd(const struct spool *s)
{
	return s->dirfd;
}

static ssize_t seq_index(const struct spool *s, uint64_t seq)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].seq == seq)
			return (ssize_t)mid;
		if (s->v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1 - (ssize_t)lo;
}

/* Drop entry i from the queue, and its memory copy if it has one. */
static void forget(struct spool *s, size_t i)
{
	free(s->v[i].data);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

int spool_put(struct spool *s, uint64_t seq, const void *data, size_t len, uint64_t keep,
	      size_t *ret_dropped)
{
	char name[64], *copy = NULL;
	size_t dropped = 0;
	ssize_t at;
	int rc, held = 0;

	if (seq == 0)
		return -EINVAL;
	rc = entries_grow(s);
	if (rc < 0)
		return rc;
	entry_name(seq, name, sizeof(name));
	rc = write_file_atomic(s->dirfd, name, data, len, 0640);
	at = seq_index(s, seq);
	/*
	 * A disk that refuses the entry (full: the state directory's disk
	 * often is the spool's) must not cost the alert: it waits in memory,
	 * in its place in the queue, lost only if redmon stops first.
	 */
	if (rc < 0 && rc != -ENOMEM) {
		held = rc;
		if ((at >= 0 && s->v[at].data) || (copy = malloc(len ? len : 1)))
			rc = 0;
	}
	if (rc < 0)
		return rc;
	if (at < 0) {
		at = -1 - at;
		memmove(&s->v[at + 1], &s->v[at], (s->n - (size_t)at) * sizeof(*s->v));
		s->v[at] = (struct entry){ .seq = seq };
		s->n++;
	}
	if (copy) {
		s->v[at].data = memcpy(copy, data, len);
		s->v[at].len = len;
	}
	/* Bounded: the oldest go first, but never the one being delivered nor the new one. */
	for (size_t i = 0; s->n > s->max && i < s->n;) {
		char old[64];

		if (s->v[i].seq == keep || s->v[i].seq == seq) {
			i++;
			continue;
		}
		entry_name(s->v[i].seq, old, sizeof(old));
		unlinkat(s->dirfd, old, 0);
		forget(s, i);
		dropped++;
	}
	*ret_dropped = dropped;
	return held ? 1 : 0;
}

int spool_read(struct spool *s, uint64_t seq, char **ret, size_t *ret_len)
{
	ssize_t at = seq_index(s, seq);
	char name[64];

	if (at < 0 || !s->v[at].data) {
		entry_name(seq, name, sizeof(name));
		return read_file_at(s->dirfd, name, ENTRY_MAX_BYTES, ret, ret_len);
	}
	*ret = malloc(s->v[at].len + 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, s->v[at].data, s->v[at].len);
	(*ret)[s->v[at].len] = 0;
	*ret_len = s->v[at].len;
	return 0;
}

/*
 * No fsync of the directory after an unlink: if a crash undoes it, the alert
 * is sent once more with the same idempotency key, which receivers drop.
 */
int spool_remove(struct spool *s, uint64_t seq)
{
	ssize_t at = seq_index(s, seq);
	char name[64];

	if (at < 0)
		return -ENOENT;
	entry_name(seq, name, sizeof(name));
	forget(s, (size_t)at);
	if (s->dirfd >= 0 && unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int spool_set_aside(struct spool *s, uint64_t seq)
{
	ssize_t at = seq_index(s, seq);
	char name[64], aside[80];
	bool held;

	if (at < 0)
		return -ENOENT;
	held = s->v[at].data != NULL;
	forget(s, (size_t)at);
	if (held) /* never reached the disk: nothing to keep aside */
		return 0;
	entry_name(seq, name, sizeof(name));
	snprintf(aside, sizeof(aside), "%s.rejected", name);
	if (renameat(s->dirfd, name, s->dirfd, aside) < 0)
		return -errno;
	return fsync(s->dirfd) < 0 ? -errno : 0;
}

void spool_free(struct spool *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s->v);
	free(s);
}
