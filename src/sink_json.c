/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON Lines: one event object per line, to a file or standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"

struct json_sink {
	int fd;
	bool owns_fd;
};

/* O_APPEND: several writers (and logrotate's copytruncate) never interleave mid-line. */
static int json_open(struct sink *k, const struct config *cfg, const char *section, char *err,
		     size_t errlen)
{
	const char *path = cfg_value(cfg, section, "path");
	struct json_sink *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return -ENOMEM;
	if (!path || strcmp(path, "-") == 0) {
		j->fd = STDOUT_FILENO;
	} else {
		j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (j->fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "sink %s: cannot open %s: %s", k->name, path,
				 strerror(errno));
			free(j);
			return rc;
		}
		j->owns_fd = true;
	}
	k->priv = j;
	return 0;
}

/* Write all of buf, retrying short writes and EINTR. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One write per line: the line and its newline reach the file together. */
static int write_line(struct json_sink *j, const struct alert *a)
{
	char *line = malloc(a->line_len + 1);
	int rc;

	if (!line)
		return -ENOMEM;
	memcpy(line, a->line, a->line_len);
	line[a->line_len] = '\n';
	rc = write_all(j->fd, line, a->line_len + 1);
	free(line);
	return rc;
}

static void json_deliver(struct sink *k, const struct alert *a)
{
	int rc = write_line(k->priv, a);
	char why[300];

	snprintf(why, sizeof(why), "cannot write event %llu: %s", (unsigned long long)a->ev->seq,
		 strerror(-rc));
	sink_result(k, rc, true, why);
}

static void json_test(struct sink *k, const struct alert *a)
{
	int rc = write_line(k->priv, a);

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
