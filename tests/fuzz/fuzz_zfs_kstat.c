// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a pool's kstat state file (/proc/spl/kstat/zfs/<pool>/
 * state, plugins/zfs/zfs_text.c), then the rules for a pool known by its
 * state word alone: one printable word or a refusal with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/zfs/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zfs_result r = { 0 };
	struct redmon_member mem[1];
	struct redmon_group g;
	char err[256] = "", reason[ZFS_REASON];

	if (zfs_parse_kstat("pool", (const char *)data, size, &r, err, sizeof(err)) == 0) {
		if (r.n_pool != 1 || !r.pool[0].state[0])
			abort();
		for (const char *c = r.pool[0].state; *c; c++) {
			if (*c <= ' ' || *c > '~')
				abort();
		}
		zfs_pool_eval(&r.pool[0], &g, mem, reason, sizeof(reason));
		if (g.n_members || (g.margin != REDMON_MARGIN_UNKNOWN && g.margin > 0) || !g.reason)
			abort();
	} else if (!err[0]) {
		abort();
	}
	zfs_result_free(&r);
	return 0;
}
