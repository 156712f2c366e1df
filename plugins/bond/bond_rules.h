/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bond probe's decisions: from the facts of one bond (bond_info.h) to a
 * redundancy verdict: which slaves are usable, the margin, and the reasons.
 * The rules and every reason text are listed in plugins/bond/README.md.
 *
 * Pure functions of their input: no I/O, no logging.
 */
#ifndef REDMON_BOND_RULES_H
#define REDMON_BOND_RULES_H

#include <redmon/plugin.h>

#include "bond_info.h"

/* LACP port state bits (IEEE 802.1AX, bond_3ad.c AD_STATE_*). */
#define BOND_LACP_COLLECTING   0x10
#define BOND_LACP_DISTRIBUTING 0x20
#define BOND_LACP_DEFAULTED    0x40

struct bond_member_verdict {
	enum redmon_role role;
	int link;	  /* 1 up, 0 down, -1 unknown */
	bool usable;	  /* counts in members_ok */
	char state[96];	  /* e.g. "mii up, aggregator 2" */
	char reason[256]; /* empty when the slave is fine */
};

struct bond_verdict {
	const char *type; /* static: bond_mode_name() */
	int members_total;
	int members_ok; /* -1 when unknown */
	int members_failed;
	int32_t margin; /* REDMON_MARGIN_UNKNOWN when unknown */
	int32_t margin_nominal;
	char reason[1024];		     /* empty when none; "; "-joined, cut with "..." */
	struct bond_member_verdict *members; /* one per info->slaves[], owned */
	size_t n_members;
};

/*
 * Decide about info.  prev_failures, when not NULL, holds for each slave of
 * info (same index) its link_failure_count at the previous scan, or -1: a
 * rise is reported as flapping.  On success fills *ret (free it with
 * bond_verdict_free()) and returns 0; -ENOMEM otherwise (*ret untouched).
 */
int bond_decide(const struct bond_info *info, const long long *prev_failures,
		struct bond_verdict *ret);

/* Free what a verdict owns; NULL is a no-op. */
void bond_verdict_free(struct bond_verdict *v);

#endif /* REDMON_BOND_RULES_H */
