/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The md probe against every md case of tests/corpus: each case directory is
 * a root (proc/mdstat and/or sys/block/md*), its expected.json the verdict.
 * The path is relative: run from the repository root (tests/run.py does); a
 * missing corpus fails the test.
 *
 * Mapping (DESIGN.md): failures_tolerable = max(margin, 0); state failed when
 * margin < 0, rebuilding when recovery/resync/reshape runs, degraded when
 * 0 <= margin < nominal, else ok.  Containers (redundancy_group false) must
 * not be reported at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/md/md_scan.h"

#define MAX_GROUPS 64

struct got {
	char name[MD_NAME_MAX];
	char type[32];
	int total, ok, failed, spares;
	int32_t margin, nominal;
	enum redmon_activity activity;
	double progress;
	char reason[256];
};

struct result {
	struct got g[MAX_GROUPS];
	int n;
};

static int collect(void *ctx, const struct redmon_group *g)
{
	struct result *res = ctx;
	struct got *o;

	if (res->n >= MAX_GROUPS)
		return -E2BIG;
	o = &res->g[res->n++];
	snprintf(o->name, sizeof(o->name), "%s", g->name);
	snprintf(o->type, sizeof(o->type), "%s", g->type);
	o->total = g->members_total;
	o->ok = g->members_ok;
	o->failed = g->members_failed;
	o->spares = g->spares;
	o->margin = g->margin;
	o->nominal = g->margin_nominal;
	o->activity = g->activity;
	o->progress = g->progress;
	snprintf(o->reason, sizeof(o->reason), "%s", g->reason ? g->reason : "-");
	return 0;
}

static const char *coarse_state(const struct got *o)
{
	if (o->margin == REDMON_MARGIN_UNKNOWN)
		return "unknown";
	if (o->margin < 0)
		return "failed";
	if (o->activity == REDMON_ACTIVITY_RECOVERY || o->activity == REDMON_ACTIVITY_RESYNC ||
	    o->activity == REDMON_ACTIVITY_RESHAPE)
		return "rebuilding";
	if (o->margin < o->nominal)
		return "degraded";
	return "ok";
}

static const char *corpus_dir(void)
{
	return "tests/corpus";
}

static int check_int(const char *cs, const char *grp, json_t *exp, const char *key, int got)
{
	json_t *v = json_object_get(exp, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) != got) {
		print_message("  %s %s: %s expected %lld, got %d\n", cs, grp, key,
			      (long long)json_integer_value(v), got);
		return 1;
	}
	return 0;
}

/* Compare one case; returns the number of mismatches. */
static int check_case(const char *category, const char *cs)
{
	char path[1024];
	struct md_scan scan = { 0 };
	struct result *res = calloc(1, sizeof(*res));
	json_error_t jerr;
	json_t *root, *groups, *eg;
	size_t i;
	int fd, bad = 0, expected_groups = 0;

	assert_non_null(res);
	snprintf(path, sizeof(path), "%s/%s/%s", corpus_dir(), category, cs);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(md_scan_read(&scan, fd, NULL), 0);
	assert_true(md_scan_emit(&scan, collect, res) >= 0);
	close(fd);

	snprintf(path, sizeof(path), "%s/%s/%s/expected.json", corpus_dir(), category, cs);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	groups = json_object_get(root, "groups");
	assert_true(json_is_array(groups));

	json_array_foreach(groups, i, eg)
	{
		const char *name = json_string_value(json_object_get(eg, "group"));
		json_t *rg = json_object_get(eg, "redundancy_group");
		json_t *acc = json_object_get(eg, "acceptable_states");
		json_t *pct = json_object_get(eg, "rebuild_percent");
		const char *kind = json_string_value(json_object_get(eg, "kind"));
		const char *state = json_string_value(json_object_get(eg, "state"));
		struct got *o = NULL;
		char want_kind[48];
		int k;

		assert_non_null(name);
		for (k = 0; k < res->n; k++)
			if (strcmp(res->g[k].name, name) == 0)
				o = &res->g[k];
		if (json_is_false(rg)) {
			if (o) {
				print_message("  %s %s: container reported as a group\n", cs, name);
				bad++;
			}
			continue;
		}
		expected_groups++;
		if (!o) {
			print_message("  %s %s: not reported\n", cs, name);
			bad++;
			continue;
		}
		snprintf(want_kind, sizeof(want_kind), "md-%s", o->type);
		if (kind && strcmp(kind, want_kind) != 0) {
			print_message("  %s %s: kind expected %s, got %s\n", cs, name, kind,
				      want_kind);
			bad++;
		}
		bad += check_int(cs, name, eg, "members_total", o->total);
		bad += check_int(cs, name, eg, "members_ok", o->ok);
		bad += check_int(cs, name, eg, "members_failed", o->failed);
		bad += check_int(cs, name, eg, "spares", o->spares);
		bad += check_int(cs, name, eg, "failures_tolerable", o->margin < 0 ? 0 : o->margin);
		{
			const char *got_state = coarse_state(o);
			bool fine = state && strcmp(state, got_state) == 0;
			size_t j;
			json_t *s;

			json_array_foreach(acc, j, s)
			{
				if (json_is_string(s) &&
				    strcmp(json_string_value(s), got_state) == 0)
					fine = true;
			}
			if (!fine) {
				print_message(
					"  %s %s: state expected %s, got %s (margin %d/%d, %s)\n",
					cs, name, state ? state : "?", got_state, o->margin,
					o->nominal, o->reason);
				bad++;
			}
		}
		if (json_is_number(pct) && fabs(json_number_value(pct) - o->progress) > 0.051) {
			print_message("  %s %s: rebuild_percent expected %.1f, got %.1f\n", cs,
				      name, json_number_value(pct), o->progress);
			bad++;
		}
	}
	if (res->n != expected_groups) {
		print_message("  %s: %d groups reported, %d expected\n", cs, res->n,
			      expected_groups);
		bad++;
	}
	if (getenv("MD_CORPUS_VERBOSE"))
		for (int k = 0; k < res->n; k++)
			print_message("  %s %s %s total=%d ok=%d failed=%d spares=%d margin=%d/%d "
				      "act=%d pct=%.1f: %s\n",
				      cs, res->g[k].name, res->g[k].type, res->g[k].total,
				      res->g[k].ok, res->g[k].failed, res->g[k].spares,
				      res->g[k].margin, res->g[k].nominal, res->g[k].activity,
				      res->g[k].progress, res->g[k].reason);
	json_decref(root);
	md_scan_free(&scan);
	free(res);
	return bad;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_category(const char *category, int min_cases)
{
	char path[1024], *names[256];
	struct dirent *de;
	int n = 0, bad = 0, i;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), category);
	d = opendir(path);
	if (!d)
		fail_msg("corpus %s not found (run from the repository root)", path);
	while ((de = readdir(d)) && n < 256) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		int b = check_case(category, names[i]);

		print_message("%s %s/%s\n", b ? "MISMATCH" : "agree   ", category, names[i]);
		bad += b;
		free(names[i]);
	}
	assert_true(n >= min_cases);
	assert_int_equal(bad, 0);
}

static void test_corpus_mdstat(void **state)
{
	(void)state;
	run_category("md-mdstat", 26);
}

static void test_corpus_sysfs(void **state)
{
	(void)state;
	run_category("md-sysfs", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_mdstat),
		cmocka_unit_test(test_corpus_sysfs),
	};

	return cmocka_run_group_tests_name("md_corpus", tests, NULL, NULL);
}
