/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fd_shares.h"
#include "log.h"
#include "plugin_loader.h"
#include "report_memo.h"

/*
 * Deltas in a row before a scan hands over every group again: each leaves
 * the groups it replaced in the aggregator's arena until then, and the
 * aggregator's checks of time (a scrub overdue) see the unchanged groups
 * only then.  At the default rescan_interval of 30 s, every 16 minutes.
 */
#define DELTAS_MAX 32
/*
 * The same for a scan that answers a notification (probe_answers_event()):
 * handing over thousands of groups there delayed the event by the time it
 * takes (3-5 ms at 1,000 arrays, the md latency's p99), so the whole scan
 * waits for the next periodic one.  The arena holds at most one stale copy
 * of each group a delta replaced, however many deltas there were; this cap
 * only bounds the wait where events never stop.
 */
#define DELTAS_EVENT_MAX 1024

/* The plugin sees this struct only as the opaque struct redmon_host. */
struct probe {
	const struct redmon_plugin *plugin;
	struct probe_env env;
	void *inst;
	char section[64]; /* "probe.<name>" */
	bool in_init, in_scan;
	struct snapshot scan; /* filled during a scan */
	char error[512];
	/* Deltas (probe_enable_delta): what the last scan handed over. */
	struct report_memo memo;
	bool delta_on;	 /* this probe's scans may be deltas */
	bool memo_valid; /* memo is exactly what the last scan handed over */
	bool has_disks;	 /* it reports disks: never a delta (they are not kept apart) */
	unsigned deltas; /* deltas since the last whole scan */
	bool for_event;	 /* the next scan answers a notification (probe_answers_event) */
	size_t left_out; /* groups this delta left out (unchanged or kept) */
	bool rescan; /* scan again at once: this one dropped what it found, or the plugin asked */
};

static struct probe *P(struct redmon_host *h)
{
	return (struct probe *)h;
}

static void host_log(struct redmon_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, P(h)->plugin->name, fmt, ap);
	va_end(ap);
}

static const char *host_option(struct redmon_host *h, const char *key)
{
	struct probe *p = P(h);
	const char *v = cfg_get(p->env.cfg, p->section, key);

	if (v)
		return v;
	for (const struct redmon_option_spec *o = p->plugin->options; o && o->key; o++) {
		if (strcmp(o->key, key) == 0)
			return o->default_value;
	}
	return NULL;
}

static const char *host_root(struct redmon_host *h)
{
	return P(h)->env.root;
}

static int host_root_fd(struct redmon_host *h)
{
	return P(h)->env.root_fd;
}

static bool host_root_is_live(struct redmon_host *h)
{
	return strcmp(P(h)->env.root, "/") == 0;
}

static bool host_events_wanted(struct redmon_host *h)
{
	return P(h)->env.watcher != NULL;
}

/* In a delta, a group whose report hashes as the one handed over last is left out. */
static int host_report(struct redmon_host *h, const struct redmon_group *g)
{
	struct probe *p = P(h);
	size_t ms = plugin_member_size(p->plugin), gs = plugin_group_size(p->plugin);
	struct memo_entry *e;
	uint64_t content;
	int rc;

	if (!p->in_scan)
		return -EINVAL;
	if (!p->delta_on)
		return snapshot_add_sized(&p->scan, p->plugin->name, g, ms, gs);
	content = group_report_hash(g, ms, gs);
	if (!content)
		return -EINVAL;
	e = memo_find(&p->memo, g->name);
	if (e && e->seen == p->memo.epoch)
		p->memo_valid = false; /* reported twice: which copy the core keeps, it decides */
	else if (p->scan.delta && e && e->content == content) {
		e->seen = p->memo.epoch;
		p->left_out++;
		return 0;
	}
	rc = snapshot_add_sized(&p->scan, p->plugin->name, g, ms, gs);
	if (rc == 0 && memo_put(&p->memo, g->name, content) < 0) {
		p->memo_valid = false; /* handed over, not remembered: the next scan is whole */
		return -ENOMEM;
	}
	return rc;
}

static int host_keep(struct redmon_host *h, const char *name)
{
	struct probe *p = P(h);
	struct memo_entry *e;

	if (!p->in_scan || !name)
		return -EINVAL;
	e = p->scan.delta ? memo_find(&p->memo, name) : NULL;
	if (!e || e->seen == p->memo.epoch)
		return -ENOENT;
	e->seen = p->memo.epoch;
	p->left_out++;
	return 0;
}

static int host_report_disk(struct redmon_host *h, const struct redmon_disk *d, size_t size)
{
	struct probe *p = P(h);
	int rc;

	if (!p->in_scan)
		return -EINVAL;
	rc = snapshot_add_disk(&p->scan, d, size);
	if (rc == -EEXIST) {
		log_warn("probe %s: disk %s reported twice in one scan", p->plugin->name,
			 d->device);
		return 0;
	}
	return rc;
}

static void host_scan_error(struct redmon_host *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(P(h)->error, sizeof(P(h)->error), fmt, ap);
	va_end(ap);
}

static int host_watch_fd(struct redmon_host *h, int fd, uint32_t events)
{
	const struct probe_watcher *w = P(h)->env.watcher;

	if (!w)
		return -EOPNOTSUPP;
	return w->watch(w->ctx, P(h), fd, events);
}

static void host_unwatch_fd(struct redmon_host *h, int fd)
{
	const struct probe_watcher *w = P(h)->env.watcher;

	if (w)
		w->unwatch(w->ctx, P(h), fd);
}

static int host_register_command(struct redmon_host *h, const char *const argv[],
				 uint32_t timeout_ms, uint32_t out_max)
{
	struct probe *p = P(h);
	const struct probe_commands *c = p->env.cmds;
	char why[512];
	int rc;

	if (!c)
		return -EOPNOTSUPP;
	if (!p->in_init) {
		log_err("probe %s: register_command outside init(): refused", p->plugin->name);
		return -EPERM;
	}
	rc = c->register_command(c->ctx, p->plugin->name, argv, timeout_ms, out_max, why,
				 sizeof(why));
	if (rc < 0)
		log_err("probe %s: cannot register a command: %s", p->plugin->name, why);
	return rc;
}

static int host_run_command(struct redmon_host *h, int id, struct redmon_cmd_result *ret)
{
	const struct probe_commands *c = P(h)->env.cmds;

	if (!c) {
		*ret = (struct redmon_cmd_result){ .exit_status = -1 };
		snprintf(ret->err, sizeof(ret->err), "commands are not offered here");
		return -EOPNOTSUPP;
	}
	return c->run(c->ctx, P(h)->plugin->name, id, ret);
}

static size_t host_fd_share(struct redmon_host *h, size_t want)
{
	struct probe *p = P(h);

	return fd_shares_ask(p, want, p->in_init);
}

static void host_rescan(struct redmon_host *h)
{
	struct probe *p = P(h);

	if (p->in_scan)
		p->rescan = true;
}

static const struct redmon_host_ops host_ops = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_host_ops),
	.log = host_log,
	.option = host_option,
	.root = host_root,
	.root_fd = host_root_fd,
	.root_is_live = host_root_is_live,
	.events_wanted = host_events_wanted,
	.report = host_report,
	.scan_error = host_scan_error,
	.watch_fd = host_watch_fd,
	.unwatch_fd = host_unwatch_fd,
	.register_command = host_register_command,
	.run_command = host_run_command,
	.report_disk = host_report_disk,
	.keep = host_keep,
	.fd_share = host_fd_share,
	.rescan = host_rescan,
};

int probe_new(const struct redmon_plugin *plugin, const struct probe_env *env, struct probe **ret)
{
	struct probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->plugin = plugin;
	p->env = *env;
	snprintf(p->section, sizeof(p->section), "probe.%s", plugin->name);
	p->in_init = true;
	rc = plugin->init(&host_ops, (struct redmon_host *)p, &p->inst);
	p->in_init = false;
	if (rc < 0) {
		fd_shares_leave(p);
		free(p);
		return rc;
	}
	*ret = p;
	return 0;
}

void probe_enable_delta(struct probe *p)
{
	p->delta_on = true;
}

void probe_want_whole(struct probe *p)
{
	p->memo_valid = false;
}

void probe_answers_event(struct probe *p)
{
	p->for_event = true;
}

static int add_gone(void *ctx, const char *name)
{
	struct probe *p = ctx;

	return snapshot_add_gone(&p->scan, p->plugin->name, name);
}

/*
 * After a scan with deltas on: the memo drops what was not reported, and a
 * delta names it gone.  False when the memo cannot be trusted any more
 * (out of memory, a delta with disks): the next scan is whole.
 */
static bool memo_end(struct probe *p)
{
	bool delta = p->scan.delta;

	if (p->scan.n_disks)
		p->has_disks = true;
	if (delta && p->scan.n_disks && !p->left_out) {
		/* Disks first seen, every group reported (smart has none): a whole scan. */
		p->scan.delta = delta = false;
	} else if (delta && p->scan.n_disks) {
		/* Not kept apart from the groups left out: a whole scan, at once, hands them over. */
		p->scan.n_disks = 0;
		p->rescan = true;
		return false;
	}
	if (memo_sweep(&p->memo, delta ? add_gone : NULL, p) < 0)
		return false;
	p->deltas = delta ? p->deltas + 1 : 0;
	return p->memo_valid;
}

int probe_scan(struct probe *p)
{
	unsigned max = p->for_event ? DELTAS_EVENT_MAX : DELTAS_MAX;
	bool delta = p->delta_on && p->memo_valid && !p->has_disks && p->deltas < max;
	int rc;

	p->for_event = false;
	snapshot_clear(&p->scan);
	p->error[0] = 0;
	/* A delta is small: the hints of a whole scan would size its arena for everything. */
	if (delta)
		p->scan.arena_hint = p->scan.groups_hint = 0;
	memo_begin(&p->memo);
	p->left_out = 0;
	p->rescan = false;
	p->memo_valid = p->delta_on;
	p->scan.delta = delta;
	p->in_scan = true;
	rc = p->plugin->scan(p->inst);
	p->in_scan = false;
	if (rc < 0) {
		if (!p->error[0])
			snprintf(p->error, sizeof(p->error), "scan failed: %s", strerror(-rc));
		snapshot_clear(&p->scan);
		p->memo_valid = false;
		return rc;
	}
	if (p->delta_on)
		p->memo_valid = memo_end(p);
	if (snapshot_sort(&p->scan) > 0)
		log_warn("%s: a group name was reported twice in one scan; kept one",
			 p->plugin->name);
	return 0;
}

bool probe_rescan_wanted(const struct probe *p)
{
	return p->rescan;
}

int probe_on_fd(struct probe *p, int fd, uint32_t revents)
{
	if (!p->plugin->on_fd)
		return 0;
	return p->plugin->on_fd(p->inst, fd, revents);
}

struct snapshot *probe_groups(struct probe *p)
{
	return &p->scan;
}

const char *probe_error(const struct probe *p)
{
	return p->error[0] ? p->error : NULL;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	if (p->plugin->fini)
		p->plugin->fini(p->inst);
	fd_shares_leave(p); /* after fini(): its files are closed */
	snapshot_free(&p->scan);
	memo_reset(&p->memo);
	free(p);
}
