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
 * Every read and watch goes through plugins/lib, which resolves it inside the
 * root: a link in a captured tree never makes the probe read a host file.
 *
 * A change event names what changed: proc/mdstat, or one array (the path of
 * the attribute, or the directory inotify reports).  The next scan then
 * re-reads only that (md_scan_reread; for mdstat, also the sysfs of the
 * arrays whose mdstat block changed) and reports the other arrays as last
 * read.  Whatever an event cannot pin down (an array appearing or vanishing,
 * a lost inotify queue, a watch we do not know, a read that fails) makes the
 * next scan a full one, and so is every scan no event asked for: the core's
 * periodic rescan is the safety net and must read everything.
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

#include <redmon/fnv1a.h>
#include <redmon/plugin.h>

#include "../lib/watch.h"
#include "md_scan.h"
#include "mdstat.h"

#define INOTIFY_MASK                                                                               \
	(IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)

/* More arrays named by events than this before a scan: read everything. */
#define MAX_DIRTY 64

struct md_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	bool live;
	bool no_events; /* the host runs no event loop (events_wanted false) */

	struct fdcache fdc;
	size_t fd_cap; /* max_open_files, 0: none */
	struct md_scan scan;

	struct watch_udev udev; /* live root; fd watched, or -1 */
	struct watch_ino ino;	/* captured tree; fd watched, or -1 */
	uint64_t iw_fp;		/* fingerprint of the directories watched (iwatch_update) */
	bool disks_watched;	/* inotify on sys/class/block: it says when disks come or go */

	/* What change events named since the last scan (see the top of this file). */
	bool want_full;			    /* the next scan reads everything */
	bool had_event;			    /* an event (not the timer) is behind the next scan */
	bool mdstat_dirty;		    /* proc/mdstat changed */
	char dirty[MAX_DIRTY][MD_NAME_MAX]; /* arrays that changed */
	size_t n_dirty;

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
	if (e == -ENOLINK || e == ENOLINK) /* rootfs_open_checked()'s */
		return "a symbolic link leading nowhere inside the root";
	return strerror_r(e < 0 ? -e : e, buf, cap);
}

static void unwatch_cb(void *ctx, int fd)
{
	struct md_probe *p = ctx;

	p->ops->unwatch_fd(p->h, fd);
}

/*
 * max_open_files: a cap on the attribute files kept open (sysfs change
 * notification needs one open file per attribute), 0 for none.
 */
static size_t fd_cap(struct md_probe *p)
{
	const char *v = p->ops->option(p->h, "max_open_files");
	unsigned long long opt = 0;

	if (v && strv_to_u64(strv_c(v), &opt) < 0)
		LOG(p, REDMON_LOG_WARNING, "max_open_files \"%s\" is not a number; using auto", v);
	return (size_t)opt;
}

/*
 * The budget on a core without ops->fd_share (fdcache_follow_share() then
 * leaves it): 3/8 of the descriptor limit, which the core raised to the hard
 * one, as bond and hwmon kept 1/8 each; at most cap (0: none).
 */
static size_t fd_budget_fixed(size_t cap)
{
	struct rlimit rl;
	size_t share;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return cap ? cap : 64;
	share = rl.rlim_cur == RLIM_INFINITY ? 1u << 20 : (size_t)(rl.rlim_cur / 8 * 3);
	return cap && cap < share ? cap : share;
}

/* A udev monitor for block devices; without one the core's periodic scan still works. */
static void udev_open(struct md_probe *p)
{
	static const char *const block[] = { "block", NULL };
	const char *why = "cannot watch the udev monitor";
	int r = watch_udev_open(&p->udev, "udev", block, &why);

	if (r == 0)
		r = p->ops->watch_fd(p->h, p->udev.fd, EPOLLIN);
	if (r == 0)
		return;
	watch_udev_close(&p->udev);
	if (r == -EOPNOTSUPP)
		p->no_events = true; /* a one-shot host (redmon status): nothing wrong */
	else
		LOG(p, REDMON_LOG_NOTICE,
		    "%s: arrays appearing or vanishing are seen at the next scan", why);
}

static void inotify_open(struct md_probe *p)
{
	int r = watch_ino_open(&p->ino, p->ops->root_fd(p->h), p->ops->root(p->h), INOTIFY_MASK);
	char e[64];

	if (r == 0)
		r = p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN);
	if (r == 0)
		return;
	watch_ino_close(&p->ino);
	if (r == -EOPNOTSUPP)
		p->no_events = true; /* a one-shot host: quietly without events */
	else
		LOG(p, REDMON_LOG_NOTICE,
		    "no inotify (%s): changes in %s are seen at the next scan",
		    errstr(r, e, sizeof(e)), p->ops->root(p->h));
	/* Without change events, a kept-open file could outlive a rename over it. */
	fdcache_flush(&p->fdc);
	p->fdc.budget = 0;
}

/* FNV-1a of s and its NUL, a separator: "ab","c" is not "a","bc". */
static uint64_t fnv(uint64_t h, const char *s)
{
	return redmon_fnv1a_mem(h, s, strlen(s) + 1);
}

/*
 * Watch an array's md directory and its dev-* directories.  A directory that
 * cannot be watched (gone meanwhile) is simply not watched.
 */
static void iwatch_want_array(struct md_probe *p, const struct md_array *a)
{
	watch_ino_addf(&p->ino, 0, "sys/block/%s/md", a->name);
	for (size_t j = 0; a->devs_sysfs && j < a->n_devs; j++)
		watch_ino_addf(&p->ino, 0, "sys/block/%s/md/dev-%s", a->name, a->devs[j].name);
}

/* Where disks come and go in a captured tree, nearest first (iwatch_update). */
static const char *const disk_dirs[] = { "sys/class/block", "sys/class", "sys" };

static bool is_disk_dir(const char *dir)
{
	for (size_t i = 0; i < sizeof(disk_dirs) / sizeof(disk_dirs[0]); i++)
		if (strcmp(dir, disk_dirs[i]) == 0)
			return true;
	return false;
}

/*
 * Keep the inotify watches in step with the arrays sysfs showed in this
 * scan.  After a full scan every watch is checked, but only when the set of
 * directories changed (its fingerprint) or a watch was lost; after a partial
 * one the arrays read are watched, and stale watches wait for a full scan.
 */
static void iwatch_update(struct md_probe *p, bool partial)
{
	const struct md_set *set = &p->scan.sysfs;
	uint64_t fp = REDMON_FNV1A_BASIS;

	if (p->ino.fd < 0)
		return;
	if (partial) {
		for (size_t i = 0; i < p->n_dirty; i++) {
			const struct md_array *a = md_set_find(&p->scan.sysfs, p->dirty[i]);

			if (a)
				iwatch_want_array(p, a);
		}
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		fp = fnv(fp, set->v[i].name);
		for (size_t j = 0; set->v[i].devs_sysfs && j < set->v[i].n_devs; j++)
			fp = fnv(fp, set->v[i].devs[j].name);
		fp = fnv(fp, "/");
	}
	if (fp == p->iw_fp && !p->ino.lost)
		return;
	p->iw_fp = fp;
	watch_ino_begin(&p->ino);
	/* proc is absent in a sysfs-only capture: then it is simply not watched. */
	watch_ino_add(&p->ino, "proc", 0);
	watch_ino_add(&p->ino, "sys/block", 0);
	/*
	 * The disks' links the spof reasons come from (udev says it on a live
	 * root); in a capture without them, where they would appear.
	 */
	p->disks_watched = false;
	for (size_t i = 0; i < sizeof(disk_dirs) / sizeof(disk_dirs[0]) && !p->disks_watched; i++)
		p->disks_watched = watch_ino_add(&p->ino, disk_dirs[i], 0) == 0;
	for (size_t i = 0; i < set->n; i++)
		iwatch_want_array(p, &set->v[i]);
	watch_ino_end(&p->ino); /* removes the watches not wanted any more */
}

/* Register the kept-open files the kernel notifies; kept-open ones only (budget). */
static void watch_new_fds(struct md_probe *p)
{
	char e[64], path[256];
	int r;

	for (size_t i = 0; i < p->fdc.n && !p->no_events; i++) {
		struct fdcache_entry *ent = &p->fdc.v[i];

		if (!ent->notify || ent->watched)
			continue;
		r = p->ops->watch_fd(p->h, ent->fd, EPOLLPRI);
		ent->watched = r == 0;
		p->no_events = r == -EOPNOTSUPP; /* a one-shot host */
		if (r < 0 && !p->no_events && !p->said_watch_failed) {
			const char *rel = fdcache_entry_path(&p->fdc, ent, path, sizeof(path));

			LOG(p, REDMON_LOG_NOTICE, "cannot watch %s (%s): relying on periodic scans",
			    rel ? rel : "a kept file", errstr(r, e, sizeof(e)));
			p->said_watch_failed = true;
		}
	}
}

/* The host keeps an array's group as last reported: only after a partial read (md_scan.h). */
static int keep_cb(void *ctx, const char *name)
{
	struct md_probe *p = ctx;

	return p->ops->keep(p->h, name);
}

static int md_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret_inst)
{
	struct md_probe *p;

	if (!ops || ops->abi_version != REDMON_ABI_VERSION)
		return -EINVAL; /* nothing in the table can be trusted, not even log */
	if (!REDMON_HOST_HAS(ops, unwatch_fd)) {
		if (REDMON_HOST_HAS(ops, log))
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
	p->udev.fd = -1;
	p->ino.fd = -1;
	p->live = ops->root_is_live(h);
	/* One-shot commands (redmon status) are never asked about events. */
	p->no_events = !ops->events_wanted(h);
	p->want_full = true;
	if (REDMON_HOST_HAS(ops, keep))
		p->scan.keep = keep_cb;
	/* A one-shot command reads each file once: keeping it open would only cost. */
	p->fd_cap = fd_cap(p);
	fdcache_init(&p->fdc, p->no_events ? 0 : fd_budget_fixed(p->fd_cap), unwatch_cb, p);
	if (!p->no_events)
		fdcache_follow_share(&p->fdc, ops, h, p->fd_cap);
	if (!p->no_events && p->live)
		udev_open(p);
	else if (!p->no_events)
		inotify_open(p);
	*ret_inst = p;
	return 0;
}

static void md_fini(void *inst)
{
	struct md_probe *p = inst;

	if (!p)
		return;
	fdcache_free(&p->fdc); /* unwatches what it watched */
	if (p->udev.fd >= 0)
		p->ops->unwatch_fd(p->h, p->udev.fd);
	watch_udev_close(&p->udev);
	if (p->ino.fd >= 0)
		p->ops->unwatch_fd(p->h, p->ino.fd);
	watch_ino_close(&p->ino);
	md_scan_free(&p->scan);
	free(p);
}

static int report_cb(void *ctx, const struct redmon_group *g)
{
	struct md_probe *p = ctx;
	int r = p->ops->report(p->h, g);
	char e[64];

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
	if (s->mdstat_truncated && !p->said_truncated)
		LOG(p, REDMON_LOG_WARNING,
		    "proc/mdstat is larger than %u MiB: read up to there only",
		    MD_MDSTAT_MAX >> 20);
	p->said_truncated = s->mdstat_truncated;
}

/* Forget what events named: the scan about to report has read it. */
static void events_clear(struct md_probe *p)
{
	p->want_full = false;
	p->had_event = false;
	p->mdstat_dirty = false;
	p->n_dirty = 0;
}

/* The scan failed for e: say so, naming what failed; the events were read. */
static int scan_failed(struct md_probe *p, int e, const char *what)
{
	char buf[64];

	events_clear(p);
	p->ops->scan_error(p->h, "%s: %s", what, errstr(e, buf, sizeof(buf)));
	return e;
}

static int md_scan_fn(void *inst)
{
	struct md_probe *p = inst;
	struct md_scan *s = &p->scan;
	int root_fd = p->ops->root_fd(p->h);
	bool partial = p->had_event && !p->want_full;
	int r = 0;

	if (partial) {
		/* In a captured tree the named files may have been renamed over: open them again. */
		r = md_scan_reread(s, root_fd, &p->fdc, p->live ? 0 : FDC_REOPEN, p->mdstat_dirty,
				   (const char(*)[MD_NAME_MAX])p->dirty, p->n_dirty);
		if (r == -EAGAIN)
			partial = false;
	}
	if (!partial && r != -ENOMEM) {
		/* Which files of a captured tree were replaced, the events did not say. */
		if (p->had_event && !p->live)
			fdcache_flush(&p->fdc);
		if (!p->no_events) /* the split follows what full reads read */
			fdcache_follow_share(&p->fdc, p->ops, p->h, p->fd_cap);
		fdcache_begin(&p->fdc);
		/*
		 * Without a udev monitor or a watch on sys/class/block nothing says
		 * when disks come or go: each full read resolves the links again.
		 */
		if (p->udev.fd < 0 && !(p->ino.fd >= 0 && p->disks_watched && !p->ino.lost))
			s->spof_stale = true;
		r = md_scan_read(s, root_fd, &p->fdc);
		fdcache_sweep(&p->fdc); /* closes the files of arrays that vanished */
	}
	if (r < 0) {
		events_clear(p);
		p->want_full = true;
		p->ops->scan_error(p->h, "out of memory");
		return r;
	}
	/* Nothing usable from either source: the scan failed, it did not find "no md". */
	if (s->mdstat_err && s->mdstat_err != -ENOENT && s->sysfs.n == 0)
		return scan_failed(p, s->mdstat_err, "cannot read proc/mdstat");
	if (s->sysfs_err && s->mdstat_err)
		return scan_failed(p, s->sysfs_err, "cannot list sys/block");
	complain(p);
	if (p->live) {
		watch_new_fds(p);
	} else {
		iwatch_update(p, partial);
		watch_ino_rescan_if_added(&p->ino, p->ops, p->h); /* the next scan is a full one */
	}
	events_clear(p);

	r = md_scan_emit(s, report_cb, p);
	return r < 0 ? scan_failed(p, r, "reporting failed") : 0;
}

/* The next scan reads everything; returns 1. */
static int want_full(struct md_probe *p)
{
	p->want_full = true;
	p->had_event = true;
	return 1;
}

/* The array name[0..len) changed; returns 1. */
static int mark_array(struct md_probe *p, const char *name, size_t len)
{
	if (!md_name_valid(strv_make(name, len)))
		return want_full(p);
	p->had_event = true;
	for (size_t i = 0; i < p->n_dirty; i++)
		if (strncmp(p->dirty[i], name, len) == 0 && p->dirty[i][len] == '\0')
			return 1;
	if (p->n_dirty == MAX_DIRTY)
		return want_full(p); /* many changed at once: reading all is as cheap */
	snprintf(p->dirty[p->n_dirty++], MD_NAME_MAX, "%.*s", (int)len, name);
	return 1;
}

/* rel (below the root) changed: proc/mdstat, or something of one array.  Returns 1. */
static int mark_path(struct md_probe *p, const char *rel)
{
	const char *name, *end;

	if (strcmp(rel, "proc/mdstat") == 0) {
		p->mdstat_dirty = true;
		p->had_event = true;
		return 1;
	}
	if (strncmp(rel, "sys/block/", 10) != 0)
		return want_full(p);
	name = rel + 10;
	end = strchr(name, '/');
	if (!end)
		return want_full(p); /* an array's own directory: it came or went */
	return mark_array(p, name, (size_t)(end - name));
}

/*
 * What one inotify event changed.  Watched are proc, sys/block, and each
 * array's md directory and dev-* directories (iwatch_update).  Returns 1 when
 * it matters to md, else 0.
 */
static int note_inotify(struct md_probe *p, const struct watch_event *ev)
{
	const char *name = ev->name;

	/* Events were lost, a watch is not known, or its directory is gone. */
	if (!ev->dir || (ev->mask & IN_IGNORED)) {
		p->scan.spof_stale = true;
		return want_full(p);
	}
	/* A disk came or went: the next full read resolves the spof links again. */
	if (is_disk_dir(ev->dir)) {
		p->scan.spof_stale = true;
		return want_full(p);
	}
	if (strcmp(ev->dir, "proc") == 0) {
		if (!name[0])
			return want_full(p); /* proc itself moved or went */
		return strcmp(name, "mdstat") == 0 ? mark_path(p, "proc/mdstat") : 0;
	}
	if (strcmp(ev->dir, "sys/block") == 0) /* an array came or went, or sys/block did */
		return !name[0] || md_name_valid(strv_c(name)) ? want_full(p) : 0;
	return mark_path(p, ev->dir);
}

/* What the events drained so far asked for. */
struct ev_ctx {
	struct md_probe *p;
	int want;
};

static bool ino_cb(void *ctx, const struct watch_event *ev)
{
	struct ev_ctx *c = ctx;

	c->want |= note_inotify(c->p, ev);
	return false;
}

/*
 * One device from the udev monitor.  An md device that changed (started,
 * stopped, resized: KOBJ_CHANGE) is one array to read again; one that came
 * or went, or anything else, needs a full scan.
 */
static bool udev_cb(void *ctx, struct udev_device *d)
{
	const char *name = udev_device_get_sysname(d);
	const char *action = udev_device_get_action(d);
	struct ev_ctx *c = ctx;

	if (name && strncmp(name, "md", 2) == 0) {
		if (action && strcmp(action, "change") == 0)
			c->want = mark_array(c->p, name, strlen(name));
		else
			c->want = want_full(c->p);
	} else if (!action || strcmp(action, "change") != 0) {
		/* A disk came or went: the next full read resolves the spof links again. */
		c->p->scan.spof_stale = true;
	}
	return false;
}

static int md_on_fd(void *inst, int fd, uint32_t revents)
{
	struct md_probe *p = inst;
	struct ev_ctx c = { .p = p };
	struct fdcache_entry *ent;
	char buf[256], path[256];
	const char *rel;

	(void)revents;
	/* Events lost (the udev socket overflowed) or unreadable: read everything. */
	if (fd == p->udev.fd) {
		if (watch_udev_drain(&p->udev, udev_cb, &c) != -ENOBUFS)
			return c.want;
		p->scan.spof_stale = true; /* what came or went is not known */
		return want_full(p);
	}
	if (fd == p->ino.fd)
		return watch_ino_drain(&p->ino, ino_cb, &c) < 0 ? want_full(p) : c.want;
	ent = fdcache_find_fd(&p->fdc, fd);
	if (!ent)
		return 0;
	/*
	 * Re-arm: sysfs and mdstat keep signalling until the file is read
	 * again from the start (kernfs_fop_poll, mdstat_poll).  A node that
	 * is gone keeps signalling forever, so close it; a full rescan decides.
	 */
	if (pread(fd, buf, sizeof(buf), 0) < 0) {
		fdcache_drop(&p->fdc, ent);
		return want_full(p);
	}
	/* md's paths are short; one too long to name is not one of them: read all. */
	rel = fdcache_entry_path(&p->fdc, ent, path, sizeof(path));
	return rel ? mark_path(p, rel) : want_full(p);
}

static const struct redmon_option_spec md_options[] = {
	{
		.key = "max_open_files",
		.type = REDMON_OPT_UINT,
		.default_value = "0",
		.min = 0,
		.max = 1000000,
		.help = "md attribute files kept open for re-reading and change events "
			"(0: md's part of the descriptor limit, split among probes by need)",
	},
	{ .key = NULL },
};

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "md",
	.description = "Linux software RAID (md) arrays from /proc/mdstat and sysfs",
	.options = md_options,
	.init = md_init,
	.fini = md_fini,
	.scan = md_scan_fn,
	.on_fd = md_on_fd,
};
