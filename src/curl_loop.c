/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "curl_loop.h"

#include <errno.h>
#include <sys/epoll.h>

#include "loop.h"
#include "loop_timer.h"

static void finished(struct curl_loop *cl)
{
	CURLMsg *msg;
	int left;

	while ((msg = cl->curl->multi_info_read(cl->multi, &left))) {
		if (msg->msg == CURLMSG_DONE)
			cl->done(cl->ctx, msg->easy_handle, msg->data.result);
	}
}

static void on_socket_ready(void *ctx, int fd, uint32_t revents)
{
	struct curl_loop *cl = ctx;
	int flags = 0, running;

	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	cl->curl->multi_socket_action(cl->multi, fd, flags, &running);
	finished(cl);
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct curl_loop *cl = userp;
	uint32_t events = 0;

	(void)e;
	(void)socketp;
	/* The loop has no "modify": watching again replaces the old interest. */
	loop_del(cl->loop, s);
	if (what == CURL_POLL_REMOVE)
		return 0;
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	return loop_add(cl->loop, s, events, on_socket_ready, cl) < 0 ? -1 : 0;
}

static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct curl_loop *cl = userp;

	(void)m;
	if (timeout_ms < 0)
		loop_timer_disarm(cl->timer);
	else
		loop_timer_arm(cl->timer, (uint64_t)timeout_ms);
	return 0;
}

static void on_timeout(void *ctx)
{
	curl_loop_kick(ctx);
}

void curl_loop_kick(struct curl_loop *cl)
{
	int running;

	cl->curl->multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	finished(cl);
}

int curl_loop_init(struct curl_loop *cl, const struct curl_dl *curl, struct loop *l,
		   curl_loop_done_cb done, void *ctx)
{
	cl->curl = curl;
	cl->loop = l;
	cl->done = done;
	cl->ctx = ctx;
	cl->multi = cl->curl->multi_init();
	if (!cl->multi || loop_timer_new(l, on_timeout, cl, &cl->timer) < 0)
		return -ENOMEM;
	cl->curl->multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	cl->curl->multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
	cl->curl->multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	cl->curl->multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
	return 0;
}

void curl_loop_cleanup(struct curl_loop *cl)
{
	if (cl->multi)
		cl->curl->multi_cleanup(cl->multi); /* may still call on_curl_socket: cl lives on */
	cl->multi = NULL;
	loop_timer_free(cl->timer);
	cl->timer = NULL;
}
