// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * storcli's plain text ("/call show all" without J), as older installs and
 * scripts capture it: per controller a header ("Controller = N", "Status =
 * Success", "Description = ..."), "key = value" lines ("Controller Status =
 * Optimal") and titled tables:
 *
 *   VD LIST :
 *   =======
 *
 *   ----------------------------------------------------------
 *   DG/VD TYPE   State Access Consist Cache sCC     Size Name
 *   ----------------------------------------------------------
 *   0/0   RAID10 Dgrd  RW     Yes     RWBD  -   100.0 GB VD_0
 *   ----------------------------------------------------------
 *
 * Columns are blank-separated with the JSON form's names.  A size is two
 * words ("100.0 GB") and a drive model or VD name may hold blanks or be
 * empty, so a row is split into words, a number and its unit are joined, and
 * words beyond the header's count go to the free column (Model, Name).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "megaraid.h"
#include "../lib/strbuf.h"

#define MAX_WORDS 64

enum table { T_NONE, T_VD, T_PD, T_TOPO, T_BBU, T_CV };

struct text {
	struct mr_set *s;
	int ctl;
	bool seen_header; /* a "Controller = N" line */
	char status[MR_VAL];
	enum table table;
	int phase; /* 0 before the first rule, 1 header, 2 rule after it, 3 rows */
	size_t ncol;
	char col[MR_COLS][MR_VAL];
};

static bool is_rule(struct strv t)
{
	if (t.n < 3)
		return false;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] != '-')
			return false;
	}
	return true;
}

static bool is_unit(struct strv w)
{
	static const char *const units[] = { "B",   "KB",  "MB",  "GB",	 "TB",	"PB",
					     "KiB", "MiB", "GiB", "TiB", "PiB", NULL };

	for (size_t i = 0; units[i]; i++) {
		if (strv_eq(w, units[i]))
			return true;
	}
	return false;
}

/* The words of line, a number and its unit joined; their count. */
static size_t words(struct strv line, struct strv *w, size_t max)
{
	struct strv tok;
	size_t n = 0;

	while (n < max && strv_next_token(&line, &tok)) {
		if (n > 0 && is_unit(tok) && w[n - 1].n && w[n - 1].p[0] >= '0' &&
		    w[n - 1].p[0] <= '9')
			w[n - 1].n = (size_t)(tok.p + tok.n - w[n - 1].p);
		else
			w[n++] = tok;
	}
	return n;
}

static enum table table_of(struct strv title)
{
	if (strv_eq(title, "VD LIST") ||
	    (strv_starts(title, "/c") && memchr(title.p, 'v', title.n) != NULL))
		return T_VD;
	if (strv_eq(title, "PD LIST") || strv_starts(title, "PDs for VD "))
		return T_PD;
	if (strv_eq(title, "TOPOLOGY"))
		return T_TOPO;
	if (strv_eq(title, "BBU_Info"))
		return T_BBU;
	if (strv_eq(title, "Cachevault_Info"))
		return T_CV;
	return T_NONE;
}

static void header(struct text *x, struct strv line)
{
	struct strv w[MAX_WORDS];
	size_t n = words(line, w, MAX_WORDS);

	x->ncol = n < MR_COLS ? n : MR_COLS;
	for (size_t i = 0; i < x->ncol; i++)
		strv_copy_printable(w[i], x->col[i], MR_VAL);
}

static size_t free_column(const struct text *x)
{
	for (size_t i = 0; i < x->ncol; i++) {
		if (strcmp(x->col[i], "Model") == 0 || strcmp(x->col[i], "Name") == 0)
			return i;
	}
	return x->ncol ? x->ncol - 1 : 0;
}

static int row(struct text *x, struct strv line)
{
	struct strv w[MAX_WORDS];
	size_t n = words(line, w, MAX_WORDS), f = free_column(x), extra, j = 0;
	struct mr_row r = { 0 };

	if (x->table == T_BBU || x->table == T_CV) {
		char state[MR_VAL];

		if (n < 2)
			return -EINVAL;
		strv_copy_printable(w[1], state, sizeof(state));
		mr_add_bbu(x->s, x->ctl, x->table == T_BBU ? "BBU" : "CacheVault", state);
		return 0;
	}
	extra = n > x->ncol ? n - x->ncol : 0;
	for (size_t i = 0; i < x->ncol; i++) {
		struct strv v = j < n ? w[j] : strv_make("", 0);

		if (i == f && extra && j + extra < n) {
			v.n = (size_t)(w[j + extra].p + w[j + extra].n - v.p);
			j += extra;
		}
		j++;
		mr_put(&r, x->col[i], v.p, v.n);
	}
	if (x->table == T_VD)
		return mr_add_vd(x->s, x->ctl, &r);
	if (x->table == T_PD)
		return mr_add_pd(x->s, x->ctl, &r);
	return mr_add_topo(x->s, x->ctl, &r);
}

/* A line inside a table: rules, the header, rows. */
static int table_line(struct text *x, struct strv t)
{
	if (t.n == 0 && x->phase != 3)
		return 0;
	if (is_rule(t)) {
		if (x->phase == 3)
			x->table = T_NONE;
		else
			x->phase = x->phase == 0 ? 1 : 3;
		return 0;
	}
	if (x->phase == 1) {
		header(x, t);
		x->phase = 2;
		return 0;
	}
	if (x->phase != 3 || t.n == 0) {
		x->table = T_NONE; /* not a table after all */
		return 0;
	}
	return row(x, t);
}

/* "key = value": the value when line starts with key, else false. */
static bool kv(struct strv t, const char *key, struct strv *ret)
{
	size_t n = strlen(key);

	if (t.n < n + 2 || memcmp(t.p, key, n) != 0 || t.p[n] != ' ')
		return false;
	t.p += n;
	t.n -= n;
	t = strv_ltrim(t);
	if (!t.n || t.p[0] != '=')
		return false;
	*ret = strv_trim(strv_make(t.p + 1, t.n - 1));
	return true;
}

static int plain_line(struct text *x, struct strv t, struct strv next)
{
	struct strv v;
	long long ll;
	char desc[MR_VAL];

	if (kv(t, "Controller", &v)) {
		if (strv_to_ll(v, 0, 65535, &ll) < 0)
			return -EINVAL;
		x->ctl = (int)ll;
		x->seen_header = true;
	} else if (kv(t, "Status", &v) && x->seen_header) {
		strv_copy_printable(v, x->status, sizeof(x->status));
	} else if (kv(t, "Description", &v) && x->status[0]) {
		strv_copy_printable(v, desc, sizeof(desc));
		if (mr_command_status(x->s, x->ctl, x->status, desc) < 0)
			return -ENOMEM;
		x->status[0] = '\0';
	} else if (kv(t, "Controller Status", &v) && x->seen_header) {
		struct mr_ctl *c = mr_ctl(x->s, x->ctl);

		if (!c)
			return -ENOMEM;
		strv_copy_printable(v, c->status, sizeof(c->status));
	} else if (t.n > 2 && strv_ends(t, " :") && strv_starts(strv_trim(next), "===")) {
		x->table = x->seen_header ? table_of(strv_trim(strv_make(t.p, t.n - 2))) : T_NONE;
		x->phase = 0;
	}
	return 0;
}

int mr_parse_text(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen)
{
	struct text x = { .s = s, .ctl = -1 };
	struct strv rest = strv_make(buf, len), line;
	size_t lineno = 0;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &line)) {
		struct strv t = strv_trim(line), peek = rest, next = strv_make("", 0);

		lineno++;
		strv_next_line(&peek, &next);
		if (x.table != T_NONE && !strv_starts(t, "==="))
			rc = table_line(&x, t);
		else
			rc = plain_line(&x, t, next);
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	else if (!x.seen_header) {
		snprintf(err, errlen, "neither JSON nor storcli's text (no \"Controller = N\")");
		rc = -EINVAL;
	}
	return rc;
}
