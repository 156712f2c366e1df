/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemon answers on its control socket (ctl.h): the status and
 * check of its own view, and the operator's ack, maintenance and forget,
 * each published as an event.  docs/control.md.
 */
#ifndef REDMON_CONTROL_H
#define REDMON_CONTROL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "event.h"

struct agg;
struct bus;

struct control_env {
	struct agg *agg;
	struct bus *bus;
	const char *host, *root;
	/* The marks changed: keep them (state file), re-arm the maintenance timer. */
	void (*changed)(void *ctx);
	void *ctx;
};

/* A ctl_handler; ctx is a struct control_env. */
int control_handle(void *ctx, const json_t *req, const struct ctl_peer *peer, FILE *out,
		   const char **refused);

/*
 * Before the aggregator's events go out: a change of a group ends its
 * acknowledgement, a group gone while not ok is remembered (forget takes
 * it), one that comes back is not; each event carries its group's marks.
 * True when the marks changed.
 */
bool control_annotate(struct agg *a, struct event_list *l, int64_t now_ms);

/* Maintenance windows over by now_ms end: maintenance_ended each, published. */
void control_end_maintenance(struct control_env *e, int64_t now_ms);

#endif
