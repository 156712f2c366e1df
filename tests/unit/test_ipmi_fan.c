// SPDX-License-Identifier: GPL-2.0-or-later
/* IPMI Fan sensor interpretation (plugins/ipmi/ipmi_fan.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/ipmi/ipmi_fan.h"

#define ENTITY_FAN 0x1d

/* A fan tachometer at entity 29.inst reading rpm, with comparison status bits. */
static struct ipmi_sensor tach(const char *name, uint8_t inst, double rpm, uint16_t bits)
{
	struct ipmi_sensor s = {
		.record_id = (uint16_t)(0x40 + inst),
		.number = (uint8_t)(0x40 + inst),
		.type = IPMI_SENSOR_TYPE_FAN,
		.ertype = IPMI_ERT_THRESHOLD,
		.entity_id = ENTITY_FAN,
		.entity_instance = inst,
		.status = IPMI_READ_OK,
		.bitmask = bits,
		.has_reading = true,
		.reading = rpm,
	};

	snprintf(s.name, sizeof(s.name), "%s", name);
	return s;
}

static struct ipmi_sensor discrete(const char *name, uint8_t ertype, uint8_t eid, uint8_t inst,
				   uint16_t bits)
{
	struct ipmi_sensor s = {
		.record_id = (uint16_t)(0x60 + inst),
		.number = (uint8_t)(0x60 + inst),
		.type = IPMI_SENSOR_TYPE_FAN,
		.ertype = ertype,
		.entity_id = eid,
		.entity_instance = inst,
		.status = IPMI_READ_OK,
		.bitmask = bits,
	};

	snprintf(s.name, sizeof(s.name), "%s", name);
	return s;
}

static struct ipmi_sensor fan_red(const char *name, uint8_t type, uint16_t bits)
{
	struct ipmi_sensor s = discrete(name, IPMI_ERT_REDUNDANCY, 0x1e, 1, bits);

	s.type = type;
	return s;
}

static const struct redmon_member *find(const struct redmon_group *g, const char *name)
{
	for (size_t i = 0; i < g->n_members; i++) {
		if (strcmp(g->members[i].name, name) == 0)
			return &g->members[i];
	}
	fail_msg("no member %s", name);
	return NULL;
}

static void has(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
}

/* Threshold comparison status and the reading to a member condition. */
static void test_tach_view(void **state)
{
	struct psu_view v;
	struct ipmi_sensor s = tach("FAN1", 1, 5400, 0);

	(void)state;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "within thresholds");
	assert_false(v.warn);

	s.bitmask = 0x01; /* lower non-critical: turning, but slow */
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_true(v.warn);
	assert_string_equal(v.why, "below the lower non-critical threshold");
	assert_string_equal(v.state, "At or Below (<=) Lower Non-Critical Threshold");

	s.reading = 300;
	s.bitmask = 0x03; /* lower critical */
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "below the lower critical threshold");

	s.bitmask = 0x07;
	ipmi_fan_view(&s, &v);
	assert_string_equal(v.why, "below the lower non-recoverable threshold");

	s.reading = 0; /* stopped, only the non-critical threshold set: still failed */
	s.bitmask = 0x01;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "stopped (0 RPM)");

	s.bitmask = 0; /* 0 RPM, no threshold: a header with nothing on it */
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
	has(v.why, "not fitted");

	s = tach("FAN1", 1, 9000, 0x18); /* upper non-critical + critical: a warning */
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_true(v.warn);
	has(v.why, "above an upper threshold");

	s.has_reading = false; /* compact record: no reading, the bits alone */
	s.bitmask = 0x02;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);

	s.status = IPMI_READ_UNAVAILABLE;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
	assert_string_equal(v.why, "not present (sensor reading unavailable)");

	s.status = IPMI_READ_ERROR;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_UNKNOWN);
}

/* Discrete fan states (table 42-2), rated as freeipmi's interpretation does. */
static void test_discrete_views(void **state)
{
	struct psu_view v;
	struct ipmi_sensor s = discrete("FAN1 Presence", IPMI_ERT_AVAILABILITY, ENTITY_FAN, 1, 2);

	(void)state;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "Device Inserted/Device Present");
	s.bitmask = 1;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);

	s = discrete("FAN1 Status", IPMI_ERT_SEVERITY, ENTITY_FAN, 1, 1u << 2);
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "transition to Critical from less severe");
	s.bitmask = 1u << 1;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_true(v.warn);
	s.bitmask = 1u << 0;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_false(v.warn);

	s = discrete("FAN1 State", IPMI_ERT_DEV_STATE, ENTITY_FAN, 1, 1u << 8);
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.why, "Install Error");
	s.bitmask = 1u << 0;
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "transition to Running");

	s = discrete("FAN1 Fault", IPMI_ERT_DIGITAL, ENTITY_FAN, 1, 1u << 1);
	ipmi_fan_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_true(v.warn);
	assert_string_equal(v.why, "State Asserted");
}

/* Which sensors the reader keeps for fans; PSU redundancy stays the PSU set's. */
static void test_relevant(void **state)
{
	(void)state;
	assert_true(ipmi_fan_relevant(IPMI_SENSOR_TYPE_FAN, IPMI_ERT_THRESHOLD, "FAN1"));
	assert_true(ipmi_fan_relevant(IPMI_SENSOR_TYPE_FAN, IPMI_ERT_REDUNDANCY, "Redundancy"));
	assert_true(ipmi_fan_relevant(IPMI_SENSOR_TYPE_FAN, IPMI_ERT_AVAILABILITY, ""));
	assert_false(ipmi_fan_relevant(IPMI_SENSOR_TYPE_FAN, IPMI_ERT_SPECIFIC, "FAN1"));
	assert_true(ipmi_fan_relevant(0xc0, IPMI_ERT_REDUNDANCY, "Fans Redundancy"));
	assert_true(ipmi_fan_relevant(0x0b, IPMI_ERT_REDUNDANCY, "SYS FAN REDUND"));
	assert_false(ipmi_fan_relevant(0x0b, IPMI_ERT_REDUNDANCY, "Mem Redundancy"));
	assert_false(ipmi_fan_relevant(IPMI_SENSOR_TYPE_PWR_UNIT, IPMI_ERT_REDUNDANCY,
				       "Fan Redundancy"));
	assert_false(ipmi_fan_relevant(0x01, IPMI_ERT_THRESHOLD, "Fan Inlet Temp"));
	assert_true(ipmi_fan_relevant(IPMI_SENSOR_TYPE_FAN, IPMI_ERT_THRESHOLD, NULL));
}

/* The integration test's SDR: three fans, FAN3 with a presence sensor, a fan redundancy sensor. */
static void sdr(struct ipmi_sensor *v)
{
	v[0] = tach("FAN1", 1, 6000, 0);
	v[1] = tach("FAN2", 2, 6000, 0);
	v[2] = tach("FAN3", 3, 6000, 0);
	v[3] = discrete("FAN3 Presence", IPMI_ERT_AVAILABILITY, ENTITY_FAN, 3, 2);
	v[4] = fan_red("Fan Redundancy", IPMI_SENSOR_TYPE_FAN, 1);
}

static void test_group_with_redundancy(void **state)
{
	struct ipmi_sensor v[5];
	struct ipmi_set p = { 0 };
	struct redmon_group g;
	const struct redmon_member *m;

	(void)state;
	sdr(v);
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_string_equal(g.name, "Fan Redundancy");
	assert_string_equal(g.kind, "fan");
	assert_string_equal(g.type, "2+1"); /* fully redundant with 3 turning: N = 2 */
	assert_int_equal(g.members_total, 3);
	assert_int_equal(g.members_ok, 3);
	assert_int_equal(g.margin, 1);
	assert_null(g.reason);
	m = find(&g, "FAN3"); /* the presence sensor joined FAN3's member */
	assert_string_equal(m->state, "within thresholds, Device Inserted/Device Present");
	assert_string_equal(m->location, "entity 29.3");

	/* FAN2 stops below lower critical; the BMC says redundancy lost. */
	v[1] = tach("FAN2", 2, 0, 0x03);
	v[4].bitmask = 1u << 1;
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.members_failed, 1);
	assert_int_equal(find(&g, "FAN2")->role, REDMON_ROLE_FAILED);
	has(g.reason, "Fan Redundancy: redundancy lost");
	has(g.reason, "FAN2: stopped (0 RPM)");

	/* The BMC still says fully redundant: the fans win, and the reason says so. */
	v[4].bitmask = 1;
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "reporting the worse");
	has(g.reason, "the fan sensors show 2 of 3 usable");

	/* The fans look fine but the BMC says redundancy lost: the sensor wins. */
	v[1] = tach("FAN2", 2, 6000, 0);
	v[4].bitmask = 1u << 1;
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "reporting the worse");

	/* FAN3 pulled: the presence sensor says absent, its tachometer has no reading. */
	v[4].bitmask = 1u << 1;
	v[3].bitmask = 1;
	v[2].status = IPMI_READ_UNAVAILABLE;
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	m = find(&g, "FAN3");
	assert_int_equal(m->role, REDMON_ROLE_MISSING);
	has(m->reason, "not present");
	assert_int_equal(g.members_total, 3);
	assert_int_equal(g.margin, 0);

	/* Restored. */
	sdr(v);
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_int_equal(g.margin, 1);
	assert_null(g.reason);
	ipmi_set_free(&p);
}

/* No redundancy sensor: N+1 assumed, and said; fans_required overrides. */
static void test_policy(void **state)
{
	struct ipmi_sensor v[2] = { tach("FAN1", 1, 6000, 0), tach("FAN2", 2, 6000, 0) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(ipmi_fan_eval(&p, v, 2, 0, &g), 0);
	assert_string_equal(g.name, "Fans");
	assert_string_equal(g.type, "1+1");
	assert_int_equal(g.margin, 1);
	has(g.reason, "cooling policy assumed");
	v[0].bitmask = 0x02;
	v[0].reading = 200;
	assert_int_equal(ipmi_fan_eval(&p, v, 2, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "FAN1: below the lower critical threshold");
	has(g.reason, "cooling policy assumed");
	ipmi_set_free(&p);

	v[0] = tach("FAN1", 1, 6000, 0);
	assert_int_equal(ipmi_fan_eval(&p, v, 2, 2, &g), 0);
	assert_string_equal(g.type, "2+0");
	assert_int_equal(g.margin, 0);
	assert_null(g.reason);
	assert_int_equal(ipmi_fan_eval(&p, v, 2, 3, &g), 0);
	assert_int_equal(g.margin, -1);
	has(g.reason, "only 2 fans seen, 3 required");
	ipmi_set_free(&p);
}

/* A fan seen turning that stops on a BMC without thresholds stays a missing member. */
static void test_stopped_without_thresholds(void **state)
{
	struct ipmi_sensor v[3] = { tach("FAN1", 1, 6000, 0), tach("FAN2", 2, 6000, 0),
				    tach("FAN3", 3, 0, 0) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.members_total, 2); /* FAN3 never turned: not fitted */
	v[1].reading = 0;
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(find(&g, "FAN2")->role, REDMON_ROLE_MISSING);
	assert_int_equal(g.margin, 0);
	ipmi_set_free(&p);
}

/* Discrete sensors join a fan only when their entity has exactly one tachometer. */
static void test_entity_merge(void **state)
{
	struct ipmi_sensor v[5] = {
		tach("FAN1", 1, 6000, 0),
		discrete("FAN1 Status", IPMI_ERT_SEVERITY, ENTITY_FAN, 1, 1u << 3),
		tach("SYS FAN A", 1, 6000, 0),
		tach("SYS FAN B", 1, 6000, 0),
		discrete("SYS FAN C", IPMI_ERT_AVAILABILITY, 0x07, 1, 2),
	};
	struct ipmi_set p = { 0 };
	struct redmon_group g;
	const struct redmon_member *m;

	(void)state;
	v[2].entity_id = v[3].entity_id = 0x07; /* system board 7.1: two tachometers */
	assert_int_equal(ipmi_fan_eval(&p, v, 5, 0, &g), 0);
	assert_int_equal(g.members_total, 4);
	m = find(&g, "FAN1");
	assert_int_equal(m->role, REDMON_ROLE_FAILED);
	has(m->state, "within thresholds, transition to Non-recoverable from less severe");
	assert_string_equal(m->reason, "transition to Non-recoverable from less severe");
	assert_int_equal(find(&g, "SYS FAN C")->role, REDMON_ROLE_ACTIVE);
	ipmi_set_free(&p);
}

/* Group names from the redundancy sensor, and redundancy sensors found by name. */
static void test_names(void **state)
{
	struct ipmi_sensor v[3] = { tach("FAN1", 1, 6000, 0), tach("FAN2", 2, 6000, 0),
				    fan_red("Redundancy", IPMI_SENSOR_TYPE_FAN, 1) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.name, "Redundancy fans");
	assert_null(g.reason); /* the BMC's state gives N: no policy assumed */
	ipmi_set_free(&p);

	v[2] = fan_red("Fans Redundancy", 0xc0, 1u << 1);
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.name, "Fans Redundancy");
	assert_string_equal(g.type, "2+0"); /* redundancy lost with 2 turning: N = 2 */
	ipmi_set_free(&p);

	/* Unreadable: the name stays (the group id must not move), N+1 assumed. */
	v[2].status = IPMI_READ_ERROR;
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.name, "Fans Redundancy");
	has(g.reason, "cooling policy assumed");
	ipmi_set_free(&p);

	/* A PSU redundancy sensor named like fans stays the PSU set's. */
	v[2] = fan_red("Fan Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 1u << 1);
	assert_int_equal(ipmi_fan_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.name, "Fans");
	ipmi_set_free(&p);
}

/* Only a redundancy sensor: its state alone, as for supplies. */
static void test_redundancy_only(void **state)
{
	struct ipmi_sensor v[1] = { fan_red("Fan Redundancy", IPMI_SENSOR_TYPE_FAN, 1u << 1) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(ipmi_fan_eval(&p, v, 1, 0, &g), 0);
	assert_string_equal(g.kind, "fan");
	assert_int_equal(g.members_total, -1);
	assert_int_equal(g.margin, 0);
	has(g.reason, "no per-fan sensors");
	ipmi_set_free(&p);
}

/* PSU sensors make no fan group, fans no PSU group. */
static void test_sets_apart(void **state)
{
	struct ipmi_sensor v[4] = { tach("FAN1", 1, 6000, 0), tach("FAN2", 2, 6000, 0) };
	struct ipmi_set p = { 0 }, q = { 0 };
	struct redmon_group g;

	(void)state;
	v[2] = discrete("PS1 Status", IPMI_ERT_SPECIFIC, 0x0a, 1, 1);
	v[2].type = IPMI_SENSOR_TYPE_PSU;
	v[3] = fan_red("PS Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 1);
	assert_int_equal(ipmi_fan_eval(&p, v + 2, 2, 0, &g), -ENODATA);
	assert_int_equal(ipmi_psu_eval(&q, v, 2, 0, &g), -ENODATA);
	assert_int_equal(ipmi_psu_eval(&q, v, 4, 0, &g), 0);
	assert_string_equal(g.kind, "psu");
	assert_int_equal(g.members_total, 1);
	assert_int_equal(ipmi_fan_eval(&p, v, 4, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(ipmi_fan_eval(&p, NULL, 0, 0, &g), 0); /* both remembered: missing */
	assert_int_equal(g.members_ok, 0);
	ipmi_set_free(&p);
	ipmi_set_free(&q);
	assert_int_equal(ipmi_fan_eval(&p, NULL, 0, 0, &g), -ENODATA);
	ipmi_set_free(&p);
}

/* Names that repeat or are empty still give unique, stable member names. */
static void test_hostile_names(void **state)
{
	struct ipmi_sensor v[4] = { tach("", 1, 6000, 0), tach("", 2, 6000, 0),
				    tach("Fan", 3, 6000, 0), tach("Fan", 3, 6000, 0) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	memset(v[3].name, 'x', sizeof(v[3].name) - 1);
	v[3].name[3] = '\x1b';
	assert_int_equal(ipmi_fan_eval(&p, v, 4, 0, &g), 0);
	assert_int_equal(g.members_total, 4);
	find(&g, "Fan 29.1");
	find(&g, "Fan 29.2");
	find(&g, "Fan");
	ipmi_set_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tach_view),
		cmocka_unit_test(test_discrete_views),
		cmocka_unit_test(test_relevant),
		cmocka_unit_test(test_group_with_redundancy),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_stopped_without_thresholds),
		cmocka_unit_test(test_entity_merge),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_redundancy_only),
		cmocka_unit_test(test_sets_apart),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
