/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's side of the systemd service protocol (sd_notify(3)): READY=1
 * once the first scan is done, WATCHDOG=1 from the event loop when the unit
 * sets WatchdogSec=, and STATUS= with a one-line summary whenever it changes.
 * Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op.
 */
#ifndef REDMON_SERVICE_H
#define REDMON_SERVICE_H

struct agg;
struct loop;
struct service;

/* Set up the watchdog timer on loop when systemd asked for one: 0 and *ret, or -errno. */
int service_open(struct loop *loop, struct service **ret);

/* After a scan: send STATUS= when the summary of a changed. */
void service_scanned(struct service *s, const struct agg *a);

/* The first scan is done and privileges are dropped: READY=1. */
void service_ready(struct service *s, const struct agg *a);

/* STOPPING=1 on the way out; NULL is a no-op. */
void service_free(struct service *s);

#endif
