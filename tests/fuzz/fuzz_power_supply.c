// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the /sys/class/power_supply reader and classification
 * (plugins/power_supply/ps_class.c) on a tree built from the input (format:
 * fuzz_hwmon_tree.c, shared with the hwmon target).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../plugins/power_supply/ps_class.h"
#include "fuzz_hwmon_tree.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_entry *v = NULL;
	struct psu_group p = { 0 };
	struct redmon_group g;
	size_t n = 0;
	int fd;

	fd = tree_build(data, size);
	if (fd >= 0 && ps_read(fd, &v, &n) == 0) {
		for (int round = 0; round < 2; round++) {
			size_t k = round ? n / 2 : n;
			bool unreadable = false;

			if (ps_psu_eval(&p, v, k, round, &g) != 0)
				continue;
			for (size_t i = 0; i < g.n_members; i++)
				if (!g.members[i].name || g.members[i].role >= REDMON_ROLE_COUNT_)
					abort();
			/* A supply that could not be read never leaves the margin known. */
			for (size_t i = 0; i < k; i++) {
				struct psu_view view;

				ps_classify(&v[i], &view);
				unreadable |= view.unreadable;
			}
			if (unreadable && g.margin != REDMON_MARGIN_UNKNOWN)
				abort();
		}
		psu_group_free(&p);
		free(v);
	}
	tree_drop(fd);
	return 0;
}
