/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A curl multi handle driven from the epoll loop (CURLMOPT_SOCKETFUNCTION and
 * TIMERFUNCTION), never curl_easy_perform(): a transfer never blocks the
 * daemon.  The owner adds easy handles with curl_multi_add_handle(cl->multi)
 * and calls curl_loop_kick() to put them on the wire at once; each finished
 * transfer is handed to done(ctx, easy, result).  libcurl is loaded, not
 * linked (plugins/lib/curl_dl.h): every call goes through cl->curl.
 */
#ifndef REDMON_CURL_LOOP_H
#define REDMON_CURL_LOOP_H

#include <curl/curl.h>

#include "../plugins/lib/curl_dl.h"

struct loop;
struct loop_timer;

typedef void (*curl_loop_done_cb)(void *ctx, CURL *easy, CURLcode result);

struct curl_loop {
	const struct curl_dl *curl; /* libcurl's functions (curl_dl_get()) */
	CURLM *multi;
	struct loop *loop;
	struct loop_timer *timer;
	curl_loop_done_cb done;
	void *ctx;
};

/* Set up cl (zeroed by the caller) on loop l with libcurl's table curl; 0 or -ENOMEM. */
int curl_loop_init(struct curl_loop *cl, const struct curl_dl *curl, struct loop *l,
		   curl_loop_done_cb done, void *ctx);
/* Run what is due now (new handles start at once). */
void curl_loop_kick(struct curl_loop *cl);
/* Free the multi handle and the timer; remove every easy handle first.  NULL multi: a no-op. */
void curl_loop_cleanup(struct curl_loop *cl);

#endif
