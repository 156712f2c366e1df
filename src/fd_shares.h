/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The descriptors probes may keep open between scans, split by need.
 *
 * A probe keeps sysfs attributes open (plugins/lib/fdcache.h): one pread a
 * file per scan, and poll() for sysfs_notify().  The descriptor limit is
 * the process's, so the probes share it: fixed fractions left most of it
 * idle on a host with many md arrays and no bond, and starved the probe
 * with the most files on a host whose limit is low.  Here each probe says
 * how many files its last full scan read (its want) and gets as much of
 * what the core leaves over as a fair split allows: probes that want less
 * than an equal part get all they want, the rest is shared equally among
 * the others (water-filling).  What the others hold is never promised
 * again, so the probes together stay within the limit while a probe whose
 * share shrank has not yet closed its extra files; the split settles
 * within a few full scans of each probe.
 *
 * One split for the process (the limit is the process's), never freed: a
 * hung probe thread may still ask.  Thread-safe.
 */
#ifndef REDMON_FD_SHARES_H
#define REDMON_FD_SHARES_H

#include <stdbool.h>
#include <stddef.h>

/* Descriptors the core keeps for itself at most (sinks, SNMP, control clients, threads). */
#define FD_SHARES_CORE_MAX 1024

/*
 * Descriptors to split among probes given the limit: the limit less a
 * quarter of it, at most FD_SHARES_CORE_MAX, for the core.
 */
size_t fd_shares_total_for(size_t limit);

/*
 * who (a probe) would keep want descriptors (SIZE_MAX: as many as it may):
 * how many it may keep now.  While registering (in its plugin's init(), no
 * file open yet) the answer is its fair part and nothing is held against
 * the others; afterwards it holds what it was answered until it asks again
 * or leaves.
 */
size_t fd_shares_ask(const void *who, size_t want, bool registering);

/* who keeps nothing any more (its probe is gone). */
void fd_shares_leave(const void *who);

/* Tests: split total descriptors (0: from RLIMIT_NOFILE again), forgetting every probe. */
void fd_shares_reset(size_t total);

#endif
