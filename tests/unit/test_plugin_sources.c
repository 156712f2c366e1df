/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/plugin_sources.c: a .sources file parses strictly (a bad one is never
 * taken as "no source"), and a source counts only inside the root.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/plugin_sources.h"

static int parse(const char *text, struct plug_sources *s, char *err, size_t errlen)
{
	return plug_sources_parse(text, strlen(text), s, err, errlen);
}

static void test_parse_good(void **state)
{
	struct plug_sources s;
	char err[512] = "";

	(void)state;
	assert_int_equal(parse("# md\n\n  path /proc/mdstat  \nglob\t/sys/block/md*\n"
			       "tool smartctl\nconfig url\n   \n# end",
			       &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.v[0].kind, PLUG_SOURCE_PATH);
	assert_string_equal(s.v[0].arg, "proc/mdstat"); /* under the root: no leading '/' */
	assert_int_equal(s.v[1].kind, PLUG_SOURCE_GLOB);
	assert_string_equal(s.v[1].arg, "sys/block/md*");
	assert_int_equal(s.v[2].kind, PLUG_SOURCE_TOOL);
	assert_string_equal(s.v[2].arg, "smartctl");
	assert_int_equal(s.v[3].kind, PLUG_SOURCE_CONFIG);
	assert_string_equal(s.v[3].arg, "url");
	/* no final newline, one line */
	assert_int_equal(parse("path sys/fs/btrfs", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
}

static void expect_bad(const char *text, size_t len, const char *why)
{
	struct plug_sources s;
	char err[512] = "";

	assert_int_equal(plug_sources_parse(text, len, &s, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("'%s': got '%s', want '%s'", text, err, why);
}

#define BAD(text, why) expect_bad(text, sizeof(text) - 1, why)

static void test_parse_hostile(void **state)
{
	char big[PLUG_SOURCES_FILE_MAX + 2];
	char many[80 * 16];
	char longarg[600];
	size_t n = 0;

	(void)state;
	BAD("", "lists no source");
	BAD("# only a comment\n\n", "lists no source");
	BAD("file /proc/mdstat\n", "line 1: unknown kind 'file'");
	BAD("path /proc/mdstat extra\n", "line 1: not \"KIND ARGUMENT\"");
	BAD("path\n", "not \"KIND ARGUMENT\"");
	BAD("path /proc/mdstat\nPATH /x\n", "line 2: unknown kind");
	BAD("path /proc/md\001stat\n", "control or non-ASCII");
	BAD("path /proc/mdstat\r\n", "control or non-ASCII");
	BAD("path /proc/md\xc3\xa9\n", "control or non-ASCII");
	BAD("path /proc/md\0stat\n", "line 1: a NUL byte");
	BAD("path ../etc/passwd\n", "not a path of the root");
	BAD("path /proc/../../etc\n", "not a path of the root");
	BAD("path proc//mdstat\n", "not a path of the root");
	BAD("path ./proc\n", "not a path of the root");
	BAD("path proc/\n", "not a path of the root");
	BAD("path /\n", "not a path of the root");
	BAD("glob /a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q\n", "at most 16 parts");
	BAD("tool /usr/sbin/smartctl\n", "no path");
	BAD("tool ../smartctl\n", "no path");
	BAD("tool .hidden\n", "no path");
	BAD("tool smart$ctl\n", "no path");
	BAD("config URL\n", "[a-z0-9_]");
	BAD("config url=x\n", "[a-z0-9_]");

	memset(longarg, 'a', sizeof(longarg));
	memcpy(longarg, "path ", 5);
	expect_bad(longarg, sizeof(longarg), "argument longer than 255 bytes");

	for (int i = 0; i <= PLUG_SOURCES_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "path p%d\n", i);
	expect_bad(many, n, "line 65: more than 64 sources");

	memset(big, '#', sizeof(big));
	memcpy(big, "path x\n", 7);
	expect_bad(big, sizeof(big), "larger than");
}

/* A root with some files, and links that point out of it. */
struct tree {
	char dir[64];
	char out[64]; /* outside the root: no link may count it */
	int root_fd;
};

static void mk(const struct tree *t, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", t->dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void touch(const char *dir, const char *rel)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void ln(const struct tree *t, const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", t->dir, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[256];

	assert_non_null(t);
	strcpy(t->dir, "/tmp/sources-test-XXXXXX");
	strcpy(t->out, "/tmp/sources-out-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	assert_non_null(mkdtemp(t->out));
	touch(t->out, "mdstat");
	snprintf(p, sizeof(p), "%s/block", t->out);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/block/md0", t->out);
	assert_int_equal(mkdir(p, 0755), 0);
	mk(t, "proc");
	mk(t, "sys");
	mk(t, "sys/class");
	mk(t, "sys/class/net");
	mk(t, "sys/class/net/eth0");
	mk(t, "sys/class/net/bond0");
	mk(t, "sys/class/net/bond0/bonding");
	touch(t->dir, "smartctl-sda.json");
	touch(t->dir, ".zpool-hidden");
	/* links out: absolute, and up through "..", to files that exist outside */
	snprintf(p, sizeof(p), "%s/mdstat", t->out);
	ln(t, p, "proc/mdstat");
	snprintf(p, sizeof(p), "../../../../../../../../..%s/mdstat", t->out);
	ln(t, p, "proc/up");
	snprintf(p, sizeof(p), "%s/block", t->out);
	ln(t, p, "sys/block");
	t->root_fd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->root_fd >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[256];

	close(t->root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", t->dir, t->out);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

/* Whether the one source of text exists under t (live: tools count). */
static bool exists(const struct tree *t, const char *text, bool live)
{
	struct plug_sources s;
	struct plug_sources_env env = { .root_fd = t->root_fd, .live = live };
	char err[512] = "";

	if (parse(text, &s, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", text, err);
	return plug_sources_any(s.v, s.n, &env);
}

static void test_paths_stay_in_root(void **state)
{
	struct tree *t = *state;

	assert_true(exists(t, "path /sys/class/net", false));
	assert_true(exists(t, "path /smartctl-sda.json", false));
	assert_false(exists(t, "path /sys/fs/btrfs", false));
	/* the links resolve inside the root, where nothing is */
	assert_false(exists(t, "path /proc/mdstat", false));
	assert_false(exists(t, "path /proc/up", false));
	assert_false(exists(t, "path /sys/block/md0", false));
	assert_false(exists(t, "glob /sys/block/md*", false));
	/* and outside, what they point at does exist */
	assert_int_equal(access(t->out, F_OK), 0);
}

static void test_globs(void **state)
{
	struct tree *t = *state;

	assert_true(exists(t, "glob /smartctl-*.json", false));
	assert_false(exists(t, "glob /smartctl-*.txt", false));
	assert_true(exists(t, "glob /sys/class/net/*/bonding", false));
	assert_false(exists(t, "glob /sys/class/net/*/bridge", false));
	assert_true(exists(t, "glob /sys/class/net/bond[0-9]", false));
	/* a wildcard never matches a leading dot */
	assert_false(exists(t, "glob /*zpool-*", false));
	assert_true(exists(t, "glob /.zpool-*", false));
	/* any one of several */
	assert_true(exists(t, "path /nothing\nglob /nothing*\npath /proc\n", false));
	assert_false(exists(t, "path /nothing\nglob /nothing*\npath /proc/nothing\n", false));
}

static void test_glob_budget(void **state)
{
	struct tree *t = *state;
	char p[64];

	(void)state;
	mk(t, "wide");
	for (int i = 0; i < 4200; i++) {
		snprintf(p, sizeof(p), "wide/f%d", i);
		touch(t->dir, p);
	}
	/* more entries than a check may look at: unsure, so it counts (loaded) */
	assert_true(exists(t, "glob /wide/nomatch*", false));
}

static bool key_set(void *ctx, const char *key)
{
	return strcmp(key, (const char *)ctx) == 0;
}

static void test_tools_and_config(void **state)
{
	struct tree *t = *state;
	struct plug_sources s;
	struct plug_sources_env env = { .root_fd = t->root_fd,
					.config_set = key_set,
					.ctx = "url" };
	char err[512];

	/* sh is on every PATH; under --root (not live) tools do not count */
	assert_true(exists(t, "tool sh", true));
	assert_false(exists(t, "tool sh", false));
	assert_false(exists(t, "tool no-such-tool-redmon", true));
	assert_int_equal(parse("config url\n", &s, err, sizeof(err)), 0);
	assert_true(plug_sources_any(s.v, s.n, &env));
	env.ctx = "username";
	assert_false(plug_sources_any(s.v, s.n, &env));
	env.config_set = NULL;
	assert_false(plug_sources_any(s.v, s.n, &env));
}

static void test_read_file(void **state)
{
	struct tree *t = *state;
	struct plug_sources s;
	char p[256], err[512] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/none.sources", t->dir);
	assert_int_equal(plug_sources_read(p, &s, err, sizeof(err)), -ENOENT);
	snprintf(p, sizeof(p), "%s/sys", t->dir);
	assert_int_equal(plug_sources_read(p, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a regular file");
	/* a FIFO is refused without blocking */
	snprintf(p, sizeof(p), "%s/fifo.sources", t->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(plug_sources_read(p, &s, err, sizeof(err)), -EINVAL);
	snprintf(p, sizeof(p), "%s/md.sources", t->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("path /proc/mdstat\nglob /sys/block/md*\n", f);
	fclose(f);
	assert_int_equal(plug_sources_read(p, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("path /proc/mdstat\nnonsense\n", f);
	fclose(f);
	assert_int_equal(plug_sources_read(p, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test_setup_teardown(test_paths_stay_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_globs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glob_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_and_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("plugin_sources", tests, NULL, NULL);
}
