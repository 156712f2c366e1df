/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin loader refuses what it cannot use with a reason an operator can
 * act on, and a good plugin runs through the host ops.  The plugins are built
 * from tests/unit/plugins/good.c with different -D flags (see module.mk).
 */
#include "cmocka_all.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/config.h"
#include "../../src/plugin_loader.h"
#include "../../src/probe.h"

static char dir[512];

/* The test plugins are built into plugins/ beside this test binary. */
static int setup(void **state)
{
	char exe[400];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)state;
	assert_true(n > 0);
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%s/plugins", dirname(exe));
	return 0;
}

static void expect_refusal(const char *file, int rc, const char *needle)
{
	struct plugin p = { 0 };
	char path[600], err[512] = "";

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_int_equal(plugin_load(path, &p, err, sizeof(err)), rc);
	assert_null(p.desc);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refusal("missing.so", -ENOEXEC, "cannot load");
	expect_refusal("not-elf.so", -ENOEXEC, "cannot load");
	expect_refusal("nosym.so", -ENOENT, "not a redmon plugin");
	expect_refusal("abi99.so", -EPROTO, "built for plugin ABI 99");
	expect_refusal("short.so", -EPROTO, "rebuild the plugin");
	expect_refusal("badname.so", -EINVAL, "probe name");
	expect_refusal("badmember.so", -EPROTO, "member_size 8 is below");
	expect_refusal("badgroup.so", -EPROTO, "group_size 8 is below");
}

static void test_load_dir_keeps_refusals(void **state)
{
	struct plugin_set set = { 0 };
	char err[512];
	size_t refused = 0;

	(void)state;
	assert_int_equal(plugin_set_load_dir(&set, dir, NULL, err, sizeof(err)), 0);
	assert_non_null(plugin_set_find(&set, "good"));
	assert_null(plugin_set_find(&set, "nosuch"));
	for (size_t i = 0; i < set.n; i++)
		refused += set.v[i].error != NULL;
	assert_true(refused >= 5);
	plugin_set_free(&set);
	assert_int_equal(plugin_set_load_dir(&set, "/nonexistent", NULL, err, sizeof(err)),
			 -ENOENT);
}

static bool skip_good(void *ctx, const char *d, const char *name)
{
	(*(int *)ctx)++;
	assert_string_equal(d, dir);
	return strcmp(name, "good") == 0;
}

/* A skipped plugin is not opened, keeps its name, and still counts as installed. */
static void test_load_dir_filter(void **state)
{
	struct plugin_filter filter = { .skip = skip_good };
	struct plugin_set set = { 0 };
	const struct plugin *good = NULL;
	char err[512];
	int asked = 0;

	(void)state;
	filter.ctx = &asked;
	assert_int_equal(plugin_set_load_dir(&set, dir, &filter, err, sizeof(err)), 0);
	for (size_t i = 0; i < set.n; i++) {
		if (set.v[i].skipped)
			good = &set.v[i];
	}
	assert_non_null(good);
	assert_string_equal(good->skipped, "good");
	assert_null(good->dl);
	assert_null(good->desc);
	assert_null(good->error);
	assert_null(plugin_set_find(&set, "good"));
	assert_true(plugin_set_has(&set, "good"));
	assert_true(plugin_set_has(&set, "old"));
	assert_false(plugin_set_has(&set, "nosuch"));
	/* not-elf.so is no probe name: never asked, refused as before */
	assert_true(asked >= 5 && (size_t)asked < set.n);
	plugin_set_free(&set);
}

static bool skip_some(void *ctx, const char *d, const char *name)
{
	(void)ctx;
	(void)d;
	return strcmp(name, "good") == 0 || strcmp(name, "abi99") == 0 ||
	       strcmp(name, "misnamed") == 0;
}

static struct plugin *entry_of(struct plugin_set *set, const char *skipped)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].skipped && strcmp(set->v[i].skipped, skipped) == 0)
			return &set->v[i];
	}
	fail_msg("no skipped entry %s", skipped);
	return NULL;
}

/*
 * A skipped plugin loaded later (the daemon, once its source appears): usable
 * in place, or refused with the reason and still known by its name.
 */
static void test_load_skipped(void **state)
{
	struct plugin_filter filter = { .skip = skip_some };
	struct plugin_set set = { 0 };
	struct plugin *good, *abi99, *misnamed;
	char err[512];

	(void)state;
	assert_int_equal(plugin_set_load_dir(&set, dir, &filter, err, sizeof(err)), 0);
	good = entry_of(&set, "good");
	abi99 = entry_of(&set, "abi99");
	misnamed = entry_of(&set, "misnamed");
	assert_null(plugin_set_find(&set, "good"));

	assert_int_equal(plugin_set_load_skipped(&set, good, err, sizeof(err)), 0);
	assert_non_null(good->dl);
	assert_ptr_equal(plugin_set_find(&set, "good"), good->desc);
	assert_null(good->error);
	/* again: a no-op */
	assert_int_equal(plugin_set_load_skipped(&set, good, err, sizeof(err)), 0);

	assert_int_equal(plugin_set_load_skipped(&set, abi99, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "built for plugin ABI 99"));
	assert_string_equal(abi99->error, err);
	assert_null(abi99->desc);
	assert_true(plugin_set_has(&set, "abi99"));

	/* a file promising one probe (its name, its .sources) and holding another */
	assert_int_equal(plugin_set_load_skipped(&set, misnamed, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "declares probe 'other', not 'misnamed'"));
	assert_null(misnamed->desc);
	assert_null(misnamed->dl);
	assert_null(plugin_set_find(&set, "other"));
	plugin_set_free(&set);
}

static void test_good_plugin_scans(void **state)
{
	struct plugin_set set = { 0 };
	struct config *cfg;
	struct probe *p;
	char err[512];
	char *ov[] = { "probe.good.fail=yes" };
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct probe_env env = { .root = "/", .root_fd = rootfd };

	(void)state;
	assert_int_equal(plugin_set_load_dir(&set, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg_load(NULL, NULL, 0, &cfg, err, sizeof(err)), 0);
	env.cfg = cfg;
	assert_int_equal(probe_new(plugin_set_find(&set, "good"), &env, &p), 0);
	assert_int_equal(probe_scan(p), 0);
	assert_int_equal(probe_groups(p)->n, 1);
	assert_string_equal(probe_groups(p)->groups[0].id, "good:g0");
	assert_int_equal(probe_groups(p)->groups[0].health, HEALTH_CRITICAL);
	assert_int_equal(probe_groups(p)->groups[0].n_members, 2);
	assert_int_equal(probe_groups(p)->groups[0].members[0].risk, REDMON_RISK_NONE);
	assert_int_equal(probe_groups(p)->groups[0].members[1].risk, REDMON_RISK_WARNING);
	assert_int_equal(probe_groups(p)->groups[0].n_spof, 1);
	assert_string_equal(probe_groups(p)->groups[0].spof[0],
			    "d0 and d1 are partitions of one disk");
	assert_int_equal(probe_groups(p)->groups[0].scrub_time, 1700000000);
	assert_string_equal(probe_groups(p)->groups[0].scrub_found, "12 mismatches");
	assert_int_equal(probe_groups(p)->n_disks, 1);
	assert_string_equal(probe_groups(p)->disks[0].device, "/dev/sdb");
	assert_int_equal(probe_groups(p)->disks[0].health, REDMON_RISK_WARNING);
	assert_string_equal(probe_groups(p)->disks[0].reason, "3 reallocated sectors");
	assert_string_equal(probe_groups(p)->disks[0].model, "TEST DISK");
	assert_string_equal(probe_groups(p)->disks[0].serial, "S1");
	probe_free(p);

	/* a plugin built against ABI 1's first layout: its members read at their own stride */
	assert_int_equal(probe_new(plugin_set_find(&set, "old"), &env, &p), 0);
	assert_int_equal(probe_scan(p), 0);
	assert_int_equal(probe_groups(p)->n, 1);
	assert_int_equal(probe_groups(p)->groups[0].n_members, 2);
	assert_string_equal(probe_groups(p)->groups[0].members[1].name, "d1");
	assert_string_equal(probe_groups(p)->groups[0].members[1].device, "/dev/sdb1");
	assert_int_equal(probe_groups(p)->groups[0].members[1].role, REDMON_ROLE_FAILED);
	assert_int_equal(probe_groups(p)->groups[0].members[1].risk, REDMON_RISK_NONE);
	assert_int_equal(probe_groups(p)->groups[0].n_spof, 0);
	assert_null(probe_groups(p)->groups[0].scrub_found);
	assert_int_equal(probe_groups(p)->n_disks, 0);
	probe_free(p);
	cfg_free(cfg);

	/* the option reaches the plugin, and its scan error reaches us */
	assert_int_equal(cfg_load(NULL, ov, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), 0);
	env.cfg = cfg;
	assert_int_equal(probe_new(plugin_set_find(&set, "good"), &env, &p), 0);
	assert_int_equal(probe_scan(p), -EIO);
	assert_string_equal(probe_error(p), "asked to fail");
	assert_int_equal(probe_groups(p)->n, 0);
	probe_free(p);
	cfg_free(cfg);
	close(rootfd);
	plugin_set_free(&set);
}

static void test_probe_sections_checked(void **state)
{
	struct plugin_set set = { 0 };
	struct config *cfg;
	char err[512];
	char *bad_key[] = { "probe.good.colour=blue" };
	char *bad_val[] = { "probe.good.fail=maybe" };
	char *no_plugin[] = { "probe.nosuch.enabled=yes" };
	char *group_no_plugin[] = { "group.nosuch:g0.required=yes" };
	char *group_ok[] = { "group.good:g0.spares=1" };

	(void)state;
	assert_int_equal(plugin_set_load_dir(&set, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg_load(NULL, bad_key, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key 'colour'"));
	cfg_free(cfg);
	assert_int_equal(cfg_load(NULL, bad_val, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not yes or no"));
	cfg_free(cfg);
	assert_int_equal(cfg_load(NULL, no_plugin, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no probe plugin named 'nosuch'"));
	cfg_free(cfg);
	/* [group.ID] of a probe that is not installed: never seen, so refused */
	assert_int_equal(cfg_load(NULL, group_no_plugin, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[group.nosuch:g0]: no probe plugin named 'nosuch'"));
	cfg_free(cfg);
	assert_int_equal(cfg_load(NULL, group_ok, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_probes(cfg, &set, err, sizeof(err)), 0);
	cfg_free(cfg);
	plugin_set_free(&set);
}

/* Copy dir/good.so to to, mode 0755. */
static void copy_good(const char *to)
{
	char from[600], buf[65536];
	int in, out;
	ssize_t n;

	snprintf(from, sizeof(from), "%s/good.so", dir);
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
	assert_int_equal(chmod(to, 0755), 0); /* whatever the umask */
}

/* Load path: 0 and unloaded again, or the error (which must hold needle). */
static int try_load(const char *path, const char *needle)
{
	struct plugin p = { 0 };
	char err[1024] = "";
	int rc = plugin_load(path, &p, err, sizeof(err));

	if (rc == 0) {
		assert_non_null(p.desc);
		dlclose(p.dl);
	} else if (needle && !strstr(err, needle)) {
		fail_msg("error '%s' lacks '%s'", err, needle);
	}
	return rc;
}

static bool count_and_skip(void *ctx, const char *d, const char *name)
{
	(void)d;
	(void)name;
	(*(int *)ctx)++;
	return true;
}

/*
 * A plugin runs as root at the daemon's start: one that someone else could
 * replace, or put in a directory they can write, is refused before dlopen().
 */
static void test_untrusted_refused(void **state)
{
	char tmp[] = "/tmp/redmon-plugin-trust-XXXXXX", so[64], cwd[4096];

	(void)state;
	assert_non_null(mkdtemp(tmp)); /* 0700, ours */
	snprintf(so, sizeof(so), "%s/good.so", tmp);
	copy_good(so);
	assert_int_equal(try_load(so, NULL), 0);

	assert_int_equal(chmod(so, 0775), 0);
	assert_int_equal(try_load(so, "good.so is writable by its group"), -EPERM);
	assert_int_equal(chmod(so, 0757), 0);
	assert_int_equal(try_load(so, "writable by everyone"), -EPERM);
	assert_int_equal(chmod(so, 0755), 0);

	/* the directory: anyone could put another file in its place */
	assert_int_equal(chmod(tmp, 0777), 0);
	assert_int_equal(try_load(so, "is writable by everyone"), -EPERM);
	assert_int_equal(chmod(tmp, 0700), 0);

	/* a relative path is walked from the working directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmp), 0);
	assert_int_equal(try_load("good.so", NULL), 0);
	assert_int_equal(chmod(tmp, 0770), 0);
	assert_int_equal(try_load("./good.so", "writable by its group"), -EPERM);
	assert_int_equal(chmod(tmp, 0700), 0);
	assert_int_equal(chdir(cwd), 0);

	/*
	 * The filter reads NAME.sources files as root: never in a directory
	 * others can write.  There, no plugin is skipped, and each is refused.
	 */
	{
		struct plugin_filter filter = { .skip = count_and_skip };
		struct plugin_set set = { 0 };
		char err[512];
		int asked = 0;

		filter.ctx = &asked;
		assert_int_equal(plugin_set_load_dir(&set, tmp, &filter, err, sizeof(err)), 0);
		assert_int_equal(asked, 1);
		assert_non_null(set.v[0].skipped);
		plugin_set_free(&set);
		assert_int_equal(chmod(tmp, 0777), 0);
		assert_int_equal(plugin_set_load_dir(&set, tmp, &filter, err, sizeof(err)), 0);
		assert_int_equal(asked, 1);
		assert_int_equal(set.n, 1);
		assert_null(set.v[0].skipped);
		assert_null(set.v[0].desc);
		assert_non_null(strstr(set.v[0].error, "writable by everyone"));
		plugin_set_free(&set);
		/* sticky: others may add files, not replace ours; so loaded, not skipped */
		assert_int_equal(chmod(tmp, 01777), 0);
		assert_int_equal(plugin_set_load_dir(&set, tmp, &filter, err, sizeof(err)), 0);
		assert_int_equal(asked, 1);
		assert_null(set.v[0].skipped);
		assert_non_null(set.v[0].desc);
		plugin_set_free(&set);
		assert_int_equal(chmod(tmp, 0700), 0);
	}

	/* another owner (only root can give a file away) */
	if (geteuid() == 0) {
		assert_int_equal(chown(so, 4242, 0), 0);
		assert_int_equal(try_load(so, "owned by uid 4242"), -EPERM);
		assert_int_equal(chown(so, 0, 0), 0);
		assert_int_equal(try_load(so, NULL), 0);
	}
	assert_int_equal(unlink(so), 0);
	assert_int_equal(rmdir(tmp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_load_dir_keeps_refusals, setup),
		cmocka_unit_test_setup(test_load_dir_filter, setup),
		cmocka_unit_test_setup(test_load_skipped, setup),
		cmocka_unit_test_setup(test_good_plugin_scans, setup),
		cmocka_unit_test_setup(test_probe_sections_checked, setup),
		cmocka_unit_test_setup(test_untrusted_refused, setup),
	};

	return cmocka_run_group_tests_name("plugin_loader", tests, NULL, NULL);
}
