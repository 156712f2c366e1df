// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HPE Smart Array: the words both tools print, the set the outputs go into,
 * and the driver descriptor (smartarray.h says what the parsers read).
 *
 * Logical drive states, as the controller firmware reports them (ssacli
 * prints them as words, cciss_vol_status decodes the same status byte:
 * cciss_vol_status.c decode_status[]): OK; Failed (service lost); Interim
 * Recovery Mode (a member lost, still served: degraded); Ready for Rebuild /
 * Ready for recovery operation (a replacement is in, the rebuild not yet
 * started: degraded); Recovering, N% complete / Currently recovering (a
 * rebuild runs); Expanding / Queued for Expansion (a transformation, the data
 * still redundant: ok, said in the reason).  Any other word: unknown.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smartarray.h"
#include "redmon/grow.h"

#define MAX_CTL 64

int sa_parse_done(int rc, size_t lineno, char *err, size_t errlen)
{
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

bool sa_level(struct strv w, char *out, size_t len)
{
	static const struct {
		const char *word, *level;
	} t[] = { { "0", "raid0" },	     { "1", "raid1" },		 { "10", "raid10" },
		  { "110", "raid10" },	     { "5", "raid5" },		 { "6", "raid6" },
		  { "adg", "raid6" },	     { "50", "raid50" },	 { "60", "raid60" },
		  { "1adm", "raid1adm" },    { "10adm", "raid10adm" },	 { "110adm", "raid10adm" },
		  { "1triple", "raid1adm" }, { "10triple", "raid10adm" } };
	char k[16];
	size_t n = 0;

	if (len)
		out[0] = '\0';
	w = strv_trim(w);
	if (w.n >= 4 && strncasecmp(w.p, "raid", 4) == 0)
		w = strv_make(w.p + 4, w.n - 4);
	for (size_t i = 0; i < w.n; i++) {
		char c = w.p[i];

		if (c == ' ' || c == '(' || c == ')' || c == '+' || c == '-')
			continue;
		if (n + 1 >= sizeof(k))
			return false;
		k[n++] = (char)tolower((unsigned char)c);
	}
	k[n] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(k, t[i].word) == 0) {
			snprintf(out, len, "%s", t[i].level);
			return true;
		}
	}
	return false;
}

/* "Recovering, 45% complete", "Recovering (45% complete)": 45, or -1. */
static double percent(struct strv w)
{
	const char *pc = memchr(w.p, '%', w.n), *d;
	long long v;

	if (!pc)
		return -1;
	for (d = pc; d > w.p && d[-1] >= '0' && d[-1] <= '9'; d--)
		;
	if (strv_to_ll(strv_make(d, (size_t)(pc - d)), 0, 100, &v) < 0)
		return -1;
	return (double)v;
}

void sa_ld_state(struct hwraid_ld *ld, struct strv w)
{
	static const struct {
		const char *word;
		enum hwraid_ld_cond cond;
		bool prefix, say;
	} t[] = { { "OK", HWRAID_LD_OK, false, false },
		  { "Failed", HWRAID_LD_OFFLINE, false, false },
		  { "FAILED", HWRAID_LD_OFFLINE, false, false },
		  { "Interim Recovery Mode", HWRAID_LD_DEGRADED, false, false },
		  { "Using interim recovery mode", HWRAID_LD_DEGRADED, false, false },
		  { "Ready for Rebuild", HWRAID_LD_DEGRADED, false, false },
		  { "Ready for recovery operation", HWRAID_LD_DEGRADED, false, false },
		  { "Recovering", HWRAID_LD_RECOVERY, true, false },
		  { "Currently recovering", HWRAID_LD_RECOVERY, false, false },
		  { "Expanding", HWRAID_LD_OK, true, true },
		  { "Currently expanding", HWRAID_LD_OK, false, true },
		  { "Currently expannding", HWRAID_LD_OK, false, true }, /* sic, cciss_vol_status */
		  { "Queued for Expansion", HWRAID_LD_OK, false, true },
		  { "Queued for expansion", HWRAID_LD_OK, false, true } };
	struct strv word = strv_trim(w);
	const char *cut = memchr(word.p, ',', word.n);

	if (!cut)
		cut = memchr(word.p, '(', word.n);
	if (cut)
		word = strv_trim(strv_make(word.p, (size_t)(cut - word.p)));
	strv_copy_printable(word, ld->state, sizeof(ld->state));
	ld->cond = HWRAID_LD_UNKNOWN;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!(t[i].prefix ? strv_starts(word, t[i].word) : strv_eq(word, t[i].word)))
			continue;
		ld->cond = t[i].cond;
		ld->progress = t[i].cond == HWRAID_LD_RECOVERY ? percent(w) : -1;
		if (t[i].say) {
			char what[64];

			strv_copy_printable(strv_trim(w), what, sizeof(what));
			hwraid_reason_add(ld, "%s", what);
		}
		return;
	}
}

void sa_pd_state(struct hwraid_pd *pd, struct strv w)
{
	static const struct {
		const char *word;
		enum hwraid_pd_cond cond;
	} t[] = { { "OK", HWRAID_PD_OK },
		  { "Predictive Failure", HWRAID_PD_OK }, /* still in service: a reason */
		  { "Failed", HWRAID_PD_FAILED },
		  { "Offline", HWRAID_PD_FAILED },
		  { "Rebuilding", HWRAID_PD_REBUILDING } };

	w = strv_trim(w);
	strv_copy_printable(w, pd->state, sizeof(pd->state));
	pd->cond = HWRAID_PD_UNKNOWN;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strv_eq(w, t[i].word))
			pd->cond = t[i].cond;
	}
}

/* Whether a line of buf starts with prefix (at its first byte). */
static bool line_starts(struct strv buf, const char *prefix)
{
	struct strv line;

	while (strv_next_line(&buf, &line)) {
		if (strv_starts(line, prefix))
			return true;
	}
	return false;
}

bool sa_is_cciss(struct strv buf)
{
	struct strv line;

	if (line_starts(buf, "Controller: "))
		return true;
	while (strv_next_line(&buf, &line)) {
		if (strv_starts(line, "/dev/") && memmem(line.p, line.n, " Volume ", 8) &&
		    memmem(line.p, line.n, " status: ", 9))
			return true;
	}
	return false;
}

bool sa_is_ssacli(struct strv buf)
{
	struct strv line;

	while (strv_next_line(&buf, &line)) {
		if (line.n && line.p[0] != ' ' &&
		    (memmem(line.p, line.n, " in Slot ", 9) ||
		     memmem(line.p, line.n, "No controllers detected", 23)))
			return true;
	}
	return false;
}

/* --- the set ------------------------------------------------------------------ */

long sa_ld_new(struct sa_set *s, const char *name, int slot)
{
	struct hwraid_ld *ld;
	size_t i = s->res->n_ld - s->base;
	void *v = s->slot;

	for (size_t k = s->base; k < s->res->n_ld; k++) {
		if (strcmp(s->res->ld[k].name, name) == 0)
			return -EEXIST;
	}
	if (!grow_one(&v, &s->slot_cap, i, sizeof(*s->slot), 16))
		return -ENOMEM;
	s->slot = v;
	ld = hwraid_ld_add(s->res);
	if (!ld)
		return -ENOMEM;
	s->slot[i] = slot;
	snprintf(ld->name, sizeof(ld->name), "%s", name);
	return (long)(s->res->n_ld - 1);
}

struct sa_ctl *sa_ctl(struct sa_set *s, int slot)
{
	void *v = s->ctl;

	for (size_t i = 0; i < s->n_ctl; i++) {
		if (s->ctl[i].slot == slot)
			return &s->ctl[i];
	}
	if (s->n_ctl >= MAX_CTL || !grow_one(&v, &s->ctl_cap, s->n_ctl, sizeof(*s->ctl), 4))
		return NULL;
	s->ctl = v;
	s->ctl[s->n_ctl] = (struct sa_ctl){ .slot = slot };
	return &s->ctl[s->n_ctl++];
}

static bool word_ok(const char *w)
{
	return !w[0] || strcmp(w, "OK") == 0 || strcmp(w, "Not Configured") == 0;
}

void sa_set_finish(struct sa_set *s)
{
	for (size_t i = s->base; i < s->res->n_ld; i++) {
		struct hwraid_ld *ld = &s->res->ld[i];
		int slot = s->slot[i - s->base];

		for (size_t c = 0; c < s->n_ctl && slot >= 0; c++) {
			const struct sa_ctl *k = &s->ctl[c];

			if (k->slot != slot)
				continue;
			if (!word_ok(k->status))
				hwraid_reason_add(ld, "controller slot %d status %s", slot,
						  k->status);
			if (!word_ok(k->cache))
				hwraid_reason_add(ld, "cache %s", k->cache);
			if (!word_ok(k->battery))
				hwraid_reason_add(ld, "battery/capacitor %s", k->battery);
		}
	}
	free(s->slot);
	free(s->ctl);
	s->slot = NULL;
	s->ctl = NULL;
	s->n_ctl = s->slot_cap = s->ctl_cap = 0;
}

/* --- the driver ------------------------------------------------------------------ */

static int smartarray_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			    char *err, size_t errlen)
{
	struct sa_set s = { .res = ret, .base = ret->n_ld };
	bool none = false, some = false;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct strv buf = strv_make(out[i].buf, out[i].len);
		char why[256] = "";
		bool no = false;

		if (sa_is_cciss(buf)) {
			rc = sa_parse_cciss(&s, buf, why, sizeof(why));
		} else if (sa_is_ssacli(buf)) {
			rc = sa_parse_ssacli(&s, buf, &no, why, sizeof(why));
			none |= no;
			some |= !no;
		} else {
			snprintf(why, sizeof(why),
				 "neither ssacli's (\"... in Slot N\") nor cciss_vol_status's "
				 "output");
			rc = -EINVAL;
		}
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", out[i].name, why);
	}
	if (s.slot || s.ctl)
		sa_set_finish(&s);
	if (rc == 0 && none && !some && ret->n_ld == s.base)
		ret->none = true;
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

static const char *const smartarray_tools[] = { "ssacli", "hpssacli", "hpacucli", NULL };
static const char *const smartarray_prefixes[] = { "ssacli", "hpssacli", "hpacucli",
						   "cciss_vol_status", NULL };
static const char *const smartarray_commands[][HWRAID_MAX_ARGS] = {
	{ "ctrl", "all", "show", "config", "detail", NULL },
};

const struct hwraid_driver hwraid_smartarray = {
	.name = "smartarray",
	.what = "HPE Smart Array",
	.tools = smartarray_tools,
	.prefixes = smartarray_prefixes,
	.commands = smartarray_commands,
	.n_commands = sizeof(smartarray_commands) / sizeof(smartarray_commands[0]),
	.parse = smartarray_parse,
};
