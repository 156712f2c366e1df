/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sinks deliver events.  Each configured [sink.NAME] becomes one sink; the
 * set is rebuilt on reload.  Today: JSON Lines to a file or standard output.
 */
#ifndef REDMON_SINK_H
#define REDMON_SINK_H

#include <stddef.h>

#include "event.h"

struct config;
struct sink_set;

/*
 * Open every sink of cfg (a JSON sink on stdout when none is configured).
 * Returns 0 and *ret, or -errno with a message in err (nothing opened then).
 */
int sink_set_open(const struct config *cfg, struct sink_set **ret, char *err, size_t errlen);

/* Deliver one event to every sink whose min_severity it reaches. */
void sink_set_emit(struct sink_set *s, const struct event *ev, const char *host);

void sink_set_free(struct sink_set *s);

#endif
