/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/sysfs_read.c: attributes of one directory, the paths built for
 * them, overlong and hostile files, and the reasons for what cannot be read.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/lib/sysfs_read.h"

struct fixture {
	char root[64];
	int root_fd;
	struct fdcache fdc;
	struct strbuf buf;
	struct sysfs_dir d;
};

static void put(struct fixture *f, const char *rel, const void *content, size_t n)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, n, fp), n);
	fclose(fp);
}

static void mkdir_rel(struct fixture *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/test_sysfs_read.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->root_fd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->root_fd < 0)
		return -1;
	fdcache_init(&f->fdc, 8, NULL, NULL);
	f->d = (struct sysfs_dir){
		.root_fd = f->root_fd, .fdc = &f->fdc, .buf = &f->buf, .max = 16
	};
	mkdir_rel(f, "md0");
	mkdir_rel(f, "md0/dev-sda");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	fdcache_free(&f->fdc);
	strbuf_free(&f->buf);
	close(f->root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The directory, then the attribute's parts; the view is the bytes as they are. */
static void test_reads_and_names(void **state)
{
	struct fixture *f = *state;
	struct strv v;

	put(f, "md0/array_state", "clean\n", 6);
	put(f, "md0/dev-sda/state", "in_sync\n", 8);
	assert_int_equal(sysfs_dir_at(&f->d, "%s", "md0"), 0);
	assert_string_equal(f->d.path, "md0/");
	assert_int_equal(sysfs_read(&f->d, "array_state", 0, &v), 0);
	assert_true(strv_eq(v, "clean\n"));
	assert_string_equal(sysfs_name(&f->d), "array_state");
	assert_int_equal(sysfs_read3(&f->d, "dev-", "sda", "/state", 0, &v), 0);
	assert_true(strv_eq(v, "in_sync\n"));
	assert_string_equal(f->d.path, "md0/dev-sda/state");
	assert_int_equal(f->fdc.n, 2); /* kept open through the cache */
	/* Absent: -ENOENT, and the name still says which. */
	assert_int_equal(sysfs_read(&f->d, "degraded", 0, &v), -ENOENT);
	assert_string_equal(sysfs_name(&f->d), "degraded");
}

/* Overlong content is -EFBIG, or read cut when the owner says a cut is fine. */
static void test_overlong(void **state)
{
	struct fixture *f = *state;
	struct strv v = strv_c("untouched");

	put(f, "md0/level", "raid1raid1raid1raid1raid1", 25);
	assert_int_equal(sysfs_dir_at(&f->d, "md0"), 0);
	assert_int_equal(sysfs_read(&f->d, "level", 0, &v), -EFBIG);
	assert_true(strv_eq(v, "untouched"));
	f->d.cut_ok = true;
	assert_int_equal(sysfs_read(&f->d, "level", 0, &v), 0);
	assert_int_equal(v.n, 16);
}

/* NUL bytes and no newline come through as bytes; a FIFO and a link out are refused. */
static void test_hostile_files(void **state)
{
	struct fixture *f = *state;
	char path[512];
	struct strv v;

	put(f, "md0/slot", "1\0002", 3);
	assert_int_equal(sysfs_dir_at(&f->d, "md0"), 0);
	assert_int_equal(sysfs_read(&f->d, "slot", 0, &v), 0);
	assert_int_equal(v.n, 3);
	assert_memory_equal(v.p, "1\0002", 3);
	snprintf(path, sizeof(path), "%s/md0/fifo", f->root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(sysfs_read(&f->d, "fifo", 0, &v), -EINVAL);
	snprintf(path, sizeof(path), "%s/md0/uuid", f->root);
	assert_int_equal(symlink("/etc/shadow", path), 0);
	assert_int_equal(sysfs_read(&f->d, "uuid", 0, &v), -ENOLINK);
}

/* Paths that do not fit are refused, never cut into another file's name. */
static void test_long_paths(void **state)
{
	struct fixture *f = *state;
	char longname[400];
	struct strv v;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(sysfs_dir_at(&f->d, "%s", longname), -ENAMETOOLONG);
	assert_int_equal(f->d.plen, 0);
	assert_int_equal(sysfs_dir_at(&f->d, "md0"), 0);
	assert_int_equal(sysfs_read3(&f->d, longname, "", "", 0, &v), -ENAMETOOLONG);
	assert_int_equal(sysfs_dir_path(&f->d, "ok", "", ""), 0);
	assert_string_equal(f->d.path, "md0/ok");
}

struct listing {
	char names[8][32];
	int n, stop_at, ret;
};

static int collect(void *ctx, const char *name)
{
	struct listing *l = ctx;

	if (l->n < 8)
		snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	return ++l->n == l->stop_at ? l->ret : 0;
}

static bool listed(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->n && i < 8; i++)
		if (strcmp(l->names[i], name) == 0)
			return true;
	return false;
}

/* Every entry but "." and ".."; a callback stops it; what is no directory says why. */
static void test_list_dir(void **state)
{
	struct fixture *f = *state;
	struct listing l = { .stop_at = -1 };
	char path[512];

	put(f, "md0/level", "raid1\n", 6);
	put(f, "md0/.hidden", "", 0);
	assert_int_equal(sysfs_list_dir(f->root_fd, "md0", &f->buf, collect, &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(listed(&l, "level") && listed(&l, "dev-sda") && listed(&l, ".hidden"));
	l = (struct listing){ .stop_at = 1, .ret = 1 };
	assert_int_equal(sysfs_list_dir(f->root_fd, "md0", &f->buf, collect, &l), 0);
	assert_int_equal(l.n, 1);
	l = (struct listing){ .stop_at = 2, .ret = -ENOMEM };
	assert_int_equal(sysfs_list_dir(f->root_fd, "md0", &f->buf, collect, &l), -ENOMEM);
	assert_int_equal(sysfs_list_dir(f->root_fd, "nope", &f->buf, collect, &l), -ENOENT);
	assert_int_equal(sysfs_list_dir(f->root_fd, "md0/level", &f->buf, collect, &l), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/out", f->root);
	assert_int_equal(symlink("/etc", path), 0);
	assert_int_equal(sysfs_list_dir(f->root_fd, "out", &f->buf, collect, &l), -ENOLINK);
}

static void test_reasons(void **state)
{
	char why[96];

	(void)state;
	assert_string_equal(sysfs_strerror(-EINVAL, why, sizeof(why)), "content not understood");
	assert_string_equal(sysfs_strerror(-EFBIG, why, sizeof(why)), "content too long");
	assert_string_equal(sysfs_strerror(-ENOLINK, why, sizeof(why)),
			    "a symbolic link leading nowhere inside the root");
	assert_string_equal(sysfs_strerror(-EACCES, why, sizeof(why)), strerror(EACCES));
	assert_string_equal(sysfs_strerror(-EFBIG, why, 8), "content");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_dir, setup, teardown),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
