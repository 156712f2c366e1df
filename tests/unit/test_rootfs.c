/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugins/lib/rootfs.c: opens under a root never leave it, whatever the links. */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../plugins/lib/rootfs.h"

struct tree {
	char dir[64];
	int root_fd;
};

static void put(const char *dir, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const char *dir, const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * DIR/etc/shadow ("in root"), DIR/sys/block/md1/md/ with links: abs -> /etc/shadow
 * (lands on DIR/etc/shadow under RESOLVE_IN_ROOT), up -> ../../../../../etc/shadow
 * (clamped likewise), sib -> ../dev-sda1/state (stays beneath md/); and outside the
 * root, a file OUT/secret that no link may reach.
 */
static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char sub[256];

	assert_non_null(t);
	strcpy(t->dir, "/tmp/rootfs-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	const char *dirs[] = { "etc",
			       "sys",
			       "sys/block",
			       "sys/block/md1",
			       "sys/block/md1/md",
			       "sys/block/md1/md/dev-sda1",
			       "out" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", t->dir, dirs[i]);
		assert_int_equal(mkdir(sub, 0755), 0);
	}
	put(t->dir, "etc/shadow", "in root\n");
	put(t->dir, "sys/block/md1/md/dev-sda1/state", "in_sync\n");
	put(t->dir, "out/secret", "host secret\n");
	link_at(t->dir, "/etc/shadow", "sys/block/md1/md/abs");
	link_at(t->dir, "../../../../../etc/shadow", "sys/block/md1/md/up");
	link_at(t->dir, "dev-sda1/state", "sys/block/md1/md/sib");
	link_at(t->dir, "../../../../out/secret", "sys/block/md1/md/esc");
	link_at(t->dir, "/nowhere", "sys/block/md1/md/dangling");
	/* The root is DIR/ minus out/: open DIR itself; "out" stands for "the host". */
	t->root_fd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->root_fd >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	close(t->root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void read_fd(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* An absolute link resolves inside the root, never to the host's /etc/shadow. */
static void test_absolute_link_stays_in_root(void **state)
{
	struct tree *t = *state;
	char buf[64];
	int fd = rootfs_open(t->root_fd, "sys/block/md1/md/abs", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "in root\n");
}

/* A ".." chain longer than the tree is clamped at the root. */
static void test_dotdot_link_is_clamped(void **state)
{
	struct tree *t = *state;
	char buf[64];
	int fd = rootfs_open(t->root_fd, "sys/block/md1/md/up", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "in root\n");
	/* An absolute path given by the caller is clamped too. */
	fd = rootfs_open(t->root_fd, "/../../etc/shadow", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "in root\n");
}

/* Beneath a directory: a link inside it works, any link out of it is EXDEV. */
static void test_beneath(void **state)
{
	struct tree *t = *state;
	char buf[64];
	int md = rootfs_open(t->root_fd, "sys/block/md1/md", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	assert_true(md >= 0);
	fd = rootfs_open_beneath(md, "sib", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "in_sync\n");
	const char *escapes[] = { "abs", "up", "esc", "../../../out/secret", "/etc/passwd" };
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		errno = 0;
		fd = rootfs_open_beneath(md, escapes[i], O_RDONLY | O_CLOEXEC);
		assert_int_equal(fd, -1);
		assert_int_equal(errno, EXDEV);
	}
	close(md);
}

/* The first bytes of the file path opens (under root_fd), or "" when it cannot be opened. */
static const char *content(int root_fd, const char *path, bool beneath, char *buf, size_t len)
{
	int fd = beneath ? rootfs_open_beneath(root_fd, path, O_RDONLY | O_CLOEXEC)
			 : rootfs_open(root_fd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * In this (child) process from now on, openat2 answers ENOSYS, as on a
 * kernel before 5.6, under a container's filter or valgrind.  0, or -1 when
 * the filter could not be installed or is not in force.
 */
static int deny_openat2(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	errno = 0;
	return syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) < 0 && errno == ENOSYS ? 0 : -1;
}

/*
 * The opens of the tests above, in a child whose seccomp filter answers
 * ENOSYS to openat2 (a kernel before 5.6, a container's filter, valgrind):
 * walked by hand, they resolve exactly as openat2 does.  Exit 0, or the
 * number of the check that failed.
 */
static int opens_without_openat2(const struct tree *t)
{
	static const struct {
		const char *path, *want;
	} reads[] = {
		{ "sys/block/md1/md/abs", "in root\n" }, /* check 3 */
		{ "sys/block/md1/md/up", "in root\n" },
		{ "/../../etc/shadow", "in root\n" },
		{ "sys/block/md1/md/sib", "in_sync\n" }, /* check 6 */
	};
	const char *escapes[] = { "abs", "up", "esc", "../../../out/secret", "/etc/passwd" };
	char buf[64];
	int md, fd, sys;

	if (deny_openat2() < 0)
		return 2;
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		if (strcmp(content(t->root_fd, reads[i].path, false, buf, sizeof(buf)),
			   reads[i].want) != 0)
			return 3 + (int)i;
	md = rootfs_open(t->root_fd, "sys/block/md1/md/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (md < 0)
		return 7;
	if (strcmp(content(md, "sib", true, buf, sizeof(buf)), "in_sync\n") != 0)
		return 8;
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		errno = 0;
		fd = rootfs_open_beneath(md, escapes[i], O_RDONLY | O_CLOEXEC);
		if (fd >= 0 || errno != EXDEV)
			return 9;
	}
	errno = 0;
	if (rootfs_open(t->root_fd, "sys/block/md1/md/nope", O_RDONLY | O_CLOEXEC) >= 0 ||
	    errno != ENOENT)
		return 10;
	errno = 0;
	if (rootfs_open(t->root_fd, "sys/block/md1/md/sib/", O_RDONLY | O_CLOEXEC) >= 0 ||
	    errno != ENOTDIR)
		return 11; /* a trailing slash wants a directory */
	if (rootfs_open_checked(t->root_fd, "sys/block/md1/md/dangling", O_RDONLY) != -ENOLINK)
		return 12;
	sys = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = rootfs_open(sys, "proc/self/status", O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? 0 : 13;
}

static void test_without_openat2(void **state)
{
	struct tree *t = *state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(opens_without_openat2(t));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* What an open gave: the file (device and inode) or the errno. */
struct outcome {
	dev_t dev;
	ino_t ino;
	int err;
};

static struct outcome outcome_of(int fd)
{
	struct outcome o = { .err = fd < 0 ? errno : 0 };
	struct stat st;

	if (fd >= 0) {
		if (fstat(fd, &st) == 0) {
			o.dev = st.st_dev;
			o.ino = st.st_ino;
		}
		close(fd);
	}
	return o;
}

#define RANDOM_PATHS 4000

/* A path of 1 to 7 components drawn from names, links and dots in the tree below. */
static void random_path(unsigned *seed, char *buf, size_t len)
{
	static const char *const parts[] = { "a",  "a",	 "b",  "b",  "b",  "c",	   "c",	     "c",
					     "f",  "f",	 "g",  "l1", "l2", "l3",   "l4",     "l5",
					     "l6", "l7", "..", "..", ".",  "loop", "shadow", "" };
	int n = 1 + (int)(rand_r(seed) % 7);
	size_t at = 0;

	buf[0] = '\0';
	if (rand_r(seed) % 5 == 0)
		at += (size_t)snprintf(buf, len, "/");
	for (int i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "/" : "",
				       parts[rand_r(seed) % (sizeof(parts) / sizeof(parts[0]))]);
}

/*
 * Random paths through a tree of directories and links of every kind
 * (absolute, "..", chains, a loop, dangling, one to the host's /etc): the
 * opens walked by hand (under a seccomp filter answering ENOSYS to openat2)
 * give the same file, or the same error, as openat2's, in the root and
 * beneath a directory.
 */
static void test_walk_matches_openat2(void **state)
{
	static struct outcome want[RANDOM_PATHS][2];
	struct tree *t = *state;
	const char *dirs[] = { "a", "a/b", "a/b/c", "g" };
	const struct {
		const char *target, *at;
	} links[] = {
		{ "/a/b", "a/l1" },
		{ "../..", "a/b/l2" },
		{ "c/f", "a/b/l3" },
		{ "/etc", "a/b/c/l4" },
		{ "l4/shadow", "a/b/c/l5" },
		{ "nowhere", "a/l6" },
		{ "../a/l1/l2/a", "g/l7" },
		{ "loop", "a/b/loop" },
		{ "../../../../..", "a/b/c/l1" },
	};
	char sub[256], path[128];
	unsigned seed = 19;
	int a, status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", t->dir, dirs[i]);
		assert_int_equal(mkdir(sub, 0755), 0);
	}
	put(t->dir, "a/b/c/f", "f\n");
	put(t->dir, "g/f", "g\n");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		link_at(t->dir, links[i].target, links[i].at);
	a = rootfs_open(t->root_fd, "a", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(a >= 0);
	for (int i = 0; i < RANDOM_PATHS; i++) {
		random_path(&seed, path, sizeof(path));
		want[i][0] = outcome_of(rootfs_open(t->root_fd, path, O_RDONLY | O_CLOEXEC));
		want[i][1] = outcome_of(rootfs_open_beneath(a, path, O_RDONLY | O_CLOEXEC));
	}
	{
		/* The paths reach files both ways and fail every way: not a vacuous match. */
		int ok[2] = { 0, 0 }, seen[4] = { 0 };
		const int errs[4] = { ENOENT, ENOTDIR, ELOOP, EXDEV };

		for (int i = 0; i < RANDOM_PATHS; i++)
			for (int k = 0; k < 2; k++) {
				ok[k] += want[i][k].err == 0;
				for (int e = 0; e < 4; e++)
					seen[e] += want[i][k].err == errs[e];
			}
		assert_true(ok[0] > 100 && ok[1] > 100);
		for (int e = 0; e < 4; e++)
			assert_true(seen[e] > 5);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (deny_openat2() < 0)
			_exit(2);
		seed = 19;
		for (int i = 0; i < RANDOM_PATHS; i++) {
			struct outcome got[2];

			random_path(&seed, path, sizeof(path));
			got[0] = outcome_of(rootfs_open(t->root_fd, path, O_RDONLY | O_CLOEXEC));
			got[1] = outcome_of(rootfs_open_beneath(a, path, O_RDONLY | O_CLOEXEC));
			for (int k = 0; k < 2; k++) {
				if (got[k].err == want[i][k].err && got[k].dev == want[i][k].dev &&
				    got[k].ino == want[i][k].ino)
					continue;
				fprintf(stderr,
					"%s \"%s\": openat2 %s (ino %lu), walked %s (ino %lu)\n",
					k ? "beneath a/" : "in root", path,
					strerror(want[i][k].err), (unsigned long)want[i][k].ino,
					strerror(got[k].err), (unsigned long)got[k].ino);
				_exit(1);
			}
		}
		_exit(0);
	}
	close(a);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absolute_link_stays_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_link_is_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_beneath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_openat2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_matches_openat2, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
