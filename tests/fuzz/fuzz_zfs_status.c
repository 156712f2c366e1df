// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: zpool status text (plugins/zfs), then the rules that turn each
 * pool into a group (zfs_rules.c), whose counts must stay consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/zfs/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct zfs_result *r)
{
	for (size_t i = 0; i < r->n_pool; i++) {
		const struct zfs_pool *p = &r->pool[i];
		struct redmon_member *mem = calloc(p->n_dev + 1, sizeof(*mem));
		struct redmon_group g;
		char reason[ZFS_REASON];

		if (!mem)
			return;
		zfs_pool_eval(p, &g, mem, reason, sizeof(reason));
		if (g.n_members > p->n_dev || strlen(reason) >= sizeof(reason) ||
		    (g.members_total >= 0 && g.members_ok > g.members_total) ||
		    (g.margin != REDMON_MARGIN_UNKNOWN && g.margin > g.margin_nominal) ||
		    (g.progress != -1 && (g.progress < 0 || g.progress > 100)))
			abort();
		for (size_t m = 0; m < g.n_members; m++) {
			if (!mem[m].name || !mem[m].state)
				abort();
		}
		free(mem);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct zfs_result r = { 0 };
	char err[256] = "";

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (zfs_parse_status(buf, size, &r, err, sizeof(err)) == 0)
		check(&r);
	else if (!err[0] && r.n_pool < ZFS_MAX_POOLS)
		abort(); /* a failure says why, but for too many pools */
	zfs_result_free(&r);
	free(buf);
	return 0;
}
