/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the hwraid fuzz targets check of every logical drive they get. */
#ifndef REDMON_FUZZ_HWRAID_CHECK_H
#define REDMON_FUZZ_HWRAID_CHECK_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/hwraid/hwraid.h"
#include "../../plugins/hwraid/megaraid.h"

/* A driver's group names (a target may define its own before including this). */
#ifndef HWRAID_FUZZ_NAME_OK
/* c0/v1 (MegaRAID), ld0 and c2/ld1 (arcconf): digits and fixed text */
#define HWRAID_FUZZ_NAME_OK(n)                                                                     \
	(((n)[0] == 'c' || (n)[0] == 'l') && strspn((n), "0123456789/cdlv") == strlen(n))
#endif

static inline void hwraid_fuzz_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort(); /* not terminated */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort(); /* a tool's byte reaching a name, a log or an event */
	}
}

/* Everything but the name's pattern, which is each family's. */
static inline void hwraid_fuzz_check_ld(const struct hwraid_ld *ld)
{
	struct redmon_member *mem = calloc(ld->n_pd ? ld->n_pd : 1, sizeof(*mem));
	struct redmon_group g;
	char reason[1024];

	if (!mem)
		abort();
	hwraid_fuzz_text(ld->name, sizeof(ld->name));
	hwraid_fuzz_text(ld->reason, sizeof(ld->reason));
	hwraid_fuzz_text(ld->state, sizeof(ld->state));
	hwraid_fuzz_text(ld->level_word, sizeof(ld->level_word));
	hwraid_ld_eval(ld, &g, mem, reason, sizeof(reason));
	if (g.reason)
		hwraid_fuzz_text(g.reason, sizeof(reason)); /* the words it names, printable */
	if (g.margin != REDMON_MARGIN_UNKNOWN && (g.margin > g.margin_nominal || g.margin < -1))
		abort();
	if (g.members_ok + g.members_failed > g.members_total || g.spares < 0)
		abort();
	for (size_t j = 0; j < g.n_members; j++) {
		hwraid_fuzz_text(mem[j].name, HWRAID_NAME);
		hwraid_fuzz_text(mem[j].state, HWRAID_WORD);
		if (mem[j].serial)
			hwraid_fuzz_text(mem[j].serial, HWRAID_TEXT);
		if (mem[j].device)
			hwraid_fuzz_text(mem[j].device, HWRAID_TEXT);
		if (mem[j].reason)
			hwraid_fuzz_text(mem[j].reason, sizeof(ld->pd[j].reason));
		if (mem[j].role >= REDMON_ROLE_COUNT_)
			abort();
	}
	free(mem);
}

/*
 * Every logical drive of r; its name must be first (a fixed letter or word)
 * followed only by bytes of charset ("c0/v1": "c", "0123456789/v").
 */
static inline void hwraid_fuzz_check_named(const struct hwraid_result *r, const char *first,
					   const char *charset)
{
	for (size_t i = 0; i < r->n_ld; i++) {
		const char *name = r->ld[i].name;
		size_t n = strlen(first);

		if (strncmp(name, first, n) != 0 || strspn(name + n, charset) != strlen(name) - n)
			abort(); /* names are digits and fixed text */
		hwraid_fuzz_check_ld(&r->ld[i]);
	}
}

/* Every logical drive of r, its name as HWRAID_FUZZ_NAME_OK wants it. */
static inline void hwraid_fuzz_check(const struct hwraid_result *r)
{
	for (size_t i = 0; i < r->n_ld; i++) {
		if (!HWRAID_FUZZ_NAME_OK(r->ld[i].name))
			abort(); /* names are digits and fixed text */
		hwraid_fuzz_check_ld(&r->ld[i]);
	}
}

/*
 * A per-controller driver's list read from buf: at most HWRAID_MAX_CTL
 * distinct numbers from 0 to max_id, or -EINVAL.
 */
static inline void hwraid_fuzz_check_controllers(const struct hwraid_driver *d, const char *buf,
						 size_t len, int max_id)
{
	int ctl[HWRAID_MAX_CTL];
	int n = d->controllers(buf, len, ctl, HWRAID_MAX_CTL);

	if (n > HWRAID_MAX_CTL || (n < 0 && n != -EINVAL))
		abort();
	for (int i = 0; i < n; i++) {
		if (ctl[i] < 0 || ctl[i] > max_id)
			abort();
		for (int k = 0; k < i; k++) {
			if (ctl[k] == ctl[i])
				abort();
		}
	}
}

#endif
