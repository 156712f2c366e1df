// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the hwmon sysfs reader and PSU classification
 * (plugins/hwmon/hwmon_sysfs.c, hwmon_class.c) on a tree built from the input
 * (format: fuzz_hwmon_tree.c).  The first line's first byte picks extra chip
 * patterns ("*": every chip is classified as a PSU).
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "../../plugins/hwmon/hwmon_class.h"
#include "../../plugins/hwmon/hwmon_read.h"
#include "fuzz_hwmon_tree.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwmon_chip *chips = NULL;
	struct hwmon_psu p = { 0 };
	struct redmon_group g;
	size_t n = 0;
	int fd;

	const char *extra = size && (data[0] & 1) ? "*" : NULL;

	fd = tree_build(data, size);
	if (fd >= 0 && hwmon_sysfs_read(fd, extra, &chips, &n) == 0) {
		for (int round = 0; round < 2; round++) {
			if (hwmon_psu_eval(&p, chips, round ? n / 2 : n, extra, round, &g) == 0) {
				for (size_t i = 0; i < g.n_members; i++)
					if (!g.members[i].name ||
					    g.members[i].role >= REDMON_ROLE_COUNT_)
						abort();
			}
		}
		hwmon_psu_free(&p);
		hwmon_chips_free(chips, n);
	}
	tree_drop(fd);
	return 0;
}
