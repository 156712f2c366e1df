/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> /proc/mdstat parser -> merge -> groups.
 *
 * Besides memory errors it checks what the core relies on: every string
 * printable ASCII (the core emits JSON), margins within [-1, nominal] or
 * unknown, counts consistent, progress a percentage.  And that
 * md_mdstat_update() (one block parsed again) gives what a full parse gives:
 * the input is also edited by one byte, as its last two bytes say.
 */
#include <errno.h>
#include <stdbool.h>
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
static struct md_set old_set, full_set, tmp_set;
static char edited[1 << 16];

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

static bool same_array(const struct md_array *x, const struct md_array *y)
{
	return strcmp(x->name, y->name) == 0 && strcmp(md_array_error(x), md_array_error(y)) == 0 &&
	       strcmp(md_array_level(x), md_array_level(y)) == 0 && x->source == y->source &&
	       x->level == y->level && x->run == y->run && x->read_only == y->read_only &&
	       x->container == y->container && x->ext_container == y->ext_container &&
	       x->raid_disks == y->raid_disks && x->degraded == y->degraded &&
	       x->n_slots == y->n_slots &&
	       (!x->n_slots || !memcmp(md_array_slots(x), md_array_slots(y), x->n_slots)) &&
	       x->n_devs == y->n_devs &&
	       (!x->n_devs || !memcmp(x->devs, y->devs, x->n_devs * sizeof(*x->devs))) &&
	       x->activity == y->activity && x->progress == y->progress &&
	       x->r10_known == y->r10_known && x->r10_near == y->r10_near &&
	       x->r10_far == y->r10_far && x->r10_offset == y->r10_offset &&
	       x->text_off == y->text_off && x->text_len == y->text_len;
}

/* Old text: all but the last two bytes; new: one byte of it replaced. */
static void check_update(const uint8_t *data, size_t size)
{
	size_t n, pos;
	int r;

	if (size < 3 || size - 2 > sizeof(edited))
		return;
	n = size - 2;
	pos = data[n] * n / 256;
	memcpy(edited, data, n);
	edited[pos] = (char)data[n + 1];
	if (md_mdstat_parse((const char *)data, n, false, &old_set) < 0)
		abort();
	const struct md_array *changed;

	r = md_mdstat_update((const char *)data, n, edited, n, &old_set, &tmp_set, &changed);
	if (r == -EAGAIN)
		return;
	if (r < 0 || md_mdstat_parse(edited, n, false, &full_set) < 0 || old_set.n != full_set.n)
		abort();
	for (size_t i = 0; i < old_set.n; i++)
		if (!same_array(&old_set.v[i], &full_set.v[i]))
			abort();
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
	check_update(data, size);
	return 0;
}
