/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config parsing, overrides and validation of src/config.c. */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	expect_error("[daemon]\n\njunk\n", NULL, 0, ":3: syntax error");
	expect_error("[daemon] x\n", NULL, 0, ":1: syntax error: text after ']'");
	expect_error("[]\n", NULL, 0, ":1: syntax error: empty section name");
	expect_error("\n= 1\n", NULL, 0, ":2: syntax error");
	expect_error("log = syslog\n", NULL, 0, ":1: 'log' before any [section]");
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

/* A [daemon] line whose value makes the line exactly n bytes long (without its newline). */
static char *line_of(const char *key, size_t n)
{
	size_t k = strlen(key) + 3; /* "key = " less one: the value fills the rest */
	char *s = malloc(n + 1);

	assert_non_null(s);
	assert_true(n > k);
	snprintf(s, n + 1, "%s = ", key);
	memset(s + k, 'a', n - k);
	s[n] = 0;
	return s;
}

/*
 * Debian's libinih cut lines at 200 bytes and reported the rest as a syntax
 * error on a later line.  Lines of any length up to 64 KiB work; a longer
 * one is refused at its own line, saying so.
 */
static void test_long_lines(void **state)
{
	static const size_t ok[] = { 199, 200, 201, 4096, 65536 };
	char text[80000], err[512];
	struct config *c;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *line = line_of("url", ok[i]);

		snprintf(text, sizeof(text),
			 "[sink.w]\ntype = webhook\n%s\nremind = 2m  # inline\n[daemon]\n", line);
		/* A URL: the value after "url = " */
		memcpy(strstr(text, "url = ") + 6, "http://", 7);
		c = NULL;
		if (cfg_load(write_cfg(text), NULL, 0, &c, err, sizeof(err)) < 0)
			fail_msg("a line of %zu bytes: %s", ok[i], err);
		assert_int_equal(strlen(cfg_get(c, "sink.w", "url")), ok[i] - 6);
		assert_string_equal(cfg_get(c, "sink.w", "remind"), "2m");
		assert_int_equal(c->entries[1].line, 3); /* url */
		cfg_free(c);
		teardown(NULL);
		free(line);
	}
	{
		char *line = line_of("hostname", 65537);

		snprintf(text, sizeof(text), "[daemon]\n\n%s\nlog = syslog\n", line);
		expect_error(text, NULL, 0, ":3: line too long (65537 bytes, at most 65536)");
		free(line);
	}
}

/* The dialect inih accepted, and '#' comments after a value (the docs use them). */
static void test_dialect(void **state)
{
	struct config *c = NULL;
	char err[256];
	const char *f = write_cfg("\xef\xbb\xbf; a comment\n# another\n[daemon]\r\n"
				  "  rescan_interval = 10s   ; indented, a comment after\n"
				  "log_level: info\n"
				  "hostname = db1#2\n"
				  "[ sink.out ]  # spaces in the brackets\n"
				  "type=json\npath=\n");

	(void)state;
	if (cfg_load(f, NULL, 0, &c, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(c->rescan_interval_ms, 10000);
	assert_string_equal(cfg_get(c, "daemon", "log_level"), "info");
	assert_string_equal(c->hostname, "db1#2"); /* a '#' after no blank is text */
	assert_string_equal(cfg_get(c, "sink.out", "path"), "");
	assert_int_equal(c->entries[0].line, 4); /* rescan_interval */
	cfg_free(c);
}

/* A config that is no regular file is refused at once, whatever it is. */
static void test_not_regular(void **state)
{
	char fifo[64], err[256];
	struct config *c = NULL;
	int rc;

	(void)state;
	assert_int_equal(cfg_load("/tmp", NULL, 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/tmp: a directory"));
	/* Would spin forever reading zeros. */
	assert_int_equal(cfg_load("/dev/zero", NULL, 0, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/dev/zero: a device"));
	/* Would block in open() for a writer: the alarm fails the test instead. */
	snprintf(fifo, sizeof(fifo), "/tmp/redmon-cfg-fifo-%d", (int)getpid());
	assert_int_equal(mkfifo(fifo, 0600), 0);
	signal(SIGALRM, SIG_DFL);
	alarm(5);
	rc = cfg_load(fifo, NULL, 0, &c, err, sizeof(err));
	alarm(0);
	unlink(fifo);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "a FIFO"));
	assert_null(c);
}

/* More than 1 MiB is no configuration file (a log named by mistake, say). */
static void test_size_cap(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *text = malloc(n + 1), err[256];
	struct config *c = NULL;

	(void)state;
	assert_non_null(text);
	memset(text, '#', n);
	for (size_t i = 80; i < n; i += 80)
		text[i] = '\n';
	text[n] = 0;
	assert_int_equal(cfg_load(write_cfg(text), NULL, 0, &c, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 1024 KiB"));
	teardown(NULL);
	text[n - 1] = 0; /* exactly 1 MiB of comments is fine */
	assert_int_equal(cfg_load(write_cfg(text), NULL, 0, &c, err, sizeof(err)), 0);
	cfg_free(c);
	free(text);
}

/* The host name goes into events, logs, mail headers: no CR, LF or other control bytes. */
static void test_daemon_values(void **state)
{
	char *cr[] = { "daemon.hostname=db1\rX-Injected: yes" };
	char *lf[] = { "daemon.hostname=db1\nfake log line" };
	char *del[] = { "daemon.hostname=db1\x7f" };
	char *rel[] = { "daemon.state_dir=var/lib/redmon" };

	(void)state;
	expect_error(NULL, cr, 1, "daemon.hostname: must not contain control characters");
	expect_error(NULL, lf, 1, "daemon.hostname: must not contain control characters");
	expect_error(NULL, del, 1, "daemon.hostname: must not contain control characters");
	expect_error("[daemon]\nhostname = a\tb\n", NULL, 0, ":2: daemon.hostname: must not");
	expect_error(NULL, rel, 1, "daemon.state_dir: must be an absolute path");
}

/* Secret files: the one check of config.h, and where it is applied. */
static void test_secret_files(void **state)
{
	char dir[] = "/tmp/redmon-secret-XXXXXX", file[128], link[128], buf[64], err[512];
	char ov[300], *ovs[] = { ov };
	struct config *c = NULL;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/pw", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret-pass\n", 12), 12);
	close(fd);
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(cfg_load(NULL, NULL, 0, &c, err, sizeof(err)), 0);

	assert_int_equal(cfg_secret_check(c, file, err, sizeof(err)), 0);
	assert_int_equal(cfg_secret_read(c, file, buf, sizeof(buf), err, sizeof(err)), 12);
	assert_string_equal(buf, "s3cret-pass\n");
	assert_int_equal(cfg_secret_read(c, file, buf, 5, err, sizeof(err)), 4);
	assert_int_equal(cfg_secret_check(c, link, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(cfg_secret_check(c, dir, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a directory"));
	assert_int_equal(cfg_secret_check(c, "/nonexistent/pw", err, sizeof(err)), -ENOENT);
	chmod(file, 0644);
	assert_int_equal(cfg_secret_check(c, file, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "open to others (mode 0644)"));
	assert_int_equal(cfg_secret_read(c, file, buf, sizeof(buf), err, sizeof(err)), -EPERM);
	chmod(file, 0640);
	assert_int_equal(cfg_secret_check(c, file, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "open to its group (mode 0640)"));
	if (geteuid() == 0) { /* owned by someone else: nobody's uid */
		chmod(file, 0600);
		assert_int_equal(chown(file, 65534, 65534), 0);
		assert_int_equal(cfg_secret_check(c, file, err, sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "owned by uid 65534"));
	}
	cfg_free(c);

	/* The core checks its own secret keys, and only in cfg_check_secrets(). */
	chmod(file, 0644);
	snprintf(ov, sizeof(ov), "snmp.v3_auth_password_file=%s", file);
	assert_int_equal(cfg_load(NULL, ovs, 1, &c, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_secrets(c, NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "-o snmp.v3_auth_password_file"));
	cfg_free(c);
	snprintf(ov, sizeof(ov), "snmp.v3_priv_password_file=relative/pw");
	expect_error(NULL, ovs, 1, "is not an absolute path");

	unlink(link);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_teardown(test_file_and_overrides, teardown),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_value_parsers),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_dialect),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_daemon_values),
		cmocka_unit_test(test_secret_files),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
