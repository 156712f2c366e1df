// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The power_supply probe: Mains and UPS supplies of /sys/class/power_supply
 * as one redundancy group (ps_class.c).
 *
 * The kernel announces a supply's change with a uevent, not with a pollable
 * attribute (power_supply_changed() -> kobject_uevent(KOBJ_CHANGE)), so on
 * the live system the probe listens on a NETLINK_KOBJECT_UEVENT socket and
 * asks for a rescan when a power_supply uevent arrives.  Under --root it
 * watches the captured tree with inotify instead.  Both only when the core
 * wants events; otherwise the periodic rescan is all there is.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/rootfs.h"
#include "ps_class.h"
#include "../lib/psu_probe.h"
#include "redmon/plugin.h"

struct ps_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	int required;
	int nlfd; /* uevent socket (live root) */
	int infd; /* inotify (captured tree) */
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
	if (p->nlfd >= 0) {
		p->ops->unwatch_fd(p->h, p->nlfd);
		close(p->nlfd);
	}
	if (p->infd >= 0) {
		p->ops->unwatch_fd(p->h, p->infd);
		close(p->infd);
	}
	psu_group_free(&p->psu);
	free(p);
}

static int open_uevents(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 /* kernel uevents */ };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int ps_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct ps_probe *p = calloc(1, sizeof(*p));
	int fd, rc;

	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->nlfd = p->infd = -1;
	if (psu_option_required(ops, h, &p->required) < 0) {
		ps_fini(p);
		return -EINVAL;
	}
	if (ops->events_wanted(h)) {
		if (ops->root_is_live(h)) {
			fd = open_uevents();
			if (fd >= 0 && (rc = ops->watch_fd(h, fd, EPOLLIN)) == 0)
				p->nlfd = fd;
			else if (fd >= 0)
				close(fd);
			else
				ops->log(h, REDMON_LOG_NOTICE,
					 "no uevent socket (%s): changes are seen at the next "
					 "rescan",
					 strerror(-fd));
		} else {
			fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
			if (fd >= 0 && ops->watch_fd(h, fd, EPOLLIN) == 0)
				p->infd = fd;
			else if (fd >= 0)
				close(fd);
		}
	}
	*ret = p;
	return 0;
}

/*
 * Watch the directory rel of the root.  inotify_add_watch() takes a path and
 * would follow a link in the tree out of the root (to a host directory), so
 * the directory is opened inside the root first and watched through its
 * descriptor's /proc/self/fd entry.  0 or -errno.
 */
static int watch_in_root(struct ps_probe *p, const char *rel, uint32_t mask)
{
	char fdpath[64];
	int fd, rc = 0;

	fd = rootfs_open(p->ops->root_fd(p->h), rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (inotify_add_watch(p->infd, fdpath, mask) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Keep inotify watches on the class directory and each supply's directory. */
static void watch_tree(struct ps_probe *p, const struct ps_entry *v, size_t n)
{
	const uint32_t mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
			      IN_DELETE | IN_ATTRIB;
	int bad = 0;

	if (watch_in_root(p, "sys/class/power_supply", mask) < 0)
		bad++;
	for (size_t i = 0; i < n; i++) {
		if (v[i].path[0] && watch_in_root(p, v[i].path, mask) < 0)
			bad++;
	}
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
	if (p->infd >= 0)
		watch_tree(p, v, n);
	rc = ps_psu_eval(&p->psu, v, n, p->required, &g);
	rc = psu_report(p->ops, p->h, rc, &g);
	free(v);
	return rc;
}

/* A uevent datagram is "ACTION@DEVPATH\0KEY=VALUE\0...": look for the subsystem. */
static bool is_power_supply_uevent(const char *buf, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *s = buf + i;
		size_t l = strnlen(s, len - i);

		if (l == sizeof("SUBSYSTEM=power_supply") - 1 &&
		    memcmp(s, "SUBSYSTEM=power_supply", l) == 0)
			return true;
		i += l + 1;
	}
	return false;
}

static int ps_on_fd(void *inst, int fd, uint32_t revents)
{
	struct ps_probe *p = inst;
	char buf[8192];
	bool want = false;
	ssize_t r;

	(void)revents;
	if (fd == p->infd) {
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		return 1;
	}
	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (is_power_supply_uevent(buf, (size_t)r))
			want = true;
	}
	return want ? 1 : 0;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.name = "power_supply",
	.description = "Mains and UPS supplies of /sys/class/power_supply",
	.options = ps_options,
	.init = ps_init,
	.fini = ps_fini,
	.scan = ps_scan,
	.on_fd = ps_on_fd,
};
