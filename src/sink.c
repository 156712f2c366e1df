/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

struct sink {
	char *name;
	int fd; /* JSON Lines target */
	bool owns_fd;
	int min_severity;
	unsigned failures; /* consecutive write failures, to log once per streak */
};

struct sink_set {
	struct sink *v;
	size_t n;
};

/* O_APPEND: several writers (and logrotate's copytruncate) never interleave mid-line. */
static int open_json_target(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

static int add_sink(struct sink_set *s, const char *name, const char *path, int min_severity,
		    char *err, size_t errlen)
{
	struct sink *v = realloc(s->v, (s->n + 1) * sizeof(*v));
	struct sink *k;

	if (!v)
		return -ENOMEM;
	s->v = v;
	k = &v[s->n];
	memset(k, 0, sizeof(*k));
	k->fd = open_json_target(path);
	if (k->fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "sink %s: cannot open %s: %s", name, path, strerror(errno));
		return rc;
	}
	k->owns_fd = k->fd != STDOUT_FILENO;
	k->min_severity = min_severity;
	k->name = strdup(name);
	if (!k->name) {
		if (k->owns_fd)
			close(k->fd);
		return -ENOMEM;
	}
	s->n++;
	return 0;
}

int sink_set_open(const struct config *cfg, struct sink_set **ret, char *err, size_t errlen)
{
	struct sink_set *s = calloc(1, sizeof(*s));
	int rc = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; rc == 0 && i < cfg->n_sinks; i++)
		rc = add_sink(s, cfg->sinks[i].name, cfg->sinks[i].path,
			      cfg->sinks[i].min_severity, err, errlen);
	if (rc == 0 && cfg->n_sinks == 0)
		rc = add_sink(s, "stdout", "-", SEV_INFO, err, errlen);
	if (rc < 0) {
		sink_set_free(s);
		return rc;
	}
	*ret = s;
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

static void sink_write_line(struct sink *k, const char *line, size_t len)
{
	int rc = write_all(k->fd, line, len);

	if (rc < 0) {
		if (k->failures++ == 0)
			log_err("sink %s: cannot write event: %s", k->name, strerror(-rc));
		return;
	}
	if (k->failures)
		log_notice("sink %s: writing again after %u failed events", k->name,
			   k->failures);
	k->failures = 0;
}

void sink_set_emit(struct sink_set *s, const struct event *ev, const char *host)
{
	int sev = event_severity(ev);
	json_t *j = event_to_json(ev, host);
	char *text;
	size_t len;

	if (!j) {
		log_err("out of memory rendering event %llu", (unsigned long long)ev->seq);
		return;
	}
	text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text) {
		log_err("out of memory rendering event %llu", (unsigned long long)ev->seq);
		return;
	}
	/* One write per line: the line and its newline reach the file together. */
	len = strlen(text);
	text[len] = '\n';
	for (size_t i = 0; i < s->n; i++) {
		if (sev >= s->v[i].min_severity)
			sink_write_line(&s->v[i], text, len + 1);
	}
	free(text);
}

void sink_set_free(struct sink_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].owns_fd)
			close(s->v[i].fd);
		free(s->v[i].name);
	}
	free(s->v);
	free(s);
}
