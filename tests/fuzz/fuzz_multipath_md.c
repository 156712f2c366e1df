// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: `multipathd show paths` text through the multipath
 * probe's table parser (plugins/multipath/mpath_md.c), each path through
 * the checker rules, then all of them as one map (mpath_map_eval): the
 * counts and the margin must agree with the roles.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/multipath/mpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpath_md_paths s = { 0 };
	char err[256] = "", reason[512];
	int rc = mpath_md_parse((const char *)data, size, &s, err, sizeof(err));
	size_t n = s.n_path < 64 ? s.n_path : 64;
	struct mpath_path p[64];
	struct redmon_member mem[64];
	struct redmon_group g;
	int usable = 0, unknown = 0;

	if (rc < 0 && rc != -ENOMEM && !err[0])
		abort();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		p[i] = (struct mpath_path){ .src = MPATH_SRC_CHECKER };
		memcpy(p[i].dev, s.path[i].dev, sizeof(p[i].dev));
		p[i].role = mpath_checker_role(&s.path[i], p[i].why, sizeof(p[i].why));
		usable += p[i].role == REDMON_ROLE_ACTIVE || p[i].role == REDMON_ROLE_STANDBY;
		unknown += p[i].role == REDMON_ROLE_UNKNOWN;
	}
	if (rc == 0) {
		mpath_map_eval("m", p, n, &g, mem, reason, sizeof(reason));
		if (g.members_ok != usable || g.n_members != n ||
		    (unknown ? g.margin != REDMON_MARGIN_UNKNOWN : g.margin != usable - 1) ||
		    strlen(reason) >= sizeof(reason))
			abort();
	}
	mpath_md_paths_free(&s);
	return 0;
}
