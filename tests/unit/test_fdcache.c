/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/fdcache.c: the budget, the sweep of what a scan no longer
 * reads, flush, reopen and retry, links leading out of the root, and the
 * unwatch hook.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/lib/fdcache.h"

struct fixture {
	char root[64];
	int root_fd;
	struct fdcache fdc;
	int unwatched[8]; /* descriptors the hook was told about */
	int n_unwatched;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/test_fdcache.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->root_fd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->root_fd < 0)
		return -1;
	fdcache_init(&f->fdc, 16, NULL, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	fdcache_free(&f->fdc);
	close(f->root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void put(struct fixture *f, const char *rel, const char *content)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

static void rename_rel(struct fixture *f, const char *from, const char *to)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s/%s", f->root, from);
	snprintf(b, sizeof(b), "%s/%s", f->root, to);
	assert_int_equal(rename(a, b), 0);
}

/* The directory rel and those above it, as mkdir -p. */
static void mkdir_rel(struct fixture *f, const char *rel)
{
	char path[512];
	size_t at = strlen(f->root) + 1;

	snprintf(path, sizeof(path), "%s/%s/", f->root, rel);
	for (char *s = strchr(path + at, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*s = '/';
	}
}

/* Entry i's whole path, in buf (PATH_BUF bytes). */
#define PATH_BUF 256
static const char *path_of(const struct fixture *f, size_t i, char *buf)
{
	const char *p = fdcache_entry_path(&f->fdc, &f->fdc.v[i], buf, PATH_BUF);

	assert_non_null(p);
	return p;
}

static void unwatch_cb(void *ctx, int fd)
{
	struct fixture *f = ctx;

	assert_true(f->n_unwatched < 8);
	f->unwatched[f->n_unwatched++] = fd;
}

/* The fd cache: budget, sweep of what a scan no longer reads, flush, regular files only. */
static void test_fdcache(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char path[512], buf[PATH_BUF];
	bool trunc;

	put(f, "a", "one\n");
	put(f, "b", "two\n");
	put(f, "c", "three\n");
	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 2, NULL, NULL);
	fdcache_begin(&f->fdc);
	assert_int_equal(
		fdcache_read(&f->fdc, f->root_fd, "a", FDC_NOTIFY | FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_string_equal(b.p, "one\n");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "b", FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "c", FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_string_equal(b.p, "three\n");
	assert_int_equal(f->fdc.n, 2); /* over budget: c was read and closed */
	assert_true(f->fdc.v[0].notify);
	assert_false(f->fdc.v[1].notify);
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.n, 2);

	/* kept open: an in-place rewrite is seen through the same descriptor */
	put(f, "a", "uno\n");
	fdcache_begin(&f->fdc);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "a", FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_string_equal(b.p, "uno\n");
	fdcache_sweep(&f->fdc); /* b not read in this scan: closed */
	assert_int_equal(f->fdc.n, 1);
	assert_string_equal(path_of(f, 0, buf), "a");

	/* replaced by rename: the cached descriptor reads the old file until a flush */
	put(f, "a.new", "eins\n");
	snprintf(path, sizeof(path), "%s/a", f->root);
	{
		char from[512];

		snprintf(from, sizeof(from), "%s/a.new", f->root);
		assert_int_equal(rename(from, path), 0);
	}
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "a", FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_string_equal(b.p, "uno\n");
	fdcache_flush(&f->fdc);
	assert_int_equal(f->fdc.n, 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "a", FDC_TO_EOF, &b, 64, &trunc), 0);
	assert_string_equal(b.p, "eins\n");

	/* a FIFO would block a plain open/read: refused */
	snprintf(path, sizeof(path), "%s/fifo", f->root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "fifo", FDC_TO_EOF, &b, 64, &trunc),
			 -EINVAL);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "nope", FDC_TO_EOF, &b, 64, &trunc),
			 -ENOENT);

	/* the read limit */
	assert_int_equal(fdcache_read(NULL, f->root_fd, "c", FDC_TO_EOF, &b, 3, &trunc), 0);
	assert_true(trunc);
	assert_int_equal(b.len, 3);
	assert_int_equal(fdcache_read(NULL, f->root_fd, "c", FDC_TO_EOF, &b, 6, &trunc), 0);
	assert_false(trunc);
	strbuf_free(&b);
}

/* REOPEN: a name renamed over is read anew, the entry (and its watch) replaced. */
static void test_reopen(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	int old_fd;

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 4, unwatch_cb, f);
	put(f, "state", "clean\n");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "state", FDC_NOTIFY, &b, 64, NULL), 0);
	old_fd = f->fdc.v[0].fd;
	f->fdc.v[0].watched = true;
	put(f, "state.new", "active\n");
	rename_rel(f, "state.new", "state");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "state", 0, &b, 64, NULL), 0);
	assert_string_equal(b.p, "clean\n"); /* kept: the old file */
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "state", FDC_REOPEN, &b, 64, NULL), 0);
	assert_string_equal(b.p, "active\n");
	assert_int_equal(f->fdc.n, 1);
	assert_int_equal(f->n_unwatched, 1);
	assert_int_equal(f->unwatched[0], old_fd);
	assert_false(f->fdc.v[0].watched);
	/* The name gone: the entry goes with it. */
	rename_rel(f, "state", "elsewhere");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "state", FDC_REOPEN, &b, 64, NULL),
			 -ENOENT);
	assert_int_equal(f->fdc.n, 0);
	assert_int_equal(b.len, 0);
	strbuf_free(&b);
}

/*
 * A kept descriptor that fails (here one that cannot be read at all): kept,
 * and the error returned, unless FDC_RETRY says to open the path again.
 */
static void test_retry(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	int bad = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	put(f, "speed", "1000\n");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "speed", 0, &b, 64, NULL), 0);
	assert_int_equal(dup2(bad, f->fdc.v[0].fd), f->fdc.v[0].fd);
	close(bad);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "speed", 0, &b, 64, NULL), -EBADF);
	assert_int_equal(f->fdc.n, 1);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "speed", FDC_RETRY, &b, 64, NULL), 0);
	assert_string_equal(b.p, "1000\n");
	assert_int_equal(f->fdc.n, 1);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "speed", 0, &b, 64, NULL), 0);
	strbuf_free(&b);
}

/* FDC_ONCE: read from a descriptor of its own, closed at once; nothing kept for it. */
static void test_once(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };

	put(f, "level", "raid1\n");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "level", FDC_ONCE, &b, 64, NULL), 0);
	assert_string_equal(b.p, "raid1\n");
	assert_int_equal(f->fdc.n, 0);
	put(f, "level", "raid5\n");
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "level", FDC_ONCE, &b, 64, NULL), 0);
	assert_string_equal(b.p, "raid5\n");
	assert_int_equal(f->fdc.n, 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "level", 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 1); /* without it the file is kept as before */
	strbuf_free(&b);
}

/* A link out of the root is -ENOLINK, never the host's file nor "absent"; a directory -EISDIR. */
static void test_links_and_directories(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/level", f->root);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/dir", f->root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "level", 0, &b, 64, NULL), -ENOLINK);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "dir", 0, &b, 64, NULL), -EISDIR);
	assert_int_equal(f->fdc.n, 0);
	/* A link inside the root is followed. */
	put(f, "target", "in root\n");
	snprintf(path, sizeof(path), "%s/inside", f->root);
	assert_int_equal(symlink("/target", path), 0);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "inside", 0, &b, 64, NULL), 0);
	assert_string_equal(b.p, "in root\n");
	strbuf_free(&b);
}

/* Many files: the index finds each kept one; find_fd and drop; budget 0 keeps none. */
static void test_many_files(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char name[32], want[32];
	struct fdcache_entry *e;

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 300, unwatch_cb, f);
	for (int round = 0; round < 2; round++) {
		fdcache_begin(&f->fdc);
		for (int i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			snprintf(want, sizeof(want), "%d.%d\n", i, round);
			put(f, name, want);
			assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL),
					 0);
			assert_string_equal(b.p, want);
		}
		fdcache_sweep(&f->fdc);
		assert_int_equal(f->fdc.n, 300); /* the second round reused every descriptor */
	}
	e = fdcache_find_fd(&f->fdc, f->fdc.v[7].fd);
	assert_ptr_equal(e, &f->fdc.v[7]);
	e->watched = true;
	fdcache_drop(&f->fdc, e);
	assert_int_equal(f->fdc.n, 299);
	assert_int_equal(f->n_unwatched, 1);
	assert_null(fdcache_find_fd(&f->fdc, -1));
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "f8", 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 299); /* found, not opened again */
	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 0, NULL, NULL);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "f8", 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 0);
	strbuf_free(&b);
}

/*
 * Files kept at the last sweep and files kept since, read out of order, with
 * one of each dropped in between: each is still found (sorted entries, the
 * new ones' index), none opened twice.
 */
static void test_out_of_order(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char name[32], buf[PATH_BUF];
	int fds[80];

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 100, NULL, NULL);
	for (int i = 0; i < 80; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		put(f, name, "x\n");
	}
	fdcache_begin(&f->fdc);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL), 0);
	}
	fdcache_sweep(&f->fdc);
	fdcache_begin(&f->fdc);
	for (int i = 79; i >= 0; i--) { /* backwards: the cursor never helps */
		snprintf(name, sizeof(name), "g%d", i);
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL), 0);
	}
	assert_int_equal(f->fdc.n, 80);
	for (int i = 0; i < 80; i++)
		fds[i] = f->fdc.v[i].fd;
	fdcache_drop(&f->fdc, &f->fdc.v[10]); /* one sorted at the sweep */
	fdcache_drop(&f->fdc, &f->fdc.v[60]); /* one kept since (was v[61]) */
	assert_int_equal(f->fdc.n, 78);
	for (int i = 0; i < 80; i += 3) {
		snprintf(name, sizeof(name), "g%d", i);
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL), 0);
	}
	assert_int_equal(f->fdc.n, 78); /* every one found: nothing opened again */
	for (int i = 0; i < 78; i++)
		assert_int_equal(f->fdc.v[i].fd, fds[i < 10 ? i : i < 60 ? i + 1 : i + 2]);
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.n, 78);
	for (int i = 0; i < 78; i++) { /* the paths kept with them, after the pool moved */
		int j = i < 10 ? i : i < 60 ? i + 1 : i + 2;

		snprintf(name, sizeof(name), "g%d", j < 50 ? j : 129 - j);
		assert_string_equal(path_of(f, (size_t)i, buf), name);
	}
	strbuf_free(&b);
}

/* A sweep that keeps a fraction of the files gives back the room of the rest. */
static void test_sweep_trims(void **state)
{
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char name[32], buf[PATH_BUF];

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 300, NULL, NULL);
	for (int keep = 300; keep >= 30; keep -= 270) {
		fdcache_begin(&f->fdc);
		for (int i = 0; i < keep; i++) {
			snprintf(name, sizeof(name), "t%d", i);
			put(f, name, "x\n");
			assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL),
					 0);
		}
		fdcache_sweep(&f->fdc);
		assert_int_equal(f->fdc.n, keep);
		assert_true(f->fdc.cap >= (size_t)keep);
		assert_true(f->fdc.cap <= (size_t)keep + keep / 8);
		assert_true(f->fdc.cap_by_path >= (size_t)keep);
	}
	/* still found after the trim: nothing opened again; the paths moved with them */
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "t7", 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 30);
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		assert_string_equal(path_of(f, (size_t)i, buf), name);
	}
	assert_true(f->fdc.pool_cap <= f->fdc.pool_len + f->fdc.pool_len / 8);
	strbuf_free(&b);
}

/*
 * Many files in a few directories (as hwmon reads a chip's attributes in a
 * row), one with no '/': the second round finds each through its kept
 * descriptor, with the content and the whole path it was kept under.
 */
static void test_dirs_shared(void **state)
{
	static const char *const dirs[] = { "sys/class/hwmon/hwmon0/", "sys/class/hwmon/hwmon1/",
					    "sys/devices/i2c-1/1-0058/hwmon/hwmon2/", "" };
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char path[128], want[32], buf[PATH_BUF];
	int fds[4 * 25];

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 200, NULL, NULL);
	for (size_t d = 0; d < 3; d++)
		mkdir_rel(f, dirs[d]);
	for (int round = 0; round < 2; round++) {
		fdcache_begin(&f->fdc);
		for (int i = 0; i < 4 * 25; i++) {
			snprintf(path, sizeof(path), "%sin%d_input", dirs[i / 25], i % 25);
			snprintf(want, sizeof(want), "%d.%d\n", i, round);
			put(f, path, want); /* rewritten in place: the kept descriptor sees it */
			assert_int_equal(fdcache_read(&f->fdc, f->root_fd, path, 0, &b, 64, NULL),
					 0);
			assert_string_equal(b.p, want);
			assert_int_equal(f->fdc.n, round ? 100 : (size_t)i + 1);
			if (round == 0)
				fds[i] = f->fdc.v[i].fd;
			assert_int_equal(f->fdc.v[i].fd, fds[i]); /* reused, not opened again */
			assert_string_equal(path_of(f, (size_t)i, buf), path);
		}
		fdcache_sweep(&f->fdc);
		assert_int_equal(f->fdc.n, 100);
	}
	assert_int_equal(f->fdc.v[99].dir, FDC_NO_DIR); /* "in24_input", at the root */
	strbuf_free(&b);
}

/* Whether the entries sorted at the last sweep are in strcmp() order of their whole paths. */
static bool sorted_by_whole_path(const struct fixture *f)
{
	char a[PATH_BUF], b[PATH_BUF];

	for (size_t j = 1; j < f->fdc.n_by_path; j++) {
		const struct fdcache_entry *x = &f->fdc.v[f->fdc.by_path[j - 1]];
		const struct fdcache_entry *y = &f->fdc.v[f->fdc.by_path[j]];

		if (strcmp(fdcache_entry_path(&f->fdc, x, a, sizeof(a)),
			   fdcache_entry_path(&f->fdc, y, b, sizeof(b))) >= 0)
			return false;
	}
	return true;
}

/* Read each of names (kept, every one found) and check it holds its own name. */
static void read_all(struct fixture *f, const char *const *names, size_t n, bool backwards)
{
	struct strbuf b = { 0 };
	size_t kept = f->fdc.n;
	char want[64];

	for (size_t k = 0; k < n; k++) {
		const char *name = names[backwards ? n - 1 - k : k];

		snprintf(want, sizeof(want), "%s\n", name);
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, name, 0, &b, 64, NULL), 0);
		assert_string_equal(b.p, want);
	}
	assert_int_equal(f->fdc.n, kept); /* all found: nothing opened again */
	strbuf_free(&b);
}

/*
 * Paths alike but for where the last '/' falls ("a/bc", "a/b/c", "ab/c"),
 * one without '/', bytes below '/' and above 0x7f: the sorted index is in
 * the order of the whole paths, and each is found, through the sorted
 * index, through the index of those kept since (a drop rebuilding it), and
 * never for a path it only begins or ends.
 */
static void test_split_points(void **state)
{
	static const char *const old[] = { "a/bc",	 "a/b/c",   "ab/c",  "abc",
					   "a.b/c",	 "a/b/cd",  "a/b.c", "a-b",
					   "a/\xc3\xa9", "a/b/c.d", "ab/cd" };
	static const char *const fresh[] = { "a/b/ca", "a.b/cd", "x", "ab/c.d", "a/bcd" };
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char buf[PATH_BUF], want[64];

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 100, NULL, NULL);
	mkdir_rel(f, "a/b");
	mkdir_rel(f, "ab");
	mkdir_rel(f, "a.b");
	for (size_t i = 0; i < 11; i++) {
		snprintf(want, sizeof(want), "%s\n", old[i]);
		put(f, old[i], want);
	}
	for (size_t i = 0; i < 5; i++) {
		snprintf(want, sizeof(want), "%s\n", fresh[i]);
		put(f, fresh[i], want);
	}
	fdcache_begin(&f->fdc);
	for (size_t i = 0; i < 11; i++)
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, old[i], 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 11);
	fdcache_sweep(&f->fdc);
	assert_true(sorted_by_whole_path(f));
	read_all(f, old, 11, true); /* backwards: the cursor misses, the sorted index finds */

	/* a kept path's start or end is not it */
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "a/b", 0, &b, 64, NULL), -EISDIR);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "b/c", 0, &b, 64, NULL), -ENOENT);
	assert_int_equal(fdcache_read(&f->fdc, f->root_fd, "a/b/", 0, &b, 64, NULL), -EISDIR);
	assert_int_equal(f->fdc.n, 11);

	/* kept since the sweep: the hash index of the whole paths, rebuilt by a drop */
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, fresh[i], 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 16);
	fdcache_drop(&f->fdc, &f->fdc.v[3]); /* "abc" */
	read_all(f, fresh, 5, true);
	read_all(f, old, 3, true);
	read_all(f, old + 4, 7, true);
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.n, 15);
	assert_true(sorted_by_whole_path(f));

	/* the whole path into a buffer: exactly, or not at all */
	assert_string_equal(path_of(f, 0, buf), "a/bc");
	assert_non_null(fdcache_entry_path(&f->fdc, &f->fdc.v[0], buf, 5));
	assert_null(fdcache_entry_path(&f->fdc, &f->fdc.v[0], buf, 4));
	assert_string_equal(buf, "");
	assert_null(fdcache_entry_path(&f->fdc, &f->fdc.v[0], buf, 0));
	strbuf_free(&b);
}

/* The pool of paths kept in a row in dirs: each directory once, every name. */
static size_t pool_bytes(const char *const *dirs, size_t n_dirs, const int *names, size_t n_names)
{
	size_t len = 0;
	char name[16];

	for (size_t d = 0; d < n_dirs; d++)
		len += strlen(dirs[d]) + 1;
	for (size_t i = 0; i < n_names; i++)
		len += (size_t)snprintf(name, sizeof(name), "f%d", names[i]) + 1;
	return len;
}

/*
 * 100 files in one long directory: the pool holds the directory once, not
 * 100 times, and still once after the sweep moved it.
 */
static void test_pool_holds_dir_once(void **state)
{
	static const char *const dir[] = { "d/very/long/directory/name/" };
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char path[128];
	int all[100];

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 128, NULL, NULL);
	mkdir_rel(f, dir[0]);
	fdcache_begin(&f->fdc);
	for (int i = 0; i < 100; i++) {
		all[i] = i;
		snprintf(path, sizeof(path), "%sf%d", dir[0], i);
		put(f, path, "x\n");
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, path, 0, &b, 64, NULL), 0);
	}
	assert_true(f->fdc.pool_len < 100 * strlen(dir[0]));
	assert_int_equal(f->fdc.pool_len, pool_bytes(dir, 1, all, 100));
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.n, 100);
	assert_int_equal(f->fdc.pool_len, pool_bytes(dir, 1, all, 100));
	assert_true(f->fdc.pool_cap <= f->fdc.pool_len + f->fdc.pool_len / 8);
	strbuf_free(&b);
}

/*
 * A scan that reads only some files: the others close, and the pool is
 * compacted to what the kept ones need, a directory once for its run (one
 * whose first file, which brought its copy, closed; one all of whose files
 * closed).  The kept ones are found again with their contents.
 */
static void test_sweep_compacts(void **state)
{
	static const char *const dirs[] = { "dir0/sub/", "dir1/sub/", "dir2/sub/" };
	static const char *const kept_dirs[] = { "dir0/sub/", "dir2/sub/" };
	struct fixture *f = *state;
	struct strbuf b = { 0 };
	char path[128], want[32], buf[PATH_BUF];
	int kept_names[15], fds[30], n_kept = 0;

	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 64, NULL, NULL);
	for (int round = 0; round < 2; round++) {
		fdcache_begin(&f->fdc);
		for (int i = 0; i < 30; i++) {
			int d = i / 10;

			if (round == 1 && (d == 1 || (d == 0 && i % 2 == 0)))
				continue; /* dir1 not at all, dir0's odd files only */
			snprintf(path, sizeof(path), "%sf%d", dirs[d], i);
			snprintf(want, sizeof(want), "%d\n", i);
			if (round == 0) {
				mkdir_rel(f, dirs[d]);
				put(f, path, want);
				fds[i] = -1;
			} else {
				kept_names[n_kept++] = i;
			}
			assert_int_equal(fdcache_read(&f->fdc, f->root_fd, path, 0, &b, 64, NULL),
					 0);
			if (round == 0)
				fds[i] = f->fdc.v[f->fdc.n - 1].fd;
		}
		fdcache_sweep(&f->fdc);
	}
	assert_int_equal(f->fdc.n, 15);
	assert_int_equal(f->fdc.pool_dead, 0);
	assert_int_equal(f->fdc.pool_len, pool_bytes(kept_dirs, 2, kept_names, 15));
	fdcache_begin(&f->fdc);
	for (int k = 14; k >= 0; k--) { /* backwards, through the sorted index */
		int i = kept_names[k];

		snprintf(path, sizeof(path), "%sf%d", dirs[i / 10], i);
		snprintf(want, sizeof(want), "%d\n", i);
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, path, 0, &b, 64, NULL), 0);
		assert_string_equal(b.p, want);
		assert_string_equal(path_of(f, (size_t)k, buf), path);
		assert_int_equal(f->fdc.v[k].fd, fds[i]);
	}
	assert_int_equal(f->fdc.n, 15);
	strbuf_free(&b);
}

/* The budget the fake core gives, and the want it was asked with. */
static size_t core_share, core_asked;

static size_t fake_fd_share(struct redmon_host *h, size_t want)
{
	(void)h;
	core_asked = want;
	return core_share;
}

/* Whether fd is an open descriptor. */
static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/*
 * What a scan wanted (kept, and refused for the budget) is what the probe
 * asks the core for; a smaller answer closes the entries beyond it at once.
 */
static void test_follow_share(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "a", "b", "c", "d", "e" };
	struct redmon_host_ops old = { .size = offsetof(struct redmon_host_ops, fd_share) };
	struct redmon_host_ops ops = { .size = sizeof(ops), .fd_share = fake_fd_share };
	struct strbuf b = { 0 };
	int kept[5];

	for (size_t i = 0; i < 5; i++)
		put(f, names[i], "x\n");
	fdcache_free(&f->fdc);
	fdcache_init(&f->fdc, 3, NULL, NULL);
	assert_int_equal(f->fdc.want, SIZE_MAX); /* no scan yet */

	/* an older core has no split: the budget stays */
	fdcache_follow_share(&f->fdc, &old, NULL, 0);
	assert_int_equal(f->fdc.budget, 3);

	fdcache_begin(&f->fdc);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, names[i], 0, &b, 64, NULL), 0);
	assert_int_equal(f->fdc.n, 3);
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.want, 5); /* 3 kept, 2 refused */
	for (size_t i = 0; i < 3; i++)
		kept[i] = f->fdc.v[i].fd;

	/* the core gives less than is kept: the entries beyond close at once */
	core_share = 2;
	fdcache_follow_share(&f->fdc, &ops, NULL, 0);
	assert_int_equal(core_asked, 5);
	assert_int_equal(f->fdc.budget, 2);
	assert_int_equal(f->fdc.n, 2); /* the third closed at once */
	assert_true(is_open(kept[0]) && is_open(kept[1]));
	assert_false(is_open(kept[2]));
	fdcache_begin(&f->fdc);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fdcache_read(&f->fdc, f->root_fd, names[i], 0, &b, 64, NULL), 0);
	fdcache_sweep(&f->fdc);
	assert_int_equal(f->fdc.n, 2);
	assert_int_equal(f->fdc.want, 5);
	fdcache_flush(&f->fdc); /* no scan: the want stays */
	assert_int_equal(f->fdc.n, 0);
	assert_int_equal(f->fdc.want, 5);

	/* a cap (md's max_open_files) bounds both the want asked and the budget */
	core_share = 10;
	fdcache_follow_share(&f->fdc, &ops, NULL, 4);
	assert_int_equal(core_asked, 4);
	assert_int_equal(f->fdc.budget, 4);
	fdcache_follow_share(&f->fdc, &ops, NULL, 0);
	assert_int_equal(f->fdc.budget, 10);
	strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fdcache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_trims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirs_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_holds_dir_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_compacts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
