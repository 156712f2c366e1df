// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of the multipath probe: what each source's words mean for one
 * path, and a map as a redundancy group.  A map serves while one path is
 * usable, so margin = usable paths - 1 and the nominal margin is paths - 1:
 * a failed path makes the map degraded, the last usable one critical, none
 * failed (margin -1).  A path no source can vouch for makes the margin
 * unknown rather than a guess.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/strbuf.h"
#include "mpath.h"

static bool is(const char *s, const char *w)
{
	return strcmp(s, w) == 0;
}

/*
 * multipathd's verdict (libmultipath/checkers.h path states; dm_st is the
 * kernel's A/F as multipathd last saw it): ready is usable, ghost a standby
 * path (an ALUA passive port, usable on failover); faulty, shaky, down, a
 * "failed" dm state are not; anything else (undef, pending, i/o pending,
 * delayed, i/o timeout) leaves the kernel's dm_st to decide.
 */
enum redmon_role mpath_checker_role(const struct mpath_md_path *p, char *why, size_t len)
{
	const char *c = p->chk_st, *d = p->dm_st;

	if (is(d, "failed") || is(c, "faulty") || is(c, "shaky") || is(c, "down") ||
	    is(c, "i/o timeout") || is(c, "timeout")) {
		snprintf(why, len, "path checker: %s, dm: %s", c[0] ? c : "?", d[0] ? d : "?");
		return REDMON_ROLE_FAILED;
	}
	if (is(c, "ghost"))
		return REDMON_ROLE_STANDBY;
	if (is(c, "ready") || is(d, "active"))
		return REDMON_ROLE_ACTIVE;
	snprintf(why, len, "path checker state '%s' with dm state '%s' not understood", c, d);
	return REDMON_ROLE_UNKNOWN;
}

enum redmon_role mpath_dm_role(const struct mpath_dm_path *p, char *why, size_t len)
{
	if (p->active)
		return REDMON_ROLE_ACTIVE;
	snprintf(why, len, "failed in the multipath target (%llu failures)", p->fails);
	return REDMON_ROLE_FAILED;
}

/* drivers/scsi/scsi_sysfs.c sdev_states: only running carries I/O. */
enum redmon_role mpath_scsi_role(const char *state, char *why, size_t len)
{
	if (is(state, "running"))
		return REDMON_ROLE_ACTIVE;
	if (is(state, "offline") || is(state, "transport-offline") || is(state, "blocked") ||
	    is(state, "deleted") || is(state, "cancel") || is(state, "quiesce")) {
		snprintf(why, len, "SCSI device %s (fallback: no path checker verdict)", state);
		return REDMON_ROLE_FAILED;
	}
	snprintf(why, len, "SCSI device state '%s' not understood", state);
	return REDMON_ROLE_UNKNOWN;
}

static const char *src_word(enum mpath_src s)
{
	switch (s) {
	case MPATH_SRC_CHECKER:
		return "multipathd";
	case MPATH_SRC_DM:
		return "multipath target status";
	case MPATH_SRC_SCSI:
		return "sysfs";
	default:
		return "nothing";
	}
}

void mpath_map_eval(const char *name, const struct mpath_path *paths, size_t n,
		    struct redmon_group *g, struct redmon_member *mem, char *reason, size_t len)
{
	int usable = 0, failed = 0, unknown = 0;
	size_t off = 0;

	reason[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct mpath_path *p = &paths[i];

		usable += p->role == REDMON_ROLE_ACTIVE || p->role == REDMON_ROLE_STANDBY;
		failed += p->role == REDMON_ROLE_FAILED;
		unknown += p->role == REDMON_ROLE_UNKNOWN;
		mem[i] = (struct redmon_member){ .name = p->dev,
						 .role = p->role,
						 .state = p->state[0] ? p->state : NULL,
						 .reason = p->why[0] ? p->why : NULL };
		if (p->why[0] && off < len)
			off += (size_t)snprintf(reason + off, len - off, "%s%s: %s (%s)",
						off ? "; " : "", p->dev, p->why, src_word(p->src));
	}
	if (n == 0)
		snprintf(reason, len, "no path in slaves/");
	*g = (struct redmon_group){ .name = name,
				    .kind = "multipath",
				    .type = "multipath",
				    .members_total = (int)n,
				    .members_ok = usable,
				    .members_failed = failed,
				    .margin = unknown ? REDMON_MARGIN_UNKNOWN : usable - 1,
				    .margin_nominal = n ? (int)n - 1 : 0,
				    .progress = -1,
				    .reason = reason[0] ? reason : NULL,
				    .members = mem,
				    .n_members = n };
}

/* Paths checked for a shared HBA, at most. */
#define SPOF_PATHS_MAX 64

void mpath_map_spof(int root_fd, const struct mpath_path *paths, size_t n, struct spof_reasons *out)
{
	const char *names[SPOF_PATHS_MAX];
	char show[MPATH_NAME];

	spof_reasons_clear(out);
	if (n == 1) {
		strv_copy_printable(strv_c(paths[0].dev), show, sizeof(show));
		spof_add(out, "one path only, %s", show);
		return;
	}
	if (n > SPOF_PATHS_MAX)
		n = SPOF_PATHS_MAX;
	for (size_t i = 0; i < n; i++)
		names[i] = paths[i].dev;
	spof_check_disks(root_fd, names, n, out);
}
