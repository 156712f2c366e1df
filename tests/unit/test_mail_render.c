/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of alert mails (src/mail_render.c): the subject with the severity
 * first, the body in the order a person reads it, what a group tolerates in
 * words, lines within 78 columns, hostile names kept to one line, a burst
 * listing each event in order.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/mail_render.h"

/* A raid1 md:md1 with sda active and sdb as given, margin as given (nominal 1). */
struct fixture {
	struct member m[2];
	struct group g;
	struct event ev;
	struct alert a;
	char key[64];
};

static void make_group(struct fixture *f, int32_t margin, enum redmon_role sdb_role)
{
	*f = (struct fixture){ 0 };
	f->m[0] = (struct member){ .name = "sda",
				   .role = REDMON_ROLE_ACTIVE,
				   .state = "active",
				   .location = "Slot 0",
				   .risk = REDMON_RISK_OK };
	f->m[1] = (struct member){ .name = "sdb",
				   .role = sdb_role,
				   .state = "faulty",
				   .location = "Slot 1",
				   .risk = REDMON_RISK_FAILING };
	f->g = (struct group){ .id = "md:md1",
			       .probe = "md",
			       .name = "md1",
			       .kind = "raid",
			       .type = "raid1",
			       .members_total = 2,
			       .members_ok = 1,
			       .members_failed = 1,
			       .margin = margin,
			       .margin_nominal = 1,
			       .progress = -1,
			       .eta_s = -1,
			       .reason = "1 of 2 members failed",
			       .members = f->m,
			       .n_members = 2 };
	f->g.health = health_derive(margin, 1);
}

/* f->ev of type t about f->g, rendered as the dispatcher would (alert_render()). */
static void make_alert(struct fixture *f, enum event_type t, uint64_t seq)
{
	f->ev = (struct event){ .seq = seq,
				.time = { .tv_sec = 1796000000 },
				.type = t,
				.probe = "md",
				.group = &f->g,
				.prev_health = HEALTH_OK,
				.prev_margin = 1 };
	if (t == EV_MEMBER_CHANGED) {
		f->ev.member_name = "sdb";
		f->ev.member_state = "faulty";
		f->ev.member_role = REDMON_ROLE_FAILED;
		f->ev.member_prev_role = REDMON_ROLE_ACTIVE;
	}
	snprintf(f->key, sizeof(f->key), "db1:%llu", (unsigned long long)seq);
	f->a = (struct alert){ .ev = &f->ev, .host = "db1", .key = f->key };
	f->a.json = event_to_json(&f->ev, "db1");
	assert_non_null(f->a.json);
}

/* The body of one mail of the parts, with f's group text. */
static char *body_of(struct fixture *f, struct mail_part *parts, size_t n)
{
	char *out = NULL, *gt = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);

	assert_int_equal(mail_group_text(&f->ev, &gt), 0);
	assert_int_equal(mail_body(o, parts, n, f->g.id, gt, "db1"), 0);
	fclose(o);
	free(gt);
	return out;
}

static void test_subject_severity_first(void **state)
{
	struct fixture f;
	char s[600];

	(void)state;
	make_group(&f, 0, REDMON_ROLE_FAILED);
	make_alert(&f, EV_HEALTH_CHANGED, 7);
	mail_subject(&f.ev, event_severity(&f.ev), "db1", s, sizeof(s));
	assert_string_equal(
		s, "[redmon] CRITICAL: md:md1 on db1 is critical (tolerates no further failure)");
	json_decref(f.a.json);

	make_group(&f, 1, REDMON_ROLE_ACTIVE);
	make_alert(&f, EV_REBUILD_FINISHED, 8);
	/* The worst of a burst, with the state the last event left. */
	mail_subject(&f.ev, SEV_WARNING, "db1", s, sizeof(s));
	assert_string_equal(s, "[redmon] WARNING: md:md1 on db1 is ok (tolerates 1 more failure)");
	json_decref(f.a.json);

	f.ev = (struct event){ .type = EV_PROBE_FAILED, .probe = "md", .error = "no /proc/mdstat" };
	mail_subject(&f.ev, event_severity(&f.ev), "db1", s, sizeof(s));
	assert_string_equal(s, "[redmon] WARNING: db1: probe md failed: no /proc/mdstat");

	/* A newline in a name stays escaped: it cannot end the Subject: header. */
	make_group(&f, 0, REDMON_ROLE_FAILED);
	f.g.id = "md:x\nBcc: evil@example.org";
	f.ev = (struct event){ .type = EV_GROUP_VANISHED, .group = &f.g };
	mail_subject(&f.ev, SEV_CRITICAL, "db1", s, sizeof(s));
	assert_string_equal(s, "[redmon] CRITICAL: md:x\\x0ABcc: evil@example.org on db1 is gone");
}

/* Reason, members, tolerance and rebuild before the details, the JSON last. */
static void test_body_order(void **state)
{
	static const char *const order[] = {
		"md:md1 member sdb: active -> failed\n",
		"\nReason: 1 of 2 members failed\n",
		"Members (2):\n",
		"  - sda: active, bay Slot 0, disk ok\n",
		"  - sdb: failed (faulty), bay Slot 1, disk failing\n",
		"Tolerates: the next failure is an outage\n",
		"Rebuild: recovery 42.5% done, about 1h05m left\n",
		"\nDetails:\n",
		"  event:  member_changed, severity critical\n",
		"  host:   db1\n",
		"  time:   2026-",
		"  seq:    12\n",
		"  group:  md:md1\n",
		"  probe:  md\n",
		"\n-- \n",
		"\"event\": \"member_changed\"",
	};
	struct fixture f;
	struct mail_part p;
	const char *at;
	char *body;

	(void)state;
	make_group(&f, 0, REDMON_ROLE_FAILED);
	f.g.activity = REDMON_ACTIVITY_RECOVERY;
	f.g.progress = 42.5;
	f.g.eta_s = 3900;
	make_alert(&f, EV_MEMBER_CHANGED, 12);
	assert_int_equal(mail_part_new(&f.a, &p), 0);
	body = body_of(&f, &p, 1);
	at = body;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *next = strstr(at, order[i]);

		if (!next)
			fail_msg("%s\nmissing after offset %zu: %s", body, (size_t)(at - body),
				 order[i]);
		at = next + strlen(order[i]);
	}
	/* The headline is the first line. */
	assert_int_equal(strncmp(body, order[0], strlen(order[0])), 0);
	free(body);
	mail_part_clear(&p);
	json_decref(f.a.json);
}

/* What the group still tolerates, in words a person acts on. */
static void test_tolerance_words(void **state)
{
	static const struct {
		int32_t margin, nominal;
		const char *want;
	} cases[] = {
		{ 1, 1, "Tolerates: survives 1 more failure\n" },
		{ 2, 2, "Tolerates: survives 2 more failures\n" },
		{ 0, 1, "Tolerates: the next failure is an outage\n" },
		{ 0, 0, "Tolerates: no failure: it has no redundancy by design\n" },
		{ -1, 1, "Tolerates: nothing: it has failed\n" },
		{ REDMON_MARGIN_UNKNOWN, 1, "Tolerates: unknown (the source does not say)\n" },
	};
	struct fixture f;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_group(&f, cases[i].margin, REDMON_ROLE_FAILED);
		f.g.margin_nominal = cases[i].nominal;
		f.g.health = health_derive(cases[i].margin, cases[i].nominal);
		f.ev = (struct event){ .type = EV_HEALTH_CHANGED, .group = &f.g };
		assert_int_equal(mail_group_text(&f.ev, &text), 0);
		if (!strstr(text, cases[i].want))
			fail_msg("margin %d/%d: %s", cases[i].margin, cases[i].nominal, text);
		free(text);
	}
	/* No reason from the probe: said, with the counts where there are failed members. */
	f.g.reason = NULL;
	assert_int_equal(mail_group_text(&f.ev, &text), 0);
	assert_non_null(
		strstr(text, "Reason: 1 of 2 members failed (the probe gives no reason)\n"));
	free(text);
	f.g.members_failed = 0;
	assert_int_equal(mail_group_text(&f.ev, &text), 0);
	assert_non_null(strstr(text, "Reason: none given by the probe\n"));
	free(text);
	/* Not a group event: nothing. */
	f.ev.group = NULL;
	assert_int_equal(mail_group_text(&f.ev, &text), 0);
	assert_string_equal(text, "");
	free(text);
}

/* Prose within 78 columns where words allow; a hostile name never starts a line. */
static void test_wrapped_and_one_line(void **state)
{
	struct fixture f;
	struct mail_part p;
	char *body, *line, *save = NULL, *end;

	(void)state;
	make_group(&f, 0, REDMON_ROLE_FAILED);
	f.g.reason = "the array lost a member and the spare that was meant to take its place "
		     "could not be added because the kernel refused it with an I/O error";
	f.m[1].name = "sdb\nBcc: evil@example.org";
	f.g.id = "md:md1\nFrom: x";
	make_alert(&f, EV_MEMBER_CHANGED, 3);
	f.ev.member_name = f.m[1].name;
	json_decref(f.a.json);
	f.a.json = event_to_json(&f.ev, "db1");
	assert_int_equal(mail_part_new(&f.a, &p), 0);
	body = body_of(&f, &p, 1);
	end = strstr(body, "\n-- \n"); /* the JSON after it is the machines' */
	assert_non_null(end);
	*end = 0;
	assert_non_null(strstr(body, "Reason: the array lost a member"));
	assert_non_null(strstr(body, "sdb\\x0ABcc: evil@example.org"));
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) > MAIL_WIDTH)
			fail_msg("line of %zu columns: %s", strlen(line), line);
		if (strncmp(line, "Bcc:", 4) == 0 || strncmp(line, "From:", 5) == 0)
			fail_msg("a name started a line: %s", line);
	}
	free(body);
	mail_part_clear(&p);
	json_decref(f.a.json);
}

/* A burst: one mail listing each event in order, their details and JSON in the same order. */
static void test_burst_lists_each_event(void **state)
{
	struct fixture f;
	struct mail_part p[3];
	const char *a, *b, *c;
	char *body;

	(void)state;
	make_group(&f, 0, REDMON_ROLE_FAILED);
	make_alert(&f, EV_HEALTH_CHANGED, 4);
	assert_int_equal(mail_part_new(&f.a, &p[0]), 0);
	json_decref(f.a.json);
	make_alert(&f, EV_MEMBER_CHANGED, 5);
	assert_int_equal(mail_part_new(&f.a, &p[1]), 0);
	json_decref(f.a.json);
	f.g.activity = REDMON_ACTIVITY_RECOVERY;
	f.g.progress = 0;
	make_alert(&f, EV_REBUILD_STARTED, 6);
	assert_int_equal(mail_part_new(&f.a, &p[2]), 0);
	json_decref(f.a.json);
	body = body_of(&f, p, 3);
	assert_int_equal(strncmp(body, "3 events of md:md1 on db1, in order:\n", 37), 0);
	a = strstr(body, "  1. md:md1 (raid1) is critical");
	b = strstr(body, "  2. md:md1 member sdb: active -> failed");
	c = strstr(body, "  3. md:md1 recovery started");
	assert_true(a && b && c && a < b && b < c);
	a = strstr(body, "Details of event 1:\n  event:  health_changed");
	b = strstr(body, "Details of event 2:\n  event:  member_changed");
	c = strstr(body, "Details of event 3:\n  event:  rebuild_started");
	assert_true(a && b && c && a < b && b < c);
	a = strstr(body, "\"seq\": 4");
	b = strstr(body, "\"seq\": 5");
	c = strstr(body, "\"seq\": 6");
	assert_true(a && b && c && a < b && b < c);
	assert_true(strstr(body, "\n-- \n") < a);
	/* The group as the last event left it: rebuilding. */
	assert_non_null(strstr(body, "Rebuild: recovery 0.0% done\n"));
	free(body);
	for (size_t i = 0; i < 3; i++)
		mail_part_clear(&p[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_severity_first),
		cmocka_unit_test(test_body_order),
		cmocka_unit_test(test_tolerance_words),
		cmocka_unit_test(test_wrapped_and_one_line),
		cmocka_unit_test(test_burst_lists_each_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
