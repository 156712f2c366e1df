/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct watch {
	int fd;
	bool dead; /* removed during dispatch; freed after the batch */
	loop_fd_cb cb;
	void *ctx;
	struct watch *next;
};

struct loop {
	int epfd;
	struct watch *watches;
	loop_prepare_fn prepare;
	void *prepare_ctx;
};

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int rc = -errno;

		free(l);
		return rc;
	}
	*ret = l;
	return 0;
}

static struct watch *find(struct loop *l, int fd)
{
	for (struct watch *w = l->watches; w; w = w->next) {
		if (w->fd == fd && !w->dead)
			return w;
	}
	return NULL;
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *ctx)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;

	if (find(l, fd))
		return -EEXIST;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct watch){ .fd = fd, .cb = cb, .ctx = ctx, .next = l->watches };
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		free(w);
		return rc;
	}
	l->watches = w;
	return 0;
}

void loop_del(struct loop *l, int fd)
{
	struct watch *w = find(l, fd);

	if (!w)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->dead = true;
}

static void reap(struct loop *l)
{
	struct watch **pp = &l->watches;

	while (*pp) {
		struct watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

void loop_set_prepare(struct loop *l, loop_prepare_fn fn, void *ctx)
{
	l->prepare = fn;
	l->prepare_ctx = ctx;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[32];
	int n;

	if (l->prepare) {
		int t = l->prepare(l->prepare_ctx);

		if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
			timeout_ms = t;
	}
	n = epoll_wait(l->epfd, evs, 32, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct watch *w = evs[i].data.ptr;

		if (!w->dead)
			w->cb(w->ctx, w->fd, evs[i].events);
	}
	reap(l);
	return 0;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (struct watch *w = l->watches; w; w = w->next)
		w->dead = true;
	reap(l);
	close(l->epfd);
	free(l);
}
