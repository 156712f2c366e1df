/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>

struct bus_sub {
	bus_fn fn;
	void *ctx;
};

/* An event published during a delivery, waiting for its turn. */
struct bus_queued {
	struct event *ev; /* event_dup() */
	struct bus_queued *next;
};

struct bus {
	struct bus_sub *subs;
	size_t n_subs;
	uint64_t seq;
	bool delivering;
	struct bus_queued *head, **tail;
};

int bus_new(struct bus **ret)
{
	struct bus *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->tail = &b->head;
	*ret = b;
	return 0;
}

static struct bus_queued *dequeue(struct bus *b)
{
	struct bus_queued *q = b->head;

	if (q) {
		b->head = q->next;
		if (!b->head)
			b->tail = &b->head;
	}
	return q;
}

void bus_free(struct bus *b)
{
	struct bus_queued *q;

	if (!b)
		return;
	while ((q = dequeue(b))) {
		event_dup_free(q->ev);
		free(q);
	}
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
	struct bus_queued *q = malloc(sizeof(*q));

	if (!q || !(q->ev = event_dup(ev))) {
		free(q);
		return -ENOMEM;
	}
	q->next = NULL;
	*b->tail = q;
	b->tail = &q->next;
	return 0;
}

int bus_publish(struct bus *b, const struct event *ev)
{
	struct bus_queued *q;

	if (b->delivering)
		return enqueue(b, ev);
	deliver(b, ev);
	while ((q = dequeue(b))) {
		deliver(b, q->ev);
		event_dup_free(q->ev);
		free(q);
	}
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
