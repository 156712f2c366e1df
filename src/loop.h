/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small epoll loop: fds with callbacks, safe to add and remove from a callback. */
#ifndef REDMON_LOOP_H
#define REDMON_LOOP_H

#include <stdint.h>

struct loop;
typedef void (*loop_fd_cb)(void *ctx, int fd, uint32_t revents);

/* Run before every wait (net-snmp's timers); returns the longest sleep in ms, -1: no limit. */
typedef int (*loop_prepare_fn)(void *ctx);

int loop_new(struct loop **ret);
/* Watch fd for epoll events; 0 or -errno (-EEXIST if already watched). */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *ctx);
/* Stop watching fd (before the caller closes it).  Unknown fds are ignored. */
void loop_del(struct loop *l, int fd);
/* Set the loop's one prepare function (NULL: none), replacing any before. */
void loop_set_prepare(struct loop *l, loop_prepare_fn fn, void *ctx);
/* Prepare, wait up to timeout_ms (-1: forever) and dispatch; 0 or -errno (EINTR is 0). */
int loop_run_once(struct loop *l, int timeout_ms);
void loop_free(struct loop *l);

#endif
