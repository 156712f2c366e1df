// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPMI Power Supply / Power Unit sensors to one PSU group: see ipmi_psu.h.
 *
 * How the verdict is reached:
 *   1. Each supply sensor becomes a supply: absent, failed (failure, input
 *      lost, configuration error), standby (inactive) or ok; predictive
 *      failure and "input out of range, but present" are warnings that keep
 *      the supply in service but name it in the reasons.
 *   2. psu_set_eval() counts bays (every supply seen present since the probe
 *      started, so a pulled supply is missing, not a smaller set), learns N
 *      and gives margin = usable - N from the supply sensors.
 *   3. A redundancy sensor, where the BMC has one, gives N on first sight
 *      (fully redundant: usable - 1; lost: usable; insufficient: usable + 1)
 *      and its own margin; the group takes the worse of the two and says so
 *      when they disagree.  Some BMCs report per-supply state unreliably (a
 *      supply without AC still reads "Presence detected" only) while the
 *      redundancy sensor is right: the worse-of rule covers that.
 */
#include "ipmi_psu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words libfreeipmi and ipmi-sensors print, IPMI 2.0 table 42-3, type 08h. */
static const char *const psu_words[8] = {
	"Presence detected",
	"Power Supply Failure detected",
	"Predictive Failure",
	"Power Supply input lost (AC/DC)",
	"Power Supply input lost or out-of-range",
	"Power Supply input out-of-range, but present",
	"Configuration error",
	"Power Supply Inactive (in standby state)",
};

/* Table 42-3, type 09h Power Unit (only shown, never interpreted). */
static const char *const unit_words[8] = {
	"Power Off/Power Down",
	"Power Cycle",
	"240VA Power Down",
	"Interlock Power Down",
	"AC lost/Power input lost",
	"Soft Power Control Failure",
	"Power Unit Failure detected",
	"Predictive Failure",
};

/* Table 42-2, generic event/reading type 0Bh. */
static const char *const red_words[8] = {
	"Fully Redundant",
	"Redundancy Lost",
	"Redundancy Degraded",
	"Non-redundant:Sufficient Resources from Redundant",
	"Non-redundant:Sufficient Resources from Insufficient Resources",
	"Non-redundant:Insufficient Resources",
	"Redundancy Degraded from Fully Redundant",
	"Redundancy Degraded from Non-redundant",
};

/* Table 42-2, generic event/reading type 08h. */
static const char *const avail_words[8] = {
	"Device Removed/Device Absent",
	"Device Inserted/Device Present",
};

enum {
	PSU_PRESENT = 1u << 0,
	PSU_FAILURE = 1u << 1,
	PSU_PREDICTIVE = 1u << 2,
	PSU_IN_LOST = 1u << 3,
	PSU_IN_LOST_OOR = 1u << 4,
	PSU_IN_OOR = 1u << 5,
	PSU_CONFIG = 1u << 6,
	PSU_INACTIVE = 1u << 7,
};

static bool is_redundancy(const struct ipmi_sensor *s)
{
	return s->ertype == IPMI_ERT_REDUNDANCY &&
	       (s->type == IPMI_SENSOR_TYPE_PSU || s->type == IPMI_SENSOR_TYPE_PWR_UNIT);
}

static bool is_supply(const struct ipmi_sensor *s)
{
	return s->type == IPMI_SENSOR_TYPE_PSU &&
	       (s->ertype == IPMI_ERT_SPECIFIC || s->ertype == IPMI_ERT_AVAILABILITY);
}

bool ipmi_sensor_relevant(uint8_t type, uint8_t ertype)
{
	const struct ipmi_sensor s = { .type = type, .ertype = ertype };

	return is_supply(&s) || is_redundancy(&s);
}

enum ipmi_redundancy ipmi_redundancy_of(uint16_t bitmask)
{
	/* A BMC should assert one offset; if it asserts several, the worst wins. */
	if (bitmask & (1u << 5))
		return IPMI_RED_INSUFFICIENT;
	if (bitmask & ((1u << 1) | (1u << 3) | (1u << 4)))
		return IPMI_RED_LOST;
	if (bitmask & ((1u << 2) | (1u << 6) | (1u << 7)))
		return IPMI_RED_DEGRADED;
	if (bitmask & 1u)
		return IPMI_RED_FULL;
	return IPMI_RED_NONE;
}

void ipmi_state_text(uint8_t type, uint8_t ertype, uint16_t bitmask, char *buf, size_t len)
{
	const char *const *words = NULL;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ertype == IPMI_ERT_REDUNDANCY)
		words = red_words;
	else if (ertype == IPMI_ERT_AVAILABILITY)
		words = avail_words;
	else if (ertype == IPMI_ERT_SPECIFIC && type == IPMI_SENSOR_TYPE_PSU)
		words = psu_words;
	else if (ertype == IPMI_ERT_SPECIFIC && type == IPMI_SENSOR_TYPE_PWR_UNIT)
		words = unit_words;
	for (unsigned int i = 0; i < 15; i++) {
		if (!(bitmask & (1u << i)))
			continue;
		if (words && i < 8 && words[i])
			psu_text_add(buf, len, ", ", "%s", words[i]);
		else
			psu_text_add(buf, len, ", ", "offset %u", i);
	}
	if (!buf[0])
		snprintf(buf, len, "none asserted");
}

void ipmi_supply_view(const struct ipmi_sensor *s, struct psu_view *ret)
{
	uint16_t b = s->bitmask;

	memset(ret, 0, sizeof(*ret));
	if (s->status == IPMI_READ_UNAVAILABLE) {
		/* Several BMCs mark the sensor of an empty bay unavailable. */
		ret->cond = PSU_ABSENT;
		snprintf(ret->state, sizeof(ret->state), "reading unavailable");
		snprintf(ret->why, sizeof(ret->why), "not present (sensor reading unavailable)");
		return;
	}
	if (s->status != IPMI_READ_OK) {
		ret->cond = PSU_UNKNOWN;
		snprintf(ret->state, sizeof(ret->state), "read failed");
		snprintf(ret->why, sizeof(ret->why), "sensor could not be read");
		return;
	}
	ipmi_state_text(s->type, s->ertype, b, ret->state, sizeof(ret->state));
	if (s->ertype == IPMI_ERT_AVAILABILITY) {
		if (b & 2u) {
			ret->cond = PSU_OK;
		} else {
			ret->cond = PSU_ABSENT;
			snprintf(ret->why, sizeof(ret->why), "not present");
		}
		return;
	}
	if (b & (PSU_FAILURE | PSU_IN_LOST | PSU_IN_LOST_OOR | PSU_CONFIG)) {
		/* Failure bits mean a supply is there, whatever the presence bit says. */
		ret->cond = PSU_FAILED;
		if (b & PSU_FAILURE)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "failure detected");
		if (b & PSU_IN_LOST)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "input lost");
		else if (b & PSU_IN_LOST_OOR)
			psu_text_add(ret->why, sizeof(ret->why), ", ",
				     "input lost or out of range");
		if (b & PSU_CONFIG)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "configuration error");
		if (b & PSU_PREDICTIVE)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "predictive failure");
		return;
	}
	if (!(b & PSU_PRESENT)) {
		ret->cond = PSU_ABSENT;
		snprintf(ret->why, sizeof(ret->why), "not present");
		return;
	}
	ret->cond = b & PSU_INACTIVE ? PSU_STANDBY : PSU_OK;
	if (b & PSU_PREDICTIVE)
		psu_text_add(ret->why, sizeof(ret->why), ", ", "predictive failure");
	if (b & PSU_IN_OOR)
		psu_text_add(ret->why, sizeof(ret->why), ", ", "input out of range");
	ret->warn = ret->why[0] != '\0';
}

static int grow(struct ipmi_set *p, size_t n)
{
	struct ipmi_bay *bays;

	if (n <= p->cap)
		return 0;
	bays = reallocarray(p->bays, n, sizeof(*bays));
	if (!bays)
		return -ENOMEM;
	p->bays = bays;
	p->cap = n;
	return 0;
}

/*
 * Member names: the sensor's ID string.  BMCs reuse one string for every bay
 * ("Status" at entity 10.1 and 10.2), so a repeated name gets its entity.
 */
static void make_keys(struct ipmi_set *p, const struct ipmi_sensor *const *sup, size_t n,
		      const char *fallback)
{
	for (size_t i = 0; i < n; i++) {
		const struct ipmi_sensor *s = sup[i];
		bool dup = false;

		for (size_t j = 0; j < n && !dup; j++)
			dup = j != i && strcmp(sup[j]->name, s->name) == 0;
		if (s->name[0] == '\0')
			snprintf(p->bays[i].key, sizeof(p->bays[i].key), "%s %u.%u", fallback,
				 s->entity_id, s->entity_instance);
		else if (dup)
			snprintf(p->bays[i].key, sizeof(p->bays[i].key), "%s (%u.%u)", s->name,
				 s->entity_id, s->entity_instance);
		else
			snprintf(p->bays[i].key, sizeof(p->bays[i].key), "%s", s->name);
	}
	/*
	 * Same name and entity too (a shared record, a broken SDR): number them in
	 * SDR order, which is stable while the SDR is.
	 */
	for (size_t i = 0; i < n; i++) {
		unsigned int k = 2;
		bool again = true;

		while (again) {
			again = false;
			for (size_t j = 0; j < i && !again; j++)
				again = strcmp(p->bays[i].key, p->bays[j].key) == 0;
			if (again)
				snprintf(p->bays[i].key, sizeof(p->bays[i].key), "%s #%u",
					 sup[i]->name[0] ? sup[i]->name : fallback, k++);
		}
	}
}

int ipmi_set_bays(struct ipmi_set *p, const struct ipmi_sensor *const *lead, size_t n,
		  const char *fallback)
{
	int rc = grow(p, n);

	if (rc < 0)
		return rc;
	make_keys(p, lead, n, fallback);
	/* Entity id.instance (IPMI 2.0 section 39): 10.2 = power supply 2. */
	for (size_t i = 0; i < n; i++)
		snprintf(p->bays[i].location, sizeof(p->bays[i].location), "entity %u.%u",
			 lead[i]->entity_id, lead[i]->entity_instance);
	psu_group_begin(&p->pg);
	return 0;
}

/* A redundancy state in a reason. */
static const char *const red_names[] = {
	[IPMI_RED_NONE] = "no state",
	[IPMI_RED_FULL] = "fully redundant",
	[IPMI_RED_DEGRADED] = "redundancy degraded",
	[IPMI_RED_LOST] = "redundancy lost",
	[IPMI_RED_INSUFFICIENT] = "insufficient resources",
};

/* The margin a redundancy state allows, given the set's nominal margin. */
static int32_t red_margin(enum ipmi_redundancy r, int32_t nominal)
{
	switch (r) {
	case IPMI_RED_FULL:
	case IPMI_RED_NONE:
		return nominal;
	case IPMI_RED_DEGRADED:
		return nominal >= 2 ? nominal - 1 : nominal;
	case IPMI_RED_LOST:
		return 0;
	case IPMI_RED_INSUFFICIENT:
		break;
	}
	return -1;
}

static bool red_agrees(enum ipmi_redundancy r, int32_t m, int32_t nominal)
{
	switch (r) {
	case IPMI_RED_FULL:
		return m >= nominal;
	case IPMI_RED_DEGRADED:
		return nominal <= 1 ? m == nominal : m > 0 && m < nominal;
	case IPMI_RED_LOST:
		return m == 0;
	case IPMI_RED_INSUFFICIENT:
		return m < 0;
	case IPMI_RED_NONE:
		break;
	}
	return true;
}

/* N as a redundancy state implies it for `usable` working members; 0 if none. */
static int red_hint(enum ipmi_redundancy r, int usable)
{
	switch (r) {
	case IPMI_RED_FULL:
	case IPMI_RED_DEGRADED:
		return usable > 1 ? usable - 1 : 0;
	case IPMI_RED_LOST:
		return usable;
	case IPMI_RED_INSUFFICIENT:
		return usable + 1;
	case IPMI_RED_NONE:
		break;
	}
	return 0;
}

/* No member sensor to count: the redundancy sensor alone gives the margin. */
static int eval_redundancy_only(struct ipmi_set *p, const struct ipmi_set_words *w,
				const struct ipmi_sensor *red, enum ipmi_redundancy worst,
				struct redmon_group *g)
{
	char st[256];

	ipmi_state_text(red->type, red->ertype, red->bitmask, st, sizeof(st));
	p->reason.len = 0;
	if (strbuf_addf(&p->reason, NULL, "no per-%s sensors: margin from %s alone (%s)", w->unit,
			p->name, st) < 0)
		return -ENOMEM;
	memset(g, 0, sizeof(*g));
	g->name = p->name;
	g->kind = w->kind;
	g->type = "n+1";
	g->members_total = -1;
	g->members_ok = -1;
	g->margin_nominal = 1;
	g->margin = red_margin(worst, 1);
	g->progress = -1;
	g->reason = strbuf_str(&p->reason);
	return 0;
}

/*
 * The BMC says the set was built redundant but we count no spare bay: a
 * member was pulled before we started.  Count empty bays until it adds up.
 */
static int count_unseen_bays(struct ipmi_set *p, int required, struct redmon_group *g)
{
	const struct psu_eval *ev = &p->pg.ev;
	int deficit = ev->needed + 1 - ev->total;

	for (size_t i = 0; i < p->pg.n && deficit > 0; i++) {
		if (p->pg.sup[i].view.cond == PSU_ABSENT &&
		    !psu_set_seen(&p->pg.set, p->bays[i].key)) {
			p->pg.sup[i].count_absent = true;
			deficit--;
		}
	}
	return psu_group_eval(&p->pg, required, 0, p->name, g);
}

int ipmi_set_finish(struct ipmi_set *p, const struct ipmi_set_words *w,
		    const struct ipmi_sensor *first_red, enum ipmi_redundancy worst, int required,
		    struct redmon_group *g)
{
	const struct psu_eval *ev = &p->pg.ev;
	int usable = 0, rc;
	bool oom = false;
	int32_t m_sup;

	for (size_t i = 0; i < p->pg.n; i++)
		usable += p->pg.sup[i].view.cond == PSU_OK || p->pg.sup[i].view.cond == PSU_STANDBY;
	rc = psu_group_eval(&p->pg, required, red_hint(worst, usable), p->name, g);
	if (rc == 0 && worst >= IPMI_RED_DEGRADED && ev->margin_nominal < 1)
		rc = count_unseen_bays(p, required, g);
	if (rc == -ENODATA && worst != IPMI_RED_NONE)
		return eval_redundancy_only(p, w, first_red, worst, g);
	if (rc < 0)
		return rc;
	g->kind = w->kind;

	p->reason.len = 0;
	m_sup = ev->margin;
	if (worst != IPMI_RED_NONE) {
		int32_t m_red = red_margin(worst, ev->margin_nominal);

		if (!red_agrees(worst, m_sup, ev->margin_nominal)) {
			oom |= strbuf_addf(&p->reason, NULL,
					   "%s reads %s but the %s sensors show %d of %d usable "
					   "(%d needed): reporting the worse",
					   p->name, red_names[worst], w->unit, ev->usable,
					   ev->total, ev->needed) < 0;
		} else if (worst != IPMI_RED_FULL) {
			oom |= strbuf_addf(&p->reason, NULL, "%s: %s", p->name, red_names[worst]) <
			       0;
		}
		if (m_red < g->margin)
			g->margin = m_red;
	}
	if (ev->reason.len)
		oom |= strbuf_addf(&p->reason, "; ", "%s", ev->reason.p) < 0;
	if (required > 0 && ev->total < required)
		oom |= strbuf_addf(&p->reason, "; ", "only %d %s seen, %d required", ev->total,
				   w->units, required) < 0;
	if (oom)
		return -ENOMEM;
	g->reason = p->reason.len ? p->reason.p : NULL;
	return 0;
}

static const struct ipmi_set_words psu_set_words = {
	.kind = "psu",
	.unit = "supply",
	.units = "supplies",
};

int ipmi_psu_eval(struct ipmi_set *p, const struct ipmi_sensor *v, size_t n, int required,
		  struct redmon_group *g)
{
	const struct ipmi_sensor **sup = NULL, *first_red = NULL;
	enum ipmi_redundancy worst = IPMI_RED_NONE;
	size_t ns = 0;
	int rc;

	if (n > 0) {
		sup = calloc(n, sizeof(*sup));
		if (!sup)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_supply(&v[i]))
			sup[ns++] = &v[i];
		else if (is_redundancy(&v[i]) && v[i].status == IPMI_READ_OK) {
			enum ipmi_redundancy r = ipmi_redundancy_of(v[i].bitmask);

			if (!first_red)
				first_red = &v[i];
			if (r > worst)
				worst = r;
		}
	}
	snprintf(p->name, sizeof(p->name), "%s",
		 first_red && first_red->name[0] ? first_red->name : "PSU");

	rc = ipmi_set_bays(p, sup, ns, "PSU");
	for (size_t i = 0; i < ns && rc == 0; i++) {
		struct psu_view *view =
			psu_group_add(&p->pg, p->bays[i].key, p->bays[i].location, NULL);

		if (view)
			ipmi_supply_view(sup[i], view);
		else
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = ipmi_set_finish(p, &psu_set_words, first_red, worst, required, g);
	free(sup);
	return rc;
}

void ipmi_set_free(struct ipmi_set *p)
{
	if (!p)
		return;
	psu_group_free(&p->pg);
	strbuf_free(&p->reason);
	free(p->bays);
	memset(p, 0, sizeof(*p));
}
