/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Syslog: one line per event on the local syslog socket (whatever the names
 * hold: they are escaped to one line, \x0A for a newline), with the facility
 * configured and the priority from the group's health (failed: alert,
 * critical: crit, degraded or unknown: warning, a recovery: notice).
 *
 * Not syslog(3): it shares openlog()'s identity with redmon's own log and may
 * block when the log daemon is slow.  This writes RFC 3164 lines, as glibc
 * does, to a non-blocking datagram socket; a full socket drops the line
 * (logged, counted as a failure) instead of stalling the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "sink.h"

struct syslog_sink {
	struct sockaddr_un addr;
	char *ident;
	int facility;
	int fd;
};

static int syslog_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	struct syslog_sink *y = calloc(1, sizeof(*y));
	const char *path = set->syslog.socket;

	if (!y)
		return -ENOMEM;
	k->priv = y;
	k->timeout_ms = 1000;
	y->fd = -1;
	if (strlen(path) >= sizeof(y->addr.sun_path))
		return errbuf_set(err, errlen, -ENAMETOOLONG, "sink %s: socket path %s is too long",
				  k->name, path);
	y->addr.sun_family = AF_UNIX;
	strcpy(y->addr.sun_path, path);
	y->facility = set->syslog.facility;
	y->ident = strdup(set->syslog.ident);
	return y->ident ? 0 : -ENOMEM;
}

/* (Re)connect: the log daemon may have restarted since the last line. */
static int reconnect(struct syslog_sink *y)
{
	if (y->fd >= 0)
		close(y->fd);
	y->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (y->fd < 0)
		return -errno;
	if (connect(y->fd, (struct sockaddr *)&y->addr, sizeof(y->addr)) < 0) {
		int rc = -errno;

		close(y->fd);
		y->fd = -1;
		return rc;
	}
	return 0;
}

static int priority(const struct event *ev)
{
	if (ev->group && ev->type != EV_GROUP_VANISHED) {
		switch (ev->group->health) {
		case HEALTH_FAILED:
			return LOG_ALERT;
		case HEALTH_CRITICAL:
			return LOG_CRIT;
		case HEALTH_DEGRADED:
		case HEALTH_UNKNOWN:
			return LOG_WARNING;
		default:
			return ev->type == EV_HEALTH_CHANGED ? LOG_NOTICE : LOG_INFO;
		}
	}
	switch (event_severity(ev)) {
	case SEV_CRITICAL:
		return LOG_CRIT;
	case SEV_WARNING:
		return LOG_WARNING;
	default:
		return ev->type == EV_TEST ? LOG_NOTICE : LOG_INFO;
	}
}

static int send_line(struct syslog_sink *y, const struct alert *a)
{
	char msg[1024], one[2048], key[400], line[2400], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n, rc;

	event_message(a->ev, msg, sizeof(msg));
	text_one_line(msg, one, sizeof(one));
	text_one_line(a->key, key, sizeof(key));
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "<%d>%s %s[%d]: %s: %s [seq %llu, key %s]",
		     y->facility | priority(a->ev), stamp, y->ident, (int)getpid(),
		     event_type_name(a->ev->type), one, (unsigned long long)a->ev->seq, key);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (y->fd < 0 && (rc = reconnect(y)) < 0)
		return rc;
	if (send(y->fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return 0;
	if (errno == EAGAIN)
		return -EAGAIN; /* full: trying again now would not help */
	/* The log daemon restarted: once more, on a new connection. */
	rc = reconnect(y);
	if (rc < 0)
		return rc;
	return send(y->fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0 ? 0 : -errno;
}

static void syslog_deliver(struct sink *k, const struct alert *a)
{
	struct syslog_sink *y = k->priv;
	int rc = send_line(y, a);
	char why[300];

	snprintf(why, sizeof(why), "%s: %s", y->addr.sun_path,
		 rc == -EAGAIN ? "log daemon not keeping up, line dropped" : strerror(-rc));
	sink_result(k, rc, true, why);
}

static void syslog_test(struct sink *k, const struct alert *a)
{
	struct syslog_sink *y = k->priv;
	int rc = send_line(y, a);
	char why[300];

	snprintf(why, sizeof(why), "%s: %s", y->addr.sun_path, strerror(-rc));
	sink_test_done(k, rc, why);
}

static void syslog_close(struct sink *k)
{
	struct syslog_sink *y = k->priv;

	if (y->fd >= 0)
		close(y->fd);
	free(y->ident);
	free(y);
}

const struct sink_ops sink_syslog_ops = {
	.type = "syslog",
	.open = syslog_open,
	.deliver = syslog_deliver,
	.test = syslog_test,
	.close = syslog_close,
};
