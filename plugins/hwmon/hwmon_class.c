// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which hwmon chips are power supplies, and when a supply is not ok: see
 * hwmon_class.h.
 *
 * A supply is not ok when its input is gone (the "vin" channel reads below
 * 1 V) or when one of these is set (Documentation/hwmon/sysfs-interface.rst):
 *   <type><n>_alarm, <type><n>_fault, <type><n>_crit_alarm,
 *   <type><n>_lcrit_alarm, <type><n>_emergency_alarm.
 * The warning-level alarms (_min_alarm, _max_alarm, _cap_alarm, ...; PMBus
 * *_WARN limits) are named in the reason but leave the supply in service,
 * like an IPMI predictive failure.
 *
 * Only chips of PSU drivers are looked at: a board's Super-I/O chip has
 * alarms latched from limits nobody set (the corpus' nct6779 shows in1_alarm
 * with in1_min = in1_max = 0) and must not make a PSU group.
 */
#include "hwmon_class.h"
#include "hwmon_fan.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redmon/grow.h"

/*
 * hwmon names of PMBus power-supply drivers in drivers/hwmon/pmbus/: the
 * generic pmbus driver, Delta DPS (pmbus.c, dps920ab.c), IBM CFFPS
 * (ibm-cffps.c), Inspur IPSPS (inspur-ipsps.c), Bel PFE (bel-pfe.c), FSP
 * 3Y (fsp-3y.c), AcBel FSG032 (acbel-fsg032.c), Blutek BPA-RS600
 * (bpa-rs600.c), Intel CRPS (crps.c).  DC-DC converters that the same
 * drivers serve (bmr*, tps*, ...) are not supplies and are not listed.
 */
static const char *const psu_chips[] = {
	"pmbus",     "dps460",	      "dps650ab",   "dps800",  "dps920ab",
	"ibm_cffps", "ibm_cffps1",    "ibm_cffps2", "cffps1",  "cffps2",
	"ipsps1",    "inspur_ipsps1", "pfe1100",    "pfe3000", "fsg032",
	"yh5151e",   "ym2151e",	      "bpa_rs600",  "crps",    "crps185",
};

static const char *const types[] = { "in", "curr", "power", "fan", "temp" };

/* Split "in1_lcrit_alarm" into type "in", index 1, sub "lcrit_alarm". */
static bool split(const char *name, const char **ret_type, long *ret_idx, const char **ret_sub)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t tl = strlen(types[i]);
		const char *p = name + tl;
		long idx = 0;
		int digits = 0;

		if (strncmp(name, types[i], tl) != 0)
			continue;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			idx = idx * 10 + (*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || *p != '_')
			return false;
		*ret_type = types[i];
		*ret_idx = idx;
		*ret_sub = p + 1;
		return true;
	}
	return false;
}

bool hwmon_attr_split(const char *name, const char **ret_type, long *ret_idx, const char **ret_sub)
{
	return split(name, ret_type, ret_idx, ret_sub);
}

/*
 * The channel of a split name: type and index as classify() looks labels up
 * ("in01_alarm" is channel "in1").  By hand, not snprintf: it runs for every
 * value of every chip at every scan.  idx has at most 4 digits (split()).
 */
static void channel_name(const char *type, long idx, char buf[HWMON_ATTR_MAX])
{
	size_t n = strlen(type);
	char digits[8];
	int k = 0;

	memcpy(buf, type, n);
	do
		digits[k++] = (char)('0' + idx % 10);
	while ((idx /= 10) > 0 && k < 4);
	while (k > 0)
		buf[n++] = digits[--k];
	buf[n] = '\0';
}

bool hwmon_attr_wanted(const char *name)
{
	const char *type, *sub;
	long idx;

	if (strlen(name) >= HWMON_ATTR_MAX || !split(name, &type, &idx, &sub))
		return false;
	if (strcmp(sub, "enable") == 0)
		return strcmp(type, "fan") == 0; /* which channels of a fan set are in use */
	return strcmp(sub, "input") == 0 || strcmp(sub, "fault") == 0 ||
	       strcmp(sub, "alarm") == 0 || strv_ends(strv_c(sub), "_alarm");
}

static const char *label_of(const struct hwmon_chip *c, const char *sensor)
{
	for (size_t i = 0; i < c->n_labels; i++) {
		if (strcmp(c->labels[i].sensor, sensor) == 0)
			return c->labels[i].text;
	}
	return NULL;
}

bool hwmon_value_needed(const struct hwmon_chip *c, const char *name)
{
	const char *type, *sub, *lab;
	char sensor[HWMON_ATTR_MAX];
	long idx;

	if (c->fans)
		return hwmon_fan_value_needed(name);
	if (!hwmon_attr_wanted(name) || !split(name, &type, &idx, &sub))
		return false;
	if (strcmp(sub, "enable") == 0)
		return false;
	if (strcmp(sub, "input") != 0)
		return true; /* an alarm or a fault */
	if (strcmp(type, "in") != 0)
		return false;
	channel_name(type, idx, sensor);
	lab = label_of(c, sensor);
	return lab && strcmp(lab, "vin") == 0;
}

/* Alarms that mean the supply is not delivering (see the head comment). */
static bool failing_alarm(const char *sub)
{
	return strcmp(sub, "alarm") == 0 || strcmp(sub, "fault") == 0 ||
	       strcmp(sub, "crit_alarm") == 0 || strcmp(sub, "lcrit_alarm") == 0 ||
	       strcmp(sub, "emergency_alarm") == 0;
}

int hwmon_chip_add(struct hwmon_chip *c, const char *name, double value)
{
	if (!hwmon_attr_wanted(name))
		return 0;
	if (c->n_attrs >= HWMON_CHIP_ATTRS)
		return -E2BIG;
	if (!grow_one((void **)&c->attrs, &c->cap_attrs, c->n_attrs, sizeof(*c->attrs), 16))
		return -ENOMEM;
	str_copy(c->attrs[c->n_attrs].name, HWMON_ATTR_MAX, name);
	c->attrs[c->n_attrs].value = value;
	c->n_attrs++;
	return 0;
}

int hwmon_chip_label(struct hwmon_chip *c, const char *sensor, const char *text)
{
	size_t ls = strlen(sensor) + 1, lt = strnlen(text, HWMON_LABEL_MAX - 1);
	char *p;

	/* A label that only repeats the channel name says nothing (libsensors' default). */
	if (strlen(sensor) >= HWMON_ATTR_MAX || c->n_labels >= HWMON_CHIP_ATTRS ||
	    strcmp(sensor, text) == 0)
		return 0;
	if (!grow_one((void **)&c->labels, &c->cap_labels, c->n_labels, sizeof(*c->labels), 8))
		return -ENOMEM;
	p = malloc(ls + lt + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, sensor, ls);
	memcpy(p + ls, text, lt);
	p[ls + lt] = '\0';
	c->labels[c->n_labels++] = (struct hwmon_label){ .sensor = p, .text = p + ls };
	return 0;
}

int hwmon_chip_set_id(struct hwmon_chip *c, const char *name, const char *prefix,
		      const char *location)
{
	size_t ln = strlen(name) + 1, lp, ll;
	char *id;

	prefix = hwmon_str(prefix);
	location = hwmon_str(location);
	lp = strlen(prefix) + 1;
	ll = strlen(location) + 1;
	id = malloc(ln + lp + ll);
	if (!id)
		return -ENOMEM;
	memcpy(id, name, ln);
	memcpy(id + ln, prefix, lp);
	memcpy(id + ln + lp, location, ll);
	free(c->id);
	c->id = id;
	c->name = id;
	c->prefix = id + ln;
	c->location = id + ln + lp;
	return 0;
}

void hwmon_chip_set_error(struct hwmon_chip *c, const char *fmt, ...)
{
	va_list ap;
	char *t = NULL;
	int n;

	free(c->own_error);
	c->own_error = NULL;
	c->error = "";
	if (!fmt)
		return;
	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->error = "cannot say what: out of memory";
		return;
	}
	c->own_error = t;
	c->error = t;
}

void hwmon_chip_free(struct hwmon_chip *c)
{
	for (size_t i = 0; i < c->n_labels; i++)
		free(c->labels[i].sensor);
	free(c->attrs);
	free(c->labels);
	free(c->id);
	free(c->own_error);
	*c = (struct hwmon_chip){ 0 };
}

void hwmon_chips_free(struct hwmon_chip *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		hwmon_chip_free(&v[i]);
	free(v);
}

/* '-' and '_' compare equal: the kernel lets a driver use either. */
static void fold(struct strv s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < s.n; i++)
		buf[i] = s.p[i] == '-' ? '_' : s.p[i];
	buf[i] = '\0';
}

bool hwmon_chip_matches(const char *prefix, const char *const *builtin, size_t n,
			const char *patterns)
{
	char name[HWMON_NAME_MAX], pat[HWMON_NAME_MAX];
	struct strv rest = strv_c(patterns), item;

	fold(strv_c(prefix), name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, builtin[i]) == 0)
			return true;
	}
	while (strv_next_item(&rest, ", \t", &item)) {
		fold(item, pat, sizeof(pat));
		if (item.n < sizeof(pat) && fnmatch(pat, name, 0) == 0)
			return true;
	}
	return false;
}

bool hwmon_is_psu_chip(const char *prefix, const char *extra)
{
	return hwmon_chip_matches(prefix, psu_chips, sizeof(psu_chips) / sizeof(psu_chips[0]),
				  extra);
}

/*
 * What could not be read may change the verdict, unless what was read
 * already says the supply is out (a failing alarm, its input lost).
 */
static void classify_unreadable(const struct hwmon_chip *c, struct psu_view *ret)
{
	const char *error = hwmon_str(c->error);

	if (!error[0])
		return;
	if (!hwmon_str(c->prefix)[0]) {
		ret->cond = PSU_UNKNOWN;
		ret->unreadable = true;
		snprintf(ret->state, sizeof(ret->state), "unreadable");
		snprintf(ret->why, sizeof(ret->why), "cannot tell whether it is a supply: %s",
			 error);
		return;
	}
	if (ret->cond != PSU_FAILED) {
		ret->cond = PSU_UNKNOWN;
		ret->unreadable = true;
		ret->why[0] = '\0';
		if (strcmp(ret->state, "no alarm") == 0)
			snprintf(ret->state, sizeof(ret->state), "unreadable");
	}
	psu_text_add(ret->why, sizeof(ret->why), "; ", "unreadable: %s", error);
}

/*
 * The state and reason say the condition, never a reading: the core diffs
 * them, and a voltage that moves by a tenth at each scan (as every PMBus
 * supply's does) would make each scan a member_changed event.
 */
void hwmon_classify(const struct hwmon_chip *c, struct psu_view *ret)
{
	char fails[200] = "", warns[200] = "";
	const char *input_lost = NULL; /* why, when the vin channel says the input is gone */

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < c->n_attrs; i++) {
		const struct hwmon_attr *a = &c->attrs[i];
		const char *type, *sub, *lab;
		char sensor[HWMON_ATTR_MAX];
		long idx;

		if (!split(a->name, &type, &idx, &sub))
			continue;
		channel_name(type, idx, sensor);
		lab = label_of(c, sensor);
		if (strcmp(sub, "input") == 0) {
			/* PMBus labels its input voltage "vin" (pmbus_core.c). */
			if (strcmp(type, "in") == 0 && lab && strcmp(lab, "vin") == 0) {
				if (!isfinite(a->value))
					input_lost = "vin not a number";
				else if (fabs(a->value) < 1.0)
					input_lost = "vin below 1 V";
			}
			continue;
		}
		if (a->value == 0.0 || strcmp(sub, "enable") == 0)
			continue;
		psu_text_add(failing_alarm(sub) ? fails : warns, sizeof(fails), ", ", "%s%s%s",
			     lab ? lab : "", lab ? " " : "", a->name);
	}
	ret->cond = input_lost || fails[0] ? PSU_FAILED : PSU_OK;
	if (input_lost)
		psu_text_add(ret->state, sizeof(ret->state), "; ", "input lost");
	if (fails[0])
		psu_text_add(ret->state, sizeof(ret->state), "; ", "alarms: %s", fails);
	if (warns[0])
		psu_text_add(ret->state, sizeof(ret->state), "; ", "warnings: %s", warns);
	if (!ret->state[0])
		str_copy(ret->state, sizeof(ret->state), "no alarm");
	if (input_lost)
		psu_text_add(ret->why, sizeof(ret->why), "; ", "input lost (%s)", input_lost);
	if (fails[0])
		psu_text_add(ret->why, sizeof(ret->why), "; ", "alarm: %s", fails);
	if (warns[0])
		psu_text_add(ret->why, sizeof(ret->why), "; ", "warning: %s", warns);
	classify_unreadable(c, ret);
}

int hwmon_psu_eval(struct psu_group *p, const struct hwmon_chip *chips, size_t n, const char *extra,
		   int required, struct redmon_group *g)
{
	int rc;

	psu_group_begin(p);
	for (size_t i = 0; i < n; i++) {
		const struct hwmon_chip *c = &chips[i];
		struct psu_view *view;
		const char *prefix = hwmon_str(c->prefix), *loc = hwmon_str(c->location);

		/* A chip whose name could not be read may be a supply. */
		if (!hwmon_is_psu_chip(prefix, extra) && (prefix[0] || !hwmon_str(c->error)[0]))
			continue;
		/* Two hwmon entries for one device (a bad tree): keep the first (chips are sorted). */
		if (p->n > 0 && strcmp(p->sup[p->n - 1].key, hwmon_str(c->name)) == 0)
			continue;
		view = psu_group_add(p, hwmon_str(c->name), loc[0] ? loc : NULL, NULL);
		if (!view)
			return -ENOMEM;
		hwmon_classify(c, view);
	}
	rc = psu_group_eval(p, required, 0, "psu", g);
	psu_group_end(p);
	return rc;
}
