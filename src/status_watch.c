/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `redmon status --watch`: the daemon's probes and watches without its sinks.
 * A change rescans its probe and redraws the table; a rescan every [daemon]
 * rescan_interval catches what no notification reports.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"
#include "probe.h"
#include "runtime.h"
#include "status.h"

struct watch_slot {
	struct watch *w;
	const char *name;
	struct probe *p;
	struct probe_watcher watcher;
	bool pending;
};

struct watch {
	struct runtime *rt;
	struct loop *loop;
	struct agg *agg;
	struct watch_slot *slots;
	size_t n_slots;
	bool color, quit;
};

static void on_fd(void *ctx, int fd, uint32_t revents)
{
	struct watch_slot *s = ctx;

	if (s->p && probe_on_fd(s->p, fd, revents) != 0)
		s->pending = true;
}

static int slot_watch(void *ctx, struct probe *p, int fd, uint32_t events)
{
	struct watch_slot *s = ctx;

	(void)p;
	return loop_add(s->w->loop, fd, events, on_fd, s);
}

static void slot_unwatch(void *ctx, struct probe *p, int fd)
{
	struct watch_slot *s = ctx;

	(void)p;
	loop_del(s->w->loop, fd);
}

static void on_signal(void *ctx, int fd, uint32_t revents)
{
	struct watch *w = ctx;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		w->quit = true;
}

static void scan(struct watch_slot *s)
{
	s->pending = false;
	if (probe_scan(s->p) < 0)
		agg_probe_failed(s->w->agg, s->name, probe_error(s->p), NULL);
	else
		agg_update(s->w->agg, s->name, probe_groups(s->p), NULL);
}

/* Home, table, clear to the end of the screen: no flicker, no scrollback spam. */
static void redraw(struct watch *w)
{
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fputs("\033[H\033[2J", stdout);
	printf("redmon status --watch on %s, %s (Ctrl-C to quit)\n\n", w->rt->host, ts);
	status_print_table(w->agg, w->rt->cli->sort, w->color, stdout);
	fflush(stdout);
}

static int start(struct watch *w)
{
	struct runtime *rt = w->rt;

	w->slots = calloc(rt->plugins.n ? rt->plugins.n : 1, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (size_t i = 0; i < rt->plugins.n; i++) {
		const struct redmon_plugin *pl = rt->plugins.v[i].desc;
		struct watch_slot *s;
		struct probe_env env = { .cfg = rt->cfg, .root = rt->root, .root_fd = rt->root_fd };

		if (!pl) {
			agg_probe_failed(w->agg, rt->plugins.v[i].path, rt->plugins.v[i].error,
					 NULL);
			continue;
		}
		if (!cfg_probe_enabled(rt->cfg, pl->name))
			continue;
		s = &w->slots[w->n_slots];
		s->w = w;
		s->name = pl->name;
		s->watcher = (struct probe_watcher){ .watch = slot_watch,
						     .unwatch = slot_unwatch,
						     .ctx = s };
		env.watcher = &s->watcher;
		if (probe_new(pl, &env, &s->p) < 0) {
			agg_probe_failed(w->agg, pl->name, "init failed", NULL);
			continue;
		}
		w->n_slots++;
		scan(s);
	}
	return 0;
}

int status_watch(struct runtime *rt, bool color)
{
	struct watch w = { .rt = rt, .color = color };
	uint64_t next;
	sigset_t mask;
	int sigfd = -1, rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	rc = agg_new(&w.agg, rt->cfg->progress_step);
	if (rc == 0)
		rc = runtime_agg_configure(rt->cfg, w.agg);
	if (rc == 0)
		rc = loop_new(&w.loop);
	if (rc == 0) {
		sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
		rc = sigfd < 0 ? -errno : loop_add(w.loop, sigfd, EPOLLIN, on_signal, &w);
	}
	if (rc == 0)
		rc = start(&w);
	if (rc == 0)
		redraw(&w);
	next = mono_ms() + rt->cfg->rescan_interval_ms;
	while (rc == 0 && !w.quit) {
		uint64_t t = mono_ms();
		bool due, changed = false;

		rc = loop_run_once(w.loop, t >= next ? 0 : (int)(next - t));
		if (rc < 0)
			break;
		due = mono_ms() >= next;
		if (due)
			next = mono_ms() + rt->cfg->rescan_interval_ms;
		for (size_t i = 0; i < w.n_slots; i++) {
			if (due || w.slots[i].pending) {
				scan(&w.slots[i]);
				changed = true;
			}
		}
		if (changed && !w.quit)
			redraw(&w);
	}
	if (rc < 0)
		log_err("status --watch: %s", strerror(-rc));
	for (size_t i = 0; i < w.n_slots; i++)
		probe_free(w.slots[i].p);
	free(w.slots);
	agg_free(w.agg);
	loop_free(w.loop);
	if (sigfd >= 0)
		close(sigfd);
	return rc < 0 ? 1 : 0;
}
