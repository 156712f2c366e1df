/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loop_timer.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

struct loop_timer {
	struct loop *loop;
	int fd;
	bool armed;
	loop_timer_cb cb;
	void *ctx;
};

static void on_expiry(void *ctx, int fd, uint32_t revents)
{
	struct loop_timer *t = ctx;
	uint64_t n;

	(void)revents;
	/* A re-arm between expiry and this read leaves nothing to read: not ours yet. */
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	t->armed = false;
	t->cb(t->ctx); /* may free t: nothing after this */
}

int loop_timer_new(struct loop *l, loop_timer_cb cb, void *ctx, struct loop_timer **ret)
{
	struct loop_timer *t = malloc(sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	*t = (struct loop_timer){ .loop = l, .cb = cb, .ctx = ctx };
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	rc = t->fd < 0 ? -errno : loop_add(l, t->fd, EPOLLIN, on_expiry, t);
	if (rc < 0) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return rc;
	}
	*ret = t;
	return 0;
}

int loop_timer_arm(struct loop_timer *t, uint64_t ms)
{
	/* An all-zero it_value would disarm: 0 ms means "as soon as possible". */
	struct itimerspec its = { .it_value = { (time_t)(ms / 1000),
						ms ? (long)(ms % 1000) * 1000000 : 1 } };

	if (timerfd_settime(t->fd, 0, &its, NULL) < 0)
		return -errno;
	t->armed = true;
	return 0;
}

void loop_timer_disarm(struct loop_timer *t)
{
	timerfd_settime(t->fd, 0, &(struct itimerspec){ 0 }, NULL);
	t->armed = false;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->armed;
}

void loop_timer_free(struct loop_timer *t)
{
	if (!t)
		return;
	loop_del(t->loop, t->fd);
	close(t->fd);
	free(t);
}

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
