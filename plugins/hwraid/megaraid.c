// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MegaRAID/PERC: the rows of storcli's tables into a struct mr_set, the set
 * into logical drives, and the driver descriptor (megaraid.h says how the
 * two parsers feed it).
 *
 * Words, as storcli's own legends print them: VD states Optl, Pdgd
 * (partially degraded), Dgrd, OfLn, Rec (recovery); PD states Onln, Offln,
 * UBad (unconfigured bad), Rbld, Cpybck, Msng, Sntze (sanitize), DHS/GHS
 * (dedicated/global hot spare), UGood; storcli2/perccli2 print State "Conf"
 * with the condition in a separate Status ("Online", ...).  A drive's DG is
 * "-" when it belongs to none, "F" when it holds a foreign configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "megaraid.h"
#include "../lib/strbuf.h"
#include "redmon/grow.h"

#define MAX_CTL	 64
#define MAX_ROWS 8192 /* VDs, PDs, topology rows per set */

const char *mr_get(const struct mr_row *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->key[i], key) == 0)
			return r->val[i];
	}
	return NULL;
}

void mr_put(struct mr_row *r, const char *key, const char *val, size_t len)
{
	if (r->n >= MR_COLS)
		return;
	r->key[r->n] = key;
	strv_copy_printable(strv_trim(strv_make(val, len)), r->val[r->n], MR_VAL);
	r->n++;
}

/* A bounded copy, printable only (the values are already). */
static void cp(char *dst, size_t len, const char *src)
{
	strv_copy_printable(strv_c(src), dst, len);
}

static const char *get(const struct mr_row *r, const char *key)
{
	const char *v = mr_get(r, key);

	return v ? v : "";
}

int mr_int(const char *v, int *ret)
{
	long long ll;

	if (!*v || strcmp(v, "-") == 0) {
		*ret = -1;
		return 0;
	}
	if (strv_to_ll(strv_c(v), 0, 1000000, &ll) < 0)
		return -EINVAL;
	*ret = (int)ll;
	return 0;
}

/* "252:0" into eid 252, slot 0; ":0" or " :0" has no enclosure (-1); "-" is -ENOENT. */
static int parse_bay(const char *v, int *ret_eid, int *ret_slot)
{
	const char *colon = strchr(v, ':');
	long long e = -1, s;

	if (strcmp(v, "-") == 0)
		return -ENOENT;
	if (!colon)
		return -EINVAL;
	if (colon > v && strv_to_ll(strv_trim(strv_make(v, (size_t)(colon - v))), 0, 65535, &e) < 0)
		return -EINVAL;
	if (strv_to_ll(strv_c(colon + 1), 0, 65535, &s) < 0)
		return -EINVAL;
	*ret_eid = (int)e;
	*ret_slot = (int)s;
	return 0;
}

/* Grow an array of n elements of size sz by one, zeroed: the new element or NULL. */
static void *grow(void *pv, size_t *cap, size_t *n, size_t sz)
{
	void **p = pv;

	if (*n >= MAX_ROWS || !grow_one(p, cap, *n, sz, 16))
		return NULL;
	return memset((char *)*p + (*n)++ * sz, 0, sz);
}

void mr_set_free(struct mr_set *s)
{
	if (!s)
		return;
	free(s->ctl);
	free(s->vd);
	free(s->pd);
	free(s->topo);
	*s = (struct mr_set){ 0 };
}

struct mr_ctl *mr_ctl(struct mr_set *s, int id)
{
	struct mr_ctl *c;

	for (size_t i = 0; i < s->n_ctl; i++) {
		if (s->ctl[i].id == id)
			return &s->ctl[i];
	}
	if (s->n_ctl >= MAX_CTL || id < 0)
		return NULL;
	c = grow(&s->ctl, &s->cap_ctl, &s->n_ctl, sizeof(*c));
	if (c)
		c->id = id;
	return c;
}

int mr_command_status(struct mr_set *s, int ctl, const char *status, const char *desc)
{
	if (strcmp(status, "Success") == 0) {
		s->ok_blocks++;
		return mr_ctl(s, ctl) ? 0 : -ENOMEM;
	}
	if (strstr(desc, "No Controller found"))
		s->no_controller++;
	else
		snprintf(s->failure, sizeof(s->failure), "%s: %s", status, desc);
	return 0;
}

int mr_add_vd(struct mr_set *s, int ctl, const struct mr_row *r)
{
	const char *dgvd = get(r, "DG/VD"), *slash = strchr(dgvd, '/');
	const char *cache = mr_get(r, "Cache") ? get(r, "Cache") : get(r, "CurrentCache");
	long long dg, vd;
	struct mr_vd *v;

	if (!slash || strv_to_ll(strv_make(dgvd, (size_t)(slash - dgvd)), 0, 65535, &dg) < 0 ||
	    strv_to_ll(strv_c(slash + 1), 0, 65535, &vd) < 0)
		return -EINVAL;
	for (size_t i = 0; i < s->n_vd; i++) {
		if (s->vd[i].ctl == ctl && s->vd[i].vd == (int)vd)
			return 0; /* the same VD in another output */
	}
	v = grow(&s->vd, &s->cap_vd, &s->n_vd, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = (struct mr_vd){
		.ctl = ctl, .dg = (int)dg, .vd = (int)vd, .span_depth = -1, .per_span = -1
	};
	cp(v->type, sizeof(v->type), get(r, "TYPE"));
	cp(v->state, sizeof(v->state), get(r, "State"));
	cp(v->cache, sizeof(v->cache), cache);
	cp(v->default_cache, sizeof(v->default_cache), get(r, "DefaultCache"));
	return 0;
}

static struct mr_pd *find_pd(const struct mr_set *s, int ctl, int eid, int slot)
{
	for (size_t i = 0; i < s->n_pd; i++) {
		if (s->pd[i].ctl == ctl && s->pd[i].eid == eid && s->pd[i].slot == slot)
			return &s->pd[i];
	}
	return NULL;
}

static void fill(char *dst, size_t len, const char *v)
{
	if (!dst[0] && v)
		snprintf(dst, len, "%s", v);
}

int mr_add_pd(struct mr_set *s, int ctl, const struct mr_row *r)
{
	const char *did = get(r, "DID"); /* storcli2's PID is no smartctl megaraid,N number */
	const char *dg = get(r, "DG");
	int eid, slot, d, g = -1;
	struct mr_ctl *c = mr_ctl(s, ctl);
	struct mr_pd *p;

	if (!c)
		return -ENOMEM;
	if (parse_bay(get(r, "EID:Slt"), &eid, &slot) < 0 || mr_int(did, &d) < 0)
		return -EINVAL;
	if (strcmp(dg, "F") == 0 || strcmp(get(r, "Sp"), "F") == 0)
		c->foreign++;
	else if (mr_int(dg, &g) < 0)
		return -EINVAL;
	p = find_pd(s, ctl, eid, slot);
	if (!p) {
		p = grow(&s->pd, &s->cap_pd, &s->n_pd, sizeof(*p));
		if (!p)
			return -ENOMEM;
		*p = (struct mr_pd){
			.ctl = ctl, .eid = eid, .slot = slot, .did = d, .dg = g, .span = -1
		};
		if (strcmp(get(r, "State"), "UBad") == 0 && g < 0) {
			c->ubad++;
			cp(c->ubad_at, sizeof(c->ubad_at), get(r, "EID:Slt"));
		}
	}
	fill(p->state, sizeof(p->state), mr_get(r, "State"));
	fill(p->status, sizeof(p->status), mr_get(r, "Status"));
	fill(p->model, sizeof(p->model), mr_get(r, "Model"));
	fill(p->sp, sizeof(p->sp), mr_get(r, "Sp"));
	return 0;
}

int mr_add_topo(struct mr_set *s, int ctl, const struct mr_row *r)
{
	const char *span = mr_get(r, "Arr") ? get(r, "Arr") : get(r, "Span");
	int dg, sp, eid = -2, slot = -2;
	struct mr_topo *t;

	if (strcmp(get(r, "Type"), "DRIVE") != 0)
		return 0; /* a DG or span row */
	if (mr_int(get(r, "DG"), &dg) < 0 || mr_int(span, &sp) < 0 || dg < 0)
		return -EINVAL;
	if (parse_bay(get(r, "EID:Slot"), &eid, &slot) == -EINVAL)
		return -EINVAL;
	for (size_t i = 0; i < s->n_topo; i++) {
		t = &s->topo[i];
		if (t->ctl == ctl && t->dg == dg && t->eid == eid && t->slot == slot && eid != -2)
			return 0;
	}
	t = grow(&s->topo, &s->cap_topo, &s->n_topo, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*t = (struct mr_topo){ .ctl = ctl, .dg = dg, .span = sp, .eid = eid, .slot = slot };
	cp(t->state, sizeof(t->state), eid == -2 ? "Msng" : get(r, "State"));
	return 0;
}

void mr_add_bbu(struct mr_set *s, int ctl, const char *what, const char *state)
{
	struct mr_ctl *c = mr_ctl(s, ctl);

	if (!c)
		return;
	cp(c->bbu_what, sizeof(c->bbu_what), what);
	cp(c->bbu, sizeof(c->bbu), state);
}

void mr_vd_props(struct mr_set *s, int ctl, int vd, int span_depth, int per_span,
		 const char *init_cache)
{
	for (size_t i = 0; i < s->n_vd; i++) {
		struct mr_vd *v = &s->vd[i];

		if (v->ctl != ctl || v->vd != vd)
			continue;
		v->span_depth = span_depth;
		v->per_span = per_span;
		if (!v->default_cache[0] && init_cache)
			cp(v->default_cache, sizeof(v->default_cache),
			   strstr(init_cache, "WriteBack") ? "WB" : "WT");
	}
}

void mr_pd_serial(struct mr_set *s, int ctl, int eid, int slot, const char *serial)
{
	struct mr_pd *p = find_pd(s, ctl, eid, slot);

	if (p)
		fill(p->serial, sizeof(p->serial), serial);
}

int mr_parse_any(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen)
{
	struct strv v = strv_ltrim(strv_make(buf, len));

	if (v.n && v.p[0] == '{')
		return mr_parse_json(s, v.p, v.n, err, errlen);
	return mr_parse_text(s, buf, len, err, errlen);
}

/* --- the set into logical drives ------------------------------------------------ */

static enum hwraid_ld_cond vd_cond(const char *state)
{
	if (strcmp(state, "Optl") == 0)
		return HWRAID_LD_OK;
	if (strcmp(state, "Dgrd") == 0 || strcmp(state, "Pdgd") == 0)
		return HWRAID_LD_DEGRADED;
	if (strcmp(state, "OfLn") == 0)
		return HWRAID_LD_OFFLINE;
	if (strcmp(state, "Rec") == 0)
		return HWRAID_LD_RECOVERY;
	return HWRAID_LD_UNKNOWN;
}

static enum hwraid_pd_cond pd_cond(const char *state, const char *status)
{
	static const struct {
		const char *word;
		enum hwraid_pd_cond cond;
	} t[] = { { "Onln", HWRAID_PD_OK },
		  { "Online", HWRAID_PD_OK },
		  { "Offln", HWRAID_PD_FAILED },
		  { "Offline", HWRAID_PD_FAILED },
		  { "Failed", HWRAID_PD_FAILED },
		  { "UBad", HWRAID_PD_FAILED },
		  { "Sntze", HWRAID_PD_FAILED },
		  { "Rbld", HWRAID_PD_REBUILDING },
		  { "Rebuild", HWRAID_PD_REBUILDING },
		  { "Cpybck", HWRAID_PD_COPYBACK },
		  { "Copyback", HWRAID_PD_COPYBACK },
		  { "Msng", HWRAID_PD_MISSING },
		  { "Missing", HWRAID_PD_MISSING },
		  { "DHS", HWRAID_PD_SPARE },
		  { "GHS", HWRAID_PD_SPARE } };
	const char *w = strcmp(state, "Conf") == 0 ? status : state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(w, t[i].word) == 0)
			return t[i].cond;
	}
	return HWRAID_PD_UNKNOWN;
}

/*
 * smartctl's N of "/dev/bus/N -d megaraid,DID" is the SCSI host's number:
 * the one megaraid_sas host's when the host has one and the output one
 * controller; else (captures, several controllers: which host is which,
 * the tools do not say) the controller's number, right only when the
 * controllers are the first SCSI hosts (docs/hwraid.md).
 */
static int bus_of(const struct mr_set *s, int ctl)
{
	return s->host_known && s->n_ctl == 1 ? s->host : ctl;
}

static void pd_fill(struct hwraid_pd *d, const struct mr_pd *p, int bus)
{
	if (p->eid >= 0)
		snprintf(d->name, sizeof(d->name), "%d:%d", p->eid, p->slot);
	else
		snprintf(d->name, sizeof(d->name), ":%d", p->slot);
	cp(d->state, sizeof(d->state),
	   strcmp(p->state, "Conf") == 0 && p->status[0] ? p->status : p->state);
	cp(d->model, sizeof(d->model), p->model);
	cp(d->serial, sizeof(d->serial), p->serial);
	if (p->did >= 0)
		snprintf(d->device, sizeof(d->device), "/dev/bus/%d megaraid,%d", bus, p->did);
	d->cond = pd_cond(p->state, p->status);
}

/* Members from TOPOLOGY's drive rows of the VD's drive group; false when it has none. */
static int members_from_topo(const struct mr_set *s, const struct mr_vd *v, struct hwraid_ld *ld,
			     bool *found)
{
	int missing = 0;

	*found = false;
	for (size_t i = 0; i < s->n_topo; i++) {
		const struct mr_topo *t = &s->topo[i];
		const struct mr_pd *p;
		struct hwraid_pd *d;

		if (t->ctl != v->ctl || t->dg != v->dg)
			continue;
		*found = true;
		d = hwraid_pd_add(ld);
		if (!d)
			return -ENOMEM;
		p = t->eid == -2 ? NULL : find_pd(s, t->ctl, t->eid, t->slot);
		if (p) {
			pd_fill(d, p, bus_of(s, v->ctl));
		} else {
			struct mr_pd tp = { .eid = t->eid, .slot = t->slot, .did = -1 };

			cp(tp.state, sizeof(tp.state), t->state);
			pd_fill(d, &tp, bus_of(s, v->ctl));
			if (t->eid == -2)
				snprintf(d->name, sizeof(d->name), "missing-%d", ++missing);
		}
		d->span = t->span;
		if (d->cond == HWRAID_PD_SPARE) /* a spare never sits in a slot */
			d->cond = HWRAID_PD_UNKNOWN;
	}
	ld->total = (int)ld->n_pd;
	return 0;
}

static int members_from_pds(const struct mr_set *s, const struct mr_vd *v, struct hwraid_ld *ld)
{
	for (size_t i = 0; i < s->n_pd; i++) {
		const struct mr_pd *p = &s->pd[i];
		struct hwraid_pd *d;

		if (p->ctl != v->ctl || p->dg != v->dg ||
		    pd_cond(p->state, p->status) == HWRAID_PD_SPARE)
			continue;
		d = hwraid_pd_add(ld);
		if (!d)
			return -ENOMEM;
		pd_fill(d, p, bus_of(s, v->ctl));
	}
	if (v->span_depth > 0 && v->per_span > 0 && v->span_depth * v->per_span <= 4096)
		ld->total = v->span_depth * v->per_span;
	return 0;
}

static int spares(const struct mr_set *s, const struct mr_vd *v, struct hwraid_ld *ld)
{
	for (size_t i = 0; i < s->n_pd; i++) {
		const struct mr_pd *p = &s->pd[i];
		struct hwraid_pd *d;

		if (p->ctl != v->ctl || pd_cond(p->state, p->status) != HWRAID_PD_SPARE)
			continue;
		if (strcmp(p->state, "DHS") == 0 && p->dg >= 0 && p->dg != v->dg)
			continue;
		d = hwraid_pd_add(ld);
		if (!d)
			return -ENOMEM;
		pd_fill(d, p, bus_of(s, v->ctl));
		ld->spares++;
	}
	return 0;
}

static bool word_ok(const char *w)
{
	return !w[0] || strcmp(w, "Optimal") == 0 || strcmp(w, "OK") == 0 || strcmp(w, "Opt") == 0;
}

/* Controller trouble that threatens the data without being a member failure. */
static void ctl_reasons(const struct mr_set *s, const struct mr_vd *v, struct hwraid_ld *ld)
{
	const struct mr_ctl *c = NULL;

	for (size_t i = 0; i < s->n_ctl; i++) {
		if (s->ctl[i].id == v->ctl)
			c = &s->ctl[i];
	}
	if (c && !word_ok(c->status))
		hwraid_reason_add(ld, "controller c%d status %s", c->id, c->status);
	if (c && !word_ok(c->bbu))
		hwraid_reason_add(ld, "%s %s", c->bbu_what, c->bbu);
	if (c && c->ubad)
		hwraid_reason_add(ld, "%d unconfigured-bad drive%s (%s)", c->ubad,
				  c->ubad == 1 ? "" : "s", c->ubad_at);
	if (c && c->foreign)
		hwraid_reason_add(ld, "%d drive%s with a foreign configuration", c->foreign,
				  c->foreign == 1 ? "" : "s");
	if (strstr(v->cache, "WT") && strstr(v->default_cache, "WB"))
		hwraid_reason_add(ld, "write cache fell back to write-through (%s, configured %s)",
				  v->cache, v->default_cache);
}

static int build_vd(const struct mr_set *s, const struct mr_vd *v, struct hwraid_result *ret)
{
	struct hwraid_ld *ld = hwraid_ld_add(ret);
	bool topo;
	int rc;

	if (!ld)
		return -ENOMEM;
	snprintf(ld->name, sizeof(ld->name), "c%d/v%d", v->ctl, v->vd);
	hwraid_level(v->type, ld->level, sizeof(ld->level));
	hwraid_level_unknown(ld, v->type, strlen(v->type));
	cp(ld->state, sizeof(ld->state), v->state);
	ld->cond = vd_cond(v->state);
	rc = members_from_topo(s, v, ld, &topo);
	if (rc == 0 && !topo) {
		ld->total = -1;
		rc = members_from_pds(s, v, ld);
	}
	if (rc == 0)
		rc = spares(s, v, ld);
	if (rc == 0)
		ctl_reasons(s, v, ld);
	return rc;
}

int mr_build(const struct mr_set *s, struct hwraid_result *ret)
{
	for (size_t i = 0; i < s->n_vd; i++) {
		int rc = build_vd(s, &s->vd[i], ret);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- the driver ---------------------------------------------------------------- */

static int megaraid_parse(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
			  char *err, size_t errlen)
{
	struct mr_set s = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n && rc != -ENOMEM; i++) {
		char why[256];
		int r = mr_parse_any(&s, out[i].buf, out[i].len, why, sizeof(why));

		if (out[i].host_known && out[i].host >= 0) {
			s.host_known = true;
			s.host = out[i].host;
		}
		if (r < 0 && (out[i].main || r == -ENOMEM)) {
			snprintf(err, errlen, "%s: %s", out[i].name, why);
			rc = r;
		}
	}
	if (rc == 0 && s.ok_blocks == 0 && s.no_controller == 0 && s.failure[0]) {
		snprintf(err, errlen, "the tool failed: %s", s.failure);
		rc = -EPROTO;
	}
	if (rc == 0)
		rc = mr_build(&s, ret);
	if (rc == 0 && s.ok_blocks == 0 && s.no_controller > 0)
		ret->none = true;
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	mr_set_free(&s);
	return rc;
}

static const char *const megaraid_tools[] = { "storcli64", "storcli",  "perccli64", "perccli",
					      "storcli2",  "perccli2", NULL };
static const char *const megaraid_prefixes[] = { "storcli", "perccli", NULL };
static const char *const megaraid_commands[][HWRAID_MAX_ARGS] = {
	{ "/call", "show", "all", "J", NULL },
	{ "/call/vall", "show", "all", "J", NULL },
	{ "/call/eall/sall", "show", "all", "J", NULL },
};

const struct hwraid_driver hwraid_megaraid = {
	.name = "megaraid",
	.what = "MegaRAID/PERC",
	.tools = megaraid_tools,
	.prefixes = megaraid_prefixes,
	.commands = megaraid_commands,
	.n_commands = sizeof(megaraid_commands) / sizeof(megaraid_commands[0]),
	.parse = megaraid_parse,
	.bus_driver = "megaraid_sas",
};
