/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `redmon daemon`: one thread, one epoll loop over a signalfd, the rescan
 * timer, a settle timer and whatever fds the probes ask us to watch.
 *
 * A probe's fd firing marks the probe pending and arms the settle timer; when
 * it fires (a few ms later) every pending probe is rescanned once.  The delay
 * merges the burst of notifications one change causes (several sysfs
 * attributes, inotify IN_MODIFY per write) into one scan, so a half-applied
 * change is not reported as two.
 */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agg.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "probe.h"
#include "runtime.h"
#include "sink.h"

#define SETTLE_MS 5

struct daemon;

/* One per usable plugin; p is NULL while the probe is disabled or failed to init. */
struct slot {
	struct daemon *d;
	const struct redmon_plugin *plugin;
	struct probe *p;
	struct probe_watcher watcher;
	bool pending;
};

struct daemon {
	struct runtime *rt;
	struct loop *loop;
	struct agg agg;
	struct sink_set *sinks;
	struct slot *slots;
	size_t n_slots;
	int sigfd, rescan_fd, settle_fd;
	bool settle_armed;
	bool quit;
};

static void emit_to_sinks(void *ctx, const struct event *ev)
{
	struct daemon *d = ctx;

	sink_set_emit(d->sinks, ev, d->rt->host);
}

static int slot_watch(void *ctx, struct probe *p, int fd, uint32_t events);
static void slot_unwatch(void *ctx, struct probe *p, int fd);

static int arm_timer(int fd, uint64_t ms, bool periodic)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	if (periodic)
		its.it_interval = its.it_value;
	return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static void scan_slot(struct slot *s)
{
	struct daemon *d = s->d;

	s->pending = false;
	if (!s->p)
		return;
	if (probe_scan(s->p) < 0) {
		log_err("probe %s: %s", s->plugin->name, probe_error(s->p));
		agg_probe_failed(&d->agg, s->plugin->name, probe_error(s->p));
		return;
	}
	if (agg_update(&d->agg, s->plugin->name, probe_groups(s->p)) < 0)
		log_err("probe %s: out of memory keeping its groups", s->plugin->name);
}

static void scan_all(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++)
		scan_slot(&d->slots[i]);
}

static void on_probe_fd(void *ctx, int fd, uint32_t revents)
{
	struct slot *s = ctx;
	int rc;

	if (!s->p)
		return;
	rc = probe_on_fd(s->p, fd, revents);
	if (rc < 0)
		log_warn("probe %s: event handling failed: %s", s->plugin->name, strerror(-rc));
	if (rc != 0 && !s->pending) {
		/* An error also asks for a scan: the scan will say what is wrong. */
		s->pending = true;
		if (!s->d->settle_armed && arm_timer(s->d->settle_fd, SETTLE_MS, false) == 0)
			s->d->settle_armed = true;
	}
}

static int slot_watch(void *ctx, struct probe *p, int fd, uint32_t events)
{
	struct slot *s = ctx;

	(void)p;
	return loop_add(s->d->loop, fd, events, on_probe_fd, s);
}

static void slot_unwatch(void *ctx, struct probe *p, int fd)
{
	struct slot *s = ctx;

	(void)p;
	loop_del(s->d->loop, fd);
}

/* Create the probe of a slot if its plugin is enabled in the current config. */
static void slot_start(struct slot *s)
{
	struct runtime *rt = s->d->rt;
	const struct probe_env env = {
		.cfg = rt->cfg,
		.root = rt->root,
		.root_fd = rt->root_fd,
		.watcher = &s->watcher,
	};
	int rc;

	if (!cfg_probe_enabled(rt->cfg, s->plugin->name))
		return;
	rc = probe_new(s->plugin, &env, &s->p);
	if (rc < 0) {
		char why[128];

		snprintf(why, sizeof(why), "init failed: %s", strerror(-rc));
		log_err("probe %s: %s", s->plugin->name, why);
		agg_probe_failed(&s->d->agg, s->plugin->name, why);
		s->p = NULL;
	}
}

static void slot_stop(struct slot *s)
{
	probe_free(s->p);
	s->p = NULL;
	s->pending = false;
}

static int setup_slots(struct daemon *d)
{
	struct runtime *rt = d->rt;

	d->slots = calloc(rt->plugins.n ? rt->plugins.n : 1, sizeof(*d->slots));
	if (!d->slots)
		return -ENOMEM;
	for (size_t i = 0; i < rt->plugins.n; i++) {
		struct slot *s;

		if (!rt->plugins.v[i].desc)
			continue;
		s = &d->slots[d->n_slots++];
		s->d = d;
		s->plugin = rt->plugins.v[i].desc;
		s->watcher = (struct probe_watcher){
			.watch = slot_watch,
			.unwatch = slot_unwatch,
			.ctx = s,
		};
		slot_start(s);
	}
	return 0;
}

/*
 * SIGHUP: parse and validate the new config and open its sinks before
 * touching anything; a bad config is logged and the old one keeps running.
 * Then swap, restart the probes with their new options and rescan (probes
 * that were disabled report no groups: their groups vanish).
 */
static void reload(struct daemon *d)
{
	struct runtime *rt = d->rt;
	struct config *cfg, *old;
	struct sink_set *sinks;
	struct snapshot empty = { 0 };
	char err[1024];

	log_notice("reloading configuration");
	if (runtime_load_config(rt, &cfg) < 0) {
		log_err("reload failed: keeping the running configuration");
		return;
	}
	if (sink_set_open(cfg, &sinks, err, sizeof(err)) < 0) {
		log_err("reload failed: %s; keeping the running configuration", err);
		cfg_free(cfg);
		return;
	}
	for (size_t i = 0; i < d->n_slots; i++)
		slot_stop(&d->slots[i]);
	sink_set_free(d->sinks);
	d->sinks = sinks;
	old = rt->cfg;
	rt->cfg = cfg;
	cfg_free(old);
	runtime_apply_log(rt, cfg);
	d->agg.progress_step = cfg->progress_step;
	arm_timer(d->rescan_fd, cfg->rescan_interval_ms, true);
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_start(&d->slots[i]);
		if (!d->slots[i].p)
			agg_update(&d->agg, d->slots[i].plugin->name, &empty);
	}
	snapshot_free(&empty);
	scan_all(d);
}

static void drain_timer(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

static void on_signal(void *ctx, int fd, uint32_t revents)
{
	struct daemon *d = ctx;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
		} else {
			log_notice("signal %u: exiting", si.ssi_signo);
			d->quit = true;
		}
	}
}

static void on_rescan(void *ctx, int fd, uint32_t revents)
{
	(void)revents;
	drain_timer(fd);
	scan_all(ctx);
}

static void on_settle(void *ctx, int fd, uint32_t revents)
{
	struct daemon *d = ctx;

	(void)revents;
	drain_timer(fd);
	d->settle_armed = false;
	for (size_t i = 0; i < d->n_slots; i++) {
		if (d->slots[i].pending)
			scan_slot(&d->slots[i]);
	}
}

static int setup_fds(struct daemon *d)
{
	sigset_t mask;
	int rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->rescan_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->settle_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->sigfd < 0 || d->rescan_fd < 0 || d->settle_fd < 0)
		return -errno;
	rc = loop_add(d->loop, d->sigfd, EPOLLIN, on_signal, d);
	if (rc == 0)
		rc = loop_add(d->loop, d->rescan_fd, EPOLLIN, on_rescan, d);
	if (rc == 0)
		rc = loop_add(d->loop, d->settle_fd, EPOLLIN, on_settle, d);
	if (rc == 0)
		rc = arm_timer(d->rescan_fd, d->rt->cfg->rescan_interval_ms, true);
	return rc;
}

static void teardown(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++)
		slot_stop(&d->slots[i]);
	free(d->slots);
	sink_set_free(d->sinks);
	agg_fini(&d->agg);
	loop_free(d->loop);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->rescan_fd >= 0)
		close(d->rescan_fd);
	if (d->settle_fd >= 0)
		close(d->settle_fd);
}

int daemon_run(struct runtime *rt)
{
	struct daemon d = { .rt = rt, .sigfd = -1, .rescan_fd = -1, .settle_fd = -1 };
	char err[1024];
	int rc;

	if (sink_set_open(rt->cfg, &d.sinks, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 1;
	}
	agg_init(&d.agg, rt->cfg->progress_step, emit_to_sinks, &d);
	rc = loop_new(&d.loop);
	if (rc == 0)
		rc = setup_fds(&d);
	if (rc == 0)
		rc = setup_slots(&d);
	if (rc < 0) {
		log_err("cannot start: %s", strerror(-rc));
		teardown(&d);
		return 1;
	}
	if (rt->cfg->n_sinks == 0)
		log_warn("no [sink.*] configured: events go to standard output only");
	log_notice("started: %zu probe%s, root %s, rescan every %llu ms", d.n_slots,
		   d.n_slots == 1 ? "" : "s", rt->root,
		   (unsigned long long)rt->cfg->rescan_interval_ms);
	scan_all(&d);
	while (!d.quit) {
		rc = loop_run_once(d.loop, -1);
		if (rc < 0) {
			log_err("event loop: %s", strerror(-rc));
			break;
		}
	}
	teardown(&d);
	return rc < 0 ? 1 : 0;
}
