/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> /proc/mdstat parser -> merge -> groups.
 *
 * Besides memory errors it checks what the core relies on: every string
 * printable ASCII (the core emits JSON), margins within [-1, nominal] or
 * unknown, counts consistent, progress a percentage.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/md/md_group.h"
#include "../../plugins/md/mdstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reused across inputs, as the probe reuses them across scans. */
static struct md_set set;
static struct md_group_buf gb;
static struct md_array scratch;

static void check_text(const char *s)
{
	if (!s)
		return;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

static void check_group(const struct redmon_group *g)
{
	size_t i;

	if (!g->name || !g->name[0] || !g->kind || !g->type)
		abort();
	check_text(g->name);
	check_text(g->type);
	check_text(g->reason);
	if (g->margin != REDMON_MARGIN_UNKNOWN) {
		if (g->margin < -1 || g->margin > g->margin_nominal || g->margin_nominal < 0)
			abort();
		if (g->members_ok < 0 || g->members_ok > g->members_total)
			abort();
		if (g->margin < g->margin_nominal && !g->reason)
			abort(); /* not fine: say why */
	}
	if (g->members_failed < 0 || g->spares < 0)
		abort();
	if (!(g->progress == -1 || (g->progress >= 0 && g->progress <= 100)))
		abort();
	if ((unsigned int)g->activity >= REDMON_ACTIVITY_COUNT_)
		abort();
	for (i = 0; i < g->n_members; i++) {
		const struct redmon_member *m = &g->members[i];

		if (!m->name || !m->name[0] || (unsigned int)m->role >= REDMON_ROLE_COUNT_)
			abort();
		check_text(m->name);
		check_text(m->state);
		check_text(m->device);
	}
}

static void build(const struct md_array *a)
{
	const struct redmon_group *g;

	if (md_group_build(a, &gb, &g) < 0)
		abort(); /* only -ENOMEM, which a fuzzer does not produce */
	if (g)
		check_group(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	/* The low bit of the size plays the read limit's "cut" flag. */
	if (md_mdstat_parse((const char *)data, size, size & 1, &set) < 0)
		abort();
	for (i = 0; i < set.n; i++) {
		build(&set.v[i]);
		/* As if sysfs had shown array i and mdstat the next one. */
		if (md_array_copy(&scratch, &set.v[i]) < 0)
			abort();
		scratch.source = MD_SRC_SYSFS;
		if (md_array_merge(&scratch, &set.v[(i + 1) % set.n]) < 0)
			abort();
		build(&scratch);
	}
	return 0;
}
