/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One-shot timers for the epoll loop, each a timerfd watched with loop_add(). */
#ifndef REDMON_LOOP_TIMER_H
#define REDMON_LOOP_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;
typedef void (*loop_timer_cb)(void *ctx);

/* A disarmed timer calling cb(ctx) when it expires; 0 or -errno. */
int loop_timer_new(struct loop *l, loop_timer_cb cb, void *ctx, struct loop_timer **ret);
/* Fire once, ms from now (0: next iteration), replacing any deadline; 0 or -errno. */
int loop_timer_arm(struct loop_timer *t, uint64_t ms);
void loop_timer_disarm(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
/* Stop and free; NULL is a no-op.  Safe from inside the timer's own callback. */
void loop_timer_free(struct loop_timer *t);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in milliseconds. */
uint64_t mono_ms(void);
int64_t wall_ms(void);

#endif
