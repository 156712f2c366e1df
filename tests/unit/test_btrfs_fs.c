/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the btrfs sysfs parsers and rules (plugins/btrfs/btrfs_fs.c)
 * and of the reader (btrfs_read.c) on temporary trees laid out as the
 * kernel's /sys/fs/btrfs/<fsid> (tests/captures/btrfs holds real ones).
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/btrfs/btrfs_fs.h"
#include "../../plugins/btrfs/btrfs_read.h"
#include "spof_tree.h"

#define UUID	   "e884fb1e-995c-47ab-a172-9e9d98d7fbf2"
#define ZERO_STATS "write_errs 0\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n"

static struct strv sv(const char *s)
{
	return strv_c(s);
}

static void test_error_stats(void **state)
{
	unsigned long long e[BTRFS_NERRS] = { 7, 7, 7, 7, 7 };

	(void)state;
	assert_int_equal(btrfs_parse_error_stats(sv(ZERO_STATS), e), 0);
	for (int i = 0; i < BTRFS_NERRS; i++)
		assert_int_equal(e[i], 0);
	assert_int_equal(btrfs_parse_error_stats(sv("read_errs 5\nwrite_errs 1\nflush_errs 0\n"
						    "corruption_errs 18446744073709551615\n"
						    "generation_errs 2\nfuture_errs 9"),
						 e),
			 0);
	assert_int_equal(e[BTRFS_WRITE_ERRS], 1);
	assert_int_equal(e[BTRFS_READ_ERRS], 5);
	assert_true(e[BTRFS_CORRUPTION_ERRS] == 18446744073709551615ull);
	assert_int_equal(e[BTRFS_GENERATION_ERRS], 2);
}

static void test_error_stats_hostile(void **state)
{
	static const char *const bad[] = {
		"",
		"write_errs 0\nread_errs 0\nflush_errs 0\ncorruption_errs 0\n", /* one missing */
		ZERO_STATS "read_errs 1\n",					/* twice */
		"write_errs -1\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n",
		"write_errs 18446744073709551616\nread_errs 0\nflush_errs 0\ncorruption_errs 0\n"
		"generation_errs 0\n",
		"write_errs 0 0\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n",
		"write_errs\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n",
		"write_errs 0x1\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n",
		"write_errs +1\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n",
	};
	unsigned long long e[BTRFS_NERRS] = { 7, 7, 7, 7, 7 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(btrfs_parse_error_stats(sv(bad[i]), e), -EINVAL);
		assert_int_equal(e[0], 7); /* untouched on failure */
	}
	/* A NUL inside a line is not a number. */
	assert_int_equal(btrfs_parse_error_stats(strv_make("write_errs 0\0"
							   "1",
							   14),
						 e),
			 -EINVAL);
}

static void test_small_parsers(void **state)
{
	bool b = true;
	int m = -5;

	(void)state;
	assert_int_equal(btrfs_parse_bool(sv("0\n"), &b), 0);
	assert_false(b);
	assert_int_equal(btrfs_parse_bool(sv("1"), &b), 0);
	assert_true(b);
	assert_int_equal(btrfs_parse_bool(sv("2"), &b), -EINVAL);
	assert_int_equal(btrfs_parse_bool(sv(""), &b), -EINVAL);
	assert_int_equal(btrfs_parse_bool(sv("01"), &b), -EINVAL);
	assert_true(btrfs_profile(sv("raid1c3"), &m) >= 0);
	assert_int_equal(m, 2);
	assert_true(btrfs_profile(sv("raid1c4"), &m) >= 0);
	assert_int_equal(m, 3);
	assert_true(btrfs_profile(sv("dup"), &m) >= 0);
	assert_int_equal(m, 0);
	assert_int_equal(btrfs_profile(sv("raid1 "), &m), -EINVAL);
	assert_int_equal(btrfs_profile(sv("bytes_used"), &m), -EINVAL);
	assert_true(btrfs_is_uuid(sv(UUID)));
	assert_false(btrfs_is_uuid(sv("features")));
	assert_false(btrfs_is_uuid(sv("E884FB1E-995C-47AB-A172-9E9D98D7FBF2")));
	assert_false(btrfs_is_uuid(sv(UUID "0")));
}

/* A filesystem of n devices with profile p for all three types. */
static void make_fs(struct btrfs_fs *fs, int n, const char *p)
{
	int m, i = btrfs_profile(sv(p), &m);

	btrfs_fs_reset(fs);
	snprintf(fs->uuid, sizeof(fs->uuid), UUID);
	for (int t = 0; t < BTRFS_NTYPES; t++)
		fs->profiles[t] = 1u << i;
	for (int d = 1; d <= n; d++) {
		struct btrfs_dev *dev = btrfs_fs_add_dev(fs, (unsigned long long)d);

		assert_non_null(dev);
		dev->errs_known = true;
	}
}

struct eval {
	struct redmon_group g;
	struct redmon_member m[8];
	char names[8][32], mreason[8][256], reason[1024];
};

static void eval(const struct btrfs_fs *fs, const struct btrfs_seen *prev, size_t n, struct eval *e)
{
	btrfs_fs_group(fs, prev, n, &e->g, e->m, e->names[0], 32, e->reason, sizeof(e->reason),
		       e->mreason[0], 256);
}

static void test_margins(void **state)
{
	static const struct {
		const char *profile;
		int devs, missing, margin, nominal;
	} cases[] = {
		{ "raid1", 2, 0, 1, 1 },   { "raid1", 2, 1, 0, 1 },   { "raid1c3", 3, 0, 2, 2 },
		{ "raid1c3", 3, 1, 1, 2 }, { "raid1c4", 4, 1, 2, 3 }, { "raid10", 4, 0, 1, 1 },
		{ "raid5", 3, 1, 0, 1 },   { "raid6", 4, 0, 2, 2 },   { "raid6", 5, 3, -1, 2 },
		{ "single", 2, 0, 0, 0 },  { "raid0", 2, 1, -1, 0 },  { "dup", 1, 0, 0, 0 },
	};
	struct btrfs_fs fs = { 0 };
	struct eval e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_fs(&fs, cases[i].devs, cases[i].profile);
		for (int k = 0; k < cases[i].missing; k++)
			fs.dev[cases[i].devs - 1 - k].missing = true;
		eval(&fs, NULL, 0, &e);
		assert_int_equal(e.g.margin, cases[i].margin);
		assert_int_equal(e.g.margin_nominal, cases[i].nominal);
		assert_string_equal(e.g.type, cases[i].profile);
		assert_int_equal(e.g.members_total, cases[i].devs);
		assert_int_equal(e.g.members_ok, cases[i].devs - cases[i].missing);
	}
	btrfs_fs_free(&fs);
}

static void test_missing_named(void **state)
{
	struct btrfs_fs fs = { 0 };
	struct eval e;

	(void)state;
	make_fs(&fs, 2, "raid1");
	fs.dev[1].missing = true;
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, 0);
	assert_string_equal(e.g.reason, "devid 2 missing");
	assert_int_equal(e.m[1].role, REDMON_ROLE_MISSING);
	assert_string_equal(e.m[1].name, "devid 2");
	assert_int_equal(e.m[0].role, REDMON_ROLE_ACTIVE);
	btrfs_fs_free(&fs);
}

/* Degraded writes leave single chunks beside raid1: they count 0, and say so. */
static void test_mixed_profiles(void **state)
{
	struct btrfs_fs fs = { 0 };
	struct eval e;
	int m;

	(void)state;
	make_fs(&fs, 2, "raid1");
	fs.profiles[BTRFS_DATA] |= 1u << btrfs_profile(sv("single"), &m);
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, 0);
	assert_int_equal(e.g.margin_nominal, 1);
	assert_non_null(strstr(e.g.reason, "data has single chunks beside raid1"));
	fs.dev[1].missing = true;
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, 0);
	/* metadata raid1c3 and data raid1: the weaker decides. */
	make_fs(&fs, 3, "raid1c3");
	fs.profiles[BTRFS_DATA] = 1u << btrfs_profile(sv("raid1"), &m);
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, 1);
	assert_string_equal(e.g.type, "raid1");
	btrfs_fs_free(&fs);
}

static void test_unknown(void **state)
{
	struct btrfs_fs fs = { 0 };
	struct eval e;

	(void)state;
	make_fs(&fs, 2, "raid1");
	fs.profiles[BTRFS_SYSTEM] = 0; /* a profile this redmon does not know */
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "allocation/system"));
	make_fs(&fs, 2, "raid1");
	snprintf(fs.dev[0].bad, sizeof(fs.dev[0].bad), "devinfo missing: content not understood");
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(e.m[0].role, REDMON_ROLE_UNKNOWN);
	assert_non_null(strstr(e.g.reason, "devid 1: devinfo missing"));
	make_fs(&fs, 2, "raid1");
	snprintf(fs.bad, sizeof(fs.bad), "devinfo: Permission denied");
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(e.g.reason, "devinfo: Permission denied");
	btrfs_fs_free(&fs);
}

static void test_counters(void **state)
{
	struct btrfs_fs fs = { 0 };
	struct btrfs_seen prev[2] = { { .uuid = UUID, .devid = 1 }, { .uuid = UUID, .devid = 2 } };
	struct eval e;

	(void)state;
	make_fs(&fs, 2, "raid1");
	fs.dev[1].errs[BTRFS_CORRUPTION_ERRS] = 4;
	/* First scan: not zero, but nothing to compare with: a member note only. */
	eval(&fs, NULL, 0, &e);
	assert_string_equal(e.m[1].reason, "corruption_errs 4");
	assert_null(e.g.reason);
	assert_int_equal(e.g.margin, 1);
	/* Rose since the last scan: the member's and the group's reason. */
	eval(&fs, prev, 2, &e);
	assert_string_equal(e.m[1].reason, "corruption_errs rose from 0 to 4");
	assert_string_equal(e.g.reason, "devid 2: corruption_errs rose from 0 to 4");
	assert_null(e.m[0].reason);
	/* Same as last time: a note, no group reason. */
	prev[1].errs[BTRFS_CORRUPTION_ERRS] = 4;
	eval(&fs, prev, 2, &e);
	assert_null(e.g.reason);
	/* Another filesystem's counters are not ours. */
	snprintf(prev[1].uuid, sizeof(prev[1].uuid), "00000000-0000-0000-0000-000000000000");
	prev[1].errs[BTRFS_CORRUPTION_ERRS] = 0;
	eval(&fs, prev, 2, &e);
	assert_null(e.g.reason);
	btrfs_fs_free(&fs);
}

static void test_replace_target(void **state)
{
	struct btrfs_fs fs = { 0 };
	struct btrfs_dev *d;
	struct eval e;

	(void)state;
	make_fs(&fs, 2, "raid1");
	d = btrfs_fs_add_dev(&fs, 0);
	d->replace_target = true;
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(e.g.members_total, 2);
	assert_int_equal(e.g.n_members, 3);
	assert_int_equal(e.m[2].role, REDMON_ROLE_REBUILDING);
	assert_int_equal(e.g.margin, 1);
	/* The new device's counters unreadable: noted on it, the margin of the counted two stands. */
	snprintf(d->bad, sizeof(d->bad), "error_stats: content not understood");
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.margin, 1);
	assert_string_equal(e.m[2].reason, "error_stats: content not understood");
	fs.n_dev = 2;
	snprintf(fs.exclop, sizeof(fs.exclop), "balance");
	eval(&fs, NULL, 0, &e);
	assert_int_equal(e.g.activity, REDMON_ACTIVITY_RESHAPE);
	btrfs_fs_free(&fs);
}

static void test_too_many_devices(void **state)
{
	struct btrfs_fs fs = { 0 };

	(void)state;
	for (unsigned long long i = 0; i < BTRFS_MAX_DEVS; i++)
		assert_non_null(btrfs_fs_add_dev(&fs, i));
	assert_null(btrfs_fs_add_dev(&fs, 999));
	btrfs_fs_free(&fs);
	btrfs_fs_free(NULL);
}

/* The reader on a temporary tree. */
struct tree {
	char root[64];
	int fd;
};

static void put(struct tree *t, const char *rel, const char *text)
{
	char path[512], *s;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	for (s = path + strlen(t->root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if (text) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(path, 0755);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->root, sizeof(t->root), "/tmp/test_btrfs_fs.XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	t->fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	close(t->fd);
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

#define FS "sys/fs/btrfs/" UUID "/"

static void put_healthy(struct tree *t)
{
	put(t, FS "label", "t\n");
	put(t, FS "exclusive_operation", "none\n");
	for (int d = 1; d <= 2; d++) {
		char p[128];

		snprintf(p, sizeof(p), FS "devinfo/%d/missing", d);
		put(t, p, "0\n");
		snprintf(p, sizeof(p), FS "devinfo/%d/error_stats", d);
		put(t, p, ZERO_STATS);
		snprintf(p, sizeof(p), FS "devinfo/%d/replace_target", d);
		put(t, p, "0\n");
	}
	put(t, FS "allocation/data/raid1/total_bytes", "67108864\n");
	put(t, FS "allocation/data/bytes_used", "0\n");
	put(t, FS "allocation/metadata/raid1/total_bytes", "33554432\n");
	put(t, FS "allocation/system/raid1/total_bytes", "8388608\n");
	put(t, "sys/fs/btrfs/features/raid1c34", "0\n");
}

static void test_read_tree(void **state)
{
	struct tree *t = *state;
	struct btrfs_reader r = { .root_fd = t->fd };
	struct btrfs_fs fs = { 0 };
	char(*names)[BTRFS_UUID_LEN + 1] = NULL;
	size_t n = 9;
	int m;

	/* No sys/fs/btrfs (no module): no filesystem, no error. */
	assert_int_equal(btrfs_list_fs(&r, &names, &n), 0);
	assert_int_equal(n, 0);
	free(names);
	put_healthy(t);
	assert_int_equal(btrfs_list_fs(&r, &names, &n), 0);
	assert_int_equal(n, 1); /* "features" is not a filesystem */
	assert_string_equal(names[0], UUID);
	free(names);
	assert_int_equal(btrfs_read_fs(&r, UUID, &fs), 0);
	assert_string_equal(fs.bad, "");
	assert_string_equal(fs.label, "t");
	assert_int_equal(fs.n_dev, 2);
	assert_true(fs.dev[0].errs_known);
	assert_int_equal(fs.profiles[BTRFS_DATA], 1u << btrfs_profile(sv("raid1"), &m));
	/* An empty profile (total_bytes 0) holds no chunk: not counted. */
	put(t, FS "allocation/data/single/total_bytes", "0\n");
	put(t, FS "devinfo/2/missing", "1\n");
	assert_int_equal(btrfs_read_fs(&r, UUID, &fs), 0);
	assert_int_equal(fs.profiles[BTRFS_DATA], 1u << btrfs_profile(sv("raid1"), &m));
	assert_true(fs.dev[1].missing);
	btrfs_fs_free(&fs);
	btrfs_reader_free(&r);
}

/*
 * devices/ names the filesystem's block devices (links to them, never
 * followed): two partitions of sdb are named; a name with '/' or "..", or a
 * device the root does not know, takes no part.
 */
static void test_read_spof(void **state)
{
	struct tree *t = *state;
	struct btrfs_reader r = { .root_fd = t->fd };
	struct spof_reasons sp;
	char path[256];

	put_healthy(t);
	btrfs_read_spof(&r, UUID, &sp);
	assert_int_equal(sp.n, 0); /* no devices/ at all */
	assert_int_equal(spof_tree_disk(t->root, "0000:00:1f.2", 0, "sdb", 2), 0);
	assert_int_equal(spof_tree_disk(t->root, "0000:03:00.0", 1, "sdc", 1), 0);
	put(t, FS "devices", NULL);
	snprintf(path, sizeof(path), "%s/" FS "devices/sdb1", t->root);
	assert_int_equal(symlink("../../../../devices/pci0000:00/0000:00:1f.2/host0/target0:0:0/"
				 "0:0:0:0/block/sdb/sdb1",
				 path),
			 0);
	snprintf(path, sizeof(path), "%s/" FS "devices/sdc1", t->root);
	assert_int_equal(symlink("../../../../devices/sdc1", path), 0);
	btrfs_read_spof(&r, UUID, &sp);
	assert_int_equal(sp.n, 0); /* sdb1 and sdc1: two disks, two controllers */
	snprintf(path, sizeof(path), "%s/" FS "devices/sdb2", t->root);
	assert_int_equal(symlink("/etc/passwd", path), 0); /* the link is not what counts */
	btrfs_read_spof(&r, UUID, &sp);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.ptr[0], "members sdb1 and sdb2 are partitions of one disk, sdb");
	btrfs_reader_free(&r);
}

static void test_read_hostile(void **state)
{
	struct tree *t = *state;
	struct btrfs_reader r = { .root_fd = t->fd };
	struct btrfs_fs fs = { 0 };
	char big[8192], link[600];

	put_healthy(t);
	/* error_stats over the bound, missing not a boolean, a link out of the root. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(t, FS "devinfo/1/error_stats", big);
	put(t, FS "devinfo/2/missing", "yes\n");
	assert_int_equal(btrfs_read_fs(&r, UUID, &fs), 0);
	assert_string_equal(fs.dev[0].bad, "devinfo error_stats: content too long");
	assert_string_equal(fs.dev[1].bad, "devinfo missing: content not understood");
	snprintf(link, sizeof(link), "%s/" FS "devinfo/2/missing", t->root);
	unlink(link);
	assert_int_equal(symlink("../../../../../../../etc/passwd", link), 0);
	assert_int_equal(btrfs_read_fs(&r, UUID, &fs), 0);
	assert_non_null(strstr(fs.dev[1].bad, "devinfo missing:"));
	/* devinfo/ not a directory: the filesystem is unknown. */
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	mkdir(t->root, 0700);
	put(t, FS "devinfo", "1\n");
	assert_int_equal(btrfs_read_fs(&r, UUID, &fs), 0);
	assert_non_null(strstr(fs.bad, "devinfo:"));
	btrfs_fs_free(&fs);
	btrfs_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_stats),
		cmocka_unit_test(test_error_stats_hostile),
		cmocka_unit_test(test_small_parsers),
		cmocka_unit_test(test_margins),
		cmocka_unit_test(test_missing_named),
		cmocka_unit_test(test_mixed_profiles),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_replace_target),
		cmocka_unit_test(test_too_many_devices),
		cmocka_unit_test_setup_teardown(test_read_tree, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_read_hostile, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_read_spof, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
