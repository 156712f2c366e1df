// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bond probe: every Linux bond is a redundancy group of kind "nic" whose
 * members are its slaves (README.md says what is decided and why, and which
 * events rescan: rtnetlink, udev, inotify on a captured tree).
 *
 * A scan reads /proc/net/bonding/<bond> and sys/class/net/<bond>/ for each
 * bond found (bond_sysfs.h), decides (bond_rules.h) and reports.  The core's
 * rescan covers the whole probe, so the probe keeps each bond's last group
 * (struct bond_entry) and re-reads only the bonds the events named; anything
 * in doubt re-reads all (bond_scan()).  This file is the only one that logs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libudev.h>

#include <redmon/plugin.h>

#include "../lib/fdcache.h"
#include "../lib/watch.h"
#include "bond_netlink.h"
#include "bond_proc.h"
#include "../lib/spof.h"
#include "bond_rules.h"
#include "bond_sysfs.h"

/*
 * What the last read of one bond gave: the group as reported, and what the
 * next read and the events need.  One allocation: the strings and arrays
 * the pointers below point to follow the struct.
 */
struct bond_entry {
	struct redmon_group g; /* reported again as is while the bond is not re-read */
	long long *failures;   /* per member: link_failure_count, -1 unknown (flapping) */
	bool *valid;	       /* per member: a valid ifname (events name it) */
	unsigned char *dir;    /* per member: enum bond_slave_dir (inotify watches) */
	/*
	 * Slaves on one card: the reasons g.spof points to, in one block of
	 * their own (NULL: none, as for nearly every bond; a struct
	 * spof_reasons here cost 1 KiB a bond).
	 */
	char **spof;
	bool unknown; /* no verdict (a read error): any event on it rescans all */
	bool dirty;   /* an event named it since the last scan */
};

/* One interface name of the last scan: a bond (member -1) or one of its slaves. */
struct ifname {
	int bond;    /* index in bonds */
	int member;  /* index in its members, -1 for the bond itself */
	bool shared; /* the name belongs to several bonds (a slave listed by two) */
};

struct bond_probe {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	struct strbuf buf;  /* file reads, reused */
	struct fdcache fdc; /* kept-open files, only while events say when to reopen them */
	/* The last scan: every bond reported, sorted by name. */
	struct bond_entry **bonds;
	size_t n_bonds;
	struct ifname *names; /* every valid name in bonds, sorted */
	size_t n_names;
	bool names_ok; /* names is built (not after ENOMEM) */
	/* Since the last scan: re-read every bond, or those marked dirty. */
	bool full_pending;
	size_t n_dirty;
	/*
	 * Which bonds there are and which card each slave is on (spof links)
	 * are found again only when an event says they may have changed
	 * (topo_stale), if events cover the tree at all (events_cover: the
	 * condition files are kept open on) and every directory that exists
	 * is watched (!watch_gap).  Else every full scan lists and resolves.
	 */
	bool topo_stale;
	bool events_cover;
	bool watch_gap;
	bool listed_net;	/* the last listing needed sys/class/net: each full scan lists */
	int nl_fd;		/* rtnetlink, -1 when off */
	struct watch_ino ino;	/* inotify, fd -1 when off */
	struct watch_udev udev; /* fd -1 when off */
	bool warned_nl;		/* netlink read failed once: said so */
	bool marked;		/* an event being handled asked for a rescan */
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

/* --- entries ---------------------------------------------------------------- */

static size_t str_size(const char *s)
{
	return s && s[0] ? strlen(s) + 1 : 0;
}

/* Copy s to *cur and advance it; NULL for an empty or absent string. */
static const char *put_str(char **cur, const char *s)
{
	size_t n = str_size(s);

	*cur += n;
	return n ? memcpy(*cur - n, s, n) : NULL;
}

/*
 * A new entry for info and its verdict, in one allocation: the struct, the
 * members, their failure counts, flags and directories, then the strings.
 */
static struct bond_entry *entry_new(const struct bond_info *info, const struct bond_verdict *v)
{
	size_t n = v->n_members;
	size_t size = sizeof(struct bond_entry) +
		      n * (sizeof(struct redmon_member) + sizeof(long long) + 2) +
		      str_size(info->name) + str_size(v->reason);
	struct redmon_member *m;
	struct bond_entry *e;
	char *cur;

	for (size_t i = 0; i < n; i++)
		size += str_size(info->slaves[i].name) + str_size(v->members[i].state) +
			str_size(v->members[i].reason);
	e = calloc(1, size);
	if (!e)
		return NULL;
	m = (struct redmon_member *)(e + 1);
	e->failures = (long long *)(m + n);
	e->valid = (bool *)(e->failures + n);
	e->dir = (unsigned char *)(e->valid + n);
	cur = (char *)(e->dir + n);
	e->g.name = put_str(&cur, info->name);
	e->g.kind = "nic";
	e->g.type = v->type;
	e->g.members_total = v->members_total;
	e->g.members_ok = v->members_ok;
	e->g.members_failed = v->members_failed;
	e->g.margin = v->margin;
	e->g.margin_nominal = v->margin_nominal;
	e->g.activity = REDMON_ACTIVITY_NONE;
	e->g.progress = -1;
	e->g.reason = put_str(&cur, v->reason);
	e->g.members = m;
	e->g.n_members = n;
	for (size_t i = 0; i < n; i++) {
		const struct bond_slave *s = &info->slaves[i];

		m[i].name = put_str(&cur, s->name);
		m[i].role = v->members[i].role;
		m[i].state = put_str(&cur, v->members[i].state);
		m[i].reason = put_str(&cur, v->members[i].reason);
		e->failures[i] = s->link_failures;
		e->valid[i] = s->name_valid;
		e->dir[i] = (unsigned char)s->dir;
	}
	return e;
}

/* A bond whose sources exist but say nothing usable: reported, unknown. */
static struct bond_entry *entry_unknown(const char *name, const char *why)
{
	struct bond_info info = { .name = (char *)name };
	struct bond_verdict v = {
		.type = "unknown",
		.members_total = -1,
		.members_ok = -1,
		.margin = REDMON_MARGIN_UNKNOWN,
	};
	struct bond_entry *e;

	snprintf(v.reason, sizeof(v.reason), "proc/net/bonding/%s: %s", name, why);
	e = entry_new(&info, &v);
	if (e)
		e->unknown = true;
	return e;
}

static void entry_free(struct bond_entry *e)
{
	if (e)
		free(e->spof);
	free(e);
}

static void entries_free(struct bond_entry **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_free(v[i]);
	free(v);
}

static int cmp_entry_name(const void *name, const void *entry)
{
	return strcmp(name, (*(struct bond_entry *const *)entry)->g.name);
}

/* The entry of bond name in a sorted array, or NULL. */
static struct bond_entry *entry_find(struct bond_entry *const *v, size_t n, const char *name)
{
	struct bond_entry *const *e = n ? bsearch(name, v, n, sizeof(*v), cmp_entry_name) : NULL;

	return e ? *e : NULL;
}

/* link_failure_count of slave at the entry's read, or -1 (slaves rarely move: try i first). */
static long long entry_failures(const struct bond_entry *e, size_t i, const char *slave)
{
	if (!e)
		return -1;
	if (i < e->g.n_members && strcmp(e->g.members[i].name, slave) == 0)
		return e->failures[i];
	for (size_t k = 0; k < e->g.n_members; k++) {
		if (strcmp(e->g.members[k].name, slave) == 0)
			return e->failures[k];
	}
	return -1;
}

/* The directory of slave's attributes at the entry's read (bond_dir_hint_fn). */
static enum bond_slave_dir entry_dir(const void *entry, size_t i, const char *slave)
{
	const struct bond_entry *e = entry;

	if (i < e->g.n_members && strcmp(e->g.members[i].name, slave) == 0)
		return e->dir[i];
	for (size_t k = 0; k < e->g.n_members; k++) {
		if (strcmp(e->g.members[k].name, slave) == 0)
			return e->dir[k];
	}
	return BOND_DIR_NONE;
}

/* The same bond, as (un)known, with the same slaves, names and slave directories. */
static bool same_entry(const struct bond_entry *a, const struct bond_entry *b)
{
	if (strcmp(a->g.name, b->g.name) != 0 || a->unknown != b->unknown ||
	    a->g.n_members != b->g.n_members)
		return false;
	for (size_t i = 0; i < a->g.n_members; i++) {
		if (strcmp(a->g.members[i].name, b->g.members[i].name) != 0 ||
		    a->valid[i] != b->valid[i] || a->dir[i] != b->dir[i])
			return false;
	}
	return true;
}

/* --- interface names ------------------------------------------------------------ */

static const char *ifname_of(const struct bond_probe *p, const struct ifname *n)
{
	const struct bond_entry *e = p->bonds[n->bond];

	return n->member < 0 ? e->g.name : e->g.members[n->member].name;
}

static int cmp_ifname(const void *a, const void *b, void *ctx)
{
	return strcmp(ifname_of(ctx, a), ifname_of(ctx, b));
}

/* Index every valid name of the bonds, so that an event's name leads to its bond. */
static int names_build(struct bond_probe *p)
{
	size_t n = p->n_bonds, k = 0;
	struct ifname *v;

	for (size_t i = 0; i < p->n_bonds; i++)
		n += p->bonds[i]->g.n_members;
	free(p->names);
	p->names = NULL;
	p->n_names = 0;
	p->names_ok = n == 0;
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_bonds; i++) {
		const struct bond_entry *e = p->bonds[i];

		v[k++] = (struct ifname){ .bond = (int)i, .member = -1 };
		for (size_t m = 0; m < e->g.n_members; m++) {
			if (e->valid[m])
				v[k++] = (struct ifname){ .bond = (int)i, .member = (int)m };
		}
	}
	p->names_ok = true;
	qsort_r(v, k, sizeof(*v), cmp_ifname, p);
	/* A name of two bonds (one slave listed by both) leads to no single bond. */
	for (size_t i = 1; i < k; i++) {
		if (v[i - 1].bond != v[i].bond &&
		    strcmp(ifname_of(p, &v[i - 1]), ifname_of(p, &v[i])) == 0)
			v[i - 1].shared = v[i].shared = true;
	}
	p->names = v;
	p->n_names = k;
	return 0;
}

/* The bond an interface name belongs to: its index, -1 when none, -2 when several. */
static int names_lookup(const struct bond_probe *p, const char *name)
{
	size_t lo = 0, hi = p->n_names;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ifname_of(p, &p->names[mid]), name);

		if (c == 0)
			return p->names[mid].shared ? -2 : p->names[mid].bond;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* --- reading ---------------------------------------------------------------- */

/*
 * Owners of the inotify watches that are not one bond (a bond's is its
 * index); WATCH_SHARED and WATCH_UNKNOWN are the helper's.
 */
#define OWNER_TOP  (-1) /* a directory above the bonds (sys/class/net, ...) */
#define OWNER_PROC (-2) /* proc/net/bonding: one file per bond, by name */

/*
 * A directory that cannot be watched is skipped; running out of memory is an
 * error.  One that is absent is watched from its parent (its creation is an
 * event), one that is there and unwatched (out of watches) leaves a gap:
 * events no longer say when the bonds' list or links may have changed.
 */
static int watched(bool *gap, int r)
{
	if (r < 0 && r != -ENOENT && r != -ENOTDIR)
		*gap = true;
	return r == -ENOMEM ? r : 0;
}

/* Watch the directories a bond's files are in; owner is its index. */
static int watch_bond(struct watch_ino *w, bool *gap, const struct bond_entry *e, int owner)
{
	const char *name = e->g.name;
	int r;

	r = watched(gap, watch_ino_addf(w, owner, "sys/class/net/%s", name));
	if (r == 0)
		r = watched(gap, watch_ino_addf(w, owner, "sys/class/net/%s/bonding", name));
	for (size_t i = 0; r == 0 && i < e->g.n_members; i++) {
		const char *slave = e->g.members[i].name;
		char dir[128];

		if (!e->valid[i])
			continue;
		/*
		 * Also where the slave's directory would appear, if it is not
		 * there yet; it holds the device link (spof) in every layout.
		 */
		if (e->dir[i] != BOND_DIR_CLASS)
			r = watched(gap, watch_ino_addf(w, owner, "sys/class/net/%s", slave));
		if (r == 0 && e->dir[i] != BOND_DIR_NONE &&
		    bond_slave_dir_path(name, slave, e->dir[i], dir, sizeof(dir)) == 0) {
			r = watched(gap, watch_ino_add(w, dir, owner));
			if (r == 0)
				r = watched(gap, watch_ino_addf(w, owner, "%s/bonding_slave", dir));
		}
	}
	return r;
}

/* Slaves listed beyond this many are not checked for a shared card. */
#define SPOF_SLAVES_MAX 64

/* Whether old had exactly the valid slave names of info, in its order. */
static bool same_slaves(const struct bond_entry *old, const struct bond_info *info)
{
	size_t k = 0;

	for (size_t i = 0; i < info->n_slaves; i++) {
		if (!info->slaves[i].name_valid)
			continue;
		while (k < old->g.n_members && !old->valid[k])
			k++;
		if (k == old->g.n_members || strcmp(old->g.members[k++].name, info->slaves[i].name))
			return false;
	}
	while (k < old->g.n_members && !old->valid[k])
		k++;
	return k == old->g.n_members;
}

/*
 * The bond's hidden single points of failure: slaves that are ports of one
 * PCI card (../lib/spof.h).  The links are resolved (an open and a readlink
 * per slave) unless known is the bond's last read with the same slaves and
 * no event since said an interface came, went or was renamed: then its
 * reasons are taken.  Slaves with an invalid name take no part.
 */
static void find_spof(int rootfd, const struct bond_info *info, const struct bond_entry *known,
		      struct bond_entry *e)
{
	const char *names[SPOF_SLAVES_MAX];
	struct spof_reasons found;
	size_t n = 0, size;
	char *at;

	spof_reasons_clear(&found);
	if (known && !known->unknown && same_slaves(known, info)) {
		for (size_t i = 0; i < known->g.n_spof; i++)
			spof_add(&found, "%s", known->g.spof[i]);
	} else {
		for (size_t i = 0; i < info->n_slaves && n < SPOF_SLAVES_MAX; i++)
			if (info->slaves[i].name_valid)
				names[n++] = info->slaves[i].name;
		if (n >= 2)
			spof_check_nics(rootfd, names, n, &found);
	}
	if (!found.n)
		return;
	size = found.n * sizeof(char *);
	for (size_t i = 0; i < found.n; i++)
		size += strlen(found.text[i]) + 1;
	e->spof = malloc(size);
	if (!e->spof)
		return; /* out of memory: the bond is reported without them */
	at = (char *)(e->spof + found.n);
	for (size_t i = 0; i < found.n; i++) {
		e->spof[i] = strcpy(at, found.text[i]);
		at += strlen(at) + 1;
	}
	e->g.spof = (const char *const *)e->spof;
	e->g.n_spof = found.n;
}

/* Whether the bonds and slaves of the last scan, and their links, are still right. */
static bool topo_known(const struct bond_probe *p)
{
	return p->events_cover && !p->topo_stale && !p->watch_gap;
}

/*
 * Read and decide one bond into a new entry (*ret, NULL when the name is
 * stale: neither source is there).  old is its entry of the last read, if
 * any, for the flapping counts.  Returns 0 or -ENOMEM.
 */
static int read_bond(struct bond_probe *p, const char *name, const struct bond_entry *old,
		     struct bond_entry **ret)
{
	int rootfd = p->ops->root_fd(p->h);
	struct bond_entry *e = NULL;
	struct bond_info info;
	struct bond_verdict v;
	long long *prev = NULL;
	char path[64];
	bool cut = false;
	int r, rp, rs;

	r = bond_info_init(&info, name);
	if (r < 0)
		return r;
	str_concat(path, sizeof(path), "proc/net/bonding/", name, (const char *)NULL);
	rp = bond_read_file(&p->fdc, rootfd, path, BOND_PROC_MAX, &p->buf, &cut);
	if (rp == 0) {
		r = bond_proc_parse(p->buf.p, p->buf.len, &info);
		info.slaves_cut |= cut;
	}
	/* Slaves' attributes looked for where they were while no directory came or went. */
	rs = r < 0 ? r
		   : bond_sysfs_read(rootfd, &info, &p->buf, &p->fdc,
				     old && topo_known(p) ? entry_dir : NULL, old);
	if (r == 0 && rs == -ENOMEM)
		r = rs;
	/* Nothing the kernel always prints was there (an empty or foreign file)? */
	if (r == 0 && rs < 0 && info.mode == BOND_MODE_UNKNOWN && info.miimon < 0 &&
	    info.carrier < 0 && info.n_slaves == 0) {
		/* Listed somewhere, but neither source is there: a stale name. */
		if (rp == -ENOENT || rp == -ENOTDIR)
			goto out;
		e = entry_unknown(name, rp == 0	       ? "no bonding information in it"
					: rp == -ELOOP ? "a link that leads nowhere in the root"
						       : strerror(-rp));
		r = e ? 0 : -ENOMEM;
		goto out;
	}
	if (r == 0 && info.n_slaves) {
		prev = malloc(info.n_slaves * sizeof(*prev));
		if (!prev)
			r = -ENOMEM;
		for (size_t i = 0; prev && i < info.n_slaves; i++)
			prev[i] = entry_failures(old, i, info.slaves[i].name);
	}
	if (r == 0)
		r = bond_decide(&info, prev, &v);
	if (r == 0) {
		e = entry_new(&info, &v);
		bond_verdict_free(&v);
		if (!e)
			r = -ENOMEM;
		else
			find_spof(rootfd, &info, topo_known(p) ? old : NULL, e);
	}
out:
	free(prev);
	bond_info_free(&info);
	if (r == 0)
		*ret = e;
	return r;
}

/* Say why the scan failed (the core keeps the last text); returns r. */
static int scan_failed(struct bond_probe *p, int r)
{
	p->ops->scan_error(p->h, "bond scan failed: %s", strerror(-r));
	return r;
}

/*
 * Every group, as last read.  After a partial read, a bond not read again
 * is as it was reported: the host may keep it (ops->keep) rather than be
 * handed it again.
 */
static int report_all(struct bond_probe *p, bool partial)
{
	bool keep = partial && REDMON_HOST_HAS(p->ops, keep);

	for (size_t i = 0; i < p->n_bonds; i++) {
		int r;

		if (keep && !p->bonds[i]->dirty && p->ops->keep(p->h, p->bonds[i]->g.name) == 0)
			continue;
		r = p->ops->report(p->h, &p->bonds[i]->g);

		if (r < 0 && r != -EINVAL) /* EINVAL cannot happen; never fail the scan for it */
			return scan_failed(p, r);
	}
	return 0;
}

/* Watch the directories every bond of the last scan depends on. */
static int watch_dirs(struct bond_probe *p)
{
	static const char *const top_dirs[] = {
		"proc", "proc/net", "sys", "sys/class", "sys/class/net",
	};
	int r;

	watch_ino_begin(&p->ino);
	p->watch_gap = false;
	r = watched(&p->watch_gap, watch_ino_add(&p->ino, "proc/net/bonding", OWNER_PROC));
	for (size_t i = 0; r == 0 && i < sizeof(top_dirs) / sizeof(top_dirs[0]); i++)
		r = watched(&p->watch_gap, watch_ino_add(&p->ino, top_dirs[i], OWNER_TOP));
	for (size_t i = 0; r == 0 && i < p->n_bonds; i++) {
		if (!p->bonds[i]->unknown)
			r = watch_bond(&p->ino, &p->watch_gap, p->bonds[i], (int)i);
	}
	watch_ino_end(&p->ino); /* after ENOMEM, lost: the next full scan tries again */
	watch_ino_rescan_if_added(&p->ino, p->ops, p->h);
	return r;
}

/*
 * The names of the bonds to read, sorted, into found: those of the last scan
 * while no event said bonds may have come or gone (the periodic scan of an
 * unchanged host lists nothing), else those bond_discover() finds.  When
 * that had to list sys/class/net (a capture without bonding_masters), every
 * full scan lists: a bonding/ directory made under an interface that is no
 * bond (not watched) sends no event.
 */
static int find_bonds(struct bond_probe *p, struct bond_names *found)
{
	bool known = topo_known(p) && !p->listed_net;
	size_t n = known ? p->n_bonds : 0;
	int r = 0;

	if (!known)
		return bond_discover(p->ops->root_fd(p->h), &p->buf, found, &p->listed_net);
	if (n) {
		found->v = calloc(n, sizeof(*found->v));
		if (!found->v)
			return -ENOMEM;
		found->cap = n;
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		found->v[i] = strdup(p->bonds[i]->g.name);
		if (found->v[i])
			found->n++;
		else
			r = -ENOMEM;
	}
	return r;
}

/* Read every bond found; the entries of the last scan give the flapping counts. */
static int scan_full(struct bond_probe *p)
{
	struct bond_names found = { 0 };
	struct bond_entry **v = NULL;
	size_t n = 0;
	bool same;
	int r;

	r = find_bonds(p, &found);
	if (r < 0 && r != -ENOMEM) {
		bond_names_free(&found);
		p->ops->scan_error(p->h, "listing sys/class/net or proc/net/bonding: %s",
				   strerror(-r));
		return r;
	}
	if (r == 0 && found.n) {
		v = malloc(found.n * sizeof(*v));
		if (!v)
			r = -ENOMEM;
	}
	/* The split of descriptors among probes follows what scans read. */
	if (p->events_cover)
		fdcache_follow_share(&p->fdc, p->ops, p->h, 0);
	fdcache_begin(&p->fdc);
	/* found is sorted: so is v. */
	for (size_t i = 0; r == 0 && i < found.n; i++) {
		r = read_bond(p, found.v[i], entry_find(p->bonds, p->n_bonds, found.v[i]), &v[n]);
		if (r == 0 && v[n])
			n++;
	}
	bond_names_free(&found);
	if (r < 0) {
		entries_free(v, n);
		return scan_failed(p, r);
	}
	/*
	 * The same bonds with the same slaves in the same directories (nearly
	 * every periodic scan): the name index and, unless a directory came or
	 * went, the watches are still right.
	 */
	same = n == p->n_bonds;
	for (size_t i = 0; same && i < n; i++)
		same = same_entry(v[i], p->bonds[i]);
	fdcache_sweep(&p->fdc); /* files of bonds and slaves gone */
	entries_free(p->bonds, p->n_bonds);
	p->bonds = v;
	p->n_bonds = n;
	if (!same || !p->names_ok)
		r = names_build(p);
	/* After a gap, each full scan tries again: watches already there cost nothing. */
	if (r == 0 && p->ino.fd >= 0 &&
	    (!same || p->ino.lost || p->ino.entries_changed || p->watch_gap))
		r = watch_dirs(p);
	if (r == 0)
		p->topo_stale = false; /* listed and resolved (or taken as known) */
	return r < 0 ? scan_failed(p, r) : 0;
}

/*
 * Re-read only the bonds an event named.  Returns 0, 1 when in doubt (one
 * vanished, is unknown, or its slaves changed: the names, the watches and
 * maybe the list of bonds are no longer right, so a full scan must follow),
 * or -ENOMEM.
 */
static int scan_partial(struct bond_probe *p)
{
	struct bond_entry **fresh = calloc(p->n_bonds, sizeof(*fresh));
	int r = 0;

	if (!fresh)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < p->n_bonds; i++) {
		const struct bond_entry *old = p->bonds[i];

		if (!old->dirty)
			continue;
		r = read_bond(p, old->g.name, old, &fresh[i]);
		if (r == 0 && (old->unknown || !fresh[i] || !same_entry(old, fresh[i])))
			r = 1;
	}
	for (size_t i = 0; i < p->n_bonds; i++) {
		if (fresh[i] && r == 0) {
			entry_free(p->bonds[i]);
			p->bonds[i] = fresh[i];
			p->bonds[i]->dirty = true; /* read again: reported, not kept */
		} else {
			entry_free(fresh[i]);
		}
	}
	free(fresh);
	return r;
}

/*
 * Only the bonds events named since the last scan are re-read, the others
 * reported as last read; a scan with no event behind it is full.
 */
static int bond_scan(void *inst)
{
	struct bond_probe *p = inst;
	bool partial = false;
	int r = 1;

	if (!p->full_pending && p->n_dirty > 0) {
		r = scan_partial(p);
		partial = r == 0;
		/* A bond vanished or its slaves changed: list and resolve again. */
		if (r == 1)
			p->topo_stale = true;
	}
	if (r < 0)
		scan_failed(p, r);
	else if (r == 1)
		r = scan_full(p); /* says itself why it failed */
	if (r == 0)
		r = report_all(p, partial);
	/* Whatever happened, the events up to now are spent. */
	p->full_pending = r < 0; /* after a failure, read everything again */
	if (r < 0)
		p->topo_stale = true;
	p->n_dirty = 0;
	for (size_t i = 0; i < p->n_bonds; i++)
		p->bonds[i]->dirty = false;
	return r;
}

/* --- events ------------------------------------------------------------------- */

/*
 * An event about bond i (-1: none known, -2: several): re-read it, or all.
 * Which events name what: README.md, "Partial rescans".
 */
static void mark(struct bond_probe *p, int i)
{
	p->marked = true;
	if (i < 0 || (size_t)i >= p->n_bonds) {
		/*
		 * What changed may be a file replaced by rename or a name
		 * taken by another interface: reopen everything, list the
		 * bonds and resolve the slaves' links again.
		 */
		p->full_pending = true;
		p->topo_stale = true;
		fdcache_flush(&p->fdc);
	} else if (!p->bonds[i]->dirty) {
		p->bonds[i]->dirty = true;
		p->n_dirty++;
	}
}

static bool nl_cb(void *ctx, const struct bond_nl_link *l)
{
	struct bond_probe *p = ctx;
	int i = l->name[0] ? names_lookup(p, l->name) : -1;

	if (i >= 0 && !l->deleted)
		mark(p, i);
	else if (i != -1 || l->is_bond || l->is_bond_slave)
		mark(p, -1);
	return p->full_pending; /* nothing more to learn: stop parsing */
}

/* A file rewritten above the bonds (proc/mdstat) is none of theirs, but bonding_masters. */
static bool ino_cb(void *ctx, const struct watch_event *ev)
{
	const uint32_t content = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB;
	struct bond_probe *p = ctx;

	if (ev->mask & ~content)
		mark(p, -1);
	else if (ev->owner >= 0)
		mark(p, ev->owner);
	else if (ev->owner == OWNER_PROC)
		mark(p,
		     entry_find(p->bonds, p->n_bonds, ev->name) ? names_lookup(p, ev->name) : -1);
	else if (ev->owner != OWNER_TOP || strcmp(ev->name, "bonding_masters") == 0)
		mark(p, -1);
	return p->full_pending;
}

static bool udev_cb(void *ctx, struct udev_device *dev)
{
	const char *action = udev_device_get_action(dev);
	const char *name = udev_device_get_sysname(dev);
	struct bond_probe *p = ctx;
	int i = name ? names_lookup(p, name) : -1;

	if (action && strcmp(action, "change") != 0)
		mark(p, -1);
	else if (i != -1)
		mark(p, i);
	return p->full_pending; /* nothing more to learn */
}

/* An event that marks one bond or all asks for a rescan at once. */
static int bond_on_fd(void *inst, int fd, uint32_t revents)
{
	struct bond_probe *p = inst;
	int r = 0;

	(void)revents;
	p->marked = false;
	if (fd == p->nl_fd)
		r = bond_nl_drain(fd, nl_cb, p); /* 1: messages lost (ENOBUFS) */
	else if (fd == p->ino.fd)
		r = watch_ino_drain(&p->ino, ino_cb, p);
	else if (fd == p->udev.fd)
		r = watch_udev_drain(&p->udev, udev_cb, p) == -ENOBUFS; /* devices lost */
	if (r < 0 && fd == p->nl_fd && !p->warned_nl) {
		p->ops->log(p->h, REDMON_LOG_WARNING, "rtnetlink read failed: %s", strerror(-r));
		p->warned_nl = true;
	}
	if (r != 0)
		mark(p, -1); /* a read error, or events lost */
	return r < 0 ? r : p->marked;
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
	if (r < 0)
		close(fd);
	else
		p->nl_fd = fd;
	return r;
}

static int setup_inotify(struct bond_probe *p)
{
	/*
	 * Files are rewritten in place (IN_MODIFY, IN_CLOSE_WRITE) or replaced by
	 * rename (IN_MOVED_TO); directories come and go (IN_CREATE, IN_DELETE).
	 */
	const uint32_t mask = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
			      IN_MOVED_FROM | IN_MOVED_TO;
	int r = watch_ino_open(&p->ino, p->ops->root_fd(p->h), p->ops->root(p->h), mask);

	if (r < 0) {
		p->ops->log(p->h, REDMON_LOG_WARNING,
			    "no inotify (%s): changes of the tree wait for the next rescan",
			    strerror(-r));
		return 0;
	}
	r = p->ops->watch_fd(p->h, p->ino.fd, EPOLLIN);
	if (r < 0)
		watch_ino_close(&p->ino);
	return r;
}

static void setup_udev(struct bond_probe *p)
{
	static const char *const net[] = { "net", NULL };
	const char *why = "cannot watch its descriptor";

	if (watch_udev_open(&p->udev, "udev", net, &why) == 0) {
		if (p->ops->watch_fd(p->h, p->udev.fd, EPOLLIN) == 0)
			return;
		watch_udev_close(&p->udev);
	}
	p->ops->log(p->h, REDMON_LOG_NOTICE, "no udev net events (%s): rtnetlink and rescans only",
		    why);
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
	watch_ino_close(&p->ino);
	if (p->udev.fd >= 0)
		p->ops->unwatch_fd(p->h, p->udev.fd);
	watch_udev_close(&p->udev);
	entries_free(p->bonds, p->n_bonds);
	free(p->names);
	fdcache_free(&p->fdc);
	strbuf_free(&p->buf);
	free(p);
}

static int bond_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret_inst)
{
	struct bond_probe *p;
	struct rlimit rl;
	bool events, live;
	int r = 0;

	/*
	 * Every op up to unwatch_fd is called unchecked; those appended later
	 * (keep) only after REDMON_HOST_HAS(), so an older core of ABI 1 loads it.
	 */
	if (ops->abi_version != REDMON_ABI_VERSION || !REDMON_HOST_HAS(ops, unwatch_fd)) {
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
	p->udev.fd = -1;
	p->topo_stale = true;
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
	/*
	 * Files are kept open, and the bonds and slave links of the last scan
	 * taken as known, only while events say when one may have been
	 * replaced: inotify for a captured tree, rtnetlink or udev (a renamed,
	 * added or removed interface) on the live root.  As many as the core's
	 * split of the descriptor limit gives (ops->fd_share); on an older
	 * core an eighth of the limit (md kept 3/8, hwmon 1/8).
	 */
	p->events_cover = live ? (p->nl_fd >= 0 || p->udev.fd >= 0) : p->ino.fd >= 0;
	if (p->events_cover && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		fdcache_init(&p->fdc,
			     rl.rlim_cur == RLIM_INFINITY ? 1u << 18 : (size_t)rl.rlim_cur / 8,
			     NULL, NULL);
		fdcache_follow_share(&p->fdc, ops, h, 0);
	}
	*ret_inst = p;
	return 0;
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "bond",
	.description = "Linux bonding: each bond and its slave NICs, all modes, LACP health",
	.options = bond_options,
	.init = bond_init,
	.fini = bond_fini,
	.scan = bond_scan,
	.on_fd = bond_on_fd,
};
