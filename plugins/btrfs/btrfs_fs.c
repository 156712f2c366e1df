// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parsers of btrfs's sysfs attributes and the rules of one filesystem's
 * group (btrfs_fs.h).
 *
 * Margin: a filesystem survives, in the worst case, as many device losses as
 * its weakest block group profile (fs/btrfs/volumes.c btrfs_raid_array[],
 * tolerated_failures: raid1 1, raid1c3 2, raid1c4 3, raid10 1, raid5 1,
 * raid6 2, single, raid0 and dup 0: dup keeps two copies on one device),
 * taken over data, metadata and system, minus the devices missing now.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <redmon/grow.h>

#include "btrfs_fs.h"

const char *const btrfs_type_names[BTRFS_NTYPES] = { "data", "metadata", "system" };
const char *const btrfs_err_names[BTRFS_NERRS] = { "write_errs", "read_errs", "flush_errs",
						   "corruption_errs", "generation_errs" };

/* Append to a reason, after "; " unless it is empty; cut when full. */
__attribute__((format(printf, 3, 4))) static void add_text(char *buf, size_t len, const char *fmt,
							   ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off && off + 3 < len) {
		memcpy(buf + off, "; ", 3);
		off += 2;
	}
	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* The margin of the filesystem and the profile that sets its nominal margin. */
struct btrfs_verdict {
	int nominal;
	int32_t margin;
	int profile;
};

static const struct {
	const char *name;
	int margin;
} profiles[] = {
	{ "single", 0 },  { "dup", 0 },	   { "raid0", 0 }, { "raid1", 1 }, { "raid1c3", 2 },
	{ "raid1c4", 3 }, { "raid10", 1 }, { "raid5", 1 }, { "raid6", 2 },
};
#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

int btrfs_profile(struct strv name, int *ret_margin)
{
	for (size_t i = 0; i < N_PROFILES; i++) {
		if (strv_eq(name, profiles[i].name)) {
			*ret_margin = profiles[i].margin;
			return (int)i;
		}
	}
	return -EINVAL;
}

const char *btrfs_profile_name(int i)
{
	return i >= 0 && (size_t)i < N_PROFILES ? profiles[i].name : "?";
}

bool btrfs_is_uuid(struct strv s)
{
	if (s.n != BTRFS_UUID_LEN)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return false;
	}
	return true;
}

int btrfs_parse_bool(struct strv text, bool *ret)
{
	struct strv t = strv_trim(text);

	if (strv_eq(t, "0") || strv_eq(t, "1")) {
		*ret = strv_eq(t, "1");
		return 0;
	}
	return -EINVAL;
}

/* Which counter a line's first word names, or -1 (a counter of a later kernel). */
static int err_index(struct strv name)
{
	for (int i = 0; i < BTRFS_NERRS; i++) {
		if (strv_eq(name, btrfs_err_names[i]))
			return i;
	}
	return -1;
}

int btrfs_parse_error_stats(struct strv text, unsigned long long ret[BTRFS_NERRS])
{
	unsigned long long v[BTRFS_NERRS];
	unsigned int seen = 0;
	struct strv rest = text, line;

	while (strv_next_line(&rest, &line)) {
		struct strv name, num, extra;
		int i;

		if (strv_is_blank(line))
			continue;
		if (!strv_next_token(&line, &name) || !strv_next_token(&line, &num) ||
		    strv_next_token(&line, &extra))
			return -EINVAL;
		i = err_index(name);
		if (i < 0)
			continue;
		if ((seen & (1u << i)) || strv_to_u64(num, &v[i]) < 0)
			return -EINVAL;
		seen |= 1u << i;
	}
	if (seen != (1u << BTRFS_NERRS) - 1)
		return -EINVAL;
	memcpy(ret, v, sizeof(v));
	return 0;
}

void btrfs_fs_reset(struct btrfs_fs *fs)
{
	struct btrfs_dev *dev = fs->dev;
	size_t cap = fs->cap_dev;

	memset(fs, 0, sizeof(*fs));
	fs->dev = dev;
	fs->cap_dev = cap;
}

void btrfs_fs_free(struct btrfs_fs *fs)
{
	if (!fs)
		return;
	free(fs->dev);
	memset(fs, 0, sizeof(*fs));
}

struct btrfs_dev *btrfs_fs_add_dev(struct btrfs_fs *fs, unsigned long long devid)
{
	struct btrfs_dev *d;

	if (fs->n_dev >= BTRFS_MAX_DEVS ||
	    !grow_one((void **)&fs->dev, &fs->cap_dev, fs->n_dev, sizeof(*fs->dev), 4))
		return NULL;
	d = &fs->dev[fs->n_dev++];
	memset(d, 0, sizeof(*d));
	d->devid = devid;
	return d;
}

/*
 * The margin of one block group type with `missing` devices gone.  Its
 * nominal margin is that of its weakest redundant profile; a type without
 * one (single, dup, raid0 alone) has 0 and loses its data with any device.
 * Non-redundant chunks beside redundant ones (single chunks written while
 * mounted degraded, or a conversion half done) live on devices present (the
 * kernel refuses a writable mount otherwise), so they count 0, never less,
 * and a reason says they are there.
 */
static void type_margin(const struct btrfs_fs *fs, int t, int missing, struct btrfs_verdict *v,
			char *reason, size_t reason_len)
{
	unsigned int set = fs->profiles[t];
	int redundant = -1, weak = -1, margin;

	for (size_t i = 0; i < N_PROFILES; i++) {
		if (!(set & (1u << i)))
			continue;
		if (profiles[i].margin == 0)
			weak = (int)i;
		else if (redundant < 0 || profiles[i].margin < profiles[redundant].margin)
			redundant = (int)i;
	}
	if (redundant >= 0) {
		margin = profiles[redundant].margin - missing;
		if (weak >= 0) {
			margin = margin < 0 ? margin : 0;
			add_text(reason, reason_len,
				 "%s has %s chunks beside %s (written while degraded, or a "
				 "conversion): they survive no device loss",
				 btrfs_type_names[t], profiles[weak].name,
				 profiles[redundant].name);
		}
		if (v->nominal < 0 || profiles[redundant].margin < v->nominal) {
			v->nominal = profiles[redundant].margin;
			v->profile = redundant;
		}
	} else {
		margin = -missing;
		v->nominal = 0;
		v->profile = weak;
	}
	if (v->margin == REDMON_MARGIN_UNKNOWN || margin < v->margin)
		v->margin = margin;
}

/* The margins over data, metadata and system; false when a type names no known profile. */
static bool fs_margin(const struct btrfs_fs *fs, int missing, struct btrfs_verdict *v, char *reason,
		      size_t reason_len)
{
	*v = (struct btrfs_verdict){ .nominal = -1,
				     .margin = REDMON_MARGIN_UNKNOWN,
				     .profile = -1 };
	for (int t = 0; t < BTRFS_NTYPES; t++) {
		if (!fs->profiles[t]) {
			add_text(reason, reason_len,
				 "allocation/%s names no profile this redmon knows",
				 btrfs_type_names[t]);
			v->margin = REDMON_MARGIN_UNKNOWN;
			return false;
		}
	}
	for (int t = 0; t < BTRFS_NTYPES; t++)
		type_margin(fs, t, missing, v, reason, reason_len);
	return true;
}

const struct btrfs_seen *btrfs_seen_find(const struct btrfs_seen *prev, size_t n_prev,
					 const char *uuid, unsigned long long devid)
{
	/* A handful of filesystems of a few devices each: a linear search is enough. */
	for (size_t i = 0; i < n_prev; i++) {
		if (prev[i].devid == devid && strcmp(prev[i].uuid, uuid) == 0)
			return &prev[i];
	}
	return NULL;
}

/* A device's reason: missing, unreadable, counters that rose, or counters not zero. */
static bool dev_reason(const struct btrfs_dev *d, const struct btrfs_seen *was, char *buf,
		       size_t len)
{
	size_t off = 0;
	bool rose = false;

	buf[0] = '\0';
	if (d->missing)
		snprintf(buf, len, "missing");
	else if (d->bad[0])
		snprintf(buf, len, "%s", d->bad);
	if (!d->errs_known || d->missing || d->bad[0])
		return false;
	for (int i = 0; i < BTRFS_NERRS; i++) {
		unsigned long long before = was ? was->errs[i] : d->errs[i];
		int w;

		if (d->errs[i] == 0)
			continue;
		if (d->errs[i] > before) {
			w = snprintf(buf + off, len - off, "%s%s rose from %llu to %llu",
				     off ? ", " : "", btrfs_err_names[i], before, d->errs[i]);
			rose = true;
		} else {
			w = snprintf(buf + off, len - off, "%s%s %llu", off ? ", " : "",
				     btrfs_err_names[i], d->errs[i]);
		}
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return rose;
}

static enum redmon_activity activity(const struct btrfs_fs *fs)
{
	for (size_t i = 0; i < fs->n_dev; i++) {
		if (fs->dev[i].replace_target)
			return REDMON_ACTIVITY_RECOVERY;
	}
	if (strcmp(fs->exclop, "device replace") == 0)
		return REDMON_ACTIVITY_RECOVERY;
	if (strncmp(fs->exclop, "balance", 7) == 0 || strcmp(fs->exclop, "device remove") == 0)
		return REDMON_ACTIVITY_RESHAPE;
	return REDMON_ACTIVITY_NONE;
}

/* Members, counts and reasons of the devices; returns the devices missing, or -1 if one is unreadable. */
static int fill_members(const struct btrfs_fs *fs, const struct btrfs_seen *prev, size_t n_prev,
			struct redmon_group *g, struct redmon_member *m, char *names,
			size_t name_len, char *reason, size_t reason_len, char *mreason,
			size_t mreason_len)
{
	int missing = 0;
	bool unreadable = false;

	g->members_total = g->members_ok = 0;
	for (size_t i = 0; i < fs->n_dev; i++) {
		const struct btrfs_dev *d = &fs->dev[i];
		char *name = names + i * name_len, *why = mreason + i * mreason_len;
		bool rose = dev_reason(d, btrfs_seen_find(prev, n_prev, fs->uuid, d->devid), why,
				       mreason_len);

		snprintf(name, name_len, "devid %llu", d->devid);
		m[i] = (struct redmon_member){ .name = name, .reason = why[0] ? why : NULL };
		if (d->replace_target) {
			m[i].role = REDMON_ROLE_REBUILDING;
			m[i].state = "replace target";
			continue;
		}
		g->members_total++;
		if (d->missing) {
			m[i].role = REDMON_ROLE_MISSING;
			m[i].state = "missing";
			missing++;
			add_text(reason, reason_len, "%s missing", name);
		} else if (d->bad[0]) {
			m[i].role = REDMON_ROLE_UNKNOWN;
			unreadable = true;
			add_text(reason, reason_len, "%s: %s", name, d->bad);
		} else {
			m[i].role = REDMON_ROLE_ACTIVE;
			m[i].state = "present";
			g->members_ok++;
			if (rose)
				add_text(reason, reason_len, "%s: %s", name, why);
		}
	}
	return unreadable ? -1 : missing;
}

void btrfs_fs_group(const struct btrfs_fs *fs, const struct btrfs_seen *prev, size_t n_prev,
		    struct redmon_group *g, struct redmon_member *m, char *names, size_t name_len,
		    char *reason, size_t reason_len, char *mreason, size_t mreason_len)
{
	struct btrfs_verdict v = { .nominal = -1, .profile = -1 };
	int missing;

	reason[0] = '\0';
	*g = (struct redmon_group){ .name = fs->uuid,
				    .kind = "raid",
				    .type = "btrfs",
				    .progress = -1,
				    .members = m,
				    .n_members = fs->n_dev };
	missing = fill_members(fs, prev, n_prev, g, m, names, name_len, reason, reason_len, mreason,
			       mreason_len);
	g->activity = activity(fs);
	if (fs->bad[0]) {
		snprintf(reason, reason_len, "%s", fs->bad);
		g->margin = REDMON_MARGIN_UNKNOWN;
	} else if (!fs_margin(fs, missing < 0 ? 0 : missing, &v, reason, reason_len) ||
		   missing < 0) {
		g->margin = REDMON_MARGIN_UNKNOWN;
	} else {
		g->margin = v.margin;
	}
	if (v.profile >= 0)
		g->type = btrfs_profile_name(v.profile);
	g->margin_nominal = v.nominal < 0 ? 0 : v.nominal;
	g->reason = reason[0] ? reason : NULL;
}
