// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPMI Fan sensors to one fan group: see ipmi_fan.h.
 *
 * How the verdict is reached:
 *   1. Each sensor gets a view: a tachometer below its lower critical (or
 *      non-recoverable) threshold, or stopped at 0 RPM with a lower threshold
 *      crossed, is failed; one at 0 RPM with no threshold crossed is taken as
 *      not fitted (absent: a header with nothing on it, or a fan that stopped
 *      on a BMC without thresholds, which the absent rule still catches once
 *      it was seen turning); a reading the BMC marks unavailable is absent,
 *      as for supplies.  Discrete states: device absent; severity critical or
 *      non-recoverable; availability power off, off line, degraded, install
 *      error are failures; the milder states are warnings.
 *   2. The sensors of one fan merge into one member, the worst view winning
 *      (absent over failed over unknown over ok).
 *   3. ipmi_set_finish() counts them by psu_set's rules and weighs in the fan
 *      redundancy sensor, exactly as for the PSU set.  Without `fans_required`
 *      and without a fan redundancy state, psu_set's "all but one" is N: one
 *      fan may stop (N+1), and the reason says the policy was assumed.
 */
#include "ipmi_fan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Threshold comparison status, IPMI 2.0 section 35.14; freeipmi's words. */
static const char *const threshold_words[] = {
	"At or Below (<=) Lower Non-Critical Threshold",
	"At or Below (<=) Lower Critical Threshold",
	"At or Below (<=) Lower Non-Recoverable Threshold",
	"At or Above (>=) Upper Non-Critical Threshold",
	"At or Above (>=) Upper Critical Threshold",
	"At or Above (>=) Upper Non-Recoverable Threshold",
};

/* Table 42-2, generic event/reading types 03h, 07h and 0Ah. */
static const char *const digital_words[] = { "State Deasserted", "State Asserted" };

static const char *const severity_words[] = {
	"transition to OK",
	"transition to Non-Critical from OK",
	"transition to Critical from less severe",
	"transition to Non-recoverable from less severe",
	"transition to Non-Critical from more severe",
	"transition to Critical from Non-recoverable",
	"transition to Non-recoverable",
	"Monitor",
	"Informational",
};

static const char *const dev_state_words[] = {
	"transition to Running",  "transition to In Test",    "transition to Power Off",
	"transition to On Line",  "transition to Off Line",   "transition to Off Duty",
	"transition to Degraded", "transition to Power Save", "Install Error",
};

#define N_WORDS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	TH_LNC = 1u << 0,
	TH_LC = 1u << 1,
	TH_LNR = 1u << 2,
	TH_UPPER = 7u << 3,
	SEV_FAILED = 1u << 2 | 1u << 3 | 1u << 5 | 1u << 6,
	SEV_WARN = 1u << 1 | 1u << 4 | 1u << 7,
	DEV_FAILED = 1u << 2 | 1u << 4 | 1u << 6 | 1u << 8,
	DEV_WARN = 1u << 1 | 1u << 5 | 1u << 7,
};

static bool names_fans(const char *name)
{
	return strcasestr(name, "fan") != NULL;
}

static bool is_redundancy(const struct ipmi_sensor *s)
{
	if (s->ertype != IPMI_ERT_REDUNDANCY)
		return false;
	if (s->type == IPMI_SENSOR_TYPE_FAN)
		return true;
	/* Types 08h/09h are the PSU set's, whatever the name says. */
	return s->type != IPMI_SENSOR_TYPE_PSU && s->type != IPMI_SENSOR_TYPE_PWR_UNIT &&
	       names_fans(s->name);
}

static bool is_fan(const struct ipmi_sensor *s)
{
	if (s->type != IPMI_SENSOR_TYPE_FAN)
		return false;
	switch (s->ertype) {
	case IPMI_ERT_THRESHOLD:
	case IPMI_ERT_DIGITAL:
	case IPMI_ERT_SEVERITY:
	case IPMI_ERT_AVAILABILITY:
	case IPMI_ERT_DEV_STATE:
		return true;
	default:
		return false;
	}
}

bool ipmi_fan_relevant(uint8_t type, uint8_t ertype, const char *name)
{
	struct ipmi_sensor s = { .type = type, .ertype = ertype };

	snprintf(s.name, sizeof(s.name), "%s", name ? name : "");
	return is_fan(&s) || is_redundancy(&s);
}

/* The asserted offsets in words, ", "-joined ("within thresholds": a tachometer crossing none). */
static void state_text(const struct ipmi_sensor *s, char *buf, size_t len)
{
	const char *const *words;
	size_t n;

	switch (s->ertype) {
	case IPMI_ERT_THRESHOLD:
		words = threshold_words, n = N_WORDS(threshold_words);
		break;
	case IPMI_ERT_DIGITAL:
		words = digital_words, n = N_WORDS(digital_words);
		break;
	case IPMI_ERT_SEVERITY:
		words = severity_words, n = N_WORDS(severity_words);
		break;
	case IPMI_ERT_DEV_STATE:
		words = dev_state_words, n = N_WORDS(dev_state_words);
		break;
	default:
		ipmi_state_text(s->type, s->ertype, s->bitmask, buf, len);
		return;
	}
	buf[0] = '\0';
	for (unsigned int i = 0; i < 15; i++) {
		if (!(s->bitmask & (1u << i)))
			continue;
		if (i < n)
			psu_text_add(buf, len, ", ", "%s", words[i]);
		else
			psu_text_add(buf, len, ", ", "offset %u", i);
	}
	if (!buf[0])
		snprintf(buf, len,
			 s->ertype == IPMI_ERT_THRESHOLD ? "within thresholds" : "none asserted");
}

static void tach_view(const struct ipmi_sensor *s, struct psu_view *ret)
{
	uint16_t b = s->bitmask;
	bool stopped = s->has_reading && s->reading < 1.0;

	if (b & (TH_LC | TH_LNR)) {
		ret->cond = PSU_FAILED;
		snprintf(ret->why, sizeof(ret->why), "%s",
			 stopped      ? "stopped (0 RPM)"
			 : b & TH_LNR ? "below the lower non-recoverable threshold"
				      : "below the lower critical threshold");
	} else if (stopped && (b & TH_LNC)) {
		ret->cond = PSU_FAILED;
		snprintf(ret->why, sizeof(ret->why), "stopped (0 RPM)");
	} else if (stopped) {
		ret->cond = PSU_ABSENT;
		snprintf(ret->why, sizeof(ret->why), "0 RPM and no threshold crossed: not fitted");
	} else {
		ret->cond = PSU_OK;
		if (b & TH_LNC)
			psu_text_add(ret->why, sizeof(ret->why), ", ",
				     "below the lower non-critical threshold");
		if (b & TH_UPPER)
			psu_text_add(ret->why, sizeof(ret->why), ", ", "above an upper threshold");
	}
}

/* A discrete state: the words of the offsets in fail (failed), else in warn (warning). */
static void discrete_view(const struct ipmi_sensor *s, uint16_t fail, uint16_t warn,
			  struct psu_view *ret)
{
	struct ipmi_sensor only = *s;
	uint16_t hit = s->bitmask & fail;

	ret->cond = hit ? PSU_FAILED : PSU_OK;
	if (!hit)
		hit = s->bitmask & warn;
	if (!hit)
		return;
	only.bitmask = hit;
	state_text(&only, ret->why, sizeof(ret->why));
}

void ipmi_fan_view(const struct ipmi_sensor *s, struct psu_view *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (s->status == IPMI_READ_UNAVAILABLE) {
		/* As for supplies: BMCs mark the sensors of an empty bay unavailable. */
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
	state_text(s, ret->state, sizeof(ret->state));
	switch (s->ertype) {
	case IPMI_ERT_THRESHOLD:
		tach_view(s, ret);
		break;
	case IPMI_ERT_AVAILABILITY:
		ret->cond = s->bitmask & 2u ? PSU_OK : PSU_ABSENT;
		if (ret->cond == PSU_ABSENT)
			snprintf(ret->why, sizeof(ret->why), "not present");
		break;
	case IPMI_ERT_SEVERITY:
		discrete_view(s, SEV_FAILED, SEV_WARN, ret);
		break;
	case IPMI_ERT_DEV_STATE:
		discrete_view(s, DEV_FAILED, DEV_WARN, ret);
		break;
	default: /* digital: freeipmi rates "State Asserted" a warning for fans */
		discrete_view(s, 0, 1u << 1, ret);
		break;
	}
	ret->warn = (ret->cond == PSU_OK || ret->cond == PSU_STANDBY) && ret->why[0];
}

/* Worse first: what a fan is when its sensors disagree. */
static int rank(enum psu_cond c)
{
	switch (c) {
	case PSU_ABSENT:
		return 4;
	case PSU_FAILED:
		return 3;
	case PSU_UNKNOWN:
		return 2;
	case PSU_STANDBY:
		return 1;
	case PSU_OK:
		break;
	}
	return 0;
}

/*
 * One fan from its sensors part[0..n) (part[0] leads): the worst condition,
 * every sensor's state, the reasons of the sensors at that condition.  A
 * joined sensor that is unavailable tells nothing (the lead says presence).
 */
static void merge_fan(const struct ipmi_sensor *const *part, size_t n, struct psu_view *ret)
{
	struct psu_view v;

	ipmi_fan_view(part[0], ret);
	for (size_t i = 1; i < n; i++) {
		if (part[i]->status == IPMI_READ_UNAVAILABLE)
			continue;
		ipmi_fan_view(part[i], &v);
		psu_text_add(ret->state, sizeof(ret->state), ", ", "%s", v.state);
		if (rank(v.cond) > rank(ret->cond)) {
			ret->cond = v.cond;
			snprintf(ret->why, sizeof(ret->why), "%s", v.why);
		} else if (rank(v.cond) == rank(ret->cond) && v.why[0] &&
			   !strstr(ret->why, v.why)) {
			psu_text_add(ret->why, sizeof(ret->why), ", ", "%s", v.why);
		}
	}
	ret->warn = (ret->cond == PSU_OK || ret->cond == PSU_STANDBY) && ret->why[0];
}

static bool same_entity(const struct ipmi_sensor *a, const struct ipmi_sensor *b)
{
	return a->entity_id == b->entity_id && a->entity_instance == b->entity_instance;
}

/*
 * owner[i]: the fan sensor fan[i] belongs to: the only tachometer of its
 * entity, else itself (a member of its own).  Quadratic in the fan sensors,
 * which the reader bounds (4096 records at most; a real BMC has tens).
 */
static void find_owners(const struct ipmi_sensor *const *fan, size_t n, size_t *owner)
{
	for (size_t i = 0; i < n; i++) {
		size_t tachs = 0, tach = i;

		owner[i] = i;
		if (fan[i]->ertype == IPMI_ERT_THRESHOLD)
			continue;
		for (size_t j = 0; j < n && tachs < 2; j++) {
			if (fan[j]->ertype == IPMI_ERT_THRESHOLD && same_entity(fan[i], fan[j])) {
				tachs++;
				tach = j;
			}
		}
		if (tachs == 1)
			owner[i] = tach;
	}
}

/*
 * The group's name: the fan redundancy sensor's ID string ("fans" added when
 * it does not say so: "Redundancy" alone could be the PSU set's), else "Fans".
 */
static void set_name(struct ipmi_set *p, const struct ipmi_sensor *named)
{
	if (!named || !named->name[0])
		snprintf(p->name, sizeof(p->name), "Fans");
	else if (names_fans(named->name))
		snprintf(p->name, sizeof(p->name), "%s", named->name);
	else
		snprintf(p->name, sizeof(p->name), "%s fans", named->name);
}

static const struct ipmi_set_words fan_words = {
	.kind = "fan",
	.unit = "fan",
	.units = "fans",
};

/* Add one member per lead fan sensor, its joined sensors merged in. */
static int add_fans(struct ipmi_set *p, const struct ipmi_sensor **fan, size_t nf,
		    const size_t *owner, const struct ipmi_sensor **scratch)
{
	size_t nl = 0;
	int rc;

	for (size_t i = 0; i < nf; i++) {
		if (owner[i] == i)
			scratch[nl++] = fan[i];
	}
	rc = ipmi_set_bays(p, scratch, nl, "Fan");
	for (size_t i = 0, b = 0; i < nf && rc == 0; i++) {
		struct psu_view *view;
		size_t np = 0;

		if (owner[i] != i)
			continue;
		scratch[np++] = fan[i];
		for (size_t j = 0; j < nf; j++) {
			if (j != i && owner[j] == i)
				scratch[np++] = fan[j];
		}
		view = psu_group_add(&p->pg, p->bays[b].key, p->bays[b].location, NULL);
		if (!view)
			return -ENOMEM;
		merge_fan(scratch, np, view);
		b++;
	}
	return rc;
}

/* The reason a fan set carries when nothing says how many fans may stop. */
static int note_policy(struct ipmi_set *p, struct redmon_group *g)
{
	if (strbuf_addf(&p->reason, "; ",
			"cooling policy assumed: N+1, one fan may stop "
			"(no fan redundancy state; fans_required sets N)") < 0)
		return -ENOMEM;
	g->reason = p->reason.p;
	return 0;
}

int ipmi_fan_eval(struct ipmi_set *p, const struct ipmi_sensor *v, size_t n, int required,
		  struct redmon_group *g)
{
	const struct ipmi_sensor **fan = NULL, **scratch, *first_red = NULL, *named = NULL;
	enum ipmi_redundancy worst = IPMI_RED_NONE;
	size_t nf = 0, *owner;
	int rc;

	/* One block: fan sensors, their owners, scratch for leads and a fan's parts. */
	fan = calloc(n ? n : 1, 2 * sizeof(*fan) + sizeof(*owner));
	if (!fan)
		return -ENOMEM;
	scratch = fan + (n ? n : 1);
	owner = (size_t *)(scratch + (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		if (is_fan(&v[i])) {
			fan[nf++] = &v[i];
		} else if (is_redundancy(&v[i])) {
			enum ipmi_redundancy r = ipmi_redundancy_of(v[i].bitmask);

			/* Named by the first even when unreadable: the group id stays. */
			if (!named)
				named = &v[i];
			if (v[i].status != IPMI_READ_OK)
				continue;
			if (!first_red)
				first_red = &v[i];
			if (r > worst)
				worst = r;
		}
	}
	set_name(p, named);
	find_owners(fan, nf, owner);
	rc = add_fans(p, fan, nf, owner, scratch);
	if (rc == 0)
		rc = ipmi_set_finish(p, &fan_words, first_red, worst, required, g);
	if (rc == 0 && required == 0 && worst == IPMI_RED_NONE)
		rc = note_policy(p, g);
	free(fan);
	return rc;
}
