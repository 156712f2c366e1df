/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the md sysfs reader (plugins/md/md_sysfs.c), the merge with
 * mdstat, the fd cache and the scan, on temporary trees built per test.
 * rdN links appear both as symlinks (a real kernel) and as regular files
 * holding "dev-X" (the corpus captures).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/lib/fdcache.h"
#include "../../plugins/md/md_scan.h"
#include "../../plugins/md/md_sysfs.h"
#include "spof_tree.h"

#define MAX_GOT 16

struct got {
	char name[MD_NAME_MAX];
	char type[24];
	char reason[256];
	int total, ok, failed, spares;
	int32_t margin, nominal;
	enum redmon_activity activity;
	double progress;
	int64_t eta_s;
	char scrub_found[64];
	size_t n_members;
	char member_name[16][MD_DEV_NAME_MAX];
	char member_state[16][MD_STATE_MAX];
	char member_dev[16][MD_DEV_NAME_MAX + 8];
	enum redmon_role member_role[16];
	size_t n_spof;
	char spof[SPOF_REASONS_MAX][SPOF_REASON_MAX];
};

struct fixture {
	char root[64];
	int root_fd;
	struct md_scan scan;
	struct fdcache fdc;
	struct got got[MAX_GOT];
	int n_got;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/test_md_sysfs.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->root_fd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fdcache_init(&f->fdc, 0, NULL, NULL);
	*state = f;
	return f->root_fd >= 0 ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char out[96];

	fdcache_free(&f->fdc);
	md_scan_free(&f->scan);
	close(f->root_fd);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(out, sizeof(out), "%s.out", f->root); /* test_links_stay_in_root's */
	nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* mkdir -p of every parent of rel under the root. */
static void mkparents(struct fixture *f, const char *rel)
{
	char path[512];
	char *p;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	for (p = path + strlen(f->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
}

static void put(struct fixture *f, const char *rel, const char *content)
{
	char path[512];
	FILE *fp;

	mkparents(f, rel);
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

static void link_to(struct fixture *f, const char *rel, const char *target)
{
	char path[512];

	mkparents(f, rel);
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void mkdir_rel(struct fixture *f, const char *rel)
{
	char path[512];

	mkparents(f, rel);
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void del(struct fixture *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A healthy-looking array directory: level, state, raid_disks. */
static void array(struct fixture *f, const char *md, const char *level, const char *state,
		  const char *raid_disks)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/block/%s/md/level", md);
	put(f, rel, level);
	snprintf(rel, sizeof(rel), "sys/block/%s/md/array_state", md);
	put(f, rel, state);
	snprintf(rel, sizeof(rel), "sys/block/%s/md/raid_disks", md);
	put(f, rel, raid_disks);
}

/* dev-<dev>/state (+ slot unless NULL) and rd<slot> as a symlink or a file. */
static void dev(struct fixture *f, const char *md, const char *name, const char *state,
		const char *slot, int rd, bool rd_symlink)
{
	char rel[160], target[64];

	snprintf(rel, sizeof(rel), "sys/block/%s/md/dev-%s/state", md, name);
	put(f, rel, state);
	if (slot) {
		snprintf(rel, sizeof(rel), "sys/block/%s/md/dev-%s/slot", md, name);
		put(f, rel, slot);
	}
	if (rd >= 0) {
		snprintf(rel, sizeof(rel), "sys/block/%s/md/rd%d", md, rd);
		snprintf(target, sizeof(target), "dev-%s", name);
		if (rd_symlink)
			link_to(f, rel, target);
		else
			put(f, rel, target); /* corpus form: no newline */
	}
}

static int collect(void *ctx, const struct redmon_group *g)
{
	struct fixture *f = ctx;
	struct got *o;
	size_t i;

	if (f->n_got >= MAX_GOT)
		return -E2BIG;
	o = &f->got[f->n_got++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", g->name);
	snprintf(o->type, sizeof(o->type), "%s", g->type);
	snprintf(o->reason, sizeof(o->reason), "%s", g->reason ? g->reason : "");
	o->total = g->members_total;
	o->ok = g->members_ok;
	o->failed = g->members_failed;
	o->spares = g->spares;
	o->margin = g->margin;
	o->nominal = g->margin_nominal;
	o->activity = g->activity;
	o->progress = g->progress;
	o->eta_s = g->eta_s;
	snprintf(o->scrub_found, sizeof(o->scrub_found), "%s",
		 g->scrub_found ? g->scrub_found : "");
	o->n_members = g->n_members;
	for (i = 0; i < g->n_members && i < 16; i++) {
		snprintf(o->member_name[i], sizeof(o->member_name[i]), "%s", g->members[i].name);
		snprintf(o->member_state[i], sizeof(o->member_state[i]), "%s",
			 g->members[i].state ? g->members[i].state : "");
		snprintf(o->member_dev[i], sizeof(o->member_dev[i]), "%s",
			 g->members[i].device ? g->members[i].device : "");
		o->member_role[i] = g->members[i].role;
	}
	o->n_spof = g->n_spof;
	for (i = 0; i < g->n_spof && i < SPOF_REASONS_MAX; i++)
		snprintf(o->spof[i], sizeof(o->spof[i]), "%s", g->spof[i]);
	return 0;
}

/* One full scan of the tree; returns the number of groups. */
static int scan(struct fixture *f, bool cached)
{
	int n;

	f->n_got = 0;
	fdcache_begin(&f->fdc);
	assert_int_equal(md_scan_read(&f->scan, f->root_fd, cached ? &f->fdc : NULL), 0);
	fdcache_sweep(&f->fdc);
	n = md_scan_emit(&f->scan, collect, f);
	assert_true(n >= 0);
	assert_int_equal(n, f->n_got);
	return n;
}

static const struct got *got(struct fixture *f, const char *name)
{
	int i;

	for (i = 0; i < f->n_got; i++)
		if (strcmp(f->got[i].name, name) == 0)
			return &f->got[i];
	fail_msg("group %s not reported", name);
	return NULL;
}

static enum redmon_role role(const struct got *g, const char *member)
{
	size_t i;

	for (i = 0; i < g->n_members && i < 16; i++)
		if (strcmp(g->member_name[i], member) == 0)
			return g->member_role[i];
	fail_msg("member %s not in %s", member, g->name);
	return REDMON_ROLE_COUNT_;
}

/* corpus md-sysfs/procfs-sysfs-md1, with real symlinks */
static void test_raid1_symlinks(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md1", "raid1\n", "clean\n", "2\n");
	put(f, "sys/block/md1/md/degraded", "0\n");
	put(f, "sys/block/md1/md/sync_action", "idle\n");
	put(f, "sys/block/md1/md/sync_completed", "none\n");
	dev(f, "md1", "sdj", "in_sync\n", "1\n", 1, true);
	dev(f, "md1", "sdi", "in_sync\n", "0\n", 0, true);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md1");
	assert_string_equal(g->type, "raid1");
	assert_int_equal(g->total, 2);
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->nominal, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_NONE);
	assert_true(g->progress < 0);
	assert_string_equal(g->reason, "");
	/* members in slot order, state text as sysfs printed it */
	assert_string_equal(g->member_name[0], "sdi");
	assert_string_equal(g->member_name[1], "sdj");
	assert_string_equal(g->member_state[0], "in_sync");
	assert_string_equal(g->member_dev[0], "/dev/sdi");
}

/* corpus md-sysfs/procfs-sysfs-md0: rdN regular files, no slot files, raid0 */
static void test_rd_files_raid0(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md0", "raid0\n", "clean\n", "2\n");
	dev(f, "md0", "sdg", "in_sync\n", NULL, 0, false);
	dev(f, "md0", "sdh", "in_sync\n", NULL, 1, false);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md0");
	assert_int_equal(g->total, 2);
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->nominal, 0);
	assert_int_equal(role(g, "sdg"), REDMON_ROLE_ACTIVE);
}

/*
 * rdN symlinks and no slot files (the links then tell the slots).  Found by
 * fuzz_md_sysfs: the link text was used after the buffer holding it went out
 * of scope (ASan, make sanitize).
 */
static void test_rd_symlinks_no_slot(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md5", "raid5\n", "clean\n", "3\n");
	put(f, "sys/block/md5/md/degraded", "1\n");
	put(f, "sys/block/md5/md/sync_action", "recover\n");
	dev(f, "md5", "sdc", "in_sync\n", NULL, 0, true);
	dev(f, "md5", "sdd", "in_sync\n", NULL, 1, true);
	dev(f, "md5", "sde", "spare\n", NULL, 2, true);
	dev(f, "md5", "sdf", "spare\n", NULL, -1, true);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md5");
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->spares, 1);
	assert_int_equal(role(g, "sdd"), REDMON_ROLE_ACTIVE);
	assert_int_equal(role(g, "sde"), REDMON_ROLE_REBUILDING);
	assert_int_equal(role(g, "sdf"), REDMON_ROLE_SPARE);
}

/* corpus md-sysfs/procfs-sysfs-md6: "spare" in rd3 is the disk being recovered */
static void test_spare_in_slot_rebuilds(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md6", "raid6\n", "active\n", "4\n");
	put(f, "sys/block/md6/md/degraded", "1\n");
	put(f, "sys/block/md6/md/sync_action", "recover\n");
	put(f, "sys/block/md6/md/sync_completed", "1569888 / 2093056\n");
	dev(f, "md6", "sdq", "in_sync\n", NULL, 0, false);
	dev(f, "md6", "sdr", "in_sync\n", NULL, 1, false);
	dev(f, "md6", "sds", "in_sync\n", NULL, 2, false);
	dev(f, "md6", "sdt", "spare\n", NULL, 3, false);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md6");
	assert_int_equal(g->ok, 3);
	assert_int_equal(g->spares, 0);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->nominal, 2);
	assert_int_equal(g->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(g->progress, 75.0, 1e-9);
	assert_int_equal(role(g, "sdt"), REDMON_ROLE_REBUILDING);
	assert_string_equal(g->reason,
			    "1 of 4 slots missing (sdt rebuilding); recovery 75.0% done");
}

/* A "spare" without slot is an idle hot spare; faulty is failed; slot file beats rdN. */
static void test_spare_faulty_slots(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md2", "raid5\n", "clean\n", "3\n");
	put(f, "sys/block/md2/md/degraded", "1\n");
	put(f, "sys/block/md2/md/sync_action", "idle\n");
	dev(f, "md2", "sda", "in_sync\n", "0\n", 0, true);
	dev(f, "md2", "sdb", "in_sync,write_mostly\n", "2\n", 2, true);
	dev(f, "md2", "sdc", "faulty\n", "none\n", -1, true);
	dev(f, "md2", "sdd", "spare\n", "none\n", -1, true);
	/* a stale rd1 naming sdd: the slot file says none, and wins */
	link_to(f, "sys/block/md2/md/rd1", "dev-sdd");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md2");
	assert_int_equal(g->total, 3);
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->failed, 1);
	assert_int_equal(g->spares, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(role(g, "sdc"), REDMON_ROLE_FAILED);
	assert_int_equal(role(g, "sdd"), REDMON_ROLE_SPARE);
	assert_int_equal(role(g, "slot1"), REDMON_ROLE_MISSING);
	assert_string_equal(g->reason, "1 of 3 slots missing (sdc failed)");
}

/* A member gone between listing and reading, an rdN to nowhere: skipped, not fatal. */
static void test_vanished_dev(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md3", "raid1\n", "clean\n", "2\n");
	dev(f, "md3", "sda", "in_sync\n", "0\n", 0, true);
	mkdir_rel(f, "sys/block/md3/md/dev-sdy"); /* listed, but no state inside */
	link_to(f, "sys/block/md3/md/rd1", "dev-sdz");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md3");
	assert_int_equal(g->ok, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->n_members, 2);
	assert_int_equal(role(g, "sda"), REDMON_ROLE_ACTIVE);
	assert_int_equal(role(g, "slot1"), REDMON_ROLE_MISSING);
}

/* An array directory without attributes: vanished while read, margin unknown. */
static void test_vanished_array(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	mkdir_rel(f, "sys/block/md9");
	mkdir_rel(f, "sys/block/sda"); /* not md: ignored */
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md9");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g->reason, "array vanished while being read");
}

/* Garbage and unreadable attributes: margin unknown with the attribute named. */
static void test_garbage_attrs(void **state)
{
	struct fixture *f = *state;

	array(f, "md0", "raid1\n", "clean\n", "two\n");
	array(f, "md1", "raid7\n", "clean\n", "2\n");
	array(f, "md2", "raid1\n", "sideways\n", "2\n");
	put(f, "sys/block/md3/md/array_state", "clean\n");
	put(f, "sys/block/md3/md/raid_disks", "2\n");
	mkdir_rel(f, "sys/block/md3/md/level"); /* unreadable: a directory */
	array(f, "md4", "raid1\n", "clean\n", "2\n");
	put(f, "sys/block/md4/md/sync_action", "idle\n");
	put(f, "sys/block/md4/md/sync_completed", "12 of 13\n"); /* optional: ignored */
	dev(f, "md4", "sda", "in_sync\n", "0\n", 0, true);
	dev(f, "md4", "sdb", "in_sync\n", "zero\n", 1, true);
	array(f, "md5", "raid1\n", "clean\n", "2\n");
	dev(f, "md5", "sda", "in_sync\n", "0\n", 0, true);
	/* no slot file: the rdN links are needed, and rd1 is garbage (not dev-*) */
	dev(f, "md5", "sdb", "in_sync\n", NULL, -1, true);
	link_to(f, "sys/block/md5/md/rd1", "sdb");
	{
		char big[5000];

		memset(big, '1', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		array(f, "md6", "raid1\n", "clean\n", big); /* beyond one page */
	}
	array(f, "md7", "raid1\n", "clean\n", "2\n");
	mkdir_rel(f, "sys/block/md7/md/"
		     "dev-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(scan(f, false), 8);
	assert_int_equal(got(f, "md0")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md0")->reason, "raid_disks"));
	assert_int_equal(got(f, "md1")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md1")->reason, "raid7"));
	assert_int_equal(got(f, "md2")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md2")->reason, "array_state"));
	assert_int_equal(got(f, "md3")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md3")->reason, "level unreadable"));
	assert_int_equal(got(f, "md4")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md4")->reason, "dev-sdb/slot"));
	assert_int_equal(got(f, "md5")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md5")->reason, "rd1"));
	assert_int_equal(got(f, "md6")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md6")->reason, "raid_disks unreadable: content too long"));
	assert_int_equal(got(f, "md7")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md7")->reason, "longer than the kernel's 31 bytes"));
}

/*
 * Device names up to the kernel's 31 bytes are kept whole; a longer one (a
 * hostile capture) makes the array unknown with a reason that names it.  The
 * state texts, kept out of line, come back per member, a long one cut at
 * MD_STATE_MAX - 1 bytes as before.
 */
static void test_dev_name_and_state_bounds(void **state)
{
	struct fixture *f = *state;
	const char *n31 = "n123456789012345678901234567890";
	char long_state[100];
	const struct got *g;

	memset(long_state, 'x', sizeof(long_state) - 2);
	memcpy(long_state, "in_sync,", 8);
	long_state[sizeof(long_state) - 2] = '\n';
	long_state[sizeof(long_state) - 1] = '\0';
	array(f, "md0", "raid1\n", "clean\n", "3\n");
	dev(f, "md0", n31, "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb", "in_sync,write_mostly\n", "1\n", 1, true);
	dev(f, "md0", "sdc", long_state, "2\n", 2, true);
	array(f, "md1", "raid1\n", "clean\n", "2\n");
	dev(f, "md1", "n1234567890123456789012345678901", "in_sync\n", "0\n", 0, true);
	dev(f, "md1", "sdd", "in_sync\n", "1\n", 1, true);
	assert_int_equal(scan(f, false), 2);

	g = got(f, "md0");
	assert_int_equal(g->ok, 3);
	assert_string_equal(g->member_name[0], n31);
	assert_string_equal(g->member_dev[0], "/dev/n123456789012345678901234567890");
	assert_string_equal(g->member_state[0], "in_sync");
	assert_string_equal(g->member_state[1], "in_sync,write_mostly");
	assert_int_equal(strlen(g->member_state[2]), MD_STATE_MAX - 1);
	assert_memory_equal(g->member_state[2], long_state, MD_STATE_MAX - 1);

	g = got(f, "md1");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g->reason,
			    "sysfs device entry \"dev-n1234567890123456789012345678901...\" "
			    "longer than the kernel's 31 bytes");
}

/*
 * From scan to scan each array keeps its own record and device buffer, sized
 * to its own members, whatever order sys/block lists the arrays in: buffers
 * handed around in listing order grew, scan after scan, to the largest
 * array's size in every record.
 */
static void test_buffers_stay_with_their_array(void **state)
{
	struct fixture *f = *state;
	const struct md_dev *devs[12];
	char md[8], name[16];

	for (int i = 0; i < 12; i++) {
		snprintf(md, sizeof(md), "md%d", i);
		array(f, md, "raid1\n", "clean\n", i % 3 ? "2\n" : "6\n");
		for (int k = 0; k < (i % 3 ? 2 : 6); k++) {
			char slot[8];

			snprintf(name, sizeof(name), "sd%c%d", 'a' + i, k);
			snprintf(slot, sizeof(slot), "%d\n", k);
			dev(f, md, name, "in_sync\n", slot, k, true);
		}
	}
	for (int round = 0; round < 4; round++) {
		assert_int_equal(scan(f, false), 12);
		for (int i = 0; i < 12; i++) {
			const struct md_array *a;

			snprintf(md, sizeof(md), "md%d", i);
			a = md_set_find(&f->scan.sysfs, md);
			assert_non_null(a);
			assert_int_equal(a->n_devs, i % 3 ? 2 : 6);
			if (a->n_devs == 2)
				assert_int_equal(a->devs_cap,
						 2); /* never a 6-member array's buffer */
			if (round > 0)
				assert_ptr_equal(a->devs, devs[i]);
			devs[i] = a->devs;
		}
	}
}

/* Unreadable by permission: only testable without CAP_DAC_OVERRIDE. */
static void test_unreadable_attr(void **state)
{
	struct fixture *f = *state;
	char path[512];

	if (geteuid() == 0)
		skip();
	array(f, "md0", "raid1\n", "clean\n", "2\n");
	snprintf(path, sizeof(path), "%s/sys/block/md0/md/raid_disks", f->root);
	assert_int_equal(chmod(path, 0), 0);
	assert_int_equal(scan(f, false), 1);
	assert_int_equal(got(f, "md0")->margin, REDMON_MARGIN_UNKNOWN);
	assert_non_null(strstr(got(f, "md0")->reason, "Permission denied"));
}

/* Containers are no groups; their member arrays are. "clear" arrays are nothing. */
static void test_containers_and_clear(void **state)
{
	struct fixture *f = *state;

	array(f, "md127", "", "inactive\n", "0\n");
	put(f, "sys/block/md127/md/metadata_version", "external:imsm\n");
	dev(f, "md127", "sdb", "spare\n", "none\n", -1, true);
	array(f, "md125", "container\n", "inactive\n", "0\n");
	array(f, "md126", "raid1\n", "active\n", "2\n");
	put(f, "sys/block/md126/md/metadata_version", "external:/md127/0\n");
	dev(f, "md126", "sdb", "in_sync\n", "0\n", 0, true);
	dev(f, "md126", "sdc", "in_sync\n", "1\n", 1, true);
	array(f, "md5", "", "clear\n", "");
	assert_int_equal(scan(f, false), 1);
	assert_int_equal(got(f, "md126")->margin, 1);
}

/* Inactive (assembled, not started), and raid0 "broken". */
static void test_inactive_broken(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md0", "raid5\n", "inactive\n", "4\n");
	dev(f, "md0", "sda", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb", "in_sync\n", "1\n", 1, true);
	dev(f, "md0", "sdc", "spare\n", "none\n", -1, true);
	array(f, "md1", "raid0\n", "broken\n", "2\n");
	dev(f, "md1", "sda2", "in_sync\n", "0\n", 0, true);
	array(f, "md2", "", "inactive\n", "");
	dev(f, "md2", "sdx", "\n", "none\n", -1, true);
	assert_int_equal(scan(f, false), 3);
	g = got(f, "md0");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->nominal, 1);
	assert_int_equal(g->total, 4);
	assert_int_equal(g->ok, 0);
	assert_int_equal(g->spares, 1);
	assert_int_equal(role(g, "sda"), REDMON_ROLE_UNKNOWN);
	assert_string_equal(g->reason, "array inactive (not running)");
	g = got(f, "md1");
	assert_int_equal(g->margin, -1);
	assert_non_null(strstr(g->reason, "broken"));
	g = got(f, "md2");
	assert_string_equal(g->type, "unknown");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->nominal, 0);
}

/* raid10 layouts: near-2 default, far-2, and offset; a bad layout is unknown. */
static void test_raid10_layout(void **state)
{
	struct fixture *f = *state;
	const struct got *g;
	int i;
	char name[16];

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "md1%d", i);
		array(f, name, "raid10\n", "clean\n", "4\n");
		dev(f, name, "sda", "in_sync\n", "0\n", 0, true);
		dev(f, name, "sdc", "in_sync\n", "2\n", 2, true);
		dev(f, name, "sdd", "in_sync\n", "3\n", 3, true);
	}
	/* md10: no layout file: near-2 assumed */
	put(f, "sys/block/md11/md/layout", "513\n");   /* 0x201: far-2 */
	put(f, "sys/block/md12/md/layout", "66049\n"); /* 0x10201: offset-2 */
	put(f, "sys/block/md13/md/layout", "1029\n");  /* 0x405: 5 near x 4 far > 4 disks */
	assert_int_equal(scan(f, false), 4);
	g = got(f, "md10");
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->nominal, 1);
	assert_non_null(strstr(g->reason, "worst case"));
	assert_int_equal(got(f, "md11")->margin, 0);
	assert_int_equal(got(f, "md12")->margin, 0);
	assert_int_equal(got(f, "md13")->margin, REDMON_MARGIN_UNKNOWN);
}

/* sync_completed "delayed" and a sync_action of each kind. */
static void test_sync_states(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *action, *completed;
		enum redmon_activity act;
		double pct;
	} cases[] = {
		{ "resync\n", "delayed\n", REDMON_ACTIVITY_DELAYED, -1 },
		{ "resync\n", "5 / 10\n", REDMON_ACTIVITY_RESYNC, 50.0 },
		{ "reshape\n", "1 / 3\n", REDMON_ACTIVITY_RESHAPE, 33.3 },
		{ "check\n", "none\n", REDMON_ACTIVITY_CHECK, -1 },
		{ "repair\n", "999 / 1000\n", REDMON_ACTIVITY_REPAIR, 99.9 },
		{ "frozen\n", "none\n", REDMON_ACTIVITY_NONE, -1 },
	};
	char name[16], rel[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "md%zu", i);
		array(f, name, "raid1\n", "active\n", "2\n");
		snprintf(rel, sizeof(rel), "sys/block/%s/md/sync_action", name);
		put(f, rel, cases[i].action);
		snprintf(rel, sizeof(rel), "sys/block/%s/md/sync_completed", name);
		put(f, rel, cases[i].completed);
		dev(f, name, "sda", "in_sync\n", "0\n", 0, true);
		dev(f, name, "sdb", "in_sync\n", "1\n", 1, true);
	}
	assert_int_equal(scan(f, false), (int)(sizeof(cases) / sizeof(cases[0])));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct got *g;

		snprintf(name, sizeof(name), "md%zu", i);
		g = got(f, name);
		assert_int_equal(g->activity, cases[i].act);
		assert_float_equal(g->progress, cases[i].pct, 1e-9);
		assert_int_equal(g->margin, 1);
	}
}

/*
 * The time left from sync_speed and sync_completed (a running check or
 * recovery); what the last check found from mismatch_cnt, read while idle
 * and only after a check or repair (last_sync_action).
 */
static void test_eta_and_mismatches(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *action, *completed, *speed, *last, *mismatch;
		int64_t eta;
		const char *found;
	} cases[] = {
		/* 2093056 - 1569888 sectors = 261584 KiB at 1000 KiB/s: 262 s (rounded up) */
		{ "recover\n", "1569888 / 2093056\n", "1000\n", NULL, NULL, 262, "" },
		{ "check\n", "0 / 2000\n", "10\n", "check\n", "5\n", 100, "" },
		{ "check\n", "10 / 20\n", "none\n", NULL, NULL, 0, "" }, /* not yet measured */
		{ "check\n", "10 / 20\n", "0\n", NULL, NULL, 0, "" },	 /* no speed: no ETA */
		{ "check\n", "30 / 20\n", "10\n", NULL, NULL, 0, "" },	 /* done past total */
		{ "resync\n", "delayed\n", "10\n", NULL, NULL, 0, "" },	 /* queued: no ETA */
		{ "check\n", "10 / 20\n", "1x\n", NULL, NULL, 0, "" },	 /* garbage */
		{ "idle\n", "none\n", "none\n", "check\n", "128\n", 0, "mismatch_cnt 128" },
		{ "idle\n", "none\n", "none\n", "repair\n", "8\n", 0, "mismatch_cnt 8" },
		{ "idle\n", "none\n", "none\n", "resync\n", "64\n", 0, "" }, /* not a scrub */
		{ "idle\n", "none\n", "none\n", NULL, "3\n", 0,
		  "mismatch_cnt 3" }, /* older kernel */
		{ "idle\n", "none\n", "none\n", "check\n", "0\n", 0, "" },
		{ "idle\n", "none\n", "none\n", "check\n", "-1\n", 0, "" },
		{ "idle\n", "none\n", "none\n", "check\n", "99999999999999999999\n", 0, "" },
	};
	char name[16], rel[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "md%zu", i);
		array(f, name, "raid1\n", "active\n", "2\n");
		snprintf(rel, sizeof(rel), "sys/block/%s/md/sync_action", name);
		put(f, rel, cases[i].action);
		snprintf(rel, sizeof(rel), "sys/block/%s/md/sync_completed", name);
		put(f, rel, cases[i].completed);
		snprintf(rel, sizeof(rel), "sys/block/%s/md/sync_speed", name);
		put(f, rel, cases[i].speed);
		if (cases[i].last) {
			snprintf(rel, sizeof(rel), "sys/block/%s/md/last_sync_action", name);
			put(f, rel, cases[i].last);
		}
		if (cases[i].mismatch) {
			snprintf(rel, sizeof(rel), "sys/block/%s/md/mismatch_cnt", name);
			put(f, rel, cases[i].mismatch);
		}
		dev(f, name, "sda", "in_sync\n", "0\n", 0, true);
		dev(f, name, "sdb", i == 0 ? "spare\n" : "in_sync\n", "1\n", 1, true);
	}
	assert_int_equal(scan(f, false), (int)(sizeof(cases) / sizeof(cases[0])));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct got *g;

		snprintf(name, sizeof(name), "md%zu", i);
		g = got(f, name);
		if (g->eta_s != cases[i].eta || strcmp(g->scrub_found, cases[i].found) != 0)
			fail_msg("%s: eta %lld, found '%s'", name, (long long)g->eta_s,
				 g->scrub_found);
	}
	/* the parsers alone */
	{
		int64_t v = -7;

		assert_int_equal(md_sysfs_sync_eta(strv_c("0 / 4\n"), strv_c("1\n"), &v), 0);
		assert_int_equal(v, 2);
		assert_int_equal(
			md_sysfs_sync_eta(strv_c("0 / 18446744073709551615"), strv_c("1"), &v), 0);
		assert_int_equal(v, 366LL * 24 * 3600); /* capped, no overflow */
		v = -7;
		assert_int_equal(md_sysfs_sync_eta(strv_c("none"), strv_c("5"), &v), -EINVAL);
		assert_int_equal(md_sysfs_sync_eta(strv_c("1 / 2"), strv_c("5 5"), &v), -EINVAL);
		assert_int_equal(v, -7);
		assert_int_equal(md_sysfs_parse_mismatch_cnt(strv_c("42\n"), &v), 0);
		assert_int_equal(v, 42);
		assert_int_equal(md_sysfs_parse_mismatch_cnt(strv_c(""), &v), -EINVAL);
		assert_int_equal(md_sysfs_parse_mismatch_cnt(strv_c("0x10"), &v), -EINVAL);
	}
}

/* sysfs spells '/' in a device name as '!'. */
static void test_bang_device(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md0", "raid1\n", "clean\n", "1\n");
	dev(f, "md0", "cciss!c0d0p1", "in_sync\n", "0\n", 0, true);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md0");
	assert_string_equal(g->member_dev[0], "/dev/cciss/c0d0p1");
	assert_int_equal(g->margin, 0);
	assert_int_equal(g->nominal, 0);
}

static void test_parsers(void **state)
{
	enum redmon_activity act;
	enum md_run run;
	unsigned int flags;
	bool ro, delayed, offset;
	double pct;
	int v, near, far;

	(void)state;
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("4\n"), &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("5 (4)\n"), &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c(""), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("5 (x)"), &v), -EINVAL);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("5 (4) 3"), &v), -EINVAL);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("-1"), &v), -EINVAL);
	assert_int_equal(md_sysfs_parse_raid_disks(strv_c("99999"), &v), -EINVAL);

	assert_int_equal(md_sysfs_parse_array_state(strv_c("read-auto\n"), &run, &ro), 0);
	assert_int_equal(run, MD_RUN_ACTIVE);
	assert_true(ro);
	assert_int_equal(md_sysfs_parse_array_state(strv_c("clear"), &run, &ro), 0);
	assert_int_equal(run, MD_RUN_INACTIVE);
	assert_int_equal(md_sysfs_parse_array_state(strv_c("broken\n"), &run, &ro), 0);
	assert_int_equal(run, MD_RUN_BROKEN);
	assert_int_equal(md_sysfs_parse_array_state(strv_c("clean2"), &run, &ro), -EINVAL);

	assert_int_equal(md_sysfs_parse_sync_action(strv_c("recover\n"), &act), 0);
	assert_int_equal(act, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(md_sysfs_parse_sync_action(strv_c("idle"), &act), 0);
	assert_int_equal(act, REDMON_ACTIVITY_NONE);
	assert_int_equal(md_sysfs_parse_sync_action(strv_c("recovery"), &act), -EINVAL);

	assert_int_equal(
		md_sysfs_parse_sync_completed(strv_c("1569888 / 2093056\n"), &pct, &delayed), 0);
	assert_float_equal(pct, 75.0, 1e-9);
	assert_int_equal(md_sysfs_parse_sync_completed(strv_c("delayed\n"), &pct, &delayed), 0);
	assert_true(delayed);
	assert_int_equal(md_sysfs_parse_sync_completed(strv_c("5 / 0"), &pct, &delayed), 0);
	assert_true(pct < 0);
	assert_int_equal(md_sysfs_parse_sync_completed(strv_c("7 / 5"), &pct, &delayed), 0);
	assert_float_equal(pct, 100.0, 1e-9);
	assert_int_equal(md_sysfs_parse_sync_completed(strv_c("1/2"), &pct, &delayed), -EINVAL);
	assert_int_equal(md_sysfs_parse_sync_completed(strv_c("1 / 2 / 3"), &pct, &delayed),
			 -EINVAL);
	assert_int_equal(
		md_sysfs_parse_sync_completed(strv_c("18446744073709551616 / 2"), &pct, &delayed),
		-EINVAL);

	assert_int_equal(md_sysfs_parse_dev_state(strv_c("faulty,write_mostly,blocked\n"), &flags),
			 0);
	assert_int_equal(flags, MD_DEV_FAULTY | MD_DEV_WRITE_MOSTLY | MD_DEV_BLOCKED);
	assert_int_equal(md_sysfs_parse_dev_state(strv_c("in_sync,replacement,want_replacement,"
							 "journal,writemostly,failfast,"),
						  &flags),
			 0);
	assert_int_equal(flags, MD_DEV_IN_SYNC | MD_DEV_REPLACEMENT | MD_DEV_WANT_REPLACEMENT |
					MD_DEV_JOURNAL | MD_DEV_WRITE_MOSTLY);
	assert_int_equal(md_sysfs_parse_dev_state(strv_c("in_sync spare"), &flags), -EINVAL);
	assert_int_equal(md_sysfs_parse_dev_state(strv_c("in_\xffsync"), &flags), -EINVAL);

	assert_int_equal(md_sysfs_parse_slot(strv_c("none\n"), &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(md_sysfs_parse_slot(strv_c("journal\n"), &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(md_sysfs_parse_slot(strv_c("3\n"), &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(md_sysfs_parse_slot(strv_c("3x"), &v), -EINVAL);

	assert_int_equal(md_sysfs_parse_layout(strv_c("258\n"), &near, &far, &offset), 0);
	assert_int_equal(near, 2);
	assert_int_equal(far, 1);
	assert_false(offset);
	assert_int_equal(md_sysfs_parse_layout(strv_c("66049"), &near, &far, &offset), 0);
	assert_int_equal(near, 1);
	assert_int_equal(far, 2);
	assert_true(offset);
	assert_int_equal(md_sysfs_parse_layout(strv_c("0"), &near, &far, &offset), -EINVAL);
	assert_int_equal(md_sysfs_parse_layout(strv_c("1048834"), &near, &far, &offset),
			 -EINVAL); /* bit 20 */

	assert_int_equal(md_level_parse(strv_c("5\n")), MD_LEVEL_RAID5);
	assert_int_equal(md_level_parse(strv_c("-1")), MD_LEVEL_LINEAR);
	assert_int_equal(md_level_parse(strv_c("\n")), MD_LEVEL_NONE);
	assert_int_equal(md_level_parse(strv_c("-1000000")), MD_LEVEL_OTHER);
}

/* Both sources: sysfs wins where it speaks, mdstat fills gaps, the union is reported. */
static void test_merge(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	put(f, "proc/mdstat",
	    "Personalities : [raid1]\n"
	    "md0 : active raid1 sdb1[2] sda1[0]\n"
	    "      100 blocks [2/1] [U_]\n"
	    "      [=>...................]  recovery =  9.5% (9/100) finish=1.0min speed=1K/sec\n"
	    "\n"
	    "md1 : active raid1 sdc1[0] sdd1[1]\n"
	    "      100 blocks [2/2] [UU]\n"
	    "\n"
	    "unused devices: <none>\n");
	array(f, "md0", "raid1\n", "active\n", "2\n");
	put(f, "sys/block/md0/md/sync_action", "recover\n"); /* no sync_completed */
	dev(f, "md0", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb1", "spare\n", "1\n", 1, true);
	array(f, "md2", "raid1\n", "clean\n", "2\n");
	dev(f, "md2", "sde1", "in_sync\n", "0\n", 0, true);
	dev(f, "md2", "sdf1", "in_sync\n", "1\n", 1, true);
	assert_int_equal(scan(f, false), 3);
	/* mdstat order first, then sysfs-only arrays */
	assert_string_equal(f->got[0].name, "md0");
	assert_string_equal(f->got[1].name, "md1");
	assert_string_equal(f->got[2].name, "md2");
	g = got(f, "md0");
	assert_int_equal(g->activity, REDMON_ACTIVITY_RECOVERY);
	assert_float_equal(g->progress, 9.5, 1e-9);
	assert_int_equal(role(g, "sdb1"), REDMON_ROLE_REBUILDING);
	assert_string_equal(g->member_state[1], "spare"); /* sysfs text, not mdstat flags */
	assert_int_equal(g->margin, 0);
	assert_int_equal(got(f, "md1")->margin, 1);
	assert_int_equal(got(f, "md2")->margin, 1);
}

/* sysfs unreadable for an array mdstat shows well: mdstat's view is used. */
static void test_merge_sysfs_error(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	put(f, "proc/mdstat",
	    "md0 : active raid1 sda1[0] sdb1[1]\n"
	    "      100 blocks [2/2] [UU]\n");
	array(f, "md0", "raid1\n", "clean\n", "#!\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md0");
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->ok, 2);
	assert_string_equal(g->member_state[0], "in_sync");
}

/* sysfs with no dev-* but mdstat's devices: taken from mdstat. */
static void test_merge_devs_from_mdstat(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	put(f, "proc/mdstat",
	    "md0 : active raid5 sda1[0] sdb1[1] sdc1[2](F)\n"
	    "      100 blocks level 5, 64k chunk, algorithm 2 [3/2] [UU_]\n");
	array(f, "md0", "raid5\n", "clean\n", "3\n");
	put(f, "sys/block/md0/md/degraded", "1\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md0");
	assert_int_equal(g->ok, 2);
	assert_int_equal(g->failed, 1);
	assert_int_equal(g->margin, 0);
	assert_int_equal(role(g, "slot2"), REDMON_ROLE_MISSING);
}

/* No md anywhere: nothing, no error.  mdstat unreadable: an error for md.c to report. */
static void test_no_md_and_unreadable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(scan(f, false), 0);
	assert_int_equal(f->scan.mdstat_err, -ENOENT);
	assert_int_equal(f->scan.sysfs_err, 0);
	mkdir_rel(f, "proc/mdstat");
	assert_int_equal(scan(f, false), 0);
	assert_int_equal(f->scan.mdstat_err, -EISDIR);
	put(f, "sys/block", "not a directory");
	assert_int_equal(scan(f, false), 0);
	assert_int_equal(f->scan.sysfs_err, -ENOTDIR);
}

/* A fresh cache with room for every file of the tree: what is kept open shows. */
static void cache_every_file(struct fixture *f)
{
	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 1000, NULL, NULL);
}

static void build_two_arrays(struct fixture *f)
{
	put(f, "proc/mdstat",
	    "md0 : active raid1 sda1[0] sdb1[1]\n"
	    "      100 blocks [2/2] [UU]\n\n"
	    "md1 : active raid1 sdc1[0] sdd1[1]\n"
	    "      100 blocks [2/2] [UU]\n\n");
	array(f, "md0", "raid1\n", "clean\n", "2\n");
	put(f, "sys/block/md0/md/degraded", "0\n");
	put(f, "sys/block/md0/md/sync_action", "idle\n");
	put(f, "sys/block/md0/md/sync_completed", "none\n");
	dev(f, "md0", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb1", "in_sync\n", "1\n", 1, true);
	array(f, "md1", "raid1\n", "clean\n", "2\n");
	dev(f, "md1", "sdc1", "in_sync\n", "0\n", 0, true);
	dev(f, "md1", "sdd1", "in_sync\n", "1\n", 1, true);
}

/* Steady state: repeated scans keep every buffer and descriptor count; a vanished array's files close. */
static void test_steady_state(void **state)
{
	struct fixture *f = *state;
	size_t fds, set_cap, devs_cap, gb_cap, text_cap;
	char path[256];

	build_two_arrays(f);
	cache_every_file(f);
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(scan(f, true), 2);
	fds = f->fdc.n;
	set_cap = f->scan.sysfs.cap;
	devs_cap = f->scan.sysfs.v[0].devs_cap;
	gb_cap = f->scan.gb.cap;
	text_cap = f->scan.text.cap;
	assert_true(fds >= 10);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(scan(f, true), 2);
		assert_int_equal(f->fdc.n, fds);
		assert_int_equal(f->scan.sysfs.cap, set_cap);
		assert_int_equal(f->scan.sysfs.v[0].devs_cap, devs_cap);
		assert_int_equal(f->scan.gb.cap, gb_cap);
		assert_int_equal(f->scan.text.cap, text_cap);
	}
	assert_true(f->fdc.v[0].notify); /* proc/mdstat, read first */
	assert_string_equal(fdcache_entry_path(&f->fdc, &f->fdc.v[0], path, sizeof(path)),
			    "proc/mdstat");

	del(f, "sys/block/md1");
	put(f, "proc/mdstat",
	    "md0 : active raid1 sda1[0] sdb1[1]\n"
	    "      100 blocks [2/2] [UU]\n\n");
	assert_int_equal(scan(f, true), 1);
	assert_true(f->fdc.n < fds);
	for (size_t i = 0; i < f->fdc.n; i++)
		assert_null(strstr(fdcache_entry_path(&f->fdc, &f->fdc.v[i], path, sizeof(path)),
				   "md1"));
}

static bool kept_path(const struct fixture *f, const char *path)
{
	char buf[256];

	for (size_t i = 0; i < f->fdc.n; i++)
		if (strcmp(fdcache_entry_path(&f->fdc, &f->fdc.v[i], buf, sizeof(buf)), path) == 0)
			return true;
	return false;
}

/*
 * sync_completed is read only while a sync runs: idle it says "none", and
 * nothing of it is used (issue 19: one file less per array and scan).
 */
static void test_sync_completed_read_only_while_syncing(void **state)
{
	struct fixture *f = *state;
	const char *path = "sys/block/md0/md/sync_completed";

	build_two_arrays(f);
	cache_every_file(f);
	assert_int_equal(scan(f, true), 2);
	assert_false(kept_path(f, path));
	assert_int_equal(got(f, "md0")->activity, REDMON_ACTIVITY_NONE);

	put(f, "sys/block/md0/md/sync_action", "check\n");
	put(f, "sys/block/md0/md/sync_completed", "50 / 100\n");
	assert_int_equal(scan(f, true), 2);
	assert_true(kept_path(f, path));
	assert_int_equal(got(f, "md0")->activity, REDMON_ACTIVITY_CHECK);
	assert_true(got(f, "md0")->progress == 50.0);

	put(f, "sys/block/md0/md/sync_action", "idle\n"); /* sync_completed left stale */
	assert_int_equal(scan(f, true), 2);
	assert_false(kept_path(f, path)); /* not read: closed at the sweep */
	assert_int_equal(got(f, "md0")->activity, REDMON_ACTIVITY_NONE);
}

/*
 * level and raid_disks are printed in the array's mdstat block: while the
 * block is unchanged a full read takes them from the last one, and reads
 * them again once it changes (issue 19: two files less per array and scan).
 */
static void test_level_kept_with_unchanged_block(void **state)
{
	struct fixture *f = *state;

	build_two_arrays(f);
	cache_every_file(f);
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->total, 2);
	/* Read once, not kept open: they are read again only with a new block. */
	assert_false(kept_path(f, "sys/block/md0/md/level"));
	assert_false(kept_path(f, "sys/block/md0/md/raid_disks"));
	assert_true(kept_path(f, "sys/block/md0/md/array_state"));

	/* sysfs alone says three slots: not read while the block is as before. */
	put(f, "sys/block/md0/md/raid_disks", "3\n");
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->total, 2);
	assert_string_equal(got(f, "md0")->type, "raid1");

	/* The block changes: both are read again. */
	put(f, "proc/mdstat",
	    "md0 : active raid1 sda1[0] sdb1[1]\n"
	    "      100 blocks [3/2] [UU_]\n\n"
	    "md1 : active raid1 sdc1[0] sdd1[1]\n"
	    "      100 blocks [2/2] [UU]\n\n");
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->total, 3);
	assert_string_equal(got(f, "md0")->type, "raid1");
}

/*
 * An inactive array's mdstat block prints neither level nor raid_disks: both
 * are read at every full scan, so they are kept open, and a change of either
 * is seen with the block unchanged.
 */
static void test_inactive_level_read_each_scan(void **state)
{
	struct fixture *f = *state;

	put(f, "proc/mdstat", "md8 : inactive sda1[0](S) sdb1[1](S)\n      200 blocks\n\n");
	array(f, "md8", "\n", "inactive\n", "2\n");
	dev(f, "md8", "sda1", "spare\n", "none\n", -1, true);
	dev(f, "md8", "sdb1", "spare\n", "none\n", -1, true);
	cache_every_file(f);
	assert_int_equal(scan(f, true), 1);
	assert_int_equal(got(f, "md8")->total, 2);
	assert_true(kept_path(f, "sys/block/md8/md/level"));
	assert_true(kept_path(f, "sys/block/md8/md/raid_disks"));

	put(f, "sys/block/md8/md/raid_disks", "3\n");
	assert_int_equal(scan(f, true), 1);
	assert_int_equal(got(f, "md8")->total, 3);
	assert_true(kept_path(f, "sys/block/md8/md/raid_disks"));
}

/* --- partial rescans (md_scan_reread) ------------------------------------ */

#define R1_OK	  "md0 : active raid1 sdb1[1] sda1[0]\n      100 blocks [2/2] [UU]\n\n"
#define R1_FAILED "md0 : active raid1 sdb1[1](F) sda1[0]\n      100 blocks [2/1] [U_]\n\n"
#define R1_RECOVERY(pct)                                                                           \
	"md0 : active raid1 sde1[2] sda1[0]\n      100 blocks [2/1] [U_]\n"                        \
	"      [==>..]  recovery = " pct "% (10/100) finish=1.0min speed=1K/sec\n\n"
#define R1_RESTORED "md0 : active raid1 sde1[2] sda1[0]\n      100 blocks [2/2] [UU]\n\n"
#define R5_OK                                                                                      \
	"md1 : active raid5 sdd1[2] sdc1[1] sdf1[0]\n"                                             \
	"      200 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n\n"
#define R5_SDD1_FAILED                                                                             \
	"md1 : active raid5 sdd1[2](F) sdc1[1] sdf1[0]\n"                                          \
	"      200 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/2] [UU_]\n\n"
/* md3 is known to mdstat only (no sysfs directory in this tree). */
#define R3_OK "md3 : active raid1 sdh1[1] sdg1[0]\n      100 blocks [2/2] [UU]\n\n"
#define R3_RESYNC(pct)                                                                             \
	"md3 : active raid1 sdh1[1] sdg1[0]\n      100 blocks [2/2] [UU]\n"                        \
	"      [=>...]  resync = " pct "% (5/100) finish=1.0min speed=1K/sec\n\n"

static void put_mdstat(struct fixture *f, const char *md0, const char *md1, const char *md3)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "Personalities : [raid1] [raid5]\n%s%s%sunused devices: <none>\n", md0, md1, md3);
	put(f, "proc/mdstat", text);
}

/* md0 raid1 (sda1 sdb1), md1 raid5 (sdf1 sdc1 sdd1), md3 in mdstat only. */
static void build_three(struct fixture *f)
{
	put_mdstat(f, R1_OK, R5_OK, R3_OK);
	array(f, "md0", "raid1\n", "clean\n", "2\n");
	put(f, "sys/block/md0/md/degraded", "0\n");
	put(f, "sys/block/md0/md/sync_action", "idle\n");
	put(f, "sys/block/md0/md/sync_completed", "none\n");
	dev(f, "md0", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb1", "in_sync\n", "1\n", 1, true);
	array(f, "md1", "raid5\n", "active\n", "3\n");
	put(f, "sys/block/md1/md/degraded", "0\n");
	put(f, "sys/block/md1/md/sync_action", "idle\n");
	put(f, "sys/block/md1/md/sync_completed", "none\n");
	dev(f, "md1", "sdf1", "in_sync\n", "0\n", 0, true);
	dev(f, "md1", "sdc1", "in_sync\n", "1\n", 1, true);
	dev(f, "md1", "sdd1", "in_sync\n", "2\n", 2, true);
}

/* The groups md_scan_emit() asked the host to keep (md_scan.keep), in order. */
static char kept_names[8][MD_NAME_MAX];
static int n_kept;

static int keep_all(void *ctx, const char *name)
{
	(void)ctx;
	assert_true(n_kept < 8);
	snprintf(kept_names[n_kept++], MD_NAME_MAX, "%s", name);
	return 0;
}

static int keep_none(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return -ENOENT;
}

/*
 * A partial scan of what changed (mdstat when mdstat, and the arrays in
 * names), then emit into f->got.  Returns what md_scan_reread() returned;
 * nothing is emitted after -EAGAIN.
 */
static int rescan(struct fixture *f, bool mdstat, const char *n1, const char *n2)
{
	char names[2][MD_NAME_MAX];
	size_t n = 0;
	int r;

	if (n1)
		snprintf(names[n++], MD_NAME_MAX, "%s", n1);
	if (n2)
		snprintf(names[n++], MD_NAME_MAX, "%s", n2);
	f->n_got = 0;
	n_kept = 0;
	r = md_scan_reread(&f->scan, f->root_fd, &f->fdc, FDC_REOPEN, mdstat,
			   (const char(*)[MD_NAME_MAX])names, n);
	if (r == 0) {
		int emitted = md_scan_emit(&f->scan, collect, f);

		assert_int_equal(emitted, f->n_got + n_kept);
	}
	return r;
}

/* What f->got holds must be what a full scan from nothing reports now, field by field. */
static void assert_same_as_full(struct fixture *f)
{
	struct got *partial = calloc(MAX_GOT, sizeof(*partial));
	struct md_scan fresh = { 0 };
	int i, n = f->n_got;

	assert_non_null(partial);
	memcpy(partial, f->got, sizeof(f->got));
	f->n_got = 0;
	assert_int_equal(md_scan_read(&fresh, f->root_fd, NULL), 0);
	assert_int_equal(md_scan_emit(&fresh, collect, f), n);
	for (i = 0; i < n; i++) {
		assert_string_equal(partial[i].name, f->got[i].name);
		assert_string_equal(partial[i].reason, f->got[i].reason);
		assert_memory_equal(&partial[i], &f->got[i], sizeof(*partial));
	}
	md_scan_free(&fresh);
	free(partial);
}

/* Each kind of change an event names, read partially: the same groups as a full scan. */
static void test_partial_equals_full(void **state)
{
	struct fixture *f = *state;

	cache_every_file(f);
	build_three(f);
	assert_int_equal(scan(f, true), 3);

	/* a disk fails (the file replaced by rename: REOPEN reads the new one) */
	put(f, "sys/block/md0/md/dev-sdb1/state.new", "faulty\n");
	{
		char from[512], to[512];

		snprintf(from, sizeof(from), "%s/sys/block/md0/md/dev-sdb1/state.new", f->root);
		snprintf(to, sizeof(to), "%s/sys/block/md0/md/dev-sdb1/state", f->root);
		assert_int_equal(rename(from, to), 0);
	}
	put(f, "sys/block/md0/md/degraded", "1\n");
	del(f, "sys/block/md0/md/rd1");
	put_mdstat(f, R1_FAILED, R5_OK, R3_OK);
	assert_int_equal(rescan(f, true, "md0", NULL), 0);
	assert_int_equal(got(f, "md0")->margin, 0);
	assert_int_equal(role(got(f, "md0"), "sdb1"), REDMON_ROLE_FAILED);
	assert_same_as_full(f);

	/* the failed disk leaves, a new one is recovered into its slot */
	del(f, "sys/block/md0/md/dev-sdb1");
	dev(f, "md0", "sde1", "spare\n", "1\n", 1, true);
	put(f, "sys/block/md0/md/sync_action", "recover\n");
	put(f, "sys/block/md0/md/sync_completed", "10 / 100\n");
	put_mdstat(f, R1_RECOVERY("10.0"), R5_OK, R3_OK);
	assert_int_equal(rescan(f, true, "md0", NULL), 0);
	assert_int_equal(got(f, "md0")->activity, REDMON_ACTIVITY_RECOVERY);
	assert_int_equal(role(got(f, "md0"), "sde1"), REDMON_ROLE_REBUILDING);
	assert_same_as_full(f);

	/* progress, in sysfs and mdstat */
	put(f, "sys/block/md0/md/sync_completed", "55 / 100\n");
	put_mdstat(f, R1_RECOVERY("55.0"), R5_OK, R3_OK);
	assert_int_equal(rescan(f, true, "md0", NULL), 0);
	assert_true(got(f, "md0")->progress == 55.0);
	assert_same_as_full(f);

	/* mdstat alone changes: an array sysfs does not show starts a resync */
	put_mdstat(f, R1_RECOVERY("55.0"), R5_OK, R3_RESYNC("5.0"));
	assert_int_equal(rescan(f, true, NULL, NULL), 0);
	assert_int_equal(got(f, "md3")->activity, REDMON_ACTIVITY_RESYNC);
	assert_same_as_full(f);

	/*
	 * only mdstat's event names it (on a live host, an array whose files are
	 * beyond the descriptor budget): md1's block changed, so md1 is read again
	 */
	put(f, "sys/block/md1/md/dev-sdd1/state", "faulty\n");
	put(f, "sys/block/md1/md/degraded", "1\n");
	put_mdstat(f, R1_RECOVERY("55.0"), R5_SDD1_FAILED, R3_RESYNC("5.0"));
	assert_int_equal(rescan(f, true, NULL, NULL), 0);
	assert_int_equal(role(got(f, "md1"), "sdd1"), REDMON_ROLE_FAILED);
	assert_same_as_full(f);

	/* two arrays at once: md0's recovery ends, md1 gets sdd1 back and loses sdc1 (sysfs only) */
	put(f, "sys/block/md1/md/dev-sdd1/state", "in_sync\n");
	put(f, "sys/block/md0/md/dev-sde1/state", "in_sync\n");
	put(f, "sys/block/md0/md/sync_action", "idle\n");
	put(f, "sys/block/md0/md/sync_completed", "none\n");
	put(f, "sys/block/md0/md/degraded", "0\n");
	put(f, "sys/block/md1/md/dev-sdc1/state", "faulty\n");
	put(f, "sys/block/md1/md/dev-sdc1/slot", "none\n");
	put(f, "sys/block/md1/md/degraded", "1\n");
	put_mdstat(f, R1_RESTORED, R5_OK, R3_RESYNC("5.0"));
	assert_int_equal(rescan(f, true, "md0", "md1"), 0);
	assert_int_equal(got(f, "md0")->margin, 1);
	assert_int_equal(got(f, "md1")->margin, 0);
	assert_same_as_full(f);

	/* an array stops: inactive, still listed with its devices */
	put(f, "sys/block/md1/md/array_state", "inactive\n");
	assert_int_equal(rescan(f, false, "md1", NULL), 0);
	assert_int_equal(got(f, "md1")->margin, -1);
	assert_same_as_full(f);
}

/*
 * With a host that keeps groups (ops->keep), a partial scan builds and emits
 * only the arrays it read again, and asks the host to keep the others; a
 * host that refuses gets them all.  A full read never asks.
 */
static void test_partial_keeps_untouched(void **state)
{
	struct fixture *f = *state;

	cache_every_file(f);
	build_three(f);
	f->scan.keep = keep_all;
	n_kept = 0;
	assert_int_equal(scan(f, true), 3);
	assert_int_equal(n_kept, 0);

	/* md0 fails, named by its event: md0 built, md1 and md3 kept */
	put(f, "sys/block/md0/md/dev-sdb1/state", "faulty\n");
	put(f, "sys/block/md0/md/degraded", "1\n");
	put_mdstat(f, R1_FAILED, R5_OK, R3_OK);
	assert_int_equal(rescan(f, true, "md0", NULL), 0);
	assert_int_equal(f->n_got, 1);
	assert_string_equal(f->got[0].name, "md0");
	assert_int_equal(role(got(f, "md0"), "sdb1"), REDMON_ROLE_FAILED);
	assert_int_equal(n_kept, 2);
	assert_string_equal(kept_names[0], "md1");
	assert_string_equal(kept_names[1], "md3");

	/* mdstat alone: md3's block changed, only md3 is built */
	put_mdstat(f, R1_FAILED, R5_OK, R3_RESYNC("5.0"));
	assert_int_equal(rescan(f, true, NULL, NULL), 0);
	assert_int_equal(f->n_got, 1);
	assert_int_equal(got(f, "md3")->activity, REDMON_ACTIVITY_RESYNC);
	assert_int_equal(n_kept, 2);

	/* sysfs alone changes, named by its event (mdstat as it was): md1 is built */
	put(f, "sys/block/md1/md/dev-sdd1/state", "faulty\n");
	assert_int_equal(rescan(f, false, "md1", NULL), 0);
	assert_int_equal(f->n_got, 1);
	assert_string_equal(f->got[0].name, "md1");
	assert_int_equal(role(got(f, "md1"), "sdd1"), REDMON_ROLE_FAILED);
	assert_int_equal(n_kept, 2);
	put(f, "sys/block/md1/md/dev-sdd1/state", "in_sync\n");
	assert_int_equal(rescan(f, false, "md1", NULL), 0);
	assert_int_equal(f->n_got, 1);

	/* the host cannot keep (its scan is whole): every group is built, as a full read's */
	f->scan.keep = keep_none;
	put(f, "sys/block/md0/md/dev-sdb1/state", "in_sync\n");
	put(f, "sys/block/md0/md/degraded", "0\n");
	put_mdstat(f, R1_OK, R5_OK, R3_RESYNC("5.0"));
	assert_int_equal(rescan(f, true, "md0", NULL), 0);
	assert_int_equal(f->n_got, 3);
	f->scan.keep = NULL;
	assert_same_as_full(f);
}

/*
 * A full read lists an array's md directory again only when the array's
 * mdstat block changed (mdstat names every device): an entry that appears
 * without mdstat naming it, a capture out of step, is seen at the next
 * check (every MD_LIST_CHECK_EVERY-th read) or when the block changes.
 */
static void test_full_read_reuses_listing(void **state)
{
	struct fixture *f = *state;
	int reads = 1;

	build_three(f);
	assert_int_equal(scan(f, true), 3);
	assert_int_equal(got(f, "md0")->n_members, 2);
	dev(f, "md0", "sdz1", "spare\n", "none\n", -1, false);
	for (reads++; reads % MD_LIST_CHECK_EVERY; reads++) {
		assert_int_equal(scan(f, true), 3);
		assert_int_equal(got(f, "md0")->n_members, 2); /* the listing of the first read */
	}
	assert_int_equal(scan(f, true), 3); /* the check */
	assert_int_equal(got(f, "md0")->n_members, 3);
	assert_int_equal(scan(f, true), 3); /* out of step with mdstat: listed every read */
	assert_int_equal(got(f, "md0")->n_members, 3);

	/* mdstat names it: in step, the listing is kept again */
	put_mdstat(f,
		   "md0 : active raid1 sdz1[2](S) sdb1[1] sda1[0]\n      100 blocks [2/2] [UU]\n\n",
		   R5_OK, R3_OK);
	assert_int_equal(scan(f, true), 3);
	assert_int_equal(got(f, "md0")->n_members, 3);
	assert_int_equal(role(got(f, "md0"), "sdz1"), REDMON_ROLE_SPARE);
	/* gone from sysfs, still in mdstat: the kept listing names it, its read drops it */
	del(f, "sys/block/md0/md/dev-sdz1");
	assert_int_equal(scan(f, true), 3);
	assert_int_equal(got(f, "md0")->n_members, 2);
	assert_string_not_equal(got(f, "md0")->member_name[0], "sdz1");
	assert_string_not_equal(got(f, "md0")->member_name[1], "sdz1");
}

/* What only a full scan can tell: the partial one refuses, and a full read then agrees. */
static void test_partial_falls_back(void **state)
{
	struct fixture *f = *state;

	/* nothing read yet */
	build_three(f);
	assert_int_equal(rescan(f, false, "md0", NULL), -EAGAIN);
	assert_int_equal(scan(f, false), 3);

	/* an array appears (sysfs and mdstat) */
	array(f, "md4", "raid1\n", "clean\n", "1\n");
	dev(f, "md4", "sdi1", "in_sync\n", "0\n", 0, true);
	put_mdstat(f, R1_OK, R5_OK,
		   R3_OK "md4 : active raid1 sdi1[0]\n      100 blocks [1/1] [U]\n\n");
	assert_int_equal(rescan(f, false, "md4", NULL), -EAGAIN); /* not in the set */
	assert_int_equal(rescan(f, true, NULL, NULL), -EAGAIN);	  /* a new name in mdstat */
	assert_int_equal(scan(f, false), 4);
	assert_same_as_full(f);

	/* an array vanishes */
	del(f, "sys/block/md4");
	put_mdstat(f, R1_OK, R5_OK, R3_OK);
	assert_int_equal(rescan(f, false, "md4", NULL), -EAGAIN);
	assert_int_equal(scan(f, false), 3);
	assert_same_as_full(f);

	/* a named array cannot be read */
	del(f, "sys/block/md0/md/level");
	mkdir_rel(f, "sys/block/md0/md/level");
	assert_int_equal(rescan(f, false, "md0", NULL), -EAGAIN);
	del(f, "sys/block/md0/md/level");
	put(f, "sys/block/md0/md/level", "raid1\n");

	/* mdstat unreadable */
	assert_int_equal(scan(f, false), 3);
	del(f, "proc/mdstat");
	mkdir_rel(f, "proc/mdstat");
	assert_int_equal(rescan(f, true, NULL, NULL), -EAGAIN);
}

/* A partial scan reads only what it is told: a change nobody named waits for a full scan. */
static void test_partial_reads_only_named(void **state)
{
	struct fixture *f = *state;

	build_three(f);
	assert_int_equal(scan(f, false), 3);
	put(f, "sys/block/md1/md/dev-sdd1/state", "faulty\n");
	put(f, "sys/block/md1/md/degraded", "1\n");
	put(f, "sys/block/md0/md/degraded", "0\n"); /* md0 named, unchanged */
	assert_int_equal(rescan(f, false, "md0", NULL), 0);
	assert_int_equal(got(f, "md1")->margin, 1); /* as last read */
	assert_int_equal(scan(f, false), 3);
	assert_int_equal(got(f, "md1")->margin, 0);
}

/*
 * Issue 12: a reshape growing raid5 from 10 to 11 slots, captured with only two
 * dev-* directories.  The kernel's degraded says nothing is missing: that is
 * the count, and the reason says the member detail is incomplete; never
 * "9 of 11 slots missing" and failed.
 */
static void reshape_tree(struct fixture *f, const char *degraded)
{
	array(f, "md5", "raid5\n", "active\n", "11 (10)\n");
	if (degraded)
		put(f, "sys/block/md5/md/degraded", degraded);
	put(f, "sys/block/md5/md/sync_action", "reshape\n");
	put(f, "sys/block/md5/md/sync_completed", "1000 / 8000\n");
	dev(f, "md5", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md5", "sdb1", "in_sync\n", "1\n", 1, true);
}

static void test_reshape_detail_incomplete(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	reshape_tree(f, "0\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md5");
	assert_int_equal(g->total, 11);
	assert_int_equal(g->ok, 11);
	assert_int_equal(g->margin, 1);
	assert_int_equal(g->nominal, 1);
	assert_int_equal(g->activity, REDMON_ACTIVITY_RESHAPE);
	assert_int_equal(g->n_members, 2); /* which slots lack a directory is not "missing" */
	assert_int_equal(role(g, "sda1"), REDMON_ROLE_ACTIVE);
	assert_string_equal(g->reason, "member detail incomplete: 2 of 11 slots seen in sync, the "
				       "kernel counts 0 missing; reshape 12.5% done");

	/* the kernel counts one missing: degraded, as the kernel says, not failed */
	put(f, "sys/block/md5/md/degraded", "1\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md5");
	assert_int_equal(g->ok, 10);
	assert_int_equal(g->margin, 0);
	assert_string_equal(g->reason, "1 of 11 slots missing; member detail incomplete: 2 of 11 "
				       "slots seen in sync, the kernel counts 1 missing; reshape "
				       "12.5% done");
}

/* No degraded file and no mdstat: nothing confirms the missing slots, so unknown, not failed. */
static void test_detail_alone_never_fails(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	reshape_tree(f, NULL);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md5");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(g->total, 11);
	assert_int_equal(g->ok, -1);
	assert_string_equal(g->reason,
			    "2 of 11 slots seen in sync, too few for raid5, but no kernel "
			    "count (degraded, mdstat) confirms it: member detail may be "
			    "incomplete");

	/* mdstat's [U...] is the kernel's count too: 11 of 11, so ok */
	put(f, "proc/mdstat",
	    "Personalities : [raid5]\n"
	    "md5 : active raid5 sdb1[1] sda1[0]\n"
	    "      100 blocks super 1.2 level 5, 512k chunk, algorithm 2 [11/11] [UUUUUUUUUUU]\n"
	    "      [==>..................]  reshape = 12.5% (1/8) finish=1.0min speed=1K/sec\n\n"
	    "unused devices: <none>\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md5");
	assert_int_equal(g->ok, 11);
	assert_int_equal(g->margin, 1);

	/* raid0 has no degraded count at all: a member directory short is not a failure */
	del(f, "proc/mdstat");
	array(f, "md0", "raid0\n", "clean\n", "3\n");
	dev(f, "md0", "sdg", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdh", "in_sync\n", "1\n", 1, true);
	assert_int_equal(scan(f, false), 2);
	assert_int_equal(got(f, "md0")->margin, REDMON_MARGIN_UNKNOWN);
	/* but the kernel's own "broken" is */
	put(f, "sys/block/md0/md/array_state", "broken\n");
	assert_int_equal(scan(f, false), 2);
	assert_int_equal(got(f, "md0")->margin, -1);
}

/* Without a kernel count, failed still stands on evidence: faulty members in their slots. */
static void test_detail_evidence_fails(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md1", "raid1\n", "active\n", "2\n");
	dev(f, "md1", "sda1", "faulty\n", "0\n", 0, true);
	dev(f, "md1", "sdb1", "faulty\n", "1\n", 1, true);
	array(f, "md5", "raid5\n", "active\n", "4\n");
	dev(f, "md5", "sdc1", "in_sync\n", "0\n", 0, true);
	dev(f, "md5", "sdd1", "faulty\n", "1\n", 1, true);
	dev(f, "md5", "sde1", "in_sync\n", "2\n", 2, true);
	assert_int_equal(scan(f, false), 2);
	g = got(f, "md1");
	assert_int_equal(g->margin, -1);
	assert_int_equal(g->failed, 2);
	/* one faulty (proven) and one slot nobody is seen in (a guess): not failed */
	g = got(f, "md5");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_int_equal(g->failed, 1); /* counted once, though the rules ran before giving up */
}

/* The other way: every member seen in sync, the kernel counts one missing; its count wins. */
static void test_kernel_counts_more(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md6", "raid6\n", "active\n", "4\n");
	put(f, "sys/block/md6/md/degraded", "1\n");
	dev(f, "md6", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md6", "sdb1", "in_sync\n", "1\n", 1, true);
	dev(f, "md6", "sdc1", "in_sync\n", "2\n", 2, true);
	dev(f, "md6", "sdd1", "in_sync\n", "3\n", 3, true);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md6");
	assert_int_equal(g->ok, 3);
	assert_int_equal(g->margin, 1);
	assert_string_equal(g->reason,
			    "1 of 4 slots missing; member detail incomplete: 4 of 4 slots "
			    "seen in sync, the kernel counts 1 missing");

	/* nonsense: more missing than slots */
	put(f, "sys/block/md6/md/degraded", "5\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md6");
	assert_int_equal(g->margin, REDMON_MARGIN_UNKNOWN);
	assert_string_equal(g->reason, "the kernel counts 5 missing of 4 slots");
}

/*
 * A faulty member in its slot while degraded still says 0: degraded read a
 * moment before raid1_error() (it updates both) or an edited tree.  The
 * failure seen is evidence and counts; only absent members defer to the kernel.
 */
static void test_faulty_beats_stale_degraded(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md1", "raid1\n", "active\n", "2\n");
	put(f, "sys/block/md1/md/degraded", "0\n");
	dev(f, "md1", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md1", "sdb1", "faulty\n", "1\n", 1, true);
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md1");
	assert_int_equal(g->ok, 1);
	assert_int_equal(g->margin, 0);
	assert_string_equal(g->reason, "1 of 2 slots missing (sdb1 failed)");
}

/* Detail short of the kernel's count, mdstat's [U_] agrees with it: its '_' name the missing slots. */
static void test_kernel_map_from_mdstat(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	array(f, "md10", "raid10\n", "active\n", "4\n");
	put(f, "sys/block/md10/md/degraded", "1\n");
	put(f, "sys/block/md10/md/layout", "258\n"); /* near-2 */
	dev(f, "md10", "sda1", "in_sync\n", "0\n", 0, true);
	dev(f, "md10", "sdc1", "in_sync\n", "2\n", 2, true);
	put(f, "proc/mdstat",
	    "Personalities : [raid10]\n"
	    "md10 : active raid10 sdc1[2] sda1[0]\n"
	    "      100 blocks super 1.2 512K chunks 2 near-copies [4/3] [UUU_]\n\n"
	    "unused devices: <none>\n");
	assert_int_equal(scan(f, false), 1);
	g = got(f, "md10");
	assert_int_equal(g->ok, 3);
	assert_int_equal(g->margin, 0); /* slot 3's partner, slot 2, is the thinnest set */
	assert_int_equal(g->n_members, 3);
	assert_string_equal(g->member_name[2], "slot3");
	assert_int_equal(g->member_role[2], REDMON_ROLE_MISSING);
}

/*
 * Issue 12 E1: every path resolves inside the root.  Links to files outside it
 * (absolute, a ../../.. chain, a whole array directory, proc/mdstat) never
 * read them: each such array is unknown with a reason, and their content
 * appears nowhere in what is reported.
 */
static bool has_secret(const struct got *g)
{
	if (strstr(g->reason, "hunter2") || strstr(g->type, "hunter2"))
		return true;
	for (size_t i = 0; i < g->n_members && i < 16; i++)
		if (strstr(g->member_state[i], "hunter2") || strstr(g->member_name[i], "hunter2"))
			return true;
	return false;
}

/* Write text to an absolute path outside the root. */
static void put_abs(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_links_stay_in_root(void **state)
{
	struct fixture *f = *state;
	char out[96], path[192], rel[160], target[256];
	const char *base = strrchr(f->root, '/') + 1;
	const struct got *g;

	/* Outside the root: ROOT.out/secret, and ROOT.out/md/ shaped like an array. */
	snprintf(out, sizeof(out), "%s.out", f->root);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(path, sizeof(path), "%s/md", out);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/md/dev-sdz", out);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/secret", out);
	put_abs(path, "hunter2\n");
	snprintf(path, sizeof(path), "%s/md/level", out);
	put_abs(path, "raid1\n");
	snprintf(path, sizeof(path), "%s/md/array_state", out);
	put_abs(path, "clean\n");
	snprintf(path, sizeof(path), "%s/md/raid_disks", out);
	put_abs(path, "1\n");
	snprintf(path, sizeof(path), "%s/md/dev-sdz/state", out);
	put_abs(path, "in_sync,hunter2\n");

	/* md1: level -> /abs/ROOT.out/secret */
	array(f, "md1", "raid1\n", "clean\n", "1\n");
	del(f, "sys/block/md1/md/level");
	snprintf(target, sizeof(target), "%s/secret", out);
	link_to(f, "sys/block/md1/md/level", target);
	dev(f, "md1", "sda1", "in_sync\n", "0\n", 0, true);
	/* md2: dev-sda1/state -> ../../../../../../../ROOT.out/secret, far past the root */
	array(f, "md2", "raid1\n", "clean\n", "1\n");
	put(f, "sys/block/md2/md/degraded", "0\n");
	dev(f, "md2", "sda1", "in_sync\n", "0\n", 0, true);
	del(f, "sys/block/md2/md/dev-sda1/state");
	snprintf(target, sizeof(target), "../../../../../../../%s.out/secret", base);
	link_to(f, "sys/block/md2/md/dev-sda1/state", target);
	/* md3: the whole directory -> /abs/ROOT.out, resolved in the root: nothing there */
	snprintf(rel, sizeof(rel), "sys/block/md3");
	link_to(f, rel, out);
	/* proc/mdstat -> the secret */
	snprintf(target, sizeof(target), "../../%s.out/secret", base);
	link_to(f, "proc/mdstat", target);

	assert_int_equal(scan(f, false), 3);
	for (int i = 0; i < f->n_got; i++) {
		if (has_secret(&f->got[i]))
			fail_msg("%s reports the secret: %s", f->got[i].name, f->got[i].reason);
		assert_int_equal(f->got[i].margin, REDMON_MARGIN_UNKNOWN);
	}
	assert_int_equal(f->scan.mdstat_err, -ENOLINK);
	g = got(f, "md1");
	assert_string_equal(
		g->reason,
		"sysfs level unreadable: a symbolic link leading nowhere inside the root");
	g = got(f, "md2");
	assert_string_equal(g->reason, "sysfs dev-sda1/state unreadable: a symbolic link leading "
				       "nowhere inside the root");
	g = got(f, "md3");
	assert_string_equal(g->reason, "array vanished while being read");

	/* The same links into the root are followed, as sysfs's own links need. */
	del(f, "sys/block/md1/md/level");
	put(f, "etc/level", "raid1\n");
	link_to(f, "sys/block/md1/md/level", "/etc/level");
	assert_int_equal(scan(f, false), 3);
	assert_int_equal(got(f, "md1")->margin, 0);
}

/* Crashes found by fuzz_md_sysfs become regression cases here (none so far). */

/* --- hidden single points of failure (../lib/spof.c) -------------------- */

/* md0 raid1 of sdb1 and sdb2 (one disk); md1 raid1 of sdc1 and sdd1 (two controllers). */
static void build_spof(struct fixture *f)
{
	assert_int_equal(spof_tree_disk(f->root, "0000:00:1f.2", 0, "sdb", 2), 0);
	assert_int_equal(spof_tree_disk(f->root, "0000:00:1f.2", 1, "sdc", 1), 0);
	assert_int_equal(spof_tree_disk(f->root, "0000:03:00.0", 2, "sdd", 1), 0);
	array(f, "md0", "raid1\n", "clean\n", "2\n");
	dev(f, "md0", "sdb1", "in_sync\n", "0\n", 0, true);
	dev(f, "md0", "sdb2", "in_sync\n", "1\n", 1, true);
	array(f, "md1", "raid1\n", "clean\n", "2\n");
	dev(f, "md1", "sdc1", "in_sync\n", "0\n", 0, true);
	dev(f, "md1", "sdd1", "in_sync\n", "1\n", 1, true);
}

/* Two partitions of one disk are named; members on two controllers give nothing. */
static void test_spof_partitions(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	build_spof(f);
	assert_int_equal(scan(f, false), 2);
	g = got(f, "md0");
	assert_int_equal(g->n_spof, 1);
	assert_string_equal(g->spof[0], "members sdb1 and sdb2 are partitions of one disk, sdb");
	assert_int_equal(g->margin, 1); /* informational: the margin is the margin */
	assert_int_equal(got(f, "md1")->n_spof, 0);

	/* raid0 of the same partitions: nonredundant, nothing hidden. */
	put(f, "sys/block/md0/md/level", "raid0\n");
	assert_int_equal(scan(f, false), 2);
	assert_int_equal(got(f, "md0")->n_spof, 0);
	put(f, "sys/block/md0/md/level", "raid1\n");
	/* A faulty member takes no part: one partition left, no reason. */
	put(f, "sys/block/md0/md/dev-sdb2/state", "faulty\n");
	assert_int_equal(scan(f, false), 2);
	assert_int_equal(got(f, "md0")->n_spof, 0);
}

/* Every member behind one controller: sdb1 and sdc1 on 0000:00:1f.2. */
static void test_spof_one_controller(void **state)
{
	struct fixture *f = *state;
	const struct got *g;

	build_spof(f);
	del(f, "sys/block/md1/md/dev-sdd1");
	del(f, "sys/block/md1/md/rd1");
	dev(f, "md1", "sdb1", "in_sync\n", "1\n", 1, true);
	assert_int_equal(scan(f, false), 2);
	g = got(f, "md1");
	assert_int_equal(g->n_spof, 1);
	assert_string_equal(g->spof[0], "every member is behind one controller, 0000:00:1f.2");
}

/*
 * The links are resolved again only when an array's members change or the
 * caller says disks came or went (spof_stale: the md probe's udev monitor):
 * a partial rescan or a full read of unchanged members keeps the reasons
 * (the links, gone now, are not read again); after spof_stale, a full read
 * resolves again.
 */
static void test_spof_resolved_at_full_read(void **state)
{
	struct fixture *f = *state;

	cache_every_file(f);
	build_spof(f);
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->n_spof, 1);
	del(f, "sys/class/block");
	del(f, "sys/block/sdb");
	assert_int_equal(rescan(f, false, "md0", NULL), 0);
	assert_int_equal(got(f, "md0")->n_spof, 1);
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->n_spof, 1);
	f->scan.spof_stale = true;
	assert_int_equal(scan(f, true), 2);
	assert_int_equal(got(f, "md0")->n_spof, 0);
	assert_false(f->scan.spof_stale);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raid1_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rd_files_raid0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rd_symlinks_no_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spare_in_slot_rebuilds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spare_faulty_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_dev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_attrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_name_and_state_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffers_stay_with_their_array, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_attr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containers_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raid10_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bang_device, setup, teardown),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_sysfs_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_devs_from_mdstat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_md_and_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steady_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_completed_read_only_while_syncing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_level_kept_with_unchanged_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inactive_level_read_each_scan, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_partial_keeps_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_equals_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_read_reuses_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_reads_only_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reshape_detail_incomplete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_alone_never_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_evidence_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_counts_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_map_from_mdstat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faulty_beats_stale_degraded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_stay_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eta_and_mismatches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spof_partitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spof_one_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spof_resolved_at_full_read, setup, teardown),
	};

	return cmocka_run_group_tests_name("md_sysfs", tests, NULL, NULL);
}
