// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * redmon probe "btrfs": the device redundancy of mounted btrfs filesystems,
 * one group per filesystem, named by its fsid, from /sys/fs/btrfs only (no
 * btrfs command: btrfs_read.c reads, btrfs_fs.c decides).
 *
 * Change notification: the kernel notifies none of the attributes read here
 * (no sysfs_notify() on missing or error_stats), so on the live system the
 * probe listens to the kernel's uevents of block devices (a device going or
 * coming, a loop device detached) and otherwise relies on the core's periodic
 * rescan.  Under --root it watches the captured tree with inotify.  The
 * attribute files are kept open between scans (the fd cache, 1/8 of the
 * descriptor limit); a filesystem unmounted makes them fail with ENODEV and
 * the cache opens them again.
 *
 * Captured `btrfs scrub status` and `btrfs replace status` output at the top
 * of a --root tree (btrfs_task.c) gives a scrub's or a replace's progress; on
 * the live system no command runs (README.md says why).
 *
 * Only this file logs.  All state lives in struct btrfs_probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>

#include <redmon/grow.h>
#include <redmon/plugin.h>

#include "../lib/watch.h"
#include "btrfs_fs.h"
#include "btrfs_read.h"

#define LOG(p, level, ...) (p)->ops->log((p)->h, (level), __VA_ARGS__)

#define INOTIFY_MASK                                                                               \
	(IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)

#define NAME_LEN    32
#define MREASON_LEN 256
#define REASON_LEN  1024

struct btrfs_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	bool live;
	bool flush; /* an event said files of the captured tree changed */
	bool keeps; /* files are kept open between scans (events on: a daemon) */
	struct fdcache fdc;
	struct btrfs_reader rd;
	struct watch_udev uevents; /* live root; fd -1 when off */
	struct watch_ino ino;	   /* captured tree; fd -1 when off */
	struct btrfs_fs fs;
	/* The devices' baseline counters (remember()), for "rose" reasons, and the next scan's. */
	struct btrfs_seen *seen, *next;
	size_t n_seen, cap_seen, n_next, cap_next;
	/* One group's texts, reused. */
	struct redmon_member *m;
	char *names, *mreasons;
	size_t cap_m;
	char reason[REASON_LEN];
	struct btrfs_task scrub;  /* the captured scrub of the filesystem being reported */
	struct spof_reasons spof; /* the group's, resolved at each scan (no scan is partial) */
	bool said_report;
};

static void unwatch_cb(void *ctx, int fd)
{
	struct btrfs_probe *p = ctx;

	p->ops->unwatch_fd(p->h, fd);
}

/*
 * On a core without ops->fd_share: 1/8 of the descriptor limit, as bond's
 * was.  btrfs keeps ~4 files per device.
 */
static size_t fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 64;
	return rl.rlim_cur == RLIM_INFINITY ? 1u << 17 : (size_t)(rl.rlim_cur / 8);
}

static void btrfs_fini(void *inst)
{
	struct btrfs_probe *p = inst;

	if (!p)
		return;
	fdcache_free(&p->fdc);
	if (p->uevents.fd >= 0)
		p->ops->unwatch_fd(p->h, p->uevents.fd);
	watch_udev_close(&p->uevents);
	if (p->ino.fd >= 0)
		p->ops->unwatch_fd(p->h, p->ino.fd);
	watch_ino_close(&p->ino);
	btrfs_reader_free(&p->rd);
	btrfs_fs_free(&p->fs);
	free(p->seen);
	free(p->next);
	free(p->m);
	free(p->names);
	free(p->mreasons);
	free(p);
}

/* The kernel's uevents of block devices (no udevd needed): a device gone or back. */
static void watch_uevents(struct btrfs_probe *p)
{
	static const char *const subsystems[] = { "block", NULL };
	const char *why = "";
	int rc = watch_udev_open(&p->uevents, "kernel", subsystems, &why);

	if (rc == 0)
		rc = p->ops->watch_fd(p->h, p->uevents.fd, EPOLLIN);
	if (rc == 0)
		return;
	watch_udev_close(&p->uevents);
	LOG(p, REDMON_LOG_NOTICE, "no uevent socket (%s%s%s): changes are seen at the next rescan",
	    why, *why ? ": " : "", strerror(-rc));
}

static void watch_captured(struct btrfs_probe *p)
{
	int rc = watch_ino_open(&p->ino, p->ops->root_fd(p->h), p->ops->root(p->h), INOTIFY_MASK);

	if (rc == 0)
		rc = p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN);
	if (rc == 0)
		return;
	watch_ino_close(&p->ino);
	/* Without change events, a kept-open file could outlive a rename over it. */
	p->fdc.budget = 0;
	LOG(p, REDMON_LOG_NOTICE, "no inotify (%s): changes in %s are seen at the next rescan",
	    strerror(-rc), p->ops->root(p->h));
}

static int btrfs_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct btrfs_probe *p = calloc(1, sizeof(*p));
	bool events = ops->events_wanted(h);

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->uevents.fd = p->ino.fd = -1;
	p->live = ops->root_is_live(h);
	/* A one-shot command reads each file once: keeping it open would only cost. */
	p->keeps = events;
	fdcache_init(&p->fdc, events ? fd_budget() : 0, unwatch_cb, p);
	if (p->keeps)
		fdcache_follow_share(&p->fdc, ops, h, 0);
	p->rd.root_fd = ops->root_fd(h);
	p->rd.fdc = &p->fdc;
	if (events && p->live)
		watch_uevents(p);
	else if (events)
		watch_captured(p);
	*ret = p;
	return 0;
}

/* Room for a group of n devices. */
static int reserve_members(struct btrfs_probe *p, size_t n)
{
	struct redmon_member *m;
	char *names, *mr;

	if (n <= p->cap_m)
		return 0;
	m = reallocarray(p->m, n, sizeof(*m));
	if (m)
		p->m = m;
	names = reallocarray(p->names, n, NAME_LEN);
	if (names)
		p->names = names;
	mr = reallocarray(p->mreasons, n, MREASON_LEN);
	if (mr)
		p->mreasons = mr;
	if (!m || !names || !mr)
		return -ENOMEM;
	p->cap_m = n;
	return 0;
}

/*
 * Keep each device's baseline counters for the next scan: those first seen,
 * lowered to the current ones when they fall (`btrfs device stats -z`).  So a
 * counter that rose stays a reason until the operator resets the counters,
 * not for one scan only.
 */
static int remember(struct btrfs_probe *p)
{
	for (size_t i = 0; i < p->fs.n_dev; i++) {
		const struct btrfs_dev *d = &p->fs.dev[i];
		const struct btrfs_seen *was;
		struct btrfs_seen *s;

		if (!d->errs_known)
			continue;
		if (!grow_one((void **)&p->next, &p->cap_next, p->n_next, sizeof(*p->next), 8))
			return -ENOMEM;
		was = btrfs_seen_find(p->seen, p->n_seen, p->fs.uuid, d->devid);
		s = &p->next[p->n_next++];
		memcpy(s->uuid, p->fs.uuid, sizeof(s->uuid));
		s->devid = d->devid;
		for (int e = 0; e < BTRFS_NERRS; e++)
			s->errs[e] = was && was->errs[e] < d->errs[e] ? was->errs[e] : d->errs[e];
	}
	return 0;
}

/* Swap this scan's counters in as the last scan's. */
static void seen_swap(struct btrfs_probe *p)
{
	struct btrfs_seen *t = p->seen;
	size_t cap = p->cap_seen;

	p->seen = p->next;
	p->n_seen = p->n_next;
	p->cap_seen = p->cap_next;
	p->next = t;
	p->cap_next = cap;
	p->n_next = 0;
}

/* A captured scrub or replace of this filesystem, under --root only. */
static void captured_tasks(struct btrfs_probe *p, struct redmon_group *g)
{
	struct btrfs_task replace;
	char bad[256];
	size_t off;

	/* p->scrub: the group's scrub_found points into it until the report */
	btrfs_read_tasks(&p->rd, p->fs.uuid, &p->scrub, &replace, bad, sizeof(bad));
	btrfs_task_apply(&p->scrub, &replace, g);
	off = g->reason ? strlen(p->reason) : 0;
	if (bad[0] && off + 1 < sizeof(p->reason)) {
		snprintf(p->reason + off, sizeof(p->reason) - off, "%s%s", off ? "; " : "", bad);
		g->reason = p->reason;
	}
}

static int report_fs(struct btrfs_probe *p)
{
	struct redmon_group g;
	int rc = reserve_members(p, p->fs.n_dev ? p->fs.n_dev : 1);

	if (rc < 0 || (rc = remember(p)) < 0)
		return rc;
	btrfs_fs_group(&p->fs, p->seen, p->n_seen, &g, p->m, p->names, NAME_LEN, p->reason,
		       sizeof(p->reason), p->mreasons, MREASON_LEN);
	if (!p->live)
		captured_tasks(p, &g);
	/* A filesystem of single or raid0 profiles hides no single point of failure: it is one. */
	spof_reasons_clear(&p->spof);
	if (g.margin_nominal > 0)
		btrfs_read_spof(&p->rd, p->fs.uuid, &p->spof);
	g.spof = p->spof.ptr;
	g.n_spof = p->spof.n;
	rc = p->ops->report(p->h, &g);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0 && !p->said_report) {
		LOG(p, REDMON_LOG_WARNING, "group %s refused: %s", g.name, strerror(-rc));
		p->said_report = true;
	}
	return 0;
}

/*
 * Under --root, the directories whose files a scan reads are watched (inotify
 * reports a file's change to the watch on its directory): the top of the
 * tree (captured command outputs), sys/fs/btrfs, and per filesystem its
 * directory, devinfo/, each devinfo/<devid>/ and allocation/<type>/.  A
 * watch already there costs no system call; watch_ino_end() drops the rest.
 */
static void watch_fs(struct btrfs_probe *p)
{
	const char *u = p->fs.uuid;

	watch_ino_addf(&p->ino, 0, BTRFS_SYSFS "/%s", u);
	watch_ino_addf(&p->ino, 0, BTRFS_SYSFS "/%s/devinfo", u);
	for (size_t i = 0; i < p->fs.n_dev; i++)
		watch_ino_addf(&p->ino, 0, BTRFS_SYSFS "/%s/devinfo/%llu", u, p->fs.dev[i].devid);
	for (int t = 0; t < BTRFS_NTYPES; t++)
		watch_ino_addf(&p->ino, 0, BTRFS_SYSFS "/%s/allocation/%s", u, btrfs_type_names[t]);
}

static int btrfs_scan(void *inst)
{
	struct btrfs_probe *p = inst;
	char(*names)[BTRFS_UUID_LEN + 1] = NULL;
	size_t n = 0;
	int rc;

	if (p->flush)
		fdcache_flush(&p->fdc);
	p->flush = false;
	rc = btrfs_list_fs(&p->rd, &names, &n);
	if (rc < 0) {
		p->ops->scan_error(p->h, "cannot list %s: %s", BTRFS_SYSFS, strerror(-rc));
		return rc;
	}
	if (p->ino.fd >= 0) {
		watch_ino_begin(&p->ino);
		watch_ino_add(&p->ino, "", 0);
		watch_ino_add(&p->ino, BTRFS_SYSFS, 0);
	}
	/* The split of descriptors among probes follows what scans read. */
	if (p->keeps)
		fdcache_follow_share(&p->fdc, p->ops, p->h, 0);
	fdcache_begin(&p->fdc);
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = btrfs_read_fs(&p->rd, names[i], &p->fs);
		if (rc == 0 && p->ino.fd >= 0)
			watch_fs(p);
		if (rc == 0)
			rc = report_fs(p);
	}
	fdcache_sweep(&p->fdc); /* closes the files of filesystems unmounted */
	if (p->ino.fd >= 0) {
		watch_ino_end(&p->ino);
		watch_ino_rescan_if_added(&p->ino, p->ops, p->h);
	}
	free(names);
	if (rc < 0) {
		p->ops->scan_error(p->h, "out of memory");
		return rc;
	}
	seen_swap(p);
	return 0;
}

static bool uevent_cb(void *ctx, struct udev_device *dev)
{
	bool *want = ctx;

	(void)dev; /* a block device: the monitor's filter says so */
	*want = true;
	return true;
}

static int btrfs_on_fd(void *inst, int fd, uint32_t revents)
{
	struct btrfs_probe *p = inst;
	bool want = false;

	(void)revents;
	if (fd == p->ino.fd) {
		watch_ino_drain(&p->ino, NULL, NULL); /* any change: read it all again */
		p->flush = true;
		return 1;
	}
	if (fd == p->uevents.fd && watch_udev_drain(&p->uevents, uevent_cb, &want) == -ENOBUFS)
		want = true; /* uevents lost */
	return want ? 1 : 0;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "btrfs",
	.description = "btrfs filesystems' device redundancy, from /sys/fs/btrfs",
	.options = NULL,
	.init = btrfs_init,
	.fini = btrfs_fini,
	.scan = btrfs_scan,
	.on_fd = btrfs_on_fd,
};
