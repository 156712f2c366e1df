/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/mdstat parser: see mdstat.h.
 *
 * What drivers/md/md.c md_seq_show() prints for one array:
 *
 *   md0 : active (auto-read-only) raid1 sdb1[1](W) sda1[0]
 *         <N> blocks super 1.2 <personality status> [2/2] [UU]
 *         [==>....]  recovery = 12.6% (37043392/292945152) finish=... speed=...
 *         bitmap: 0/2 pages [0KB], 65536KB chunk
 *   <blank line>
 *
 * An inactive array has no personality and no [n/m] status; a device is
 * printed as name[desc_nr] then (W) write-mostly, (J) journal, (F) faulty and
 * nothing more, or (S) when it holds no slot and (R) for a replacement.
 */
#include "mdstat.h"

#include <errno.h>
#include <string.h>

struct parser {
	struct md_set *set;
	struct md_array *cur; /* array whose lines are being read, or NULL */
	bool cur_status;      /* its "<N> blocks" line was seen */
	bool cur_skip;	      /* duplicate name: ignore its lines */
};

/* Activity words of status_resync() and the REMOTE form of md-cluster. */
static const struct {
	const char *word;
	enum redmon_activity act;
} activity_words[] = {
	{ "recovery", REDMON_ACTIVITY_RECOVERY }, { "recover", REDMON_ACTIVITY_RECOVERY },
	{ "resync", REDMON_ACTIVITY_RESYNC },	  { "reshape", REDMON_ACTIVITY_RESHAPE },
	{ "check", REDMON_ACTIVITY_CHECK },	  { "repair", REDMON_ACTIVITY_REPAIR },
};

int md_mdstat_parse_dev(struct strv tok, struct md_dev *ret)
{
	size_t i = 0, name_end, num_start;
	struct md_dev d;
	long long nr;

	while (i < tok.n && tok.p[i] != '[')
		i++;
	name_end = i;
	if (name_end == 0 || i == tok.n)
		return -EINVAL;
	if (name_end >= MD_DEV_NAME_MAX)
		return -ENAMETOOLONG;
	/* %pg prints the block device name: printable, no brackets or parentheses. */
	if (!strv_is_graph(strv_make(tok.p, name_end)) || memchr(tok.p, '(', name_end) ||
	    memchr(tok.p, ')', name_end) || memchr(tok.p, ']', name_end))
		return -EINVAL;
	num_start = ++i;
	while (i < tok.n && tok.p[i] != ']')
		i++;
	if (i == tok.n ||
	    strv_to_ll(strv_make(tok.p + num_start, i - num_start), 0, 1000000, &nr) < 0)
		return -EINVAL;
	i++;

	d = (struct md_dev){ .desc_nr = (int)nr, .slot = -1 };
	memcpy(d.name, tok.p, name_end);
	/* Flags: any sequence of "(X)"; unknown letters are kept out of the counts. */
	for (; i < tok.n; i += 3) {
		if (tok.n - i < 3 || tok.p[i] != '(' || tok.p[i + 2] != ')' ||
		    !strv_is_graph(strv_make(&tok.p[i + 1], 1)))
			return -EINVAL;
		for (size_t f = 0; f < MD_DEV_FLAG_NAMES; f++)
			if (md_dev_flag_names[f].letter == tok.p[i + 1])
				d.flags |= md_dev_flag_names[f].flag;
	}
	*ret = d;
	return 0;
}

/* "md0 : active raid1 sda1[0] ..." */
static int parse_header(struct md_array *a, struct strv rest)
{
	struct strv tok;
	struct md_dev *d;
	int r;

	if (!strv_next_token(&rest, &tok)) {
		md_array_set_error(a, "mdstat line has no array status");
		return 0;
	}
	if (strv_eq(tok, "active")) {
		a->run = MD_RUN_ACTIVE;
	} else if (strv_eq(tok, "inactive")) {
		a->run = MD_RUN_INACTIVE;
	} else {
		char txt[32];

		strv_copy_printable(tok, txt, sizeof(txt));
		md_array_set_error(a, "mdstat shows unknown array status \"%s\"", txt);
		return 0;
	}

	if (!strv_next_token(&rest, &tok))
		goto out;
	while (tok.n >= 2 && tok.p[0] == '(' && tok.p[tok.n - 1] == ')') {
		if (strv_eq(tok, "(read-only)") || strv_eq(tok, "(auto-read-only)"))
			a->read_only = true;
		if (!strv_next_token(&rest, &tok))
			goto out;
	}
	/* The personality; a real kernel prints none for an inactive array. */
	if (!memchr(tok.p, '[', tok.n) && !strv_eq(tok, "super")) {
		a->level = md_level_parse(tok);
		r = md_array_set_level_text(a, tok);
		if (r < 0)
			return r;
		if (!strv_next_token(&rest, &tok))
			goto out;
	}
	do {
		if (strv_eq(tok, "super")) {
			/* No devices: "super" follows on the same line (md_seq_show). */
			if (strv_next_token(&rest, &tok))
				a->ext_container |= md_metadata_is_container(tok);
			continue;
		}
		r = md_array_add_dev(a, &d);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			md_array_set_error(a, "mdstat lists too many devices");
			return 0;
		}
		r = md_mdstat_parse_dev(tok, d);
		if (r < 0) {
			char txt[40];

			a->n_devs--;
			strv_copy_printable(tok, txt, sizeof(txt));
			if (r == -ENAMETOOLONG)
				md_array_set_error(a,
						   "mdstat device name \"%s...\" longer than "
						   "the kernel's %d bytes",
						   txt, MD_DEV_NAME_MAX - 1);
			else
				md_array_set_error(a, "mdstat device entry \"%s\" not understood",
						   txt);
			return 0;
		}
	} while (strv_next_token(&rest, &tok));
out:
	if (a->run == MD_RUN_ACTIVE && a->level == MD_LEVEL_NONE)
		md_array_set_error(a, "mdstat shows an active array without a personality");
	return 0;
}

/* "[4/3]" -> n; m (n - degraded) is checked, but the U count of [UU_] is what the rules use. */
static bool parse_nm(struct strv tok, long long *n)
{
	const char *slash = memchr(tok.p, '/', tok.n);
	long long m;

	if (tok.n < 5 || tok.p[0] != '[' || tok.p[tok.n - 1] != ']' || !slash)
		return false;
	return strv_to_ll(strv_make(tok.p + 1, (size_t)(slash - tok.p - 1)), 0, MD_MAX_SLOTS, n) ==
		       0 &&
	       strv_to_ll(strv_make(slash + 1, (size_t)(tok.p + tok.n - 1 - slash - 1)), 0,
			  MD_MAX_SLOTS, &m) == 0;
}

/* "[UU_]" */
static bool is_slot_string(struct strv tok)
{
	if (tok.n < 3 || tok.p[0] != '[' || tok.p[tok.n - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < tok.n; i++)
		if (tok.p[i] != 'U' && tok.p[i] != '_')
			return false;
	return true;
}

/*
 * "<N> blocks super 1.2 level 5, 64k chunk, algorithm 2 [4/3] [UUU_]"; raid10
 * adds "2 near-copies" / "2 far-copies" / "2 offset-copies" (raid10_status).
 */
static int parse_status(struct md_array *a, struct strv rest)
{
	struct strv tok, prev = { NULL, 0 };
	long long n = -1, copies;
	struct strv slots = { NULL, 0 };
	int r;

	while (strv_next_token(&rest, &tok)) {
		if (strv_eq(tok, "super")) {
			if (strv_next_token(&rest, &tok))
				a->ext_container |= md_metadata_is_container(tok);
		} else if (parse_nm(tok, &n)) {
			/* n stored */
		} else if (is_slot_string(tok)) {
			slots = strv_make(tok.p + 1, tok.n - 2);
		} else if (strv_eq(tok, "near-copies") || strv_eq(tok, "far-copies") ||
			   strv_eq(tok, "offset-copies")) {
			if (strv_to_ll(prev, 1, 255, &copies) < 0) {
				md_array_set_error(a, "mdstat raid10 copies not understood");
				return 0;
			}
			if (!a->r10_known) {
				a->r10_known = true;
				a->r10_near = 1;
				a->r10_far = 1;
			}
			if (tok.p[0] == 'n') {
				a->r10_near = (int)copies;
			} else {
				a->r10_far = (int)copies;
				a->r10_offset = tok.p[0] == 'o';
			}
		}
		prev = tok;
	}
	if (n < 0 && slots.n == 0)
		return 0; /* raid0, linear, faulty: no slot status */
	if (n < 0 || slots.n == 0) {
		md_array_set_error(a, "mdstat status line has [n/m] without [U_] or the reverse");
		return 0;
	}
	if ((size_t)n != slots.n) {
		md_array_set_error(a, "mdstat status says %lld slots but shows %zu", n, slots.n);
		return 0;
	}
	r = md_array_set_slots(a, slots.p, slots.n);
	if (r < 0)
		return r;
	a->raid_disks = (int)n;
	return 0;
}

/* "8.5%" / "100.0%" -> percent; false when not of that form. */
static bool parse_percent(struct strv s, double *ret)
{
	const char *dot;
	long long ip, fp = 0;

	if (s.n < 2 || s.p[s.n - 1] != '%')
		return false;
	s.n--;
	dot = memchr(s.p, '.', s.n);
	if (dot) {
		if ((size_t)(dot - s.p) + 2 != s.n ||
		    strv_to_ll(strv_make(dot + 1, 1), 0, 9, &fp) < 0)
			return false;
		s.n = (size_t)(dot - s.p);
	}
	if (strv_to_ll(s, 0, 100, &ip) < 0 || (ip == 100 && fp > 0))
		return false;
	*ret = (double)ip + (double)fp / 10.0;
	return true;
}

/*
 * A status_resync() line: "[==>...]  recovery = 12.6% (a/b) finish=..",
 * "resync=DELAYED", "resync=PENDING", or md-cluster's "resync=REMOTE".
 */
static void parse_activity(struct md_array *a, struct strv line)
{
	struct strv rest = line, tok;

	while (strv_next_token(&rest, &tok)) {
		for (size_t i = 0; i < sizeof(activity_words) / sizeof(activity_words[0]); i++) {
			size_t wn = strlen(activity_words[i].word);
			struct strv after;

			if (!strv_starts(tok, activity_words[i].word))
				continue;
			if (tok.n == wn) {
				/* "recovery =  0.2%": '=' and number may be split or joined */
				after = strv_ltrim(rest);
				if (after.n == 0 || after.p[0] != '=')
					continue;
				after = strv_ltrim(strv_make(after.p + 1, after.n - 1));
				strv_next_token(&after, &tok);
				a->activity = activity_words[i].act;
				if (!parse_percent(tok, &a->progress))
					a->progress = -1;
				return;
			}
			if (tok.p[wn] != '=')
				continue;
			after = strv_make(tok.p + wn + 1, tok.n - wn - 1);
			if (strv_eq(after, "DELAYED"))
				a->activity = REDMON_ACTIVITY_DELAYED;
			else if (strv_eq(after, "PENDING"))
				a->activity = REDMON_ACTIVITY_PENDING;
			else
				a->activity =
					activity_words[i].act; /* REMOTE: another node works */
			a->progress = -1;
			return;
		}
	}
}

static int parse_continuation(struct parser *ps, struct strv line)
{
	struct md_array *a = ps->cur;
	struct strv rest = line, t1, t2;
	unsigned long long blocks;

	if (strv_next_token(&rest, &t1) && strv_next_token(&rest, &t2) && strv_eq(t2, "blocks") &&
	    strv_to_u64(t1, &blocks) == 0) {
		if (ps->cur_status) {
			md_array_set_error(a, "mdstat shows two status lines");
			return 0;
		}
		ps->cur_status = true;
		return parse_status(a, rest);
	}
	if (!strv_starts(strv_ltrim(line), "bitmap:"))
		parse_activity(a, line);
	return 0;
}

/* Checks that need the whole block of an array, which ends at offset end. */
static void finish_array(struct parser *ps, size_t end)
{
	struct md_array *a = ps->cur;
	bool all_spare = true;

	ps->cur = NULL;
	if (a && !ps->cur_skip)
		a->text_len = end - a->text_off;
	if (!a || ps->cur_skip || md_array_failed(a))
		return;
	if (a->run == MD_RUN_INACTIVE) {
		/* md_seq_show prints no resync status for an array that does not run. */
		a->activity = REDMON_ACTIVITY_NONE;
		a->progress = -1;
		for (size_t i = 0; i < a->n_devs; i++)
			if (!(a->devs[i].flags & MD_DEV_SPARE))
				all_spare = false;
		/* IMSM/DDF container: never runs, every disk outside any slot. */
		if (a->ext_container && a->level == MD_LEVEL_NONE && all_spare)
			a->container = true;
		return;
	}
	if (!ps->cur_status)
		md_array_set_error(a, "mdstat shows no status line for the array (cut short?)");
	else if (md_level_has_slots(a->level) && a->n_slots == 0)
		md_array_set_error(a, "mdstat shows no [n/m] [U_] slot status");
}

static bool is_header(struct strv line, struct strv *ret_name, struct strv *ret_rest)
{
	struct strv rest = line, name, colon;

	if (!strv_next_token(&rest, &name) || !md_name_valid(name) ||
	    !strv_next_token(&rest, &colon) || !strv_eq(colon, ":"))
		return false;
	*ret_name = name;
	*ret_rest = rest;
	return true;
}

static int start_array(struct parser *ps, struct strv name, struct strv rest, size_t off)
{
	struct md_array *a;
	char key[MD_NAME_MAX];
	int r;

	memcpy(key, name.p, name.n);
	key[name.n] = '\0';
	a = md_set_find(ps->set, key);
	if (a) {
		/* Two blocks for one name: trust neither. */
		md_array_set_error(a, "mdstat lists the array twice");
		ps->set->blocks_known = false;
		ps->cur = a;
		ps->cur_skip = true;
		return 0;
	}
	r = md_set_add(ps->set, name, &a);
	if (r == -E2BIG)
		return 0; /* beyond MD_MAX_ARRAYS: ignore the rest */
	if (r < 0)
		return r;
	a->source = MD_SRC_MDSTAT;
	a->text_off = off;
	ps->cur = a;
	ps->cur_status = false;
	ps->cur_skip = false;
	return parse_header(a, rest);
}

int md_mdstat_parse(const char *buf, size_t len, bool truncated, struct md_set *set)
{
	struct parser ps = { .set = set };
	struct strv rest = strv_make(buf, len), line, name, hrest;
	int r = 0;

	md_set_reset(set);
	set->blocks_known = !truncated;
	while (r == 0 && strv_next_line(&rest, &line)) {
		struct strv t = strv_trim(line);
		size_t off = (size_t)(line.p - buf);

		if (t.n == 0) {
			finish_array(&ps, off);
		} else if (is_header(t, &name, &hrest)) {
			finish_array(&ps, off);
			r = start_array(&ps, name, hrest, off);
		} else if (strv_starts(t, "unused devices:") || strv_starts(t, "Personalities") ||
			   t.p[0] == '#') {
			finish_array(&ps, off);
		} else if (ps.cur && !ps.cur_skip) {
			r = parse_continuation(&ps, t);
		}
	}
	if (r < 0)
		return r;
	/*
	 * Cut by the read limit inside an array's block: that array is not
	 * known in full.  Arrays beyond the cut are simply not seen here.
	 */
	if (truncated && ps.cur && !ps.cur_skip) {
		md_array_clear_error(ps.cur); /* the cut explains whatever else looked wrong */
		md_array_set_error(ps.cur, "mdstat larger than %u MiB: cut while reading the array",
				   MD_MDSTAT_MAX >> 20);
	}
	finish_array(&ps, len);
	return 0;
}

/*
 * The block parsed alone gives what the whole text gives for it: a block
 * starts at its header line and ends where a line ends it (a blank line, the
 * next header, "unused devices", the end), and nothing before or after it
 * changes how its lines are read.  So the change must lie inside one block,
 * that block must still start with its header and end on a line boundary
 * before the same (unchanged) line, and parsed alone it must give exactly
 * that one array.
 */
int md_mdstat_update(const char *old, size_t old_len, const char *new, size_t new_len,
		     struct md_set *set, struct md_set *tmp, const struct md_array **ret_changed)
{
	size_t min = old_len < new_len ? old_len : new_len, pre = 0, suf = 0;
	size_t lo, old_end, blk_end, new_blk_end, off;
	struct md_array *a;
	int r;

	if (!set->blocks_known)
		return -EAGAIN;
	while (pre < min && old[pre] == new[pre])
		pre++;
	if (pre == old_len && pre == new_len) {
		*ret_changed = NULL; /* the same text */
		return 0;
	}
	while (suf < min - pre && old[old_len - 1 - suf] == new[new_len - 1 - suf])
		suf++;
	old_end = old_len - suf; /* old[pre, old_end) became new[pre, new_len - suf) */

	/* After the last block starting at or before pre (blocks are in text order). */
	lo = 0;
	while (lo < set->n && set->v[lo].text_off <= pre)
		lo++; /* cheaper than the comparison of the texts above */
	if (lo == 0)
		return -EAGAIN; /* before the first array: "Personalities" */
	a = &set->v[lo - 1];
	blk_end = a->text_off + a->text_len;
	if (pre > blk_end || old_end > blk_end)
		return -EAGAIN;
	new_blk_end = blk_end - old_len + new_len;
	if (new_blk_end < new_len && new_blk_end > 0 && new[new_blk_end - 1] != '\n')
		return -EAGAIN; /* the line that ended the block now continues it */

	r = md_mdstat_parse(new + a->text_off, new_blk_end - a->text_off, false, tmp);
	if (r < 0)
		return r;
	if (tmp->n != 1 || !tmp->blocks_known || tmp->v[0].text_off != 0 ||
	    strcmp(tmp->v[0].name, a->name) != 0)
		return -EAGAIN;
	off = a->text_off;
	r = md_array_copy(a, &tmp->v[0]);
	if (r < 0)
		return r;
	a->text_off = off;
	for (size_t i = lo; i < set->n; i++)
		set->v[i].text_off = set->v[i].text_off - old_len + new_len;
	*ret_changed = a;
	return 0;
}
