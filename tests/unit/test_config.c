/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config parsing, overrides and validation of src/config.c. */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/config.h"

static char path[64];

static const char *write_cfg(const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/redmon-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int teardown(void **state)
{
	(void)state;
	if (path[0])
		unlink(path);
	path[0] = 0;
	return 0;
}

static void test_defaults(void **state)
{
	struct config *c = NULL;
	char err[256];

	(void)state;
	assert_int_equal(cfg_load(NULL, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c->rescan_interval_ms, 30000);
	assert_int_equal(c->progress_step, 10);
	assert_int_equal(c->n_sinks, 0);
	assert_false(c->log_syslog);
	cfg_free(c);
}

static void test_file_and_overrides(void **state)
{
	struct config *c = NULL;
	char err[256];
	char *ov[] = { "daemon.rescan_interval=500ms", "sink.out.path=/tmp/x.jsonl" };
	const char *f = write_cfg("# comment\n[daemon]\nrescan_interval = 1m\nlog = syslog\n"
				  "\n[sink.out]\ntype = json\npath = -\n"
				  "min_severity = warning\n[probe.md]\nmax_open_files = 10\n");

	(void)state;
	assert_int_equal(cfg_load(f, ov, 2, &c, err, sizeof(err)), 0);
	assert_int_equal(c->rescan_interval_ms, 500); /* the override wins */
	assert_true(c->log_syslog);
	assert_int_equal(c->n_sinks, 1);
	assert_string_equal(c->sinks[0].name, "out");
	assert_string_equal(c->sinks[0].path, "/tmp/x.jsonl");
	assert_int_equal(c->sinks[0].min_severity, 1);
	assert_string_equal(cfg_get(c, "probe.md", "max_open_files"), "10");
	assert_null(cfg_get(c, "probe.md", "nope"));
	cfg_free(c);
}

/* Each bad config must fail and name where the problem is. */
static void expect_error(const char *text, char **ov, size_t nov, const char *needle)
{
	struct config *c = NULL;
	char err[512] = "";
	const char *f = text ? write_cfg(text) : NULL;

	assert_true(cfg_load(f, ov, nov, &c, err, sizeof(err)) < 0);
	assert_null(c);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	teardown(NULL);
}

static void test_errors_name_file_and_line(void **state)
{
	char *bad_ov[] = { "daemon.rescan_interval" };
	char *bad_val[] = { "daemon.progress_step=0" };

	(void)state;
	expect_error("[daemon]\n\nfoo = 1\n", NULL, 0, ":3: unknown key 'foo'");
	expect_error("[daemon]\nrescan_interval = soon\n", NULL, 0, ":2: daemon.rescan_interval");
	expect_error("[daemon]\nrescan_interval = -5\n", NULL, 0, ":2:");
	expect_error("[daemon]\nrescan_interval = 99999999999999999999\n", NULL, 0, ":2:");
	expect_error("[daemon]\nlog = console\n", NULL, 0, "not one of stderr|syslog");
	expect_error("[bogus]\nx = 1\n", NULL, 0, "unknown section [bogus]");
	expect_error("[daemon\nx = 1\n", NULL, 0, ":1: syntax error");
	expect_error("[sink.a]\npath = /tmp/x\n", NULL, 0, "'type' is required");
	expect_error("[sink.a b]\ntype = json\n", NULL, 0, "unknown section");
	expect_error(NULL, bad_ov, 1, "expected section.key=value");
	expect_error(NULL, bad_val, 1, "-o daemon.progress_step");
}

static void test_missing_file(void **state)
{
	struct config *c = NULL;
	char err[256];

	(void)state;
	assert_int_equal(cfg_load("/nonexistent/redmon.conf", NULL, 0, &c, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/redmon.conf"));
}

static void test_value_parsers(void **state)
{
	uint64_t v;
	bool b;

	(void)state;
	assert_int_equal(opt_parse_duration_ms("30", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 30000);
	assert_int_equal(opt_parse_duration_ms("250ms", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(opt_parse_duration_ms("2h", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 7200000);
	assert_int_equal(opt_parse_duration_ms("5 s", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(opt_parse_duration_ms("1d", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(opt_parse_duration_ms("50ms", 100, 1000, &v), -ERANGE);
	assert_int_equal(opt_parse_uint("0x10", 0, 100, &v), -EINVAL);
	assert_int_equal(opt_parse_uint("+1", 0, 100, &v), -EINVAL);
	assert_int_equal(opt_parse_uint("", 0, 100, &v), -EINVAL);
	assert_int_equal(opt_parse_uint("101", 0, 100, &v), -ERANGE);
	assert_int_equal(opt_parse_bool("On", &b), 0);
	assert_true(b);
	assert_int_equal(opt_parse_bool("nope", &b), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_teardown(test_file_and_overrides, teardown),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_value_parsers),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
