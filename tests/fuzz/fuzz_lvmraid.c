// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: bytes -> `dmsetup status` parser -> the rules -> groups
 * (plugins/lvmraid).
 *
 * Besides memory errors it checks what the core relies on: every string
 * printable ASCII (the core emits JSON), margins within [-1, nominal] or
 * unknown, counts consistent, progress a percentage, no sub-LV reported, no
 * name reported twice; and a failed parse always says why.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/lvmraid/lvmraid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	char names[64][LVR_NAME];
	size_t n;
};

static void printable(const char *s)
{
	for (; s && *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			abort();
	}
}

static int check(void *ctx, const struct redmon_group *g)
{
	struct seen *seen = ctx;

	printable(g->name);
	printable(g->type);
	printable(g->reason);
	if (!g->name[0] || lvr_is_sub_lv(g->name))
		abort();
	for (size_t i = 0; i < seen->n; i++) {
		if (strcmp(seen->names[i], g->name) == 0)
			abort();
	}
	if (seen->n < 64)
		memcpy(seen->names[seen->n++], g->name, strlen(g->name) + 1);
	if (g->margin != REDMON_MARGIN_UNKNOWN &&
	    (g->margin < -1 || g->margin > g->margin_nominal || g->margin_nominal < 0))
		abort();
	if (g->margin == REDMON_MARGIN_UNKNOWN && !g->reason)
		abort(); /* unknown always says why */
	if (g->members_total >= 0 && (g->members_ok + g->members_failed > g->members_total ||
				      (size_t)g->members_total != g->n_members))
		abort();
	if (g->progress != -1 && !(g->progress >= 0 && g->progress <= 100))
		abort();
	for (size_t i = 0; i < g->n_members; i++) {
		printable(g->members[i].name);
		printable(g->members[i].state);
		printable(g->members[i].device);
		printable(g->members[i].reason);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lvr_view view;
	struct lvr_status st = { 0 };
	struct seen seen = { 0 };
	char err[256] = "";

	if (lvr_parse((const char *)data, size, &st, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
		printable(err);
		return 0;
	}
	lvr_groups(&st, &view, check, &seen);
	lvr_status_free(&st);
	return 0;
}
