// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The worker of periodic.h: a thread, a mutex over the stop flag and what
 * the job publishes, a condition waited on against CLOCK_MONOTONIC between
 * runs (so periodic_stop() ends the wait at once), an eventfd for the core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "periodic.h"

struct periodic {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	periodic_job_fn job;
	void *ctx;
	uint64_t interval_ms;
	int efd; /* -1: one-shot, no thread */
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, busy; /* under mu, as gen and since */
	uint64_t gen;
	struct timespec since; /* the start of the run in progress */
};

static void *worker(void *arg)
{
	struct periodic *w = arg;
	struct timespec t;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		w->busy = true;
		clock_gettime(CLOCK_MONOTONIC, &w->since);
		pthread_mutex_unlock(&w->mu);
		w->job(w->ctx, w);
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
		t.tv_sec += (time_t)(w->interval_ms / 1000) + t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!w->stop && pthread_cond_clockwait(&w->cv, &w->mu, CLOCK_MONOTONIC, &t) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int periodic_start(const struct redmon_host_ops *ops, struct redmon_host *h, uint64_t interval_ms,
		   periodic_job_fn job, void *ctx, struct periodic **ret)
{
	struct periodic *w = calloc(1, sizeof(*w));
	int rc = 0;

	if (!w)
		return -ENOMEM;
	*w = (struct periodic){
		.ops = ops, .h = h, .job = job, .ctx = ctx, .interval_ms = interval_ms, .efd = -1
	};
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (ops->events_wanted(h)) {
		w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		rc = w->efd < 0 ? -errno : ops->watch_fd(h, w->efd, EPOLLIN);
		if (rc == 0 && (rc = -pthread_create(&w->thr, NULL, worker, w)) < 0)
			ops->unwatch_fd(h, w->efd);
	}
	if (rc < 0) {
		if (w->efd >= 0)
			close(w->efd);
		w->efd = -1;
		periodic_stop(w);
		return rc;
	}
	*ret = w;
	return 0;
}

void periodic_stop(struct periodic *w)
{
	if (!w)
		return;
	if (w->efd >= 0) {
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thr, NULL);
		w->ops->unwatch_fd(w->h, w->efd);
		close(w->efd);
	}
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void periodic_oneshot(struct periodic *w)
{
	if (w->efd < 0)
		w->job(w->ctx, w);
}

int periodic_on_fd(void *inst, int fd, uint32_t revents)
{
	uint64_t n;

	(void)inst;
	(void)revents;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	return 1;
}

uint64_t periodic_lock(struct periodic *w)
{
	pthread_mutex_lock(&w->mu);
	return w->gen;
}

void periodic_unlock(struct periodic *w)
{
	pthread_mutex_unlock(&w->mu);
}

void periodic_publish(struct periodic *w, bool changed)
{
	uint64_t one = 1;

	w->busy = false;
	w->gen += changed;
	if (changed && w->efd >= 0 && write(w->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: a wakeup is pending anyway. */
	}
}

uint64_t periodic_running_ms(const struct periodic *w)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec -= w->since.tv_sec;
	return w->busy ? (uint64_t)(t.tv_sec * 1000 + (t.tv_nsec - w->since.tv_nsec) / 1000000) : 0;
}
