/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile bytes into JSON (src/json.c) and the event JSON shape (src/event.c). */
#include "cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/event.h"
#include "../../src/json.h"

static void expect_escape(const char *in, const char *out)
{
	char buf[128];

	assert_int_equal(text_escape(in, buf, sizeof(buf)), strlen(out));
	assert_string_equal(buf, out);
}

static void test_escape(void **state)
{
	(void)state;
	expect_escape("md0", "md0");
	expect_escape("caf\xc3\xa9", "caf\xc3\xa9"); /* valid UTF-8 kept */
	expect_escape("sd\xff"
		      "a",
		      "sd\\xFFa");			  /* invalid byte */
	expect_escape("a\\b", "a\\\\b");		  /* backslash doubled: reversible */
	expect_escape("\xc0\xaf", "\\xC0\\xAF");	  /* overlong '/' */
	expect_escape("\xed\xa0\x80", "\\xED\\xA0\\x80"); /* UTF-16 surrogate */
	expect_escape("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* > U+10FFFF */
	expect_escape("\xe2\x82", "\\xE2\\x82");		   /* truncated sequence at end */
}

static void test_escape_truncates_safely(void **state)
{
	char small[6];

	(void)state;
	assert_int_equal(text_escape("\xff\xff", small, sizeof(small)), 8);
	assert_int_equal(strlen(small), 4);
}

static void test_json_text_is_valid(void **state)
{
	json_t *j = json_text("md\xfe\n\"x\"");
	char *s;

	(void)state;
	assert_non_null(j);
	s = json_dumps(j, JSON_ENCODE_ANY);
	assert_string_equal(s, "\"md\\\\xFE\\n\\\"x\\\"\"");
	free(s);
	json_decref(j);
	j = json_text(NULL);
	assert_true(json_is_null(j));
	json_decref(j);
}

static void test_event_json(void **state)
{
	struct member m = { .name = "sdb1", .role = REDMON_ROLE_FAILED, .state = "faulty" };
	struct group g = {
		.id = "md:md0",
		.probe = "md",
		.name = "md0",
		.kind = "raid",
		.type = "raid1",
		.members_total = 2,
		.members_ok = 1,
		.members_failed = 1,
		.margin = 0,
		.margin_nominal = 1,
		.health = HEALTH_CRITICAL,
		.progress = -1,
		.members = &m,
		.n_members = 1,
	};
	struct event ev = {
		.seq = 7,
		.time = { .tv_sec = 1764111001, .tv_nsec = 123456789 },
		.type = EV_HEALTH_CHANGED,
		.probe = "md",
		.group = &g,
		.prev_health = HEALTH_OK,
		.prev_margin = 1,
	};
	json_t *j = event_to_json(&ev, "db1"), *grp;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2025-11-25T22:50:01.123Z");
	assert_string_equal(json_string_value(json_object_get(j, "event")), "health_changed");
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "critical");
	grp = json_object_get(j, "group");
	assert_string_equal(json_string_value(json_object_get(grp, "health")), "critical");
	assert_int_equal(json_integer_value(json_object_get(grp, "margin")), 0);
	assert_true(json_is_null(json_object_get(grp, "progress")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "previous"), "health")), "ok");
	assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
			       "tolerates 0 more failures"));
	json_decref(j);
}

/* A member_changed event says where the member sits: the bay to pull, the device. */
static void test_member_changed_has_the_bay(void **state)
{
	struct member m[] = {
		{ .name = "252:0",
		  .role = REDMON_ROLE_ACTIVE,
		  .state = "Onln",
		  .location = "252:0" },
		{ .name = "252:1",
		  .role = REDMON_ROLE_FAILED,
		  .state = "Offln",
		  .location = "252:1",
		  .device = "/dev/bus/0 megaraid,9",
		  .serial = "S1" },
	};
	struct group g = { .id = "hwraid:c0/v0",
			   .probe = "hwraid",
			   .name = "c0/v0",
			   .margin = 0,
			   .margin_nominal = 1,
			   .health = HEALTH_CRITICAL,
			   .progress = -1,
			   .members = m,
			   .n_members = 2 };
	struct event ev = { .type = EV_MEMBER_CHANGED,
			    .probe = "hwraid",
			    .group = &g,
			    .member_name = "252:1",
			    .member_role = REDMON_ROLE_FAILED,
			    .member_prev_role = REDMON_ROLE_ACTIVE,
			    .member_state = "Offln" };
	json_t *j, *mem;

	(void)state;
	j = event_to_json(&ev, "db1");
	mem = json_object_get(j, "member");
	assert_string_equal(json_string_value(json_object_get(mem, "location")), "252:1");
	assert_string_equal(json_string_value(json_object_get(mem, "device")),
			    "/dev/bus/0 megaraid,9");
	assert_string_equal(json_string_value(json_object_get(mem, "serial")), "S1");
	json_decref(j);
	/* A member the group no longer lists: no bay to give. */
	ev.member_name = "252:7";
	j = event_to_json(&ev, "db1");
	mem = json_object_get(j, "member");
	assert_string_equal(json_string_value(json_object_get(mem, "name")), "252:7");
	assert_null(json_object_get(mem, "location"));
	json_decref(j);
}

static void test_failed_group_shows_margin_zero(void **state)
{
	struct group g = { .id = "md:md4",
			   .probe = "md",
			   .name = "md4",
			   .kind = "raid",
			   .type = "raid1",
			   .margin = -1,
			   .margin_nominal = 1,
			   .health = HEALTH_FAILED,
			   .progress = 37.44 };
	json_t *j = group_to_json(&g);

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(j, "margin")), 0);
	assert_true(json_real_value(json_object_get(j, "progress")) == 37.4);
	json_decref(j);
	g.margin = REDMON_MARGIN_UNKNOWN;
	j = group_to_json(&g);
	assert_true(json_is_null(json_object_get(j, "margin")));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncates_safely),
		cmocka_unit_test(test_json_text_is_valid),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_member_changed_has_the_bay),
		cmocka_unit_test(test_failed_group_shows_margin_zero),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
