/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>

struct bus_sub {
	bus_fn fn;
	void *ctx;
};

struct bus {
	struct bus_sub *subs;
	size_t n_subs;
	uint64_t seq;
	bool delivering;
	/* Events published during a delivery (event_dup()), waiting for their turn. */
	struct event **queue;
	size_t n_queued;
};

int bus_new(struct bus **ret)
{
	struct bus *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	*ret = b;
	return 0;
}

static void queue_clear(struct bus *b)
{
	for (size_t i = 0; i < b->n_queued; i++)
		event_dup_free(b->queue[i]);
	free(b->queue);
	b->queue = NULL;
	b->n_queued = 0;
}

void bus_free(struct bus *b)
{
	if (!b)
		return;
	queue_clear(b);
	free(b->subs);
	free(b);
}

int bus_subscribe(struct bus *b, bus_fn fn, void *ctx)
{
	struct bus_sub *v = realloc(b->subs, (b->n_subs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->subs = v;
	v[b->n_subs++] = (struct bus_sub){ .fn = fn, .ctx = ctx };
	return 0;
}

/* Stamped when delivered: the sequence is the order subscribers see. */
static void deliver(struct bus *b, const struct event *ev)
{
	struct event e = *ev;

	e.seq = ++b->seq;
	clock_gettime(CLOCK_REALTIME, &e.time);
	b->delivering = true;
	for (size_t i = 0; i < b->n_subs; i++)
		b->subs[i].fn(b->subs[i].ctx, &e);
	b->delivering = false;
}

static int enqueue(struct bus *b, const struct event *ev)
{
	struct event **v = realloc(b->queue, (b->n_queued + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->queue = v;
	v[b->n_queued] = event_dup(ev);
	if (!v[b->n_queued])
		return -ENOMEM;
	b->n_queued++;
	return 0;
}

int bus_publish(struct bus *b, const struct event *ev)
{
	if (b->delivering)
		return enqueue(b, ev);
	deliver(b, ev);
	/* What the deliveries publish is queued behind, and delivered in this loop too. */
	for (size_t i = 0; i < b->n_queued; i++)
		deliver(b, b->queue[i]);
	queue_clear(b);
	return 0;
}

int bus_publish_list(struct bus *b, struct event_list *l)
{
	int rc = l->lost ? -ENOMEM : 0;

	for (size_t i = 0; i < l->n; i++) {
		if (bus_publish(b, &l->v[i]) < 0)
			rc = -ENOMEM;
	}
	event_list_clear(l);
	return rc;
}

uint64_t bus_last_seq(const struct bus *b)
{
	return b->seq;
}

int bus_raise_seq(struct bus *b, uint64_t seq)
{
	if (seq > BUS_SEQ_MAX)
		return -ERANGE;
	if (seq > b->seq)
		b->seq = seq;
	return 0;
}
