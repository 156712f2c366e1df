// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text sources of a pool: `zpool status [-p]`, `zpool list [-v] -p` and
 * the kstat state file (zfs.h).  zpool-status(8): a "pool:" line opens a
 * pool, "state:" is its state, "scan:" (older releases: "scrub:") and its
 * indented continuation lines say whether a resilver or scrub runs and how
 * far ("37.50% done"), "config:" opens the tree, whose header line (NAME
 * STATE READ WRITE CKSUM) sets the indent of depth 0; each level below is
 * two more columns (print_status_config() in zpool_main.c).  Real output
 * indents with a tab, documentation examples with spaces: only the
 * difference to the header counts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zfs.h"
#include "../lib/strbuf.h"

static void word_copy(struct strv s, char *dst, size_t cap)
{
	strv_copy_printable(s, dst, cap);
}

/* Leading blanks in columns, a tab to the next multiple of 8. */
static size_t indent_of(struct strv line)
{
	size_t col = 0;

	for (size_t i = 0; i < line.n; i++) {
		if (line.p[i] == '\t')
			col = (col / 8 + 1) * 8;
		else if (line.p[i] == ' ')
			col++;
		else
			break;
	}
	return col;
}

static struct strv after(struct strv s, size_t n)
{
	return strv_trim(strv_make(s.p + n, s.n - n));
}

/* The number before "% done" in a scan line, if any. */
static void scan_progress(struct strv line, struct zfs_pool *p)
{
	for (size_t i = 0; i + 6 <= line.n; i++) {
		size_t b = i;
		char num[24];
		double v;
		char *end;

		if (memcmp(line.p + i, "% done", 6) != 0)
			continue;
		while (b > 0 &&
		       ((line.p[b - 1] >= '0' && line.p[b - 1] <= '9') || line.p[b - 1] == '.'))
			b--;
		if (b == i || i - b >= sizeof(num))
			return;
		memcpy(num, line.p + b, i - b);
		num[i - b] = '\0';
		v = strtod(num, &end);
		if (*end == '\0' && v >= 0 && v <= 100)
			p->progress = v;
		return;
	}
}

static bool contains(struct strv s, const char *lit)
{
	size_t n = strlen(lit);

	for (size_t i = 0; i + n <= s.n; i++) {
		if (memcmp(s.p + i, lit, n) == 0)
			return true;
	}
	return false;
}

int zfs_parse_date(const char *text, int64_t *ret)
{
	struct tm tm = { .tm_isdst = -1 };
	const char *end;
	char *num_end;
	unsigned long long v;
	time_t t;

	if (text[0] >= '0' && text[0] <= '9') {
		errno = 0;
		v = strtoull(text, &num_end, 10);
		if (errno || *num_end || v == 0 || v > INT64_MAX)
			return -EINVAL;
		*ret = (int64_t)v;
		return 0;
	}
	/* C locale names: zpool prints them through ctime(3), which never translates */
	end = strptime(text, "%a %b %e %H:%M:%S %Y", &tm);
	while (end && (*end == ' ' || *end == '\n'))
		end++;
	if (!end || *end)
		return -EINVAL;
	t = mktime(&tm);
	if (t <= 0)
		return -EINVAL;
	*ret = (int64_t)t;
	return 0;
}

void zfs_scrub_found(const char *repaired, unsigned long long errors, char *dst, size_t cap)
{
	bool none =
		repaired[0] == '\0' || strcmp(repaired, "0") == 0 || strcmp(repaired, "0B") == 0;

	dst[0] = '\0';
	if (!none || errors)
		snprintf(dst, cap, "repaired %.24s, %llu error%s", none ? "0B" : repaired, errors,
			 errors == 1 ? "" : "s");
}

/*
 * A finished scrub (print_scan_scrub_resilver_status() in zpool_main.c):
 * "scrub repaired 0B in 00:00:01 with 0 errors on Sun Dec  6 00:24:02 2026"
 * ("in 0 days 00:00:01" in 0.8, "repaired 0 in 0h0m" before).  A resilver
 * that finished, or a scrub canceled, is no scrub completed.
 */
static void scan_finished(struct strv text, struct zfs_pool *p)
{
	static const char with[] = " with ", on[] = " errors on ";
	char repaired[32], errors[24], date[64];
	struct strv rest, tok;
	unsigned long long n;
	size_t i, w = 0, o = 0;
	char *end;

	if (!strv_starts(text, "scrub repaired "))
		return;
	rest = after(text, strlen("scrub repaired"));
	if (!strv_next_token(&rest, &tok))
		return;
	strv_copy_printable(tok, repaired, sizeof(repaired));
	for (i = 0; i + sizeof(on) - 1 <= text.n; i++) {
		if (!w && memcmp(text.p + i, with, sizeof(with) - 1) == 0)
			w = i + sizeof(with) - 1;
		else if (w && memcmp(text.p + i, on, sizeof(on) - 1) == 0) {
			o = i;
			break;
		}
	}
	if (!w || !o || o - w >= sizeof(errors))
		return;
	memcpy(errors, text.p + w, o - w);
	errors[o - w] = '\0';
	errno = 0;
	n = strtoull(errors, &end, 10);
	if (errno || *end || end == errors)
		return;
	strv_copy_printable(strv_trim(after(text, o + sizeof(on) - 1)), date, sizeof(date));
	if (zfs_parse_date(date, &p->scrub_end) < 0)
		return;
	zfs_scrub_found(repaired, n, p->scrub_found, sizeof(p->scrub_found));
}

/*
 * The first scan line, after "scan:" (or the older "scrub:"): "resilver in
 * progress since ...", "resilver (draid1:4d:11c:1s-0) in progress since
 * ..." for a sequential rebuild, "scrub in progress since ...".
 */
static void scan_first(struct strv text, struct zfs_pool *p)
{
	if (strv_starts(text, "resilver") && contains(text, "in progress"))
		p->scan = ZFS_SCAN_RESILVER;
	else if (strv_starts(text, "scrub in progress"))
		p->scan = ZFS_SCAN_SCRUB;
	else
		scan_finished(text, p);
	scan_progress(text, p);
}

struct tree {
	size_t base; /* the header's indent */
	bool header; /* the NAME STATE header seen */
	bool rows;   /* a row seen after it */
	enum zfs_class cls;
};

/* One row of the config: "name state read write cksum [note]", or a spare's "name AVAIL". */
static int config_row(struct strv line, struct tree *t, struct zfs_pool *p)
{
	size_t ind = indent_of(line), depth;
	struct strv rest = strv_trim(line), name, state = { 0 }, tok;
	struct zfs_dev *d;

	if (ind < t->base || !strv_next_token(&rest, &name))
		return -EINVAL;
	depth = (ind - t->base) / 2;
	t->rows = true;
	if (depth == 0) {
		char w[16];

		word_copy(name, w, sizeof(w));
		if (zfs_class_word(w, &t->cls))
			return 0;
		t->cls = ZFS_DATA; /* the pool's own row */
		return 0;
	}
	if (depth > 8)
		return -EINVAL;
	d = zfs_dev_add(p);
	if (!d)
		return -E2BIG;
	d->depth = (int)depth;
	d->cls = t->cls;
	word_copy(name, d->name, sizeof(d->name));
	if (strv_next_token(&rest, &state))
		word_copy(state, d->state, sizeof(d->state));
	if (!strv_eq(state, "AVAIL") && !strv_eq(state, "INUSE")) {
		for (int i = 0; i < 3 && strv_next_token(&rest, &tok); i++)
			;
	}
	rest = strv_trim(rest);
	word_copy(rest, d->note, sizeof(d->note));
	d->resilvering = contains(rest, "resilver");
	return 0;
}

static void errors_line(struct strv text, struct zfs_pool *p)
{
	if (strv_eq(text, "No known data errors"))
		return;
	word_copy(text, p->errors, sizeof(p->errors));
}

enum part { P_HEAD, P_SCAN, P_CONFIG, P_AFTER };

struct status_parse {
	struct zfs_result *ret;
	struct zfs_pool *p; /* the pool being read, NULL before the first "pool:" */
	struct tree t;
	enum part part;
	bool any; /* a pool, or zpool's word that there is none */
};

/* The lines of a pool's head: state, scan and its continuation lines.  False: not one. */
static bool head_line(struct status_parse *sp, struct strv line, struct strv s)
{
	if (sp->part == P_CONFIG)
		return false;
	if (strv_starts(s, "state:")) {
		word_copy(after(s, 6), sp->p->state, sizeof(sp->p->state));
	} else if (strv_starts(s, "scan:") || strv_starts(s, "scrub:")) {
		scan_first(after(s, strv_starts(s, "scan:") ? 5 : 6), sp->p);
		sp->part = P_SCAN;
	} else if (sp->part == P_SCAN && indent_of(line) > 0 && !strv_starts(s, "config:")) {
		scan_progress(s, sp->p);
	} else {
		return false;
	}
	return true;
}

/* The config block: its header, its rows, the blank line that ends it. */
static int config_line(struct status_parse *sp, struct strv line, struct strv s)
{
	int rc;

	if (strv_is_blank(s)) {
		sp->part = sp->t.rows ? P_AFTER : P_CONFIG;
	} else if (!sp->t.header) {
		sp->t.header = strv_starts(s, "NAME");
		sp->t.base = indent_of(line);
	} else {
		rc = config_row(line, &sp->t, sp->p);
		if (rc == -E2BIG)
			return rc;
		sp->p->detail = ZFS_SRC_STATUS;
	}
	return 0;
}

static int status_line(struct status_parse *sp, struct strv line)
{
	struct strv s = strv_trim(line);

	if (strv_starts(s, "pool:")) {
		sp->p = zfs_pool_add(sp->ret);
		if (!sp->p)
			return -E2BIG;
		word_copy(after(s, 5), sp->p->name, sizeof(sp->p->name));
		sp->p->detail = ZFS_SRC_LIST; /* the state word only, until a config row */
		sp->part = P_HEAD;
		sp->any = true;
	} else if (!sp->p) {
		sp->any = sp->any || strv_eq(s, "no pools available") ||
			  strv_eq(s, "all pools are healthy");
	} else if (head_line(sp, line, s)) {
		return 0;
	} else if (strv_starts(s, "config:")) {
		sp->part = P_CONFIG;
		sp->t = (struct tree){ 0 };
	} else if (strv_starts(s, "errors:")) {
		errors_line(after(s, 7), sp->p);
		sp->part = P_AFTER;
	} else if (sp->part == P_CONFIG) {
		return config_line(sp, line, s);
	} else if (sp->part != P_SCAN) {
		sp->part = P_HEAD;
	}
	return 0;
}

int zfs_parse_status(const char *buf, size_t len, struct zfs_result *ret, char *err, size_t errlen)
{
	struct status_parse sp = { .ret = ret };
	struct strv rest = strv_make(buf, len), line;
	int rc;

	while (strv_next_line(&rest, &line)) {
		rc = status_line(&sp, line);
		if (rc < 0)
			return rc;
	}
	if (!sp.any) {
		snprintf(err, errlen, "no \"pool:\" line: not zpool status output");
		return -EINVAL;
	}
	return zfs_result_check(ret, err, errlen);
}

/* The column of word in the header line, or -1. */
static int column_of(struct strv header, const char *word)
{
	struct strv tok;
	int i = 0;

	while (strv_next_token(&header, &tok)) {
		if (strv_eq(tok, word))
			return i;
		i++;
	}
	return -1;
}

static struct strv nth_token(struct strv s, int n)
{
	struct strv tok = { 0 };

	for (int i = 0; i <= n; i++) {
		if (!strv_next_token(&s, &tok))
			return (struct strv){ 0 };
	}
	return tok;
}

static struct strv last_token(struct strv s)
{
	struct strv tok = { 0 }, last = { 0 };

	while (strv_next_token(&s, &tok))
		last = tok;
	return last;
}

/*
 * `zpool list [-v] -p`: a header naming the columns, a row per pool at
 * indent 0, and with -v its vdevs two columns deeper per level, the class
 * keywords (logs, cache, spare, special, dedup) at indent 0 with "-" columns.
 * A vdev row has no ALTROOT: its health is its last word.
 */
int zfs_parse_list(const char *buf, size_t len, struct zfs_result *ret, char *err, size_t errlen)
{
	struct strv rest = strv_make(buf, len), line;
	struct zfs_pool *p = NULL;
	enum zfs_class cls = ZFS_DATA;
	int health = -1;

	if (!strv_next_line(&rest, &line) || !strv_starts(strv_trim(line), "NAME") ||
	    (health = column_of(line, "HEALTH")) < 0) {
		snprintf(err, errlen, "no NAME ... HEALTH header: not zpool list output");
		return -EINVAL;
	}
	while (strv_next_line(&rest, &line)) {
		size_t ind = indent_of(line);
		struct strv name = nth_token(line, 0);
		struct zfs_dev *d;
		char w[16];

		if (!name.n)
			continue;
		word_copy(name, w, sizeof(w));
		if (ind == 0 && zfs_class_word(w, &cls))
			continue;
		if (ind == 0) {
			p = zfs_pool_add(ret);
			if (!p)
				return -E2BIG;
			cls = ZFS_DATA;
			p->detail = ZFS_SRC_LIST;
			word_copy(name, p->name, sizeof(p->name));
			word_copy(nth_token(line, health), p->state, sizeof(p->state));
			continue;
		}
		if (!p || ind / 2 > 8)
			continue;
		d = zfs_dev_add(p);
		if (!d)
			return -E2BIG;
		p->detail = ZFS_SRC_LIST_V;
		d->depth = (int)(ind / 2);
		d->cls = cls;
		word_copy(name, d->name, sizeof(d->name));
		word_copy(last_token(line), d->state, sizeof(d->state));
	}
	return zfs_result_check(ret, err, errlen);
}

int zfs_parse_kstat(const char *name, const char *buf, size_t len, struct zfs_result *ret,
		    char *err, size_t errlen)
{
	struct strv s = strv_trim(strv_make(buf, len));
	struct zfs_pool *p;

	if (!s.n || !strv_is_graph(s) || s.n >= ZFS_WORD) {
		snprintf(err, errlen, "kstat state of %.64s: not one word", name);
		return -EINVAL;
	}
	p = zfs_pool_add(ret);
	if (!p)
		return -E2BIG;
	p->detail = ZFS_SRC_KSTAT;
	snprintf(p->name, sizeof(p->name), "%s", name);
	word_copy(s, p->state, sizeof(p->state));
	return 0;
}
