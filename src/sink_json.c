/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON Lines: one event object per line, to a file or standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "sink.h"
#include "spool.h"

struct json_sink {
	int fd;
	bool owns_fd;
};

/*
 * O_APPEND: several writers (and logrotate's copytruncate) never interleave
 * mid-line.  The file is opened as root, before the privileges are dropped,
 * often in a directory the service user owns: a symbolic link (O_NOFOLLOW)
 * or a second hard link that user planted there would have root append to
 * a file of their choosing, so neither is opened.
 */
static int open_events_file(const char *name, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
	/* The directories on the way too: a link there is followed only if root's (or ours). */
	int dirfd = dir ? open_dir_made(dir, 0, false) : -ENOMEM, fd = -1, rc = dirfd;
	struct stat st;

	free(dir);
	if (dirfd >= 0) {
		fd = openat(dirfd, slash ? slash + 1 : path,
			    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			    0640);
		rc = fd < 0 ? -errno : 0;
		close(dirfd);
	}
	if (rc == -ELOOP)
		return errbuf_set(
			err, errlen, -ELOOP,
			"sink %s: %s %s: refusing to follow it (give the file itself)", name, path,
			dirfd < 0 ? "has a symbolic link on the way neither root's nor ours"
				  : "is a symbolic link");
	if (rc < 0)
		return errbuf_set(err, errlen, rc, "sink %s: cannot open %s: %s", name, path,
				  strerror(-rc));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
		close(fd);
		return errbuf_set(err, errlen, -EPERM,
				  "sink %s: %s has %ju hard links: refusing to write to it", name,
				  path, (uintmax_t)st.st_nlink);
	}
	return fd;
}

static int json_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	struct json_sink *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	k->priv = j;
	j->fd = STDOUT_FILENO;
	if (!set->path || strcmp(set->path, "-") == 0)
		return 0;
	j->fd = open_events_file(k->name, set->path, err, errlen);
	j->owns_fd = j->fd >= 0;
	return j->fd < 0 ? j->fd : 0;
}

/* One write per line: the line and its newline reach the file together. */
static int write_line(struct sink *k, const struct alert *a)
{
	return write_all(((struct json_sink *)k->priv)->fd, a->line, a->line_len + 1);
}

static void json_deliver(struct sink *k, const struct alert *a)
{
	int rc = write_line(k, a);
	char why[300];

	snprintf(why, sizeof(why), "cannot write event %llu: %s", (unsigned long long)a->ev->seq,
		 strerror(-rc));
	sink_result(k, rc, true, why);
}

static void json_test(struct sink *k, const struct alert *a)
{
	int rc = write_line(k, a);

	sink_test_done(k, rc, rc < 0 ? strerror(-rc) : NULL);
}

static void json_close(struct sink *k)
{
	struct json_sink *j = k->priv;

	if (j->owns_fd)
		close(j->fd);
	free(j);
}

const struct sink_ops sink_json_ops = {
	.type = "json",
	.open = json_open,
	.deliver = json_deliver,
	.test = json_test,
	.close = json_close,
};
