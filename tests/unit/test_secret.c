/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/secret.c: a password file's first line, and every file that
 * is refused (mode, link, FIFO, too long) with a reason that names the file
 * and never holds the secret.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/lib/secret.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/redmon-secret-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* dir/name holding text, with mode; its path in path. */
static void put(const char *name, const char *text, mode_t mode, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_first_line(void **state)
{
	char path[128], out[21], why[256] = "";

	(void)state;
	put("pw", "s3cret\r\nsecond line\n", 0600, path, sizeof(path));
	assert_int_equal(secret_file_read(path, NULL, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "s3cret");
	put("empty", "", 0400, path, sizeof(path));
	assert_int_equal(secret_file_read(path, NULL, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "");
}

static void test_refused(void **state)
{
	char path[128], link[160], out[21] = "untouched", why[256];

	(void)state;
	put("open", "s3cret\n", 0644, path, sizeof(path));
	assert_int_equal(secret_file_read(path, NULL, out, sizeof(out), why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "chmod 600"));
	assert_non_null(strstr(why, path));

	put("pw", "s3cret\n", 0600, path, sizeof(path));
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(secret_file_read(link, NULL, out, sizeof(out), why, sizeof(why)), -ELOOP);

	/* a FIFO neither blocks nor counts */
	snprintf(link, sizeof(link), "%s/fifo", dir);
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(secret_file_read(link, NULL, out, sizeof(out), why, sizeof(why)), -EPERM);

	snprintf(link, sizeof(link), "%s/none", dir);
	assert_int_equal(secret_file_read(link, NULL, out, sizeof(out), why, sizeof(why)), -ENOENT);
	assert_string_equal(out, "untouched");
}

static void test_too_long(void **state)
{
	char path[128], out[21] = "untouched", why[256];

	(void)state;
	put("long", "0123456789abcdefghijK\n", 0600, path, sizeof(path));
	assert_int_equal(secret_file_read(path, "an IPMI 2.0 password has at most 20 bytes", out,
					  sizeof(out), why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "longer than 20 bytes: an IPMI 2.0 password"));
	assert_null(strstr(why, "0123456789"));
	assert_string_equal(out, "untouched");
	/* exactly the room there is */
	put("fits", "0123456789abcdefghij\n", 0600, path, sizeof(path));
	assert_int_equal(secret_file_read(path, NULL, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "0123456789abcdefghij");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_line),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
