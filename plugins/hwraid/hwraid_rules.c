// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules every hwraid driver shares: RAID level words, the nominal margin
 * of a level, and one logical drive as a redundancy group.
 *
 * Worst case, as tests/corpus/MANIFEST.md counts it: a RAID1 of two drives
 * survives 1 more failure; a controller's RAID1 of more drives (and RAID10,
 * 1E) is mirrored pairs, 1 when complete; HPE's triple mirror (ADM, "raid1adm",
 * "raid10adm") 2; RAID5 1, RAID6 2, RAID50 1 and RAID60 2 when complete;
 * RAID0/00 0.  Members failed, missing, rebuilding or
 * in a state we do not know are lost.  Where the tool says which drive sits
 * in which span, the margin is the weakest span's (a RAID60 that lost one
 * drive in each of two spans still survives one more failure); else the
 * lost members all count against the one level.  The controller's word on
 * the drive bounds the result: an offline drive has lost its service, a
 * degraded or recovering one cannot be complete, and one the controller still serves is
 * not lost (a RAID10 that lost one drive in each of two spans: margin 0).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwraid.h"
#include "../lib/strbuf.h"
#include "redmon/grow.h"

#define MAX_LD	  4096
#define MAX_PD	  1024 /* per logical drive */
#define MAX_SPANS 64

void hwraid_result_free(struct hwraid_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_ld; i++)
		free(r->ld[i].pd);
	free(r->ld);
	r->ld = NULL;
	r->n_ld = r->cap_ld = 0;
}

struct hwraid_ld *hwraid_ld_add(struct hwraid_result *r)
{
	struct hwraid_ld *ld;

	if (r->n_ld >= MAX_LD || !grow_one((void **)&r->ld, &r->cap_ld, r->n_ld, sizeof(*ld), 4))
		return NULL;
	ld = &r->ld[r->n_ld++];
	*ld = (struct hwraid_ld){ .total = -1, .progress = -1 };
	return ld;
}

struct hwraid_pd *hwraid_pd_add(struct hwraid_ld *ld)
{
	struct hwraid_pd *pd;

	if (ld->n_pd >= MAX_PD ||
	    !grow_one((void **)&ld->pd, &ld->cap_pd, ld->n_pd, sizeof(*pd), 8))
		return NULL;
	pd = &ld->pd[ld->n_pd++];
	*pd = (struct hwraid_pd){ .span = -1 };
	return pd;
}

void hwraid_reason_add(struct hwraid_ld *ld, const char *fmt, ...)
{
	size_t n = strlen(ld->reason);
	va_list ap;

	if (n && n + 2 < sizeof(ld->reason)) {
		memcpy(ld->reason + n, ", ", 3);
		n += 2;
	}
	if (n + 1 >= sizeof(ld->reason))
		return;
	va_start(ap, fmt);
	vsnprintf(ld->reason + n, sizeof(ld->reason) - n, fmt, ap);
	va_end(ap);
}

int hwraid_ctl_skipped(struct hwraid_result *r, size_t first, const int *ids, size_t n, char *err,
		       size_t errlen)
{
	char why[160];
	size_t k = 0;

	if (n == 0)
		return 0;
	k = (size_t)snprintf(why, sizeof(why), "%zu controller%s not read (", n, n > 1 ? "s" : "");
	for (size_t i = 0; i < n && i < 4 && k < sizeof(why); i++)
		k += (size_t)snprintf(why + k, sizeof(why) - k, "%sc%d", i ? ", " : "", ids[i]);
	if (k < sizeof(why))
		snprintf(why + k, sizeof(why) - k, "%s): redmon reads the first %d a tool lists",
			 n > 4 ? ", ..." : "", HWRAID_MAX_CTL);
	if (first >= r->n_ld) {
		snprintf(err, errlen, "%s, and those read have no logical drive", why);
		return -E2BIG;
	}
	for (size_t i = first; i < r->n_ld; i++)
		hwraid_reason_add(&r->ld[i], "%s", why);
	return 0;
}

bool hwraid_level(const char *word, char *out, size_t len)
{
	static const char *const known[] = {
		"0", "1", "5", "6", "00", "10", "50", "60", "1e", NULL
	};
	char digits[8];
	size_t n = 0;
	const char *s = word;

	if (len)
		out[0] = '\0';
	if (strncasecmp(s, "raid", 4) != 0)
		return false;
	for (s += 4; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (n + 1 >= sizeof(digits))
			return false;
		digits[n++] = (char)tolower((unsigned char)*s);
	}
	digits[n] = '\0';
	for (size_t i = 0; known[i]; i++) {
		if (strcmp(digits, known[i]) == 0) {
			snprintf(out, len, "raid%s", digits);
			return true;
		}
	}
	return false;
}

void hwraid_level_unknown(struct hwraid_ld *ld, const char *word, size_t len)
{
	if (!ld->level[0])
		strv_copy_printable(strv_trim(strv_make(word, len)), ld->level_word,
				    sizeof(ld->level_word));
}

int hwraid_nominal(const char *level)
{
	static const struct {
		const char *level;
		int margin;
	} t[] = { { "raid0", 0 },  { "raid00", 0 },   { "raid1", 1 },	 { "raid1e", 1 },
		  { "raid10", 1 }, { "raid5", 1 },    { "raid50", 1 },	 { "raid6", 2 },
		  { "raid60", 2 }, { "raid1adm", 2 }, { "raid10adm", 2 } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(level, t[i].level) == 0)
			return t[i].margin;
	}
	return -1;
}

static bool lost(enum hwraid_pd_cond c)
{
	return c == HWRAID_PD_FAILED || c == HWRAID_PD_REBUILDING || c == HWRAID_PD_MISSING ||
	       c == HWRAID_PD_UNKNOWN;
}

static enum redmon_role role_of(enum hwraid_pd_cond c)
{
	switch (c) {
	case HWRAID_PD_OK:
		return REDMON_ROLE_ACTIVE;
	case HWRAID_PD_FAILED:
		return REDMON_ROLE_FAILED;
	case HWRAID_PD_REBUILDING:
	case HWRAID_PD_COPYBACK:
		return REDMON_ROLE_REBUILDING;
	case HWRAID_PD_MISSING:
		return REDMON_ROLE_MISSING;
	case HWRAID_PD_SPARE:
		return REDMON_ROLE_SPARE;
	default:
		return REDMON_ROLE_UNKNOWN;
	}
}

/*
 * The margin from the members: the weakest span's nominal minus its lost
 * members; slots not listed at all (total over the listed members) count
 * against the weakest span.
 */
static int member_margin(const struct hwraid_ld *ld, int nominal, int listed)
{
	int span_lost[MAX_SPANS] = { 0 };
	int whole = 0, worst = 0, unlisted;
	bool spans = true;

	for (size_t i = 0; i < ld->n_pd; i++) {
		const struct hwraid_pd *pd = &ld->pd[i];

		if (pd->cond == HWRAID_PD_SPARE || pd->cond == HWRAID_PD_COPYBACK)
			continue;
		if (pd->span < 0 || pd->span >= MAX_SPANS)
			spans = false;
		if (!lost(pd->cond))
			continue;
		whole++;
		if (pd->span >= 0 && pd->span < MAX_SPANS)
			span_lost[pd->span]++;
	}
	if (spans && listed > 0) {
		for (int s = 0; s < MAX_SPANS; s++)
			worst = span_lost[s] > worst ? span_lost[s] : worst;
	} else {
		worst = whole;
	}
	unlisted = ld->total > listed ? ld->total - listed : 0;
	return nominal - worst - unlisted;
}

static void count(const struct hwraid_ld *ld, struct redmon_group *g, struct redmon_member *mem,
		  int *ret_listed, int *ret_rebuilding)
{
	int listed = 0, rebuilding = 0;

	for (size_t i = 0; i < ld->n_pd; i++) {
		const struct hwraid_pd *pd = &ld->pd[i];

		mem[i] = (struct redmon_member){ .name = pd->name,
						 .role = role_of(pd->cond),
						 .state = pd->state,
						 .location = pd->name,
						 .serial = pd->serial[0] ? pd->serial : NULL,
						 .device = pd->device[0] ? pd->device : NULL,
						 .reason = pd->reason[0] ? pd->reason : NULL };
		if (pd->cond == HWRAID_PD_SPARE || pd->cond == HWRAID_PD_COPYBACK) {
			rebuilding += pd->cond == HWRAID_PD_COPYBACK;
			continue;
		}
		listed++;
		g->members_ok += pd->cond == HWRAID_PD_OK;
		g->members_failed += pd->cond == HWRAID_PD_FAILED;
		rebuilding += pd->cond == HWRAID_PD_REBUILDING;
	}
	*ret_listed = listed;
	*ret_rebuilding = rebuilding;
}

void hwraid_ld_eval(const struct hwraid_ld *ld, struct redmon_group *g, struct redmon_member *mem,
		    char *reason, size_t len)
{
	int nominal = ld->level[0] ? hwraid_nominal(ld->level) : -1;
	int listed, rebuilding, margin;
	size_t n = 0;

	*g = (struct redmon_group){ .name = ld->name,
				    .kind = "raid",
				    .type = ld->level[0] ? ld->level : "unknown",
				    .spares = ld->spares,
				    .progress = -1,
				    .members = mem,
				    .n_members = ld->n_pd };
	reason[0] = '\0';
	count(ld, g, mem, &listed, &rebuilding);
	g->members_total = ld->total > listed ? ld->total : listed;
	if (rebuilding || ld->cond == HWRAID_LD_RECOVERY) {
		g->activity = REDMON_ACTIVITY_RECOVERY;
		g->progress = ld->progress;
	}
	if (nominal < 0) {
		g->margin = REDMON_MARGIN_UNKNOWN;
		g->margin_nominal = 0;
		if (ld->level_word[0])
			n += (size_t)snprintf(reason, len, "RAID level '%s' not understood",
					      ld->level_word);
		else
			n += (size_t)snprintf(reason, len, "RAID level not understood");
	} else if (ld->cond == HWRAID_LD_UNKNOWN) {
		g->margin = REDMON_MARGIN_UNKNOWN;
		g->margin_nominal = nominal;
		n += (size_t)snprintf(reason, len, "state '%s' not understood", ld->state);
	} else {
		margin = member_margin(ld, nominal, listed);
		if (ld->cond == HWRAID_LD_OFFLINE)
			margin = -1;
		else if (margin < 0)
			margin = 0; /* lost more than the level survives, yet still served */
		else if ((ld->cond == HWRAID_LD_DEGRADED || ld->cond == HWRAID_LD_RECOVERY) &&
			 margin >= nominal && nominal > 0)
			margin = nominal - 1; /* a member the listing does not show */
		g->margin = margin;
		g->margin_nominal = nominal;
		if (ld->cond != HWRAID_LD_OK)
			n += (size_t)snprintf(reason, len, "controller says %s", ld->state);
	}
	if (ld->reason[0] && n < len)
		snprintf(reason + n, len - n, "%s%s", n ? "; " : "", ld->reason);
	g->reason = reason[0] ? reason : NULL;
}
