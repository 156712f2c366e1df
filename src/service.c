/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "service.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
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

static void on_watchdog(void *ctx, int fd, uint32_t revents)
{
	uint64_t n;

	(void)ctx;
	(void)revents;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	sd_notify(0, "WATCHDOG=1");
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
	uint64_t usec = 0;
	int rc;

	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->wd_fd = -1;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
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
		sd_notifyf(0, "STATUS=%s", s->status);
}

void service_ready(struct service *s, const struct agg *a)
{
	if (!s)
		return;
	status_summary(a, s->status, sizeof(s->status));
	s->ready = true;
	sd_notifyf(0, "READY=1\nSTATUS=%s", s->status);
}

void service_free(struct service *s)
{
	if (!s)
		return;
	if (s->ready)
		sd_notify(0, "STOPPING=1");
	if (s->wd_fd >= 0) {
		loop_del(s->loop, s->wd_fd);
		close(s->wd_fd);
	}
	free(s);
}
