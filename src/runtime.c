/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agg.h"
#include "log.h"
#include "privdrop.h"
#include "privhelper.h"
#include "loop_timer.h"
#include "plugin_sources.h"
#include "probe_thread.h"

/*
 * Plugins come from --plugin-dir, else [daemon] plugin_dir, else a plugins/
 * folder next to the binary (so build/redmon runs from the tree), else
 * ../lib/redmon/plugins from the binary (an install under any PREFIX, even one
 * given only to `make install`), else the path compiled in.
 */
static void pick_plugin_dir(struct runtime *rt)
{
	static const char *const beside[] = { "plugins", "../lib/redmon/plugins" };
	const char *dir = rt->cli->plugin_dir ? rt->cli->plugin_dir : rt->cfg->plugin_dir;
	char exe[PATH_MAX];
	ssize_t n = dir ? 0 : readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n > 0) {
		exe[n] = 0;
		dirname(exe);
		for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
			int len = snprintf(rt->plugin_dir, sizeof(rt->plugin_dir), "%s/%s", exe,
					   beside[i]);

			if (len > 0 && (size_t)len < sizeof(rt->plugin_dir) &&
			    stat(rt->plugin_dir, &st) == 0 && S_ISDIR(st.st_mode))
				return;
		}
	}
	snprintf(rt->plugin_dir, sizeof(rt->plugin_dir), "%s", dir ? dir : REDMON_PLUGINDIR);
}

void runtime_log_errors(const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");

		log_err("%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

/*
 * A reload's [probe.NAME] section for a plugin the daemon has not loaded
 * (no source yet): load it, since its keys are checked against its options
 * and a configured probe runs whatever its sources.  One that fails to load
 * is said here; the check then reports its section.
 */
static void load_configured(struct runtime *rt, const struct config *cfg)
{
	for (size_t i = 0; i < rt->plugins.n; i++) {
		struct plugin *p = &rt->plugins.v[i];
		char section[64], err[512];

		if (p->desc || !p->skipped)
			continue;
		snprintf(section, sizeof(section), "probe.%s", p->skipped);
		if (cfg_has_section(cfg, section) &&
		    plugin_set_load_skipped(&rt->plugins, p, err, sizeof(err)) < 0)
			log_err("plugin refused: %s", err);
	}
}

int runtime_load_config(struct runtime *rt, struct config **ret)
{
	struct config *cfg = NULL;
	char err[CFG_ERR_MAX];
	int rc;

	/* --check-config goes on with a config in error: it reports every problem itself. */
	if (rt->cli->check_config) {
		rc = cfg_load_all(rt->cli->config_file, rt->cli->overrides, rt->cli->n_overrides,
				  &cfg, err, sizeof(err));
		if (rc < 0)
			log_err("%s", err);
		else
			*ret = cfg;
		return rc;
	}
	rc = cfg_load(rt->cli->config_file, rt->cli->overrides, rt->cli->n_overrides, &cfg, err,
		      sizeof(err));
	/* status and check never run hooks; everything else (daemon, reload) may. */
	if (rc == 0 && (!rt->cli->command || (strcmp(rt->cli->command, "status") != 0 &&
					      strcmp(rt->cli->command, "check") != 0)))
		rc = privdrop_check_config(cfg, err, sizeof(err));
	if (rc == 0 && rt->plugins.n) {
		load_configured(rt, cfg);
		rc = cfg_check_probes(cfg, &rt->plugins, err, sizeof(err));
	}
	if (rc < 0) {
		runtime_log_errors(err);
		cfg_free(cfg);
		return rc;
	}
	*ret = cfg;
	return 0;
}

void runtime_apply_log(const struct runtime *rt, const struct config *cfg)
{
	int level = cfg->log_level + rt->cli->verbosity;

	log_setup(cfg->log_syslog ? LOG_TARGET_SYSLOG : LOG_TARGET_STDERR,
		  level > LOG_DEBUG ? LOG_DEBUG : level);
}

static int open_root(struct runtime *rt)
{
	const char *root = rt->cli->root ? rt->cli->root : "/";

	if (!realpath(root, rt->root)) {
		log_err("root directory %s: %s", root, strerror(errno));
		return -errno;
	}
	rt->root_fd = open(rt->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rt->root_fd < 0) {
		log_err("root directory %s: %s", rt->root, strerror(errno));
		return -errno;
	}
	return 0;
}

/* status (without --watch) and check scan once. */
static bool one_shot(const struct cli *cli)
{
	return cli->command && !cli->check_config &&
	       ((strcmp(cli->command, "status") == 0 && !cli->watch) ||
		strcmp(cli->command, "check") == 0);
}

/*
 * Whether a plugin without a data source is left unloaded: by a one-shot
 * command for good, by the daemon until its source appears (daemon.c).
 * dlopen() costs the memory its relocations dirty (ipmi's libfreeipmi alone
 * 460 KiB); --check-config and --watch load everything.
 */
static bool defers_plugins(const struct cli *cli)
{
	return one_shot(cli) ||
	       (cli->command && !cli->check_config && strcmp(cli->command, "daemon") == 0);
}

struct skip_ctx {
	const struct runtime *rt;
	char section[64]; /* "probe.NAME" */
};

static bool probe_key_set(void *ctx, const char *key)
{
	const struct skip_ctx *c = ctx;

	return cfg_get(c->rt->cfg, c->section, key) != NULL;
}

bool runtime_sources_appeared(const struct runtime *rt, const char *name,
			      const struct plug_source *v, size_t n)
{
	struct skip_ctx c = { .rt = rt };
	struct plug_sources_env env = {
		.root_fd = rt->root_fd,
		.live = strcmp(rt->root, "/") == 0,
		.config_set = probe_key_set,
		.ctx = &c,
	};

	snprintf(c.section, sizeof(c.section), "probe.%s", name);
	return plug_sources_any(v, n, &env);
}

/*
 * The sources of plugin name in dir, parsed into *src, when it would find
 * nothing: 0; -ENOENT when it must be loaded (a source exists, [probe.NAME]
 * is configured, no .sources file, or a bad one, said at debug level).
 */
static int sources_missing(const struct runtime *rt, const char *dir, const char *name,
			   struct plug_sources *src)
{
	char path[PATH_MAX], section[64], err[PLUG_SOURCE_ARG_MAX + 128];
	int rc;

	snprintf(section, sizeof(section), "probe.%s", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.sources", dir, name) >= sizeof(path) ||
	    cfg_has_section(rt->cfg, section))
		return -ENOENT;
	rc = plug_sources_read(path, src, err, sizeof(err));
	if (rc < 0) {
		if (rc != -ENOENT)
			log_debug("%s: %s: plugin %s loaded", path, err, name);
		return -ENOENT;
	}
	if (runtime_sources_appeared(rt, name, src->v, src->n))
		return -ENOENT;
	log_debug("skipped %s: no source (%s)", name, path);
	return 0;
}

/*
 * A one-shot command, and the daemon until a source appears, leave out a
 * plugin whose NAME.sources parses and names no source that exists, unless
 * [probe.NAME] is configured: it would find nothing, and dlopen plus a probe
 * thread are most of what `check` costs on a host without that hardware.
 * No file, or a bad one: the plugin is loaded.
 */
static bool no_source(void *ctx, const char *dir, const char *name)
{
	struct plug_sources src;

	return sources_missing(ctx, dir, name, &src) == 0;
}

struct plug_source *runtime_probe_sourceless(const struct runtime *rt, const char *name, size_t *n)
{
	struct plug_sources src;
	struct plug_source *copy;

	if (sources_missing(rt, rt->plugin_dir, name, &src) < 0)
		return NULL;
	/* Only the entries parsed: a full struct plug_sources is 16 KiB. */
	copy = malloc(src.n * sizeof(*copy));
	if (copy) {
		memcpy(copy, src.v, src.n * sizeof(*copy));
		*n = src.n;
	}
	return copy;
}

static int load_plugins(struct runtime *rt)
{
	struct plugin_filter filter = { .skip = no_source, .ctx = rt };
	char err[CFG_ERR_MAX];
	size_t usable = 0;
	int rc;

	pick_plugin_dir(rt);
	rc = plugin_set_load_dir(&rt->plugins, rt->plugin_dir,
				 defers_plugins(rt->cli) ? &filter : NULL, err, sizeof(err));
	if (rc < 0) {
		log_err("%s (set --plugin-dir or [daemon] plugin_dir)", err);
		return rc;
	}
	for (size_t i = 0; i < rt->plugins.n; i++) {
		if (rt->plugins.v[i].error)
			log_err("plugin refused: %s", rt->plugins.v[i].error);
		else
			usable++;
	}
	if (usable == 0) {
		log_err("no usable probe plugin in %s", rt->plugin_dir);
		return -ENOENT;
	}
	return 0;
}

void runtime_hostname(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->hostname)
		snprintf(buf, len, "%s", cfg->hostname);
	else if (gethostname(buf, len - 1) < 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = 0;
	/* sethostname(2) takes any bytes; the config refuses these too. */
	for (char *p = buf; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

int runtime_open(struct runtime *rt, const struct cli *cli)
{
	char err[CFG_ERR_MAX];
	int rc;

	memset(rt, 0, sizeof(*rt));
	rt->cli = cli;
	rt->root_fd = -1;
	rc = runtime_load_config(rt, &rt->cfg);
	if (rc < 0)
		return rc;
	runtime_apply_log(rt, rt->cfg);
	rc = open_root(rt);
	if (rc == 0)
		rc = privhelper_new(&rt->cmds);
	if (rc == 0)
		rc = load_plugins(rt);
	if (rc == 0 && !cli->check_config) {
		rc = cfg_check_probes(rt->cfg, &rt->plugins, err, sizeof(err));
		if (rc < 0)
			runtime_log_errors(err);
	}
	if (rc < 0) {
		runtime_close(rt);
		return rc;
	}
	runtime_hostname(rt->cfg, rt->host, sizeof(rt->host));
	privhelper_commands(rt->cmds, &rt->cmd_ops);
	return 0;
}

/* Wait for r's result until deadline (mono_ms); false: none came. */
static bool wait_result(struct probe_thread *r, uint64_t deadline, struct probe_result *res)
{
	for (;;) {
		struct pollfd pfd = { .fd = probe_thread_fd(r), .events = POLLIN };
		uint64_t now = mono_ms();

		if (probe_thread_collect(r, res))
			return true;
		if (now >= deadline)
			return false;
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return false;
	}
}

/*
 * Every probe scans on its own thread, all at once; one that has not
 * answered within probe_timeout is reported failed and left behind (the
 * process ends soon after: `redmon check` must answer within its own
 * timeout even when a probe hangs).
 */
int runtime_agg_configure(const struct config *cfg, struct agg *agg)
{
	agg_configure(agg, cfg->progress_step, cfg->recovery_scans);
	agg_set_stall_after(agg, cfg->stall_after_ms);
	agg_set_scrub_max_age(agg, (int64_t)(cfg->scrub_max_age_ms / 1000));
	return agg_expect(agg, cfg->groups, cfg->n_groups);
}

void runtime_scan_once(struct runtime *rt, struct agg *agg)
{
	const struct probe_env env = {
		.cfg = rt->cfg,
		.root = rt->root,
		.root_fd = rt->root_fd,
		.cmds = &rt->cmd_ops,
	};
	struct probe_thread **run = calloc(rt->plugins.n ? rt->plugins.n : 1, sizeof(*run));
	struct probe_result res = { 0 };
	uint64_t deadline = mono_ms() + rt->cfg->probe_timeout_ms;
	char why[600];

	if (!run) {
		log_err("out of memory");
		return;
	}
	for (size_t i = 0; i < rt->plugins.n; i++) {
		const struct redmon_plugin *pl = rt->plugins.v[i].desc;

		if (!pl || !cfg_probe_enabled(rt->cfg, pl->name))
			continue;
		if (probe_thread_new(pl, &env, false, &run[i], why, sizeof(why)) == 0 &&
		    probe_thread_start(run[i]) < 0) {
			snprintf(why, sizeof(why), "cannot start its thread");
			probe_thread_stop(run[i], 0);
			run[i] = NULL;
		}
		if (run[i]) {
			probe_thread_request_scan(run[i]);
		} else {
			log_err("probe %s: %s", pl->name, why);
			agg_probe_failed(agg, pl->name, why, NULL);
		}
	}
	/* In plugin order, so that the report does not depend on which thread was first. */
	for (size_t i = 0; i < rt->plugins.n; i++) {
		const struct redmon_plugin *pl = rt->plugins.v[i].desc;
		bool answered;

		if (!pl && rt->plugins.v[i].skipped) {
			/* Listed as it would have answered: ok, no group. */
			struct snapshot none = { 0 };

			if (agg_update(agg, rt->plugins.v[i].skipped, &none, NULL) < 0)
				agg_probe_failed(agg, rt->plugins.v[i].skipped, "out of memory",
						 NULL);
			snapshot_free(&none);
			continue;
		}
		if (!pl) {
			agg_probe_failed(agg, rt->plugins.v[i].path, rt->plugins.v[i].error, NULL);
			continue;
		}
		if (!run[i])
			continue;
		answered = wait_result(run[i], deadline, &res);
		if (!answered) {
			snprintf(why, sizeof(why), "no answer within %llu ms (probe_timeout)",
				 (unsigned long long)rt->cfg->probe_timeout_ms);
			log_err("probe %s: %s", pl->name, why);
			agg_probe_failed(agg, pl->name, why, NULL);
		} else if (res.rc < 0) {
			log_err("probe %s: %s", pl->name, res.error);
			agg_probe_failed(agg, pl->name, res.error, NULL);
		} else if (agg_update(agg, pl->name, &res.groups, NULL) < 0) {
			agg_probe_failed(agg, pl->name, "out of memory", NULL);
		}
		/* One that answered is idle: it only has fini() left to run. */
		probe_thread_stop(run[i], answered ? 1000 : 0);
	}
	snapshot_free(&res.groups);
	free(run);
}

/* What a hung probe may still use (runtime_close()); volatile: the stores must stay. */
static void *volatile kept[2];

void runtime_close(struct runtime *rt)
{
	plugin_set_free(&rt->plugins);
	/*
	 * A hung probe thread may still read its options or run a command: both
	 * stay allocated, in statics so that they stay reachable (through rt,
	 * which may be gone) and a leak checker does not report them.
	 */
	if (probe_thread_any_abandoned()) {
		kept[0] = rt->cfg;
		kept[1] = rt->cmds;
	} else {
		cfg_free(rt->cfg);
		privhelper_free(rt->cmds);
	}
	rt->cmds = NULL;
	rt->cfg = NULL;
	if (rt->root_fd >= 0)
		close(rt->root_fd);
	rt->root_fd = -1;
}
