// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The power_supply probe: Mains and UPS supplies of /sys/class/power_supply
 * as one redundancy group (ps_class.c).
 *
 * The kernel announces a supply's change with a uevent, not with a pollable
 * attribute (power_supply_changed() -> kobject_uevent(KOBJ_CHANGE)), so on
 * the live system the probe listens to the kernel's uevents for the
 * power_supply subsystem and asks for a rescan when one arrives.  Under
 * --root it watches the captured tree with inotify instead (both:
 * plugins/lib/watch.h).  Both only when the core wants events; otherwise the
 * periodic rescan is all there is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>

#include "../lib/watch.h"
#include "ps_class.h"
#include "../lib/psu_probe.h"
#include "redmon/plugin.h"

struct ps_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	int required;
	struct watch_udev uevents; /* live root; fd -1 when off */
	struct watch_ino ino;	   /* captured tree; fd -1 when off */
	bool said_watch;
	struct psu_group psu;
};

static const struct redmon_option_spec ps_options[] = {
	PSU_OPTION_REQUIRED("all but one of those seen at start"),
	{ .key = NULL },
};

static void ps_fini(void *inst)
{
	struct ps_probe *p = inst;

	if (!p)
		return;
	if (p->uevents.fd >= 0)
		p->ops->unwatch_fd(p->h, p->uevents.fd);
	watch_udev_close(&p->uevents);
	if (p->ino.fd >= 0)
		p->ops->unwatch_fd(p->h, p->ino.fd);
	watch_ino_close(&p->ino);
	psu_group_free(&p->psu);
	free(p);
}

/* The kernel's uevents of power_supply devices (not udev's: no udevd needed). */
static void watch_uevents(struct ps_probe *p)
{
	static const char *const subsystems[] = { "power_supply", NULL };
	const char *why = "";
	int rc = watch_udev_open(&p->uevents, "kernel", subsystems, &why);

	if (rc < 0) {
		p->ops->log(p->h, REDMON_LOG_NOTICE,
			    "no uevent socket (%s: %s): changes are seen at the next rescan", why,
			    strerror(-rc));
		return;
	}
	if (p->ops->watch_fd(p->h, p->uevents.fd, EPOLLIN) < 0)
		watch_udev_close(&p->uevents);
}

/* inotify over the captured tree: files rewritten, renamed over, supplies coming and going. */
static void watch_captured(struct ps_probe *p)
{
	const uint32_t mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
			      IN_DELETE | IN_ATTRIB;

	if (watch_ino_open(&p->ino, p->ops->root_fd(p->h), p->ops->root(p->h), mask) == 0 &&
	    p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN) < 0)
		watch_ino_close(&p->ino);
}

static int ps_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct ps_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->uevents.fd = p->ino.fd = -1;
	if (psu_option_required(ops, h, &p->required) < 0) {
		ps_fini(p);
		return -EINVAL;
	}
	if (ops->events_wanted(h) && ops->root_is_live(h))
		watch_uevents(p);
	else if (ops->events_wanted(h))
		watch_captured(p);
	*ret = p;
	return 0;
}

/* Keep inotify watches on the class directory and each supply's directory. */
static void watch_tree(struct ps_probe *p, const struct ps_entry *v, size_t n)
{
	int bad = 0;

	watch_ino_begin(&p->ino);
	if (watch_ino_add(&p->ino, "sys/class/power_supply", 0) < 0)
		bad++;
	for (size_t i = 0; i < n; i++) {
		if (v[i].path[0] && watch_ino_add(&p->ino, v[i].path, 0) < 0)
			bad++;
	}
	watch_ino_end(&p->ino);
	watch_ino_rescan_if_added(&p->ino, p->ops, p->h);
	if (bad && !p->said_watch && n > 0) {
		p->ops->log(
			p->h, REDMON_LOG_NOTICE,
			"cannot watch %d power_supply directories: changes are seen at the next "
			"rescan",
			bad);
		p->said_watch = true;
	}
}

static int ps_scan(void *inst)
{
	struct ps_probe *p = inst;
	struct ps_entry *v = NULL;
	struct redmon_group g;
	size_t n = 0;
	int rc;

	rc = ps_read(p->ops->root_fd(p->h), &v, &n);
	if (rc < 0) {
		p->ops->scan_error(p->h, "reading sys/class/power_supply: %s", strerror(-rc));
		return rc;
	}
	if (p->ino.fd >= 0)
		watch_tree(p, v, n);
	rc = ps_psu_eval(&p->psu, v, n, p->required, &g);
	rc = psu_report(p->ops, p->h, rc, &g);
	free(v);
	return rc;
}

static bool uevent_cb(void *ctx, struct udev_device *dev)
{
	bool *want = ctx;

	(void)dev; /* of power_supply: the monitor's filter says so */
	*want = true;
	return true;
}

static int ps_on_fd(void *inst, int fd, uint32_t revents)
{
	struct ps_probe *p = inst;
	bool want = false;

	(void)revents;
	if (fd == p->ino.fd) {
		watch_ino_drain(&p->ino, NULL, NULL); /* any event is worth a rescan */
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
	.name = "power_supply",
	.description = "Mains and UPS supplies of /sys/class/power_supply",
	.options = ps_options,
	.init = ps_init,
	.fini = ps_fini,
	.scan = ps_scan,
	.on_fd = ps_on_fd,
};
