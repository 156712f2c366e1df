/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deltas (src/report_memo.c, probe.c, agg.c's merge_delta): a probe handing
 * over only what changed must leave the aggregator exactly where whole scans
 * do, with the same events.  Two probes of one in-test plugin read the same
 * changing world; one hands over every group each scan, the other deltas
 * (and keeps, through ops->keep, the groups the world marks untouched).  A
 * seeded random walk changes members, activities, reasons, adds and removes
 * groups; after every scan both aggregators are compared field by field and
 * their events as sets.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/agg.h"
#include "../../src/bus.h"
#include "../../src/config.h"
#include "../../src/probe.h"

#define MAX_GROUPS  24
#define MAX_MEMBERS 4
#define MAX_EVENTS  512

/* The world both probes read. */
struct wgroup {
	bool present;
	bool touched; /* changed since the last scan: ops->keep is not asked */
	char name[16];
	char reason[32];
	int n_members;
	enum redmon_role roles[MAX_MEMBERS];
	enum redmon_activity activity;
	double progress;
};
static struct wgroup world[MAX_GROUPS];

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	bool use_keep;
	unsigned kept; /* groups the host kept this scan */
};

static bool init_use_keep; /* for the next instance made */

static int world_init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	struct inst *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->ops = ops;
	in->h = h;
	in->use_keep = init_use_keep;
	*ret = in;
	return 0;
}

static void world_fini(void *inst)
{
	free(inst);
}

static int world_scan(void *inst)
{
	struct inst *in = inst;
	static const char *const names[MAX_MEMBERS] = { "sda1", "sdb1", "sdc1", "sdd1" };

	in->kept = 0;
	for (size_t i = 0; i < MAX_GROUPS; i++) {
		const struct wgroup *w = &world[i];
		struct redmon_member m[MAX_MEMBERS];
		int ok = 0;

		if (!w->present)
			continue;
		if (in->use_keep && !w->touched && in->ops->keep(in->h, w->name) == 0) {
			in->kept++;
			continue;
		}
		for (int j = 0; j < w->n_members; j++) {
			m[j] = (struct redmon_member){ .name = names[j], .role = w->roles[j] };
			ok += w->roles[j] == REDMON_ROLE_ACTIVE;
		}
		struct redmon_group g = {
			.name = w->name,
			.kind = "raid",
			.type = "raid1",
			.members_total = w->n_members,
			.members_ok = ok,
			.margin = ok - 1,
			.margin_nominal = w->n_members - 1,
			.activity = w->activity,
			.progress = w->progress,
			.reason = w->reason[0] ? w->reason : NULL,
			.members = m,
			.n_members = (size_t)w->n_members,
		};
		assert_int_equal(in->ops->report(in->h, &g), 0);
	}
	return 0;
}

static const struct redmon_plugin world_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.name = "w",
	.description = "the test's world",
	.init = world_init,
	.fini = world_fini,
	.scan = world_scan,
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
};

/* One side: a probe, its aggregator, and the events of the last update. */
struct side {
	struct probe *p;
	struct agg *a;
	struct bus *bus;
	struct event_list list;
	char events[MAX_EVENTS][96];
	size_t n_events;
	size_t handed; /* groups handed over, summed over scans */
	size_t deltas;
};

static int64_t now_ms = 1000;

static int64_t fake_clock(void)
{
	return now_ms;
}

static void record(void *ctx, const struct event *ev)
{
	struct side *s = ctx;

	assert_true(s->n_events < MAX_EVENTS);
	snprintf(s->events[s->n_events++], sizeof(s->events[0]), "%d %s %d %d %s %d", (int)ev->type,
		 ev->group ? ev->group->id : "-", ev->group ? (int)ev->group->health : -1,
		 ev->prev_health, ev->member_name ? ev->member_name : "-", ev->member_role);
}

static void side_new(struct side *s, const struct probe_env *env, bool delta)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(probe_new(&world_plugin, env, &s->p), 0);
	if (delta)
		probe_enable_delta(s->p);
	assert_int_equal(agg_new(&s->a, 10), 0);
	agg_configure(s->a, 10, 2); /* damping: recoveries held one scan */
	agg_set_clock(s->a, fake_clock);
	agg_set_stall_after(s->a, 5000);
	assert_int_equal(bus_new(&s->bus), 0);
	assert_int_equal(bus_subscribe(s->bus, agg_announcing, s->a), 0);
	assert_int_equal(bus_subscribe(s->bus, record, s), 0);
	assert_int_equal(bus_subscribe(s->bus, agg_announced, s->a), 0);
}

static void side_free(struct side *s)
{
	probe_free(s->p);
	agg_free(s->a);
	bus_free(s->bus);
	event_list_free(&s->list);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One scan and update, as the daemon's on_result does it. */
static void side_scan(struct side *s)
{
	struct snapshot *snap;
	int rc;

	s->n_events = 0;
	assert_int_equal(probe_scan(s->p), 0);
	snap = probe_groups(s->p);
	s->handed += snap->n;
	s->deltas += snap->delta;
	rc = agg_update(s->a, "w", snap, &s->list);
	assert_int_equal(rc, 0);
	assert_int_equal(bus_publish_list(s->bus, &s->list), 0);
	snapshot_clear(snap);
	if (agg_recovery_pending(s->a, "w"))
		probe_want_whole(s->p);
	qsort(s->events, s->n_events, sizeof(s->events[0]), cmp_str);
}

static void assert_same_group(const struct group *x, const struct group *y)
{
	assert_string_equal(x->id, y->id);
	assert_int_equal(x->health, y->health);
	assert_int_equal(x->margin, y->margin);
	assert_int_equal(x->activity, y->activity);
	assert_true(x->progress == y->progress);
	assert_int_equal(x->stalled, y->stalled);
	assert_int_equal(x->eta_s, y->eta_s);
	assert_int_equal(x->n_members, y->n_members);
	assert_true((x->reason == NULL) == (y->reason == NULL));
	if (x->reason)
		assert_string_equal(x->reason, y->reason);
	for (size_t i = 0; i < x->n_members; i++) {
		assert_string_equal(x->members[i].name, y->members[i].name);
		assert_int_equal(x->members[i].role, y->members[i].role);
	}
}

static void assert_same(const struct side *whole, const struct side *delta)
{
	const struct agg_probe *x = agg_probe_find(whole->a, "w");
	const struct agg_probe *y = agg_probe_find(delta->a, "w");

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(x->groups.n, y->groups.n);
	for (size_t i = 0; i < x->groups.n; i++)
		assert_same_group(&x->groups.groups[i], &y->groups.groups[i]);
	assert_int_equal(whole->n_events, delta->n_events);
	for (size_t i = 0; i < whole->n_events; i++)
		assert_string_equal(whole->events[i], delta->events[i]);
}

static unsigned rnd_state;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

static void world_reset(void)
{
	memset(world, 0, sizeof(world));
	for (size_t i = 0; i < MAX_GROUPS; i++) {
		snprintf(world[i].name, sizeof(world[i].name), "md%zu", i);
		world[i].present = i < MAX_GROUPS / 2;
		world[i].touched = true;
		world[i].n_members = 2 + (int)(i % 3);
		world[i].progress = -1;
	}
}

/* One random change of the world, or none (a scan that finds nothing new). */
static void world_change(void)
{
	struct wgroup *w = &world[rnd(MAX_GROUPS)];

	switch (rnd(8)) {
	case 0: /* appears or vanishes */
		w->present = !w->present;
		break;
	case 1: /* a member fails or comes back */
	case 2: {
		int j = (int)rnd((unsigned)w->n_members);

		w->roles[j] =
			w->roles[j] == REDMON_ROLE_ACTIVE ? REDMON_ROLE_FAILED : REDMON_ROLE_ACTIVE;
		break;
	}
	case 3: /* a rebuild starts, moves, or ends */
		if (w->activity == REDMON_ACTIVITY_NONE) {
			w->activity = REDMON_ACTIVITY_RECOVERY;
			w->progress = 0;
		} else if (w->progress < 90) {
			w->progress += 10 * rnd(2); /* sometimes it stands still */
		} else {
			w->activity = REDMON_ACTIVITY_NONE;
			w->progress = -1;
		}
		break;
	case 4:
		snprintf(w->reason, sizeof(w->reason), "%s", w->reason[0] ? "" : "odd");
		break;
	default:
		return; /* nothing: time passes (a rebuild standing still stalls) */
	}
	w->touched = true;
}

static void walk(bool use_keep, unsigned seed)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };
	struct side whole, delta;
	struct config *cfg;
	char err[256];

	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	rnd_state = seed;
	now_ms = 1000;
	world_reset();
	init_use_keep = false;
	side_new(&whole, &env, false);
	init_use_keep = use_keep;
	side_new(&delta, &env, true);
	for (int step = 0; step < 600; step++) {
		side_scan(&whole);
		side_scan(&delta);
		assert_same(&whole, &delta);
		for (size_t i = 0; i < MAX_GROUPS; i++)
			world[i].touched = false;
		for (unsigned k = rnd(3); k > 0; k--)
			world_change();
		now_ms += 1000;
	}
	/* The deltas did happen, and handed over far less. */
	assert_true(delta.deltas > 500);
	assert_true(delta.handed * 4 < whole.handed);
	side_free(&whole);
	side_free(&delta);
	cfg_free(cfg);
	close(rootfd);
}

static void test_deltas_match_whole_scans(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 5; seed++)
		walk(false, seed);
}

static void test_kept_groups_match_whole_scans(void **state)
{
	(void)state;
	for (unsigned seed = 11; seed <= 15; seed++)
		walk(true, seed);
}

/*
 * Every 33rd periodic scan hands over every group (DELTAS_MAX); a scan that
 * answers a notification stays a delta past that, so the event does not
 * wait for thousands of groups to be copied, and the next periodic scan is
 * the whole one.
 */
static void test_event_scans_stay_deltas(void **state)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };
	struct side s;
	struct config *cfg;
	char err[256];
	int first_whole = -1;

	(void)state;
	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	world_reset();
	init_use_keep = false;
	side_new(&s, &env, true);
	side_scan(&s); /* the first scan is whole */
	for (int i = 1; i < 100 && first_whole < 0; i++) {
		s.deltas = 0;
		side_scan(&s);
		if (!s.deltas)
			first_whole = i;
	}
	assert_int_equal(first_whole, 33); /* 32 deltas, then a whole scan */
	for (int i = 0; i < 100; i++) {
		s.deltas = 0;
		probe_answers_event(s.p);
		side_scan(&s);
		assert_int_equal(s.deltas, 1);
	}
	s.deltas = 0;
	side_scan(&s); /* periodic, past 32 deltas: whole */
	assert_int_equal(s.deltas, 0);
	s.deltas = 0;
	side_scan(&s);
	assert_int_equal(s.deltas, 1);
	side_free(&s);
	cfg_free(cfg);
	close(rootfd);
}

/*
 * A delta that arrives while a recovery is held (its scan began before the
 * daemon asked for a whole one) keeps the hold of a group it leaves out:
 * the recovery is still confirmed, by the next whole scan.
 */
static void test_hold_survives_a_delta(void **state)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };
	const struct agg_probe *ap;
	struct config *cfg;
	struct side s;
	char err[256];

	(void)state;
	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	world_reset();
	world[0].roles[1] = REDMON_ROLE_FAILED;
	init_use_keep = false;
	side_new(&s, &env, true);
	side_scan(&s);
	/* Recovered: held one scan.  Two deltas, as if the daemon had not asked yet. */
	world[0].roles[1] = REDMON_ROLE_ACTIVE;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(probe_scan(s.p), 0);
		assert_true(probe_groups(s.p)->delta);
		assert_int_equal(probe_groups(s.p)->n, i == 0 ? 1 : 0);
		assert_int_equal(agg_update(s.a, "w", probe_groups(s.p), &s.list), 0);
		assert_int_equal(bus_publish_list(s.bus, &s.list), 0);
		snapshot_clear(probe_groups(s.p));
		assert_true(agg_recovery_pending(s.a, "w"));
		ap = agg_probe_find(s.a, "w");
		assert_int_equal(ap->groups.groups[0].health, HEALTH_CRITICAL);
	}
	/* The whole scan confirms it. */
	probe_want_whole(s.p);
	side_scan(&s);
	assert_false(agg_recovery_pending(s.a, "w"));
	ap = agg_probe_find(s.a, "w");
	assert_int_equal(ap->groups.groups[0].health, HEALTH_OK);
	side_free(&s);
	cfg_free(cfg);
	close(rootfd);
}

/*
 * Disks first reported by a later scan (smart: its worker's first results
 * come after the first scan) reach the aggregator: a delta that left no
 * group out becomes whole; one that did drops them and asks to scan again
 * at once, whole.
 */
static bool report_disks;
static bool report_group;

static int disks_scan(void *inst)
{
	struct inst *in = inst;
	struct redmon_disk d = { .device = "/dev/sda",
				 .health = REDMON_RISK_FAILING,
				 .reason = "self-test failed" };
	struct redmon_group g = { .name = "md0", .margin = 1, .margin_nominal = 1 };

	if (report_group)
		assert_int_equal(in->ops->report(in->h, &g), 0);
	if (report_disks)
		assert_int_equal(in->ops->report_disk(in->h, &d, sizeof(d)), 0);
	return 0;
}

static void test_disks_reach_the_aggregator(void **state)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };
	struct redmon_plugin pl = world_plugin;
	struct event_list out = { 0 };
	struct config *cfg;
	struct probe *p;
	struct agg *a;
	char err[256];

	(void)state;
	pl.scan = disks_scan;
	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	for (int groups = 0; groups < 2; groups++) {
		report_group = groups;
		report_disks = false;
		assert_int_equal(probe_new(&pl, &env, &p), 0);
		probe_enable_delta(p);
		assert_int_equal(agg_new(&a, 10), 0);
		assert_int_equal(probe_scan(p), 0);
		assert_int_equal(agg_update(a, "w", probe_groups(p), &out), 0);
		event_list_clear(&out);
		snapshot_clear(probe_groups(p));
		report_disks = true;
		assert_int_equal(probe_scan(p), 0);
		if (groups) {
			/* md0 was left out: the disk waits for the whole scan asked for now. */
			assert_true(probe_rescan_wanted(p));
			assert_int_equal(probe_groups(p)->n_disks, 0);
			assert_int_equal(agg_update(a, "w", probe_groups(p), &out), 0);
			event_list_clear(&out);
			snapshot_clear(probe_groups(p));
			assert_int_equal(probe_scan(p), 0);
		}
		assert_false(probe_rescan_wanted(p));
		assert_false(probe_groups(p)->delta);
		assert_int_equal(probe_groups(p)->n_disks, 1);
		assert_int_equal(probe_groups(p)->n, (size_t)groups);
		assert_int_equal(agg_update(a, "w", probe_groups(p), &out), 0);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.v[0].type, EV_DISK_HEALTH_CHANGED);
		event_list_clear(&out);
		snapshot_clear(probe_groups(p));
		agg_free(a);
		probe_free(p);
	}
	event_list_free(&out);
	cfg_free(cfg);
	close(rootfd);
}

/* keep() is refused where the core has nothing to keep: whole scans, unknown names. */
static int keep_rc[3];

static int probing_scan(void *inst)
{
	struct inst *in = inst;

	keep_rc[0] = in->ops->keep(in->h, "md0");
	keep_rc[1] = in->ops->keep(in->h, "nosuch");
	keep_rc[2] = in->ops->keep(in->h, "md0"); /* twice */
	if (keep_rc[0] != 0) {
		struct redmon_group g = { .name = "md0", .margin = 1, .margin_nominal = 1 };

		assert_int_equal(in->ops->report(in->h, &g), 0);
	}
	return 0;
}

static void test_keep_refused_when_it_cannot_hold(void **state)
{
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };
	struct redmon_plugin pl = world_plugin;
	struct config *cfg;
	struct probe *p;
	char err[256];

	(void)state;
	pl.scan = probing_scan;
	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	assert_int_equal(probe_new(&pl, &env, &p), 0);
	probe_enable_delta(p);
	/* The first scan is whole: nothing can be kept. */
	assert_int_equal(probe_scan(p), 0);
	assert_int_equal(keep_rc[0], -ENOENT);
	assert_false(probe_groups(p)->delta);
	assert_int_equal(probe_groups(p)->n, 1);
	/* Then md0 is kept, once; a name never reported is not. */
	assert_int_equal(probe_scan(p), 0);
	assert_true(probe_groups(p)->delta);
	assert_int_equal(keep_rc[0], 0);
	assert_int_equal(keep_rc[1], -ENOENT);
	assert_int_equal(keep_rc[2], -ENOENT);
	assert_int_equal(probe_groups(p)->n, 0);
	assert_int_equal(probe_groups(p)->n_gone, 0);
	/* Asked for a whole scan: keep() refuses again. */
	probe_want_whole(p);
	assert_int_equal(probe_scan(p), 0);
	assert_int_equal(keep_rc[0], -ENOENT);
	assert_false(probe_groups(p)->delta);
	probe_free(p);
	cfg_free(cfg);
	close(rootfd);
}

/* A delta for a probe whose groups turned unknown (it failed) cannot be applied. */
static void test_delta_after_failure_is_refused(void **state)
{
	struct snapshot delta = { 0 };
	struct event_list out = { 0 };
	struct agg *a;
	struct redmon_group g = { .name = "md0", .margin = 1, .margin_nominal = 1 };

	(void)state;
	assert_int_equal(agg_new(&a, 10), 0);
	assert_int_equal(snapshot_add(&delta, "w", &g), 0);
	assert_int_equal(agg_update(a, "w", &delta, &out), 0);
	snapshot_clear(&delta);
	assert_int_equal(agg_probe_failed(a, "w", "boom", &out), 0);
	event_list_clear(&out);
	assert_int_equal(snapshot_add(&delta, "w", &g), 0);
	delta.delta = true;
	assert_int_equal(agg_update(a, "w", &delta, &out), -ESTALE);
	assert_int_equal(agg_probe_find(a, "w")->groups.groups[0].health, HEALTH_UNKNOWN);
	snapshot_free(&delta);
	event_list_free(&out);
	agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas_match_whole_scans),
		cmocka_unit_test(test_event_scans_stay_deltas),
		cmocka_unit_test(test_kept_groups_match_whole_scans),
		cmocka_unit_test(test_hold_survives_a_delta),
		cmocka_unit_test(test_disks_reach_the_aggregator),
		cmocka_unit_test(test_keep_refused_when_it_cannot_hold),
		cmocka_unit_test(test_delta_after_failure_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
