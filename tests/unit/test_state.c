/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State across restarts (src/state.c): round trip, validation, the file, the
 * sequence, and saves that fail (a file size limit; a real full tmpfs).
 */
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/agg.h"
#include "../../src/bus.h"
#include "../../src/log.h"
#include "../../src/state.h"

#define MAX_EVENTS 16

static char dir[64];
static const struct state_id id = { .host = "db1", .root = "/", .sinks = "abc" };
static enum event_type seen[MAX_EVENTS];
static size_t n_seen;
/*
 * The bus's sequence beside each aggregator, as the daemon keeps it: a_seq
 * after a's events, b_seq as state_open() restored it for b.
 */
static uint64_t a_seq, b_seq;

static void record(void *ctx, const struct event *ev)
{
	(void)ctx;
	assert_true(n_seen < MAX_EVENTS);
	seen[n_seen++] = ev->type;
}

/*
 * The daemon's wiring in small: a's events out on a bus that continues after
 * *seq (left at its last), the aggregator's bookkeeping around record.
 */
static void publish(struct agg *a, uint64_t *seq, struct event_list *l)
{
	struct bus *bus;

	assert_int_equal(bus_new(&bus), 0);
	assert_int_equal(bus_raise_seq(bus, *seq), 0);
	assert_int_equal(bus_subscribe(bus, agg_announcing, a), 0);
	assert_int_equal(bus_subscribe(bus, record, NULL), 0);
	assert_int_equal(bus_subscribe(bus, agg_announced, a), 0);
	assert_int_equal(bus_publish_list(bus, l), 0);
	*seq = bus_last_seq(bus);
	bus_free(bus);
	event_list_free(l);
}

static int update(struct agg *a, uint64_t *seq, const char *probe, struct snapshot *s)
{
	struct event_list l = { 0 };
	int rc = agg_update(a, probe, s, &l);

	publish(a, seq, &l);
	snapshot_clear(s);
	return rc;
}

static int failed(struct agg *a, uint64_t *seq, const char *probe, const char *error)
{
	struct event_list l = { 0 };
	int rc = agg_probe_failed(a, probe, error, &l);

	publish(a, seq, &l);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	n_seen = 0;
	log_setup(LOG_TARGET_STDERR, LOG_EMERG); /* expected errors stay quiet */
	snprintf(dir, sizeof(dir), "/tmp/redmon-state-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static void fault_cleanup(void);

static int teardown(void **state)
{
	char cmd[192];

	(void)state;
	fault_cleanup(); /* what a failed assertion left set */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.victim'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Probe "md": a raid1 named name with members a and b; margin as given
 * (-1: failed, REDMON_MARGIN_UNKNOWN: unknown).
 */
static const char *const md0_spof[] = { "members a and b are partitions of one disk, sd\n\"x\xff\\",
					"every member is behind one controller, 0000:00:1f.2" };

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

	/* md0 has hidden single points of failure, in hostile bytes: saved as announced. */
	if (strcmp(name, "md0") == 0) {
		g.spof = md0_spof;
		g.n_spof = 2;
	}
	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
}

/* An aggregator that saw md0 ok, md1 failed, md2 unknown with a hostile name. */
static void scanned(struct agg **ret)
{
	struct snapshot s = { 0 };
	struct agg *a;

	assert_int_equal(agg_new(&a, 10), 0);
	*ret = a;
	a_seq = 0;
	group(&s, "md0", 1, REDMON_ROLE_ACTIVE);
	group(&s, "md1", -1, REDMON_ROLE_FAILED);
	group(&s, "md\xc3\x28\\2", REDMON_MARGIN_UNKNOWN, REDMON_ROLE_UNKNOWN);
	assert_int_equal(update(a, &a_seq, "md", &s), 0);
	snapshot_free(&s);
	n_seen = 0;
}

static int count_prefix(const char *prefix);

static json_t *round_trip_doc(const struct agg *a, uint64_t reserved)
{
	struct timespec now = { .tv_sec = 1700000000 };
	json_t *doc = state_to_json(a, &id, a_seq, reserved, &now);
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
	struct agg *a, *b;
	json_t *doc;
	uint64_t seq = 0;
	char why[256];
	struct timespec t1, t2;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(a, a_seq + 64);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
	assert_int_equal(seq, a_seq + 64);
	assert_int_equal(agg_probe_count(b), 1);
	assert_int_equal(agg_probe_at(b, 0)->groups.n, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct group *x = &agg_probe_at(a, 0)->groups.groups[i];
		const struct group *y = &agg_probe_at(b, 0)->groups.groups[i];

		/* Every byte of the names back, failed told from critical. */
		assert_string_equal(x->id, y->id);
		assert_int_equal(x->health, y->health);
		assert_int_equal(x->margin, y->margin);
		assert_string_equal(x->members[1].name, y->members[1].name);
		assert_string_equal(x->members[1].reason, y->members[1].reason);
		assert_int_equal(x->members[1].role, y->members[1].role);
		assert_int_equal(x->n_spof, y->n_spof);
		for (size_t k = 0; k < x->n_spof; k++)
			assert_string_equal(x->spof[k], y->spof[k]);
		assert_true(agg_since(a, x->id, &t1));
		assert_true(agg_since(b, y->id, &t2));
		assert_int_equal(t1.tv_sec, t2.tv_sec);
	}
	assert_int_equal(agg_probe_at(b, 0)->groups.groups[1].health, HEALTH_FAILED);
	assert_int_equal(agg_probe_at(b, 0)->groups.groups[0].n_spof, 2);
	assert_string_equal(agg_probe_at(b, 0)->groups.groups[0].spof[0], md0_spof[0]);
	json_decref(doc);
	agg_free(a);
	agg_free(b);
}

/* --- round trips at every size ---------------------------------------------- */

/*
 * A text of 255 bytes (the longest name a file system gives a disk), every
 * byte but NUL in turn from first: quotes, backslashes, control bytes,
 * bytes that are not UTF-8.
 */
static char *text255(unsigned first)
{
	char *s = malloc(256);

	assert_non_null(s);
	for (unsigned i = 0; i < 255; i++)
		s[i] = (char)((first + i) % 255 + 1);
	s[255] = 0;
	return s;
}

/* 255 bytes of valid UTF-8 (two-byte letters and one 'x'). */
static char *utf8_255(void)
{
	char *s = malloc(256);

	assert_non_null(s);
	for (unsigned i = 0; i < 254; i += 2)
		memcpy(s + i, "\xc3\xa9", 2);
	s[254] = 'x';
	s[255] = 0;
	return s;
}

static void same_text(const char *x, const char *y)
{
	if (!x || !y)
		assert_ptr_equal(x, y);
	else
		assert_string_equal(x, y);
}

/* Every field of two groups, member by member. */
static void same_group(const struct group *x, const struct group *y)
{
	same_text(x->id, y->id);
	same_text(x->probe, y->probe);
	same_text(x->name, y->name);
	same_text(x->kind, y->kind);
	same_text(x->type, y->type);
	same_text(x->reason, y->reason);
	assert_int_equal(x->members_total, y->members_total);
	assert_int_equal(x->members_ok, y->members_ok);
	assert_int_equal(x->members_failed, y->members_failed);
	assert_int_equal(x->spares, y->spares);
	assert_int_equal(x->margin, y->margin);
	assert_int_equal(x->margin_nominal, y->margin_nominal);
	assert_int_equal(x->health, y->health);
	assert_int_equal(x->activity, y->activity);
	assert_true(x->progress == y->progress);
	assert_int_equal(x->n_members, y->n_members);
	for (size_t i = 0; i < x->n_members; i++) {
		const struct member *m = &x->members[i], *n = &y->members[i];

		same_text(m->name, n->name);
		assert_int_equal(m->role, n->role);
		same_text(m->state, n->state);
		same_text(m->device, n->device);
		same_text(m->serial, n->serial);
		same_text(m->location, n->location);
		same_text(m->reason, n->reason);
	}
}

/*
 * An aggregator that saw one md group of n members with every field set,
 * every text 255 bytes (a fourth of the members leave the optional ones
 * out), and a probe "zz" failing with a 255-byte error.
 */
static void scanned_big(struct agg **ret, size_t n)
{
	struct agg *a;
	struct redmon_member *m = calloc(n, sizeof(*m));
	char **texts = calloc(6 * n + 4, sizeof(char *));
	struct snapshot s = { 0 };
	struct redmon_group g = {
		.kind = "raid",
		.type = "raid6",
		.members_total = (int)n,
		.members_ok = (int)n - 1,
		.members_failed = 1,
		.spares = 3,
		.margin = 1,
		.margin_nominal = 2,
		.activity = REDMON_ACTIVITY_RECOVERY,
		.progress = 37.4,
		.members = m,
		.n_members = n,
	};
	size_t k = 0;

	assert_non_null(m);
	assert_non_null(texts);
	g.name = texts[k++] = text255(1);
	g.reason = texts[k++] = text255(7);
	for (size_t i = 0; i < n; i++) {
		m[i].name = texts[k++] = text255((unsigned)i);
		m[i].role = (enum redmon_role)(i % REDMON_ROLE_COUNT_);
		if (i % 4 == 3)
			continue; /* state null, optional fields absent */
		m[i].state = texts[k++] = text255((unsigned)i + 1);
		m[i].device = texts[k++] = text255((unsigned)i + 2);
		m[i].serial = texts[k++] = text255((unsigned)i + 3);
		m[i].location = texts[k++] = utf8_255();
		m[i].reason = texts[k++] = text255((unsigned)i + 4);
	}
	assert_int_equal(agg_new(&a, 10), 0);
	*ret = a;
	a_seq = 0;
	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	snapshot_sort(&s);
	assert_int_equal(update(a, &a_seq, "md", &s), 0);
	texts[k] = text255(200);
	assert_int_equal(update(a, &a_seq, "zz", &(struct snapshot){ 0 }), 0);
	assert_int_equal(failed(a, &a_seq, "zz", texts[k++]), 0);
	snapshot_free(&s);
	for (size_t i = 0; i < k; i++)
		free(texts[i]);
	free(texts);
	free(m);
}

/* b holds what a held: every probe, group, field and announcement time. */
static void same_agg(const struct agg *a, const struct agg *b)
{
	assert_int_equal(agg_probe_count(a), agg_probe_count(b));
	for (size_t i = 0; i < agg_probe_count(a); i++) {
		const struct agg_probe *p = agg_probe_at(a, i), *q = agg_probe_at(b, i);

		same_text(p->name, q->name);
		assert_int_equal(p->failed, q->failed);
		same_text(p->error, q->error);
		assert_int_equal(p->groups.n, q->groups.n);
		for (size_t j = 0; j < p->groups.n; j++) {
			struct timespec t1, t2;

			same_group(&p->groups.groups[j], &q->groups.groups[j]);
			assert_true(agg_since(a, p->groups.groups[j].id, &t1));
			assert_true(agg_since(b, q->groups.groups[j].id, &t2));
			assert_int_equal(t1.tv_sec, t2.tv_sec);
			assert_int_equal(t1.tv_nsec / 1000000, t2.tv_nsec / 1000000);
		}
	}
}

/*
 * A group of 15 or more members could not be restored (the reader kept at
 * most 64 strings per group): round trips through the document and through
 * the file at 1, 15, 16, 64, 256 and 1,024 members.
 */
static void test_round_trip_sizes(void **state)
{
	static const size_t sizes[] = { 1, 15, 16, 64, 256, 1024 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct state *st;
		struct agg *a, *b;
		uint64_t seq = 0;
		char why[256] = "";
		json_t *doc;

		scanned_big(&a, sizes[i]);
		assert_int_equal(agg_probe_at(a, 0)->groups.groups[0].n_members, sizes[i]);
		doc = round_trip_doc(a, a_seq + 64);
		assert_int_equal(agg_new(&b, 10), 0);
		if (state_from_json(doc, &id, b, &seq, why, sizeof(why)) != 0)
			fail_msg("%zu members: %s", sizes[i], why);
		assert_int_equal(seq, a_seq + 64);
		same_agg(a, b);
		json_decref(doc);
		agg_free(b);

		/* Through the file, as a stop and a start do. */
		assert_int_equal(agg_new(&b, 10), 0);
		assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
		agg_free(b);
		state_save(st, a, a_seq, true);
		state_close(st);
		assert_int_equal(agg_new(&b, 10), 0);
		assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
		assert_int_equal(count_prefix("state.json.corrupt-"), 0);
		assert_int_equal(b_seq, a_seq);
		same_agg(a, b);
		state_close(st);
		agg_free(b);
		agg_free(a);
	}
}

/* Restored, the first scan is a diff: a disk that failed while down is a change, not news. */
static void test_primed_diff(void **state)
{
	struct snapshot s = { 0 };
	struct agg *a, *b;
	uint64_t seq = 0;
	char why[256];
	json_t *doc;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(a, a_seq);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
	b_seq = seq;
	group(&s, "md0", 0, REDMON_ROLE_FAILED);
	group(&s, "md1", -1, REDMON_ROLE_FAILED);
	group(&s, "md\xc3\x28\\2", REDMON_MARGIN_UNKNOWN, REDMON_ROLE_UNKNOWN);
	assert_int_equal(update(b, &b_seq, "md", &s), 0);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0], EV_HEALTH_CHANGED);
	assert_int_equal(seen[1], EV_MEMBER_CHANGED);
	assert_int_equal(b_seq, a_seq + 2); /* the sequence continues */
	snapshot_free(&s);
	json_decref(doc);
	agg_free(a);
	agg_free(b);
}

/* The checksum over doc's body made right again, as a file written that way has it. */
static void fix_checksum(json_t *doc)
{
	char *text = json_dumps(json_object_get(doc, "state"),
				JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	char sum[40];

	snprintf(sum, sizeof(sum), "fnv1a64:%016llx", (unsigned long long)state_hash(text));
	free(text);
	json_object_set_new(doc, "checksum", json_string(sum));
}

/* --- scrubs ------------------------------------------------------------------ */

static int64_t wall = 1800000000;

static int64_t wallclock(void)
{
	return wall;
}

/* md0 as its probe reports it: scrubbed at scrub_time, found what found says. */
static void scrubbed(struct snapshot *s, int64_t scrub_time, const char *found)
{
	struct redmon_member m[] = { { .name = "a", .role = REDMON_ROLE_ACTIVE },
				     { .name = "b", .role = REDMON_ROLE_ACTIVE } };
	struct redmon_group g = { .name = "md0",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 2,
				  .margin = 1,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = m,
				  .n_members = 2,
				  .scrub_time = scrub_time,
				  .scrub_found = found };

	assert_int_equal(snapshot_add(s, "md", &g), 0);
	snapshot_sort(s);
}

/*
 * What the daemon knows of scrubs survives a restart: when it first saw the
 * group, the source's date and findings, and that scrub_found_errors was
 * announced (not again after the restart).  A state file from before scrub
 * ages (no "scrub") still loads; the group counts as first seen at the next scan.
 */
static void test_scrub_round_trip(void **state)
{
	struct snapshot s = { 0 };
	struct agg *a, *b;
	const struct group *g;
	uint64_t seq = 0;
	char why[256];
	json_t *doc, *e;

	(void)state;
	assert_int_equal(agg_new(&a, 10), 0);
	agg_set_wallclock(a, wallclock);
	a_seq = 0;
	scrubbed(&s, wall - 3600, "mismatch_cnt 8");
	assert_int_equal(update(a, &a_seq, "md", &s), 0);
	assert_int_equal(seen[n_seen - 1], EV_SCRUB_FOUND_ERRORS);
	doc = round_trip_doc(a, a_seq);
	assert_int_equal(agg_new(&b, 10), 0);
	agg_set_wallclock(b, wallclock);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
	g = &agg_probe_at(b, 0)->groups.groups[0];
	assert_int_equal(g->scrub_first_seen, wall);
	assert_int_equal(g->scrub_time, wall - 3600);
	assert_int_equal(g->scrub_last, wall - 3600);
	assert_string_equal(g->scrub_found, "mismatch_cnt 8");
	assert_true(g->scrub_errors);
	assert_false(g->scrub_overdue);
	/* the next scan, 10 days on: same findings, no second event */
	wall += 10 * 86400;
	b_seq = seq;
	n_seen = 0;
	scrubbed(&s, wall - 10 * 86400 - 3600, "mismatch_cnt 8");
	assert_int_equal(update(b, &b_seq, "md", &s), 0);
	assert_int_equal(n_seen, 0);
	assert_int_equal(agg_probe_at(b, 0)->groups.groups[0].scrub_first_seen, wall - 10 * 86400);
	agg_free(b);
	/* an older state file: no "scrub" objects */
	e = json_array_get(
		json_object_get(
			json_array_get(json_object_get(json_object_get(doc, "state"), "probes"), 0),
			"groups"),
		0);
	assert_non_null(json_object_get(e, "scrub"));
	json_object_del(e, "scrub");
	json_object_del(json_object_get(e, "group"), "scrub_found");
	json_object_del(json_object_get(e, "group"), "last_scrub");
	json_object_del(json_object_get(e, "group"), "scrub_age_s");
	/* the checksum covers the body: recomputed as the old release wrote it */
	fix_checksum(doc);
	assert_int_equal(agg_new(&b, 10), 0);
	agg_set_wallclock(b, wallclock);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
	g = &agg_probe_at(b, 0)->groups.groups[0];
	assert_int_equal(g->scrub_first_seen, 0);
	assert_null(g->scrub_found);
	n_seen = 0;
	b_seq = seq;
	scrubbed(&s, 0, NULL);
	assert_int_equal(update(b, &b_seq, "md", &s), 0);
	assert_int_equal(n_seen, 0);
	assert_int_equal(agg_probe_at(b, 0)->groups.groups[0].scrub_first_seen, wall);
	/* a malformed "scrub" is refused with the group */
	json_object_set_new(e, "scrub", json_pack("{s:s}", "first_seen", "x"));
	fix_checksum(doc);
	agg_free(b);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), -EBADMSG);
	snapshot_free(&s);
	json_decref(doc);
	agg_free(a);
	agg_free(b);
}

static void expect_bad(json_t *doc, int want, const char *needle)
{
	struct agg *b;
	uint64_t seq = 0;
	char why[256] = "";

	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), want);
	if (!strstr(why, needle))
		fail_msg("'%s' not in '%s'", needle, why);
	assert_int_equal(agg_probe_count(b), 0); /* nothing trusted */
	agg_free(b);
}

/* A new checksum over the state as edited. */
static void resum(json_t *doc)
{
	char *text = json_dumps(json_object_get(doc, "state"),
				JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	char sum[40];

	snprintf(sum, sizeof(sum), "fnv1a64:%016llx", (unsigned long long)state_hash(text));
	free(text);
	json_object_set_new(doc, "checksum", json_string(sum));
}

static void test_validation(void **state)
{
	struct agg *a;
	json_t *doc, *g;

	(void)state;
	scanned(&a);
	/* An edited value without a new checksum. */
	doc = round_trip_doc(a, 5);
	json_object_set_new(json_object_get(doc, "state"), "seq", json_integer(1));
	expect_bad(doc, -EBADMSG, "checksum");
	json_decref(doc);
	/* A consistent checksum over an inconsistent group: still refused. */
	doc = round_trip_doc(a, 5);
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
	/* spof: an array of strings, or absent (files of older versions: they load). */
	{
		json_t *bad[] = { json_integer(1), json_pack("[s, i]", "x", 2) };

		for (size_t i = 0; i < 2; i++) {
			doc = round_trip_doc(a, 5);
			g = json_object_get(
				json_array_get(json_object_get(
						       json_array_get(json_object_get(
									      json_object_get(
										      doc, "state"),
									      "probes"),
								      0),
						       "groups"),
					       0),
				"group");
			json_object_set_new(g, "spof", bad[i]);
			resum(doc);
			expect_bad(doc, -EBADMSG, "bad spof");
			json_decref(doc);
		}
		doc = round_trip_doc(a, 5);
		g = json_object_get(
			json_array_get(json_object_get(
					       json_array_get(json_object_get(
								      json_object_get(doc, "state"),
								      "probes"),
							      0),
					       "groups"),
				       0),
			"group");
		json_object_del(g, "spof");
		resum(doc);
		{
			struct agg *b;
			uint64_t seq = 0;
			char why[256] = "";

			assert_int_equal(agg_new(&b, 10), 0);
			assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
			assert_int_equal(agg_probe_at(b, 0)->groups.groups[0].n_spof, 0);
			agg_free(b);
		}
		json_decref(doc);
	}
	/* Another version, another format. */
	doc = round_trip_doc(a, 5);
	json_object_set_new(doc, "version", json_integer(2));
	expect_bad(doc, -EBADMSG, "version");
	json_object_set_new(doc, "format", json_string("something"));
	expect_bad(doc, -EBADMSG, "not a redmon state");
	json_decref(doc);
	agg_free(a);
}

static void test_other_identity(void **state)
{
	struct state_id other = id;
	uint64_t seq = 0;
	struct agg *a, *b;
	char why[256];
	json_t *doc;

	(void)state;
	scanned(&a);
	doc = round_trip_doc(a, 77);
	other.sinks = "changed";
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &other, b, &seq, why, sizeof(why)), -ESTALE);
	assert_non_null(strstr(why, "sinks"));
	assert_int_equal(seq, 77); /* the sequence is kept all the same */
	assert_int_equal(agg_probe_count(b), 0);
	json_decref(doc);
	agg_free(a);
	agg_free(b);
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
	struct agg *a, *b;
	char path[128];
	int fd;

	(void)state;
	scanned(&a);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(b_seq, 0); /* no file yet */
	/* One daemon per state directory. */
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st2), -EBUSY);
	state_save(st, a, a_seq, false);
	assert_false(state_dirty(st, a_seq));
	state_close(st);
	agg_free(b);

	/* Reopened: restored, the sequence past the reservation (as after SIGKILL). */
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(b_seq, a_seq + STATE_SEQ_RESERVE);
	assert_int_equal(agg_probe_at(b, 0)->groups.n, 3);
	/* Emitting past the reservation saves first. */
	state_reserve(st, b, b_seq + 1);
	state_close(st);
	agg_free(b);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(b_seq, a_seq + 2 * STATE_SEQ_RESERVE + 1);
	state_save(st, a, a_seq, true); /* a clean stop: the exact sequence */
	state_close(st);
	agg_free(b);

	/* Torn: cut in half.  Detected, moved aside, not trusted. */
	snprintf(path, sizeof(path), "%s/state.json", dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	close(fd);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(agg_probe_count(b), 0);
	/* The sequence it cannot read: from the time in ms, beyond any earlier number. */
	assert_true(b_seq > 1700000000000ull);
	assert_int_equal(count_prefix("state.json.corrupt-"), 1);
	assert_int_equal(access(path, F_OK), -1);
	state_close(st);
	agg_free(b);
	agg_free(a);
}

/* --- saves that fail ------------------------------------------------------- */

static int logpipe = -1; /* read end; a pipe knows no file size limit */
static char logbuf[1 << 16];
static size_t loglen;
static int saved_stderr = -1;

/* Log lines (error and notice) go to a pipe until log_release(). */
static void log_capture(void)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(p[1], 2) == 2);
	close(p[1]);
	logpipe = p[0];
	loglen = 0;
	log_setup(LOG_TARGET_STDERR, LOG_NOTICE);
}

/* How many captured lines contain needle (the capture goes on). */
static int log_count(const char *needle)
{
	ssize_t n;
	int count = 0;

	fflush(stderr);
	while (loglen < sizeof(logbuf) - 1 &&
	       (n = read(logpipe, logbuf + loglen, sizeof(logbuf) - 1 - loglen)) > 0)
		loglen += (size_t)n;
	logbuf[loglen] = 0;
	for (char *line = logbuf; *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = 0;
		count += strstr(line, needle) != NULL;
		if (!nl)
			break;
		*nl = '\n';
		line = nl + 1;
	}
	return count;
}

static void log_release(void)
{
	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) == 2);
	close(saved_stderr);
	saved_stderr = -1;
	close(logpipe);
	logpipe = -1;
	log_setup(LOG_TARGET_STDERR, LOG_EMERG);
}

static char *slurp(const char *name)
{
	char path[128], *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = 0;
	fclose(f);
	return buf;
}

/* How many files named name were created, as the inotify fd ino saw. */
static int created(int ino, const char *name)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	int n = 0;

	while ((len = read(ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			n += ev->len && strcmp(ev->name, name) == 0;
			p += sizeof(*ev) + ev->len;
		}
	}
	return n;
}

/* md0 loses a disk: two events (health, member). */
static void md0_fails(struct agg *a)
{
	struct snapshot s = { 0 };

	group(&s, "md0", 0, REDMON_ROLE_FAILED);
	group(&s, "md1", -1, REDMON_ROLE_FAILED);
	group(&s, "md\xc3\x28\\2", REDMON_MARGIN_UNKNOWN, REDMON_ROLE_UNKNOWN);
	assert_int_equal(update(a, &a_seq, "md", &s), 0);
	snapshot_free(&s);
}

static int health_of(const struct agg *a, const char *gid)
{
	struct agg_iter it = { 0 };
	const struct group *g;

	while ((g = agg_next_group(a, &it))) {
		if (strcmp(g->id, gid) == 0)
			return (int)g->health;
	}
	return -1;
}

/*
 * The episode, whatever makes the writes fail (the caller arranged it
 * through block() and ends it through unblock()): the old file kept, no
 * temporary file, one log line, reservations in the mark, a restart
 * continuing after them, and the save that works again writing everything.
 */
static void failing_episode(void (*block)(void), void (*unblock)(void), const char *errname)
{
	struct state *st;
	struct agg *a, *b;
	char *before, *after;
	uint64_t used;
	int ino;

	scanned(&a);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	state_save(st, a, a_seq, false);
	agg_free(b);
	before = slurp("state.json");
	assert_non_null(before);
	assert_non_null(strstr(before, "\"seq_reserved\""));
	assert_true(strlen(before) > 2048); /* beyond the file size limit below */

	log_capture();
	block();
	md0_fails(a); /* events while the disk is full */
	assert_int_equal(n_seen, 2);
	assert_true(state_dirty(st, a_seq));
	for (int scan = 0; scan < 5; scan++)
		state_save(st, a, a_seq, false); /* every scan retries */
	assert_true(state_dirty(st, a_seq));
	after = slurp("state.json");
	assert_string_equal(before, after); /* the old state, byte for byte */
	free(after);
	after = slurp("state.json.tmp");
	assert_null(after);				      /* no partial file left */
	assert_int_equal(log_count("state: cannot save"), 1); /* once, not per scan */
	assert_int_equal(log_count(errname), 1);
	assert_int_equal(log_count(dir), 1);
	/*
	 * Events past the saved reservation: reserved in the mark, in place,
	 * without trying to write the whole state for each (at 1,000 groups that
	 * cost a minute of CPU while the alerts waited).
	 */
	used = a_seq + 3 * STATE_SEQ_RESERVE;
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(ino >= 0);
	assert_true(inotify_add_watch(ino, dir, IN_CREATE) >= 0);
	for (uint64_t seq = a_seq + 1; seq <= used; seq++)
		state_reserve(st, a, seq);
	assert_int_equal(created(ino, "state.json.tmp"), 0);
	close(ino);
	assert_int_equal(log_count("cannot reserve"), 0);
	state_close(st); /* SIGKILL: no clean stop */
	unblock();

	/* The restart: the old snapshot, the sequence after every number used. */
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_true(b_seq >= used);
	assert_true(b_seq <= used + STATE_SEQ_RESERVE);
	assert_int_equal(health_of(b, "md:md0"), HEALTH_OK); /* as saved before */
	assert_int_equal(log_count("reserved the sequence up to"), 1);
	state_close(st);
	agg_free(b);

	/* A run that saves again: the whole current state, the end logged. */
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	block();
	a_seq = b_seq + 2; /* this run's first events */
	state_save(st, a, a_seq, false);
	assert_true(state_dirty(st, a_seq));
	unblock();
	state_save(st, a, a_seq, false);
	assert_false(state_dirty(st, a_seq));
	assert_int_equal(log_count("again, after 1 failed attempt"), 1);
	state_save(st, a, a_seq, true); /* clean stop: exact, the mark lowered */
	state_close(st);
	agg_free(b);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(b_seq, a_seq);
	assert_int_equal(health_of(b, "md:md0"), HEALTH_CRITICAL);
	state_close(st);
	agg_free(b);
	log_release();
	free(before);
	agg_free(a);
}

/* A file size limit below the state's size: every write of it fails (EFBIG). */
static struct rlimit fsize_was;
static bool fsize_set;

static void fsize_block(void)
{
	/* Below the state's size, above the mark's. */
	struct rlimit small = { .rlim_cur = 1536, .rlim_max = RLIM_INFINITY };

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &fsize_was), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	fsize_set = true;
}

static void fsize_unblock(void)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &fsize_was), 0);
	fsize_set = false;
}

static void fault_cleanup(void)
{
	if (fsize_set)
		fsize_unblock();
	if (saved_stderr >= 0) {
		log_count(""); /* drain */
		log_release();
		/* Show what was logged before the failure. */
		fprintf(stderr, "logged:\n%s", logbuf);
	}
	umount2(dir, MNT_DETACH); /* the tmpfs, when a test left it */
}

static void test_save_fails_file_limit(void **state)
{
	(void)state;
	failing_episode(fsize_block, fsize_unblock, "EFBIG");
}

/*
 * Nothing can be written, not even the mark in place (a file size limit of
 * 0 here; a read-only or failing disk in life): events still go out, both
 * failures are logged once, naming the number a restart would continue
 * after, and the retries stay one per scan.
 */
static void test_nothing_writable(void **state)
{
	struct rlimit none = { .rlim_cur = 0, .rlim_max = RLIM_INFINITY };
	struct state *st;
	struct agg *a, *b;
	uint64_t saved;
	char want[128];
	int ino;

	(void)state;
	scanned(&a);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	agg_free(b);
	state_save(st, a, a_seq, false);
	saved = a_seq + STATE_SEQ_RESERVE;
	log_capture();
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &fsize_was), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
	fsize_set = true;
	md0_fails(a);
	state_save(st, a, a_seq, false);
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(ino >= 0);
	assert_true(inotify_add_watch(ino, dir, IN_CREATE) >= 0);
	for (uint64_t seq = a_seq + 1; seq <= a_seq + 200; seq++)
		state_reserve(st, a, seq); /* never held back, never a save per event */
	assert_int_equal(created(ino, "state.json.tmp"), 0);
	close(ino);
	state_save(st, a, a_seq, false); /* the next scan retries both */
	assert_int_equal(log_count("state: cannot save"), 1);
	snprintf(want, sizeof(want), "cannot reserve the sequence past %llu",
		 (unsigned long long)saved);
	assert_int_equal(log_count(want), 1);
	assert_int_equal(log_count("cannot reserve"), 1);
	fsize_unblock();
	state_save(st, a, a_seq, false);
	assert_false(state_dirty(st, a_seq));
	assert_int_equal(log_count("again, after 2 failed attempts"), 1);
	state_close(st);
	log_release();
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(b_seq, a_seq + STATE_SEQ_RESERVE);
	assert_int_equal(health_of(b, "md:md0"), HEALTH_CRITICAL);
	state_close(st);
	agg_free(b);
	agg_free(a);
}

/*
 * A real full file system: a 64 KiB tmpfs on dir, in a mount namespace of
 * this test process, filled up by a filler file.  Skipped without the
 * privilege to make one.
 */
static char filler[128];

static void full_block(void)
{
	static char block[4096];
	int fd = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	memset(block, 'x', sizeof(block));
	while (write(fd, block, sizeof(block)) > 0)
		;
	while (write(fd, block, 1) > 0)
		;
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

static void full_unblock(void)
{
	assert_int_equal(unlink(filler), 0);
}

static void test_save_fails_disk_full(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700") < 0) {
		print_message("no mount namespace or tmpfs (%s): skipped\n", strerror(errno));
		skip();
	}
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	failing_episode(full_block, full_unblock, "ENOSPC");
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
}

/* A torn or edited mark may have said more: the sequence goes on from the time. */
static void test_torn_mark(void **state)
{
	struct state *st;
	struct agg *a, *b;
	char path[128];
	int fd;

	(void)state;
	scanned(&a);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	state_save(st, a, a_seq, true);
	state_close(st);
	agg_free(b);
	snprintf(path, sizeof(path), "%s/" STATE_MARK_FILE, dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "9", 1, 20), 1); /* a digit changed, checksum not */
	close(fd);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_true(b_seq > 1700000000000ull);
	assert_int_equal(agg_probe_at(b, 0)->groups.n, 3); /* state.json itself is still trusted */
	state_close(st);
	agg_free(b);
	/* Rewritten whole at that start: the next one reads it. */
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_true(b_seq > 1700000000000ull);
	state_close(st);
	agg_free(b);
	agg_free(a);
}

/* Write a well-formed mark (its checksum right) holding the 20 digits given. */
static void write_mark(const char *digits)
{
	char head[64], line[128], path[128];
	FILE *f;

	assert_int_equal(strlen(digits), 20);
	snprintf(head, sizeof(head), "redmon-seq 1 %s", digits);
	snprintf(line, sizeof(line), "%s fnv1a64:%016llx\n", head,
		 (unsigned long long)state_hash(head));
	snprintf(path, sizeof(path), "%s/" STATE_MARK_FILE, dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(line, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* --- files planted in the state directory ------------------------------------ */

/* path of name in dir, in buf. */
static const char *in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The whole content of path, compared with want. */
static void file_is(const char *path, const char *want)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_true(n < sizeof(buf) - 1);
	buf[n] = 0;
	assert_string_equal(buf, want);
}

static void on_alarm(int sig)
{
	(void)sig;
	fail_msg("state_open() blocked on a FIFO");
}

/*
 * The daemon opens these files as root, before it drops to the service
 * user, who owns the directory and could plant a symlink, a hard link or a
 * FIFO in their place: none is followed, written through or waited on.
 */
static void test_planted_files(void **state)
{
	char victim[160], path[256], aside[160], *good;
	struct state *st;
	struct agg *a, *b;
	struct stat sb;
	long long now;

	(void)state;
	signal(SIGALRM, on_alarm);
	alarm(10);
	scanned(&a);
	/* A root-owned file outside, which must stay as it is. */
	snprintf(victim, sizeof(victim), "%s.victim", dir);
	put_file(victim, "precious\n");

	/* The lock: a symlink is refused (nothing is created at its target), a FIFO too. */
	assert_int_equal(symlink(victim, in_dir(path, sizeof(path), "lock")), 0);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), -EPERM);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), -EPERM);
	assert_int_equal(unlink(path), 0);

	/* A good run, then state.json and state.seq replaced by symlinks to victim. */
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	state_save(st, a, a_seq, true);
	state_close(st);
	agg_free(b);
	good = slurp("state.json");
	assert_int_equal(rename(in_dir(path, sizeof(path), "state.json"), victim), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(unlink(in_dir(path, sizeof(path), STATE_MARK_FILE)), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(agg_probe_count(b), 0); /* the state it points at is not trusted */
	assert_true(b_seq > 1700000000000ull);
	state_save(st, a, a_seq, false);
	state_close(st);
	agg_free(b);
	assert_int_equal(count_prefix("state.json.corrupt-"), 1);
	/* Neither written through: victim is still the state.json it was. */
	file_is(victim, good);
	free(good);
	assert_int_equal(lstat(in_dir(path, sizeof(path), STATE_MARK_FILE), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	put_file(victim, "precious\n");

	/*
	 * A hard link in place of the mark, to a file of root's that reads as
	 * a mark: replaced, not written through (a save lowers a high mark).
	 */
	write_mark("00000000099999999999");
	good = slurp(STATE_MARK_FILE);
	assert_int_equal(rename(in_dir(path, sizeof(path), STATE_MARK_FILE), victim), 0);
	assert_int_equal(link(victim, path), 0);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	md0_fails(a);
	state_save(st, a, a_seq, true);
	state_close(st);
	agg_free(b);
	file_is(victim, good);
	free(good);

	/* A FIFO as state.json: not waited on, moved aside. */
	assert_int_equal(unlink(in_dir(path, sizeof(path), "state.json")), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	assert_int_equal(agg_probe_count(b), 0);
	state_save(st, a, a_seq, false);
	state_close(st);
	agg_free(b);

	/* Moved aside never over another file (two in one second). */
	now = (long long)time(NULL);
	for (long long t = now; t <= now + 1; t++) {
		snprintf(aside, sizeof(aside), "state.json.corrupt-%lld", t);
		unlink(in_dir(path, sizeof(path), aside));
		put_file(path, "kept\n");
	}
	put_file(in_dir(path, sizeof(path), "state.json"), "{torn");
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	state_close(st);
	agg_free(b);
	for (long long t = now; t <= now + 1; t++) {
		snprintf(aside, sizeof(aside), "state.json.corrupt-%lld", t);
		file_is(in_dir(path, sizeof(path), aside), "kept\n");
	}
	alarm(0);
	unlink(victim);
	agg_free(a);
}

/* --- the bound of the sequence ---------------------------------------------- */

/* Start on dir as it is, note the sequence, save (reserving, as after an event) and stop. */
static uint64_t start_save_stop(struct agg *a, uint64_t *ret_restored_seq)
{
	struct state *st;
	struct agg *b;

	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_open(dir, &id, b, &b_seq, &st), 0);
	*ret_restored_seq = b_seq;
	a_seq = b_seq + 1; /* one event */
	state_save(st, a, a_seq, false);
	state_close(st);
	agg_free(b);
	return a_seq;
}

/*
 * A mark near INT64_MAX or above it, well-formed, was taken as the sequence,
 * so state.json was saved with a negative seq and the next start rejected
 * its own file (or, above INT64_MAX, took the mark for torn and went back).
 * Now numbers above STATE_SEQ_MAX are out of range, said so, and the
 * sequence continues from the time in ms; every file saved reads back.
 */
static void test_seq_bound_mark(void **state)
{
	static const char *const over[] = {
		"00009007199254740992", /* STATE_SEQ_MAX + 1 */
		"09223372036854775800", /* just under INT64_MAX */
		"09223372036854775807", /* INT64_MAX */
		"09300000000000000000", /* above INT64_MAX */
		"18446744073709551615", /* UINT64_MAX */
		"99999999999999999999", /* above UINT64_MAX */
	};
	uint64_t seq, emitted;
	struct agg *a;

	(void)state;
	assert_int_equal(strtoull(STATE_SEQ_MAX_TEXT, NULL, 10), STATE_SEQ_MAX);
	assert_int_equal(strtoull(over[0], NULL, 10), STATE_SEQ_MAX + 1);
	scanned(&a);
	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		write_mark(over[i]);
		log_capture();
		emitted = start_save_stop(a, &seq);
		assert_true(seq > 1700000000000ull && seq < 1ull << 48); /* the time in ms */
		assert_int_equal(log_count("out of range: above " STATE_SEQ_MAX_TEXT), 1);
		log_release();
		/* What that run saved reads back: no corrupt file, the sequence goes on. */
		agg_free(a);
		scanned(&a);
		start_save_stop(a, &seq);
		assert_int_equal(seq, emitted + STATE_SEQ_RESERVE);
		assert_int_equal(count_prefix("state.json.corrupt-"), 0);
	}
	agg_free(a);
}

/*
 * At the bound itself: a mark of STATE_SEQ_MAX - 10 is taken, the
 * reservation stops at STATE_SEQ_MAX (not 64 past it), and the next start
 * reads that file back.
 */
static void test_seq_bound_reserve(void **state)
{
	char digits[32], *text;
	uint64_t seq, emitted;
	json_t *doc;
	struct agg *a;

	(void)state;
	scanned(&a);
	snprintf(digits, sizeof(digits), "%020llu", (unsigned long long)STATE_SEQ_MAX - 10);
	write_mark(digits);
	emitted = start_save_stop(a, &seq);
	assert_int_equal(seq, STATE_SEQ_MAX - 10);
	text = slurp("state.json");
	doc = json_loads(text, 0, NULL);
	free(text);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(doc, "state"), "seq_reserved")),
		STATE_SEQ_MAX);
	json_decref(doc);
	start_save_stop(a, &seq);
	assert_int_equal(seq, STATE_SEQ_MAX);
	assert_true(seq > emitted);
	assert_int_equal(count_prefix("state.json.corrupt-"), 0);
	agg_free(a);
}

/* A state.json whose numbers pass STATE_SEQ_MAX does not validate, checksum or not. */
static void test_seq_bound_file(void **state)
{
	struct agg *a, *b;
	uint64_t seq = 0;
	char why[256] = "";
	json_t *doc;

	(void)state;
	scanned(&a);
	a_seq = STATE_SEQ_MAX;
	doc = round_trip_doc(a, STATE_SEQ_MAX);
	assert_int_equal(agg_new(&b, 10), 0);
	assert_int_equal(state_from_json(doc, &id, b, &seq, why, sizeof(why)), 0);
	assert_int_equal(seq, STATE_SEQ_MAX);
	agg_free(b);
	json_decref(doc);
	doc = round_trip_doc(a, STATE_SEQ_MAX + 1);
	expect_bad(doc, -EBADMSG, "out of range");
	json_decref(doc);
	a_seq = (uint64_t)INT64_MAX;
	doc = round_trip_doc(a, (uint64_t)INT64_MAX);
	expect_bad(doc, -EBADMSG, "out of range");
	json_decref(doc);
	agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_primed_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrub_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_lock_and_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_fails_file_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_bound_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_bound_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_bound_file, setup, teardown),
		/* last: it leaves the process in its own mount namespace */
		cmocka_unit_test_setup_teardown(test_save_fails_disk_full, setup, teardown),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
