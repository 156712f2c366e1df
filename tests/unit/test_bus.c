/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event bus (src/bus.c): subscribers in their order, the sequence and
 * its bound, and events published during a delivery delivered after it, in
 * order, never re-entering a subscriber.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/bus.h"

#define MAX_SEEN 32

/* What one subscriber saw of one event, copied while it was delivered. */
struct seen {
	int subscriber;
	enum event_type type;
	uint64_t seq;
	struct timespec time;
	char sink[32];
	char group[32];
	int depth; /* deliveries under way, this one included */
};

static struct seen seen[MAX_SEEN];
static size_t n_seen;
static int depth;
static struct bus *bus;

static int setup(void **state)
{
	(void)state;
	n_seen = 0;
	depth = 0;
	return bus_new(&bus);
}

static int teardown(void **state)
{
	(void)state;
	bus_free(bus);
	return 0;
}

static void note(int subscriber, const struct event *ev)
{
	struct seen *s = &seen[n_seen++];

	assert_true(n_seen <= MAX_SEEN);
	memset(s, 0, sizeof(*s));
	s->subscriber = subscriber;
	s->type = ev->type;
	s->seq = ev->seq;
	s->time = ev->time;
	s->depth = depth;
	if (ev->sink)
		snprintf(s->sink, sizeof(s->sink), "%s", ev->sink);
	if (ev->group)
		snprintf(s->group, sizeof(s->group), "%s", ev->group->id);
}

/* Subscriber number *ctx. */
static void subscriber(void *ctx, const struct event *ev)
{
	depth++;
	note(*(int *)ctx, ev);
	depth--;
}

static void test_subscribers_in_order(void **state)
{
	static int one = 1, two = 2, three = 3;
	static const int want[] = { 2, 1, 3 };
	struct event ev = { .type = EV_GROUP_APPEARED };

	(void)state;
	assert_int_equal(bus_subscribe(bus, subscriber, &two), 0);
	assert_int_equal(bus_subscribe(bus, subscriber, &one), 0);
	assert_int_equal(bus_subscribe(bus, subscriber, &three), 0);
	assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(n_seen, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(seen[i].subscriber, want[i % 3]);
		assert_int_equal(seen[i].seq, i / 3 + 1);
	}
}

/* seq and time are the bus's, whatever the publisher wrote; the caller's event is left alone. */
static void test_seq_and_time_stamped(void **state)
{
	static int one = 1;
	struct event ev = { .type = EV_TEST, .seq = 99, .time = { .tv_sec = 5 } };
	struct timespec before;

	(void)state;
	assert_int_equal(bus_last_seq(bus), 0);
	assert_int_equal(bus_subscribe(bus, subscriber, &one), 0);
	clock_gettime(CLOCK_REALTIME, &before);
	for (int i = 0; i < 3; i++)
		assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(n_seen, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(seen[i].seq, i + 1);
		assert_true(seen[i].time.tv_sec >= before.tv_sec);
	}
	assert_int_equal(bus_last_seq(bus), 3);
	assert_int_equal(ev.seq, 99);
	assert_int_equal(ev.time.tv_sec, 5);
}

/*
 * The sequence continues after a restored or spooled number, never goes
 * back, and takes nothing above BUS_SEQ_MAX from outside; counting on from
 * the bound itself still works (a number is never handed out twice).
 */
static void test_seq_raise_and_bound(void **state)
{
	static int one = 1;
	struct event ev = { .type = EV_TEST };

	(void)state;
	assert_int_equal(bus_subscribe(bus, subscriber, &one), 0);
	assert_int_equal(bus_raise_seq(bus, 500), 0);
	assert_int_equal(bus_raise_seq(bus, 20), 0); /* lower: ignored */
	assert_int_equal(bus_last_seq(bus), 500);
	assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(seen[0].seq, 501);
	assert_int_equal(bus_raise_seq(bus, BUS_SEQ_MAX + 1), -ERANGE);
	assert_int_equal(bus_raise_seq(bus, UINT64_MAX), -ERANGE);
	assert_int_equal(bus_last_seq(bus), 501);
	assert_int_equal(bus_raise_seq(bus, BUS_SEQ_MAX), 0);
	assert_int_equal(bus_last_seq(bus), BUS_SEQ_MAX);
	assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(seen[1].seq, BUS_SEQ_MAX + 1);
	assert_int_equal(strlen(BUS_SEQ_MAX_TEXT), 16);
	assert_int_equal(strtoull(BUS_SEQ_MAX_TEXT, NULL, 10), BUS_SEQ_MAX);
}

/*
 * A sink failing while it delivers: subscriber 1 publishes sink_failed and
 * spool_overflow from inside the delivery of a group event, with strings
 * and a group that are gone once it returns.  Every subscriber sees the
 * group event first, then the two in the order published, each numbered
 * when delivered; nobody is re-entered.  An event published while a queued
 * one is delivered queues behind the rest.
 */
static int raised;

static void failing_sink(void *ctx, const struct event *ev)
{
	char name[16], other[16];
	struct member member = { .name = (char *)"sdb", .role = REDMON_ROLE_FAILED };
	struct group g = { .id = (char *)"md:md9", .members = &member, .n_members = 1 };

	depth++;
	note(*(int *)ctx, ev);
	if (ev->type == EV_GROUP_APPEARED) {
		struct event failed = { .type = EV_SINK_FAILED, .sink = name, .group = &g };
		struct event overflow = { .type = EV_SPOOL_OVERFLOW, .sink = other, .count = 7 };

		snprintf(name, sizeof(name), "hook");
		snprintf(other, sizeof(other), "web");
		assert_int_equal(bus_publish(bus, &failed), 0);
		assert_int_equal(bus_publish(bus, &overflow), 0);
		raised += 2;
		/* The publisher's copies go away: the bus must have its own. */
		memset(name, 'X', sizeof(name) - 1);
		memset(other, 'X', sizeof(other) - 1);
		g.id = (char *)"gone";
		member.name = NULL;
	} else if (ev->type == EV_SINK_FAILED) {
		struct event recovered = { .type = EV_SINK_RECOVERED, .sink = "hook" };

		assert_int_equal(bus_publish(bus, &recovered), 0);
		raised++;
	}
	depth--;
}

static void test_publish_during_delivery_comes_after(void **state)
{
	static int one = 1, two = 2;
	struct event ev = { .type = EV_GROUP_APPEARED };
	static const enum event_type order[] = { EV_GROUP_APPEARED, EV_SINK_FAILED,
						 EV_SPOOL_OVERFLOW, EV_SINK_RECOVERED };

	(void)state;
	raised = 0;
	assert_int_equal(bus_subscribe(bus, failing_sink, &one), 0);
	assert_int_equal(bus_subscribe(bus, subscriber, &two), 0);
	assert_int_equal(bus_publish(bus, &ev), 0);
	assert_int_equal(raised, 3);
	assert_int_equal(n_seen, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(seen[i].subscriber, (int)(i % 2) + 1);
		assert_int_equal(seen[i].type, order[i / 2]);
		assert_int_equal(seen[i].seq, i / 2 + 1);
		assert_int_equal(seen[i].depth, 1); /* never recursively */
	}
	assert_string_equal(seen[2].sink, "hook");
	assert_string_equal(seen[3].sink, "hook");
	assert_string_equal(seen[3].group, "md:md9");
	assert_string_equal(seen[5].sink, "web");
	assert_int_equal(bus_last_seq(bus), 4);
}

/* The aggregator's list goes out in order and is emptied; a lost event is reported. */
static void test_publish_list(void **state)
{
	static int one = 1;
	struct event_list l = { 0 };

	(void)state;
	assert_int_equal(bus_subscribe(bus, subscriber, &one), 0);
	event_list_push(&l, &(struct event){ .type = EV_GROUP_APPEARED });
	event_list_push(&l, &(struct event){ .type = EV_HEALTH_CHANGED });
	assert_int_equal(bus_publish_list(bus, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0].type, EV_GROUP_APPEARED);
	assert_int_equal(seen[1].type, EV_HEALTH_CHANGED);
	event_list_push(&l, &(struct event){ .type = EV_GROUP_VANISHED });
	l.lost = 1;
	assert_int_equal(bus_publish_list(bus, &l), -ENOMEM);
	assert_int_equal(n_seen, 3);
	assert_int_equal(seen[2].seq, 3);
	assert_int_equal(l.lost, 0);
	event_list_free(&l);
}

/* A copy owns everything it points to. */
static void test_event_dup(void **state)
{
	char sink[8] = "web", err[8] = "down";
	struct event_summary sum = { .groups = 4, .worst = HEALTH_DEGRADED };
	struct event ev = { .type = EV_HEARTBEAT, .sink = sink, .error = err, .summary = &sum };
	struct event *copy;

	(void)state;
	copy = event_dup(&ev);
	assert_non_null(copy);
	sink[0] = err[0] = 'X';
	sum.groups = 0;
	assert_string_equal(copy->sink, "web");
	assert_string_equal(copy->error, "down");
	assert_null(copy->probe);
	assert_null(copy->group);
	assert_int_equal(copy->summary->groups, 4);
	assert_ptr_not_equal(copy->summary, &sum);
	event_dup_free(copy);
	event_dup_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscribers_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_and_time_stamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_raise_and_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_during_delivery_comes_after, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_publish_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_dup, setup, teardown),
	};

	return cmocka_run_group_tests_name("bus", tests, NULL, NULL);
}
