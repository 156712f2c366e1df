/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event bus: the one place events are numbered and handed out.  It owns
 * the sequence (the seq of the last event; restored from state.json, raised
 * past a webhook spool's last entry) and the subscribers (the aggregator's
 * bookkeeping, state, sinks, SNMP), called in the order they subscribed.
 *
 * An event published while the bus is delivering one (a sink's delivery
 * failed, a test alert) is copied into a FIFO and delivered after the
 * current one, in order: no subscriber is ever re-entered, so none needs to
 * guard against it.
 */
#ifndef REDMON_BUS_H
#define REDMON_BUS_H

#include <stdint.h>

#include "event.h"

/*
 * The highest sequence number the bus takes from outside (a state file, the
 * mark, a spool), 2^53 - 1: every JSON reader holds it exactly (JavaScript
 * and jq read numbers as doubles), and it is far below INT64_MAX, so a
 * sequence that starts from a saved number can never overflow JSON's int64
 * while redmon runs.  It is never reached by counting: the highest start,
 * after a lost state, is the time in ms (about 2^41), and from there a
 * million events a second would need 285 years.  A larger number was not
 * written by redmon and is not trusted.  SNMP carries the low 32 bits of
 * the sequence (redmonNotifSeq and redmonAlarmSeq are Unsigned32).
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
 * Number ev (the next seq, the time now: what ev says of either is
 * ignored) and deliver it to every subscriber; then deliver what they
 * published meanwhile.  During a delivery, ev is copied and queued instead
 * (-ENOMEM if that fails: the event is lost, the caller says so).
 */
int bus_publish(struct bus *b, const struct event *ev);

/* bus_publish() each event of l in order, then clear l; -ENOMEM if any was lost. */
int bus_publish_list(struct bus *b, struct event_list *l);

/* The seq of the last event (0: none yet). */
uint64_t bus_last_seq(const struct bus *b);

/*
 * Continue the sequence after seq if that is further (state.json, the
 * mark, a spool: numbers a past run used).  -ERANGE above BUS_SEQ_MAX
 * (nothing changed), else 0.
 */
int bus_raise_seq(struct bus *b, uint64_t seq);

#endif
