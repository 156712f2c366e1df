/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redmon probe "md": Linux software RAID (drivers/md).
 *
 * Reads proc/mdstat and sys/block/md*, one redundancy group per array (see
 * md_scan.c and md_group.c for the rules).  This file is the glue to the host:
 * the descriptor, the per-instance state, the descriptor budget, and change
 * notification:
 *
 *  - live root: the kept-open proc/mdstat and sysfs attributes are watched for
 *    EPOLLPRI (md_new_event() wakes mdstat_poll(); sysfs_notify() wakes the
 *    attribute), plus a udev monitor for md devices coming and going;
 *  - captured tree: inotify on proc, sys/block and each array's md directory.
 *
 * Only this file logs.  All state lives in struct md_probe.
 */
#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

#include <redmon/plugin.h>

#include "md_scan.h"
#include "mdstat.h"

#define INOTIFY_MASK                                                                               \
	(IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM |        \
	 IN_DELETE_SELF)

/* One inotify watch on a directory of a captured tree. */
struct md_iwatch {
	char *path; /* relative to the root, owned */
	int wd;
	bool used; /* still wanted after the current scan */
};

struct md_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	bool live;
	bool no_events; /* the host runs no event loop (events_wanted false) */

	struct md_fdcache fdc;
	struct md_scan scan;

	struct udev *udev;
	struct udev_monitor *mon;
	int mon_fd; /* watched, or -1 */

	int ino_fd; /* watched, or -1 */
	struct md_iwatch *iw;
	size_t n_iw, cap_iw;

	/* What was last said about a lasting condition: say it again only on change. */
	int said_mdstat_err;
	int said_sysfs_err;
	bool said_truncated;
	bool said_watch_failed;
	bool said_report_failed;
};

#define LOG(p, level, ...) (p)->ops->log((p)->h, (level), __VA_ARGS__)

static const char *errstr(int e, char *buf, size_t cap)
{
	return strerror_r(e < 0 ? -e : e, buf, cap);
}

static void unwatch_cb(void *ctx, int fd)
{
	struct md_probe *p = ctx;

	p->ops->unwatch_fd(p->h, fd);
}

/*
 * How many attribute files this probe may keep open.  The soft descriptor
 * limit is raised to the hard one first (sysfs change notification needs one
 * open file per attribute); the probe then keeps at most half of it.
 */
static size_t fd_budget(struct md_probe *p)
{
	const char *v = p->ops->option(p->h, "max_open_files");
	unsigned long long opt = 0, half;
	struct rlimit rl;
	char *end;

	if (v) {
		errno = 0;
		opt = strtoull(v, &end, 10);
		if (errno || end == v || *end || v[0] == '-') {
			LOG(p, REDMON_LOG_WARNING,
			    "max_open_files \"%s\" is not a number; using auto", v);
			opt = 0;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return opt ? opt : 64;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = { rl.rlim_max, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	half = rl.rlim_cur == RLIM_INFINITY ? 1u << 20 : rl.rlim_cur / 2;
	if (opt == 0)
		return (size_t)half;
	if (opt > half) {
		LOG(p, REDMON_LOG_NOTICE,
		    "max_open_files %llu is above half the descriptor limit; using %llu", opt,
		    half);
		return (size_t)half;
	}
	return (size_t)opt;
}

static void udev_close(struct md_probe *p)
{
	if (p->mon_fd >= 0)
		p->ops->unwatch_fd(p->h, p->mon_fd);
	p->mon_fd = -1;
	if (p->mon)
		udev_monitor_unref(p->mon); /* closes its socket */
	p->mon = NULL;
	if (p->udev)
		udev_unref(p->udev);
	p->udev = NULL;
}

/* A udev monitor for block devices; without one the core's periodic scan still works. */
static void udev_open(struct md_probe *p)
{
	const char *why = "udev_new failed";
	int fd, r;

	p->udev = udev_new();
	if (!p->udev)
		goto fail;
	why = "cannot open the udev netlink monitor";
	p->mon = udev_monitor_new_from_netlink(p->udev, "udev");
	if (!p->mon)
		goto fail;
	why = "cannot filter or enable the udev monitor";
	if (udev_monitor_filter_add_match_subsystem_devtype(p->mon, "block", NULL) < 0 ||
	    udev_monitor_enable_receiving(p->mon) < 0)
		goto fail;
	fd = udev_monitor_get_fd(p->mon);
	why = "cannot watch the udev monitor";
	if (fd < 0)
		goto fail;
	r = p->ops->watch_fd(p->h, fd, EPOLLIN);
	if (r == -EOPNOTSUPP) {
		/* A one-shot host (redmon status): no events wanted, nothing wrong. */
		p->no_events = true;
		udev_close(p);
		return;
	}
	if (r < 0)
		goto fail;
	p->mon_fd = fd;
	return;
fail:
	LOG(p, REDMON_LOG_NOTICE, "%s: arrays appearing or vanishing are seen at the next scan",
	    why);
	udev_close(p);
}

static void inotify_close(struct md_probe *p)
{
	size_t i;

	if (p->ino_fd >= 0) {
		p->ops->unwatch_fd(p->h, p->ino_fd);
		close(p->ino_fd);
	}
	p->ino_fd = -1;
	for (i = 0; i < p->n_iw; i++)
		free(p->iw[i].path);
	free(p->iw);
	p->iw = NULL;
	p->n_iw = p->cap_iw = 0;
}

static void inotify_open(struct md_probe *p)
{
	char e[64];
	int fd, r;

	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	r = p->ops->watch_fd(p->h, fd, EPOLLIN);
	if (r < 0)
		close(fd);
	if (r == -EOPNOTSUPP) {
		p->no_events = true; /* one-shot host: quietly without events */
		goto no_cache;
	}
	if (r < 0)
		goto fail;
	p->ino_fd = fd;
	return;
fail:
	LOG(p, REDMON_LOG_NOTICE, "no inotify (%s): changes in %s are seen at the next scan",
	    errstr(r, e, sizeof(e)), p->ops->root(p->h));
no_cache:
	/* Without change events, a kept-open file could outlive a rename over it. */
	md_fdc_flush(&p->fdc);
	p->fdc.budget = 0;
}

static struct md_iwatch *iwatch_by_path(struct md_probe *p, const char *rel)
{
	size_t i;

	for (i = 0; i < p->n_iw; i++)
		if (strcmp(p->iw[i].path, rel) == 0)
			return &p->iw[i];
	return NULL;
}

static struct md_iwatch *iwatch_by_wd(struct md_probe *p, int wd)
{
	size_t i;

	for (i = 0; i < p->n_iw; i++)
		if (p->iw[i].wd == wd)
			return &p->iw[i];
	return NULL;
}

/* Watch <root>/<rel> (a directory) if it is not watched yet. */
static void iwatch_want(struct md_probe *p, const char *rel)
{
	const char *root = p->ops->root(p->h);
	struct md_iwatch *w = iwatch_by_path(p, rel);
	char path[4096];
	int n, wd;

	if (w) {
		w->used = true;
		return;
	}
	n = snprintf(path, sizeof(path), "%s%s%s", root,
		     root[0] && root[strlen(root) - 1] == '/' ? "" : "/", rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	wd = inotify_add_watch(p->ino_fd, path, INOTIFY_MASK | IN_ONLYDIR);
	if (wd < 0)
		return; /* absent (no proc in a sysfs-only capture): nothing to watch */
	w = iwatch_by_wd(p, wd);
	if (w) {
		w->used = true;
		return;
	}
	if (p->n_iw == p->cap_iw) {
		size_t cap = p->cap_iw ? p->cap_iw * 2 : 16;
		struct md_iwatch *v = realloc(p->iw, cap * sizeof(*v));

		if (!v)
			goto undo;
		p->iw = v;
		p->cap_iw = cap;
	}
	w = &p->iw[p->n_iw];
	w->path = strdup(rel);
	if (!w->path)
		goto undo;
	w->wd = wd;
	w->used = true;
	p->n_iw++;
	return;
undo:
	inotify_rm_watch(p->ino_fd, wd);
}

/* Keep the inotify watches in step with the arrays sysfs showed in this scan. */
static void iwatch_update(struct md_probe *p)
{
	const struct md_set *set = &p->scan.sysfs;
	char rel[256];
	size_t i, j, k;

	if (p->ino_fd < 0)
		return;
	for (i = 0; i < p->n_iw; i++)
		p->iw[i].used = false;
	iwatch_want(p, "proc");
	iwatch_want(p, "sys/block");
	for (i = 0; i < set->n; i++) {
		const struct md_array *a = &set->v[i];

		snprintf(rel, sizeof(rel), "sys/block/%s/md", a->name);
		iwatch_want(p, rel);
		for (j = 0; a->devs_sysfs && j < a->n_devs; j++) {
			int n = snprintf(rel, sizeof(rel), "sys/block/%s/md/dev-%s", a->name,
					 a->devs[j].name);

			if (n > 0 && (size_t)n < sizeof(rel))
				iwatch_want(p, rel);
		}
	}
	for (i = 0, k = 0; i < p->n_iw; i++) {
		if (p->iw[i].used) {
			p->iw[k++] = p->iw[i];
			continue;
		}
		inotify_rm_watch(p->ino_fd, p->iw[i].wd);
		free(p->iw[i].path);
	}
	p->n_iw = k;
}

/* Register the kept-open files the kernel notifies; kept-open ones only (budget). */
static void watch_new_fds(struct md_probe *p)
{
	char e[64];
	size_t i;
	int r;

	for (i = 0; i < p->fdc.n && !p->no_events; i++) {
		struct md_fd_entry *ent = &p->fdc.v[i];

		if (!ent->notify || ent->watched)
			continue;
		r = p->ops->watch_fd(p->h, ent->fd, EPOLLPRI);
		if (r == 0) {
			ent->watched = true;
		} else if (r == -EOPNOTSUPP) {
			p->no_events = true;
		} else if (!p->said_watch_failed) {
			LOG(p, REDMON_LOG_NOTICE, "cannot watch %s (%s): relying on periodic scans",
			    ent->path, errstr(r, e, sizeof(e)));
			p->said_watch_failed = true;
		}
	}
}

static int md_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret_inst)
{
	struct md_probe *p;

	if (!ops || ops->abi_version != REDMON_ABI_VERSION)
		return -EINVAL; /* nothing in the table can be trusted, not even log */
	if (ops->size < offsetof(struct redmon_host_ops, unwatch_fd) + sizeof(ops->unwatch_fd)) {
		if (ops->size >= offsetof(struct redmon_host_ops, log) + sizeof(ops->log))
			ops->log(h, REDMON_LOG_ERR, "host table too small (%u bytes, need %zu)",
				 ops->size, sizeof(*ops));
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ops->log(h, REDMON_LOG_ERR, "out of memory");
		return -ENOMEM;
	}
	p->ops = ops;
	p->h = h;
	p->mon_fd = -1;
	p->ino_fd = -1;
	p->live = ops->root_is_live(h);
	/* One-shot commands (redmon status) are never asked about events. */
	p->no_events = !ops->events_wanted(h);
	md_fdc_init(&p->fdc, fd_budget(p), unwatch_cb, p);
	if (p->no_events)
		;
	else if (p->live)
		udev_open(p);
	else
		inotify_open(p);
	*ret_inst = p;
	return 0;
}

static void md_fini(void *inst)
{
	struct md_probe *p = inst;

	if (!p)
		return;
	md_fdc_free(&p->fdc); /* unwatches what it watched */
	udev_close(p);
	inotify_close(p);
	md_scan_free(&p->scan);
	free(p);
}

static int report_cb(void *ctx, const struct redmon_group *g)
{
	struct md_probe *p = ctx;
	char e[64];
	int r;

	r = p->ops->report(p->h, g);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && !p->said_report_failed) {
		LOG(p, REDMON_LOG_WARNING, "group %s refused: %s", g->name,
		    errstr(r, e, sizeof(e)));
		p->said_report_failed = true;
	}
	return 0;
}

/* Say what is wrong with one source while the other still gives a result; once per change. */
static void complain(struct md_probe *p)
{
	const struct md_scan *s = &p->scan;
	int me = s->mdstat_err == -ENOENT ? 0 : s->mdstat_err;
	char e[64];

	if (me != p->said_mdstat_err) {
		if (me)
			LOG(p, REDMON_LOG_WARNING, "cannot read proc/mdstat (%s): using sysfs only",
			    errstr(me, e, sizeof(e)));
		else
			LOG(p, REDMON_LOG_NOTICE, "proc/mdstat readable again");
		p->said_mdstat_err = me;
	}
	if (s->sysfs_err != p->said_sysfs_err) {
		if (s->sysfs_err)
			LOG(p, REDMON_LOG_WARNING,
			    "cannot list sys/block (%s): using proc/mdstat only",
			    errstr(s->sysfs_err, e, sizeof(e)));
		else
			LOG(p, REDMON_LOG_NOTICE, "sys/block readable again");
		p->said_sysfs_err = s->sysfs_err;
	}
	if (s->mdstat_truncated != p->said_truncated) {
		if (s->mdstat_truncated)
			LOG(p, REDMON_LOG_WARNING,
			    "proc/mdstat is larger than %u MiB: read up to there only",
			    MD_MDSTAT_MAX >> 20);
		p->said_truncated = s->mdstat_truncated;
	}
}

static int md_scan_fn(void *inst)
{
	struct md_probe *p = inst;
	struct md_scan *s = &p->scan;
	char e[64];
	int r;

	md_fdc_begin(&p->fdc);
	r = md_scan_read(s, p->ops->root_fd(p->h), &p->fdc);
	md_fdc_sweep(&p->fdc); /* closes the files of arrays that vanished */
	if (r < 0) {
		p->ops->scan_error(p->h, "out of memory");
		return r;
	}
	/* Nothing usable from either source: the scan failed, it did not find "no md". */
	if (s->mdstat_err && s->mdstat_err != -ENOENT && s->sysfs.n == 0) {
		p->ops->scan_error(p->h, "cannot read proc/mdstat: %s",
				   errstr(s->mdstat_err, e, sizeof(e)));
		return s->mdstat_err;
	}
	if (s->sysfs_err && s->mdstat_err) {
		p->ops->scan_error(p->h, "cannot list sys/block: %s",
				   errstr(s->sysfs_err, e, sizeof(e)));
		return s->sysfs_err;
	}
	complain(p);
	if (p->live)
		watch_new_fds(p);
	else
		iwatch_update(p);

	r = md_scan_emit(s, report_cb, p);
	if (r < 0) {
		p->ops->scan_error(p->h, "reporting failed: %s", errstr(r, e, sizeof(e)));
		return r;
	}
	return 0;
}

/* Drain inotify; forget watches the kernel dropped (IN_IGNORED). */
static int drain_inotify(struct md_probe *p)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t off;

	for (;;) {
		n = read(p->ino_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off + sizeof(*ev) <= (size_t)n; off += sizeof(*ev) + ev->len) {
			struct md_iwatch *w;

			ev = (const struct inotify_event *)(buf + off);
			if (!(ev->mask & IN_IGNORED))
				continue;
			w = iwatch_by_wd(p, ev->wd);
			if (w) {
				free(w->path);
				*w = p->iw[--p->n_iw];
			}
		}
	}
	/* Files of a captured tree may have been replaced by rename: reopen them. */
	md_fdc_flush(&p->fdc);
	return 1;
}

/* Drain the udev monitor; rescan when an md device came, went or changed. */
static int drain_udev(struct md_probe *p)
{
	struct udev_device *d;
	int want = 0;

	errno = 0;
	while ((d = udev_monitor_receive_device(p->mon))) {
		const char *name = udev_device_get_sysname(d);

		if (name && strncmp(name, "md", 2) == 0)
			want = 1;
		udev_device_unref(d);
		errno = 0;
	}
	if (errno == ENOBUFS) /* the socket overflowed: events were lost */
		want = 1;
	return want;
}

static int md_on_fd(void *inst, int fd, uint32_t revents)
{
	struct md_probe *p = inst;
	struct md_fd_entry *ent;
	char buf[256];

	(void)revents;
	if (fd == p->mon_fd)
		return drain_udev(p);
	if (fd == p->ino_fd)
		return drain_inotify(p);
	ent = md_fdc_find_fd(&p->fdc, fd);
	if (!ent)
		return 0;
	/*
	 * Re-arm: sysfs and mdstat keep signalling until the file is read
	 * again from the start (kernfs_fop_poll, mdstat_poll).  A node that
	 * is gone keeps signalling forever, so close it; the rescan decides.
	 */
	if (pread(fd, buf, sizeof(buf), 0) < 0)
		md_fdc_drop(&p->fdc, ent);
	return 1;
}

static const struct redmon_option_spec md_options[] = {
	{
		.key = "max_open_files",
		.type = REDMON_OPT_UINT,
		.default_value = "0",
		.min = 0,
		.max = 1000000,
		.help = "md attribute files kept open for re-reading and change events "
			"(0: half the descriptor limit)",
	},
	{ .key = NULL },
};

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.name = "md",
	.description = "Linux software RAID (md) arrays from /proc/mdstat and sysfs",
	.options = md_options,
	.init = md_init,
	.fini = md_fini,
	.scan = md_scan_fn,
	.on_fd = md_on_fd,
};
