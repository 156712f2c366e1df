// SPDX-License-Identifier: GPL-2.0-or-later
/* IPMI Power Supply / redundancy sensor interpretation (plugins/ipmi/ipmi_psu.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/ipmi/ipmi_psu.h"

static struct ipmi_sensor psu(const char *name, uint8_t inst, uint16_t bitmask)
{
	struct ipmi_sensor s = {
		.record_id = (uint16_t)(inst + 1),
		.number = (uint8_t)(0x10 + inst),
		.type = IPMI_SENSOR_TYPE_PSU,
		.ertype = IPMI_ERT_SPECIFIC,
		.entity_id = 0x0a,
		.entity_instance = inst,
		.status = IPMI_READ_OK,
		.bitmask = bitmask,
	};

	snprintf(s.name, sizeof(s.name), "%s", name);
	return s;
}

static struct ipmi_sensor red(const char *name, uint8_t type, uint16_t bitmask)
{
	struct ipmi_sensor s = {
		.record_id = 0x30,
		.number = 0x30,
		.type = type,
		.ertype = IPMI_ERT_REDUNDANCY,
		.entity_id = 0x13,
		.entity_instance = 1,
		.status = IPMI_READ_OK,
		.bitmask = bitmask,
	};

	snprintf(s.name, sizeof(s.name), "%s", name);
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

/* Bitmask to member condition, IPMI 2.0 table 42-3 offsets. */
static void test_supply_bits(void **state)
{
	struct psu_view v;
	struct ipmi_sensor s = psu("PS1", 1, 0x0001);

	(void)state;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "Presence detected");
	assert_false(v.warn);

	s.bitmask = 0x0003;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.state, "Presence detected, Power Supply Failure detected");
	has(v.why, "failure detected");

	s.bitmask = 0x0009;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	assert_string_equal(v.state, "Presence detected, Power Supply input lost (AC/DC)");
	assert_string_equal(v.why, "input lost");

	s.bitmask = 0x0011;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	has(v.why, "input lost or out of range");

	s.bitmask = 0x0041;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);
	has(v.why, "configuration error");

	/* Predictive failure and input out of range but present: warnings only. */
	s.bitmask = 0x0005;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_true(v.warn);
	has(v.why, "predictive failure");
	s.bitmask = 0x0021;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	has(v.why, "input out of range");

	s.bitmask = 0x0081;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_STANDBY);

	s.bitmask = 0;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
	assert_string_equal(v.state, "none asserted");

	/* A failure bit without presence is still a supply that is there and failed. */
	s.bitmask = 0x0008;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_FAILED);

	s.status = IPMI_READ_UNAVAILABLE;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
	s.status = IPMI_READ_ERROR;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_UNKNOWN);

	/* Generic availability reading type 08h. */
	s = psu("PS2", 2, 0x0002);
	s.ertype = IPMI_ERT_AVAILABILITY;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_OK);
	assert_string_equal(v.state, "Device Inserted/Device Present");
	s.bitmask = 0x0001;
	ipmi_supply_view(&s, &v);
	assert_int_equal(v.cond, PSU_ABSENT);
}

static void test_redundancy_states(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(ipmi_redundancy_of(0x0001), IPMI_RED_FULL);
	assert_int_equal(ipmi_redundancy_of(0x0002), IPMI_RED_LOST);
	assert_int_equal(ipmi_redundancy_of(0x0004), IPMI_RED_DEGRADED);
	assert_int_equal(ipmi_redundancy_of(0x0008), IPMI_RED_LOST);
	assert_int_equal(ipmi_redundancy_of(0x0010), IPMI_RED_LOST);
	assert_int_equal(ipmi_redundancy_of(0x0020), IPMI_RED_INSUFFICIENT);
	assert_int_equal(ipmi_redundancy_of(0x0040), IPMI_RED_DEGRADED);
	assert_int_equal(ipmi_redundancy_of(0x0080), IPMI_RED_DEGRADED);
	assert_int_equal(ipmi_redundancy_of(0x0000), IPMI_RED_NONE);
	/* Several asserted: the worst wins. */
	assert_int_equal(ipmi_redundancy_of(0x0023), IPMI_RED_INSUFFICIENT);
	ipmi_state_text(0x09, 0x0b, 0x0002, buf, sizeof(buf));
	assert_string_equal(buf, "Redundancy Lost");
	ipmi_state_text(0x09, 0x0b, 0x8000, buf, sizeof(buf));
	assert_string_equal(buf, "none asserted");
	ipmi_state_text(0x09, 0x0b, 0x0100, buf, sizeof(buf));
	assert_string_equal(buf, "offset 8");
	/* Truncation stays NUL-terminated. */
	ipmi_state_text(0x08, 0x6f, 0x00ff, buf, 20);
	assert_int_equal(strlen(buf), 19);
}

/* The corpus case canonical-ipmitool-sdr-ps-fully-redundant, as sensors. */
static void test_corpus_fully_redundant(void **state)
{
	struct ipmi_sensor v[3];
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	v[0] = red("PS Redundancy", IPMI_SENSOR_TYPE_PSU, 0x0001); /* entity 7.1 */
	v[0].entity_id = 7;
	v[1] = psu("Status", 1, 0x0001);
	v[2] = psu("Status", 2, 0x0001);
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.name, "PS Redundancy");
	assert_string_equal(g.kind, "psu");
	assert_string_equal(g.type, "1+1");
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 2);
	assert_int_equal(g.members_failed, 0);
	assert_int_equal(g.margin, 1);
	assert_int_equal(g.margin_nominal, 1);
	assert_null(g.reason);
	/* Both bays are named "Status": the entity tells them apart. */
	assert_non_null(find(&g, "Status (10.1)"));
	assert_non_null(find(&g, "Status (10.2)"));
	ipmi_set_free(&p);
}

/* The corpus case canonical-ipmimonitoring-no-psu-sensors: no group. */
static void test_no_psu_sensors(void **state)
{
	struct ipmi_sensor v[1] = { psu("Inlet", 1, 0) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	v[0].type = 0x01; /* temperature */
	v[0].ertype = 0x01;
	assert_int_equal(ipmi_psu_eval(&p, v, 1, 0, &g), -ENODATA);
	assert_int_equal(ipmi_psu_eval(&p, NULL, 0, 0, &g), -ENODATA);
	ipmi_set_free(&p);
}

/* failed -> input lost -> pulled -> restored, as the sim test flips them. */
static void test_transitions(void **state)
{
	struct ipmi_sensor v[3];
	struct ipmi_set p = { 0 };
	struct redmon_group g;
	const struct redmon_member *m;

	(void)state;
	v[0] = psu("PSU1 Status", 1, 0x0001);
	v[1] = psu("PSU2 Status", 2, 0x0001);
	v[2] = red("PSU Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 0x0001);
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 1);

	v[1].bitmask = 0x0003;
	v[2].bitmask = 0x0002;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.members_failed, 1);
	m = find(&g, "PSU2 Status");
	assert_int_equal(m->role, REDMON_ROLE_FAILED);
	has(g.reason, "PSU Redundancy: redundancy lost");
	has(g.reason, "PSU2 Status: failure detected");

	v[1].bitmask = 0x0009;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	m = find(&g, "PSU2 Status");
	assert_string_equal(m->state, "Presence detected, Power Supply input lost (AC/DC)");
	has(g.reason, "PSU2 Status: input lost");

	/* Pulled: still a member (missing), the set does not shrink. */
	v[1].bitmask = 0;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.members_failed, 0);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.margin_nominal, 1);
	assert_int_equal(find(&g, "PSU2 Status")->role, REDMON_ROLE_MISSING);

	/* Its sensor vanishes from the SDR too: still missing. */
	assert_int_equal(ipmi_psu_eval(&p, (struct ipmi_sensor[]){ v[0], v[2] }, 2, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(find(&g, "PSU2 Status")->role, REDMON_ROLE_MISSING);

	v[1].bitmask = 0x0001;
	v[2].bitmask = 0x0001;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 1);
	assert_null(g.reason);
	ipmi_set_free(&p);
}

/* The two sources disagree: the worse wins and the reason says so. */
static void test_disagreement(void **state)
{
	struct ipmi_sensor v[3];
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	v[0] = psu("PSU1", 1, 0x0001);
	v[1] = psu("PSU2", 2, 0x0001);
	v[2] = red("PS Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 0x0001);
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);

	/* Per-supply state stale, redundancy sensor right (vendor quirk). */
	v[2].bitmask = 0x0002;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "reads redundancy lost but the supply sensors show 2 of 2 usable");
	has(g.reason, "reporting the worse");

	/* The other way round: supply failed, redundancy sensor still "fully redundant". */
	v[2].bitmask = 0x0001;
	v[1].bitmask = 0x0003;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "reads fully redundant but");

	/* Insufficient resources: service lost. */
	v[1].bitmask = 0x0001;
	v[2].bitmask = 0x0020;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_true(g.margin < 0);
	ipmi_set_free(&p);
}

/* Vendor quirk: redundancy under sensor type Power Supply (08h) is not a supply. */
static void test_redundancy_under_psu_type(void **state)
{
	struct ipmi_sensor v[3];
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	v[0] = red("PS Redundancy", IPMI_SENSOR_TYPE_PSU, 0x0001);
	v[1] = psu("PS1 Status", 1, 0x0001);
	v[2] = psu("PS2 Status", 2, 0x0001);
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.n_members, 2);
	assert_string_equal(g.name, "PS Redundancy");
	v[0].bitmask = 0x0002;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	ipmi_set_free(&p);
}

/* needed: from the redundancy sensor on first sight, else config, else all but one. */
static void test_needed(void **state)
{
	struct ipmi_sensor v[4];
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	for (int i = 0; i < 3; i++) {
		char n[16];

		snprintf(n, sizeof(n), "PS%d", i + 1);
		v[i] = psu(n, (uint8_t)(i + 1), 0x0001);
	}
	/* No redundancy sensor, 3 supplies: 2+1. */
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.type, "2+1");
	assert_int_equal(g.margin, 1);
	ipmi_set_free(&p);

	/* Configured: 1 needed of 3: 1+2. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 1, &g), 0);
	assert_string_equal(g.type, "1+2");
	assert_int_equal(g.margin, 2);
	v[0].bitmask = 0x0003;
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 1, &g), 0);
	assert_int_equal(g.margin, 1);
	assert_int_equal(g.margin_nominal, 2);
	ipmi_set_free(&p);

	/* Started after PS2 was pulled; the redundancy sensor says "lost": the empty
	 * bay counts, so the set is 1+1 at margin 0, not a healthy non-redundant set. */
	memset(&p, 0, sizeof(p));
	v[0] = psu("PS1", 1, 0x0001);
	v[1] = psu("PS2", 2, 0x0000);
	v[2] = red("PS Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 0x0002);
	assert_int_equal(ipmi_psu_eval(&p, v, 3, 0, &g), 0);
	assert_string_equal(g.type, "1+1");
	assert_int_equal(g.members_total, 2);
	assert_int_equal(g.margin, 0);
	assert_int_equal(g.margin_nominal, 1);
	assert_int_equal(find(&g, "PS2")->role, REDMON_ROLE_MISSING);
	ipmi_set_free(&p);

	/* A single supply and no redundancy sensor: non-redundant by design. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ipmi_psu_eval(&p, v, 2, 0, &g), 0);
	assert_int_equal(g.margin_nominal, 0);
	assert_int_equal(g.members_total, 1);
	ipmi_set_free(&p);

	/* required above what is seen: the reason says so. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ipmi_psu_eval(&p, v, 1, 2, &g), 0);
	assert_true(g.margin < 0);
	has(g.reason, "only 1 supplies seen, 2 required");
	ipmi_set_free(&p);
}

/* Only a redundancy sensor: margin from it alone, counts unknown. */
static void test_redundancy_only(void **state)
{
	struct ipmi_sensor v[1] = { red("PS Redundancy", IPMI_SENSOR_TYPE_PWR_UNIT, 0x0004) };
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(ipmi_psu_eval(&p, v, 1, 0, &g), 0);
	assert_int_equal(g.members_total, -1);
	assert_int_equal(g.margin, 1);
	v[0].bitmask = 0x0002;
	assert_int_equal(ipmi_psu_eval(&p, v, 1, 0, &g), 0);
	assert_int_equal(g.margin, 0);
	has(g.reason, "no per-supply sensors");
	ipmi_set_free(&p);
}

/* Names with quotes, newlines, high bytes, and none at all. */
static void test_hostile_names(void **state)
{
	struct ipmi_sensor v[4];
	struct ipmi_set p = { 0 };
	struct redmon_group g;

	(void)state;
	v[0] = psu("PS \"1\"\n", 1, 0x0001);
	v[1] = psu("\xff\xfe", 2, 0x0001);
	v[2] = psu("", 3, 0x0001);
	v[3] = psu("", 3, 0x0001); /* same empty name, same entity */
	v[3].record_id = 99;
	assert_int_equal(ipmi_psu_eval(&p, v, 4, 0, &g), 0);
	assert_int_equal(g.members_total, 4);
	assert_non_null(find(&g, "PS \"1\"\n"));
	assert_non_null(find(&g, "PSU 10.3"));
	for (size_t i = 0; i < g.n_members; i++) {
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(g.members[i].name, g.members[j].name);
	}
	ipmi_set_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supply_bits),
		cmocka_unit_test(test_redundancy_states),
		cmocka_unit_test(test_corpus_fully_redundant),
		cmocka_unit_test(test_no_psu_sensors),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_disagreement),
		cmocka_unit_test(test_redundancy_under_psu_type),
		cmocka_unit_test(test_needed),
		cmocka_unit_test(test_redundancy_only),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
