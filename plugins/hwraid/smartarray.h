/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HPE Smart Array driver of hwraid: ssacli (and its older names hpssacli
 * and hpacucli) in its text forms, and cciss_vol_status.
 *
 * ssacli names a logical drive by controller slot, array letter and number:
 * the group is "slot<N>/array <X>/ld<K>" (tests/corpus/MANIFEST.md), the
 * letter checked to be one to four capitals, the numbers parsed.
 * cciss_vol_status names it by the device it was asked about and the volume
 * number: "<dev>/vol<N>", dev the last part of the path ("/dev/sda",
 * "/dev/cciss/c0d0") checked to be lower-case letters and digits.  Nothing
 * else the tools print enters a name.  Both tools print the same state words
 * for a logical drive (the controller firmware's), sorted here by sa_ld_state().
 */
#ifndef REDMON_HWRAID_SMARTARRAY_H
#define REDMON_HWRAID_SMARTARRAY_H

#include <stdbool.h>
#include <stddef.h>

#include "hwraid.h"
#include "../lib/strbuf.h"

/*
 * A RAID level as ssacli ("1+0", "RAID 1 (ADM)", "ADG") or cciss_vol_status
 * ("RAID 1(1+0)") prints it into a level of the rules ("raid10", "raid1adm"):
 * true, or false and out "".
 */
bool sa_level(struct strv word, char *out, size_t len);

/*
 * A logical drive's state ("OK", "Interim Recovery Mode", "Recovering, 45%
 * complete", "Currently recovering") into ld's state, cond and progress;
 * "Expanding" and the like add to its reason.
 */
void sa_ld_state(struct hwraid_ld *ld, struct strv word);

/* A physical drive's status ("OK", "Failed", "Rebuilding") into pd's state and cond. */
void sa_pd_state(struct hwraid_pd *pd, struct strv word);

/* Whether ssacli or cciss_vol_status printed buf (recognised by content). */
bool sa_is_ssacli(struct strv buf);
bool sa_is_cciss(struct strv buf);

/* A controller of ssacli's outputs: its status words ("" when not printed). */
struct sa_ctl {
	int slot;
	char status[HWRAID_WORD], cache[HWRAID_WORD], battery[HWRAID_WORD];
};

/*
 * What the outputs of one run (or the captures of one root) make together:
 * the logical drives are appended to res, those from res->ld[base] on being
 * this driver's; the controllers' status words (which "ctrl all show status"
 * prints apart from the logical drives) are added to their reasons at the end
 * (sa_set_finish()).
 */
struct sa_set {
	struct hwraid_result *res;
	size_t base;
	int *slot; /* per logical drive from base: its controller's slot, -1 none */
	size_t slot_cap;
	struct sa_ctl *ctl;
	size_t n_ctl, ctl_cap;
};

/*
 * A new logical drive named name (zeroed as hwraid_ld_add() makes it) of
 * controller slot: its index in res->ld; -EEXIST when another output already
 * gave it (the first one's words stand), -ENOMEM.
 */
long sa_ld_new(struct sa_set *s, const char *name, int slot);
/* The controller numbered slot, added when new; NULL when out of memory or too many. */
struct sa_ctl *sa_ctl(struct sa_set *s, int slot);
/* The controllers' trouble into their logical drives' reasons; frees what s holds. */
void sa_set_finish(struct sa_set *s);

/*
 * One output of ssacli ("ctrl all show config detail", "ctrl all show
 * status", "ctrl slot=N ld all show") or of cciss_vol_status (plain or -V)
 * into s: 0, -EINVAL (a line not understood, err says which), -ENOMEM;
 * *ret_none when ssacli says there is no controller at all.
 */
int sa_parse_ssacli(struct sa_set *s, struct strv buf, bool *ret_none, char *err, size_t errlen);
int sa_parse_cciss(struct sa_set *s, struct strv buf, char *err, size_t errlen);
/* A parser's closing words: rc as returned, with why in err (-EINVAL: at line lineno). */
int sa_parse_done(int rc, size_t lineno, char *err, size_t errlen);

#endif
