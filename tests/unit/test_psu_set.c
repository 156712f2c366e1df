// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PSU set rules and helpers of plugins/lib (psu_set.c, psu_util.c,
 * psu_probe.c) that the power_supply, hwmon and ipmi probes share.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/lib/psu_probe.h"
#include "../../plugins/lib/psu_set.h"
#include "../../plugins/lib/psu_util.h"
#include "../../plugins/lib/strbuf.h"

/*
 * The set's memory with many supplies in no particular order (keys looked
 * up by bisection): 300 seen, of which the set remembers the first 256;
 * remembered ones that go stay as missing members, in first-seen order.
 */
static void test_set_many(void **state)
{
	static char keys[300][16];
	struct psu_supply sup[300];
	struct psu_set set = { 0 };
	struct psu_eval ev = { 0 };
	size_t n = 0, missing = 0;

	(void)state;
	for (size_t i = 0; i < 300; i++) {
		/* 7 is coprime with 300: every key once, far from sorted. */
		snprintf(keys[i], sizeof(keys[i]), "psu%03zu", (i * 7) % 300);
		sup[i] = (struct psu_supply){ .key = keys[i],
					      .view = { .cond = PSU_OK, .state = "ok" } };
	}
	assert_int_equal(psu_set_eval(&set, sup, 300, 0, 0, &ev), 0);
	assert_int_equal(ev.total, 300);
	assert_int_equal(set.n_seen, 256);
	assert_true(psu_set_seen(&set, keys[0]) && psu_set_seen(&set, keys[255]));
	assert_false(psu_set_seen(&set, keys[256]));

	/* Drop supplies 10, 100, 200 (remembered) and 290 (not): three missing. */
	for (size_t i = 0; i < 300; i++) {
		if (i != 10 && i != 100 && i != 200 && i != 290)
			sup[n++] = sup[i];
	}
	assert_int_equal(psu_set_eval(&set, sup, n, 0, 0, &ev), 0);
	assert_int_equal(ev.total, 299);
	assert_int_equal(ev.ok, 296);
	for (size_t i = 0; i < ev.n_members; i++) {
		if (ev.members[i].role != REDMON_ROLE_MISSING)
			continue;
		assert_string_equal(ev.members[i].name, missing == 0   ? keys[10]
							: missing == 1 ? keys[100]
								       : keys[200]);
		missing++;
	}
	assert_int_equal(missing, 3);
	psu_eval_free(&ev);
	psu_set_free(&set);
}

/* A supply's view becomes its member: role, state, reason, location, serial. */
static void test_group_members_from_views(void **state)
{
	struct psu_group pg = { 0 };
	struct redmon_group g;
	struct psu_view *v;

	(void)state;
	psu_group_begin(&pg);
	v = psu_group_add(&pg, "PSU1", "bay 1", "S1");
	assert_non_null(v);
	v->cond = PSU_OK;
	snprintf(v->state, sizeof(v->state), "online");
	v = psu_group_add(&pg, "PSU2", NULL, NULL);
	assert_non_null(v);
	v->cond = PSU_FAILED;
	snprintf(v->state, sizeof(v->state), "offline");
	snprintf(v->why, sizeof(v->why), "input lost");
	v = psu_group_add(&pg, "PSU3", NULL, NULL);
	assert_non_null(v);
	v->cond = PSU_STANDBY;
	snprintf(v->state, sizeof(v->state), "standby");

	assert_int_equal(psu_group_eval(&pg, 0, 0, "mains", &g), 0);
	assert_string_equal(g.name, "mains");
	assert_string_equal(g.kind, "psu");
	assert_string_equal(g.type, "2+1");
	assert_int_equal(g.members_total, 3);
	assert_int_equal(g.members_ok, 1);
	assert_int_equal(g.members_failed, 1);
	assert_int_equal(g.spares, 1);
	assert_int_equal(g.margin, 0);
	assert_string_equal(g.reason, "PSU2: input lost");
	assert_int_equal(g.n_members, 3);
	assert_string_equal(g.members[0].name, "PSU1");
	assert_int_equal(g.members[0].role, REDMON_ROLE_ACTIVE);
	assert_string_equal(g.members[0].location, "bay 1");
	assert_string_equal(g.members[0].serial, "S1");
	assert_null(g.members[0].reason);
	assert_string_equal(g.members[1].state, "offline");
	assert_string_equal(g.members[1].reason, "input lost");
	assert_int_equal(g.members[1].role, REDMON_ROLE_FAILED);
	assert_null(g.members[1].location);
	assert_int_equal(g.members[2].role, REDMON_ROLE_STANDBY);
	psu_group_free(&pg);
}

/*
 * psu_group_end() frees the scan's supplies: the group still reads right (its
 * strings are the evaluation's own), and the next scan starts from nothing.
 */
static void test_group_end_frees_supplies(void **state)
{
	struct psu_group pg = { 0 };
	struct redmon_group g;
	struct psu_view *v;

	(void)state;
	for (int scan = 0; scan < 2; scan++) {
		psu_group_begin(&pg);
		v = psu_group_add(&pg, "PSU1", "bay 1", NULL);
		assert_non_null(v);
		v->cond = PSU_OK;
		snprintf(v->state, sizeof(v->state), "online");
		v = psu_group_add(&pg, "PSU2", NULL, NULL);
		assert_non_null(v);
		v->cond = PSU_FAILED;
		snprintf(v->why, sizeof(v->why), "input lost");
		assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), 0);
		psu_group_end(&pg);
		assert_null(pg.sup);
		assert_int_equal(pg.n, 0);
		assert_int_equal(g.n_members, 2);
		assert_string_equal(g.members[0].state, "online");
		assert_string_equal(g.members[0].location, "bay 1");
		assert_string_equal(g.members[1].reason, "input lost");
		assert_string_equal(g.reason, "PSU2: input lost");
	}
	psu_group_free(&pg);
}

/* An unreadable supply makes the margin unknown, whatever the others say. */
static void test_group_unreadable(void **state)
{
	struct psu_group pg = { 0 };
	struct redmon_group g;
	struct psu_view *v;

	(void)state;
	for (int i = 0; i < 3; i++) {
		static const char *const keys[] = { "a", "b", "c" };

		v = psu_group_add(&pg, keys[i], NULL, NULL);
		assert_non_null(v);
		v->cond = i == 2 ? PSU_UNKNOWN : PSU_OK;
		v->unreadable = i == 2;
		snprintf(v->state, sizeof(v->state), "%s", i == 2 ? "unreadable" : "ok");
	}
	assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), 0);
	assert_int_equal(g.members_total, 3);
	assert_int_equal(g.margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(g.members[2].role, REDMON_ROLE_UNKNOWN);
	psu_group_free(&pg);
}

/*
 * A scan starts empty (the set remembers who was present), and a second
 * evaluation in one scan sees count_absent set on a supply.
 */
static void test_group_rescan_and_count_absent(void **state)
{
	static const char *const keys[] = { "PS1", "PS2", "PS3" };
	struct psu_group pg = { 0 };
	struct redmon_group g;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct psu_view *v = psu_group_add(&pg, keys[i], NULL, NULL);

		assert_non_null(v);
		v->cond = i < 2 ? PSU_OK : PSU_ABSENT;
		snprintf(v->state, sizeof(v->state), "x");
	}
	assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), 0);
	assert_int_equal(g.members_total, 2); /* PS3 was never present */
	pg.sup[2].count_absent = true;
	assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), 0);
	assert_int_equal(g.members_total, 3);
	assert_int_equal(g.members[2].role, REDMON_ROLE_MISSING);

	/* Next scan: only PS1 listed; PS2 was present once and stays, missing. */
	psu_group_begin(&pg);
	assert_int_equal(pg.n, 0);
	assert_non_null(psu_group_add(&pg, "PS1", NULL, NULL));
	pg.sup[0].view.cond = PSU_OK;
	assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), 0);
	assert_int_equal(g.members_total, 2);
	assert_string_equal(g.members[1].name, "PS2");
	assert_int_equal(g.members[1].role, REDMON_ROLE_MISSING);
	assert_int_equal(g.margin, 0);
	psu_group_free(&pg);
}

/* Past the first allocation the supplies keep their keys; no supply: no group. */
static void test_group_grows(void **state)
{
	static char keys[40][8];
	struct psu_group pg = { 0 };
	struct redmon_group g;

	(void)state;
	assert_int_equal(psu_group_eval(&pg, 0, 0, "psu", &g), -ENODATA);
	for (int i = 0; i < 40; i++) {
		struct psu_view *v;

		snprintf(keys[i], sizeof(keys[i]), "p%02d", i);
		v = psu_group_add(&pg, keys[i], NULL, NULL);
		assert_non_null(v);
		assert_int_equal(v->cond, PSU_OK); /* zeroed */
		assert_string_equal(v->why, "");
		v->cond = PSU_OK;
	}
	assert_int_equal(psu_group_eval(&pg, 30, 0, "psu", &g), 0);
	assert_string_equal(g.type, "30+10");
	assert_int_equal(g.margin, 10);
	assert_string_equal(g.members[39].name, "p39");
	psu_group_free(&pg);
	assert_null(pg.sup);
	psu_group_free(NULL);
}

/* Items joined with a separator; what does not fit is cut, NUL-terminated. */
static void test_text_add(void **state)
{
	char buf[10] = "";

	(void)state;
	psu_text_add(buf, sizeof(buf), ", ", "%s", "abc");
	assert_string_equal(buf, "abc");
	psu_text_add(buf, sizeof(buf), ", ", "d%d", 12);
	assert_string_equal(buf, "abc, d12");
	psu_text_add(buf, sizeof(buf), "; ", "%s", "xyz");
	assert_string_equal(buf, "abc, d12;");
	psu_text_add(buf, sizeof(buf), "; ", "%s", "more");
	assert_string_equal(buf, "abc, d12;");
	buf[0] = '\0';
	psu_text_add(buf, 1, ", ", "%s", "abc");
	assert_string_equal(buf, "");
}

static void test_str(void **state)
{
	struct strbuf s = { 0 };

	(void)state;
	assert_string_equal(strbuf_str(&s), "");
	assert_int_equal(strbuf_addf(&s, "; ", "%s", ""), 0);
	assert_string_equal(strbuf_str(&s), "");
	for (int i = 0; i < 100; i++)
		assert_int_equal(strbuf_addf(&s, ";", "%d", i % 10), 0);
	assert_int_equal(s.len, 199);
	assert_memory_equal(strbuf_str(&s), "0;1;2;3", 7);
	assert_string_equal(strbuf_str(&s) + 190, "5;6;7;8;9");
	s.len = 0;
	assert_string_equal(strbuf_str(&s), "");
	assert_int_equal(strbuf_addf(&s, ";", "x"), 0);
	assert_string_equal(strbuf_str(&s), "x");
	strbuf_free(&s);
	assert_null(s.p);
}

static void test_parse(void **state)
{
	long long v = 7;
	uint64_t ms = 7;

	(void)state;
	assert_int_equal(strv_to_ll(strv_trim(strv_c(" 42\n")), LLONG_MIN, LLONG_MAX, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(strv_to_ll(strv_trim(strv_c("-3")), LLONG_MIN, LLONG_MAX, &v), 0);
	assert_int_equal(v, -3);
	v = 7;
	assert_int_equal(strv_to_ll(strv_trim(strv_c("")), LLONG_MIN, LLONG_MAX, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_trim(strv_c("4x")), LLONG_MIN, LLONG_MAX, &v), -EINVAL);
	assert_int_equal(
		strv_to_ll(strv_trim(strv_c("99999999999999999999")), LLONG_MIN, LLONG_MAX, &v),
		-ERANGE);
	assert_int_equal(v, 7);

	assert_int_equal(strv_to_duration_ms(strv_c("30"), &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(strv_to_duration_ms(strv_c("500ms"), &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(strv_to_duration_ms(strv_c("5m"), &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(strv_to_duration_ms(strv_c("1h"), &ms), 0);
	assert_int_equal(ms, 3600000);
	ms = 7;
	assert_int_equal(strv_to_duration_ms(strv_c("5d"), &ms), -EINVAL);
	assert_int_equal(strv_to_duration_ms(strv_c("-5s"), &ms), -EINVAL);
	assert_int_equal(strv_to_duration_ms(strv_c(NULL), &ms), -EINVAL);
	assert_int_equal(strv_to_duration_ms(strv_c("18446744073709551615h"), &ms), -EINVAL);
	assert_int_equal(ms, 7);
}

/* A host with just what psu_option_required() and psu_report() call. */
struct redmon_host {
	const char *required;
	int reports, report_rc;
	char group[32];
	char error[128];
};

static const char *h_option(struct redmon_host *h, const char *key)
{
	return strcmp(key, "required") == 0 ? h->required : NULL;
}

static int h_report(struct redmon_host *h, const struct redmon_group *g)
{
	h->reports++;
	snprintf(h->group, sizeof(h->group), "%s", g->name);
	return h->report_rc;
}

static void h_scan_error(struct redmon_host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void h_scan_error(struct redmon_host *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->error, sizeof(h->error), fmt, ap);
	va_end(ap);
}

static const struct redmon_host_ops ops = {
	.option = h_option,
	.report = h_report,
	.scan_error = h_scan_error,
};

static void test_option_required(void **state)
{
	static const struct redmon_option_spec spec[] = {
		PSU_OPTION_REQUIRED("all but one"),
	};
	static const char *const bad[] = { "65", "-1", "x", "", "2.5" };
	struct redmon_host h = { 0 };
	int n = -5;

	(void)state;
	assert_string_equal(spec[0].key, "required");
	assert_int_equal(spec[0].type, REDMON_OPT_UINT);
	assert_string_equal(spec[0].default_value, "0");
	assert_int_equal(spec[0].max, 64);
	assert_string_equal(spec[0].help, "supplies the load needs (N of N+M); 0: all but one");

	assert_int_equal(psu_option_required(&ops, &h, &n), -EINVAL); /* unset */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.required = bad[i];
		assert_int_equal(psu_option_required(&ops, &h, &n), -EINVAL);
	}
	assert_int_equal(n, -5);
	h.required = "64";
	assert_int_equal(psu_option_required(&ops, &h, &n), 0);
	assert_int_equal(n, 64);
	h.required = "0";
	assert_int_equal(psu_option_required(&ops, &h, &n), 0);
	assert_int_equal(n, 0);
}

static void test_report(void **state)
{
	struct redmon_group g = { .name = "mains" };
	struct redmon_host h = { .report_rc = -EINVAL };

	(void)state;
	assert_int_equal(psu_report(&ops, &h, 0, &g), -EINVAL); /* what report() said */
	assert_int_equal(h.reports, 1);
	assert_string_equal(h.group, "mains");
	assert_int_equal(psu_report(&ops, &h, -ENODATA, &g), 0);
	assert_int_equal(h.reports, 1);
	assert_string_equal(h.error, "");
	assert_int_equal(psu_report(&ops, &h, -ENOMEM, &g), -ENOMEM);
	assert_int_equal(h.reports, 1);
	assert_string_equal(h.error, strerror(ENOMEM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_many),
		cmocka_unit_test(test_group_members_from_views),
		cmocka_unit_test(test_group_end_frees_supplies),
		cmocka_unit_test(test_group_unreadable),
		cmocka_unit_test(test_group_rescan_and_count_absent),
		cmocka_unit_test(test_group_grows),
		cmocka_unit_test(test_text_add),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_option_required),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
