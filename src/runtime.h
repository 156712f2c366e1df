/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every subcommand sets up alike: options, config, plugins, root directory, host name. */
#ifndef REDMON_RUNTIME_H
#define REDMON_RUNTIME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "plugin_loader.h"
#include "probe.h"

struct agg;
struct plug_source;
struct privhelper;

struct cli {
	const char *command;
	const char *config_file;
	char **overrides;
	size_t n_overrides;
	const char *root;
	const char *plugin_dir;
	int json; /* int, not bool: getopt_long() sets these flags itself */
	int check_config;
	int no_color;	  /* status: never colour */
	int watch;	  /* status: redraw on every change */
	int sort;	  /* status: enum status_sort */
	int test;	  /* status: exit code from the worst health (mdadm --detail --test) */
	const char *user; /* daemon: --user, over [daemon] user */
	int verbosity;
};

struct runtime {
	const struct cli *cli;
	struct config *cfg;
	struct plugin_set plugins;
	char root[PATH_MAX];
	int root_fd;
	char plugin_dir[PATH_MAX];
	char host[256];
	/* the commands probes run, in-process or by the privileged helper (src/privhelper.h) */
	struct privhelper *cmds;
	struct probe_commands cmd_ops; /* what a probe_env points at */
};

/*
 * Load config, root and plugins for cli; logs what is wrong and returns
 * -errno, else rt is freed with runtime_close().  With cli->check_config a
 * config in error is loaded all the same (rt->cfg->problems), the checks
 * that need plugins or hooks left to the caller, which reports them all.
 */
int runtime_open(struct runtime *rt, const struct cli *cli);

/*
 * Load and validate a config the way runtime_open() does, for reloads; a
 * plugin left unloaded for want of a source is loaded when the config has a
 * [probe.NAME] section for it.
 */
int runtime_load_config(struct runtime *rt, struct config **ret);

/* The host name events carry ([daemon] hostname, else the system's), control characters as '?'. */
void runtime_hostname(const struct config *cfg, char *buf, size_t len);

/* Log each line of text (problems joined by '\n') as an error. */
void runtime_log_errors(const char *text);

/* Apply the [daemon] log settings of cfg (command-line -v wins). */
void runtime_apply_log(const struct runtime *rt, const struct config *cfg);

/*
 * When probe name would find nothing here (its NAME.sources in the plugin
 * directory parses and names no source that exists, and no [probe.NAME] is
 * configured; plugin_sources.h): those sources, a copy of *n entries to
 * free().  NULL when the probe must run, or out of memory (then it runs
 * too).  The daemon keeps the copy and loads the plugin and starts the probe
 * only once runtime_sources_appeared() says so, without reading the file
 * each time; a one-shot command does not load such a plugin at all.
 */
struct plug_source *runtime_probe_sourceless(const struct runtime *rt, const char *name, size_t *n);

/* Whether one of the n sources v of probe name (runtime_probe_sourceless()) exists now. */
bool runtime_sources_appeared(const struct runtime *rt, const char *name,
			      const struct plug_source *v, size_t n);

/* One scan of every enabled probe into agg (no watches): status and check. */
void runtime_scan_once(struct runtime *rt, struct agg *agg);

/*
 * The aggregator's settings from cfg: progress step, damping, stall_after
 * and the [group.ID] expectations.  0 or -ENOMEM (the expectations kept).
 */
int runtime_agg_configure(const struct config *cfg, struct agg *agg);

void runtime_close(struct runtime *rt);

#endif
