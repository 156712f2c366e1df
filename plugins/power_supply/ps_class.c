// SPDX-License-Identifier: GPL-2.0-or-later
/* /sys/class/power_supply reading and classification: see ps_class.h. */
#include "ps_class.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/rootfs.h"
#include "../lib/strbuf.h"
#include "../lib/sysfs_read.h"
#include "../lib/psu_util.h"
#include "redmon/grow.h"

/* health values (sysfs-class-power) that mean the supply does not deliver. */
static const char *const health_failed[] = {
	"Dead",		 "Over voltage",	  "Unspecified failure",
	"Over current",	 "Watchdog timer expire", "Safety timer expire",
	"Under voltage",
};

#define CLASS_DIR "sys/class/power_supply"

/*
 * Read attribute name of e into buf ("" when it has none).  A failure other
 * than its absence is recorded in e->error when state says the verdict needs
 * the value (the first failure only).  -ENODATA is no failure: a driver
 * answers it for a property it cannot give now (power_supply_show_property()).
 */
static void read_attr(int sfd, struct ps_entry *e, const char *name, char *buf, size_t len,
		      bool state)
{
	int rc = psu_read_beneath(sfd, name, buf, len);

	if (rc < 0) {
		buf[0] = '\0';
		if (state && rc != -ENOENT && rc != -ENODATA && !e->error[0])
			snprintf(e->error, sizeof(e->error), "%s: %s", name, psu_read_strerror(rc));
		return;
	}
	/* A value is one line; anything after a newline is not ours to show. */
	buf[strcspn(buf, "\n")] = '\0';
}

/* Read a 0/1 attribute; -1 when missing or not a number. */
static int read_flag(int sfd, struct ps_entry *e, const char *name)
{
	char buf[32];
	long long v;

	read_attr(sfd, e, name, buf, sizeof(buf), true);
	if (!buf[0] || strv_to_ll(strv_trim(strv_c(buf)), LLONG_MIN, LLONG_MAX, &v) < 0)
		return -1;
	return v != 0;
}

static bool is_mains(const struct ps_entry *e)
{
	return strcmp(e->type, "Mains") == 0 || strcmp(e->type, "UPS") == 0;
}

static bool is_battery(const struct ps_entry *e)
{
	return strcmp(e->type, "Battery") == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ps_entry *)a)->name, ((const struct ps_entry *)b)->name);
}

/*
 * Fill e (name set) from its class entry.  -ENOENT when the entry went away
 * since the directory was listed: nothing to report.  Any other failure is
 * in e->error.  The attributes are read beneath the supply's directory
 * (sysfs has no links among them; one lookup each).
 */
static int read_entry(int root_fd, struct ps_entry *e)
{
	int rc, sfd = -1;

	e->online = e->present = -1;
	/* A class entry links to the device's directory (or stands for a link). */
	rc = psu_follow_link(root_fd, CLASS_DIR, e->name, e->path, sizeof(e->path));
	if (rc == -ENOENT)
		return rc;
	if (rc == 0) {
		sfd = rootfs_open(root_fd, e->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0)
			rc = errno == ENOENT || errno == ENOTDIR ? -ENOLINK : -errno;
	}
	if (rc < 0) {
		snprintf(e->error, sizeof(e->error), "its directory: %s", psu_read_strerror(rc));
		return 0;
	}
	read_attr(sfd, e, "type", e->type, sizeof(e->type), true);
	/*
	 * Only a mains supply, a UPS or a battery can be a member
	 * (ps_is_member()); of the others (USB, Wireless) the type is all a
	 * verdict needs.  A battery's status is its state.
	 */
	if (is_mains(e) || is_battery(e)) {
		read_attr(sfd, e, "health", e->health, sizeof(e->health), true);
		if (is_battery(e))
			read_attr(sfd, e, "status", e->status, sizeof(e->status), true);
		read_attr(sfd, e, "serial_number", e->serial, sizeof(e->serial), false);
		e->online = read_flag(sfd, e, "online");
		e->present = read_flag(sfd, e, "present");
	}
	close(sfd);
	return 0;
}

struct ps_list {
	int root_fd;
	struct ps_entry *v;
	size_t n, cap;
};

/* Read one class entry (sysfs_list_dir() callback); 1 stops at PS_SUPPLIES_MAX. */
static int list_entry(void *ctx, const char *name)
{
	struct ps_list *l = ctx;
	struct ps_entry *e;

	if (name[0] == '.' || strlen(name) >= sizeof(e->name))
		return 0;
	if (!grow_one((void **)&l->v, &l->cap, l->n, sizeof(*l->v), 8))
		return -ENOMEM;
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (read_entry(l->root_fd, e) == 0)
		l->n++;
	return l->n >= PS_SUPPLIES_MAX;
}

int ps_read(int root_fd, struct ps_entry **ret, size_t *ret_n)
{
	struct ps_list l = { .root_fd = root_fd };
	struct strbuf buf = { 0 };
	int rc = sysfs_list_dir(root_fd, CLASS_DIR, &buf, list_entry, &l);

	strbuf_free(&buf);
	/* No class directory (or a link to none) is no supply. */
	if (rc == -ENOENT || rc == -ENOTDIR || rc == -ENOLINK)
		rc = 0;
	if (rc < 0) {
		free(l.v);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), by_name);
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

/* Is there a Mains or UPS supply among the entries? */
static bool has_mains(const struct ps_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (is_mains(&v[i]))
			return true;
	}
	return false;
}

bool ps_is_member(const struct ps_entry *e, bool has_mains)
{
	return e->error[0] || is_mains(e) || (has_mains && is_battery(e));
}

void ps_classify(const struct ps_entry *e, struct psu_view *ret)
{
	bool bad_health = false;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < sizeof(health_failed) / sizeof(health_failed[0]); i++)
		bad_health |= strcmp(e->health, health_failed[i]) == 0;

	if (e->present == 0)
		psu_text_add(ret->state, sizeof(ret->state), ", ", "not present");
	if (is_battery(e) && e->status[0])
		psu_text_add(ret->state, sizeof(ret->state), ", ", "battery %s", e->status);
	if (e->online >= 0)
		psu_text_add(ret->state, sizeof(ret->state), ", ", "%s",
			     e->online ? "online" : "offline");
	if (e->health[0])
		psu_text_add(ret->state, sizeof(ret->state), ", ", "health %s", e->health);
	if (!ret->state[0])
		snprintf(ret->state, sizeof(ret->state), "%s",
			 e->error[0] ? "unreadable" : "no online, present or health attribute");

	if (e->present == 0) {
		ret->cond = PSU_ABSENT;
		psu_text_add(ret->why, sizeof(ret->why), ", ", "not present");
	} else if (e->online == 0 || bad_health) {
		ret->cond = PSU_FAILED;
		if (e->online == 0)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "offline (input lost)");
		if (bad_health)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "health %s", e->health);
	} else if (e->online < 0 && !e->health[0] && !(is_battery(e) && e->present == 1)) {
		/* A present battery has no online attribute: it can carry the load. */
		ret->cond = PSU_UNKNOWN;
		psu_text_add(ret->why, sizeof(ret->why), ", ",
			     "state unknown: no online attribute");
	} else {
		ret->cond = PSU_OK;
		/* Overheat, Hot, Cold, ...: still delivering, but worth a word. */
		if (e->health[0] && strcmp(e->health, "Good") != 0 &&
		    strcmp(e->health, "Unknown") != 0)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "health %s", e->health);
	}
	/*
	 * What could not be read may change the verdict, unless what was read
	 * already says the supply is out (absent, offline, failed health).
	 */
	if (e->error[0] && ret->cond != PSU_ABSENT && ret->cond != PSU_FAILED) {
		ret->cond = PSU_UNKNOWN;
		ret->unreadable = true;
		ret->why[0] = '\0';
	}
	if (e->error[0])
		psu_text_add(ret->why, sizeof(ret->why), ", ", "unreadable: %s", e->error);
}

int ps_psu_eval(struct psu_group *p, const struct ps_entry *v, size_t n, int required,
		struct redmon_group *g)
{
	bool mains = has_mains(v, n);
	int rc;

	psu_group_begin(p);
	for (size_t i = 0; i < n; i++) {
		struct psu_view *view;

		if (!ps_is_member(&v[i], mains))
			continue;
		view = psu_group_add(p, v[i].name, NULL, v[i].serial[0] ? v[i].serial : NULL);
		if (!view)
			return -ENOMEM;
		ps_classify(&v[i], view);
	}
	rc = psu_group_eval(p, required, 0, "mains", g);
	psu_group_end(p);
	/* One supply alone (an AC adapter, no battery) is not a redundant set. */
	if (rc == 0 && p->ev.total < 2 && required == 0)
		rc = -ENODATA;
	return rc;
}
