// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: `dmsetup status` text through the multipath probe's
 * status parser (plugins/multipath/mpath_dm.c), then each path through the
 * rules.  Checks what must hold whatever the bytes: a failure says why, a
 * map holds at most MPATH_MAX_PATHS paths, names are printable (blanks kept).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/multipath/mpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpath_dm_status s = { 0 };
	char err[256] = "", why[96];
	int rc = mpath_dm_parse((const char *)data, size, &s, err, sizeof(err));

	if (rc < 0 && rc != -ENOMEM && !err[0])
		abort();
	for (size_t i = 0; rc == 0 && i < s.n_map; i++) {
		if (s.map[i].n_path > MPATH_MAX_PATHS || strlen(s.map[i].name) >= MPATH_NAME)
			abort();
		for (const char *c = s.map[i].name; *c; c++) {
			if (*c < 0x20 || *c > 0x7e)
				abort();
		}
		for (size_t k = 0; k < s.map[i].n_path; k++) {
			enum redmon_role r = mpath_dm_role(&s.map[i].path[k], why, sizeof(why));

			if (r != REDMON_ROLE_ACTIVE && r != REDMON_ROLE_FAILED)
				abort();
		}
	}
	mpath_dm_status_free(&s);
	return 0;
}
