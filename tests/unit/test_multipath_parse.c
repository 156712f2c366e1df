// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multipath probe's parsers and rules (plugins/multipath): the
 * multipath target's status line (the kernel documents' examples, a failed
 * path, several path groups, dmsetup's framing), multipathd's path table
 * (columns by position, a blank column, lines before the header), what each
 * source's words mean, a map as a group, and hostile input.  Run from the
 * top of the tree (tests/captures).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/multipath/mpath.h"
#include "../../plugins/lib/strbuf.h"
#include "spof_tree.h"

#include <fcntl.h>

#define CAPTURES "tests/captures/multipath/"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static int dm(const char *text, struct mpath_dm_status *s, char *err, size_t len)
{
	*s = (struct mpath_dm_status){ 0 };
	err[0] = '\0';
	return mpath_dm_parse(text, strlen(text), s, err, len);
}

static void test_dm_kernel_docs(void **state)
{
	static const char *const cases[] = { CAPTURES
					     "kernel-doc-queue-length-2path/dmsetup-status.txt",
					     CAPTURES
					     "kernel-doc-service-time-2path/dmsetup-status.txt" };
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct mpath_dm_status s;
		char err[256];
		size_t n;
		char *buf = slurp(cases[c], &n);

		assert_int_equal(dm(buf, &s, err, sizeof(err)), 0);
		assert_int_equal(s.n_map, 1);
		assert_string_equal(s.map[0].name, "test");
		assert_int_equal(s.map[0].n_path, 2);
		assert_int_equal(s.map[0].path[0].major, 8);
		assert_int_equal(s.map[0].path[0].minor, 0);
		assert_int_equal(s.map[0].path[1].minor, 16);
		assert_true(s.map[0].path[0].active && s.map[0].path[1].active);
		assert_non_null(mpath_dm_find(&s, "test"));
		assert_null(mpath_dm_find(&s, "tes"));
		mpath_dm_status_free(&s);
		free(buf);
	}
}

static void test_dm_failed_and_groups(void **state)
{
	struct mpath_dm_status s;
	char err[256], why[96];
	const char *text =
		"vg-lv: 0 8192 linear \n"
		"mpathb: 0 3221225472 multipath 2 0 0 0 2 1 A 0 3 0 8:80 A 0 8:96 A 0 8:128 A 0 "
		"E 0 1 0 8:112 F 3\n"
		"raid: 0 10 raid raid1 2 AA 10/10 idle 0 0 -\n"
		"docker-253:10-1: 0 20971520 thin 1922048 20971519\n"
		"mpathq: 0 10 multipath 3 queue_if_no_path pg_init_retries 50 1 alua 1 1 "
		"D 1 x 1 0 65:0 F 12\n";

	(void)state;
	assert_int_equal(dm(text, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_map, 2);
	assert_int_equal(s.map[0].n_path, 4);
	assert_false(s.map[0].path[3].active);
	assert_int_equal(s.map[0].path[3].fails, 3);
	assert_int_equal(s.map[0].path[3].minor, 112);
	assert_int_equal(mpath_dm_role(&s.map[0].path[3], why, sizeof(why)), REDMON_ROLE_FAILED);
	assert_non_null(strstr(why, "3 failures"));
	assert_string_equal(s.map[1].name, "mpathq");
	assert_int_equal(s.map[1].path[0].major, 65);
	assert_int_equal(s.map[1].path[0].fails, 12);
	mpath_dm_status_free(&s);

	/* `dmsetup status NAME` prints no name; "No devices found" is no map */
	assert_int_equal(dm("0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A 0\n", &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.n_map, 1);
	assert_string_equal(s.map[0].name, "");
	mpath_dm_status_free(&s);
	assert_int_equal(dm("No devices found\n", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_map, 0);
	mpath_dm_status_free(&s);
}

static void test_dm_hostile(void **state)
{
	static const char *const bad[] = {
		"m: 0 10 multipath",
		"m: 0 10 multipath 2 0",
		"m: 0 10 multipath 99999999999999999999 0 0",
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 2 0 8:0 A 0", /* a path short */
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 X 0", /* not A/F */
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8-0 A 0", /* not maj:min */
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 :0 A 0",
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A -1",
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 99999:0 A 0",   /* major out of range */
		"m: 0 10 multipath 2 0 0 0 1 1 Q 0 1 0 8:0 A 0",       /* group state */
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A 0 extra", /* words left */
		"m: 0 10 multipath 2 0 0 0 5 1 A 0 1 0 8:0 A 0",       /* groups short */
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 4294967296 0 8:0 A 0",
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 4000000000 8:0 A 0",
		"m: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A 0x1",
		"m: 0 10 multipath +2 0 0 0 1 1 A 0 1 0 8:0 A 0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mpath_dm_status s;
		char err[256];

		assert_int_equal(dm(bad[i], &s, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		mpath_dm_status_free(&s);
	}
	/* NUL bytes and control bytes in a name are copied as '?' */
	{
		const char text[] = "a\x01\x1b: 0 10 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A 0";
		struct mpath_dm_status s = { 0 };
		char err[64];

		assert_int_equal(mpath_dm_parse(text, sizeof(text) - 1, &s, err, sizeof(err)), 0);
		assert_string_equal(s.map[0].name, "a??");
		mpath_dm_status_free(&s);
	}
	/* more paths than a map may hold */
	{
		struct strbuf b = { 0 };
		struct mpath_dm_status s = { 0 };
		char err[128];

		assert_int_equal(strbuf_addf(&b, NULL, "m: 0 1 multipath 0 0 1 1 A 0 %d 0",
					     MPATH_MAX_PATHS + 1),
				 0);
		for (int i = 0; i <= MPATH_MAX_PATHS; i++)
			assert_int_equal(strbuf_addf(&b, " ", "8:%d A 0", i), 0);
		assert_int_equal(mpath_dm_parse(b.p, b.len, &s, err, sizeof(err)), -E2BIG);
		mpath_dm_status_free(&s);
		strbuf_free(&b);
	}
}

static int md(const char *text, struct mpath_md_paths *s, char *err, size_t len)
{
	*s = (struct mpath_md_paths){ 0 };
	return mpath_md_parse(text, strlen(text), s, err, len);
}

static void test_md_table(void **state)
{
	struct mpath_md_paths s;
	const struct mpath_md_path *p;
	char err[256], why[96];
	size_t n;
	char *buf =
		slurp(CAPTURES "fixture-multipathd-4path-one-faulty/multipathd-show-paths.txt", &n);

	(void)state;
	s = (struct mpath_md_paths){ 0 };
	assert_int_equal(mpath_md_parse(buf, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_path, 4);
	p = mpath_md_find(&s, "sdh");
	assert_non_null(p);
	assert_string_equal(p->dm_st, "failed");
	assert_string_equal(p->chk_st, "faulty");
	assert_string_equal(p->dev_st, "running");
	assert_int_equal(mpath_checker_role(p, why, sizeof(why)), REDMON_ROLE_FAILED);
	p = mpath_md_find(&s, "sdf");
	assert_int_equal(mpath_checker_role(p, why, sizeof(why)), REDMON_ROLE_ACTIVE);
	mpath_md_paths_free(&s);
	free(buf);

	/* multipath -v3's list: log lines first, a blank uuid column, ghost, undef */
	assert_int_equal(md("Apr 11 21:05:13 | sdc: rdac prio = 1\n"
			    "===== paths list =====\n"
			    "uuid                              hcil    dev dev_t pri dm_st chk_st "
			    "vend/prod\n"
			    "3600605b002c41b00152609d30dd03667 1:2:0:0 sda 8:0   1   undef ready  "
			    "LSI,MegaR\n"
			    "                                  4:0:0:0 sdb 8:16  6   undef ghost  "
			    "LSI,INF-0\n"
			    "360080e500018a38a0000027c4dc9d637 0:0:0:0 sdc 8:32  1   undef undef  "
			    "LSI,INF-0\n",
			    &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.n_path, 3);
	assert_string_equal(s.path[1].dev, "sdb");
	assert_int_equal(mpath_checker_role(&s.path[1], why, sizeof(why)), REDMON_ROLE_STANDBY);
	assert_int_equal(mpath_checker_role(&s.path[2], why, sizeof(why)), REDMON_ROLE_UNKNOWN);
	assert_non_null(strstr(why, "undef"));
	mpath_md_paths_free(&s);
}

static void test_md_hostile(void **state)
{
	struct mpath_md_paths s;
	char err[256];
	char big[600];

	(void)state;
	assert_int_equal(md("", &s, err, sizeof(err)), -EINVAL);
	mpath_md_paths_free(&s);
	assert_int_equal(md("error -104 receiving packet\n", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no header"));
	mpath_md_paths_free(&s);
	/* short lines, a line of one byte, values longer than their field */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(md("hcil dev dm_st chk_st\n\n1\n1:0 sdq\n", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_path, 1);
	assert_string_equal(s.path[0].chk_st, "");
	mpath_md_paths_free(&s);
	{
		struct strbuf b = { 0 };

		assert_int_equal(strbuf_addf(&b, NULL, "dev chk_st\n%s %s\n", big, big), 0);
		s = (struct mpath_md_paths){ 0 };
		assert_int_equal(mpath_md_parse(b.p, b.len, &s, err, sizeof(err)), 0);
		assert_int_equal(strlen(s.path[0].dev), MPATH_NAME - 1);
		mpath_md_paths_free(&s);
		strbuf_free(&b);
	}
}

static void test_scsi_role(void **state)
{
	char why[96];

	(void)state;
	assert_int_equal(mpath_scsi_role("running", why, sizeof(why)), REDMON_ROLE_ACTIVE);
	assert_int_equal(mpath_scsi_role("offline", why, sizeof(why)), REDMON_ROLE_FAILED);
	assert_non_null(strstr(why, "fallback"));
	assert_int_equal(mpath_scsi_role("transport-offline", why, sizeof(why)),
			 REDMON_ROLE_FAILED);
	assert_int_equal(mpath_scsi_role("bogus", why, sizeof(why)), REDMON_ROLE_UNKNOWN);
}

static void test_map_eval(void **state)
{
	struct mpath_path p[4] = {
		{ .dev = "sda", .role = REDMON_ROLE_ACTIVE, .src = MPATH_SRC_CHECKER },
		{ .dev = "sdb", .role = REDMON_ROLE_STANDBY, .src = MPATH_SRC_CHECKER },
		{ .dev = "sdc", .role = REDMON_ROLE_FAILED, .src = MPATH_SRC_DM, .why = "gone" },
		{ .dev = "sdd", .role = REDMON_ROLE_FAILED, .src = MPATH_SRC_SCSI, .why = "off" },
	};
	struct redmon_member mem[4];
	struct redmon_group g;
	char reason[256];

	(void)state;
	mpath_map_eval("m", p, 4, &g, mem, reason, sizeof(reason));
	assert_int_equal(g.margin, 1); /* two usable of four */
	assert_int_equal(g.margin_nominal, 3);
	assert_int_equal(g.members_ok, 2);
	assert_int_equal(g.members_failed, 2);
	assert_non_null(strstr(g.reason, "sdc: gone"));
	assert_non_null(strstr(g.reason, "sdd: off (sysfs)"));
	mpath_map_eval("m", p + 2, 2, &g, mem, reason, sizeof(reason));
	assert_int_equal(g.margin, -1); /* no usable path: service lost */
	p[0].role = REDMON_ROLE_UNKNOWN;
	mpath_map_eval("m", p, 2, &g, mem, reason, sizeof(reason));
	assert_int_equal(g.margin, REDMON_MARGIN_UNKNOWN);
	mpath_map_eval("m", p, 0, &g, mem, reason, sizeof(reason));
	assert_int_equal(g.margin, -1);
	assert_int_equal(g.margin_nominal, 0);
	assert_non_null(strstr(g.reason, "no path"));
	/* a reason buffer too small is cut, never overrun */
	p[0].role = REDMON_ROLE_FAILED;
	strcpy(p[0].why, "a long reason that does not fit");
	mpath_map_eval("m", p, 4, &g, mem, reason, 8);
	assert_true(strlen(reason) < 8);
}

/* A map of one path names it; two paths behind one HBA name the HBA; on two HBAs nothing. */
static void test_map_spof(void **state)
{
	struct mpath_path paths[2] = { { .dev = "sdc" }, { .dev = "sdd" } };
	struct spof_reasons sp;
	char dir[] = "/tmp/test_mpath_spof.XXXXXX", cmd[64];
	int root;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(spof_tree_disk(dir, "0000:05:00.0", 0, "sdc", 0), 0);
	assert_int_equal(spof_tree_disk(dir, "0000:05:00.0", 1, "sdd", 0), 0);
	assert_int_equal(spof_tree_disk(dir, "0000:06:00.0", 2, "sde", 0), 0);
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	mpath_map_spof(root, paths, 1, &sp);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.ptr[0], "one path only, sdc");
	mpath_map_spof(root, paths, 2, &sp);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.ptr[0], "every member is behind one controller, 0000:05:00.0");
	snprintf(paths[1].dev, sizeof(paths[1].dev), "sde");
	mpath_map_spof(root, paths, 2, &sp);
	assert_int_equal(sp.n, 0);
	/* A hostile path name is shown printable, never as a line break. */
	snprintf(paths[0].dev, sizeof(paths[0].dev), "sd\nx");
	mpath_map_spof(root, paths, 1, &sp);
	assert_string_equal(sp.ptr[0], "one path only, sd?x");
	close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_kernel_docs), cmocka_unit_test(test_dm_failed_and_groups),
		cmocka_unit_test(test_dm_hostile),     cmocka_unit_test(test_md_table),
		cmocka_unit_test(test_md_hostile),     cmocka_unit_test(test_scsi_role),
		cmocka_unit_test(test_map_eval),       cmocka_unit_test(test_map_spof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
