/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe on a thread of its own, so that one stuck in a read (a hung driver)
 * cannot stop the others.  init() runs on the caller's thread (it may need
 * root); scan(), on_fd() and fini() on the probe's, which watches its fds.
 */
#ifndef REDMON_PROBE_THREAD_H
#define REDMON_PROBE_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "probe.h"

struct probe_thread;

struct probe_result {
	int rc;			/* the scan's: 0 or -errno */
	char error[512];	/* why, when rc < 0 */
	struct snapshot groups; /* when rc == 0; the caller's to keep or clear */
};

/*
 * Create the probe (init() runs now); env's watcher is ignored: the thread
 * watches the fds itself when events is true.  0 and *ret, or -errno and why.
 */
int probe_thread_new(const struct redmon_plugin *plugin, const struct probe_env *env, bool events,
		     struct probe_thread **ret, char *why, size_t whylen);

/* Start the thread; scans happen only when asked for, or when the plugin's fds fire. */
int probe_thread_start(struct probe_thread *r);

/* Ask for a scan; requests made while one is running merge into one more scan. */
void probe_thread_request_scan(struct probe_thread *r);

/*
 * With events, scans may be deltas (probe_enable_delta): the owner applies
 * every result it collects.  One it could not apply (agg_update failed) or
 * that must be confirmed by a whole scan asks for this: the next is whole.
 */
void probe_thread_want_whole(struct probe_thread *r);

/* Readable when a result is waiting: hand it to the owner's poll or epoll loop. */
int probe_thread_fd(const struct probe_thread *r);

/*
 * Take the newest result: 1 and *res (groups swapped with res's), 0 when none.
 * A scan that changed nothing (an empty delta) does not make the fd readable:
 * it is taken here, as an empty delta, when the owner next calls this (at
 * its next rescan, or when a deadline needs to know the probe answered).
 */
int probe_thread_collect(struct probe_thread *r, struct probe_result *res);

/* Milliseconds (CLOCK_MONOTONIC) since the thread entered the plugin; 0: it is not in it. */
uint64_t probe_thread_busy_ms(struct probe_thread *r);

/*
 * Stop the thread: wait up to timeout_ms for it to run fini() and end; true
 * when it did (r is freed).  False when it is stuck in the plugin: it is
 * abandoned (it frees itself if it ever returns), and what the probe
 * borrowed (its config) must stay alive for good.
 */
bool probe_thread_stop(struct probe_thread *r, uint64_t timeout_ms);

/* Whether any probe thread was abandoned: what probes borrow must then never be freed. */
bool probe_thread_any_abandoned(void);

#endif
