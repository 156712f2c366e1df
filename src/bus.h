/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event bus: the one place events are numbered and handed out.  It owns
 * the sequence and the subscribers (state, sinks, SNMP), called in the order
 * they subscribed.  An event published during a delivery (a sink's failure,
 * a test alert) is queued and delivered after it: no subscriber is ever
 * re-entered.
 */
#ifndef REDMON_BUS_H
#define REDMON_BUS_H

#include <stdint.h>

#include "event.h"

/*
 * The highest sequence number taken from outside, 2^53 - 1: every JSON reader
 * holds it exactly, and counting never reaches it (from the time in ms, 2^41,
 * a million events a second take 285 years).  SNMP carries the low 32 bits.
 */
#define BUS_SEQ_MAX	 ((UINT64_C(1) << 53) - 1)
#define BUS_SEQ_MAX_TEXT "9007199254740991"

struct bus;

/* A subscriber: ev (seq and time stamped) is borrowed for the call only. */
typedef void (*bus_fn)(void *ctx, const struct event *ev);

/* A bus with no subscriber and sequence 0; 0 or -ENOMEM. */
int bus_new(struct bus **ret);
/* NULL is a no-op.  Events still queued are dropped. */
void bus_free(struct bus *b);

/* fn(ctx, ev) for every event from now on, after the subscribers before it; 0 or -ENOMEM. */
int bus_subscribe(struct bus *b, bus_fn fn, void *ctx);

/*
 * Number ev (next seq, time now) and deliver it to every subscriber, then
 * what they published meanwhile.  During a delivery, ev is copied and queued
 * instead (-ENOMEM if that fails: the event is lost, the caller says so).
 */
int bus_publish(struct bus *b, const struct event *ev);

/* bus_publish() each event of l in order, then clear l; -ENOMEM if any was lost. */
int bus_publish_list(struct bus *b, struct event_list *l);

/* The seq of the last event (0: none yet). */
uint64_t bus_last_seq(const struct bus *b);

/* Continue after seq (a past run's) if further; -ERANGE above BUS_SEQ_MAX, else 0. */
int bus_raise_seq(struct bus *b, uint64_t seq);

#endif
