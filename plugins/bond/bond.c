// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bond probe: every Linux bond is a redundancy group of kind "nic" whose
 * members are its slaves (README.md says what is decided and why).
 *
 * A scan reads /proc/net/bonding/<bond> and sys/class/net/<bond>/ for each
 * bond found (bond_sysfs.h), decides (bond_rules.h) and reports.  Between
 * scans the probe watches, when the core wants events:
 *  - rtnetlink RTNLGRP_LINK: a link message for a bond or a slave of the
 *    last scan asks for a rescan at once (option netlink);
 *  - udev "net" add/remove, on the live root;
 *  - inotify over the directories read, when the root is a captured tree
 *    (option inotify).
 * This file is the only one that logs; it owns the probe instance.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <libudev.h>

#include <redmon/plugin.h>

#include "bond_info.h"
#include "bond_inotify.h"
#include "bond_netlink.h"
#include "bond_proc.h"
#include "bond_rules.h"
#include "bond_sysfs.h"
#include "bond_text.h"

/* link_failure_count of one slave at the last scan. */
struct history {
	char *bond, *slave; /* owned */
	long long count;
};

struct bond_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	struct bbuf buf;	 /* file reads, reused */
	struct bond_names known; /* bonds and slaves of the last scan (sorted) */
	struct history *hist;	 /* of the last scan */
	size_t n_hist;
	int nl_fd;	     /* rtnetlink, -1 when off */
	struct bond_ino ino; /* inotify, fd -1 when off */
	struct udev *udev;
	struct udev_monitor *mon; /* NULL when off */
	int udev_fd;
	bool warned_nl; /* netlink read failed once: said so */
};

static const struct redmon_option_spec bond_options[] = {
	{
		.key = "netlink",
		.type = REDMON_OPT_ENUM,
		.default_value = "auto",
		.choices = "auto|yes|no",
		.help = "rescan at once on rtnetlink link messages (auto: when running as a "
			"daemon)",
	},
	{
		.key = "inotify",
		.type = REDMON_OPT_ENUM,
		.default_value = "auto",
		.choices = "auto|yes|no",
		.help = "rescan when files of a captured tree change (auto: with --root, as a "
			"daemon)",
	},
	{ .key = NULL },
};

/* An auto|yes|no option: yes, or auto and the default holds. */
static bool option_on(struct bond_probe *p, const char *key, bool auto_value)
{
	const char *v = p->ops->option(p->h, key);

	if (!v || strcmp(v, "auto") == 0)
		return auto_value;
	return strcmp(v, "yes") == 0;
}

static void history_free(struct history *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].bond);
		free(v[i].slave);
	}
	free(v);
}

static long long history_find(const struct bond_probe *p, const char *bond, const char *slave)
{
	for (size_t i = 0; i < p->n_hist; i++) {
		if (strcmp(p->hist[i].bond, bond) == 0 && strcmp(p->hist[i].slave, slave) == 0)
			return p->hist[i].count;
	}
	return -1;
}

/* What one scan collects for the next: history, known names, watched dirs. */
struct scan_state {
	struct history *hist;
	size_t n_hist, cap_hist;
	struct bond_names known;
	struct bond_names dirs;
};

static int remember_slave(struct scan_state *st, const char *bond, const struct bond_slave *s)
{
	struct history *e;

	if (s->link_failures < 0)
		return 0;
	if (st->n_hist == st->cap_hist) {
		size_t cap = st->cap_hist ? st->cap_hist * 2 : 8;

		e = realloc(st->hist, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		st->hist = e;
		st->cap_hist = cap;
	}
	e = &st->hist[st->n_hist];
	e->bond = strdup(bond);
	e->slave = strdup(s->name);
	e->count = s->link_failures;
	if (!e->bond || !e->slave) {
		free(e->bond);
		free(e->slave);
		return -ENOMEM;
	}
	st->n_hist++;
	return 0;
}

static int __attribute__((format(printf, 2, 3)))
add_dir(struct bond_names *dirs, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return bond_names_add(dirs, bstr_c(path));
}

/* The directories a bond's scan depends on, for inotify. */
static int bond_dirs(struct bond_probe *p, const struct bond_info *info, struct bond_names *dirs)
{
	int rootfd = p->ops->root_fd(p->h);
	int r;

	r = add_dir(dirs, "sys/class/net/%s", info->name);
	if (r == 0)
		r = add_dir(dirs, "sys/class/net/%s/bonding", info->name);
	for (size_t i = 0; r == 0 && i < info->n_slaves; i++) {
		const struct bond_slave *s = &info->slaves[i];
		char dir[128];

		if (!s->name_valid)
			continue;
		/* Also where the slave's directory would appear, if it is not there yet. */
		r = add_dir(dirs, "sys/class/net/%s", s->name);
		if (r == 0 &&
		    bond_sysfs_slave_dir(rootfd, info->name, s->name, dir, sizeof(dir)) == 0) {
			r = add_dir(dirs, "%s", dir);
			if (r == 0)
				r = add_dir(dirs, "%s/bonding_slave", dir);
		}
	}
	return r;
}

static int report(struct bond_probe *p, const struct bond_info *info, const struct bond_verdict *v)
{
	struct redmon_member *m = NULL;
	struct redmon_group g = {
		.name = info->name,
		.kind = "nic",
		.type = v->type,
		.members_total = v->members_total,
		.members_ok = v->members_ok,
		.members_failed = v->members_failed,
		.spares = 0,
		.margin = v->margin,
		.margin_nominal = v->margin_nominal,
		.activity = REDMON_ACTIVITY_NONE,
		.progress = -1,
		.reason = v->reason[0] ? v->reason : NULL,
		.n_members = v->n_members,
	};
	int r;

	if (v->n_members) {
		m = calloc(v->n_members, sizeof(*m));
		if (!m)
			return -ENOMEM;
	}
	for (size_t i = 0; i < v->n_members; i++) {
		const struct bond_member_verdict *mv = &v->members[i];

		m[i] = (struct redmon_member){
			.name = info->slaves[i].name,
			.role = mv->role,
			.state = mv->state,
			.reason = mv->reason[0] ? mv->reason : NULL,
		};
	}
	g.members = m;
	r = p->ops->report(p->h, &g);
	free(m);
	return r == -EINVAL ? 0 : r; /* cannot happen; never fail the scan for it */
}

/* A bond whose sources exist but say nothing usable: reported, unknown. */
static int report_unknown(struct bond_probe *p, const char *name, const char *why)
{
	char reason[192];
	struct redmon_group g = {
		.name = name,
		.kind = "nic",
		.type = "unknown",
		.members_total = -1,
		.members_ok = -1,
		.margin = REDMON_MARGIN_UNKNOWN,
		.progress = -1,
		.reason = reason,
	};

	snprintf(reason, sizeof(reason), "proc/net/bonding/%s: %s", name, why);
	return p->ops->report(p->h, &g);
}

/* Nothing the kernel always prints was there (an empty or foreign file). */
static bool says_nothing(const struct bond_info *info)
{
	return info->mode == BOND_MODE_UNKNOWN && info->miimon < 0 && info->carrier < 0 &&
	       info->n_slaves == 0;
}

/* Read, decide, report one bond; remember what the next scan needs. */
static int scan_bond(struct bond_probe *p, const char *name, struct scan_state *st)
{
	int rootfd = p->ops->root_fd(p->h);
	struct bond_info info;
	struct bond_verdict v;
	long long *prev = NULL;
	char path[64];
	bool cut = false;
	int r, rp, rs;

	r = bond_info_init(&info, name);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "proc/net/bonding/%s", name);
	rp = bond_read_file(rootfd, path, BOND_PROC_MAX, &p->buf, &cut);
	if (rp == 0) {
		r = bond_proc_parse(p->buf.p, p->buf.len, &info);
		info.slaves_cut |= cut;
	}
	rs = r < 0 ? r : bond_sysfs_read(rootfd, &info, &p->buf);
	if (r == 0 && rs == -ENOMEM)
		r = rs;
	if (r == 0 && rp < 0 && rs < 0) {
		/* Listed somewhere, but neither source is there (a stale name). */
		if (rp != -ENOENT && rp != -ENOTDIR)
			r = report_unknown(p, name, strerror(-rp));
		goto out;
	}
	if (r == 0 && rs < 0 && says_nothing(&info)) {
		r = report_unknown(p, name, "no bonding information in it");
		goto out;
	}
	if (r == 0 && info.n_slaves) {
		prev = malloc(info.n_slaves * sizeof(*prev));
		if (!prev)
			r = -ENOMEM;
		for (size_t i = 0; prev && i < info.n_slaves; i++)
			prev[i] = history_find(p, name, info.slaves[i].name);
	}
	if (r == 0)
		r = bond_decide(&info, prev, &v);
	if (r == 0) {
		r = report(p, &info, &v);
		bond_verdict_free(&v);
	}
	if (r == 0)
		r = bond_names_add(&st->known, bstr_c(name));
	for (size_t i = 0; r == 0 && i < info.n_slaves; i++) {
		r = remember_slave(st, name, &info.slaves[i]);
		if (r == 0 && info.slaves[i].name_valid)
			r = bond_names_add(&st->known, bstr_c(info.slaves[i].name));
	}
	if (r == 0 && p->ino.fd >= 0)
		r = bond_dirs(p, &info, &st->dirs);
out:
	free(prev);
	bond_info_free(&info);
	return r;
}

static int bond_scan(void *inst)
{
	static const char *const top_dirs[] = {
		"proc", "proc/net", "proc/net/bonding", "sys", "sys/class", "sys/class/net",
	};
	struct bond_probe *p = inst;
	struct bond_names names = { 0 };
	struct scan_state st = { 0 };
	int r;

	r = bond_discover(p->ops->root_fd(p->h), &p->buf, &names);
	if (r < 0 && r != -ENOMEM) {
		bond_names_free(&names);
		p->ops->scan_error(p->h, "listing sys/class/net or proc/net/bonding: %s",
				   strerror(-r));
		return r;
	}
	for (size_t i = 0; r == 0 && i < names.n; i++)
		r = scan_bond(p, names.v[i], &st);
	for (size_t i = 0; r == 0 && p->ino.fd >= 0 && i < sizeof(top_dirs) / sizeof(top_dirs[0]);
	     i++)
		r = bond_names_add(&st.dirs, bstr_c(top_dirs[i]));
	if (r == 0 && p->ino.fd >= 0) {
		bond_names_sort(&st.dirs);
		r = bond_ino_sync(&p->ino, p->ops->root(p->h), &st.dirs);
	}
	bond_names_free(&names);
	bond_names_free(&st.dirs);
	if (r < 0) {
		history_free(st.hist, st.n_hist);
		bond_names_free(&st.known);
		p->ops->scan_error(p->h, "bond scan failed: %s", strerror(-r));
		return r;
	}
	/* Keep what this scan saw for the next one. */
	history_free(p->hist, p->n_hist);
	p->hist = st.hist;
	p->n_hist = st.n_hist;
	bond_names_free(&p->known);
	bond_names_sort(&st.known);
	p->known = st.known;
	return 0;
}

struct nl_ctx {
	struct bond_probe *p;
	bool rescan;
};

/* A link message: rescan for a bond, a bond slave, or a name of the last scan. */
static bool nl_cb(void *ctx, const struct bond_nl_link *l)
{
	struct nl_ctx *c = ctx;

	if (l->is_bond || l->is_bond_slave || (l->name[0] && bond_names_has(&c->p->known, l->name)))
		c->rescan = true;
	return c->rescan; /* one reason is enough: stop parsing */
}

static int on_netlink(struct bond_probe *p)
{
	struct nl_ctx c = { .p = p };
	int r = bond_nl_drain(p->nl_fd, nl_cb, &c);

	if (r < 0) {
		if (!p->warned_nl)
			p->ops->log(p->h, REDMON_LOG_WARNING, "rtnetlink read failed: %s",
				    strerror(-r));
		p->warned_nl = true;
		return r;
	}
	return r == 1 || c.rescan;
}

static int on_udev(struct bond_probe *p)
{
	struct udev_device *dev;
	int rescan = 0;

	while ((dev = udev_monitor_receive_device(p->mon))) {
		const char *action = udev_device_get_action(dev);
		const char *name = udev_device_get_sysname(dev);

		/* Bonds and slaves come and go with add/remove/move. */
		if (action && strcmp(action, "change") != 0)
			rescan = 1;
		else if (name && bond_names_has(&p->known, name))
			rescan = 1;
		udev_device_unref(dev);
	}
	return rescan;
}

static int bond_on_fd(void *inst, int fd, uint32_t revents)
{
	struct bond_probe *p = inst;

	(void)revents;
	if (fd == p->nl_fd)
		return on_netlink(p);
	if (fd == p->ino.fd)
		return bond_ino_drain(&p->ino);
	if (p->mon && fd == p->udev_fd)
		return on_udev(p);
	return 0;
}

/* auto: failing is worth a notice; asked for (yes): a warning. */
static int setup_netlink(struct bond_probe *p, bool is_auto)
{
	int fd = bond_nl_open(), r;

	if (fd < 0) {
		p->ops->log(p->h, is_auto ? REDMON_LOG_NOTICE : REDMON_LOG_WARNING,
			    "no rtnetlink link events (%s): bond changes wait for the next rescan",
			    strerror(-fd));
		return 0;
	}
	r = p->ops->watch_fd(p->h, fd, EPOLLIN);
	if (r < 0) {
		close(fd);
		return r;
	}
	p->nl_fd = fd;
	return 0;
}

static int setup_inotify(struct bond_probe *p)
{
	int r = bond_ino_open(&p->ino);

	if (r < 0) {
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "no inotify (%s): changes of the tree wait for the next rescan",
			    strerror(-r));
		bond_ino_close(&p->ino);
		return 0;
	}
	r = p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN);
	if (r < 0)
		bond_ino_close(&p->ino);
	return r;
}

static void setup_udev(struct bond_probe *p)
{
	const char *why = "udev_new failed";

	p->udev = udev_new();
	if (p->udev)
		p->mon = udev_monitor_new_from_netlink(p->udev, "udev");
	if (p->mon) {
		why = "cannot filter or enable the monitor";
		if (udev_monitor_filter_add_match_subsystem_devtype(p->mon, "net", NULL) >= 0 &&
		    udev_monitor_enable_receiving(p->mon) >= 0) {
			p->udev_fd = udev_monitor_get_fd(p->mon);
			if (p->udev_fd >= 0 && p->ops->watch_fd(p->h, p->udev_fd, EPOLLIN) == 0)
				return;
			why = "cannot watch its descriptor";
		}
	} else if (p->udev) {
		why = "no udev monitor";
	}
	p->ops->log(p->h, REDMON_LOG_NOTICE, "no udev net events (%s): rtnetlink and rescans only",
		    why);
	udev_monitor_unref(p->mon);
	p->mon = NULL;
	udev_unref(p->udev);
	p->udev = NULL;
	p->udev_fd = -1;
}

static void bond_fini(void *inst)
{
	struct bond_probe *p = inst;

	if (!p)
		return;
	if (p->nl_fd >= 0) {
		p->ops->unwatch_fd(p->h, p->nl_fd);
		close(p->nl_fd);
	}
	if (p->ino.fd >= 0)
		p->ops->unwatch_fd(p->h, p->ino.fd);
	bond_ino_close(&p->ino);
	if (p->mon) {
		p->ops->unwatch_fd(p->h, p->udev_fd);
		udev_monitor_unref(p->mon);
	}
	udev_unref(p->udev);
	history_free(p->hist, p->n_hist);
	bond_names_free(&p->known);
	bbuf_free(&p->buf);
	free(p);
}

static int bond_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret_inst)
{
	struct bond_probe *p;
	bool events, live;
	int r = 0;

	if (ops->abi_version != REDMON_ABI_VERSION || ops->size < sizeof(*ops)) {
		ops->log(h, REDMON_LOG_ERR, "host ABI %u (size %u) does not match this plugin's %u",
			 ops->abi_version, ops->size, REDMON_ABI_VERSION);
		return -EPROTO;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ops = ops;
	p->h = h;
	p->nl_fd = -1;
	p->ino.fd = -1;
	p->udev_fd = -1;
	events = ops->events_wanted(h);
	live = ops->root_is_live(h);
	if (events && option_on(p, "netlink", true))
		r = setup_netlink(p, !option_on(p, "netlink", false));
	if (r == 0 && events && option_on(p, "inotify", !live))
		r = setup_inotify(p);
	if (r == 0 && events && live)
		setup_udev(p);
	if (r < 0) {
		ops->log(h, REDMON_LOG_ERR, "cannot watch for events: %s", strerror(-r));
		bond_fini(p);
		return r;
	}
	*ret_inst = p;
	return 0;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.name = "bond",
	.description = "Linux bonding: each bond and its slave NICs, all modes, LACP health",
	.options = bond_options,
	.init = bond_init,
	.fini = bond_fini,
	.scan = bond_scan,
	.on_fd = bond_on_fd,
};
