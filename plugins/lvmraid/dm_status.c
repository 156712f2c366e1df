// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `dmsetup status` into raid and mirror segments (lvmraid.h).
 *
 * Each line is "<name>: <start> <length> <target> <params>", one per target
 * of every device (a device of two segments has two lines, one without a
 * live table only "<name>:"; dmsetup prints "No devices found" when there is
 * none).  The params of a raid target
 * (dm-raid.rst, "Status Output"):
 *
 *   <raid_type> <#devices> <health_chars> <sync_ratio> [<sync_action>
 *   <mismatch_cnt> [<data_offset> [<journal_char>]]]
 *
 * (older kernels stop after the ratio or the mismatch count).  Those of a
 * mirror target (dm-raid1.c mirror_status(), dm-log.c):
 *
 *   <#mirrors> <dev>... <in_sync>/<regions> 1 <health_chars> <#log_args> <log_args>...
 *
 * with log args "core" or "disk <dev> <health>".  Lines of other targets
 * count only as evidence that the output is a status listing.  Header lines
 * starting with '#' (a capture's comment) and blank lines are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvmraid.h"
#include "../lib/strbuf.h"
#include "redmon/grow.h"

void lvr_status_free(struct lvr_status *s)
{
	if (!s)
		return;
	free(s->seg);
	*s = (struct lvr_status){ 0 };
}

bool lvr_is_sub_lv(const char *name)
{
	return strstr(name, "_rimage_") || strstr(name, "_rmeta_") || strstr(name, "_mimage_");
}

/* A word into dst when it fits and is printable, else false. */
static bool take_word(struct strv w, char *dst, size_t cap)
{
	if (w.n == 0 || w.n >= cap || !strv_is_graph(w))
		return false;
	memcpy(dst, w.p, w.n);
	dst[w.n] = '\0';
	return true;
}

/* "<done>/<total>", done no more than total. */
static bool take_ratio(struct strv w, unsigned long long *done, unsigned long long *total)
{
	const char *slash = memchr(w.p, '/', w.n);

	if (!slash)
		return false;
	if (strv_to_u64(strv_make(w.p, (size_t)(slash - w.p)), done) < 0 ||
	    strv_to_u64(strv_make(slash + 1, w.n - (size_t)(slash - w.p) - 1), total) < 0)
		return false;
	return *done <= *total;
}

/* "<major>:<minor>", both decimal. */
static bool take_dev(struct strv w, char *dst)
{
	const char *colon = memchr(w.p, ':', w.n);
	unsigned long long v;

	if (!colon || strv_to_u64(strv_make(w.p, (size_t)(colon - w.p)), &v) < 0 ||
	    strv_to_u64(strv_make(colon + 1, w.n - (size_t)(colon - w.p) - 1), &v) < 0)
		return false;
	return take_word(w, dst, LVR_DEV);
}

/* legs health characters, each one of allowed. */
static bool take_health(struct strv w, unsigned int legs, const char *allowed, char *dst)
{
	if (w.n != legs)
		return false;
	for (size_t i = 0; i < w.n; i++) {
		if (!w.p[i] || !strchr(allowed, w.p[i]))
			return false;
	}
	memcpy(dst, w.p, w.n);
	dst[w.n] = '\0';
	return true;
}

static bool take_count(struct strv w, unsigned int max, unsigned int *ret)
{
	long long v;

	if (strv_to_ll(w, 1, max, &v) < 0)
		return false;
	*ret = (unsigned int)v;
	return true;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(s->bad, sizeof(s->bad), __VA_ARGS__);                                     \
		return;                                                                            \
	} while (0)

/* The params of a raid target; on trouble, s->bad says why. */
static void parse_raid(struct strv rest, struct lvr_seg *s)
{
	struct strv w[4];

	for (size_t i = 0; i < 4; i++) {
		if (!strv_next_token(&rest, &w[i]))
			FAIL("raid status cut short");
	}
	if (!take_word(w[0], s->type, sizeof(s->type)))
		FAIL("raid type not understood");
	if (!take_count(w[1], LVR_MAX_LEGS, &s->legs))
		FAIL("raid device count not understood");
	if (!take_health(w[2], s->legs, "AaD-", s->health))
		FAIL("raid health characters not understood");
	if (!take_ratio(w[3], &s->in_sync, &s->regions))
		FAIL("raid sync ratio not understood");
	if (!strv_next_token(&rest, &w[0]))
		return; /* a kernel before dm-raid 1.5.0: no sync action */
	if (!take_word(w[0], s->action, sizeof(s->action)))
		FAIL("raid sync action not understood");
	if (!strv_next_token(&rest, &w[0]))
		return;
	if (strv_to_u64(w[0], &s->mismatch) < 0)
		FAIL("raid mismatch count not understood");
	s->has_mismatch = true;
	if (!strv_next_token(&rest, &w[0]))
		return; /* data_offset (1.9.0) is of no interest here */
	if (!strv_next_token(&rest, &w[0]))
		return;
	if (w[0].n != 1 || !strchr("AaD-", w[0].p[0]) || !w[0].p[0])
		FAIL("raid journal character not understood");
	s->journal = w[0].p[0] == '-' ? 0 : w[0].p[0];
}

/* The log part of a mirror's status: "<#args> <type> [<dev> <health>]". */
static void parse_mirror_log(struct strv rest, struct lvr_seg *s)
{
	struct strv w;
	unsigned int n = 0;

	if (!strv_next_token(&rest, &w) || !take_count(w, 16, &n))
		FAIL("mirror log status not understood");
	if (!strv_next_token(&rest, &w) || !take_word(w, s->log, sizeof(s->log)))
		FAIL("mirror log type not understood");
	if (strcmp(s->log, "disk") != 0)
		return; /* core: nothing more; userspace (cluster) logs: not read */
	if (n < 3 || !strv_next_token(&rest, &w) || !take_dev(w, s->log_dev))
		FAIL("mirror disk log device not understood");
	if (!strv_next_token(&rest, &w) || w.n != 1 || !w.p[0] || !strchr("ADF", w.p[0]))
		FAIL("mirror disk log health not understood");
	s->log_health = w.p[0];
}

/* The params of a mirror target; on trouble, s->bad says why. */
static void parse_mirror(struct strv rest, struct lvr_seg *s)
{
	struct strv w;

	snprintf(s->type, sizeof(s->type), "mirror");
	if (!strv_next_token(&rest, &w) || !take_count(w, LVR_MAX_MIRROR, &s->legs))
		FAIL("mirror leg count not understood");
	for (unsigned int i = 0; i < s->legs; i++) {
		if (!strv_next_token(&rest, &w) || !take_dev(w, s->dev[i]))
			FAIL("mirror leg %u device not understood", i);
	}
	if (!strv_next_token(&rest, &w) || !take_ratio(w, &s->in_sync, &s->regions))
		FAIL("mirror sync ratio not understood");
	if (!strv_next_token(&rest, &w) || !strv_eq(w, "1"))
		FAIL("mirror status argument count not understood");
	if (!strv_next_token(&rest, &w) || !take_health(w, s->legs, "ADSRFU", s->health))
		FAIL("mirror health characters not understood");
	parse_mirror_log(rest, s);
}

#undef FAIL

/*
 * Whether a device name is printable ASCII (spaces allowed: device-mapper
 * allows any byte but '/', LVM only [a-zA-Z0-9+_.-]).  Another one's group
 * is unknown, under its name with '?' for each such byte.
 */
static bool printable(struct strv s)
{
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < 0x20 || s.p[i] > 0x7e)
			return false;
	}
	return true;
}

/* One line: 0 (a segment added to st when it is raid or mirror), or -errno with why. */
static int parse_line(struct strv line, unsigned int no, struct lvr_status *st, char *err,
		      size_t errlen)
{
	const char *sep = NULL;
	struct strv name, start, length, target;
	struct lvr_seg *s;

	for (size_t i = 0; i + 1 < line.n && !sep; i++)
		sep = line.p[i] == ':' && line.p[i + 1] == ' ' ? line.p + i : NULL;
	if (!sep && line.n > 1 && line.p[line.n - 1] == ':' && strv_is_graph(line)) {
		st->targets++; /* a device without a live table: "name:" and nothing more */
		return 0;
	}
	name = sep ? strv_make(line.p, (size_t)(sep - line.p)) : strv_make(NULL, 0);
	line = sep ? strv_make(sep + 2, line.n - name.n - 2) : line;
	if (!sep || name.n == 0 || name.n >= LVR_NAME) {
		snprintf(err, errlen, "line %u: no device name", no);
		return -EINVAL;
	}
	if (!strv_next_token(&line, &start) || !strv_next_token(&line, &length) ||
	    !strv_next_token(&line, &target) ||
	    strv_to_u64(start, &(unsigned long long){ 0 }) < 0 ||
	    strv_to_u64(length, &(unsigned long long){ 0 }) < 0) {
		snprintf(err, errlen, "line %u: no target", no);
		return -EINVAL;
	}
	st->targets++;
	if (!strv_eq(target, "raid") && !strv_eq(target, "mirror"))
		return 0;
	if (st->n >= LVR_MAX_SEGS) {
		st->cut = true;
		return 0;
	}
	if (!grow_one((void **)&st->seg, &st->cap, st->n, sizeof(*st->seg), 16))
		return -ENOMEM;
	s = &st->seg[st->n++];
	*s = (struct lvr_seg){ .line = no };
	strv_copy_printable(name, s->name, sizeof(s->name));
	s->kind = strv_eq(target, "raid") ? LVR_RAID : LVR_MIRROR;
	if (!printable(name))
		snprintf(s->bad, sizeof(s->bad), "device name not printable ASCII");
	else if (s->kind == LVR_RAID)
		parse_raid(line, s);
	else
		parse_mirror(line, s);
	return 0;
}

int lvr_parse(const char *buf, size_t len, struct lvr_status *ret, char *err, size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	struct lvr_status st = { 0 };
	bool none = false;
	unsigned int no = 0;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &line)) {
		no++;
		line = strv_trim(line);
		if (line.n == 0 || line.p[0] == '#')
			continue;
		if (strv_eq(line, "No devices found")) {
			none = true;
			continue;
		}
		rc = parse_line(line, no, &st, err, errlen);
	}
	if (rc == 0 && st.targets == 0 && !none) {
		snprintf(err, errlen,
			 "no device-mapper target listed (and no \"No devices found\")");
		rc = -EINVAL;
	}
	if (rc < 0) {
		lvr_status_free(&st);
		return rc;
	}
	*ret = st;
	return 0;
}
