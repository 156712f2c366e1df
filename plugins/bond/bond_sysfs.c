// SPDX-License-Identifier: GPL-2.0-or-later
/* Bond discovery and the sysfs reader: see bond_sysfs.h. */
#include "bond_sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/rootfs.h"
#include "../lib/sysfs_read.h"

/* --- name sets ----------------------------------------------------------- */

/* Append a copy of name (control bytes replaced, at most 4096 bytes); 0 or -ENOMEM. */
static int names_add(struct bond_names *s, struct strv name)
{
	char *copy;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	copy = strv_dup_nocontrol(name, 4096);
	if (!copy)
		return -ENOMEM;
	s->v[s->n++] = copy;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void names_sort(struct bond_names *s)
{
	size_t k = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_names);
	for (size_t i = 0; i < s->n; i++) {
		if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

bool bond_names_has(const struct bond_names *s, const char *name)
{
	return s->n && bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_names);
}

void bond_names_clear(struct bond_names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

void bond_names_free(struct bond_names *s)
{
	if (!s)
		return;
	bond_names_clear(s);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* --- discovery ----------------------------------------------------------- */

/* Whether path (under the root, resolved inside it) is a directory. */
static bool is_dir_at(int rootfd, const char *path)
{
	int fd = rootfs_open(rootfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * bonding_masters: "bond0 bond1\n", cut with "++more++" past one page.
 * *ret_read says whether the file was there, *ret_cut whether it was cut.
 */
static int from_masters(int rootfd, struct strbuf *b, struct bond_names *out, bool *ret_read,
			bool *ret_cut)
{
	struct strv rest, tok;
	int r = 0;

	if (bond_read_file(NULL, rootfd, "sys/class/net/bonding_masters", BOND_ATTR_MAX, b, NULL) <
	    0)
		return 0;
	*ret_read = true;
	rest = strv_make(b->p, b->len);
	while (r == 0 && strv_next_token(&rest, &tok)) {
		if (strv_eq(tok, "++more++"))
			*ret_cut = true; /* a valid ifname, but here it marks the cut */
		else if (bond_ifname_valid(tok))
			r = names_add(out, tok);
	}
	return r;
}

struct dir_scan {
	int rootfd;
	const char *path;
	bool need_bonding;
	const struct bond_names *skip;
	struct bond_names *out;
};

static int dir_entry(void *ctx, const char *name)
{
	const struct dir_scan *ds = ctx;
	char sub[PATH_MAX];
	int n;

	if (!bond_ifname_valid(strv_c(name)) || (ds->skip && bond_names_has(ds->skip, name)))
		return 0;
	if (ds->need_bonding) {
		n = snprintf(sub, sizeof(sub), "%s/%s/bonding", ds->path, name);
		if (n < 0 || (size_t)n >= sizeof(sub) || !is_dir_at(ds->rootfd, sub))
			return 0;
	}
	return names_add(ds->out, strv_c(name));
}

/*
 * Every valid name in directory path, except those already in skip (sorted);
 * with need_bonding, only entries that hold a bonding/ directory (looked up
 * from the root: sys/class/net/<if> is a link to ../../devices/...).
 * *ret_listed (may be NULL) says whether the directory was there.
 */
static int from_dir(int rootfd, const char *path, bool need_bonding, const struct bond_names *skip,
		    struct strbuf *scratch, struct bond_names *out, bool *ret_listed)
{
	struct dir_scan ds = { rootfd, path, need_bonding, skip, out };
	int r = sysfs_list_dir(rootfd, path, scratch, dir_entry, &ds);

	/* Absent is fine (no bonding module, a proc-only capture). */
	if (r == -ENOENT || r == -ENOTDIR || r == -ENOLINK)
		return 0;
	if (ret_listed)
		*ret_listed = true;
	return r;
}

/* Whether every name of the sorted set a is in the sorted set b. */
static bool names_within(const struct bond_names *a, const struct bond_names *b)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!bond_names_has(b, a->v[i]))
			return false;
	}
	return true;
}

/*
 * Three sources, as each alone can miss a bond: bonding_masters (cut at one
 * page by bonding_show_bonds()), proc/net/bonding (a file per bond:
 * bond_create_proc_entry()) and sys/class/net/<if>/bonding.  Listing
 * sys/class/net costs one stat per interface (slaves too), so it is done
 * only when the other two may miss one: without bonding_masters (a partial
 * capture), or when it was cut and proc/net/bonding lacks a name it gave.
 */
int bond_discover(int rootfd, struct strbuf *scratch, struct bond_names *ret, bool *ret_listed_net)
{
	struct bond_names masters = { 0 };
	bool read = false, cut = false, listed = false, net = false;
	int r;

	r = from_masters(rootfd, scratch, &masters, &read, &cut);
	if (r == 0)
		r = from_dir(rootfd, "proc/net/bonding", false, NULL, scratch, ret, &listed);
	names_sort(ret);
	names_sort(&masters);
	net = r == 0 && (!read || (cut && (!listed || !names_within(&masters, ret))));
	if (ret_listed_net)
		*ret_listed_net = net;
	if (net)
		r = from_dir(rootfd, "sys/class/net", true, ret, scratch, &masters, NULL);
	for (size_t i = 0; r == 0 && i < masters.n; i++)
		r = names_add(ret, strv_c(masters.v[i]));
	bond_names_free(&masters);
	names_sort(ret);
	return r;
}

/* --- attributes ---------------------------------------------------------- */

struct reader {
	struct sysfs_dir d; /* the directory attributes are read from */
	unsigned int hits;  /* attributes read */
};

/*
 * The trimmed content of the attribute name: 0, or -errno when it cannot be
 * read.  Reads of some attributes fail by design (speed of a down link:
 * -EINVAL).
 */
static int attr_read(struct reader *rd, const char *name, struct strv *ret)
{
	int r = sysfs_read(&rd->d, name, 0, ret);

	if (r < 0)
		return r;
	*ret = strv_trim(*ret);
	rd->hits++;
	return 0;
}

static bool attr(struct reader *rd, const char *name, struct strv *ret)
{
	return attr_read(rd, name, ret) == 0;
}

/*
 * An attribute a verdict depends on: as attr(), but a file that is there
 * and cannot be read (not absent: ENOENT, or ENODEV for a device going
 * away, which the next scan sees) marks bit in *bad.
 */
static bool attr_fact(struct reader *rd, const char *name, unsigned int *bad, unsigned int bit,
		      struct strv *ret)
{
	int r = attr_read(rd, name, ret);

	if (r < 0 && r != -ENOENT && r != -ENODEV)
		*bad |= bit;
	return r == 0;
}

/*
 * A number in [0, max] into *field, unless known already.  The text none
 * is no value, not a bad one: empty is what the 802.3ad attributes of the
 * bond print outside 802.3ad, "N/A" what those of a slave print
 * (bond_sysfs_slave.c).
 */
static void attr_num(struct reader *rd, const char *name, const char *none, long long max,
		     int *field, unsigned int *bad, unsigned int bit)
{
	struct strv v;
	long long x;

	if (*field >= 0 || !attr_fact(rd, name, bad, bit, &v) || strv_eq(v, none))
		return;
	if (strv_to_ll(v, 0, max, &x) == 0)
		*field = (int)x;
	else
		*bad |= bit;
}

/*
 * Only attributes that can change the verdict are read (README.md): the mode
 * is known first, so a scan of a balance-rr bond opens no file that would
 * fail with ENOENT.
 */
static bool lacp_mode(enum bond_mode m)
{
	return m == BOND_MODE_UNKNOWN || m == BOND_MODE_8023AD;
}

static bool backup_mode(enum bond_mode m)
{
	return m == BOND_MODE_UNKNOWN || m == BOND_MODE_AB || m == BOND_MODE_TLB ||
	       m == BOND_MODE_ALB;
}

/*
 * The 802.3ad attributes: ad_aggregator and ad_num_ports are empty outside
 * 802.3ad and print 0 when there is no active aggregator; ad_partner_mac is
 * empty without CAP_NET_ADMIN (bond_sysfs.c).
 */
static void read_lacp_attrs(struct reader *rd, struct bond_info *info)
{
	unsigned int *bad = &info->bad_sysfs;
	struct strv v;
	int agg = -1;

	attr_num(rd, "bonding/min_links", "", INT_MAX, &info->min_links, bad, BOND_BAD_MIN_LINKS);
	/* Not visible yet: no active aggregator known either. */
	if (!info->agg_visible) {
		attr_num(rd, "bonding/ad_aggregator", "", INT_MAX, &agg, bad, BOND_BAD_AGG);
		info->agg_visible = agg >= 0;
		info->no_active_agg = agg == 0;
		info->active_agg = agg > 0 ? agg : -1;
	}
	attr_num(rd, "bonding/ad_num_ports", "", INT_MAX, &info->active_ports, bad, BOND_BAD_PORTS);
	if (!info->partner_mac_known &&
	    attr_fact(rd, "bonding/ad_partner_mac", bad, BOND_BAD_PARTNER_MAC, &v) && v.n) {
		info->partner_mac_known = strv_to_mac(v, info->partner_mac) == 0;
		if (!info->partner_mac_known)
			*bad |= BOND_BAD_PARTNER_MAC;
	}
}

/* operstate; "unknown" is a state the kernel prints, not a bad value. */
static void read_oper(struct reader *rd, enum bond_oper *field, unsigned int *bad, unsigned int bit)
{
	struct strv v;

	if (*field != BOND_OPER_UNKNOWN || !attr_fact(rd, "operstate", bad, bit, &v))
		return;
	if (strv_eq(v, "up"))
		*field = BOND_OPER_UP;
	else if (strv_eq(v, "down") || strv_eq(v, "lowerlayerdown") || strv_eq(v, "notpresent"))
		*field = BOND_OPER_DOWN;
	else if (strv_eq(v, "dormant") || strv_eq(v, "testing"))
		*field = BOND_OPER_OTHER;
	else if (!strv_eq(v, "unknown"))
		*bad |= bit;
}

static int read_bond_attrs(struct reader *rd, struct bond_info *info)
{
	unsigned int *bad = &info->bad_sysfs, ignored = 0;
	struct strv v, tok;
	unsigned long long flags;

	/* "802.3ad 4" */
	if (info->mode == BOND_MODE_UNKNOWN &&
	    attr_fact(rd, "bonding/mode", bad, BOND_BAD_MODE, &v)) {
		if (strv_next_token(&v, &tok))
			info->mode = bond_mode_from_name(tok);
		if (info->mode == BOND_MODE_UNKNOWN)
			*bad |= BOND_BAD_MODE;
	}
	/* No facts of the verdict (a reason only): never "bad". */
	attr_num(rd, "bonding/miimon", "", INT_MAX, &info->miimon, &ignored, 0);
	attr_num(rd, "bonding/arp_interval", "", INT_MAX, &info->arp_interval, &ignored, 0);
	if (info->arp_targets < 0 && attr(rd, "bonding/arp_ip_target", &v)) {
		info->arp_targets = 0;
		while (strv_next_token(&v, &tok))
			info->arp_targets++;
	}
	if (info->carrier < 0 && attr_fact(rd, "bonding/mii_status", bad, BOND_BAD_CARRIER, &v)) {
		enum bond_link l = bond_link_from_text(v);

		info->carrier = l == BOND_LINK_UP ? 1 : l == BOND_LINK_DOWN ? 0 : -1;
		if (l == BOND_LINK_UNKNOWN)
			*bad |= BOND_BAD_CARRIER;
	}
	if (lacp_mode(info->mode))
		read_lacp_attrs(rd, info);
	read_oper(rd, &info->oper, bad, BOND_BAD_OPER);
	if (info->admin_up < 0 && attr_fact(rd, "flags", bad, BOND_BAD_FLAGS, &v)) {
		if (strv_to_hex(v, &flags) == 0)
			info->admin_up = (flags & 0x1) != 0; /* IFF_UP */
		else
			*bad |= BOND_BAD_FLAGS;
	}
	/* The primary and the active slave are decided on only in active-backup. */
	if (info->mode != BOND_MODE_UNKNOWN && info->mode != BOND_MODE_AB)
		return 0;
	/* "eth0\n", or empty: none. */
	if (!info->primary_known && attr(rd, "bonding/primary", &v) &&
	    bond_info_set_ref(v, "", &info->primary_known, &info->primary) < 0)
		return -ENOMEM;
	if (!info->active_known && attr(rd, "bonding/active_slave", &v))
		return bond_info_set_ref(v, "", &info->active_known, &info->active);
	return 0;
}

static void read_slave_attrs(struct reader *rd, const struct bond_info *info, struct bond_slave *s)
{
	unsigned int *bad = &s->bad_sysfs;
	struct strv v;
	long long x;

	if (s->link == BOND_LINK_UNKNOWN &&
	    attr_fact(rd, "bonding_slave/mii_status", bad, BOND_BAD_S_LINK, &v)) {
		s->link = bond_link_from_text(v);
		if (s->link == BOND_LINK_UNKNOWN)
			*bad |= BOND_BAD_S_LINK;
	}
	/* Not when "Currently Active Slave" said it: both come from curr_active_slave. */
	if (s->is_active < 0 && backup_mode(info->mode) &&
	    !(info->mode == BOND_MODE_AB && info->active_known) &&
	    attr(rd, "bonding_slave/state", &v))
		s->is_active = strv_eq(v, "active") ? 1 : strv_eq(v, "backup") ? 0 : -1;
	if (s->link_failures < 0 && attr(rd, "bonding_slave/link_failure_count", &v) &&
	    strv_to_ll(v, 0, UINT_MAX, &x) == 0)
		s->link_failures = x;
	if (lacp_mode(info->mode)) {
		if (!s->agg_known &&
		    attr_fact(rd, "bonding_slave/ad_aggregator_id", bad, BOND_BAD_S_AGG, &v)) {
			/* "N/A" is also what every mode but 802.3ad prints. */
			if (!bond_slave_set_agg(s, v))
				*bad |= BOND_BAD_S_AGG;
		}
		attr_num(rd, "bonding_slave/ad_actor_oper_port_state", "N/A", 255, &s->actor_state,
			 bad, BOND_BAD_S_ACTOR);
		attr_num(rd, "bonding_slave/ad_partner_oper_port_state", "N/A", 255,
			 &s->partner_state, bad, BOND_BAD_S_PARTNER);
	}
	read_oper(rd, &s->oper, bad, BOND_BAD_S_OPER);
	/*
	 * Speed and duplex count only among slaves that are up (mixed
	 * speeds): not read for a link known down, whose speed is -1
	 * (SPEED_UNKNOWN) or a read error anyway.
	 */
	if (s->link == BOND_LINK_DOWN || s->oper == BOND_OPER_DOWN)
		return;
	if (s->speed < 0 && attr(rd, "speed", &v) && strv_to_ll(v, 1, INT_MAX, &x) == 0)
		s->speed = x;
	if (s->duplex == BOND_DUPLEX_UNKNOWN && attr(rd, "duplex", &v))
		s->duplex = strv_eq(v, "full")	 ? BOND_DUPLEX_FULL
			    : strv_eq(v, "half") ? BOND_DUPLEX_HALF
						 : BOND_DUPLEX_UNKNOWN;
}

/* Where a slave's attributes may be, in the order tried. */
static const enum bond_slave_dir slave_dirs[] = { BOND_DIR_CLASS, BOND_DIR_LOWER, BOND_DIR_SLAVE };

int bond_sysfs_slave_dir(int rootfd, const char *bond, const char *slave, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(slave_dirs) / sizeof(slave_dirs[0]); i++) {
		int r = bond_slave_dir_path(bond, slave, slave_dirs[i], buf, len);

		if (r < 0)
			return r;
		if (is_dir_at(rootfd, buf))
			return 0;
	}
	return -ENOENT;
}

/*
 * bonding/slaves: "eth0 eth1\n", cut with "++more++" past one page.  The
 * verdict counts slaves, so a list that cannot be read, or is absent while
 * nothing else listed a slave, marks the list bad (rather than "no slaves").
 */
static int read_slave_list(struct reader *rd, struct bond_info *info)
{
	struct strv v, tok;
	int r = attr_read(rd, "bonding/slaves", &v);

	if (r < 0) {
		if ((r != -ENOENT && r != -ENODEV) || info->n_slaves == 0)
			info->bad_sysfs |= BOND_BAD_SLAVES;
		return 0;
	}
	while (r == 0 && strv_next_token(&v, &tok)) {
		struct bond_slave *s;

		if (strv_eq(tok, "++more++"))
			info->slaves_cut = true;
		else
			r = bond_info_add_slave(info, tok, BOND_SRC_SYSFS, &s);
	}
	return r;
}

/*
 * Read a slave's attributes from the first directory with any of them in it,
 * found by reading rather than by a stat of each: on a live system the first
 * read is in the first place tried, and the hint (where they were at the
 * last read) is tried before the others.
 */
static void read_slave(struct reader *rd, const struct bond_info *info, struct bond_slave *s,
		       enum bond_slave_dir hint)
{
	enum bond_slave_dir order[4];
	size_t m = 0;
	char dir[128];

	if (hint != BOND_DIR_NONE)
		order[m++] = hint;
	for (size_t k = 0; k < sizeof(slave_dirs) / sizeof(slave_dirs[0]); k++)
		if (slave_dirs[k] != hint)
			order[m++] = slave_dirs[k];
	s->dir = BOND_DIR_NONE;
	for (size_t k = 0; k < m; k++) {
		unsigned int hits = rd->hits;

		if (bond_slave_dir_path(info->name, s->name, order[k], dir, sizeof(dir)) < 0 ||
		    sysfs_dir_set(&rd->d, dir, "", "") < 0)
			return;
		read_slave_attrs(rd, info, s);
		if (rd->hits > hits) {
			s->dir = order[k];
			return;
		}
	}
}

int bond_sysfs_read(int rootfd, struct bond_info *info, struct strbuf *scratch, struct fdcache *fdc,
		    bond_dir_hint_fn hint, const void *hint_ctx)
{
	/* Any error of a kept file opens it again (bond_read_file()); a cut one is read as cut. */
	struct reader rd = { .d = { .root_fd = rootfd,
				    .fdc = fdc,
				    .buf = scratch,
				    .flags = FDC_RETRY,
				    .max = BOND_ATTR_MAX,
				    .cut_ok = true } };
	bool listed;
	int r;

	if (!bond_ifname_valid(strv_c(info->name)))
		return -EINVAL;
	/*
	 * /proc lists every slave (bond_info_show_slave() for each, in one
	 * snapshot): when it said what the bond is and was not cut, the sysfs
	 * list is the same list read again, and whether bonding/ is there
	 * matters no more (the bond is known either way).
	 */
	listed = (info->sources & BOND_SRC_PROC) && info->mode != BOND_MODE_UNKNOWN &&
		 !info->slaves_cut;
	/* A valid ifname is at most 15 bytes: both paths fit. */
	sysfs_dir_set(&rd.d, "sys/class/net/", info->name, "/bonding");
	if (!listed && !is_dir_at(rootfd, rd.d.path))
		return -ENOENT;
	sysfs_dir_set(&rd.d, "sys/class/net/", info->name, "");
	r = read_bond_attrs(&rd, info);
	if (!listed || rd.hits)
		info->sources |= BOND_SRC_SYSFS;
	if (r == 0 && !listed)
		r = read_slave_list(&rd, info);
	if (r < 0)
		return r;
	for (size_t i = 0; i < info->n_slaves; i++) {
		struct bond_slave *s = &info->slaves[i];

		if (!s->name_valid)
			continue;
		read_slave(&rd, info, s, hint ? hint(hint_ctx, i, s->name) : BOND_DIR_NONE);
	}
	return 0;
}

int bond_read_file(struct fdcache *c, int rootfd, const char *path, size_t max, struct strbuf *b,
		   bool *ret_truncated)
{
	int r = fdcache_read(c, rootfd, path, FDC_RETRY, b, max, ret_truncated);

	return r == -ENOLINK ? -ELOOP : r;
}
