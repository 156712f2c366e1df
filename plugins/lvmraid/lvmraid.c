// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lvmraid probe: LVM RAID (dm-raid) and old-style LVM mirrors, one group
 * per raid or mirror target of the device-mapper table (lvmraid.h).
 *
 * The status comes from `dmsetup status`, run through the core's runner,
 * which is the privileged helper once the daemon has dropped privileges:
 * the kernel answers DM_TABLE_STATUS only to CAP_SYS_ADMIN, so libdevmapper
 * in the daemon's own process could not ask (README.md).  As in hwraid, a
 * worker (plugins/lib/periodic.h) runs it every `interval`, bounded by
 * `timeout`, and publishes the parsed result; scan() reports the last one
 * (nothing before the first).  One-shot commands run it in scan().
 *
 * Under --root nothing runs: the files at the top of the root whose names
 * start with "dmsetup-status" (the corpus's dmsetup-status.txt), read in
 * name order as one output (docs/lvmraid.md).
 *
 * No dmsetup: no group, logged once at init.  dmsetup failing on a kernel
 * without device-mapper (no sys/class/misc/device-mapper): no group, no
 * error, as there can be no LVM RAID.  Any other failure, a hang, or output
 * the parser does not understand fails the scan with the reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lvmraid.h"
#include "../lib/child.h"
#include "../lib/periodic.h"
#include "../lib/rootfs.h"
#include "../lib/strbuf.h"
#include "redmon/plugin.h"

#define OUT_MAX	       (4u << 20) /* dmsetup's output, the captures together */
#define CAPTURE_PREFIX "dmsetup-status"
#define MAX_CAPTURES   16
#define ERR_LEN	       512

struct lvr_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	uint64_t interval_ms, timeout_ms;
	bool live;   /* root is "/": run dmsetup */
	int root_fd; /* the core's, kept from init: the worker calls no host op but run_command() */
	bool cut_logged;
	char path[PATH_MAX];
	int cmd;	       /* the registered `dmsetup status`, -1 when none */
	struct lvr_view *view; /* scratch for the groups of a scan */

	struct periodic *w;
	/* published by the worker, under periodic_lock() */
	int rc;
	char err[ERR_LEN];
	struct lvr_status res;
};

static const struct redmon_option_spec lvr_options[] = {
	{ .key = "interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "30s",
	  .min = 500,
	  .max = 86400000,
	  .help = "daemon: how often dmsetup status runs" },
	{ .key = "timeout",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = REDMON_CMD_TIMEOUT_MS_MAX,
	  .help = "dmsetup still running after this is killed and the probe fails" },
	{ .key = "dmsetup_path",
	  .type = REDMON_OPT_STRING,
	  .help = "dmsetup by absolute path; default: the first dmsetup on PATH" },
	{ .key = NULL },
};

/* Whether the kernel has device-mapper at all (misc device registered). */
static bool kernel_has_dm(struct lvr_probe *p)
{
	int fd = rootfs_open(p->root_fd, "sys/class/misc/device-mapper", O_PATH | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* One run of dmsetup status, parsed into *res: 0, or -errno with why in err. */
static int run_dmsetup(struct lvr_probe *p, struct lvr_status *res, char *err, size_t errlen)
{
	struct redmon_cmd_result r;
	int rc = p->ops->run_command(p->h, p->cmd, &r);

	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "dmsetup status: no answer within %llu ms",
			 (unsigned long long)p->timeout_ms);
	else if (rc < 0)
		snprintf(err, errlen, "dmsetup status: %.300s", r.err);
	else if (r.exit_status != 0 && !kernel_has_dm(p))
		rc = 1; /* no device-mapper in this kernel: nothing to read */
	else if (r.exit_status != 0) {
		snprintf(err, errlen, "dmsetup status: %s %d%s%.300s",
			 r.term_signal ? "killed by signal" : "exit status",
			 r.term_signal ? r.term_signal : r.exit_status, r.err[0] ? ": " : "",
			 r.err);
		rc = -EPROTO;
	} else {
		char why[256] = "";

		rc = lvr_parse(r.out ? r.out : "", r.out ? r.out_len : 0, res, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "dmsetup status: %s", why);
	}
	child_result_free(&r);
	for (char *c = err; *c; c++)
		*c = (*c == '\n' || *c == '\r') ? ' ' : *c;
	return rc < 0 ? rc : 0;
}

static void run_job(void *arg, struct periodic *w)
{
	struct lvr_probe *p = arg;
	struct lvr_status res = { 0 };
	char err[ERR_LEN] = "";
	int rc = run_dmsetup(p, &res, err, sizeof(err));

	periodic_lock(w);
	lvr_status_free(&p->res);
	p->res = res;
	p->rc = rc;
	snprintf(p->err, sizeof(p->err), "%s", err);
	periodic_publish(w, true);
	periodic_unlock(w);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The capture names at the top of the root, sorted, into names (owned): their count. */
static size_t capture_names(struct lvr_probe *p, char **names)
{
	int fd = rootfs_open(p->ops->root_fd(p->h), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	size_t n = 0;
	DIR *dir;

	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while ((e = readdir(dir)) && n < MAX_CAPTURES) {
		if (strncmp(e->d_name, CAPTURE_PREFIX, strlen(CAPTURE_PREFIX)) != 0 ||
		    !strv_is_graph(strv_c(e->d_name)))
			continue;
		names[n] = strdup(e->d_name);
		n += names[n] != NULL;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	return n;
}

/* The captures as one output, parsed: 0 (nothing when there is none), or -errno with why. */
static int read_captures(struct lvr_probe *p, struct lvr_status *res, char *err, size_t errlen)
{
	char *names[MAX_CAPTURES];
	size_t n = capture_names(p, names);
	struct strbuf all = { 0 }, one = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		int fd = rootfs_open_regular(p->ops->root_fd(p->h), names[i]);
		bool cut = false;

		if (fd < 0)
			continue; /* a directory or a FIFO of that name: not a capture */
		rc = strbuf_read_fd(&one, fd, OUT_MAX, STRBUF_TO_EOF, &cut);
		close(fd);
		if (rc == 0 && (cut || all.len + one.len > OUT_MAX))
			rc = -EFBIG;
		if (rc == 0)
			rc = strbuf_addf(&all, "", "%s\n", strbuf_str(&one));
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", names[i], strerror(-rc));
	}
	if (rc == 0 && n) {
		char why[256] = "";

		rc = lvr_parse(strbuf_str(&all), all.len, res, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", CAPTURE_PREFIX, why);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	strbuf_free(&all);
	strbuf_free(&one);
	return rc;
}

static void lvr_fini(void *inst)
{
	struct lvr_probe *p = inst;

	if (!p)
		return;
	periodic_stop(p->w);
	lvr_status_free(&p->res);
	free(p->view);
	free(p);
}

/* Find dmsetup and register `dmsetup status`; none found is logged, once. */
static void setup_tool(struct lvr_probe *p)
{
	const char *conf = p->ops->option(p->h, "dmsetup_path");
	const char *argv[] = { p->path, "status", NULL };
	int rc = child_find_tool("dmsetup", conf, p->path, sizeof(p->path));

	if (rc < 0) {
		if (conf && *conf)
			p->ops->log(p->h, REDMON_LOG_WARNING, "dmsetup_path = %s: %s", conf,
				    strerror(-rc));
		else
			p->ops->log(p->h, REDMON_LOG_INFO,
				    "no dmsetup on PATH: no LVM RAID or mirror is read");
		return;
	}
	if (!REDMON_HOST_HAS(p->ops, register_command)) {
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "this redmon cannot run tools: dmsetup not run");
		return;
	}
	rc = p->ops->register_command(p->h, argv, (uint32_t)p->timeout_ms, OUT_MAX);
	if (rc >= 0)
		p->cmd = rc;
}

static int lvr_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct lvr_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	*p = (struct lvr_probe){ .ops = ops, .h = h, .cmd = -1, .root_fd = ops->root_fd(h) };
	p->view = calloc(1, sizeof(*p->view));
	if (!p->view ||
	    strv_to_duration_ms(strv_c(ops->option(h, "interval")), &p->interval_ms) < 0 ||
	    strv_to_duration_ms(strv_c(ops->option(h, "timeout")), &p->timeout_ms) < 0) {
		rc = p->view ? -EINVAL : -ENOMEM;
		lvr_fini(p);
		return rc;
	}
	p->live = ops->root_is_live(h);
	if (p->live)
		setup_tool(p);
	if (p->live && p->cmd >= 0) {
		rc = periodic_start(ops, h, p->interval_ms, run_job, p, &p->w);
		if (rc < 0) {
			ops->log(h, REDMON_LOG_ERR, "cannot start the worker: %s", strerror(-rc));
			lvr_fini(p);
			return rc;
		}
	}
	*ret = p;
	return 0;
}

static int report_one(void *ctx, const struct redmon_group *g)
{
	struct lvr_probe *p = ctx;

	return p->ops->report(p->h, g);
}

static int finish(struct lvr_probe *p, int rc, const char *err, const struct lvr_status *res)
{
	if (rc < 0) {
		p->ops->scan_error(p->h, "%s", err[0] ? err : strerror(-rc));
		return rc;
	}
	if (res->cut && !p->cut_logged)
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "more than %d raid/mirror targets: the rest not read", LVR_MAX_SEGS);
	p->cut_logged = res->cut; /* once while it lasts, not every scan */
	rc = lvr_groups(res, p->view, report_one, p);
	if (rc < 0)
		p->ops->scan_error(p->h, "cannot report: %s", strerror(-rc));
	return rc;
}

static int lvr_scan(void *inst)
{
	struct lvr_probe *p = inst;
	struct lvr_status res = { 0 };
	char err[ERR_LEN] = "";
	int rc = 0;

	if (p->live) {
		if (!p->w)
			return 0; /* no dmsetup */
		periodic_oneshot(p->w);
		if (periodic_lock(p->w) > 0)
			rc = finish(p, p->rc, p->err, &p->res);
		periodic_unlock(p->w);
		return rc;
	}
	rc = read_captures(p, &res, err, sizeof(err));
	rc = finish(p, rc, err, &res);
	lvr_status_free(&res);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "lvmraid",
	.description = "LVM RAID (dm-raid) and LVM mirrors from the device-mapper status",
	.options = lvr_options,
	.init = lvr_init,
	.fini = lvr_fini,
	.scan = lvr_scan,
	.on_fd = periodic_on_fd,
};
