// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The texts of `btrfs scrub status` and `btrfs replace status -1`
 * (btrfs_task.h).  Both print human summaries whose layout has changed over
 * btrfs-progs releases; the lines read here are those of 5.x and 6.x
 * ("Status:", "Bytes scrubbed: N  (P%)", "Error summary:") and the older
 * "scrub status for UUID" block, whose "running for" is all it says.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "btrfs_task.h"

/* "84.65%" (the percent sign and blanks around optional) into 0..100. */
static int parse_percent(struct strv s, double *ret)
{
	unsigned long long whole, frac = 0, scale = 1;
	struct strv w = strv_trim(s), f = { 0 };
	const char *dot;

	if (w.n && w.p[w.n - 1] == '%')
		w.n--;
	dot = memchr(w.p, '.', w.n);
	if (dot) {
		f = strv_make(dot + 1, w.n - (size_t)(dot - w.p) - 1);
		w.n = (size_t)(dot - w.p);
		if (f.n == 0 || f.n > 6 || strv_to_u64(f, &frac) < 0)
			return -EINVAL;
		for (size_t i = 0; i < f.n; i++)
			scale *= 10;
	}
	if (strv_to_u64(w, &whole) < 0 || whole > 100)
		return -EINVAL;
	*ret = (double)whole + (double)frac / (double)scale;
	return *ret > 100.0 ? -EINVAL : 0;
}

/* Split "Key:   value" at the first colon; false when there is none. */
static bool key_value(struct strv line, struct strv *key, struct strv *value)
{
	const char *c = memchr(line.p, ':', line.n);

	if (!c)
		return false;
	*key = strv_trim(strv_make(line.p, (size_t)(c - line.p)));
	*value = strv_trim(strv_make(c + 1, line.n - (size_t)(c - line.p) - 1));
	return true;
}

/* "2729836544  (84.65%)": the percent in parentheses, if any. */
static void scrubbed_percent(struct strv v, struct btrfs_task *t)
{
	const char *open = memchr(v.p, '(', v.n);
	const char *close = open ? memchr(open, ')', v.n - (size_t)(open - v.p)) : NULL;
	double pct;

	if (close && parse_percent(strv_make(open + 1, (size_t)(close - open - 1)), &pct) == 0)
		t->progress = pct;
}

/*
 * A date as btrfs-progs prints it, strftime("%c") in the C locale and the
 * local time zone ("Sun Dec  6 06:05:31 2026"): Unix s, or -EINVAL.
 */
static int parse_date(struct strv s, int64_t *ret)
{
	struct tm tm = { .tm_isdst = -1 };
	char text[64];
	const char *end;
	time_t t;

	if (s.n >= sizeof(text))
		return -EINVAL;
	memcpy(text, s.p, s.n);
	text[s.n] = '\0';
	end = strptime(text, "%a %b %e %H:%M:%S %Y", &tm);
	if (!end || *end)
		return -EINVAL;
	t = mktime(&tm);
	if (t <= 0)
		return -EINVAL;
	*ret = (int64_t)t;
	return 0;
}

/* "0:00:10", "12:34:56" (hours unbounded): seconds, or -EINVAL. */
static int parse_duration(struct strv s, int64_t *ret)
{
	struct strv rest = strv_trim(s), h, m, sec;
	unsigned long long vh, vm, vs;

	if (!strv_next_item(&rest, ":", &h) || !strv_next_item(&rest, ":", &m) ||
	    !strv_next_item(&rest, ":", &sec) || rest.n || strv_to_u64(h, &vh) < 0 ||
	    strv_to_u64(m, &vm) < 0 || strv_to_u64(sec, &vs) < 0 || vm > 59 || vs > 59 ||
	    vh > 1000000)
		return -EINVAL;
	*ret = (int64_t)(vh * 3600 + vm * 60 + vs);
	return 0;
}

/* The old format's "scrub started at DATE and finished after H:MM:SS". */
static void old_finished(struct strv line, struct btrfs_task *t)
{
	static const char mid[] = " and finished after ";
	struct strv s = strv_make(line.p + 17, line.n - 17);
	int64_t start, took;

	for (size_t i = 0; i + sizeof(mid) - 1 <= s.n; i++) {
		if (memcmp(s.p + i, mid, sizeof(mid) - 1) != 0)
			continue;
		if (parse_date(strv_make(s.p, i), &start) == 0 &&
		    parse_duration(strv_make(s.p + i + sizeof(mid) - 1, s.n - i - sizeof(mid) + 1),
				   &took) == 0)
			t->finished_at = start + took;
		return;
	}
}

/* One line of the old format ("scrub status for UUID", "... running for ..."). */
static int old_format_line(struct strv line, const char *uuid, struct btrfs_task *t)
{
	struct strv rest = line, tok;

	if (strv_starts(line, "scrub status for ")) {
		rest = strv_trim(strv_make(line.p + 17, line.n - 17));
		return strv_eq(rest, uuid) ? 1 : -ENOENT;
	}
	if (!strv_starts(line, "scrub started at "))
		return 0;
	old_finished(line, t);
	while (strv_next_token(&rest, &tok)) {
		if (strv_eq(tok, "running"))
			t->running = true;
	}
	return 1;
}

int btrfs_parse_scrub_status(struct strv text, const char *uuid, struct btrfs_task *ret)
{
	struct btrfs_task t = { .progress = -1 };
	struct strv rest = text, line, key, value;
	bool known = false, status = false, time_left = false, finished = false;
	int64_t started = 0, took = -1;
	int rc;

	while (strv_next_line(&rest, &line)) {
		line = strv_trim(line);
		rc = old_format_line(line, uuid, &t);
		if (rc < 0)
			return rc;
		known |= rc > 0;
		if (rc > 0 || !key_value(line, &key, &value))
			continue;
		if (strv_eq(key, "UUID")) {
			if (!strv_eq(value, uuid))
				return -ENOENT;
			known = true;
		} else if (strv_eq(key, "Status")) {
			t.running = strv_eq(value, "running");
			finished = strv_eq(value, "finished");
			known = status = true;
		} else if (strv_eq(key, "Scrub started")) {
			(void)parse_date(value, &started);
		} else if (strv_eq(key, "Duration")) {
			(void)parse_duration(value, &took);
		} else if (strv_eq(key, "Time left")) {
			time_left = true; /* printed for a running scrub only */
		} else if (strv_eq(key, "Bytes scrubbed")) {
			scrubbed_percent(value, &t);
		} else if (strv_eq(key, "Error summary") && !strv_eq(value, "no errors found")) {
			strv_copy_printable(value, t.errors, sizeof(t.errors));
		}
	}
	if (!known)
		return -EINVAL;
	/* Early in a scrub, before its first stats, progs prints no "Status:". */
	if (!status && time_left)
		t.running = true;
	if (!t.running)
		t.progress = -1;
	/* The end of a finished scrub; "aborted" and "interrupted" ones did not finish. */
	if (finished && started > 0 && took >= 0)
		t.finished_at = started + took;
	*ret = t;
	return 0;
}

int btrfs_parse_replace_status(struct strv text, struct btrfs_task *ret)
{
	struct btrfs_task t = { .progress = -1 };
	struct strv rest = text, line, item;

	if (!strv_next_line(&rest, &line))
		return -EINVAL;
	line = strv_trim(line);
	rest = line;
	/* "12.8% done, 0 write errs, 0 uncorr. read errs": running. */
	if (strv_next_item(&rest, ",", &item) && strv_ends(strv_trim(item), "% done")) {
		item = strv_trim(item);
		if (parse_percent(strv_make(item.p, item.n - 5), &t.progress) < 0)
			return -EINVAL;
		t.running = true;
	} else if (!strv_starts(line, "Started on") && !strv_eq(line, "Never started")) {
		return -EINVAL;
	}
	*ret = t;
	return 0;
}

void btrfs_task_apply(const struct btrfs_task *scrub, const struct btrfs_task *replace,
		      struct redmon_group *g)
{
	if (replace && replace->running) {
		g->activity = REDMON_ACTIVITY_RECOVERY;
		g->progress = replace->progress;
	} else if (scrub && scrub->running && g->activity == REDMON_ACTIVITY_NONE) {
		g->activity = REDMON_ACTIVITY_CHECK;
		g->progress = scrub->progress;
	}
	if (scrub) {
		g->scrub_time = scrub->finished_at;
		g->scrub_found = scrub->errors[0] ? scrub->errors : NULL;
	}
}
