/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config parsing, overrides and validation of src/config.c. */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "../../src/config.h"

static char path[64];

static void remove_cfg(void)
{
	if (path[0])
		unlink(path);
	path[0] = 0;
}

/* One file at a time: the one before is removed (tests write several in a loop). */
static const char *write_cfg(const char *text)
{
	int fd;

	remove_cfg();
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
	remove_cfg();
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
	assert_int_equal(c->snmp.remind.kind, REMIND_ONCE); /* no redmonReminder unless asked */
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
	assert_int_equal(opt_parse_duration_ms("35d", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 35ull * 86400000);
	assert_int_equal(opt_parse_duration_ms("1w", 0, UINT64_MAX, &v), -EINVAL);
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

/* --- the typed settings (src/settings.c) ---------------------------------- */

struct demo {
	bool flag;
	unsigned count;
	uint64_t wait_ms;
	int level;
	const char *name, *dir, *secret;
	bool dir_set;
	int custom;
	struct demo_targets {
		const char *v[2];
		unsigned n;
	} targets;
};

static const int demo_levels[] = { 10, 20, 30 };

/* A CUSTOM setting: even numbers only, stored halved. */
static const char *parse_even(const char *v, void *field)
{
	uint64_t u;

	if (opt_parse_uint(v, 0, 1000, &u) < 0 || u % 2)
		return "must be an even number up to 1000";
	*(int *)field = (int)u / 2;
	return NULL;
}

/* A repeatable key ([snmp] trap_v2c): every value is applied, in order. */
static const char *append_target(const char *v, void *field)
{
	struct demo_targets *t = field;

	if (t->n == 2)
		return "at most 2 targets";
	t->v[t->n++] = v;
	return NULL;
}

static const struct setting demo_table[] = {
	{ .key = "flag",
	  .type = SETTING_BOOL,
	  .def = "yes",
	  .offset = offsetof(struct demo, flag) },
	{ .key = "count",
	  .type = SETTING_UINT,
	  .def = "5",
	  .min = 1,
	  .max = 10,
	  .offset = offsetof(struct demo, count) },
	{ .key = "wait",
	  .type = SETTING_DURATION,
	  .def = "2s",
	  .min = 100,
	  .max = 60000,
	  .offset = offsetof(struct demo, wait_ms) },
	{ .key = "level",
	  .type = SETTING_ENUM,
	  .def = "mid",
	  .choices = "low|mid|high",
	  .values = demo_levels,
	  .offset = offsetof(struct demo, level) },
	{ .key = "name", .type = SETTING_STRING, .offset = offsetof(struct demo, name) },
	{ .key = "dir",
	  .type = SETTING_PATH,
	  .def = "/var/x",
	  .offset = offsetof(struct demo, dir),
	  .set_flag = SETTING_SET_FLAG(struct demo, dir_set) },
	{ .key = "secret", .type = SETTING_SECRET_FILE, .offset = offsetof(struct demo, secret) },
	{ .key = "even",
	  .type = SETTING_CUSTOM,
	  .def = "4",
	  .offset = offsetof(struct demo, custom),
	  .parse = parse_even },
	{ .key = "target",
	  .type = SETTING_CUSTOM,
	  .offset = offsetof(struct demo, targets),
	  .parse = append_target },
	{ 0 }
};

/* 0 and the stored field, or -EINVAL with why: the demo as it is after one value. */
static int demo_apply(struct demo *d, const char *key, const char *value, char *why, size_t len)
{
	const struct setting *s = setting_find(demo_table, key);

	assert_non_null(s);
	return setting_apply(s, value, d, why, len);
}

static void expect_refused(struct demo *d, const char *key, const char *value, const char *needle)
{
	struct demo before = *d;
	char why[256] = "";

	assert_int_equal(demo_apply(d, key, value, why, sizeof(why)), -EINVAL);
	if (!strstr(why, needle))
		fail_msg("%s = '%s': '%s' lacks '%s'", key, value, why, needle);
	/* A refused value changes nothing. */
	assert_memory_equal(&before, d, sizeof(before));
}

static void test_setting_types(void **state)
{
	struct demo d;
	char why[256], buf[16];

	(void)state;
	memset(&d, 0xff, sizeof(d));
	d.dir_set = true;
	settings_defaults(demo_table, &d);
	/* Defaults: every typed field, from the table only. */
	assert_true(d.flag);
	assert_int_equal(d.count, 5);
	assert_int_equal(d.wait_ms, 2000);
	assert_int_equal(d.level, 20);
	assert_string_equal(d.dir, "/var/x");
	assert_false(d.dir_set); /* a default is not "configured" */
	assert_int_equal(d.custom, 2);

	assert_int_equal(demo_apply(&d, "flag", "OFF", why, sizeof(why)), 0);
	assert_false(d.flag);
	expect_refused(&d, "flag", "maybe", "'maybe' is not yes or no");

	/* uint: both edges in, one past each out, and no sign, hex or blank. */
	assert_int_equal(demo_apply(&d, "count", "1", why, sizeof(why)), 0);
	assert_int_equal(d.count, 1);
	assert_int_equal(demo_apply(&d, "count", "10", why, sizeof(why)), 0);
	assert_int_equal(d.count, 10);
	expect_refused(&d, "count", "0", "not a whole number from 1 to 10");
	expect_refused(&d, "count", "11", "not a whole number from 1 to 10");
	expect_refused(&d, "count", "-1", "from 1 to 10");
	expect_refused(&d, "count", "0x5", "from 1 to 10");
	expect_refused(&d, "count", "", "from 1 to 10");
	expect_refused(&d, "count", "99999999999999999999999", "from 1 to 10");

	/* duration: edges in milliseconds, whatever the unit. */
	assert_int_equal(demo_apply(&d, "wait", "100ms", why, sizeof(why)), 0);
	assert_int_equal(d.wait_ms, 100);
	assert_int_equal(demo_apply(&d, "wait", "1m", why, sizeof(why)), 0);
	assert_int_equal(d.wait_ms, 60000);
	expect_refused(&d, "wait", "99ms", "not a duration from 100ms to 60s");
	expect_refused(&d, "wait", "61", "not a duration from 100ms to 60s");
	expect_refused(&d, "wait", "1d", "e.g. 30s");

	/* enum: the value stored is the table's, not the position. */
	assert_int_equal(demo_apply(&d, "level", "high", why, sizeof(why)), 0);
	assert_int_equal(d.level, 30);
	assert_string_equal(
		setting_enum_name(setting_find(demo_table, "level"), 30, buf, sizeof(buf)), "high");
	expect_refused(&d, "level", "HIGH", "'HIGH' is not one of low|mid|high");
	expect_refused(&d, "level", "", "is not one of");

	assert_int_equal(demo_apply(&d, "name", "any thing", why, sizeof(why)), 0);
	assert_string_equal(d.name, "any thing");

	assert_int_equal(demo_apply(&d, "dir", "/srv", why, sizeof(why)), 0);
	assert_string_equal(d.dir, "/srv");
	assert_true(d.dir_set);
	expect_refused(&d, "dir", "srv", "must be an absolute path");

	/* secret file: absolute, or empty for none; the file itself is checked later. */
	assert_int_equal(demo_apply(&d, "secret", "", why, sizeof(why)), 0);
	assert_int_equal(demo_apply(&d, "secret", "/etc/pw", why, sizeof(why)), 0);
	assert_string_equal(d.secret, "/etc/pw");
	expect_refused(&d, "secret", "pw", "'pw' is not an absolute path");

	assert_int_equal(demo_apply(&d, "even", "10", why, sizeof(why)), 0);
	assert_int_equal(d.custom, 5);
	expect_refused(&d, "even", "7", "must be an even number");

	memset(&d.targets, 0, sizeof(d.targets));
	assert_int_equal(demo_apply(&d, "target", "a:162", why, sizeof(why)), 0);
	assert_int_equal(demo_apply(&d, "target", "b:162", why, sizeof(why)), 0);
	assert_int_equal(d.targets.n, 2);
	assert_string_equal(d.targets.v[1], "b:162");
	expect_refused(&d, "target", "c:162", "at most 2 targets");
	assert_null(setting_find(demo_table, "nope"));
}

/* What the consumers read: [daemon] and every sink type, defaults and values. */
static void test_typed_config(void **state)
{
	struct config *c = NULL;
	char err[1024];
	const struct cfg_sink *w, *x, *y, *m, *t;
	const char *f = write_cfg("[daemon]\nlog_level = debug\nuser = root\n"
				  "[sink.w]\ntype = webhook\nurl = http://a/ https://b/\n"
				  "format = alertmanager\ntls_verify = no\nretry_max = 2m\n"
				  "remind = diminishing/2h\nheartbeat = 5m\nfail_after = 1000\n"
				  "[sink.x]\ntype = exec\ncommand = /bin/true\nqueue_max = 100000\n"
				  "[sink.y]\ntype = syslog\nfacility = local3\n"
				  "[sink.m]\ntype = mail\nmail_to = root\n"
				  "[sink.t]\ntype = textfile\npath = /run/r.prom\n"
				  "[sink.r]\ntype = webhook\nurl = http://a/\n"
				  "labels =  dc = ams1 ,team=storage \ninstance = db-7 (ams1)\n");

	(void)state;
	if (cfg_load(f, NULL, 0, &c, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(c->log_level, LOG_DEBUG);
	assert_string_equal(c->user, "root");
	assert_true(c->user_set);
	assert_string_equal(c->state_dir, "/var/lib/redmon");
	assert_false(c->state_dir_set);
	assert_int_equal(c->recovery_scans, 1);
	assert_int_equal(c->probe_timeout_ms, 10000);
	assert_int_equal(c->n_sinks, 6);
	/* Routing labels: parsed once, blanks around names and values dropped. */
	assert_int_equal(c->sinks[5].webhook.labels.n, 2);
	assert_string_equal(c->sinks[5].webhook.labels.v[0].name, "dc");
	assert_string_equal(c->sinks[5].webhook.labels.v[0].value, "ams1");
	assert_string_equal(c->sinks[5].webhook.labels.v[1].name, "team");
	assert_string_equal(c->sinks[5].webhook.labels.v[1].value, "storage");
	assert_string_equal(c->sinks[5].webhook.instance, "db-7 (ams1)");
	w = &c->sinks[0], x = &c->sinks[1], y = &c->sinks[2], m = &c->sinks[3], t = &c->sinks[4];

	assert_int_equal(w->type, SINK_WEBHOOK);
	assert_string_equal(w->webhook.url, "http://a/ https://b/");
	assert_int_equal(w->webhook.format, WEBHOOK_ALERTMANAGER);
	assert_false(w->webhook.tls_verify);
	assert_int_equal(w->webhook.retry_max_ms, 120000);
	assert_int_equal(w->webhook.retry_initial_ms, 1000); /* defaults */
	assert_int_equal(w->webhook.timeout_ms, 10000);
	assert_int_equal(w->webhook.resend_ms, 60000);
	assert_int_equal(w->webhook.spool_max, 10000);
	assert_null(w->webhook.spool_dir);
	assert_null(w->webhook.header_file);
	assert_string_equal(w->webhook.proxy, "");
	assert_int_equal(w->webhook.labels.n, 0);
	assert_null(w->webhook.instance);
	assert_int_equal(w->remind.kind, REMIND_DIMINISHING);
	assert_int_equal(w->remind.interval_ms, 7200000);
	assert_int_equal(w->heartbeat_ms, 300000);
	assert_int_equal(w->fail_after, 1000);

	assert_string_equal(x->exec.command, "/bin/true");
	assert_int_equal(x->exec.queue_max, 100000);
	assert_int_equal(x->exec.timeout_ms, 30000);
	assert_int_equal(x->remind.kind, REMIND_ONCE);
	assert_int_equal(x->heartbeat_ms, 0);
	assert_int_equal(x->fail_after, 3);

	assert_int_equal(y->syslog.facility, LOG_LOCAL3);
	assert_string_equal(y->syslog.ident, "redmon");
	assert_string_equal(y->syslog.socket, "/dev/log");

	assert_string_equal(m->mail.to, "root");
	assert_null(m->mail.from);
	assert_string_equal(m->mail.sendmail, "/usr/sbin/sendmail");
	assert_int_equal(m->mail.queue_max, 100);

	/* A textfile has no policy keys, but the dispatcher applies their defaults. */
	assert_string_equal(t->path, "/run/r.prom");
	assert_int_equal(t->fail_after, 3);
	assert_int_equal(t->min_severity, 0);
	cfg_free(c);
}

/* Range edges and values of the real tables, as an operator would write them. */
static void test_typed_errors(void **state)
{
	char *edge_ok[] = { "daemon.rescan_interval=100ms", "daemon.progress_step=100",
			    "daemon.recovery_scans=1000", "daemon.probe_timeout=1h" };
	char *past_max[] = { "daemon.probe_timeout=3601s" };
	char *below_min[] = { "daemon.rescan_interval=99ms" };
	struct config *c = NULL;
	char err[512];

	(void)state;
	assert_int_equal(cfg_load(NULL, edge_ok, 4, &c, err, sizeof(err)), 0);
	assert_int_equal(c->rescan_interval_ms, 100);
	assert_int_equal(c->progress_step, 100);
	assert_int_equal(c->probe_timeout_ms, 3600000);
	cfg_free(c);
	expect_error(NULL, past_max, 1, "not a duration from 100ms to 3600s");
	expect_error(NULL, below_min, 1, "-o daemon.rescan_interval");
	expect_error("[sink.w]\ntype = webhook\nurl = ftp://x\n", NULL, 0,
		     ":3: sink.w.url: must be one or more http:// or https:// URLs");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nheader_file =\n", NULL, 0,
		     ":4: sink.w.header_file: must be an absolute path");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nheader_file = h\n", NULL, 0,
		     "'h' is not an absolute path");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nspool_max = 9\n", NULL, 0,
		     "not a whole number from 10 to 10000000");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = dc\n", NULL, 0,
		     ":4: sink.w.labels: expected name=value pairs");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = 1dc=a\n", NULL, 0,
		     "not starting with a digit");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = d-c=a\n", NULL, 0,
		     "1-63 of [a-zA-Z0-9_]");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = __x=a\n", NULL, 0,
		     "reserved by Prometheus");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = severity=low\n", NULL, 0,
		     "redmon's own labels");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = dc=a, dc=b\n", NULL, 0,
		     "named twice");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = dc=\n", NULL, 0,
		     "1-255 bytes");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = dc=a\x7f\n", NULL, 0,
		     "without control characters");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\nlabels = "
		     "a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1,j=1,k=1,l=1,m=1,n=1,o=1,p=1,q=1\n",
		     NULL, 0, "at most 16 labels");
	expect_error("[sink.w]\ntype = webhook\nurl = http://x\ninstance = a\x01b\n", NULL, 0,
		     "sink.w.instance: must be 1-255 bytes without control characters");
	expect_error("[sink.y]\ntype = syslog\nident = a\tb\n", NULL, 0,
		     "sink.y.ident: must not contain control characters");
	expect_error("[sink.y]\ntype = syslog\nident = a b\n", NULL, 0, "must be a word");
	/* A local user ("root", as mdadm's MAILADDR takes it) is one; words and options are not. */
	expect_error("[sink.m]\ntype = mail\nmail_to = nobody here\n", NULL, 0,
		     "sink.m.mail_to: needs at least one address");
	expect_error("[sink.m]\ntype = mail\nmail_to = -oQ/tmp, .x\n", NULL, 0,
		     "sink.m.mail_to: needs at least one address");
	expect_error("[sink.t]\ntype = textfile\npath = /run/r.txt\n", NULL, 0, "ending in .prom");
	expect_error("[sink.t]\ntype = textfile\nremind = daily\npath = /r.prom\n", NULL, 0,
		     ":3: key 'remind' does not apply to [sink.t] (type textfile)");
	expect_error("[sink.x]\ntype = exec\ncommand = true\n", NULL, 0,
		     "sink.x.command: must be an absolute path");
	expect_error("[sink.x]\ntype = exec\n", NULL, 0,
		     ":2: [sink.x]: a sink of type exec needs 'command'");
	expect_error("[sink.j]\ntype = json\nremind = 500ms\n", NULL, 0,
		     "expected once, daily, diminishing");
	expect_error("[sink.j]\ntype = json\nheartbeat = on\n", NULL, 0,
		     "expected off or a duration of at least 1s");
	expect_error("[sink.j]\ntype = jsonl\n", NULL, 0, ":2: sink.j.type: 'jsonl' is not one of");
}

/* [snmp] remind: the syntax of a sink's remind, typed once. */
static void test_snmp_remind(void **state)
{
	struct config *c = NULL;
	char err[256];
	const char *f = write_cfg("[snmp]\nenabled = yes\nremind = diminishing/2h\n");

	(void)state;
	assert_int_equal(cfg_load(f, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c->snmp.remind.kind, REMIND_DIMINISHING);
	assert_int_equal(c->snmp.remind.interval_ms, 7200000);
	cfg_free(c);
	expect_error("[snmp]\nremind = 500ms\n", NULL, 0,
		     ":2: snmp.remind: expected once, daily, diminishing");
}

/* --check-config's premise: one load reports every problem, each with its line. */
static void test_every_error_reported(void **state)
{
	static const char *const needles[] = {
		":2: daemon.rescan_interval: 'soon'",
		":3: unknown key 'bogus' in [daemon]",
		":4: syntax error (expected [section] or key = value)",
		":7: sink.a.timeout: '0' is not a duration",
		":8: key 'url' does not apply to [sink.a] (type exec)",
		":10: [sink.b]: 'type' is required",
		":11: syntax error: '[' without ']'",
		":14: unknown section [nope]",
		":6: [sink.a]: a sink of type exec needs 'command'",
		"-o daemon.progress_step: daemon.progress_step: '0'",
		"-o 'x': expected section.key=value",
	};
	char *ov[] = { "daemon.progress_step=0", "x" };
	const char *f = write_cfg("[daemon]\nrescan_interval = soon\nbogus = 1\njunk\n"
				  "[sink.a]\ntype = exec\ntimeout = 0\nurl = http://x\n"
				  "[sink.b]\npath = /x\n"
				  "[broken\nkey = under the broken header, not reported\n"
				  "[nope]\nx = 1\n");
	struct config *c = NULL;
	char err[4096];

	(void)state;
	assert_int_equal(cfg_load_all(f, ov, 2, &c, err, sizeof(err)), 0);
	assert_non_null(c);
	assert_int_equal(c->problems.n, sizeof(needles) / sizeof(needles[0]));
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		if (!strstr(c->problems.text, needles[i]))
			fail_msg("report lacks '%s':\n%s", needles[i], c->problems.text);
	}
	assert_null(strstr(c->problems.text, "not reported"));
	{
		/* In the order of the file, then of the -o options, whichever pass found them. */
		static const char *const order[] = {
			":2: ",	 ":3: ",  ":4: ",  ":6: ",  ":7: ",
			":8: ",	 ":10: ", ":11: ", ":14: ", "-o daemon.progress_step",
			"-o 'x'"
		};
		const char *prev = c->problems.text;

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			const char *at = strstr(c->problems.text, order[i]);

			if (!at || at < prev)
				fail_msg("'%s' out of order:\n%s", order[i], c->problems.text);
			prev = at;
		}
	}
	/* Values in error keep their defaults: the rest can still be checked. */
	assert_int_equal(c->rescan_interval_ms, 30000);
	assert_int_equal(c->progress_step, 10);
	cfg_free(c);

	/* cfg_load refuses the same config, with the same lines in err. */
	c = NULL;
	assert_int_equal(cfg_load(f, ov, 2, &c, err, sizeof(err)), -EINVAL);
	assert_null(c);
	assert_non_null(strstr(err, needles[0]));
	assert_non_null(strstr(err, needles[10]));
	teardown(NULL);
}

/* Secret keys are checked all at once too, each naming where it was set. */
static void test_secret_errors_all(void **state)
{
	char ov1[128], ov2[128], *ovs[] = { ov1, ov2 }, err[1024];
	struct config *c = NULL;

	(void)state;
	snprintf(ov1, sizeof(ov1), "snmp.v3_auth_password_file=/nonexistent/a");
	snprintf(ov2, sizeof(ov2), "snmp.v3_priv_password_file=/nonexistent/b");
	assert_int_equal(cfg_load(NULL, ovs, 2, &c, err, sizeof(err)), 0);
	assert_int_equal(cfg_check_secrets(c, NULL, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "-o snmp.v3_auth_password_file: "));
	assert_non_null(strstr(err, "\n-o snmp.v3_priv_password_file: "));
	cfg_free(c);
}

/* [probe.NAME] enabled: typed once, a bad value keeps the default (cfg_check_probes() says why). */
static void test_probe_enabled(void **state)
{
	char *ov[] = { "probe.md.enabled=no", "probe.bond.enabled=maybe", "probe.md.x=1",
		       "probe.hwmon.enabled=off", "probe.hwmon.enabled=on" };
	struct config *c = NULL;
	char err[256];

	(void)state;
	assert_int_equal(cfg_load(NULL, ov, 5, &c, err, sizeof(err)), 0);
	assert_false(cfg_probe_enabled(c, "md"));
	assert_true(cfg_probe_enabled(c, "bond"));
	assert_true(cfg_probe_enabled(c, "hwmon")); /* the last value wins */
	assert_true(cfg_probe_enabled(c, "ipmi"));  /* not named: enabled */
	cfg_free(c);
}

/* [group.ID] sections and [daemon] stall_after, typed once into struct config. */
static void test_group_sections(void **state)
{
	struct config *c = NULL;
	char err[512];
	const char *f = write_cfg("[daemon]\nstall_after = 1s\nscrub_max_age = 14d\n"
				  "[group.md:md0]\nspares = 1\n"
				  "required = yes\n[group.bond:bond0]\nmembers = 4\n");

	(void)state;
	assert_int_equal(cfg_load(f, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c->stall_after_ms, 1000);
	assert_int_equal(c->scrub_max_age_ms, 14ull * 86400000);
	assert_int_equal(c->n_groups, 2);
	assert_string_equal(c->groups[0].id, "md:md0");
	assert_true(c->groups[0].spares_set);
	assert_int_equal(c->groups[0].spares, 1);
	assert_false(c->groups[0].members_set);
	assert_true(c->groups[0].required);
	assert_string_equal(c->groups[1].id, "bond:bond0");
	assert_true(c->groups[1].members_set);
	assert_int_equal(c->groups[1].members, 4);
	assert_false(c->groups[1].spares_set);
	assert_false(c->groups[1].required);
	cfg_free(c);
	teardown(NULL);
	assert_int_equal(cfg_load(NULL, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c->stall_after_ms, 600000); /* 10 min by default */
	assert_int_equal(c->scrub_max_age_ms, 35ull * 86400000);
	assert_int_equal(c->n_groups, 0);
	cfg_free(c);
}

static void test_group_section_errors(void **state)
{
	(void)state;
	expect_error("[group.md:md0]\nspare = 1\n", NULL, 0,
		     ":2: unknown key 'spare' in [group.md:md0]");
	expect_error("[group.md:md0]\nspares = -1\n", NULL, 0, ":2: group.md:md0.spares");
	expect_error("[group.md:md0]\nmembers = 0\n", NULL, 0, ":2: group.md:md0.members");
	expect_error("[group.md:md0]\nrequired = perhaps\n", NULL, 0, ":2: group.md:md0.required");
	expect_error("\n[group.md0]\nspares = 1\nrequired = yes\n", NULL, 0,
		     ":3: [group.md0]: a group is named <probe>:<name>");
	expect_error("[group.:md0]\nspares = 1\n", NULL, 0, "a group is named");
	expect_error("[daemon]\nstall_after = 500ms\n", NULL, 0, ":2: daemon.stall_after");
	expect_error("[daemon]\nscrub_max_age = 367d\n", NULL, 0, ":2: daemon.scrub_max_age");
	expect_error("[daemon]\nscrub_max_age = -1\n", NULL, 0, ":2: daemon.scrub_max_age");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_group_sections, teardown),
		cmocka_unit_test_teardown(test_group_section_errors, teardown),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_teardown(test_snmp_remind, teardown),
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
		cmocka_unit_test(test_setting_types),
		cmocka_unit_test(test_typed_config),
		cmocka_unit_test(test_typed_errors),
		cmocka_unit_test_teardown(test_every_error_reported, teardown),
		cmocka_unit_test(test_secret_errors_all),
		cmocka_unit_test(test_probe_enabled),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, teardown);
}
