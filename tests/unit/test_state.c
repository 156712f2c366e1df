/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State across restarts (src/state.c): round trip, validation, the file, the sequence. */
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/agg.h"
#include "../../src/log.h"
#include "../../src/state.h"

#define MAX_EVENTS 16

static char dir[64];
static const struct state_id id = { .host = "db1", .root = "/", .sinks = "abc" };
static enum event_type seen[MAX_EVENTS];
static size_t n_seen;

static void record(void *ctx, const struct event *ev)
{
	(void)ctx;
	assert_true(n_seen < MAX_EVENTS);
	seen[n_seen++] = ev->type;
}

static int setup(void **state)
{
	(void)state;
	n_seen = 0;
	log_setup(LOG_TARGET_STDERR, LOG_EMERG); /* expected errors stay quiet */
	snprintf(dir, sizeof(dir), "/tmp/redmon-state-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Probe "md": a raid1 named name with members a and b; margin as given
 * (-1: failed, REDMON_MARGIN_UNKNOWN: unknown).
 */
static void group(struct snapshot *s, const char *name, int32_t margin, enum redmon_role b_role)
{
	struct redmon_member m[] = {
		{ .name = "a", .role = REDMON_ROLE_ACTIVE, .state = "in_sync" },
		{ .name = "b\n\xff\"$(x)", .role = b_role, .serial = "S1", .reason = "r\\x" },
	};
	struct redmon_group g = {
		.name = name,
		.kind = "raid",
		.type = "raid1",
		.members_total = 2,
		.members_ok = 1 + (b_role == REDMON_ROLE_ACTIVE),
		.margin = margin,
		.margin_nominal = 1,
		.progress = -1,
		.members = m,
		.n_members = 2,
		.activity = REDMON_ACTIVITY_NONE,
	};

	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
}

/* An aggregator that saw md0 ok, md1 failed, md2 unknown with a hostile name. */
static void scanned(struct agg *a)
{
	struct snapshot s = { 0 };

	agg_init(a, 10, record, NULL);
	group(&s, "md0", 1, REDMON_ROLE_ACTIVE);
	group(&s, "md1", -1, REDMON_ROLE_FAILED);
	group(&s, "md\xc3\x28\\2", REDMON_MARGIN_UNKNOWN, REDMON_ROLE_UNKNOWN);
	assert_int_equal(agg_update(a, "md", &s), 0);
	snapshot_free(&s);
	n_seen = 0;
}

static json_t *round_trip_doc(const struct agg *a, uint64_t reserved)
{
	struct timespec now = { .tv_sec = 1700000000 };
	json_t *doc = state_to_json(a, &id, reserved, &now);
	char *text;

	assert_non_null(doc);
	/* Through text, as on disk. */
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	doc = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(doc);
	return doc;
}

static void test_round_trip(void **state)
{
	struct agg a, b;
	json_t *doc;
	uint64_t seq = 0;
	char why[256];
	struct timespec t1, t2;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(&a, a.seq + 64);
	agg_init(&b, 10, record, NULL);
	assert_int_equal(state_from_json(doc, &id, &b, &seq, why, sizeof(why)), 0);
	assert_int_equal(seq, a.seq + 64);
	assert_int_equal(b.n_probes, 1);
	assert_int_equal(b.probes[0].groups.n, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct group *x = &a.probes[0].groups.groups[i];
		const struct group *y = &b.probes[0].groups.groups[i];

		/* Every byte of the names back, failed told from critical. */
		assert_string_equal(x->id, y->id);
		assert_int_equal(x->health, y->health);
		assert_int_equal(x->margin, y->margin);
		assert_string_equal(x->members[1].name, y->members[1].name);
		assert_string_equal(x->members[1].reason, y->members[1].reason);
		assert_int_equal(x->members[1].role, y->members[1].role);
		assert_true(agg_since(&a, x->id, &t1));
		assert_true(agg_since(&b, y->id, &t2));
		assert_int_equal(t1.tv_sec, t2.tv_sec);
	}
	assert_int_equal(b.probes[0].groups.groups[1].health, HEALTH_FAILED);
	json_decref(doc);
	agg_fini(&a);
	agg_fini(&b);
}

/* Restored, the first scan is a diff: a disk that failed while down is a change, not news. */
static void test_primed_diff(void **state)
{
	struct snapshot s = { 0 };
	struct agg a, b;
	uint64_t seq = 0;
	char why[256];
	json_t *doc;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(&a, a.seq);
	agg_init(&b, 10, record, NULL);
	assert_int_equal(state_from_json(doc, &id, &b, &seq, why, sizeof(why)), 0);
	b.seq = seq;
	group(&s, "md0", 0, REDMON_ROLE_FAILED);
	group(&s, "md1", -1, REDMON_ROLE_FAILED);
	group(&s, "md\xc3\x28\\2", REDMON_MARGIN_UNKNOWN, REDMON_ROLE_UNKNOWN);
	assert_int_equal(agg_update(&b, "md", &s), 0);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0], EV_HEALTH_CHANGED);
	assert_int_equal(seen[1], EV_MEMBER_CHANGED);
	assert_int_equal(b.seq, a.seq + 2); /* the sequence continues */
	snapshot_free(&s);
	json_decref(doc);
	agg_fini(&a);
	agg_fini(&b);
}

static void expect_bad(json_t *doc, int want, const char *needle)
{
	struct agg b;
	uint64_t seq = 0;
	char why[256] = "";

	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_from_json(doc, &id, &b, &seq, why, sizeof(why)), want);
	if (!strstr(why, needle))
		fail_msg("'%s' not in '%s'", needle, why);
	assert_int_equal(b.n_probes, 0); /* nothing trusted */
	agg_fini(&b);
}

static void test_validation(void **state)
{
	struct agg a;
	json_t *doc, *g;

	(void)state;
	scanned(&a);
	/* An edited value without a new checksum. */
	doc = round_trip_doc(&a, 5);
	json_object_set_new(json_object_get(doc, "state"), "seq", json_integer(1));
	expect_bad(doc, -EBADMSG, "checksum");
	json_decref(doc);
	/* A consistent checksum over an inconsistent group: still refused. */
	doc = round_trip_doc(&a, 5);
	g = json_object_get(
		json_array_get(json_object_get(
				       json_array_get(json_object_get(json_object_get(doc, "state"),
								      "probes"),
						      0),
				       "groups"),
			       0),
		"group");
	json_object_set_new(g, "health", json_string("critical"));
	{
		char *text = json_dumps(json_object_get(doc, "state"),
					JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		char sum[40];

		snprintf(sum, sizeof(sum), "fnv1a64:%016llx", (unsigned long long)state_hash(text));
		free(text);
		json_object_set_new(doc, "checksum", json_string(sum));
	}
	expect_bad(doc, -EBADMSG, "does not follow");
	json_decref(doc);
	/* Another version, another format. */
	doc = round_trip_doc(&a, 5);
	json_object_set_new(doc, "version", json_integer(2));
	expect_bad(doc, -EBADMSG, "version");
	json_object_set_new(doc, "format", json_string("something"));
	expect_bad(doc, -EBADMSG, "not a redmon state");
	json_decref(doc);
	agg_fini(&a);
}

static void test_other_identity(void **state)
{
	struct state_id other = id;
	uint64_t seq = 0;
	struct agg a, b;
	char why[256];
	json_t *doc;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(&a, 77);
	other.sinks = "changed";
	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_from_json(doc, &other, &b, &seq, why, sizeof(why)), -ESTALE);
	assert_non_null(strstr(why, "sinks"));
	assert_int_equal(seq, 77); /* the sequence is kept all the same */
	assert_int_equal(b.n_probes, 0);
	json_decref(doc);
	agg_fini(&a);
	agg_fini(&b);
}

static int count_prefix(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void test_file_lock_and_corruption(void **state)
{
	struct state *st, *st2;
	struct agg a, b;
	char path[128];
	int fd;

	(void)state;
	scanned(&a);
	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_open(dir, &id, &b, &st), 0);
	assert_int_equal(b.seq, 0); /* no file yet */
	/* One daemon per state directory. */
	assert_int_equal(state_open(dir, &id, &b, &st2), -EBUSY);
	state_save(st, &a, false);
	assert_false(state_dirty(st, &a));
	state_close(st);
	agg_fini(&b);

	/* Reopened: restored, the sequence past the reservation (as after SIGKILL). */
	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_open(dir, &id, &b, &st), 0);
	assert_int_equal(b.seq, a.seq + STATE_SEQ_RESERVE);
	assert_int_equal(b.probes[0].groups.n, 3);
	/* Emitting past the reservation saves first. */
	state_reserve(st, &b, b.seq + 1);
	state_close(st);
	agg_fini(&b);
	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_open(dir, &id, &b, &st), 0);
	assert_int_equal(b.seq, a.seq + 2 * STATE_SEQ_RESERVE + 1);
	state_save(st, &a, true); /* a clean stop: the exact sequence */
	state_close(st);
	agg_fini(&b);

	/* Torn: cut in half.  Detected, moved aside, not trusted. */
	snprintf(path, sizeof(path), "%s/state.json", dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	close(fd);
	agg_init(&b, 10, NULL, NULL);
	assert_int_equal(state_open(dir, &id, &b, &st), 0);
	assert_int_equal(b.n_probes, 0);
	/* The sequence it cannot read: from the time in ms, beyond any earlier number. */
	assert_true(b.seq > 1700000000000ull);
	assert_int_equal(count_prefix("state.json.corrupt-"), 1);
	assert_int_equal(access(path, F_OK), -1);
	state_close(st);
	agg_fini(&b);
	agg_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_primed_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_lock_and_corruption, setup, teardown),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
