// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: bytes -> /proc/net/bonding parser -> decisions.
 *
 * Seeds: tests/fuzz/seeds/bond_proc/ (the corpus captures).  Besides memory
 * errors it checks what the probe's glue and the core rely on: counts within
 * the slave count, the margin within [-1, nominal] or unknown, every string
 * terminated inside its buffer, a reason whenever the margin is short, no
 * control byte in a name, state or reason (they reach events and logs), and
 * a mode shown but not parseable never decided on (issue 12, H3).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/bond/bond_proc.h"
#include "../../plugins/bond/bond_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s)
{
	for (; s && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
	}
}

static void check_verdict(const struct bond_info *info, const struct bond_verdict *v)
{
	int usable = 0, failed = 0;

	if (v->n_members != info->n_slaves || v->members_total != (int)info->n_slaves)
		abort();
	if (!memchr(v->reason, 0, sizeof(v->reason)) || !v->type)
		abort();
	for (size_t i = 0; i < v->n_members; i++) {
		const struct bond_member_verdict *m = &v->members[i];

		if (!memchr(m->state, 0, sizeof(m->state)) ||
		    !memchr(m->reason, 0, sizeof(m->reason)))
			abort();
		if ((unsigned int)m->role >= REDMON_ROLE_COUNT_ || !info->slaves[i].name[0])
			abort();
		check_printable(info->slaves[i].name);
		check_printable(m->state);
		check_printable(m->reason);
		if (m->usable && m->role != REDMON_ROLE_ACTIVE && m->role != REDMON_ROLE_STANDBY)
			abort();
		usable += m->usable;
		failed += m->role == REDMON_ROLE_FAILED;
	}
	if (v->members_failed != failed || usable + failed > v->members_total)
		abort();
	check_printable(v->reason);
	check_printable(info->active);
	check_printable(info->primary);
	/* A mode shown but garbled: unknown, or failed (the bond itself down). */
	if ((info->bad_proc & BOND_BAD_MODE) && info->mode == BOND_MODE_UNKNOWN &&
	    v->margin != REDMON_MARGIN_UNKNOWN && v->margin != -1)
		abort();
	if (v->margin_nominal < 0 || v->margin_nominal > v->members_total)
		abort();
	if (v->margin == REDMON_MARGIN_UNKNOWN) {
		if (v->members_ok != -1 || !v->reason[0])
			abort();
		return;
	}
	/* Unknown (-1) when some slave cannot be told, even if the bond is down. */
	if (v->members_ok < -1 || v->members_ok > usable)
		abort();
	if (v->margin < -1 || v->margin > v->margin_nominal)
		abort();
	if (v->margin < v->margin_nominal && !v->reason[0])
		abort(); /* not fine: say why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bond_info info;
	struct bond_verdict v;
	long long *prev = NULL;

	if (bond_info_init(&info, "bond0") < 0)
		return 0;
	if (bond_proc_parse((const char *)data, size, &info) < 0)
		abort(); /* only -ENOMEM, which a fuzzer does not produce */
	/* A previous scan: every other slave had one link failure less. */
	if (info.n_slaves) {
		prev = malloc(info.n_slaves * sizeof(*prev));
		if (!prev)
			abort();
		for (size_t i = 0; i < info.n_slaves; i++)
			prev[i] = i % 2 ? info.slaves[i].link_failures - 1 : -1;
	}
	if (bond_decide(&info, prev, &v) < 0)
		abort();
	check_verdict(&info, &v);
	bond_verdict_free(&v);
	free(prev);
	bond_info_free(&info);
	return 0;
}
