// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tw_cli driver of hwraid: 3ware (AMCC, then LSI) 7000/8000/9000
 * controllers, read with tw_cli.  Its outputs are tables, each under a header
 * line and a line of dashes, in any of these commands (the 3ware CLI guide,
 * "show" and "/cx show" sections; the older "info" syntax prints the same):
 *
 *   show, info         Ctl   Model  (V)Ports  Drives  Units  NotOpt  RRate  VRate  BBU
 *                      c0    9650SE-2LP  2    2       1      1       1      1      -
 *   /cN show [all],    Unit  UnitType  Status      %RCmpl  %V/I/M  Stripe  Size(GB) ...
 *   info cN unitstatus u0    RAID-1    REBUILDING  98%     -       -       465.651 ...
 *   drivestatus        Port  Status  Unit  Size  Blocks  Serial        (7000-9650)
 *                      p0    DEGRADED  u0  465.76 GB  976773168  9QM1SHZY
 *                      VPort Status  Unit  Size  Type  Phy  Encl-Slot  Model  (9690, 9750)
 *                      p8    OK  u0  2.73 TB  SATA  -  /c0/e0/slt0  ST3000NC002-1DY166
 *   bbustatus          Name  OnlineState  BBUReady  Status  Volt  Temp  Hours  LastCapTest
 *
 * and, with "all", "/cN Key = value" lines, the only place a live output
 * says which controller it is about (a live output is also named by its
 * command, "tw_cli /c8 show all").  Units and ports of one controller may
 * come from several outputs in any order (captures are read sorted by name),
 * so rows are gathered first and joined into logical drives at the end.
 *
 * tw_cli reads one controller per command, and its controller ids need not
 * follow each other (c0, c8): "show" lists them, at init for the commands to
 * register (twcli_controllers()) and at each run to check that every
 * controller with units was read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hwraid.h"
#include "redmon/grow.h"
#include "../lib/strbuf.h"

#define TW_WORDS    16
#define TW_MAX_ROWS 1024 /* units and ports: a 9750 takes 127 drives */

enum tw_table { TW_NONE, TW_CTL, TW_UNIT, TW_PORT, TW_VPORT, TW_BBU, TW_OTHER };

struct tw_unit {
	int ctl, unit;
	char type[HWRAID_WORD], status[HWRAID_WORD];
	int rcmpl, vim; /* %RCmpl and %V/I/M, -1 when "-" */
};

struct tw_port {
	int ctl, port, unit; /* unit -1: "-" */
	char status[HWRAID_WORD], serial[HWRAID_TEXT], model[HWRAID_TEXT];
};

/* What a controller listing or a BBU table says of a controller. */
struct tw_ctl {
	int ctl, units;		 /* units -1 when not listed */
	char model[HWRAID_WORD]; /* "9650SE-2LP", "" when not known */
	char bbu[HWRAID_WORD];	 /* the listing's BBU column, "" or "-" when none */
	char bbu_status[HWRAID_WORD], bbu_ready[HWRAID_WORD];
	bool listed; /* a row of a controller list */
	bool read;   /* a unit table of it was read */
};

struct tw {
	struct tw_unit *u;
	struct tw_port *p;
	struct tw_ctl *c;
	size_t n_u, cap_u, n_p, cap_p, n_c, cap_c;
	bool none; /* "No controller found" */
};

static void tw_free(struct tw *t)
{
	free(t->u);
	free(t->p);
	free(t->c);
}

/* "u12" (prefix "u"), "c0", "p3": the number, or -1. */
static int numbered(struct strv w, const char *prefix)
{
	size_t k = strlen(prefix);
	long long ll;

	if (!strv_starts(w, prefix) || strv_to_ll(strv_make(w.p + k, w.n - k), 0, 9999, &ll) < 0)
		return -1;
	return (int)ll;
}

/* "98%", "29%(A)": the percentage, or -1 ("-", anything else). */
static int percent(struct strv w)
{
	const char *pct = memchr(w.p, '%', w.n);
	long long ll;

	if (!pct || strv_to_ll(strv_make(w.p, (size_t)(pct - w.p)), 0, 100, &ll) < 0)
		return -1;
	return (int)ll;
}

static struct tw_ctl *ctl_of(struct tw *t, int ctl)
{
	for (size_t i = 0; i < t->n_c; i++) {
		if (t->c[i].ctl == ctl)
			return &t->c[i];
	}
	if (t->n_c >= TW_MAX_ROWS || !grow_one((void **)&t->c, &t->cap_c, t->n_c, sizeof(*t->c), 4))
		return NULL;
	t->c[t->n_c] = (struct tw_ctl){ .ctl = ctl, .units = -1 };
	return &t->c[t->n_c++];
}

/* --- rows -------------------------------------------------------------------------- */

static int ctl_row(struct tw *t, const struct strv *w, size_t n)
{
	struct tw_ctl *c;
	long long units;
	int ctl = numbered(w[0], "c");

	if (n < 5)
		return -EINVAL;
	c = ctl_of(t, ctl);
	if (!c)
		return -ENOMEM;
	c->listed = true;
	c->units = strv_to_ll(w[4], 0, 9999, &units) == 0 ? (int)units : -1;
	strv_copy_printable(w[1], c->model, sizeof(c->model));
	if (n >= 9)
		strv_copy_printable(w[8], c->bbu, sizeof(c->bbu));
	return 0;
}

static int unit_row(struct tw *t, int ctl, const struct strv *w, size_t n)
{
	struct tw_unit *u;
	struct tw_ctl *c;
	int unit = numbered(w[0], "u");

	if (unit < 0 || n < 5)
		return -EINVAL;
	c = ctl_of(t, ctl);
	if (!c)
		return -ENOMEM;
	c->read = true;
	for (size_t i = 0; i < t->n_u; i++) {
		if (t->u[i].ctl == ctl && t->u[i].unit == unit)
			return 0; /* the same unit in another output (unitstatus, show all) */
	}
	if (t->n_u >= TW_MAX_ROWS || !grow_one((void **)&t->u, &t->cap_u, t->n_u, sizeof(*t->u), 8))
		return -ENOMEM;
	u = &t->u[t->n_u++];
	*u = (struct tw_unit){
		.ctl = ctl, .unit = unit, .rcmpl = percent(w[3]), .vim = percent(w[4])
	};
	strv_copy_printable(w[1], u->type, sizeof(u->type));
	strv_copy_printable(w[2], u->status, sizeof(u->status));
	return 0;
}

/* The words from w[from] to the end, blank-separated: a model with blanks in it. */
static void rest_of(char *dst, size_t len, const struct strv *w, size_t from, size_t n)
{
	dst[0] = '\0';
	for (size_t i = from; i < n; i++) {
		size_t k = strlen(dst);

		if (k && k + 1 < len)
			dst[k++] = ' ';
		strv_copy_printable(w[i], dst + k, len - k);
	}
}

static int port_row(struct tw *t, int ctl, enum tw_table tab, const struct strv *w, size_t n)
{
	struct tw_port *p;
	int port = numbered(w[0], "p");

	if (port < 0 || n < 3)
		return -EINVAL;
	for (size_t i = 0; i < t->n_p; i++) {
		if (t->p[i].ctl == ctl && t->p[i].port == port)
			return 0; /* the same port in another output (drivestatus, show all) */
	}
	if (t->n_p >= TW_MAX_ROWS ||
	    !grow_one((void **)&t->p, &t->cap_p, t->n_p, sizeof(*t->p), 16))
		return -ENOMEM;
	p = &t->p[t->n_p++];
	*p = (struct tw_port){ .ctl = ctl, .port = port, .unit = numbered(w[2], "u") };
	strv_copy_printable(w[1], p->status, sizeof(p->status));
	/* Port: p0 OK u0 931.51 GB 1953525168 SERIAL; VPort: p0 OK u0 1.82 TB SAS 0 - MODEL WORDS */
	if (tab == TW_PORT && n >= 7 && !strv_eq(w[6], "-"))
		strv_copy_printable(w[6], p->serial, sizeof(p->serial));
	else if (tab == TW_VPORT && n >= 9)
		rest_of(p->model, sizeof(p->model), w, 8, n);
	return 0;
}

static int bbu_row(struct tw *t, int ctl, const struct strv *w, size_t n)
{
	struct tw_ctl *c;

	if (n < 4)
		return -EINVAL;
	c = ctl_of(t, ctl);
	if (!c)
		return -ENOMEM;
	strv_copy_printable(w[2], c->bbu_ready, sizeof(c->bbu_ready));
	strv_copy_printable(w[3], c->bbu_status, sizeof(c->bbu_status));
	return 0;
}

/* --- lines ------------------------------------------------------------------------- */

static enum tw_table header_of(struct strv first, struct strv second)
{
	if (strv_eq(first, "Ctl"))
		return TW_CTL;
	if (strv_eq(first, "Unit") && strv_eq(second, "UnitType"))
		return TW_UNIT;
	if (strv_eq(first, "Port") && strv_eq(second, "Status"))
		return TW_PORT;
	if (strv_eq(first, "VPort"))
		return TW_VPORT;
	if (strv_eq(first, "Name") && strv_eq(second, "OnlineState"))
		return TW_BBU;
	return TW_NONE;
}

/* Whether w starts a row of tab ("c0", "u0", "p0", "bbu"). */
static bool row_of(enum tw_table tab, struct strv w)
{
	switch (tab) {
	case TW_CTL:
		return numbered(w, "c") >= 0;
	case TW_UNIT:
		return numbered(w, "u") >= 0;
	case TW_PORT:
	case TW_VPORT:
		return numbered(w, "p") >= 0;
	case TW_BBU:
		return strv_eq(w, "bbu");
	default:
		return false;
	}
}

/* "/cN Model = X" of "show all": the model (the other keys are not used). */
static int key_line(struct tw *t, int ctl, const struct strv *w, size_t n)
{
	struct tw_ctl *c;

	if (n < 4 || !strv_eq(w[1], "Model") || !strv_eq(w[2], "="))
		return 0;
	c = ctl_of(t, ctl);
	if (!c)
		return -ENOMEM;
	strv_copy_printable(w[3], c->model, sizeof(c->model));
	return 0;
}

struct tw_out {
	enum tw_table tab;
	int ctl;
	bool understood, no_ctl;
};

static int tw_line(struct tw *t, struct tw_out *o, struct strv line)
{
	struct strv w[TW_WORDS];
	enum tw_table h;
	size_t n = 0;

	while (n < TW_WORDS && strv_next_token(&line, &w[n]))
		n++;
	if (n == 0 || strv_starts(w[0], "#") || strv_starts(w[0], "--"))
		return 0;
	if (strv_starts(w[0], "Error:") || strv_eq(w[0], "No")) {
		o->no_ctl = o->no_ctl || (n >= 2 && strv_starts(w[1], "controller"));
		return 0;
	}
	h = header_of(w[0], n > 1 ? w[1] : strv_c(""));
	if (h != TW_NONE) {
		o->tab = h;
		o->understood = true;
		return 0;
	}
	if (!row_of(o->tab, w[0]) && strv_starts(w[0], "/c"))
		return key_line(t, o->ctl, w, n); /* "/c0 Model = 9750-4i" */
	if (!row_of(o->tab, w[0])) {
		o->tab = TW_OTHER;
		return 0;
	}
	switch (o->tab) {
	case TW_CTL:
		return ctl_row(t, w, n);
	case TW_UNIT:
		return unit_row(t, o->ctl, w, n);
	case TW_PORT:
	case TW_VPORT:
		return port_row(t, o->ctl, o->tab, w, n);
	case TW_BBU:
		return bbu_row(t, o->ctl, w, n);
	default:
		return 0;
	}
}

/*
 * The controller of an output: its first "/cN ..." line, else "cN" in its
 * name (a capture's "tw_cli-c8-show-all.txt", a command's "tw_cli /c8 show
 * all"), else 0.
 */
static int ctl_of_output(const struct hwraid_output *out)
{
	struct strv rest = strv_make(out->buf, out->len), line, w;
	const char *s = out->name;

	while (strv_next_line(&rest, &line)) {
		struct strv slash;
		int c;

		line = strv_trim(line);
		if (!strv_starts(line, "/c") || !strv_next_token(&line, &w))
			continue;
		slash = strv_make(w.p + 1, w.n - 1);
		for (size_t i = 1; i < slash.n; i++) {
			if (slash.p[i] == '/')
				slash.n = i; /* "/c0/e0" */
		}
		c = numbered(slash, "c");
		if (c >= 0)
			return c;
	}
	for (; s && (s = strchr(s, 'c')); s++) {
		const char *e = s + 1;

		while (*e >= '0' && *e <= '9')
			e++;
		if (e > s + 1 && e - s < 6 && (s == out->name || strchr("-_.,/ ", s[-1])) &&
		    (!*e || strchr("-_.,/ ", *e)))
			return numbered(strv_make(s, (size_t)(e - s)), "c");
	}
	return 0;
}

static int tw_parse_one(struct tw *t, const struct hwraid_output *out, char *err, size_t errlen)
{
	struct strv rest = strv_make(out->buf, out->len), line;
	struct tw_out o = { .ctl = ctl_of_output(out) };
	size_t lineno = 0;
	int rc = 0;

	while (rc == 0 && strv_next_line(&rest, &line)) {
		lineno++;
		rc = tw_line(t, &o, strv_trim(line));
	}
	if (rc == -EINVAL)
		snprintf(err, errlen, "line %zu not understood", lineno);
	else if (rc == 0 && !o.understood && o.no_ctl)
		t->none = true;
	else if (rc == 0 && !o.understood) {
		snprintf(err, errlen, "not tw_cli's output (no controller, unit or port table)");
		rc = -EINVAL;
	}
	return rc;
}

/* --- gathered rows into logical drives ------------------------------------------------ */

static enum hwraid_ld_cond unit_cond(const char *s)
{
	static const char *const ok[] = {
		"OK",	       "VERIFYING", "VERIFY-PAUSED", "INITIALIZING",
		"INIT-PAUSED", "MIGRATING", "MIGRATE-PAUSED"
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (strcmp(s, ok[i]) == 0)
			return HWRAID_LD_OK;
	}
	if (strcmp(s, "REBUILDING") == 0 || strcmp(s, "REBUILD-PAUSED") == 0)
		return HWRAID_LD_RECOVERY;
	if (strcmp(s, "DEGRADED") == 0 || strcmp(s, "RECOVERY") == 0)
		return HWRAID_LD_DEGRADED;
	if (strcmp(s, "INOPERABLE") == 0)
		return HWRAID_LD_OFFLINE;
	return HWRAID_LD_UNKNOWN;
}

/* A port of a unit; DEGRADED is the drive being rebuilt in a rebuilding unit, else lost. */
static enum hwraid_pd_cond port_cond(const char *s, enum hwraid_ld_cond unit, char *why, size_t len)
{
	if (strcmp(s, "OK") == 0 || strcmp(s, "VERIFYING") == 0 || strcmp(s, "INITIALIZING") == 0)
		return HWRAID_PD_OK;
	if (strcmp(s, "SMART-FAILURE") == 0 || strcmp(s, "ECC-ERROR") == 0) {
		snprintf(why, len, "%s", s);
		return HWRAID_PD_OK;
	}
	if (strcmp(s, "REBUILDING") == 0 ||
	    (strcmp(s, "DEGRADED") == 0 && unit == HWRAID_LD_RECOVERY))
		return HWRAID_PD_REBUILDING;
	if (strcmp(s, "DEGRADED") == 0 || strcmp(s, "DEVICE-ERROR") == 0 ||
	    strcmp(s, "OFFLINE") == 0 || strcmp(s, "DCB-DATA-CHECK") == 0)
		return HWRAID_PD_FAILED;
	return HWRAID_PD_UNKNOWN;
}

static bool is_spare(const struct tw *t, int ctl, int unit)
{
	for (size_t i = 0; i < t->n_u; i++) {
		if (t->u[i].ctl == ctl && t->u[i].unit == unit)
			return strcmp(t->u[i].type, "SPARE") == 0;
	}
	return false;
}

/*
 * How smartctl reaches a port (smartctl(8), "-d 3ware,N"): /dev/twl<K> on the
 * 9750 (3w-sas), /dev/twa<K> on the 9000 series (3w-9xxx), /dev/twe<K> on
 * the 6000-8000 (3w-xxxx), N the port; K the controller, as the driver
 * numbers them when all a host's controllers are of one series.
 */
static void port_device(const struct tw_ctl *c, const struct tw_port *p, char *dst, size_t len)
{
	const char *dev = NULL;

	if (!c || !c->model[0])
		return;
	if (strncmp(c->model, "9750", 4) == 0)
		dev = "twl";
	else if (c->model[0] == '9')
		dev = "twa";
	else if (c->model[0] >= '6' && c->model[0] <= '8')
		dev = "twe";
	if (dev)
		snprintf(dst, len, "/dev/%s%d 3ware,%d", dev, p->ctl, p->port);
}

static int add_port(struct hwraid_ld *ld, const struct tw_ctl *c, const struct tw_port *p,
		    enum hwraid_pd_cond cond)
{
	struct hwraid_pd *pd = hwraid_pd_add(ld);

	if (!pd)
		return -ENOMEM;
	port_device(c, p, pd->device, sizeof(pd->device));
	snprintf(pd->name, sizeof(pd->name), "p%d", p->port);
	snprintf(pd->state, sizeof(pd->state), "%s", p->status);
	snprintf(pd->serial, sizeof(pd->serial), "%s", p->serial);
	snprintf(pd->model, sizeof(pd->model), "%s", p->model);
	pd->cond = cond == HWRAID_PD_UNKNOWN
			   ? port_cond(p->status, ld->cond, pd->reason, sizeof(pd->reason))
			   : cond;
	if (pd->reason[0])
		hwraid_reason_add(ld, "p%d %s", p->port, pd->reason);
	else if (pd->cond == HWRAID_PD_UNKNOWN)
		hwraid_reason_add(ld, "p%d state '%s' not understood", p->port, p->status);
	return 0;
}

static bool spare_ok(const char *status)
{
	return strcmp(status, "OK") == 0 || strcmp(status, "VERIFYING") == 0;
}

/* The unit's ports, then the controller's spares (3ware spares serve any unit). */
static int unit_members(const struct tw *t, const struct tw_unit *u, const struct tw_ctl *c,
			struct hwraid_ld *ld)
{
	for (size_t i = 0; i < t->n_p; i++) {
		const struct tw_port *p = &t->p[i];
		int rc = 0;

		if (p->ctl != u->ctl || p->unit < 0)
			continue;
		if (p->unit == u->unit)
			rc = add_port(ld, c, p, HWRAID_PD_UNKNOWN);
		else if (!is_spare(t, p->ctl, p->unit))
			continue;
		else if (!spare_ok(p->status))
			hwraid_reason_add(ld, "spare p%d %s", p->port, p->status);
		else if ((rc = add_port(ld, c, p, HWRAID_PD_SPARE)) == 0)
			ld->spares++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Reasons of the controller: its BBU. */
static void ctl_reasons(const struct tw_ctl *c, struct hwraid_ld *ld)
{
	if (c->bbu[0] && strcmp(c->bbu, "OK") != 0 && strcmp(c->bbu, "-") != 0)
		hwraid_reason_add(ld, "BBU %s", c->bbu);
	if (c->bbu_status[0] && strcmp(c->bbu_status, "OK") != 0)
		hwraid_reason_add(ld, "BBU status %s", c->bbu_status);
	if (c->bbu_ready[0] && strcmp(c->bbu_ready, "Yes") != 0)
		hwraid_reason_add(ld, "BBU not ready (%s)", c->bbu_ready);
}

static int unit_ld(const struct tw *t, const struct tw_unit *u, struct hwraid_result *r)
{
	struct hwraid_ld *ld = hwraid_ld_add(r);
	const struct tw_ctl *c = NULL;
	char level[HWRAID_WORD];
	size_t j = 0;

	if (!ld)
		return -ENOMEM;
	snprintf(ld->name, sizeof(ld->name), "c%d/u%d", u->ctl, u->unit);
	for (size_t i = 0; u->type[i] && j + 1 < sizeof(level); i++) {
		if (u->type[i] != '-')
			level[j++] = u->type[i]; /* "RAID-10" */
	}
	level[j] = '\0';
	hwraid_level(level, ld->level, sizeof(ld->level));
	hwraid_level_unknown(ld, u->type, strlen(u->type));
	snprintf(ld->state, sizeof(ld->state), "%s", u->status);
	ld->cond = unit_cond(u->status);
	if (ld->cond == HWRAID_LD_RECOVERY)
		ld->progress = u->rcmpl;
	else if (ld->cond == HWRAID_LD_OK && strcmp(u->status, "OK") != 0 && u->vim >= 0)
		hwraid_reason_add(ld, "%s, %d%%", u->status, u->vim); /* verify, init, migration */
	else if (ld->cond == HWRAID_LD_OK && strcmp(u->status, "OK") != 0)
		hwraid_reason_add(ld, "%s", u->status);
	for (size_t i = 0; i < t->n_c && !c; i++)
		c = t->c[i].ctl == u->ctl ? &t->c[i] : NULL;
	if (c)
		ctl_reasons(c, ld);
	return unit_members(t, u, c, ld);
}

/* Not redundancy groups: spares (members of the others) and single drives. */
static bool unit_is_group(const struct tw_unit *u)
{
	return strcmp(u->type, "SPARE") != 0 && strcmp(u->type, "JBOD") != 0 &&
	       strcmp(u->type, "Single") != 0 && strcmp(u->type, "SINGLE") != 0;
}

/*
 * A listed controller with units none of which was read fails the run (its
 * /cN output failed, or it appeared after start), unless it is one redmon
 * does not ask about: past the first HWRAID_MAX_CTL the list names (live,
 * "show" is read first, so t->c is in its order), or HWRAID_MAX_CTL others
 * were read (captures, read in name order).  Those are named in the reasons
 * (hwraid_ctl_skipped(), after the units are built).
 */
static int tw_unread(const struct tw *t, int *ids, size_t *n_skip, char *err, size_t errlen)
{
	size_t read = 0, listed = 0;

	*n_skip = 0;
	for (size_t i = 0; i < t->n_c; i++)
		read += t->c[i].read;
	for (size_t i = 0; i < t->n_c; i++) {
		listed += t->c[i].listed;
		if (t->c[i].units <= 0 || t->c[i].read)
			continue;
		if (read < HWRAID_MAX_CTL && listed <= HWRAID_MAX_CTL) {
			snprintf(err, errlen,
				 "c%d has %d units, none read (no /c%d output: it failed, or the "
				 "controller appeared after redmon started)",
				 t->c[i].ctl, t->c[i].units, t->c[i].ctl);
			return -EINVAL;
		}
		if (*n_skip < 4)
			ids[*n_skip] = t->c[i].ctl;
		(*n_skip)++;
	}
	return 0;
}

static int tw_build(const struct tw *t, struct hwraid_result *r, char *err, size_t errlen)
{
	size_t first = r->n_ld, n_skip;
	int ids[4], rc = tw_unread(t, ids, &n_skip, err, errlen);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < t->n_u; i++) {
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			dup = dup || (t->u[k].ctl == t->u[i].ctl && t->u[k].unit == t->u[i].unit);
		if (dup || !unit_is_group(&t->u[i]))
			continue;
		rc = unit_ld(t, &t->u[i], r);
		if (rc < 0) {
			snprintf(err, errlen, "out of memory");
			return rc;
		}
	}
	r->none = r->none || (t->none && t->n_u == 0 && t->n_c == 0);
	return hwraid_ctl_skipped(r, first, ids, n_skip, err, errlen);
}

static int twcli_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
		       char *err, size_t errlen)
{
	struct tw t = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char why[256];
		int r = tw_parse_one(&t, &out[i], why, sizeof(why));

		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name,
				 r == -ENOMEM ? "out of memory" : why);
			rc = r;
		}
	}
	if (rc == 0)
		rc = tw_build(&t, ret, err, errlen);
	tw_free(&t);
	return rc;
}

/*
 * The ids of the controllers "show" lists (c0, c8: 0, 8), in its order, at
 * most max: their count, 0 for "No controller found", or -EINVAL when the
 * output has no controller table.
 */
static int twcli_controllers(const char *buf, size_t len, int *ret, size_t max)
{
	const struct hwraid_output out = { .name = "show", .buf = buf, .len = len, .main = true };
	struct tw t = { 0 };
	char why[128];
	size_t n = 0;
	bool table = false;
	int rc = tw_parse_one(&t, &out, why, sizeof(why));

	for (size_t i = 0; rc == 0 && i < t.n_c; i++) {
		table = table || t.c[i].listed;
		if (t.c[i].listed && n < max)
			ret[n++] = t.c[i].ctl;
	}
	if (rc == 0 && !table && !t.none)
		rc = -EINVAL;
	tw_free(&t);
	return rc < 0 ? rc : (int)n;
}

static const char *const tw_tools[] = { "tw_cli", NULL };
static const char *const tw_prefixes[] = { "tw_cli", NULL };
static const char *const tw_list[] = { "show", NULL };
/*
 * The controller list at each run (a controller with units that was not
 * read fails the run), then "show all" of every listed controller: "all"
 * because its "/cN" lines name the controller in the output.  One that no
 * longer exists fails and is left out.
 */
static const char *const tw_commands[][HWRAID_MAX_ARGS] = {
	{ "show", NULL },
	{ "/c" HWRAID_CTL, "show", "all", NULL },
};

const struct hwraid_driver hwraid_twcli = {
	.name = "twcli",
	.what = "3ware",
	.tools = tw_tools,
	.prefixes = tw_prefixes,
	.commands = tw_commands,
	.n_commands = sizeof(tw_commands) / sizeof(tw_commands[0]),
	.parse = twcli_parse,
	.list_command = tw_list,
	.controllers = twcli_controllers,
	.first_ctl = 0,
};
