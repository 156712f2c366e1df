// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smart probe: each disk's health through `smartctl -j -a -n standby`
 * (smartmontools 7), off the main loop on a periodic worker (default every
 * 30 minutes, as smartd), through the registered-command runner so that with
 * privileges dropped the root helper runs it.  `-n standby` leaves a sleeping
 * disk asleep: its last verdict stays (or unknown, "in standby", before any).
 * It reports disks (report_disk), never groups: the core joins them to the
 * members of the groups they serve.  Under --root, DIR/smartctl-*.json are
 * read instead, one disk each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redmon/plugin.h"
#include "smart_read.h"
#include "smart_targets.h"
#include "../lib/child.h"
#include "../lib/periodic.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"

#define OUT_MAX ((uint32_t)4 << 20) /* -a of a disk with long logs stays far below */

struct smart_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	struct periodic *w;
	bool live;
	uint64_t interval_ms, timeout_ms;
	char path[256];
	struct smart_targets t; /* the worker's alone */
	struct strbuf buf;	/* captures, read by scan() */
	/* published by the worker, under periodic_lock() */
	struct smart_disk *pub;
	size_t n_pub;
};

static const struct redmon_option_spec smart_options[] = {
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30m",
	  .min = 1000,
	  .max = 86400000,
	  .help = "daemon: how often every disk is read (smartd's default is 30 minutes)" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "60s",
	  .min = 100,
	  .max = REDMON_CMD_TIMEOUT_MS_MAX,
	  .help = "a smartctl still running after this is killed; its disk is unknown" },
	{ .key = "path", .type = REDMON_OPT_STRING, .help = "smartctl by absolute path" },
	{ .key = "devices",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "more devices, ';'-separated, \"/dev/bus/0 megaraid,1\": disks behind a "
		  "controller" },
	{ 0 }
};

static void run_one(struct smart_probe *p, struct smart_target *d)
{
	struct redmon_cmd_result res;
	int rc = p->ops->run_command(p->h, d->cmd_id, &res);

	char why[200];

	if (rc == 0 && res.out) {
		smart_target_judge(d, res.out, res.out_len);
	} else {
		/* stderr is the tool's: printable only, and cut */
		strv_copy_printable(strv_c(res.err[0] ? res.err : strerror(-rc)), why, sizeof(why));
		d->last = (struct smart_disk){ .health = REDMON_RISK_UNKNOWN, .error_log = -1 };
		snprintf(d->last.reason, sizeof(d->last.reason), "smartctl did not run: %s", why);
		d->have_last = true;
	}
	/* the device as this probe asked for it, whatever the JSON says */
	memcpy(d->last.device, d->device, sizeof(d->last.device));
	child_result_free(&res);
}

static void read_capture(struct smart_probe *p, struct smart_target *d)
{
	int fd = rootfs_open_regular(p->ops->root_fd(p->h), d->file);
	bool cut = false;
	int rc = fd < 0 ? fd : strbuf_read_fd(&p->buf, fd, OUT_MAX, 0, &cut);

	if (fd >= 0)
		close(fd);
	if (rc < 0 || cut) {
		d->last = (struct smart_disk){ .health = REDMON_RISK_UNKNOWN, .error_log = -1 };
		snprintf(d->last.device, sizeof(d->last.device), "/%.120s", d->file);
		snprintf(d->last.reason, sizeof(d->last.reason), "cannot read %.120s: %s", d->file,
			 cut ? "too long" : strerror(-rc));
		return;
	}
	smart_target_judge(d, p->buf.p, p->buf.len);
	if (!d->last.device[0]) /* no device in the capture: name it by its file */
		snprintf(d->last.device, sizeof(d->last.device), "/%.120s", d->file);
}

/* The worker's job: every disk, then publish the verdicts at once. */
static void run_all(void *ctx, struct periodic *w)
{
	struct smart_probe *p = ctx;
	struct smart_disk *v = calloc(p->t.n ? p->t.n : 1, sizeof(*v));

	for (size_t i = 0; i < p->t.n; i++) {
		run_one(p, &p->t.v[i]);
		if (v)
			v[i] = p->t.v[i].last;
	}
	periodic_lock(w);
	if (v) {
		free(p->pub);
		p->pub = v;
		p->n_pub = p->t.n;
	}
	periodic_publish(w, v != NULL);
	periodic_unlock(w);
}

static void smart_fini(void *inst)
{
	struct smart_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w);
	smart_targets_free(&p->t);
	strbuf_free(&p->buf);
	free(p->pub);
	free(p);
}

/* Register one smartctl per disk; a disk whose line is refused is left out, logged. */
static void register_all(struct smart_probe *p)
{
	size_t out = 0;

	for (size_t i = 0; i < p->t.n; i++) {
		struct smart_target *d = &p->t.v[i];
		const char *argv[] = { p->path, "-j", "-a", "-n", "standby",
				       d->name, NULL, NULL, NULL };

		if (d->type[0]) {
			argv[5] = "-d";
			argv[6] = d->type;
			argv[7] = d->name;
		}
		d->cmd_id = p->ops->register_command(p->h, argv, (uint32_t)p->timeout_ms, OUT_MAX);
		if (d->cmd_id >= 0)
			p->t.v[out++] = *d;
	}
	p->t.n = out;
}

/* Live: find smartctl and the disks, register, start the worker. */
static int setup_live(struct smart_probe *p)
{
	char why[256] = "";
	int rc =
		child_find_tool("smartctl", p->ops->option(p->h, "path"), p->path, sizeof(p->path));

	if (rc < 0) {
		p->ops->log(p->h, REDMON_LOG_INFO,
			    "no smartctl (smartmontools 7) found: no disk health is read");
		return 0;
	}
	if (!REDMON_HOST_HAS(p->ops, register_command)) {
		p->ops->log(p->h, REDMON_LOG_WARNING, "this redmon cannot run tools: no disk read");
		return 0;
	}
	rc = smart_targets_sysfs(&p->t, p->ops->root_fd(p->h));
	if (rc < 0)
		p->ops->log(p->h, REDMON_LOG_WARNING, "cannot list /sys/block: %s", strerror(-rc));
	rc = smart_targets_option(&p->t, p->ops->option(p->h, "devices"), why, sizeof(why));
	if (rc < 0) {
		p->ops->log(p->h, REDMON_LOG_ERR, "%s", why[0] ? why : strerror(-rc));
		return rc;
	}
	register_all(p);
	p->ops->log(p->h, REDMON_LOG_INFO, "%zu disk%s through %s", p->t.n, p->t.n == 1 ? "" : "s",
		    p->path);
	return periodic_start(p->ops, p->h, p->interval_ms, run_all, p, &p->w);
}

static int smart_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct smart_probe *p = calloc(1, sizeof(*p));
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	if (!REDMON_HOST_HAS(ops, report_disk)) {
		ops->log(h, REDMON_LOG_ERR, "this redmon takes no disk reports: upgrade it");
		smart_fini(p);
		return -EPROTO;
	}
	if (strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0) {
		smart_fini(p);
		return -EINVAL;
	}
	p->live = ops->root_is_live(h);
	if (p->live)
		rc = setup_live(p);
	else
		rc = smart_targets_captures(&p->t, ops->root_fd(h));
	if (rc < 0) {
		ops->log(h, REDMON_LOG_ERR, "cannot start: %s", strerror(-rc));
		smart_fini(p);
		return rc;
	}
	*ret = p;
	return 0;
}

static int report(struct smart_probe *p, const struct smart_disk *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct redmon_disk d = {
			.device = v[i].device,
			.health = v[i].health,
			.reason = v[i].reason,
			.model = v[i].model[0] ? v[i].model : NULL,
			.serial = v[i].serial[0] ? v[i].serial : NULL,
		};
		int rc = p->ops->report_disk(p->h, &d, sizeof(d));

		if (rc < 0 && rc != -EINVAL) {
			p->ops->scan_error(p->h, "cannot report disk %s: %s", d.device,
					   strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int smart_scan(void *inst)
{
	struct smart_probe *p = inst;
	int rc = 0;

	if (p->live) {
		if (!p->w)
			return 0;
		periodic_oneshot(p->w);
		if (periodic_lock(p->w) > 0)
			rc = report(p, p->pub, p->n_pub);
		periodic_unlock(p->w);
		return rc;
	}
	for (size_t i = 0; i < p->t.n && rc == 0; i++) {
		read_capture(p, &p->t.v[i]);
		rc = report(p, &p->t.v[i].last, 1);
	}
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "smart",
	.description = "disk health (SMART, NVMe) through smartctl -j",
	.options = smart_options,
	.init = smart_init,
	.fini = smart_fini,
	.scan = smart_scan,
	.on_fd = periodic_on_fd,
};
