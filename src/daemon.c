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
#include "loop_timer.h"
#include "privdrop.h"
#include "probe.h"
#include "runtime.h"
#include "service.h"
#include "sink.h"
#include "state.h"
#include "subagent.h"

#define SETTLE_MS 5
/* alerts: at stop, hooks and POSTs in flight get this long */
#define DRAIN_MS 5000

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
	struct subagent *snmp; /* NULL unless [snmp] enabled */
	struct service *svc;   /* systemd notifications */
	/* alerts (docs/alerts.md): state across restarts, recovery confirmations */
	struct state *state; /* NULL: no state kept */
	char *state_dir;
	char sinks_id[32];
	struct loop_timer *recheck;
	struct slot *slots;
	size_t n_slots;
	int sigfd, rescan_fd, settle_fd;
	bool settle_armed;
	uint64_t settle_ms; /* SETTLE_MS, or as long as the last event-driven scans took */
	bool quit;
};

static void emit_to_sinks(void *ctx, const struct event *ev)
{
	struct daemon *d = ctx;

	/* alerts: no sequence number goes out that a restart could hand out again */
	state_reserve(d->state, &d->agg, ev->seq);
	sink_set_emit(d->sinks, ev);
	subagent_event(d->snmp, ev); /* SNMP: tables, alarms, notifications */
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
	} else if (agg_update(&d->agg, s->plugin->name, probe_groups(s->p)) < 0) {
		log_err("probe %s: out of memory keeping its groups", s->plugin->name);
	}
	subagent_scanned(d->snmp, s->plugin->name); /* SNMP: state changed after a scan */
	service_scanned(d->svc, &d->agg);	    /* systemd: STATUS= when it changed */
	/* alerts: keep what was announced; confirm a recovery held back by damping */
	if (state_dirty(d->state, &d->agg))
		state_save(d->state, &d->agg, false);
	if (agg_recovery_pending(&d->agg, s->plugin->name) && !loop_timer_armed(d->recheck))
		loop_timer_arm(d->recheck, d->rt->cfg->recovery_interval_ms);
}

/* alerts: rescan the probes with a recovery waiting for confirmation (recovery_scans). */
static void on_recheck(void *ctx)
{
	struct daemon *d = ctx;

	for (size_t i = 0; i < d->n_slots; i++) {
		if (agg_recovery_pending(&d->agg, d->slots[i].plugin->name))
			scan_slot(&d->slots[i]);
	}
}

static void sink_env_of(struct daemon *d, struct sink_env *env)
{
	*env = (struct sink_env){
		.loop = d->loop,
		.host = d->rt->host,
		.agg = &d->agg,
		.state_dir = d->state_dir,
	};
}

/*
 * alerts: the state of the last run first (it sets the sequence and what was
 * announced), then the sinks.  State is kept under [daemon] state_dir; with
 * --root (a captured tree, not this host's hardware) only when that is set.
 */
static int alerts_open(struct daemon *d)
{
	struct runtime *rt = d->rt;
	struct sink_env env;
	char err[1024];
	int rc;

	d->agg.recovery_scans = rt->cfg->recovery_scans;
	sink_set_fingerprint(rt->cfg, d->sinks_id, sizeof(d->sinks_id));
	if (rt->cfg->state_dir_set || strcmp(rt->root, "/") == 0) {
		struct state_id id = { .host = rt->host, .root = rt->root, .sinks = d->sinks_id };

		rc = state_open(rt->cfg->state_dir, &id, &d->agg, &d->state);
		if (rc == -EBUSY)
			return rc;
		if (rc < 0)
			log_err("state: NOT kept across restarts: a restart will announce every "
				"group afresh");
		else if (!(d->state_dir = strdup(rt->cfg->state_dir)))
			return -ENOMEM;
	} else {
		log_notice("state: not kept (--root without [daemon] state_dir)");
	}
	rc = loop_timer_new(d->loop, on_recheck, d, &d->recheck);
	if (rc < 0)
		return rc;
	sink_env_of(d, &env);
	rc = sink_set_open(rt->cfg, &env, &d->sinks, err, sizeof(err));
	if (rc < 0)
		log_err("%s", err);
	return rc;
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
		if (!s->d->settle_armed && arm_timer(s->d->settle_fd, s->d->settle_ms, false) == 0)
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
	struct sink_env env;
	char err[1024];

	log_notice("reloading configuration");
	if (runtime_load_config(rt, &cfg) < 0) {
		log_err("reload failed: keeping the running configuration");
		return;
	}
	sink_env_of(d, &env);
	if (subagent_check_config(cfg, err, sizeof(err)) < 0 || /* SNMP: check before the swap */
	    sink_set_open(cfg, &env, &sinks, err, sizeof(err)) < 0) {
		log_err("reload failed: %s; keeping the running configuration", err);
		cfg_free(cfg);
		return;
	}
	for (size_t i = 0; i < d->n_slots; i++)
		slot_stop(&d->slots[i]);
	sink_set_retire(sinks, d->sinks); /* alerts: queued hook runs still finish */
	d->sinks = sinks;
	old = rt->cfg;
	rt->cfg = cfg;
	cfg_free(old);
	runtime_apply_log(rt, cfg);
	d->agg.progress_step = cfg->progress_step;
	/* alerts: damping as configured; later state saves name the new sinks */
	d->agg.recovery_scans = cfg->recovery_scans;
	sink_set_fingerprint(cfg, d->sinks_id, sizeof(d->sinks_id));
	arm_timer(d->rescan_fd, cfg->rescan_interval_ms, true);
	subagent_reload(&d->snmp, cfg, d->loop, &d->agg); /* SNMP: apply the new [snmp] */
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_start(&d->slots[i]);
		/* Disabled now: its groups vanish.  (A failed init is a probe_failed instead.) */
		if (!cfg_probe_enabled(cfg, d->slots[i].plugin->name))
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
	struct timespec t0, t1;
	uint64_t took;

	drain_timer(fd);
	d->settle_armed = false;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < d->n_slots; i++) {
		if (d->slots[i].pending)
			scan_slot(&d->slots[i]);
	}
	/*
	 * Wait at least as long as these scans took before the next
	 * event-driven one: a tree changing without pause (10,000 arrays
	 * appearing) then costs at most half the CPU instead of all of it, and
	 * each scan sees more of the change at once.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	       (uint64_t)((t1.tv_nsec - t0.tv_nsec) / 1000000);
	d->settle_ms = took < SETTLE_MS ? SETTLE_MS : took > 1000 ? 1000 : took;
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
	subagent_close(d->snmp); /* SNMP: before the loop and the aggregator go */
	service_free(d->svc);
	sink_set_free(d->sinks);
	loop_timer_free(d->recheck); /* alerts */
	state_close(d->state);
	free(d->state_dir);
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
	struct daemon d = {
		.rt = rt,
		.sigfd = -1,
		.rescan_fd = -1,
		.settle_fd = -1,
		.settle_ms = SETTLE_MS,
	};
	int rc;

	agg_init(&d.agg, rt->cfg->progress_step, emit_to_sinks, &d);
	rc = loop_new(&d.loop);
	if (rc == 0)
		rc = alerts_open(&d);
	if (rc == 0)
		rc = setup_fds(&d);
	if (rc == 0) /* SNMP: before the probes start, so it sees every event */
		rc = subagent_open(rt->cfg, d.loop, &d.agg, &d.snmp);
	if (rc == 0)
		rc = service_open(d.loop, &d.svc);
	if (rc == 0)
		rc = setup_slots(&d);
	if (rc < 0) {
		log_err("cannot start: %s", strerror(-rc));
		teardown(&d);
		return 1;
	}
	sink_set_log_reach(d.sinks); /* alerts: loud when nobody will be notified */
	log_notice("started: %zu probe%s, root %s, rescan every %llu ms", d.n_slots,
		   d.n_slots == 1 ? "" : "s", rt->root,
		   (unsigned long long)rt->cfg->rescan_interval_ms);
	scan_all(&d);
	agg_drop_unscanned(&d.agg); /* alerts: groups of probes gone since the last run */
	if (state_dirty(d.state, &d.agg))
		state_save(d.state, &d.agg, false);
	/* Root was needed only to open the probes' fds and sockets: drop it now. */
	if (privdrop_apply(rt->cfg, rt->cli->user, rt->cli->root != NULL) < 0) {
		teardown(&d);
		return 1;
	}
	service_ready(d.svc, &d.agg);
	while (!d.quit) {
		rc = loop_run_once(d.loop, -1);
		if (rc < 0) {
			log_err("event loop: %s", strerror(-rc));
			break;
		}
	}
	/* alerts: let hooks and POSTs in flight finish, then save the exact sequence */
	sink_set_drain(d.sinks, DRAIN_MS);
	state_save(d.state, &d.agg, true);
	teardown(&d);
	return rc < 0 ? 1 : 0;
}
