/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker for a probe whose source is slow (a BMC, a vendor tool), so that
 * scan() never blocks: a thread runs a job at start, then interval_ms after
 * each run ends.  The job stores its result in the probe's fields under the
 * worker's lock and publishes it, which counts a generation and wakes the
 * probe through an eventfd the worker watches (ops->watch_fd): on_fd() asks
 * for a rescan, scan() reports the result under the lock.  The job calls no
 * host op but run_command().  A one-shot command gets no thread: scan() runs
 * the job itself with periodic_oneshot().
 */
#ifndef REDMON_PERIODIC_H
#define REDMON_PERIODIC_H

#include <stdbool.h>
#include <stdint.h>

#include "redmon/plugin.h"

struct periodic;

/* One run: the slow work unlocked, then periodic_lock(), store, periodic_publish(), unlock. */
typedef void (*periodic_job_fn)(void *ctx, struct periodic *w);

/* In init(): a worker into *ret (the caller's, for periodic_stop()), or -errno. */
int periodic_start(const struct redmon_host_ops *ops, struct redmon_host *h, uint64_t interval_ms,
		   periodic_job_fn job, void *ctx, struct periodic **ret);

/* In fini(): end the wait, join after the run in progress, unwatch, free; NULL is a no-op. */
void periodic_stop(struct periodic *w);

/* In scan(): without a thread, run the job here and now; with one, nothing. */
void periodic_oneshot(struct periodic *w);

/*
 * A plugin's .on_fd when every fd it watches is an eventfd or a timerfd (the
 * worker's is): read fd's counter so it is no longer readable; 1, a rescan.
 */
int periodic_on_fd(void *inst, int fd, uint32_t revents);

/* Lock what the job publishes: the publications so far (0: no result yet). */
uint64_t periodic_lock(struct periodic *w);
void periodic_unlock(struct periodic *w);

/* The job, locked, once a run: the run is over; when changed, a publication. */
void periodic_publish(struct periodic *w, bool changed);

/* Locked: how long the run in progress has taken, in ms; 0 between runs. */
uint64_t periodic_running_ms(const struct periodic *w);

#endif /* REDMON_PERIODIC_H */
