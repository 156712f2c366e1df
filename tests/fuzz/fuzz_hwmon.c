// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the hwmon sysfs reader and PSU classification
 * (plugins/hwmon/hwmon_sysfs.c, hwmon_class.c) on a tree built from the input
 * (format: fuzz_hwmon_tree.c).  The first line's first byte picks extra chip
 * patterns ("*": every chip is classified as a PSU).  The reader that keeps
 * state across scans must agree with the one-shot read.  Then fan sets
 * (hwmon_fan.c): the first byte's second bit names every chip in fan_chips
 * (max31790 always is one); members are never of a disabled channel, and an
 * unknown member leaves the margin unknown.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../plugins/hwmon/hwmon_class.h"
#include "../../plugins/hwmon/hwmon_fan.h"
#include "../../plugins/hwmon/hwmon_read.h"
#include "fuzz_hwmon_tree.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The chip a fan group was made of (its name is "<chip>:fans"), or NULL. */
static const struct hwmon_chip *chip_of(const struct redmon_group *g, const struct hwmon_chip *v,
					size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i].name);

		if (strncmp(g->name, v[i].name, len) == 0 && strcmp(g->name + len, ":fans") == 0)
			return &v[i];
	}
	return NULL;
}

/* Fan sets over two scans of the stateful reader; abort() on a broken rule. */
static void fans(int fd, const char *patterns)
{
	struct hwmon_sysfs *s = hwmon_sysfs_new(5);
	struct hwmon_fans f = { 0 };
	const struct hwmon_chip *v;
	const struct redmon_group *g;
	size_t n, n_g;

	if (s && hwmon_sysfs_set_fan_chips(s, patterns) != 0) {
		hwmon_sysfs_free(s);
		return;
	}
	for (int round = 0; s && round < 2; round++) {
		if (hwmon_sysfs_scan(s, fd, NULL, &v, &n) != 0 ||
		    hwmon_fans_eval(&f, v, n, round, &g, &n_g) != 0)
			continue;
		for (size_t k = 0; k < n_g; k++) {
			const struct hwmon_chip *c = chip_of(&g[k], v, n);
			bool unknown = false;

			if (strcmp(g[k].kind, "fan") != 0 || g[k].n_members == 0)
				abort();
			for (size_t i = 0; i < g[k].n_members; i++) {
				const struct redmon_member *m = &g[k].members[i];
				char input[HWMON_ATTR_MAX + 8];

				if (!m->name || m->role >= REDMON_ROLE_COUNT_)
					abort();
				unknown |= m->role == REDMON_ROLE_UNKNOWN;
				snprintf(input, sizeof(input), "%s_input", m->name);
				if (c && hwmon_fan_channel_off(c, input))
					abort(); /* a disabled channel is never a member */
			}
			if (unknown && g[k].margin != REDMON_MARGIN_UNKNOWN)
				abort();
		}
	}
	hwmon_fans_free(&f);
	hwmon_sysfs_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwmon_chip *chips = NULL;
	struct psu_group p = { 0 };
	struct redmon_group g;
	size_t n = 0;
	int fd;

	const char *extra = size && (data[0] & 1) ? "*" : NULL;

	fd = tree_build(data, size);
	if (fd >= 0 && hwmon_sysfs_read(fd, extra, &chips, &n) == 0) {
		for (int round = 0; round < 2; round++) {
			size_t k = round ? n / 2 : n;
			bool unreadable = false;

			if (hwmon_psu_eval(&p, chips, k, extra, round, &g) != 0)
				continue;
			for (size_t i = 0; i < g.n_members; i++)
				if (!g.members[i].name || g.members[i].role >= REDMON_ROLE_COUNT_)
					abort();
			/*
			 * A supply that could not be read never leaves the margin
			 * known.  A second chip of the same name is not counted
			 * (hwmon_psu_eval keeps the first): skip it here too.
			 */
			const char *last = NULL;

			for (size_t i = 0; i < k; i++) {
				struct psu_view view;

				if (!hwmon_is_psu_chip(chips[i].prefix, extra) &&
				    (chips[i].prefix[0] || !chips[i].error[0]))
					continue;
				if (last && strcmp(last, chips[i].name) == 0)
					continue;
				last = chips[i].name;
				hwmon_classify(&chips[i], &view);
				unreadable |= view.unreadable;
			}
			if (unreadable && g.margin != REDMON_MARGIN_UNKNOWN)
				abort();
		}
		psu_group_free(&p);
		/*
		 * The reader that keeps state across scans, with a budget small
		 * enough to run out: the same tree twice gives what the
		 * one-shot read gave.
		 */
		{
			struct hwmon_sysfs *s = hwmon_sysfs_new(5);
			const struct hwmon_chip *v;
			size_t m;

			for (int round = 0; s && round < 2; round++) {
				if (hwmon_sysfs_scan(s, fd, extra, &v, &m) != 0)
					continue;
				if (m != n)
					abort();
				for (size_t i = 0; i < m; i++)
					if (strcmp(v[i].name, chips[i].name) != 0 ||
					    v[i].n_attrs != chips[i].n_attrs ||
					    strcmp(v[i].error, chips[i].error) != 0)
						abort();
			}
			hwmon_sysfs_free(s);
		}
		hwmon_chips_free(chips, n);
		fans(fd, size && (data[0] & 2) ? "*" : NULL);
	}
	tree_drop(fd);
	return 0;
}
