// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwmon probe: PMBus power supplies, and fan sets of fan controllers
 * (hwmon_fan.h), through hwmon.
 *
 * On the live system libsensors reads the chips (hwmon_lsensors.c); under
 * --root the same attributes are read from the captured tree's files
 * (hwmon_sysfs.c).  Both hand struct hwmon_chip to hwmon_class.c, which alone
 * decides which chips are supplies and whether each is ok; hwmon_fan.c does
 * the same for fans.
 *
 * The kernel does not notify PMBus alarm changes, so in the daemon a timerfd
 * asks for a rescan every poll_interval: one pread per value a verdict uses,
 * from files kept open.  Under --root the reader's inotify also asks for one
 * when a chip's directory changes (a file replaced, a chip come or gone).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hwmon_class.h"
#include "hwmon_fan.h"
#include "hwmon_read.h"
#include "../lib/periodic.h"
#include "../lib/psu_probe.h"
#include "../lib/psu_util.h"
#include "../lib/strbuf.h"
#include "redmon/plugin.h"

struct hwmon_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	int required;
	int fans_required; /* 0: N+1 assumed */
	int tfd;
	int ino_fd; /* --root in the daemon: the reader's inotify, watched; or -1 */
	struct psu_group psu;
	struct hwmon_fans fans;
	struct hwmon_sysfs *sysfs;	 /* --root: what one scan keeps for the next */
	struct hwmon_lsensors *lsensors; /* live: when libsensors must learn the chips again */
};

static const struct redmon_option_spec hwmon_options[] = {
	{ .key = "chips",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "more hwmon chip names to treat as PSUs (comma-separated fnmatch patterns)" },
	PSU_OPTION_REQUIRED("all but one of those seen at start"),
	{ .key = "fan_chips",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "more hwmon chip names whose fans make a fan set (fnmatch patterns; "
		  "board Super-I/O chips only when named here)" },
	{ .key = "fans_required",
	  .type = REDMON_OPT_UINT,
	  .default_value = "0",
	  .min = 0,
	  .max = HWMON_FANS_REQUIRED_MAX,
	  .help = "fans of a set the cooling needs; 0: all but one (N+1, assumed)" },
	{ .key = "sensors_config",
	  .type = REDMON_OPT_STRING,
	  .default_value = "",
	  .help = "sensors.conf(5) for libsensors; empty: none (raw chip labels and values)" },
	{ .key = "poll_interval",
	  .type = REDMON_OPT_DURATION,
	  .default_value = "10s",
	  .min = 100,
	  .max = 3600000,
	  .help = "daemon: how often the PSU and fan chips are re-read" },
	{ .key = NULL },
};

static void hwmon_fini(void *inst)
{
	struct hwmon_probe *p = inst;

	if (!p)
		return;
	if (p->tfd >= 0) {
		p->ops->unwatch_fd(p->h, p->tfd);
		close(p->tfd);
	}
	if (p->ino_fd >= 0)
		p->ops->unwatch_fd(p->h, p->ino_fd); /* closed by hwmon_sysfs_free() */
	psu_group_free(&p->psu);
	hwmon_fans_free(&p->fans);
	hwmon_sysfs_free(p->sysfs);
	hwmon_lsensors_free(p->lsensors);
	free(p);
}

/*
 * How many files either reader keeps open, on a core without ops->fd_share
 * (which splits the descriptor limit among probes by need): an eighth of
 * the limit (the core raises the soft limit to the hard one at start), so a
 * scan is one pread per value.  Beyond it files are opened, read and closed
 * each scan: about 6 files a supply.
 */
static size_t fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 64;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		return (1u << 20) / 8;
	return (size_t)rl.rlim_cur / 8;
}

/* fans_required into *ret; -EINVAL (*ret untouched) when bad. */
static int fans_option_required(const struct redmon_host_ops *ops, struct redmon_host *h, int *ret)
{
	long long n;

	if (strv_to_ll(strv_trim(strv_c(psu_option(ops, h, "fans_required"))), 0,
		       HWMON_FANS_REQUIRED_MAX, &n) < 0)
		return -EINVAL;
	*ret = (int)n;
	return 0;
}

/* Report the fan sets of this scan's chips; scan()'s value. */
static int report_fans(struct hwmon_probe *p, const struct hwmon_chip *chips, size_t n)
{
	const struct redmon_group *g;
	size_t n_g;
	int rc = hwmon_fans_eval(&p->fans, chips, n, p->fans_required, &g, &n_g);

	if (rc < 0) {
		p->ops->scan_error(p->h, "fan sets: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < n_g; i++) {
		int r = p->ops->report(p->h, &g[i]);

		rc = rc < 0 ? rc : r;
	}
	return rc;
}

/*
 * A captured tree in the daemon: the reader watches the directories it
 * lists, so that a periodic scan reads only the values (hwmon_sysfs.c).
 * Without inotify every scan checks every chip's listing: slower, not wrong.
 */
static void watch_tree(struct hwmon_probe *p)
{
	int fd;

	p->sysfs = hwmon_sysfs_new(fd_budget());
	if (!p->sysfs)
		return; /* scan() tries again, without events */
	/* Registers with the core's split of descriptors: nothing is open yet. */
	hwmon_sysfs_follow_share(p->sysfs, p->ops, p->h);
	fd = hwmon_sysfs_watch(p->sysfs, p->ops->root_fd(p->h), p->ops->root(p->h));
	if (fd >= 0 && p->ops->watch_fd(p->h, fd, EPOLLIN) == 0) {
		p->ino_fd = fd;
		return;
	}
	p->ops->log(p->h, REDMON_LOG_NOTICE,
		    "no inotify (%s): every scan checks each chip's directory",
		    strerror(fd < 0 ? -fd : EBADF));
	hwmon_sysfs_free(p->sysfs); /* its inotify with it */
	p->sysfs = hwmon_sysfs_new(fd_budget());
}

/* The poll timer, or the reader's inotify: whether a rescan is wanted. */
static int hwmon_on_fd(void *inst, int fd, uint32_t revents)
{
	struct hwmon_probe *p = inst;

	if (fd >= 0 && fd == p->ino_fd)
		return hwmon_sysfs_on_event(p->sysfs);
	return periodic_on_fd(inst, fd, revents);
}

static int hwmon_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct hwmon_probe *p = calloc(1, sizeof(*p));
	uint64_t ms;
	int rc;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->tfd = -1;
	p->ino_fd = -1;
	if (psu_option_required(ops, h, &p->required) < 0 ||
	    fans_option_required(ops, h, &p->fans_required) < 0 ||
	    strv_to_duration_ms(strv_c(psu_option(ops, h, "poll_interval")), &ms) < 0) {
		rc = -EINVAL;
		goto fail;
	}
	if (ops->events_wanted(h)) {
		const struct timespec every = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
		const struct itimerspec its = { .it_interval = every, .it_value = every };

		p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (p->tfd < 0 || timerfd_settime(p->tfd, 0, &its, NULL) < 0) {
			rc = -errno;
			goto fail;
		}
		rc = ops->watch_fd(h, p->tfd, EPOLLIN);
		if (rc < 0) {
			close(p->tfd);
			p->tfd = -1;
			goto fail;
		}
		if (!ops->root_is_live(h))
			watch_tree(p);
		else if (REDMON_HOST_HAS(ops, fd_share)) /* registers; the reader comes later */
			ops->fd_share(h, SIZE_MAX);
	}
	*ret = p;
	return 0;
fail:
	ops->log(h, REDMON_LOG_ERR, "cannot start: %s", strerror(-rc));
	hwmon_fini(p);
	return rc;
}

static int hwmon_scan(void *inst)
{
	struct hwmon_probe *p = inst;
	const char *extra = psu_option(p->ops, p->h, "chips");
	const char *fan_chips = psu_option(p->ops, p->h, "fan_chips");
	struct hwmon_chip *chips = NULL;
	const struct hwmon_chip *view = NULL;
	struct redmon_group g;
	char err[256] = "";
	size_t n = 0;
	int rc;

	if (p->ops->root_is_live(p->h)) {
		if (!p->lsensors)
			p->lsensors = hwmon_lsensors_new(fd_budget());
		if (p->lsensors && p->tfd >= 0) /* a daemon: the split follows what scans read */
			hwmon_lsensors_follow_share(p->lsensors, p->ops, p->h);
		rc = p->lsensors ? hwmon_lsensors_set_chips(p->lsensors, p->ops->root_fd(p->h),
							    extra, fan_chips)
				 : -ENOMEM;
		rc = rc == 0 ? hwmon_lsensors_scan(p->lsensors,
						   psu_option(p->ops, p->h, "sensors_config"),
						   &chips, &n, err, sizeof(err))
			     : rc;
		view = chips;
	} else {
		if (!p->sysfs)
			p->sysfs = hwmon_sysfs_new(fd_budget());
		if (p->sysfs && p->tfd >= 0)
			hwmon_sysfs_follow_share(p->sysfs, p->ops, p->h);
		rc = p->sysfs ? hwmon_sysfs_set_fan_chips(p->sysfs, fan_chips) : -ENOMEM;
		if (rc == 0)
			rc = hwmon_sysfs_scan(p->sysfs, p->ops->root_fd(p->h), extra, &view, &n);
	}
	if (rc < 0) {
		p->ops->scan_error(p->h, "%s", err[0] ? err : strerror(-rc));
		return rc;
	}
	rc = hwmon_psu_eval(&p->psu, view, n, extra, p->required, &g);
	rc = psu_report(p->ops, p->h, rc, &g);
	if (rc == 0)
		rc = report_fans(p, view, n);
	hwmon_chips_free(chips, chips ? n : 0);
	return rc;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "hwmon",
	.description = "PMBus power supplies and fan trays through hwmon (libsensors)",
	.options = hwmon_options,
	.init = hwmon_init,
	.fini = hwmon_fini,
	.scan = hwmon_scan,
	.on_fd = hwmon_on_fd,
};
