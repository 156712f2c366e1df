/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether a program's or a directory's path can be replaced by someone else (src/trusted_path.c). */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/trusted_path.h"

#define OTHER_UID 4242

/* Under /tmp (root's, sticky): the walk passes through it as a real hook's would. */
static char dir[64];
static char why[512];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/redmon-tp-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return chmod(dir, 0755);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void make_file(const char *name, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0700);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	assert_int_equal(chmod(at(name), mode), 0);
}

static void make_dir(const char *name, mode_t mode)
{
	assert_int_equal(mkdir(at(name), 0700), 0);
	assert_int_equal(chmod(at(name), mode), 0);
}

static int check(const char *path)
{
	why[0] = 0;
	return trusted_path_check(path, geteuid(), why, sizeof(why));
}

static void test_plain_hook_ok(void **state)
{
	(void)state;
	make_file("hook", 0755);
	assert_int_equal(check(at("hook")), 0);
	assert_int_equal(check("/bin/sh"), 0); /* /bin -> usr/bin on merged /usr: a relative link */
}

static void test_writable_file_refused(void **state)
{
	(void)state;
	make_file("g", 0775);
	make_file("o", 0757);
	assert_int_equal(check(at("g")), -EPERM);
	assert_non_null(strstr(why, "writable by its group"));
	assert_int_equal(check(at("o")), -EPERM);
	assert_non_null(strstr(why, "writable by everyone"));
}

/* The case: a hook in a world-writable directory (anyone can rename it away). */
static void test_writable_dir_refused(void **state)
{
	(void)state;
	make_dir("ww", 0777);
	make_file("ww/hook", 0755);
	assert_int_equal(check(at("ww/hook")), -EPERM);
	assert_non_null(strstr(why, at("ww")));
	/* Sticky but not root's: its owner can still replace what is in it. */
	assert_int_equal(chmod(at("ww"), 01777), 0);
	if (geteuid() == 0)
		assert_int_equal(lchown(at("ww"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("ww/hook")), -EPERM);
}

/* A link in a good directory into a world-writable one: the target's directory counts. */
static void test_symlink_into_writable_dir_refused(void **state)
{
	(void)state;
	make_dir("ww", 0777);
	make_file("ww/hook", 0755);
	assert_int_equal(symlink("ww/hook", at("link")), 0);
	assert_int_equal(check(at("link")), -EPERM);
	assert_non_null(strstr(why, at("ww")));
	/* Through a second link whose own directory is the writable one. */
	make_file("real", 0755);
	assert_int_equal(symlink(at("real"), at("ww/link2")), 0);
	assert_int_equal(symlink("ww/link2", at("link1")), 0);
	assert_int_equal(check(at("link1")), -EPERM);
	assert_non_null(strstr(why, at("ww")));
	/* Where realpath() leads is fine: only a walk of every step sees the hole. */
	assert_int_equal(check(at("real")), 0);
}

static void test_good_symlinks_ok(void **state)
{
	(void)state;
	make_dir("bin", 0755);
	make_file("bin/hook", 0700);
	assert_int_equal(symlink("bin", at("dirlink")), 0);
	assert_int_equal(symlink("../bin/hook", at("bin/rel")), 0);
	assert_int_equal(check(at("dirlink/hook")), 0);
	assert_int_equal(check(at("bin/rel")), 0);
	assert_int_equal(check(at("bin/./../bin//hook")), 0);
}

/* Owned by another user: only root or the user it runs as may own the way. */
static void test_foreign_owner_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* needs chown */
	make_file("hook", 0755);
	assert_int_equal(lchown(at("hook"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("hook")), -EPERM);
	assert_non_null(strstr(why, "uid 4242"));
	/* The service user's own hook is fine for a daemon running as that user. */
	assert_int_equal(trusted_path_check(at("hook"), OTHER_UID, why, sizeof(why)), 0);
	make_file("good", 0755);
	assert_int_equal(symlink(at("good"), at("link")), 0);
	assert_int_equal(lchown(at("link"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("link")), -EPERM);
	make_dir("theirs", 0755);
	make_file("theirs/hook", 0755);
	assert_int_equal(lchown(at("theirs"), OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(at("theirs/hook")), -EPERM);
}

static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(check("relative/hook"), -EINVAL);
	assert_int_equal(check(at("missing")), -ENOENT);
	assert_non_null(strstr(why, "missing"));
	assert_int_equal(check(dir), -EISDIR);
	make_file("f", 0755);
	assert_int_equal(check(at("f/x")), -ENOTDIR);
	assert_int_equal(symlink("b", at("a")), 0);
	assert_int_equal(symlink("a", at("b")), 0);
	assert_int_equal(check(at("a")), -ELOOP);
	assert_int_equal(mkfifo(at("fifo"), 0700), 0);
	assert_int_equal(check(at("fifo")), -EACCES);
}

static int check_dir(const char *path)
{
	why[0] = 0;
	return trusted_dir_check(path, geteuid(), why, sizeof(why));
}

/*
 * A directory whose files are read as root (the plugin directory): itself
 * writable by nobody else, sticky or not, as every directory above it.
 */
static void test_dir(void **state)
{
	(void)state;
	assert_int_equal(check_dir(dir), 0); /* through /tmp: sticky, root's */
	assert_int_equal(check_dir("/"), 0);
	make_dir("plugins", 0755);
	assert_int_equal(check_dir(at("plugins")), 0);
	assert_int_equal(symlink("plugins", at("link")), 0);
	assert_int_equal(check_dir(at("link")), 0);

	assert_int_equal(chmod(at("plugins"), 0775), 0);
	assert_int_equal(check_dir(at("plugins")), -EPERM);
	assert_non_null(strstr(why, "plugins is writable by its group"));
	assert_int_equal(check_dir(at("link")), -EPERM);
	/* sticky is no excuse at the end: others could add a file to be read */
	assert_int_equal(chmod(at("plugins"), 01777), 0);
	assert_int_equal(check_dir(at("plugins")), -EPERM);
	assert_non_null(strstr(why, "writable by everyone"));
	assert_int_equal(check_dir(at("plugins/.")), -EPERM); /* however it is named */
	/* but it is on the way, where nobody can replace what they do not own */
	make_dir("plugins/sub", 0755);
	assert_int_equal(check_dir(at("plugins/sub")), 0);
	assert_int_equal(check_dir(at("plugins/sub/..")), -EPERM);
	assert_int_equal(chmod(at("plugins"), 0755), 0);

	make_file("file", 0755);
	assert_int_equal(check_dir(at("file")), -ENOTDIR);
	assert_int_equal(check_dir(at("missing")), -ENOENT);
	assert_int_equal(check_dir("relative"), -EINVAL);
	if (geteuid() == 0) {
		assert_int_equal(chown(at("plugins"), OTHER_UID, OTHER_UID), 0);
		assert_int_equal(check_dir(at("plugins")), -EPERM);
		assert_non_null(strstr(why, "owned by uid 4242"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_hook_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_dir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_into_writable_dir_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_good_symlinks_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
