/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe on a thread of its own, so that one probe stuck in a read (a dead
 * bus, a driver hung in the kernel, a BMC that never answers) cannot stop the
 * others, SNMP or the alerts.
 *
 * The plugin's init() runs on the caller's thread (it may need root); from
 * probe_thread_start() on, scan(), on_fd() and fini() run on that thread,
 * one at a time.  The fds the plugin watches are in the thread's own epoll
 * set: a notification and the scan it asks for never touch the main loop.
 * The owner asks for scans and collects results; a result is the groups of
 * one whole scan, moved (not copied) out of the thread.
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
 * Create the probe of plugin (its init() runs now, on this thread).  env's
 * watcher is ignored: the thread watches the plugin's fds itself (only when
 * events is true; one-shot runs pass false).  Returns 0 and *ret, or -errno
 * with the reason in why.
 */
int probe_thread_new(const struct redmon_plugin *plugin, const struct probe_env *env, bool events,
		     struct probe_thread **ret, char *why, size_t whylen);

/* Start the thread; scans happen only when asked for, or when the plugin's fds fire. */
int probe_thread_start(struct probe_thread *r);

/* Ask for a scan; requests made while one is running merge into one more scan. */
void probe_thread_request_scan(struct probe_thread *r);

/* Readable when a result is waiting: hand it to the owner's poll or epoll loop. */
int probe_thread_fd(const struct probe_thread *r);

/*
 * Take the newest result (an older one not collected in time is replaced).
 * Returns 1 and fills *res (its groups swapped with what res held), 0 when
 * there is none.
 */
int probe_thread_collect(struct probe_thread *r, struct probe_result *res);

/* Milliseconds (CLOCK_MONOTONIC) since the thread entered the plugin; 0: it is not in it. */
uint64_t probe_thread_busy_ms(struct probe_thread *r);

/*
 * Stop the thread: wait up to timeout_ms for it to leave the plugin, run
 * fini() there and end.  Returns true when it did and everything is freed;
 * false when it is still stuck in the plugin: then it is abandoned (it frees
 * itself if it ever returns) and r must not be used again.  Whatever the
 * probe borrowed (its config) must then stay alive for good.
 */
bool probe_thread_stop(struct probe_thread *r, uint64_t timeout_ms);

/* Whether any probe thread was abandoned: what probes borrow must then never be freed. */
bool probe_thread_any_abandoned(void);

#endif
