/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "service.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agg.h"
#include "event.h"
#include "log.h"
#include "loop_timer.h"
#include "status.h"

struct service {
	struct loop_timer *wd; /* pings the watchdog; NULL without WatchdogSec= */
	uint64_t wd_ms;
	bool ready;
	char status[256];	    /* one line of our own making */
	struct event_summary shown; /* what status says, kept to compare without formatting */
};

/*
 * sd_notify(3) without libsystemd (~0.4 MiB and six libraries for one
 * datagram): the message to $NOTIFY_SOCKET, a path or an abstract '@' name,
 * on a fresh socket each time, as libsystemd does, so a restarted systemd is
 * still reached.  Nothing without NOTIFY_SOCKET, or with one of the other
 * forms of newer systemd (vsock:).
 */
static void __attribute__((format(printf, 1, 2))) notify(const char *fmt, ...)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = e ? strlen(e) : 0;
	char msg[320]; /* STATUS= with status[256] and a head */
	va_list ap;
	int fd;

	if (len == 0 || (e[0] != '/' && e[0] != '@') || len >= sizeof(sa.sun_path) + (e[0] == '@'))
		return;
	memcpy(sa.sun_path, e, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	while (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)&sa,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0 &&
	       errno == EINTR)
		;
	close(fd);
}

/* The decimal number in environment variable name, or 0 when unset or not a number. */
static unsigned long long env_number(const char *name)
{
	const char *e = getenv(name);
	unsigned long long v;
	char *end;

	if (!e || !*e || e[0] == '-')
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	return errno || *end ? 0 : v;
}

/* $WATCHDOG_USEC when $WATCHDOG_PID is unset or us (sd_watchdog_enabled(3)), or 0: none. */
static uint64_t watchdog_usec(void)
{
	const char *pid = getenv("WATCHDOG_PID");

	if (pid && *pid && env_number("WATCHDOG_PID") != (unsigned long long)getpid())
		return 0;
	return env_number("WATCHDOG_USEC");
}

static void on_watchdog(void *ctx)
{
	struct service *s = ctx;

	notify("WATCHDOG=1");
	loop_timer_arm(s->wd, s->wd_ms);
}

/*
 * Ping at half the watchdog period, as sd_watchdog_enabled(3) advises: a
 * timer in the loop only fires when the loop is turning, so a hung scan
 * stops the pings and systemd restarts the service.
 */
int service_open(struct loop *loop, struct service **ret)
{
	struct service *s = calloc(1, sizeof(*s));
	uint64_t usec = watchdog_usec();
	int rc;

	if (!s)
		return -ENOMEM;
	if (usec > 0) {
		s->wd_ms = usec >= 2000 ? usec / 2000 : 1;
		rc = loop_timer_new(loop, on_watchdog, s, &s->wd);
		if (rc == 0)
			rc = loop_timer_arm(s->wd, s->wd_ms);
		if (rc < 0) {
			loop_timer_free(s->wd);
			free(s);
			return rc;
		}
		log_info("systemd watchdog: pinging every %llu ms", (unsigned long long)s->wd_ms);
	}
	*ret = s;
	return 0;
}

/*
 * After every scan, most of which change nothing: the counts are compared,
 * and the line is only made again when they differ (its snprintf was a
 * seventh of the daemon's own work per rescan on a small host).
 */
void service_scanned(struct service *s, const struct agg *a)
{
	struct event_summary now;

	if (!s)
		return;
	agg_summarize(a, &now);
	if (s->status[0] && status_summary_same_text(&now, &s->shown))
		return;
	s->shown = now;
	status_summary_text(&now, s->status, sizeof(s->status));
	if (s->ready)
		notify("STATUS=%s", s->status);
}

void service_ready(struct service *s, const struct agg *a)
{
	if (!s)
		return;
	agg_summarize(a, &s->shown);
	status_summary_text(&s->shown, s->status, sizeof(s->status));
	s->ready = true;
	notify("READY=1\nSTATUS=%s", s->status);
}

void service_free(struct service *s)
{
	if (!s)
		return;
	if (s->ready)
		notify("STOPPING=1");
	loop_timer_free(s->wd);
	free(s);
}
