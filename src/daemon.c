/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `redmon daemon`: the main thread runs one epoll loop over a signalfd, the
 * rescan timer, SNMP, the alert sinks and one fd per probe; every probe runs
 * on a thread of its own (src/probe_thread.c), so one stuck in the kernel
 * stalls nobody else.  A probe scans when asked (start, rescan, recovery
 * check) and when its watched fds say something changed; the groups go
 * through the aggregator, whose events the bus (bus.h) numbers and hands to
 * the state, the sinks and SNMP.  A probe silent for probe_timeout is
 * reported failed (its groups unknown) until it answers again.
 */
#include "daemon.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "agg.h"
#include "bus.h"
#include "config.h"
#include "control.h"
#include "ctl.h"
#include "heap.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"
#include "marks.h"
#include "privdrop.h"
#include "privhelper.h"
#include "probe_thread.h"
#include "runtime.h"
#include "service.h"
#include "sink.h"
#include "state.h"
#include "snmp_dl.h"

/* alerts: at stop, hooks and POSTs in flight get this long */
#define DRAIN_MS 5000
/* at stop, a probe thread gets this long to leave its plugin */
#define STOP_MS 2000
/* heap_give_back() after this many deltas of a probe, as after every whole scan */
#define TRIM_DELTAS 32

/*
 * One per usable plugin, and per plugin not loaded yet for want of a data
 * source (loaded when one appears); r is NULL while the probe is disabled,
 * dormant, or failed to load or init.  asked_ms is when the oldest request
 * no result answered yet was made: the watchdog reports the probe hung
 * probe_timeout after it.
 */
struct slot {
	struct daemon *d;
	char name[64];	      /* the probe's (a plugin not loaded yet has its file's) */
	struct plugin *entry; /* in the runtime's plugin set */
	const struct redmon_plugin *plugin; /* NULL until loaded (a dormant probe's may not be) */
	struct probe_thread *r;
	uint64_t asked_ms;	 /* CLOCK_MONOTONIC ms; 0: nothing asked is unanswered */
	struct probe_result res; /* the last result collected; its groups are reused */
	bool hung;		 /* reported failed for not answering */
	bool answered;		 /* a result or a hang since start: startup waits for all */
	/*
	 * No data source of the plugin's exists (NAME.sources): no thread, no
	 * init, listed as scanned and empty; looked for again at every rescan
	 * and reload, and started once one appears.  Its sources, read from
	 * NAME.sources once (again at a reload), are what is looked for.
	 */
	bool dormant;
	struct plug_source *sources;
	size_t n_sources;
	bool ran;		   /* a probe was made (init() ran): it never waits again */
	unsigned deltas_untrimmed; /* deltas applied since its last heap_give_back() */
};

struct daemon {
	struct runtime *rt;
	struct loop *loop;
	struct agg *agg;
	struct bus *bus;
	struct event_list events; /* the aggregator's, until published */
	struct sink_set *sinks;
	struct sink_env sink_env; /* what the sinks are given, set with the first */
	struct subagent *snmp;	  /* NULL unless [snmp] enabled */
	/* the control socket: status, check, ack, maintenance, forget (NULL: none) */
	struct ctl_server *ctl;
	struct control_env ctl_env;
	struct loop_timer *maint_timer; /* the next end of a maintenance window */
	struct service *svc;		/* systemd notifications */
	/* alerts (docs/alerts.md): state across restarts, recovery confirmations */
	struct state *state; /* NULL: no state kept */
	char *state_dir;
	char sinks_id[32];
	struct loop_timer *recheck;
	struct loop_timer *rescan;
	/*
	 * One timer for every probe's deadline (not one each: arming and
	 * disarming one per probe and scan was a third of the main thread's
	 * system calls); armed while any request is unanswered.
	 */
	struct loop_timer *watchdog;
	struct slot *slots;
	size_t n_slots;
	int sigfd;
	bool quit;
};

/* alerts: no sequence number goes out that a restart could hand out again */
static void on_event_state(void *ctx, const struct event *ev)
{
	struct daemon *d = ctx;

	state_reserve(d->state, d->agg, ev->seq);
}

static void on_event_sinks(void *ctx, const struct event *ev)
{
	sink_set_emit(((struct daemon *)ctx)->sinks, ev);
}

/* SNMP: tables, alarms, notifications */
static void on_event_snmp(void *ctx, const struct event *ev)
{
	snmp_dl_event(((struct daemon *)ctx)->snmp, ev);
}

/* The subscribers in their order: the aggregator's bookkeeping around the others. */
static int bus_open(struct daemon *d)
{
	const struct {
		bus_fn fn;
		void *ctx;
	} subs[] = { { agg_announcing, d->agg },
		     { on_event_state, d },
		     { on_event_sinks, d },
		     { on_event_snmp, d },
		     { agg_announced, d->agg } };
	int rc = bus_new(&d->bus);

	for (size_t i = 0; rc == 0 && i < sizeof(subs) / sizeof(subs[0]); i++)
		rc = bus_subscribe(d->bus, subs[i].fn, subs[i].ctx);
	return rc;
}

/* The aggregator's events out on the bus, with the operator's marks. */
static void publish(struct daemon *d)
{
	size_t n = d->events.n + d->events.lost;

	control_annotate(d->agg, &d->events, wall_ms());
	if (bus_publish_list(d->bus, &d->events) < 0)
		log_err("out of memory: some of %zu events were not sent", n);
}

static void probe_failed(struct daemon *d, const char *probe, const char *why)
{
	agg_probe_failed(d->agg, probe, why, &d->events);
	publish(d);
}

/* The next maintenance window's end, if any. */
static void maint_arm(struct daemon *d)
{
	int64_t next = marks_next_end(agg_marks(d->agg)), now = wall_ms();

	if (!next)
		loop_timer_disarm(d->maint_timer);
	else
		loop_timer_arm(d->maint_timer, next > now ? (uint64_t)(next - now) : 0);
}

static void on_maint_end(void *ctx)
{
	struct daemon *d = ctx;

	control_end_maintenance(&d->ctl_env, wall_ms());
	maint_arm(d);
}

/* The operator changed a mark (control socket): keep it now, and its timer. */
static void on_marks_changed(void *ctx)
{
	struct daemon *d = ctx;

	state_save(d->state, d->agg, bus_last_seq(d->bus), false);
	maint_arm(d);
}

/*
 * The control socket, made as root (its directory is root's) before the
 * drop; answered after the first scan.  A socket that cannot be made is
 * logged, not fatal: status and check then scan by themselves.
 */
static int control_open(struct daemon *d)
{
	const struct config *cfg = d->rt->cfg;
	char why[256];
	int rc;

	d->ctl_env = (struct control_env){ .agg = d->agg,
					   .bus = d->bus,
					   .host = d->rt->host,
					   .root = d->rt->root,
					   .changed = on_marks_changed,
					   .ctx = d };
	rc = loop_timer_new(d->loop, on_maint_end, d, &d->maint_timer);
	if (rc < 0 || !*cfg->socket)
		return rc;
	/* A captured tree is not this host: not on the host's socket unless told (as state_dir). */
	if (d->rt->cli->root && !cfg->socket_set) {
		log_notice("control socket: none (--root without [daemon] socket)");
		return 0;
	}
	if (ctl_server_open(cfg->socket, cfg->socket_group, d->loop, control_handle, &d->ctl_env,
			    &d->ctl, why, sizeof(why)) < 0)
		log_warn("control socket: %s; status and check will scan by themselves", why);
	return 0;
}

/* What follows every change of a probe's groups, whether scanned or failed. */
static void after_update(struct slot *s)
{
	struct daemon *d = s->d;

	snmp_dl_scanned(d->snmp, s->name); /* SNMP: state changed after a scan */
	service_scanned(d->svc, d->agg);   /* systemd: STATUS= when it changed */
	sink_set_scanned(d->sinks);	   /* the textfile: a fresh scan time */
	/* alerts: keep what was announced; confirm a recovery held back by damping */
	if (state_dirty(d->state, bus_last_seq(d->bus)))
		state_save(d->state, d->agg, bus_last_seq(d->bus), false);
	if (agg_recovery_pending(d->agg, s->name) && !loop_timer_armed(d->recheck))
		loop_timer_arm(d->recheck, d->rt->cfg->recovery_interval_ms);
}

static void request_scan(struct slot *s)
{
	if (!s->r)
		return;
	probe_thread_request_scan(s->r);
	if (!s->asked_ms)
		s->asked_ms = mono_ms();
	if (!loop_timer_armed(s->d->watchdog))
		loop_timer_arm(s->d->watchdog, s->d->rt->cfg->probe_timeout_ms);
}

/*
 * Nothing more is owed by s.  The watchdog stops once no probe owes an
 * answer: left armed, it would wake an idle daemon once after every scan.
 */
static void slot_answered(struct slot *s)
{
	struct daemon *d = s->d;

	s->asked_ms = 0;
	for (size_t i = 0; i < d->n_slots; i++)
		if (d->slots[i].r && !d->slots[i].hung && d->slots[i].asked_ms)
			return;
	if (loop_timer_armed(d->watchdog))
		loop_timer_disarm(d->watchdog);
}

/* A probe thread has a result: its groups go through the aggregator. */
static void on_result(void *ctx, int fd, uint32_t revents)
{
	struct slot *s = ctx;
	struct daemon *d = s->d;
	bool whole;
	int rc;

	(void)fd;
	(void)revents;
	if (!s->r || probe_thread_collect(s->r, &s->res) == 0)
		return;
	s->answered = true;
	if (s->hung) {
		log_notice("probe %s: answers again", s->name);
		s->hung = false;
	}
	slot_answered(s);
	whole = s->res.rc < 0 || !s->res.groups.delta;
	if (s->res.rc < 0) {
		log_err("probe %s: %s", s->name, s->res.error);
		agg_probe_failed(d->agg, s->name, s->res.error, &d->events);
	} else if ((rc = agg_update(d->agg, s->name, &s->res.groups, &d->events)) < 0) {
		/* A delta with nothing to apply it to (the probe failed meanwhile): ask again. */
		if (rc != -ESTALE)
			log_err("probe %s: out of memory keeping its groups", s->name);
		probe_thread_want_whole(s->r);
		request_scan(s);
	}
	/* A recovery held back is confirmed by the next scans: whole ones, so they show it. */
	if (agg_recovery_pending(d->agg, s->name))
		probe_thread_want_whole(s->r);
	publish(d);
	snapshot_clear(&s->res.groups); /* the groups before, which vanished events showed */
	after_update(s);
	/*
	 * What a whole scan and the groups it replaced left free; a delta frees
	 * little, but events answered by deltas only (a whole scan waits for a
	 * periodic one, probe.c) add up: every TRIM_DELTAS of them as well.
	 */
	if (whole || ++s->deltas_untrimmed >= TRIM_DELTAS) {
		s->deltas_untrimmed = 0;
		heap_give_back();
	}
}

/* probe_timeout after a request without an answer: the probe is hung. */
static void slot_hung(struct slot *s)
{
	char why[160];

	snprintf(why, sizeof(why), "no answer for %llu ms (probe_timeout): stuck in its plugin%s",
		 (unsigned long long)s->d->rt->cfg->probe_timeout_ms,
		 probe_thread_busy_ms(s->r) ? "" : " or not scheduled");
	log_err("probe %s: %s; its groups are unknown until it answers", s->name, why);
	s->hung = true;
	s->answered = true;
	probe_failed(s->d, s->name, why);
	after_update(s);
}

/*
 * Take the answers of scans that changed nothing: they do not wake the
 * daemon (probe_thread_collect()), yet they are answers, and their time
 * runs on for the aggregator (a stalled rebuild, a recovery to confirm).
 */
static void collect_quiet(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++)
		on_result(&d->slots[i], -1, 0);
}

/* The watchdog: the probes past their deadline are hung; armed again for the next one. */
static void on_watchdog(void *ctx)
{
	struct daemon *d = ctx;
	uint64_t timeout = d->rt->cfg->probe_timeout_ms, now, next = UINT64_MAX;

	collect_quiet(d); /* a quiet answer is no hang */
	now = mono_ms();

	for (size_t i = 0; i < d->n_slots; i++) {
		struct slot *s = &d->slots[i];

		if (!s->r || s->hung || !s->asked_ms)
			continue;
		if (now - s->asked_ms >= timeout)
			slot_hung(s);
		else if (s->asked_ms + timeout - now < next)
			next = s->asked_ms + timeout - now;
	}
	if (next != UINT64_MAX)
		loop_timer_arm(d->watchdog, next);
}

/* alerts: rescan the probes with a recovery waiting for confirmation (recovery_scans). */
static void on_recheck(void *ctx)
{
	struct daemon *d = ctx;

	for (size_t i = 0; i < d->n_slots; i++) {
		if (agg_recovery_pending(d->agg, d->slots[i].name))
			request_scan(&d->slots[i]);
	}
}

/*
 * alerts: the state of the last run first (it sets the sequence and what was
 * announced), then the sinks.  State is kept under [daemon] state_dir; with
 * --root (a captured tree, not this host's hardware) only when that is set.
 */
static int alerts_open(struct daemon *d)
{
	struct runtime *rt = d->rt;
	uint64_t seq;
	char err[CFG_ERR_MAX];
	int rc;

	if (runtime_agg_configure(rt->cfg, d->agg) < 0)
		return -ENOMEM;
	sink_set_fingerprint(rt->cfg, d->sinks_id, sizeof(d->sinks_id));
	if (rt->cfg->state_dir_set || strcmp(rt->root, "/") == 0) {
		struct state_id id = { .host = rt->host, .root = rt->root, .sinks = d->sinks_id };

		/* Made as root here, it must be the [daemon] user's once privileges drop. */
		privdrop_make_state_dir(rt->cfg, rt->cli->user, rt->cli->root != NULL);
		rc = state_open(rt->cfg->state_dir, &id, d->agg, &seq, &d->state);
		if (rc == -EBUSY)
			return rc;
		if (rc == 0)
			bus_raise_seq(d->bus, seq); /* within BUS_SEQ_MAX: the state checked */
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
	d->sink_env = (struct sink_env){
		.loop = d->loop,
		.host = rt->host,
		.agg = d->agg,
		.bus = d->bus,
		.state_dir = d->state_dir,
	};
	rc = sink_set_open(rt->cfg, &d->sink_env, &d->sinks, err, sizeof(err));
	if (rc < 0)
		log_err("%s", err);
	return rc;
}

/* A probe disabled or without a source: its groups vanish, and it is listed with none. */
static void slot_empty(struct slot *s)
{
	struct snapshot empty = { 0 };

	agg_update(s->d->agg, s->name, &empty, &s->d->events);
	publish(s->d);
	snapshot_free(&empty);
}

/* Not dormant (any more): what it waited for goes. */
static void slot_forget_sources(struct slot *s)
{
	free(s->sources);
	s->sources = NULL;
	s->n_sources = 0;
	s->dormant = false;
}

/*
 * Create the probe of a slot if its plugin is enabled in the current config.
 * With may_wait, one whose data source is missing waits instead (slot_wake);
 * a probe that ran is never put back to wait, so a tool missing for a moment
 * (a package upgrade at logrotate's SIGHUP) cannot make its groups vanish.
 */
static void slot_open(struct slot *s, bool may_wait)
{
	struct runtime *rt = s->d->rt;
	const struct probe_env env = {
		.cfg = rt->cfg,
		.root = rt->root,
		.root_fd = rt->root_fd,
		.cmds = &rt->cmd_ops,
	};
	char why[512];

	slot_forget_sources(s);
	if (!cfg_probe_enabled(rt->cfg, s->name))
		return;
	if (may_wait)
		s->sources = runtime_probe_sourceless(rt, s->name, &s->n_sources);
	s->dormant = s->sources != NULL;
	if (s->dormant) {
		slot_empty(s);
		return;
	}
	if (!s->plugin && plugin_set_load_skipped(&rt->plugins, s->entry, why, sizeof(why)) < 0) {
		log_err("probe %s: plugin refused: %s", s->name, why);
		probe_failed(s->d, s->name, why);
		return;
	}
	s->plugin = s->entry->desc;
	if (probe_thread_new(s->plugin, &env, true, &s->r, why, sizeof(why)) < 0) {
		log_err("probe %s: %s", s->name, why);
		probe_failed(s->d, s->name, why);
		return;
	}
	s->ran = true;
}

/* Start the probe's thread; from here on its plugin runs there. */
static void slot_start(struct slot *s)
{
	int rc;

	if (!s->r)
		return;
	rc = probe_thread_start(s->r);
	if (rc == 0)
		rc = loop_add(s->d->loop, probe_thread_fd(s->r), EPOLLIN, on_result, s);
	if (rc < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot start its thread: %s", strerror(-rc));
		log_err("probe %s: %s", s->name, why);
		probe_failed(s->d, s->name, why);
		probe_thread_stop(s->r, STOP_MS);
		s->r = NULL;
	}
}

/* A dormant probe whose data source appeared (a module loaded, a tool installed): start it. */
static void slot_wake(struct slot *s)
{
	if (!s->dormant || !runtime_sources_appeared(s->d->rt, s->name, s->sources, s->n_sources))
		return;
	slot_open(s, false);
	if (!s->r)
		return; /* init failed: reported */
	log_notice("probe %s: a data source of it appeared: started", s->name);
	slot_start(s);
}

static void scan_all(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_wake(&d->slots[i]);
		request_scan(&d->slots[i]);
	}
}

static void slot_stop(struct slot *s, uint64_t timeout_ms)
{
	if (!s->r)
		return;
	loop_del(s->d->loop, probe_thread_fd(s->r));
	slot_answered(s);
	/* A hung probe is not waited for: it did not answer for probe_timeout already. */
	if (!probe_thread_stop(s->r, s->hung ? 0 : timeout_ms))
		log_err("probe %s: left behind, still stuck in its plugin", s->name);
	s->r = NULL;
	s->hung = false;
}

static int setup_slots(struct daemon *d)
{
	struct runtime *rt = d->rt;
	int rc = loop_timer_new(d->loop, on_watchdog, d, &d->watchdog);

	if (rc < 0)
		return rc;
	d->slots = calloc(rt->plugins.n ? rt->plugins.n : 1, sizeof(*d->slots));
	if (!d->slots)
		return -ENOMEM;
	for (size_t i = 0; i < rt->plugins.n; i++) {
		struct plugin *p = &rt->plugins.v[i];
		struct slot *s;

		if (!p->desc && !p->skipped)
			continue; /* refused: runtime_open() said why */
		s = &d->slots[d->n_slots++];
		s->d = d;
		s->entry = p;
		s->plugin = p->desc;
		snprintf(s->name, sizeof(s->name), "%s", p->desc ? p->desc->name : p->skipped);
		slot_open(s, true);
	}
	return 0;
}

int daemon_check_config(const struct runtime *rt, const struct config *cfg, char *err,
			size_t errlen)
{
	/*
	 * The user named to drop to (--user, [daemon] user set).  A missing default
	 * user is privdrop_apply()'s to report: --check-config run as root must
	 * pass where systemd's User= is used instead.
	 */
	const char *user = rt->cli->user ? rt->cli->user : cfg->user_set ? cfg->user : NULL;
	struct cfg_report rep = { 0 };
	char loc[300];
	int rc, first = 0;

	errno = 0;
	if (user && strcmp(user, "root") != 0 && !getpwnam(user)) {
		first = errno ? -errno : -ESRCH;
		cfg_report_add(&rep,
			       "%s: [daemon] user: no user '%s' (create it with `adduser --system "
			       "--group %s`, or set user = root to run as root)",
			       rt->cli->user ? "--user"
					     : cfg_where(cfg, "daemon", "user", loc, sizeof(loc)),
			       user, user);
	}
	/* Every problem, for --check-config: the secret files, then SNMP's own checks. */
	rc = cfg_check_secrets(cfg, &rt->plugins, err, errlen);
	if (rc < 0)
		cfg_report_add_lines(&rep, err);
	first = first ? first : rc;
	rc = snmp_dl_check_config(cfg, err, errlen); /* targets, v3 settings, password files */
	if (rc < 0)
		cfg_report_add_lines(&rep, err);
	first = first ? first : rc;
	cfg_report_to_err(&rep, err, errlen);
	cfg_report_free(&rep);
	return first;
}

/*
 * SIGHUP: validate the new config and open its sinks before touching
 * anything (a bad one is logged, the old one keeps running); then swap,
 * restart the probes with their new options and rescan.
 */
static void reload(struct daemon *d)
{
	struct runtime *rt = d->rt;
	struct config *cfg, *old;
	struct sink_set *sinks;
	char err[CFG_ERR_MAX];

	log_notice("reloading configuration");
	if (runtime_load_config(rt, &cfg) < 0) {
		log_err("reload failed: keeping the running configuration");
		return;
	}
	sink_set_flush(d->sinks); /* mail bursts into the spool the next sinks read */
	if (daemon_check_config(rt, cfg, err, sizeof(err)) < 0 ||
	    sink_set_open(cfg, &d->sink_env, &sinks, err, sizeof(err)) < 0) {
		log_err("reload failed: %s; keeping the running configuration", err);
		cfg_free(cfg);
		return;
	}
	for (size_t i = 0; i < d->n_slots; i++)
		slot_stop(&d->slots[i], rt->cfg->probe_timeout_ms);
	sink_set_retire(sinks, d->sinks); /* alerts: queued hook runs still finish */
	d->sinks = sinks;
	old = rt->cfg;
	rt->cfg = cfg;
	/* A probe left behind still reads its options from the old config. */
	if (!probe_thread_any_abandoned())
		cfg_free(old);
	runtime_apply_log(rt, cfg);
	/* alerts: damping as configured; later state saves name the new sinks */
	if (runtime_agg_configure(cfg, d->agg) < 0)
		log_err("reload: out of memory: the old [group.*] expectations stay");
	sink_set_fingerprint(cfg, d->sinks_id, sizeof(d->sinks_id));
	loop_timer_arm(d->rescan, cfg->rescan_interval_ms);
	snmp_dl_reload(&d->snmp, cfg, d->loop, d->agg, d->bus); /* SNMP: apply the new [snmp] */
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_open(&d->slots[i], !d->slots[i].ran);
		slot_start(&d->slots[i]);
		/* Disabled now: its groups vanish.  (A failed init is a probe_failed instead.) */
		if (!cfg_probe_enabled(cfg, d->slots[i].name))
			slot_empty(&d->slots[i]);
	}
	scan_all(d);
	/* Said as loudly as a failure: an operator checking a change needs both. */
	log_notice("reloaded configuration: %zu sink%s, files reopened", cfg->n_sinks,
		   cfg->n_sinks == 1 ? "" : "s");
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

static void on_rescan(void *ctx)
{
	struct daemon *d = ctx;

	loop_timer_arm(d->rescan, d->rt->cfg->rescan_interval_ms);
	collect_quiet(d); /* the last scans' answers, before the next are asked for */
	scan_all(d);
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
	if (d->sigfd < 0)
		return -errno;
	rc = loop_add(d->loop, d->sigfd, EPOLLIN, on_signal, d);
	if (rc == 0)
		rc = loop_timer_new(d->loop, on_rescan, d, &d->rescan);
	if (rc == 0)
		rc = loop_timer_arm(d->rescan, d->rt->cfg->rescan_interval_ms);
	return rc;
}

/* Which probes wait for a data source: an operator wondering why a probe is idle reads it here. */
static void log_dormant(const struct daemon *d)
{
	char names[512] = "";
	size_t len = 0, n = 0;

	for (size_t i = 0; i < d->n_slots; i++) {
		if (!d->slots[i].dormant)
			continue;
		n++;
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", d->slots[i].name);
	}
	if (n)
		log_notice("%zu probe%s without a data source, started when one appears (looked "
			   "for at every rescan): %s",
			   n, n == 1 ? "" : "s", names);
}

/* The first scan, before READY: serve the loop until every probe answered or was found hung. */
static int first_scan(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_start(&d->slots[i]);
		request_scan(&d->slots[i]);
	}
	for (;;) {
		bool all = true;

		for (size_t i = 0; i < d->n_slots; i++)
			all = all && (!d->slots[i].r || d->slots[i].answered);
		if (all || d->quit)
			return 0;
		int rc = loop_run_once(d->loop, -1);
		if (rc < 0)
			return rc;
	}
}

static void teardown(struct daemon *d)
{
	for (size_t i = 0; i < d->n_slots; i++) {
		slot_stop(&d->slots[i], STOP_MS);
		slot_forget_sources(&d->slots[i]);
		snapshot_free(&d->slots[i].res.groups);
	}
	free(d->slots);
	loop_timer_free(d->watchdog);
	snmp_dl_close(d->snmp); /* SNMP: before the loop and the aggregator go */
	ctl_server_free(d->ctl);
	loop_timer_free(d->maint_timer);
	service_free(d->svc);
	sink_set_free(d->sinks);
	loop_timer_free(d->recheck); /* alerts */
	loop_timer_free(d->rescan);
	state_close(d->state);
	free(d->state_dir);
	event_list_free(&d->events);
	bus_free(d->bus);
	agg_free(d->agg);
	loop_free(d->loop);
	if (d->sigfd >= 0)
		close(d->sigfd);
}

int daemon_run(struct runtime *rt)
{
	struct daemon d = {
		.rt = rt,
		.sigfd = -1,
	};
	char err[CFG_ERR_MAX];
	int rc;

	if (daemon_check_config(rt, rt->cfg, err, sizeof(err)) < 0) {
		runtime_log_errors(err);
		return 1;
	}
	/* The probes' commands run in a root helper when privileges go: forked single-threaded. */
	if (privdrop_will_drop(rt->cfg, rt->cli->user, rt->cli->root != NULL) &&
	    privhelper_start(rt->cmds) < 0)
		return 1;
	rc = agg_new(&d.agg, rt->cfg->progress_step);
	if (rc == 0)
		rc = bus_open(&d);
	if (rc == 0)
		rc = loop_new(&d.loop);
	if (rc == 0)
		rc = alerts_open(&d);
	if (rc == 0)
		rc = setup_fds(&d);
	if (rc == 0) /* SNMP: before the probes start, so it sees every event */
		rc = snmp_dl_open(rt->cfg, d.loop, d.agg, d.bus, &d.snmp);
	if (rc == 0)
		rc = service_open(d.loop, &d.svc);
	if (rc == 0) /* the probes' init() runs here, still as root */
		rc = setup_slots(&d);
	if (rc == 0)
		rc = control_open(&d);
	if (rc < 0) {
		log_err("cannot start: %s", strerror(-rc));
		teardown(&d);
		return 1;
	}
	sink_set_log_reach(d.sinks); /* alerts: loud when nobody will be notified */
	log_notice("started: %zu probe%s, root %s, rescan every %llu ms", d.n_slots,
		   d.n_slots == 1 ? "" : "s", rt->root,
		   (unsigned long long)rt->cfg->rescan_interval_ms);
	log_dormant(&d);
	/*
	 * Root was needed only to open the probes' fds and sockets: drop it before
	 * their threads start (capabilities are per thread; they inherit what is kept).
	 */
	rc = privhelper_seal(rt->cmds); /* what the probes registered is all they may run */
	if (rc < 0 || privdrop_apply(rt->cfg, rt->cli->user, rt->cli->root != NULL) < 0) {
		teardown(&d);
		return 1;
	}
	rc = first_scan(&d);
	if (rc == 0 && !d.quit) {
		agg_drop_unscanned(d.agg, &d.events); /* alerts: groups of probes gone since */
		publish(&d);
		if (state_dirty(d.state, bus_last_seq(d.bus)))
			state_save(d.state, d.agg, bus_last_seq(d.bus), false);
		service_ready(d.svc, d.agg);
		maint_arm(&d); /* windows from the state file */
		if ((rc = ctl_server_serve(d.ctl)) < 0)
			log_err("control socket: cannot serve: %s", strerror(-rc));
		rc = 0;
	}
	while (rc == 0 && !d.quit) {
		rc = loop_run_once(d.loop, -1);
		if (rc < 0)
			log_err("event loop: %s", strerror(-rc));
	}
	/* alerts: let hooks and POSTs in flight finish, then save the exact sequence */
	sink_set_drain(d.sinks, DRAIN_MS);
	state_save(d.state, d.agg, bus_last_seq(d.bus), true);
	teardown(&d);
	return rc < 0 ? 1 : 0;
}
