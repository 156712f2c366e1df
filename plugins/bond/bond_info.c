// SPDX-License-Identifier: GPL-2.0-or-later
/* The facts about one bond: see bond_info.h. */
#include "bond_info.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/grow.h"

/* Index = enum bond_mode; the names of bond_mode_tbl[] in bond_options.c. */
static const char *const mode_names[] = {
	"balance-rr", "active-backup", "balance-xor", "broadcast",
	"802.3ad",    "balance-tlb",   "balance-alb",
};

/* Index = enum bond_link: the kernel's texts (bond_slave_link_status()). */
static const char *const link_names[] = {
	[BOND_LINK_UNKNOWN] = "unknown", [BOND_LINK_UP] = "up",
	[BOND_LINK_FAIL] = "going down", [BOND_LINK_DOWN] = "down",
	[BOND_LINK_BACK] = "going back",
};

int bond_info_init(struct bond_info *info, const char *name)
{
	char *n = strdup(name);

	if (!n)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	info->name = n;
	info->mode = BOND_MODE_UNKNOWN;
	info->miimon = -1;
	info->arp_interval = -1;
	info->arp_targets = -1;
	info->min_links = -1;
	info->carrier = -1;
	info->admin_up = -1;
	info->active_agg = -1;
	info->active_ports = -1;
	return 0;
}

void bond_info_free(struct bond_info *info)
{
	if (!info)
		return;
	for (size_t i = 0; i < info->n_slaves; i++)
		free(info->slaves[i].name);
	free(info->slaves);
	free(info->name);
	free(info->primary);
	free(info->active);
	memset(info, 0, sizeof(*info));
}

struct bond_slave *bond_info_find_slave(const struct bond_info *info, struct strv name)
{
	/*
	 * Stored names had control bytes replaced (strv_dup_nocontrol()): a name with
	 * one never matches, so two such names are never taken for one slave.
	 */
	if (name.n > BOND_NAME_KEEP)
		name.n = BOND_NAME_KEEP;
	if (strv_has_control(name))
		return NULL;
	for (size_t i = 0; i < info->n_slaves; i++) {
		if (strv_eq(name, info->slaves[i].name))
			return &info->slaves[i];
	}
	return NULL;
}

/* Append a slave called name with every field unknown; NULL when out of memory. */
static struct bond_slave *slave_append(struct bond_info *info, struct strv name)
{
	char *copy;

	if (!grow_one((void **)&info->slaves, &info->cap_slaves, info->n_slaves,
		      sizeof(*info->slaves), 4))
		return NULL;
	copy = strv_dup_nocontrol(name, BOND_NAME_KEEP);
	if (!copy)
		return NULL;
	info->slaves[info->n_slaves] = (struct bond_slave){
		.name = copy,
		.name_valid = bond_ifname_valid(name),
		.is_active = -1,
		.speed = -1,
		.link_failures = -1,
		.actor_state = -1,
		.partner_state = -1,
	};
	return &info->slaves[info->n_slaves++];
}

int bond_info_add_slave(struct bond_info *info, struct strv name, unsigned int source,
			struct bond_slave **ret)
{
	struct bond_slave *s = bond_info_find_slave(info, name);

	if (!s)
		s = slave_append(info, name);
	if (!s)
		return -ENOMEM;
	s->sources |= source;
	*ret = s;
	return 0;
}

const char *bond_mode_name(enum bond_mode mode)
{
	if (mode < 0 || (size_t)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}

enum bond_mode bond_mode_from_name(struct strv s)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strv_eq(s, mode_names[i]))
			return (enum bond_mode)i;
	}
	return BOND_MODE_UNKNOWN;
}

enum bond_link bond_link_from_text(struct strv s)
{
	s = strv_trim(s);
	for (size_t i = BOND_LINK_UP; i < sizeof(link_names) / sizeof(link_names[0]); i++) {
		if (strv_eq(s, link_names[i]))
			return (enum bond_link)i;
	}
	return BOND_LINK_UNKNOWN;
}

const char *bond_link_name(enum bond_link l)
{
	return (size_t)l < sizeof(link_names) / sizeof(link_names[0]) ? link_names[l] : "unknown";
}

int bond_slave_dir_path(const char *bond, const char *slave, enum bond_slave_dir kind, char *buf,
			size_t len)
{
	size_t n;

	if (kind == BOND_DIR_CLASS)
		n = str_concat(buf, len, "sys/class/net/", slave, (const char *)NULL);
	else if (kind == BOND_DIR_LOWER)
		n = str_concat(buf, len, "sys/class/net/", bond, "/lower_", slave,
			       (const char *)NULL);
	else if (kind == BOND_DIR_SLAVE)
		n = str_concat(buf, len, "sys/class/net/", bond, "/slave_", slave,
			       (const char *)NULL);
	else
		return -EINVAL;
	return n >= len ? -ENAMETOOLONG : 0;
}

bool bond_ifname_valid(struct strv s)
{
	return s.n > 0 && s.n <= BOND_IFNAME_MAX && !strv_eq(s, ".") && !strv_eq(s, "..") &&
	       !strv_has_control(s) && !memchr(s.p, '/', s.n) && !memchr(s.p, ':', s.n) &&
	       !memchr(s.p, ' ', s.n);
}

bool bond_slave_set_agg(struct bond_slave *s, struct strv v)
{
	long long x = -1;

	if (!strv_eq(v, "N/A") && strv_to_ll(v, 0, INT_MAX, &x) < 0)
		return false;
	s->agg_known = true;
	s->agg_id = (int)x;
	return true;
}

int bond_info_set_ref(struct strv v, const char *none, bool *known, char **name)
{
	struct strv tok;
	char *n = NULL;

	if (strv_next_token(&v, &tok) && !strv_eq(tok, none)) {
		n = strv_dup_nocontrol(tok, BOND_NAME_KEEP);
		if (!n)
			return -ENOMEM;
	}
	free(*name);
	*name = n;
	*known = true;
	return 0;
}
