/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "service.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "status.h"

struct service {
	struct loop *loop;
	int wd_fd; /* timerfd pinging the watchdog, -1 without WatchdogSec= */
	bool ready;
	char status[256];
};

/*
 * sd_notify(3) without libsystemd (which costs ~0.4 MiB of resident pages
 * and six more libraries for this one datagram): send msg to the AF_UNIX
 * datagram socket named by $NOTIFY_SOCKET, a path or, when it starts with
 * '@', an abstract name.  A fresh socket per message, as libsystemd does, so
 * a restarted systemd (a new socket at the same name) is still reached.
 * Returns 1 when sent, 0 without NOTIFY_SOCKET, or -errno.
 */
static int notify(const char *msg)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = e ? strlen(e) : 0;
	ssize_t n;
	int fd, rc;

	if (len == 0)
		return 0;
	if (e[0] != '/' && e[0] != '@')
		return -EAFNOSUPPORT; /* vsock: and other forms of newer systemd */
	if (len >= sizeof(sa.sun_path) + (e[0] == '@'))
		return -EINVAL;
	memcpy(sa.sun_path, e, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	do {
		n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)&sa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	} while (n < 0 && errno == EINTR);
	rc = n < 0 ? -errno : 1;
	close(fd);
	return rc;
}

/* As notify(), with a STATUS= line; the status is one line of our own making. */
static void notify_status(const char *head, const char *status)
{
	char msg[320]; /* status[256] and the head */

	snprintf(msg, sizeof(msg), "%sSTATUS=%s", head, status);
	notify(msg);
}

/*
 * The watchdog period systemd asks for (sd_watchdog_enabled(3)):
 * $WATCHDOG_USEC, when $WATCHDOG_PID is unset or names this process.
 * Returns microseconds, or 0 when there is no watchdog (or the values are
 * not numbers).
 */
static uint64_t watchdog_usec(void)
{
	const char *e = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	unsigned long long v, pid;
	char *end;

	if (!e || !*e)
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	if (errno || *end || e[0] == '-' || v == 0)
		return 0;
	if (p && *p) {
		errno = 0;
		pid = strtoull(p, &end, 10);
		if (errno || *end || p[0] == '-' || pid != (unsigned long long)getpid())
			return 0;
	}
	return v;
}

static void on_watchdog(void *ctx, int fd, uint32_t revents)
{
	uint64_t n;

	(void)ctx;
	(void)revents;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	notify("WATCHDOG=1");
}

/*
 * Ping at half the watchdog period, as sd_watchdog_enabled(3) advises: a
 * timer in the loop only fires when the loop is turning, so a hung scan
 * stops the pings and systemd restarts the service.
 */
int service_open(struct loop *loop, struct service **ret)
{
	struct service *s = calloc(1, sizeof(*s));
	struct itimerspec its = { 0 };
	uint64_t usec = watchdog_usec();
	int rc;

	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->wd_fd = -1;
	if (usec > 0) {
		usec /= 2;
		s->wd_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (s->wd_fd < 0) {
			rc = -errno;
			goto fail;
		}
		its.it_value.tv_sec = (time_t)(usec / 1000000);
		its.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
		its.it_interval = its.it_value;
		if (timerfd_settime(s->wd_fd, 0, &its, NULL) < 0) {
			rc = -errno;
			goto fail;
		}
		rc = loop_add(loop, s->wd_fd, EPOLLIN, on_watchdog, s);
		if (rc < 0)
			goto fail;
		log_info("systemd watchdog: pinging every %llu ms",
			 (unsigned long long)usec / 1000);
	}
	*ret = s;
	return 0;
fail:
	if (s->wd_fd >= 0)
		close(s->wd_fd);
	free(s);
	return rc;
}

void service_scanned(struct service *s, const struct agg *a)
{
	char line[sizeof(s->status)];

	if (!s)
		return;
	status_summary(a, line, sizeof(line));
	if (strcmp(line, s->status) == 0)
		return;
	memcpy(s->status, line, sizeof(line));
	if (s->ready)
		notify_status("", s->status);
}

void service_ready(struct service *s, const struct agg *a)
{
	if (!s)
		return;
	status_summary(a, s->status, sizeof(s->status));
	s->ready = true;
	notify_status("READY=1\n", s->status);
}

void service_free(struct service *s)
{
	if (!s)
		return;
	if (s->ready)
		notify("STOPPING=1");
	if (s->wd_fd >= 0) {
		loop_del(s->loop, s->wd_fd);
		close(s->wd_fd);
	}
	free(s);
}
