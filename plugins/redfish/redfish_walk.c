// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Redfish walk (redfish_walk.h): which resources are read, in which
 * order, and how their links are followed; the rules that make groups of
 * them are in redfish_groups.c.
 *
 * From the service root: Chassis -> each chassis -> PowerSubsystem (its
 * PowerSupplies collection and each supply) or, when the chassis has none,
 * the legacy Power (supplies inline); ThermalSubsystem (the fans each
 * FanRedundancy names) or the legacy Thermal (fans inline).  The newer
 * resources describe the same hardware as the legacy ones, so one is read,
 * never both (DSP0268 2020.4 deprecates Power and Thermal).  Systems -> each
 * system -> Storage -> each storage -> Volumes -> each volume -> the drives
 * of Links.Drives, and the storage's Drives when a volume could use a hot
 * spare.  Fans that no redundancy set names are read by nobody: they form no
 * group.
 *
 * A resource is fetched at most once per walk (a cache by path, through
 * plugins/lib/hindex), a container walked at most once (two links to one
 * Volumes collection make its volumes once), and a walk stops at
 * REDFISH_MAX_FETCHES resources.  When a resource cannot be had, the root is
 * asked again: if it too fails, the service is down and the walk fails; if
 * not, the resource was missing and what needed it is left out.
 */
#include "redfish_walk.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redfish_groups.h"
#include "../lib/hindex.h"
#include "../lib/strbuf.h"
#include "redmon/fnv1a.h"
#include "redmon/grow.h"

#define MAX_FAN_SETS 16

struct redfish_walk {
	struct rf_memos ms;
};

/* A resource of this walk: its parsed body, or why it could not be had. */
struct entry {
	char *path;
	json_t *doc;
	char *why;
	bool walked; /* walked as a container */
};

struct walk {
	struct redfish_walk *w;
	struct redfish_source *src;
	struct redfish_result *out;
	struct entry *e;
	size_t n, cap;
	struct hindex idx;
	size_t values; /* JSON values held in the cache: bounded by REDFISH_MAX_VALUES */
	char first_why[REDFISH_WHY]; /* the first resource that could not be had */
	bool root_checked, down;
	bool spent; /* REDFISH_MAX_VALUES reached: nothing more is fetched */
	int err;    /* -ENOMEM: stop */
};

/* --- paths ------------------------------------------------------------------------- */

static bool pchar(unsigned char c)
{
	return isalnum(c) || strchr("-._~!$&'()*+,;=:@%", c);
}

bool redfish_path_ok(const char *path)
{
	const size_t lr = strlen(REDFISH_ROOT);
	size_t len;

	if (!path || strncmp(path, REDFISH_ROOT, lr) != 0 || (path[lr] && path[lr] != '/'))
		return false;
	len = strlen(path);
	if (len > REDFISH_PATH_MAX)
		return false;
	for (const char *s = path + 1; *s;) {
		size_t seg = strcspn(s, "/");

		if ((seg == 0 && s[seg]) || (seg == 1 && s[0] == '.') ||
		    (seg == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		for (size_t i = 0; i < seg; i++) {
			if (!pchar((unsigned char)s[i]))
				return false;
			if (s[i] == '%' &&
			    (strncasecmp(s + i, "%2e", 3) == 0 ||
			     strncasecmp(s + i, "%2f", 3) == 0 ||
			     strncasecmp(s + i, "%5c", 3) == 0 || strncmp(s + i, "%00", 3) == 0))
				return false;
		}
		s += seg + (s[seg] == '/');
	}
	return true;
}

/* The path of a resource relative to the service root ("Chassis/1U"): a group's name. */
static const char *rel_path(const char *path)
{
	const char *r = path + strlen(REDFISH_ROOT);

	return *r == '/' ? r + 1 : r;
}

/* Copy path into buf without a trailing '/' (the mockups write the root "/redfish/v1/"). */
static bool norm_path(const char *path, char *buf, size_t len)
{
	size_t n;

	if (!redfish_path_ok(path))
		return false;
	n = strlen(path);
	while (n > strlen(REDFISH_ROOT) && path[n - 1] == '/')
		n--;
	if (n >= len)
		return false;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return true;
}

/* A group's name: the path normalised, relative to the root, then suffix; false if refused. */
static bool group_name(const char *link, const char *suffix, char *out, size_t len)
{
	char p[REDFISH_PATH_MAX + 1];

	if (!norm_path(link, p, sizeof(p)))
		return false;
	snprintf(out, len, "%s%s", rel_path(p), suffix);
	return true;
}

/*
 * A member's name from its link: the last segment ("Bay1"; a trailing '/'
 * ignored), printable, cut to len.  A refused link gets a name too: its
 * member is shown unknown.
 */
static void last_segment(const char *link, char *out, size_t len)
{
	size_t n = strnlen(link, REDFISH_PATH_MAX + 1), start;

	while (n > 0 && link[n - 1] == '/')
		n--;
	start = n;
	while (start > 0 && link[start - 1] != '/')
		start--;
	strv_copy_printable(strv_make(link + start, n - start), out, len);
	if (!out[0])
		snprintf(out, len, "?");
}

/* --- the cache ------------------------------------------------------------------------ */

struct entry_key {
	const struct walk *wk;
	const char *path;
};

static bool entry_match(const void *ctx, size_t ref)
{
	const struct entry_key *k = ctx;

	return strcmp(k->wk->e[ref].path, k->path) == 0;
}

static struct entry *cache_find(struct walk *wk, const char *path)
{
	const struct entry_key k = { wk, path };
	size_t i =
		hindex_find(&wk->idx, redmon_fnv1a_str(REDMON_FNV1A_BASIS, path), entry_match, &k);

	return i == HINDEX_NONE ? NULL : &wk->e[i];
}

static struct entry *cache_add(struct walk *wk, const char *path)
{
	struct entry *e;

	if (!grow_one((void **)&wk->e, &wk->cap, wk->n, sizeof(*wk->e), 64))
		return NULL;
	e = &wk->e[wk->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path ||
	    hindex_add(&wk->idx, redmon_fnv1a_str(REDMON_FNV1A_BASIS, path), wk->n) < 0) {
		free(e->path);
		return NULL;
	}
	wk->n++;
	return e;
}

static void cache_free(struct walk *wk)
{
	for (size_t i = 0; i < wk->n; i++) {
		free(wk->e[i].path);
		free(wk->e[i].why);
		json_decref(wk->e[i].doc);
	}
	free(wk->e);
	hindex_free(&wk->idx);
}

/*
 * The JSON values of doc (objects, arrays, scalars), counting stops past
 * max: what a walk holds is bounded by values, whatever the sizes a source
 * lets through (a BMC may answer 4 MiB for each of 2048 resources).
 */
static size_t json_values(const json_t *doc, size_t max)
{
	size_t n = 1;

	if (json_is_object(doc)) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)doc, k, v)
		{
			if (n > max)
				break;
			n += json_values(v, max - n);
		}
	} else if (json_is_array(doc)) {
		for (size_t i = 0; i < json_array_size(doc) && n <= max; i++)
			n += json_values(json_array_get(doc, i), max - n);
	}
	return n;
}

/* --- fetching ------------------------------------------------------------------------- */

/*
 * A resource that could not be had: the first says why for the walk; the
 * first of all also asks the root again, to tell a missing resource from a
 * service that stopped answering.
 */
static void failed(struct walk *wk, const char *why)
{
	char again[REDFISH_WHY];
	json_t *root;

	wk->out->failures++;
	if (!wk->first_why[0])
		strv_copy_printable(strv_c(why), wk->first_why, sizeof(wk->first_why));
	if (wk->root_checked || wk->out->fetches >= REDFISH_MAX_FETCHES || wk->spent)
		return;
	wk->root_checked = true;
	wk->out->fetches++;
	again[0] = '\0';
	root = wk->src->get(wk->src, REDFISH_ROOT, again, sizeof(again));
	wk->down = !json_is_object(root);
	json_decref(root);
}

/*
 * The resource at path, depth links from the root: borrowed from the cache
 * (valid until the walk ends), or NULL with why (borrowed too, or a fixed
 * text) when it cannot be had or may not be followed.
 */
static const json_t *fetch(struct walk *wk, const char *path, int depth, const char **why)
{
	char p[REDFISH_PATH_MAX + 1], buf[REDFISH_WHY] = "";
	struct entry *e;
	json_t *doc;

	*why = "a link that is not a /redfish/v1 path";
	if (!norm_path(path, p, sizeof(p)) || wk->down || wk->err)
		return NULL;
	e = cache_find(wk, p);
	if (e) {
		*why = e->why ? e->why : "not a JSON object";
		return e->doc;
	}
	*why = "deeper than the walk goes";
	if (depth > REDFISH_MAX_DEPTH)
		return NULL;
	*why = "more resources than a walk reads";
	if (wk->out->fetches >= REDFISH_MAX_FETCHES || wk->spent)
		return NULL;
	e = cache_add(wk, p);
	if (!e) {
		wk->err = -ENOMEM;
		*why = "out of memory";
		return NULL;
	}
	wk->out->fetches++;
	doc = wk->src->get(wk->src, p, buf, sizeof(buf));
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		snprintf(buf, sizeof(buf), "%.300s: not a JSON object", p);
	}
	if (doc) {
		wk->values += json_values(doc, REDFISH_MAX_VALUES);
		if (wk->values > REDFISH_MAX_VALUES) {
			json_decref(doc);
			doc = NULL;
			wk->spent = true;
			snprintf(buf, sizeof(buf), "%.300s: more JSON than a walk holds", p);
		}
	}
	e->doc = doc;
	if (!doc) {
		char clean[REDFISH_WHY];

		if (!buf[0])
			snprintf(buf, sizeof(buf), "%.300s: could not be read", p);
		/* the source's words reach a reason: one printable line whatever it said */
		strv_copy_printable(strv_make(buf, strnlen(buf, sizeof(buf))), clean,
				    sizeof(clean));
		e->why = strdup(clean);
		failed(wk, clean);
	}
	*why = e->why ? e->why : "out of memory";
	return doc;
}

/* fetch() for a container: NULL also when it was walked before (*why then NULL). */
static const json_t *visit(struct walk *wk, const char *path, int depth, const char **why)
{
	char p[REDFISH_PATH_MAX + 1];
	const json_t *doc = fetch(wk, path, depth, why);
	struct entry *e;

	if (!doc || !norm_path(path, p, sizeof(p)) || !(e = cache_find(wk, p)))
		return NULL;
	if (e->walked) {
		*why = NULL;
		return NULL;
	}
	e->walked = true;
	return doc;
}

/* The links of a collection's Members (at most REDFISH_MAX_MEMBERS). */
static size_t members(const json_t *coll, const char **links, size_t max)
{
	const json_t *m = json_object_get(coll, "Members");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(m) && n < max; i++) {
		const char *l = rf_link(json_array_get(m, i), NULL);

		if (l)
			links[n++] = l;
	}
	return n;
}

/* A member's key: a printable MemberId of an array entry, else its index. */
static void entry_key(const json_t *entry, size_t i, char *out, size_t len)
{
	const char *id = rf_str(entry, "MemberId");

	if (id && strv_is_graph(strv_c(id)) && strlen(id) < len)
		snprintf(out, len, "%s", id);
	else
		snprintf(out, len, "%zu", i);
}

/* --- power ---------------------------------------------------------------------------- */

static bool link_in(const char *link, const json_t *arr)
{
	for (size_t i = 0; link && i < json_array_size(arr); i++) {
		const char *l = rf_link(json_array_get(arr, i), NULL);

		if (l && strcmp(l, link) == 0)
			return true;
	}
	return false;
}

/* Whether link is named by one of the set's Redundancy objects (under key). */
static bool in_redundancy(const struct rf_set *s, const char *key, const char *link)
{
	for (size_t i = 0; i < s->n_red; i++) {
		if (link_in(link, json_object_get(s->red[i], key)))
			return true;
	}
	return false;
}

static void take_redundancy(struct rf_set *s, const json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr) && s->n_red < RF_MAX_RED; i++) {
		if (json_is_object(json_array_get(arr, i)))
			s->red[s->n_red++] = json_array_get(arr, i);
	}
}

/* One member by link: fetched, keyed by its last segment; a link listed twice counts once. */
static int add_linked(struct walk *wk, struct rf_member **v, size_t *n, size_t *cap,
		      const char *link, int depth, bool in_set)
{
	struct rf_member *m;
	const char *why;

	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].link && strcmp((*v)[i].link, link) == 0)
			return 0;
	}
	m = rf_member_add(v, n, cap);
	if (!m)
		return *n >= REDFISH_MAX_MEMBERS ? 0 : -ENOMEM;
	last_segment(link, m->key, sizeof(m->key));
	m->link = link;
	m->in_set = in_set;
	m->res = fetch(wk, link, depth, &why);
	if (!m->res)
		snprintf(m->why, sizeof(m->why), "%s", why);
	return 0;
}

/* The supplies of a PowerSubsystem: true when it lists any (else the legacy Power is read). */
static bool power_subsystem(struct walk *wk, struct rf_set *s, const json_t *ps, int depth)
{
	const char *links[REDFISH_MAX_MEMBERS], *why;
	const json_t *coll;
	size_t n = 0;

	take_redundancy(s, json_object_get(ps, "PowerSupplyRedundancy"));
	coll = rf_link(ps, "PowerSupplies")
		       ? fetch(wk, rf_link(ps, "PowerSupplies"), depth + 1, &why)
		       : NULL;
	if (coll)
		n = members(coll, links, REDFISH_MAX_MEMBERS);
	for (size_t i = 0; i < n && !wk->err; i++)
		wk->err = add_linked(wk, &s->m, &s->n, &s->cap, links[i], depth + 2,
				     in_redundancy(s, "RedundancyGroup", links[i]));
	for (size_t r = 0; r < s->n_red && !wk->err; r++) {
		const json_t *g = json_object_get(s->red[r], "RedundancyGroup");

		for (size_t i = 0; i < json_array_size(g) && !wk->err; i++) {
			const char *l = rf_link(json_array_get(g, i), NULL);

			if (l && !link_in(l, json_object_get(coll, "Members")))
				wk->err = add_linked(wk, &s->m, &s->n, &s->cap, l, depth + 2, true);
		}
	}
	return s->n > 0 || (!coll && rf_link(ps, "PowerSupplies"));
}

/* The supplies of a legacy Power resource, inline. */
static void legacy_power(struct walk *wk, struct rf_set *s, const json_t *pw)
{
	const json_t *arr = json_object_get(pw, "PowerSupplies");

	take_redundancy(s, json_object_get(pw, "Redundancy"));
	for (size_t i = 0; i < json_array_size(arr) && !wk->err; i++) {
		const json_t *e = json_array_get(arr, i);
		struct rf_member *m = rf_member_add(&s->m, &s->n, &s->cap);

		if (!m) {
			wk->err = s->n >= REDFISH_MAX_MEMBERS ? 0 : -ENOMEM;
			break;
		}
		entry_key(e, i, m->key, sizeof(m->key));
		m->res = json_is_object(e) ? e : NULL;
		snprintf(m->why, sizeof(m->why), "PowerSupplies[%zu] is not an object", i);
		m->in_set = in_redundancy(s, "RedundancySet", rf_link(e, NULL));
	}
}

static void set_free(struct rf_set *s)
{
	free(s->m);
	s->m = NULL;
	s->n = s->cap = 0;
}

/* Whether doc is of the schema named (its @odata.type "#Name.v1_2_3.Name"); no type: taken as is. */
static bool of_type(const json_t *doc, const char *name)
{
	const char *t = rf_str(doc, "@odata.type");
	size_t n = strlen(name);

	return !t || (t[0] == '#' && strncmp(t + 1, name, n) == 0 && t[1 + n] == '.');
}

/*
 * A chassis' resource of schema key (PowerSubsystem, Power, ...): through
 * its link, else, when the link leads nowhere or to another schema, at the
 * URI the schema defines (DSP0266 since 1.6: /redfish/v1/Chassis/{id}/key),
 * as a DMTF mockup's wrong link showed.  NULL when the chassis has no such
 * link, or neither could be had (then *failed).
 */
static const json_t *chassis_part(struct walk *wk, const char *cpath, const json_t *ch,
				  const char *key, int depth, bool *failed)
{
	const char *link = rf_link(ch, key), *why;
	char conv[REDFISH_PATH_MAX + 32];
	const json_t *doc;

	*failed = false;
	if (!link)
		return NULL;
	doc = fetch(wk, link, depth, &why);
	if (doc && of_type(doc, key))
		return doc;
	snprintf(conv, sizeof(conv), "%s/%s", cpath, key);
	if (strcmp(conv, link) != 0) {
		doc = fetch(wk, conv, depth, &why);
		if (doc && of_type(doc, key))
			return doc;
	}
	*failed = true;
	return NULL;
}

static void chassis_power(struct walk *wk, const char *cpath, const json_t *ch, int depth)
{
	struct rf_set s = { .kind = "psu-redfish", .psu = true };
	const json_t *doc;
	bool failed, done = false;

	if (!group_name(cpath, ":psu", s.name, sizeof(s.name)))
		return;
	doc = chassis_part(wk, cpath, ch, "PowerSubsystem", depth + 1, &failed);
	if (doc)
		done = power_subsystem(wk, &s, doc, depth + 1);
	/* The legacy view of the same supplies names them otherwise: never after a failure. */
	if (!done && !failed) {
		set_free(&s);
		s.n_red = 0;
		doc = chassis_part(wk, cpath, ch, "Power", depth + 1, &failed);
		if (doc)
			legacy_power(wk, &s, doc);
	}
	if (s.n && !wk->err)
		wk->err = rf_add_set(&wk->w->ms, &s, wk->out);
	set_free(&s);
}
/* --- fans ----------------------------------------------------------------------------- */

/*
 * The suffix of a chassis' fan set when it has several: what its member
 * keys share ("Bay1", "Bay2": "bay"), lowercase letters and digits, else
 * its number; unique among the chassis' sets.
 */
static void fan_suffix(const struct rf_set *s, size_t idx, char used[][24], char *out, size_t len)
{
	char p[24] = "";
	size_t k = 0;

	if (s->n > 0) {
		size_t common = strlen(s->m[0].key);

		for (size_t i = 1; i < s->n; i++) {
			size_t j = 0;

			while (j < common && s->m[i].key[j] == s->m[0].key[j])
				j++;
			common = j;
		}
		for (size_t i = 0; i < common && k + 1 < sizeof(p); i++) {
			unsigned char c = (unsigned char)s->m[0].key[i];

			if (isalpha(c))
				p[k++] = (char)tolower(c);
		}
		p[k] = '\0';
	}
	for (size_t i = 0; i < idx; i++) {
		if (strcmp(used[i], p) == 0)
			p[0] = '\0';
	}
	if (!p[0])
		snprintf(p, sizeof(p), "%zu", idx + 1);
	snprintf(used[idx], sizeof(used[idx]), "%s", p);
	snprintf(out, len, "%s", p);
}

/* Name each set of a chassis and hand it to the rules. */
static void add_fan_sets(struct walk *wk, const char *cpath, struct rf_set *sets, size_t n)
{
	char used[MAX_FAN_SETS][24], suffix[24];

	for (size_t i = 0; i < n && !wk->err; i++) {
		char tail[32] = ":fans";

		if (n > 1) {
			fan_suffix(&sets[i], i, used, suffix, sizeof(suffix));
			snprintf(tail, sizeof(tail), ":fans-%s", suffix);
		}
		if (!group_name(cpath, tail, sets[i].name, sizeof(sets[i].name)))
			return;
		if (sets[i].n)
			wk->err = rf_add_set(&wk->w->ms, &sets[i], wk->out);
	}
}

/* The fans each FanRedundancy of a ThermalSubsystem names, fetched. */
static size_t thermal_subsystem(struct walk *wk, const json_t *ts, struct rf_set *sets, int depth)
{
	const json_t *arr = json_object_get(ts, "FanRedundancy");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(arr) && n < MAX_FAN_SETS && !wk->err; i++) {
		const json_t *r = json_array_get(arr, i),
			     *g = json_object_get(r, "RedundancyGroup");
		struct rf_set *s = &sets[n];

		if (!json_is_object(r))
			continue;
		s->red[s->n_red++] = r;
		n++;
		for (size_t j = 0; j < json_array_size(g) && !wk->err; j++) {
			const char *l = rf_link(json_array_get(g, j), NULL);

			if (l)
				wk->err = add_linked(wk, &s->m, &s->n, &s->cap, l, depth + 1, true);
		}
	}
	return n;
}

/* The inline fan a legacy RedundancySet link names: by @odata.id, else by "#/Fans/N". */
static const json_t *legacy_fan(const json_t *fans, const char *link, size_t *idx)
{
	const char *frag = strstr(link, "#/Fans/");
	long long i;

	for (size_t k = 0; k < json_array_size(fans); k++) {
		const char *l = rf_link(json_array_get(fans, k), NULL);

		if (l && strcmp(l, link) == 0) {
			*idx = k;
			return json_array_get(fans, k);
		}
	}
	if (frag && strv_to_ll(strv_c(frag + 7), 0, REDFISH_MAX_MEMBERS, &i) == 0 &&
	    json_is_object(json_array_get(fans, (size_t)i))) {
		*idx = (size_t)i;
		return json_array_get(fans, (size_t)i);
	}
	return NULL;
}

/* The sets of a legacy Thermal: each Redundancy and the inline fans its RedundancySet names. */
static size_t legacy_thermal(struct walk *wk, const json_t *th, struct rf_set *sets)
{
	const json_t *arr = json_object_get(th, "Redundancy"), *fans = json_object_get(th, "Fans");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(arr) && n < MAX_FAN_SETS && !wk->err; i++) {
		const json_t *r = json_array_get(arr, i),
			     *set = json_object_get(r, "RedundancySet");
		struct rf_set *s = &sets[n];

		if (!json_is_object(r))
			continue;
		s->red[s->n_red++] = r;
		n++;
		for (size_t j = 0; j < json_array_size(set); j++) {
			const char *l = rf_link(json_array_get(set, j), NULL);
			size_t idx = 0;
			const json_t *fan = l ? legacy_fan(fans, l, &idx) : NULL;
			struct rf_member *m = rf_member_add(&s->m, &s->n, &s->cap);

			if (!m) {
				wk->err = s->n >= REDFISH_MAX_MEMBERS ? 0 : -ENOMEM;
				break;
			}
			entry_key(fan, fan ? idx : j, m->key, sizeof(m->key));
			m->res = fan;
			m->in_set = true;
			snprintf(m->why, sizeof(m->why), "RedundancySet[%zu] names no fan of Fans",
				 j);
		}
	}
	return n;
}

static void chassis_fans(struct walk *wk, const char *cpath, const json_t *ch, int depth)
{
	struct rf_set sets[MAX_FAN_SETS];
	const json_t *doc;
	bool failed;
	size_t n = 0;

	memset(sets, 0, sizeof(sets));
	for (size_t i = 0; i < MAX_FAN_SETS; i++)
		sets[i].kind = "fan-redfish";
	doc = chassis_part(wk, cpath, ch, "ThermalSubsystem", depth + 1, &failed);
	if (doc)
		n = thermal_subsystem(wk, doc, sets, depth + 1);
	if (n == 0 && !failed) {
		doc = chassis_part(wk, cpath, ch, "Thermal", depth + 1, &failed);
		n = doc ? legacy_thermal(wk, doc, sets) : 0;
	}
	add_fan_sets(wk, cpath, sets, n);
	for (size_t i = 0; i < MAX_FAN_SETS; i++)
		set_free(&sets[i]);
}

static void walk_chassis(struct walk *wk, const char *coll_path)
{
	const char *links[REDFISH_MAX_MEMBERS], *why;
	const json_t *coll = visit(wk, coll_path, 1, &why);
	size_t n = coll ? members(coll, links, REDFISH_MAX_MEMBERS) : 0;

	for (size_t i = 0; i < n && !wk->err && !wk->down; i++) {
		const json_t *ch = visit(wk, links[i], 2, &why);
		char p[REDFISH_PATH_MAX + 1];

		if (!ch || !norm_path(links[i], p, sizeof(p)))
			continue;
		chassis_power(wk, p, ch, 2);
		chassis_fans(wk, p, ch, 2);
	}
}

/* --- storage ---------------------------------------------------------------------------- */

/* The drives of a volume (Links.Drives) and its dedicated spares. */
static void volume_drives(struct walk *wk, struct rf_volume *v, int depth)
{
	const json_t *links = json_object_get(v->vol, "Links");
	const json_t *d = json_object_get(links, "Drives");
	const json_t *ds = json_object_get(links, "DedicatedSpareDrives");

	for (size_t i = 0; i < json_array_size(d) && !wk->err; i++) {
		const char *l = rf_link(json_array_get(d, i), NULL);

		if (l)
			wk->err = add_linked(wk, &v->drive, &v->n_drive, &v->cap_drive, l,
					     depth + 1, true);
	}
	for (size_t i = 0; i < json_array_size(ds) && !wk->err; i++) {
		const char *l = rf_link(json_array_get(ds, i), NULL), *why;
		const json_t *drv = l ? fetch(wk, l, depth + 1, &why) : NULL;
		struct rf_member *m;

		if (!drv || !rf_drive_spare(drv, true))
			continue;
		m = rf_member_add(&v->spare, &v->n_spare, &v->cap_spare);
		if (!m)
			break;
		last_segment(l, m->key, sizeof(m->key));
		m->res = drv;
	}
}

static bool is_drive_of(const struct rf_volume *v, const char *link)
{
	return link_in(link, json_object_get(json_object_get(v->vol, "Links"), "Drives"));
}

/* The storage's global hot spares, for a redundant volume: fetched only when one needs them. */
static void global_spares(struct walk *wk, const json_t *st, struct rf_volume *v, int depth)
{
	const json_t *d = json_object_get(st, "Drives");

	if (!rf_volume_redundant(v->vol))
		return;
	for (size_t i = 0; i < json_array_size(d) && !wk->err; i++) {
		const char *l = rf_link(json_array_get(d, i), NULL), *why;
		const json_t *drv = l && !is_drive_of(v, l) ? fetch(wk, l, depth, &why) : NULL;
		struct rf_member *m;

		if (!drv || !rf_drive_spare(drv, false))
			continue;
		m = rf_member_add(&v->spare, &v->n_spare, &v->cap_spare);
		if (!m)
			break;
		last_segment(l, m->key, sizeof(m->key));
		m->res = drv;
	}
}

static void walk_volume(struct walk *wk, const json_t *st, const char *link, int depth)
{
	struct rf_volume v = { 0 };
	const char *why;

	if (!group_name(link, "", v.name, sizeof(v.name)))
		return;
	v.vol = visit(wk, link, depth, &why);
	if (!v.vol) {
		if (why)
			wk->err = rf_add_unknown(&wk->w->ms, v.name, "raid", why, wk->out);
		return;
	}
	volume_drives(wk, &v, depth);
	global_spares(wk, st, &v, depth + 1);
	if (!wk->err)
		wk->err = rf_add_volume(&wk->w->ms, &v, wk->out);
	free(v.drive);
	free(v.spare);
}

static void walk_storage(struct walk *wk, const char *link, int depth)
{
	const char *vols[REDFISH_MAX_MEMBERS], *why;
	const json_t *st = visit(wk, link, depth, &why), *coll;
	size_t n;

	if (!st || !rf_link(st, "Volumes"))
		return;
	coll = visit(wk, rf_link(st, "Volumes"), depth + 1, &why);
	n = coll ? members(coll, vols, REDFISH_MAX_MEMBERS) : 0;
	for (size_t i = 0; i < n && !wk->err && !wk->down; i++)
		walk_volume(wk, st, vols[i], depth + 2);
}

static void walk_systems(struct walk *wk, const char *coll_path)
{
	const char *sys[REDFISH_MAX_MEMBERS], *sto[REDFISH_MAX_MEMBERS], *why;
	const json_t *coll = visit(wk, coll_path, 1, &why);
	size_t n = coll ? members(coll, sys, REDFISH_MAX_MEMBERS) : 0;

	for (size_t i = 0; i < n && !wk->err && !wk->down; i++) {
		const json_t *s = visit(wk, sys[i], 2, &why), *sc;
		size_t k;

		if (!s || !rf_link(s, "Storage"))
			continue;
		sc = visit(wk, rf_link(s, "Storage"), 3, &why);
		k = sc ? members(sc, sto, REDFISH_MAX_MEMBERS) : 0;
		for (size_t j = 0; j < k && !wk->err && !wk->down; j++)
			walk_storage(wk, sto[j], 4);
	}
}

/* --- the walk --------------------------------------------------------------------------- */

struct redfish_walk *redfish_walk_new(void)
{
	return calloc(1, sizeof(struct redfish_walk));
}

void redfish_walk_free(struct redfish_walk *w)
{
	if (!w)
		return;
	rf_memos_free(&w->ms);
	free(w);
}

/* After the walk: the groups it could not read, or the memory of those gone. */
static int walk_end(struct walk *wk, char *why, size_t why_len)
{
	if (wk->err) {
		snprintf(why, why_len, "out of memory");
		return wk->err;
	}
	if (wk->down) {
		snprintf(why, why_len, "%s (and the service root no longer answers)",
			 wk->first_why);
		return -EIO;
	}
	if (wk->out->failures)
		return rf_add_unread(&wk->w->ms, wk->first_why, wk->out);
	rf_memos_prune(&wk->w->ms);
	return 0;
}

int redfish_walk_run(struct redfish_walk *w, struct redfish_source *src, struct redfish_result *ret,
		     char *why, size_t why_len)
{
	struct walk wk = { .w = w, .src = src, .out = ret };
	const json_t *root;
	const char *rwhy;
	int rc;

	memset(ret, 0, sizeof(*ret));
	w->ms.walk++;
	wk.root_checked = true; /* the root itself failing is the walk failing */
	root = fetch(&wk, REDFISH_ROOT, 0, &rwhy);
	if (!root) {
		strv_copy_printable(strv_c(rwhy), why, why_len);
		cache_free(&wk);
		return wk.err ? wk.err : -EIO;
	}
	wk.root_checked = false;
	if (rf_link(root, "Chassis"))
		walk_chassis(&wk, rf_link(root, "Chassis"));
	if (rf_link(root, "Systems") && !wk.down && !wk.err)
		walk_systems(&wk, rf_link(root, "Systems"));
	rc = walk_end(&wk, why, why_len);
	cache_free(&wk);
	return rc;
}
