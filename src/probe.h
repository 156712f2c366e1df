/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A probe instance: one plugin with its configuration, and its struct redmon_host_ops. */
#ifndef REDMON_PROBE_H
#define REDMON_PROBE_H

#include <stdint.h>

#include "model.h"
#include "redmon/plugin.h"

struct config;
struct probe;

/* How the owner (the daemon loop) watches fds for a probe; NULL in one-shot mode. */
struct probe_watcher {
	int (*watch)(void *ctx, struct probe *p, int fd, uint32_t events);
	void (*unwatch)(void *ctx, struct probe *p, int fd);
	void *ctx;
};

/* How the owner runs the commands probes register (src/privhelper.h). */
struct probe_commands {
	int (*register_command)(void *ctx, const char *owner, const char *const argv[],
				uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen);
	int (*run)(void *ctx, const char *owner, int id, struct redmon_cmd_result *ret);
	void *ctx;
};

struct probe_env {
	const struct config *cfg; /* borrowed; must outlive the probe */
	const char *root;	  /* "/" or --root */
	int root_fd;		  /* O_PATH fd of root, owned by the caller */
	const struct probe_watcher *watcher;
	const struct probe_commands *cmds; /* NULL: register_command/run_command not offered */
};

/* An instance of plugin: 0 and *ret, or -errno when its init() failed (it logged why). */
int probe_new(const struct redmon_plugin *plugin, const struct probe_env *env, struct probe **ret);

/* One scan: 0 and the groups in *probe_groups(p), or -errno and probe_error(p). */
int probe_scan(struct probe *p);

/*
 * From now on a scan may be a delta (model.h): only the groups whose report
 * changed, appeared or vanished since the scan handed over before.  For an
 * owner that applies every result in order (agg_update); the first scan,
 * one after a failure, and every DELTAS_MAX-th are whole.
 */
void probe_enable_delta(struct probe *p);

/* The next scan hands over every group (the owner could not apply the last one). */
void probe_want_whole(struct probe *p);

/*
 * The next scan answers a notification: it stays a delta past the count of
 * deltas after which a periodic scan hands over every group, so that the
 * event is not delayed by that (DELTAS_EVENT_MAX in probe.c).
 */
void probe_answers_event(struct probe *p);

/*
 * The last scan could not hand over all it found (disks first reported in
 * a delta that left groups out): the next, whole scan should come at once.
 */
bool probe_rescan_wanted(const struct probe *p);

/* Forward a watched fd's readiness to the plugin; 1 = rescan wanted. */
int probe_on_fd(struct probe *p, int fd, uint32_t revents);

struct snapshot *probe_groups(struct probe *p);
const char *probe_error(const struct probe *p);
void probe_free(struct probe *p);

#endif
