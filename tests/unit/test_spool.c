/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The durable spool and atomic file replacement (src/spool.c). */
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/spool.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/redmon-spool-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *sub, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, name);
	return access(p, F_OK) == 0;
}

/* Files in dir/sub whose name ends in suffix. */
static int count_suffix(const char *sub, const char *suffix)
{
	char p[256];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t a = strlen(de->d_name), b = strlen(suffix);

		n += a >= b && strcmp(de->d_name + a - b, suffix) == 0;
	}
	closedir(d);
	return n;
}

static void put(struct spool *s, uint64_t seq, uint64_t keep, size_t want_dropped)
{
	char data[32];
	size_t dropped = 99;

	snprintf(data, sizeof(data), "alert %llu", (unsigned long long)seq);
	assert_int_equal(spool_put(s, seq, data, strlen(data), keep, &dropped), 0);
	assert_int_equal(dropped, want_dropped);
}

static void test_order_and_restart(void **state)
{
	char path[128], *text;
	struct spool *s;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b", dir); /* parents are created */
	assert_int_equal(spool_open(path, 100, &s), 0);
	put(s, 12, 0, 0);
	put(s, 3, 0, 0);
	put(s, 7, 0, 0);
	assert_int_equal(spool_count(s), 3);
	assert_int_equal(spool_first(s), 3);
	assert_int_equal(spool_last(s), 12);
	/* Zero-padded names: ls sorts them as numbers. */
	assert_true(exists("a/b", "00000000000000000003.alert"));
	assert_int_equal(count_suffix("a/b", ".tmp"), 0);
	spool_free(s);

	/* A restart (or SIGKILL) later: the same entries, in order. */
	assert_int_equal(spool_open(path, 100, &s), 0);
	assert_int_equal(spool_count(s), 3);
	assert_int_equal(spool_first(s), 3);
	assert_int_equal(spool_read(s, 7, &text, &len), 0);
	assert_string_equal(text, "alert 7");
	free(text);
	assert_int_equal(spool_remove(s, 3), 0);
	assert_int_equal(spool_first(s), 7);
	assert_int_equal(spool_remove(s, 3), -ENOENT);
	assert_int_equal(spool_set_aside(s, 7), 0);
	assert_int_equal(spool_first(s), 12);
	assert_true(exists("a/b", "00000000000000000007.alert.rejected"));
	spool_free(s);
	assert_int_equal(spool_open(path, 100, &s), 0);
	assert_int_equal(spool_count(s), 1); /* set aside is out of the queue for good */
	spool_free(s);
}

static void test_bounded_drops_oldest_but_not_in_flight(void **state)
{
	struct spool *s;

	(void)state;
	assert_int_equal(spool_open(dir, 3, &s), 0);
	put(s, 1, 0, 0);
	put(s, 2, 0, 0);
	put(s, 3, 0, 0);
	/* 1 is in flight: 2 goes instead. */
	put(s, 4, 1, 1);
	assert_int_equal(spool_first(s), 1);
	assert_false(exists(".", "00000000000000000002.alert"));
	put(s, 5, 0, 1);
	assert_int_equal(spool_count(s), 3);
	assert_int_equal(spool_first(s), 3);
	assert_int_equal(spool_last(s), 5);
	spool_free(s);
}

static void test_crash_leftovers_removed(void **state)
{
	char p[128];
	struct spool *s;
	int fd;

	(void)state;
	/* What a crash between create and rename leaves, and a stranger's file. */
	snprintf(p, sizeof(p), "%s/00000000000000000009.alert.tmp", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "half", 4), 4);
	close(fd);
	snprintf(p, sizeof(p), "%s/README", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(spool_open(dir, 10, &s), 0);
	assert_int_equal(spool_count(s), 0);
	assert_int_equal(count_suffix(".", ".tmp"), 0);
	assert_true(exists(".", "README"));
	spool_free(s);
}

static void test_atomic_write(void **state)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(write_file_atomic(dfd, "f", "one", 3, 0640), 0);
	assert_int_equal(write_file_atomic(dfd, "f", "second", 6, 0640), 0);
	assert_int_equal(read_file_at(dfd, "f", 100, &text, &len), 0);
	assert_string_equal(text, "second");
	assert_int_equal(len, 6);
	free(text);
	assert_int_equal(count_suffix(".", ".tmp"), 0);
	/* Bounded reads: a file larger than allowed is refused, not truncated. */
	assert_int_equal(read_file_at(dfd, "f", 3, &text, &len), -EFBIG);
	assert_int_equal(read_file_at(dfd, "none", 3, &text, &len), -ENOENT);
	close(dfd);
}

/*
 * A disk that refuses entries (a file size limit of 8 bytes makes every
 * write fail with EFBIG, as a full disk fails with ENOSPC): they wait in
 * memory in their place in the queue, are read back whole, removed on
 * delivery, dropped by the bound like any other; the disk taking them again
 * stores the next ones on disk.
 */
/* No directory (no state_dir): every entry held in memory, in order, bounded, nothing on disk. */
static void test_no_directory_in_memory(void **state)
{
	size_t dropped = 99, len = 0;
	struct spool *s;
	char *data = NULL;

	(void)state;
	assert_int_equal(spool_open(NULL, 2, &s), 0);
	assert_int_equal(spool_put(s, 7, "seven", 5, 0, &dropped), 1);
	assert_int_equal(spool_put(s, 5, "five", 4, 0, &dropped), 1);
	assert_int_equal(spool_put(s, 9, "nine", 4, 0, &dropped), 1);
	assert_int_equal(dropped, 1); /* 5, the oldest, went */
	assert_int_equal(spool_count(s), 2);
	assert_int_equal(spool_first(s), 7);
	assert_int_equal(spool_read(s, 7, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "seven", 5);
	free(data);
	assert_int_equal(spool_remove(s, 7), 0);
	assert_int_equal(spool_set_aside(s, 9), 0);
	assert_int_equal(spool_count(s), 0);
	spool_free(s);
}

static void test_refused_entries_wait_in_memory(void **state)
{
	struct rlimit old, tiny = { .rlim_cur = 8, .rlim_max = RLIM_INFINITY };
	const char *big = "alert 2: longer than the file size limit";
	size_t dropped = 99, len = 0;
	struct spool *s;
	char *data = NULL;

	(void)state;
	assert_int_equal(spool_open(dir, 3, &s), 0);
	put(s, 1, 0, 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
	assert_int_equal(spool_put(s, 2, big, strlen(big), 0, &dropped), 1);
	assert_int_equal(spool_put(s, 3, "alert 3, held too", 17, 0, &dropped), 1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(count_suffix(".", ".alert"), 1); /* only 1 reached the disk */
	assert_int_equal(count_suffix(".", ".tmp"), 0);	  /* and no torn file is left */
	assert_int_equal(spool_count(s), 3);
	assert_int_equal(spool_first(s), 1);
	assert_int_equal(spool_last(s), 3);
	assert_int_equal(spool_read(s, 2, &data, &len), 0);
	assert_int_equal(len, strlen(big));
	assert_memory_equal(data, big, len);
	free(data);
	/* Delivered: gone from memory; the bound drops a held entry like any other. */
	assert_int_equal(spool_remove(s, 2), 0);
	assert_int_equal(spool_read(s, 2, &data, &len), -ENOENT);
	put(s, 4, 0, 0);
	put(s, 5, 0, 1); /* 1 goes (on disk), 3 (held) stays */
	assert_int_equal(spool_first(s), 3);
	assert_int_equal(spool_set_aside(s, 3), 0); /* held: nothing to keep aside on disk */
	assert_int_equal(spool_count(s), 2);
	assert_true(exists(".", "00000000000000000004.alert"));
	spool_free(s);
}

/* A path below dir. */
static const char *at(const char *rel)
{
	static char p[4][256];
	static unsigned i;

	snprintf(p[++i % 4], sizeof(p[0]), "%s/%s", dir, rel);
	return p[i % 4];
}

/* A symbolic link rel -> target owned by uid (as the service user plants it). */
static void plant(const char *rel, const char *target, uid_t uid)
{
	assert_int_equal(symlink(target, at(rel)), 0);
	assert_int_equal(lchown(at(rel), uid, uid), 0);
}

/*
 * Issue 12 E4: spool_open() runs as root below the state directory, which the
 * service user owns.  A link it planted (the spool's own directory or one on
 * the way) is refused: root neither unlinks the *.tmp files of the target
 * (/etc) nor makes directories there.  Root's own links are followed.
 */
static void test_links_of_others_refused(void **state)
{
	struct spool *s = NULL;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip(); /* a link owned by another user needs root to make */
	assert_int_equal(mkdir(at("victim"), 0755), 0);
	assert_int_equal(close(open(at("victim/precious.tmp"), O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(mkdir(at("spool"), 0750), 0);
	plant("spool/w", at("victim"), 65534);
	assert_int_equal(spool_open(at("spool/w"), 8, &s), -ELOOP);
	assert_null(s);
	assert_int_equal(access(at("victim/precious.tmp"), F_OK), 0);

	plant("spool2", at("victim"), 65534); /* a link on the way */
	assert_int_equal(spool_open(at("spool2/w"), 8, &s), -ELOOP);
	assert_int_equal(access(at("victim/w"), F_OK), -1);

	plant("admin", at("victim"), 0); /* root's: the administrator's choice */
	assert_int_equal(spool_open(at("admin/w"), 8, &s), 0);
	assert_int_equal(stat(at("victim/w"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	spool_free(s);
	assert_int_equal(access(at("victim/precious.tmp"), F_OK), 0); /* not in admin/w */
}

/* A FIFO planted for a file redmon reads (held.json, an entry): refused, never blocking. */
static void test_read_refuses_fifo(void **state)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	char *text = NULL;
	size_t len;

	(void)state;
	assert_int_equal(mkfifo(at("held.json"), 0600), 0);
	assert_int_equal(read_file_at(dirfd, "held.json", 4096, &text, &len), -EPERM);
	assert_null(text);
	assert_int_equal(symlink("/etc/passwd", at("link.json")), 0);
	assert_int_equal(read_file_at(dirfd, "link.json", 4096, &text, &len), -ELOOP);
	close(dirfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_drops_oldest_but_not_in_flight, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_leftovers_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_entries_wait_in_memory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_directory_in_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_of_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_fifo, setup, teardown),
	};

	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
