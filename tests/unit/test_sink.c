/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dispatcher (src/sink.c) with real sinks on a real loop: which sink
 * gets which event, a failing sink reported on the others, reminders and
 * heartbeats, hooks killed at their timeout, test-alert, the textfile.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/agg.h"
#include "../../src/bus.h"
#include "../../src/config.h"
#include "../../src/log.h"
#include "../../src/loop.h"
#include "../../src/loop_timer.h"
#include "../../src/sink.h"

struct fixture {
	char dir[64];
	struct loop *loop;
	struct agg *agg;
	struct bus *bus;
	struct event_list events;
	struct config *cfg;
	struct sink_set *set;
	const char *host; /* NULL: "db1" */
	pid_t server;	  /* http_server() */
};

static void emit(void *ctx, const struct event *ev)
{
	struct fixture *f = ctx;

	if (f->set)
		sink_set_emit(f->set, ev);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	log_setup(LOG_TARGET_STDERR, LOG_EMERG);
	signal(SIGPIPE, SIG_IGN); /* as the daemon: a hook need not read its input */
	snprintf(f->dir, sizeof(f->dir), "/tmp/redmon-sink-XXXXXX");
	if (!mkdtemp(f->dir) || loop_new(&f->loop) < 0)
		return -1;
	/* The daemon's wiring: the aggregator's bookkeeping around the sinks. */
	if (agg_new(&f->agg, 10) < 0 || bus_new(&f->bus) < 0 ||
	    bus_subscribe(f->bus, agg_announcing, f->agg) < 0 ||
	    bus_subscribe(f->bus, emit, f) < 0 || bus_subscribe(f->bus, agg_announced, f->agg) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	sink_set_free(f->set);
	cfg_free(f->cfg);
	bus_free(f->bus);
	event_list_free(&f->events);
	agg_free(f->agg);
	loop_free(f->loop);
	if (f->server > 0) {
		kill(f->server, SIGKILL);
		waitpid(f->server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

/* Open the sinks of overrides ("sink.a.type=json", ...); "%s" in a value is the temp dir. */
static void open_sinks(struct fixture *f, const char *const *ov, size_t n, bool daemon)
{
	char *expanded[32], err[512];
	struct sink_env env = {
		.loop = f->loop,
		.host = f->host ? f->host : "db1",
		.agg = daemon ? f->agg : NULL,
		.bus = daemon ? f->bus : NULL,
		.state_dir = f->dir,
	};

	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(ov[i], "%s");

		if (at)
			assert_true(asprintf(&expanded[i], "%.*s%s%s", (int)(at - ov[i]), ov[i],
					     f->dir, at + 2) > 0);
		else
			assert_non_null(expanded[i] = strdup(ov[i]));
	}
	if (cfg_load(NULL, expanded, n, &f->cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	if (sink_set_open(f->cfg, &env, &f->set, err, sizeof(err)) < 0)
		fail_msg("sinks: %s", err);
	for (size_t i = 0; i < n; i++)
		free(expanded[i]);
}

/* Like open_sinks(), but the opening must fail: returns its error (static). */
static const char *open_fails(struct fixture *f, const char *const *ov, size_t n)
{
	static char err[512];
	char *expanded[32];
	struct sink_env env = { .loop = f->loop, .host = "db1", .state_dir = f->dir };
	struct config *cfg;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *at = strstr(ov[i], "%s");

		if (at)
			assert_true(asprintf(&expanded[i], "%.*s%s%s", (int)(at - ov[i]), ov[i],
					     f->dir, at + 2) > 0);
		else
			assert_non_null(expanded[i] = strdup(ov[i]));
	}
	if (cfg_load(NULL, expanded, n, &cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	rc = sink_set_open(cfg, &env, &f->set, err, sizeof(err));
	assert_true(rc < 0);
	assert_null(f->set);
	cfg_free(cfg);
	for (size_t i = 0; i < n; i++)
		free(expanded[i]);
	return err;
}

/* The JSON lines of a file in the temp dir, as one string. */
static char *slurp(struct fixture *f, const char *name)
{
	char path[128], *buf = calloc(1, 1 << 16);
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, (1 << 16) - 1);
		buf[n > 0 ? n : 0] = 0;
		close(fd);
	}
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void run_for(struct fixture *f, uint64_t ms)
{
	uint64_t end = mono_ms() + ms;

	while (mono_ms() < end)
		loop_run_once(f->loop, 20);
}

/* A probe's scan through the aggregator, its events out on the bus. */
static int update(struct fixture *f, const char *probe, struct snapshot *s)
{
	int rc = agg_update(f->agg, probe, s, &f->events);

	assert_int_equal(bus_publish_list(f->bus, &f->events), 0);
	snapshot_clear(s);
	return rc;
}

/* A degraded raid1 md0, announced through the aggregator. */
static void degrade(struct fixture *f, int32_t margin)
{
	struct redmon_member m[] = { { .name = "sda", .role = REDMON_ROLE_ACTIVE },
				     { .name = "sdb",
				       .role = margin ? REDMON_ROLE_ACTIVE : REDMON_ROLE_FAILED } };
	struct redmon_group g = { .name = "md0",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 2 - !margin,
				  .margin = margin,
				  .margin_nominal = 1,
				  .progress = -1,
				  .members = m,
				  .n_members = 2 };
	struct snapshot s = { 0 };

	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	snapshot_sort(&s);
	assert_int_equal(update(f, "md", &s), 0);
	snapshot_free(&s);
}

static void test_severity_filter(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.all.type=json",
		"sink.all.path=%s/all.jsonl",
		"sink.crit.type=json",
		"sink.crit.path=%s/crit.jsonl",
		"sink.crit.min_severity=critical",
	};
	char *all, *crit;

	open_sinks(f, ov, 5, true);
	degrade(f, 1); /* appeared, ok: info */
	degrade(f, 0); /* critical */
	all = slurp(f, "all.jsonl");
	crit = slurp(f, "crit.jsonl");
	assert_int_equal(count(all, "\n"), 3);
	assert_int_equal(count(crit, "\"health_changed\""), 1);
	assert_int_equal(count(crit, "group_appeared"), 0);
	assert_int_equal(count(all, "\"idempotency_key\":\"db1:2\""), 1);
	free(all);
	free(crit);
}

/* /dev/full refuses every write: after fail_after failures the others hear of it. */
static void test_failing_sink_reported_on_the_others(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.full.type=json", "sink.full.path=/dev/full",     "sink.full.fail_after=2",
		"sink.good.type=json", "sink.good.path=%s/good.jsonl",
	};
	char *good;

	open_sinks(f, ov, 5, true);
	degrade(f, 1);
	degrade(f, 0);
	good = slurp(f, "good.jsonl");
	/* Raised once, after the second failure, and told to the good sink only. */
	assert_int_equal(count(good, "\"sink_failed\""), 1);
	assert_int_equal(count(good, "\"sink\":\"full\""), 1);
	assert_int_equal(count(good, "\"failures\":2"), 1);
	free(good);
}

static void test_reminders_and_heartbeat(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.r.type=json", "sink.r.path=%s/r.jsonl", "sink.r.remind=1s",
		"sink.h.type=json", "sink.h.path=%s/h.jsonl", "sink.h.heartbeat=1s",
	};
	char *r, *h;

	degrade(f, 1);
	degrade(f, 0); /* critical now: reminders 1 s apart for r */
	open_sinks(f, ov, 6, true);
	run_for(f, 2300);
	r = slurp(f, "r.jsonl");
	h = slurp(f, "h.jsonl");
	assert_int_equal(count(r, "\"event\":\"reminder\""), 2);
	assert_int_equal(count(r, "\"number\":1"), 1);
	assert_int_equal(count(r, "\"number\":2"), 1);
	assert_int_equal(count(r, "heartbeat"), 0);
	/* One at once, then every second; never a reminder meant for r. */
	assert_true(count(h, "\"event\":\"heartbeat\"") >= 3);
	assert_int_equal(count(h, "\"worst\":\"critical\""), count(h, "heartbeat\""));
	assert_int_equal(count(h, "reminder"), 0);
	free(r);
	free(h);
}

/* The reminders the walk addressed to SNMP, as the subagent would see them on the bus. */
struct snmp_reminders {
	unsigned n, first, last;
};

static void watch_snmp_reminders(void *ctx, const struct event *ev)
{
	struct snmp_reminders *w = ctx;

	if (ev->type == EV_REMINDER && ev->sink && strcmp(ev->sink, REMIND_TO_SNMP) == 0) {
		if (!w->n++)
			w->first = ev->reminder;
		w->last = ev->reminder;
	}
}

/* [snmp] remind goes through the sinks' one reminder walk; a sink's remind stays its own. */
static void test_snmp_reminders(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = { "sink.r.type=json", "sink.r.path=%s/r.jsonl",
					  "snmp.remind=1s", "snmp.enabled=yes" };
	struct snmp_reminders w = { 0 };
	char *r;

	assert_int_equal(bus_subscribe(f->bus, watch_snmp_reminders, &w), 0);
	degrade(f, 1);
	degrade(f, 0);
	/* [snmp] off: its remind is not used. */
	open_sinks(f, ov, 3, true);
	run_for(f, 1300);
	assert_int_equal(w.n, 0);
	sink_set_free(f->set);
	cfg_free(f->cfg);
	f->set = NULL;
	f->cfg = NULL;
	open_sinks(f, ov, 4, true);
	run_for(f, 2300);
	r = slurp(f, "r.jsonl");
	/* One a second, numbered on from the announcement (those due before the open are not sent). */
	assert_true(w.n >= 2 && w.n <= 3);
	assert_true(w.first >= 2);
	assert_int_equal(w.last, w.first + w.n - 1);
	assert_int_equal(count(r, "reminder"), 0); /* r has remind = once */
	free(r);
}

static void write_script(struct fixture *f, const char *name, const char *body)
{
	char path[128];
	FILE *s;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	s = fopen(path, "w");
	assert_non_null(s);
	fprintf(s, "#!/bin/sh\n%s\n", body);
	fclose(s);
	chmod(path, 0755);
}

static void test_hook_timeout_and_test_alert(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.slow.type=exec",	      "sink.slow.command=%s/slow.sh",
		"sink.slow.timeout=300ms",    "sink.ok.type=exec",
		"sink.ok.command=%s/ok.sh",   "sink.bad.type=exec",
		"sink.bad.command=%s/bad.sh",
	};
	struct event ev = { .type = EV_TEST, .message = "hello" };
	char *out = NULL, *seen;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	uint64_t t0;

	write_script(f, "slow.sh", "exec sleep 30");
	write_script(f, "ok.sh",
		     "cat > \"$(dirname \"$0\")/ok.in\"; echo \"$1|$REDMON_MESSAGE\" >> "
		     "\"$(dirname \"$0\")/ok.in\"");
	write_script(f, "bad.sh", "echo 'disk full'; exit 3");
	open_sinks(f, ov, 7, false);
	t0 = mono_ms();
	assert_int_equal(sink_set_test(f->set, NULL, &ev, o), 2);
	fclose(o);
	/* The hanging hook is killed at its timeout, not waited for. */
	assert_true(mono_ms() - t0 < 3000);
	assert_non_null(strstr(out, "slow: FAILED: "));
	assert_non_null(strstr(out, "timed out after 0.3s"));
	assert_non_null(strstr(out, "ok: ok\n"));
	assert_non_null(strstr(out, "bad: FAILED: "));
	assert_non_null(strstr(out, "exit status 3: disk full"));
	seen = slurp(f, "ok.in");
	assert_non_null(strstr(seen, "\"event\":\"test\""));
	assert_non_null(strstr(seen, "test|hello"));
	free(seen);
	free(out);
	o = open_memstream(&out, &len);
	assert_int_equal(sink_set_test(f->set, "nosuch", &ev, o), -ENOENT);
	fclose(o);
	free(out);
}

static void test_textfile(void **state)
{
	struct fixture *f = *state;
	struct redmon_member m = { .name = "d\"1\n", .role = REDMON_ROLE_REBUILDING };
	struct redmon_group g = { .name = "a\\b",
				  .kind = "raid",
				  .type = "raid1",
				  .members_total = 2,
				  .members_ok = 1,
				  .margin = 0,
				  .margin_nominal = 1,
				  .activity = REDMON_ACTIVITY_RECOVERY,
				  .progress = 42.5,
				  .members = &m,
				  .n_members = 1 };
	struct snapshot s = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);

	(void)f;
	assert_int_equal(snapshot_add(&s, "md", &g), 0);
	snapshot_sort(&s);
	assert_int_equal(update(f, "md", &s), 0);
	snapshot_free(&s);
	assert_int_equal(textfile_render(f->agg, "db1", 1700000000123, 1700000000001, o), 0);
	fclose(o);
	/* Label values escaped twice over: redmon's \\ then the format's \\ \" \n. */
	assert_non_null(strstr(text, "redmon_group_health{group=\"md:a\\\\\\\\b\",probe=\"md\","
				     "health=\"critical\"} 1\n"));
	assert_non_null(
		strstr(text, "redmon_group_margin{group=\"md:a\\\\\\\\b\",probe=\"md\"} 0\n"));
	assert_non_null(strstr(text, "member=\"d\\\"1\\n\",role=\"rebuilding\"} 1\n"));
	assert_non_null(strstr(text, "activity=\"recovery\"} 42.5\n"));
	assert_non_null(strstr(text, "redmon_probe_up{probe=\"md\"} 1\n"));
	assert_non_null(strstr(text, "} 1700000000.123\n"));
	assert_non_null(strstr(text, "redmon_last_scan_timestamp_seconds 1700000000.001\n"));
	/* Slots apart from the members by state: sum() over states counts a member once. */
	assert_non_null(strstr(
		text, "redmon_group_member_slots{group=\"md:a\\\\\\\\b\",probe=\"md\"} 2\n"));
	assert_non_null(strstr(text, "probe=\"md\",state=\"ok\"} 1\n"));
	assert_null(strstr(text, "state=\"total\""));
	free(text);
	/* No scan yet: no scan time rather than a zero that reads as 1970. */
	text = NULL;
	o = open_memstream(&text, &len);
	assert_int_equal(textfile_render(f->agg, "db1", 1700000000123, 0, o), 0);
	fclose(o);
	assert_null(strstr(text, "redmon_last_scan_timestamp_seconds"));
	free(text);
}

static void test_one_line_and_fingerprint(void **state)
{
	char buf[64], a[32], b[32], long_name[5000], *dup;
	struct config *c1, *c2;
	char *ov1[] = { "sink.w.type=json", "sink.w.path=/tmp/a" };
	char *ov2[] = { "sink.w.type=json", "sink.w.path=/tmp/b" };
	char err[256];

	(void)state;
	text_one_line("a\nb\xff\\", buf, sizeof(buf));
	assert_string_equal(buf, "a\\x0Ab\\xFF\\\\");
	dup = text_one_line_dup("a\nb\xff\\");
	assert_string_equal(dup, "a\\x0Ab\\xFF\\\\");
	free(dup);
	memset(long_name, 'x', sizeof(long_name) - 2);
	long_name[sizeof(long_name) - 2] = '\n';
	long_name[sizeof(long_name) - 1] = 0;
	dup = text_one_line_dup(long_name); /* no fixed buffer: all of it */
	assert_int_equal(strlen(dup), sizeof(long_name) - 2 + 4);
	free(dup);
	assert_int_equal(cfg_load(NULL, ov1, 2, &c1, err, sizeof(err)), 0);
	assert_int_equal(cfg_load(NULL, ov2, 2, &c2, err, sizeof(err)), 0);
	sink_set_fingerprint(c1, a, sizeof(a));
	sink_set_fingerprint(c2, b, sizeof(b));
	assert_string_not_equal(a, b);
	sink_set_fingerprint(c1, b, sizeof(b));
	assert_string_equal(a, b);
	cfg_free(c1);
	cfg_free(c2);
}

/* --- webhook ------------------------------------------------------------- */

/* Append one whole request (head and body) read from c to fd. */
static void serve_one(int c, int fd)
{
	char buf[16384], *end, *cl;
	size_t len = 0, want = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(c, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(buf, "\r\nContent-Length: ");
		want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 18, NULL, 10) : 0);
		if (len >= want)
			break;
	}
	if (write(fd, buf, len) < 0 || write(fd, "\n=====\n", 7) < 0)
		_exit(1);
	if (write(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 57) < 0)
		_exit(1);
	close(c);
}

/* A child answering 200 to every request, each appended raw to log; returns its port. */
static int http_server(struct fixture *f, const char *log)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	f->server = fork();
	assert_true(f->server >= 0);
	if (f->server == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c >= 0)
				serve_one(c, fd);
		}
	}
	close(s);
	return ntohs(a.sin_port);
}

static void url_is(const char *url, const char *want)
{
	char buf[128];

	url_redact(url, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_url_redact(void **state)
{
	char small[12];

	(void)state;
	url_is("http://user:pw@host:9093/a?token=x#frag", "http://***@host:9093/a?***#***");
	url_is("https://host/api/v2/alerts", "https://host/api/v2/alerts");
	url_is("http://u:p@ss@host/x@y", "http://***@host/x@y");
	url_is("http://host?k=v", "http://host?***");
	url_is("http://tok@host", "http://***@host");
	url_redact("http://user:secret@host", small, sizeof(small));
	assert_null(strstr(small, "secret"));
}

/*
 * A host name with CR/LF (or anything else) stays inside the Idempotency-Key
 * header, percent-encoded: no header of its own, and one key per alert.
 */
static void test_webhook_key_is_one_header(void **state)
{
	struct fixture *f = *state;
	char log[128], url[64], spool[128];
	const char *ov[] = { "sink.w.type=webhook", url, spool };
	uint64_t end;
	char *raw = NULL;

	snprintf(log, sizeof(log), "%s/requests.txt", f->dir);
	snprintf(url, sizeof(url), "sink.w.url=http://127.0.0.1:%d/hook", http_server(f, log));
	snprintf(spool, sizeof(spool), "sink.w.spool_dir=%s/spool", f->dir);
	f->host = "db\r\nX-Injected: yes\n\nx";
	open_sinks(f, ov, 3, true);
	degrade(f, 1);
	degrade(f, 0);
	for (end = mono_ms() + 5000; mono_ms() < end; loop_run_once(f->loop, 20)) {
		free(raw);
		raw = slurp(f, "requests.txt");
		if (count(raw, "=====") >= 2)
			break;
	}
	assert_int_equal(count(raw, "=====") >= 2, 1);
	assert_null(strstr(raw, "\nX-Injected"));
	assert_non_null(strstr(raw, "\r\nIdempotency-Key: db%0D%0AX-Injected:%20yes%0A%0Ax:1\r\n"));
	assert_non_null(strstr(raw, "\r\nIdempotency-Key: db%0D%0AX-Injected:%20yes%0A%0Ax:2\r\n"));
	free(raw);
}

/* A group that vanishes while critical is critical news, not info. */
static void test_vanished_severity(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.warn.type=json",
		"sink.warn.path=%s/warn.jsonl",
		"sink.warn.min_severity=warning",
	};
	struct snapshot empty = { 0 };
	char *warn;

	open_sinks(f, ov, 3, true);
	degrade(f, 0);
	assert_int_equal(update(f, "md", &empty), 0);
	snapshot_free(&empty); /* it holds the old groups' storage now, for reuse */
	warn = slurp(f, "warn.jsonl");
	assert_int_equal(count(warn, "\"event\":\"group_vanished\",\"severity\":\"critical\""), 1);
	free(warn);
}

/* The test event through every sink; the sinks' report. */
static char *test_all(struct fixture *f, const struct event *ev)
{
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);

	sink_set_test(f->set, NULL, ev, o);
	fclose(o);
	return out;
}

/* A host name (or any name) with a newline: one line in a mail header, syslog, a hook's env. */
static void test_hostile_host_one_line(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.m.type=mail",
		"sink.m.mail_to=ops@example.org",
		"sink.m.sendmail=%s/sendmail",
		"sink.l.type=syslog",
		"sink.l.socket=%s/log.sock",
		"sink.h.type=exec",
		"sink.h.command=%s/hook.sh",
	};
	struct event ev = { .type = EV_TEST, .message = "hello" };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[4096], *mail, *hook, *out, *end;
	ssize_t n;
	int sock;

	f->host = "db1\nBcc: evil@example.org";
	write_script(f, "sendmail", "cat > \"$(dirname \"$0\")/mail.txt\"");
	write_script(f, "hook.sh", "env > \"$(dirname \"$0\")/hook.txt\"");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log.sock", f->dir);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	open_sinks(f, ov, 7, false);
	out = test_all(f, &ev);
	assert_int_equal(count(out, ": ok\n"), 3);
	free(out);
	mail = slurp(f, "mail.txt");
	end = strstr(mail, "\n\n");
	assert_non_null(end);
	*end = 0; /* the headers only */
	assert_null(strstr(mail, "\nBcc:"));
	assert_non_null(strstr(mail, "X-Redmon-Idempotency-Key: db1\\x0ABcc: evil@example.org:"));
	n = recv(sock, line, sizeof(line) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	line[n] = 0;
	assert_null(strchr(line, '\n'));
	assert_non_null(strstr(line, "key db1\\x0ABcc: evil@example.org:"));
	hook = slurp(f, "hook.txt");
	assert_null(strstr(hook, "\nBcc:"));
	assert_non_null(strstr(hook, "REDMON_HOST=db1\\x0ABcc: evil@example.org\n"));
	close(sock);
	free(mail);
	free(hook);
}

/* A descriptor of ours without O_CLOEXEC (a library's socket) does not reach a hook. */
static void test_hook_gets_std_fds_only(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = { "sink.h.type=exec", "sink.h.command=%s/hook.sh" };
	struct event ev = { .type = EV_TEST, .message = "hello" };
	char *out, *fds;
	int leak = open("/dev/null", O_RDONLY);

	assert_int_equal(dup2(leak, 100), 100);
	close(leak);
	write_script(f, "hook.sh", "ls /proc/self/fd > \"$(dirname \"$0\")/fds.txt\"");
	open_sinks(f, ov, 2, false);
	out = test_all(f, &ev);
	assert_string_equal(out, "h: ok\n");
	fds = slurp(f, "fds.txt");
	assert_null(strstr(fds, "100"));
	assert_non_null(strstr(fds, "0\n1\n2\n"));
	close(100);
	free(out);
	free(fds);
}

/* A program others could replace: refused at open, by the config check, and before a run. */
static void test_untrusted_program_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const hook[] = { "sink.h.type=exec", "sink.h.command=%s/bin/hook.sh" };
	static const char *const mail[] = { "sink.m.type=mail", "sink.m.mail_to=ops@example.org",
					    "sink.m.sendmail=%s/bin/hook.sh" };
	struct event ev = { .type = EV_TEST, .message = "hello" };
	char bin[128], err[512], *out;
	const char *why;

	snprintf(bin, sizeof(bin), "%s/bin", f->dir);
	assert_int_equal(mkdir(bin, 0777), 0);
	assert_int_equal(chmod(bin, 0777), 0);
	write_script(f, "bin/hook.sh", "exit 0");
	why = open_fails(f, hook, 2);
	assert_non_null(strstr(why, "refusing to run"));
	assert_non_null(strstr(why, "writable by everyone"));
	why = open_fails(f, mail, 3);
	assert_non_null(strstr(why, "refusing to run"));
	/* Fine at open; the directory opened to everyone before the run. */
	assert_int_equal(chmod(bin, 0755), 0);
	open_sinks(f, hook, 2, false);
	assert_int_equal(sink_check_programs(f->cfg, err, sizeof(err)), 0);
	assert_int_equal(chmod(bin, 0777), 0);
	assert_int_equal(sink_check_programs(f->cfg, err, sizeof(err)), -EPERM);
	out = test_all(f, &ev);
	assert_non_null(strstr(out, "h: FAILED: refusing to run"));
	free(out);
}

/* A JSON Lines path that is a symbolic link is not followed; its target stays as it was. */
static void test_json_symlink_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = { "sink.j.type=json", "sink.j.path=%s/events.jsonl" };
	char target[128], link[128], *text;
	const char *why;
	FILE *t;

	snprintf(target, sizeof(target), "%s/precious", f->dir);
	snprintf(link, sizeof(link), "%s/events.jsonl", f->dir);
	t = fopen(target, "w");
	assert_non_null(t);
	fputs("untouched\n", t);
	fclose(t);
	assert_int_equal(symlink(target, link), 0);
	why = open_fails(f, ov, 2);
	assert_non_null(strstr(why, "is a symbolic link"));
	text = slurp(f, "precious");
	assert_string_equal(text, "untouched\n");
	free(text);
}

/* What a hook printed reaches sink_failed.error escaped once (docs/json.md), not twice. */
static void test_sink_failed_error_escaped_once(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.bad.type=exec", "sink.bad.command=%s/bad.sh", "sink.bad.fail_after=1",
		"sink.j.type=json",   "sink.j.path=%s/j.jsonl",
	};
	char *j;

	write_script(f, "bad.sh", "printf 'a\\tb\\\\c\\n'; exit 3");
	open_sinks(f, ov, 5, true);
	degrade(f, 1);
	run_for(f, 500);
	j = slurp(f, "j.jsonl");
	assert_int_equal(count(j, "\"sink_failed\""), 1);
	/* The tab is JSON's \t; the backslash redmon's \\, which JSON writes \\\\. */
	assert_non_null(strstr(j, "exit status 3: a\\tb\\\\\\\\c\""));
	assert_null(strstr(j, "x09"));
	free(j);
}

/* A fake sendmail appending each mail it reads to NAME.txt, ended by a line "=== END". */
static void write_sendmail(struct fixture *f, const char *name)
{
	char script[64], body[160];

	snprintf(script, sizeof(script), "sendmail_%s", name);
	snprintf(body, sizeof(body),
		 "d=\"$(dirname \"$0\")\"; cat >> \"$d/%s.txt\"; echo '=== END' >> \"$d/%s.txt\"",
		 name, name);
	write_script(f, script, body);
}

/*
 * The events of one group within the burst window: one mail listing them in
 * order, the subject from the worst; an event without a group is not held;
 * burst = 0: a mail per event.
 */
static void test_mail_burst_one_mail(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = {
		"sink.b.type=mail", "sink.b.mail_to=ops@example.org",
		"sink.b.burst=2s",  "sink.b.sendmail=%s/sendmail_b",
		"sink.e.type=mail", "sink.e.mail_to=ops@example.org",
		"sink.e.burst=0",   "sink.e.sendmail=%s/sendmail_e",
	};
	struct event probe = { .type = EV_PROBE_FAILED, .probe = "zfs", .error = "zpool hangs" };
	const char *a, *b, *c;
	char *mb, *me;

	write_sendmail(f, "b");
	write_sendmail(f, "e");
	open_sinks(f, ov, 8, true);
	degrade(f, 1); /* group_appeared */
	degrade(f, 0); /* health_changed, member_changed */
	sink_set_emit(f->set, &probe);
	run_for(f, 700);
	mb = slurp(f, "b.txt");
	me = slurp(f, "e.txt");
	/* Within the window: only the probe's mail, which no group holds back. */
	assert_int_equal(count(mb, "=== END"), 1);
	assert_non_null(
		strstr(mb, "Subject: [redmon] WARNING: db1: probe zfs failed: zpool hangs\n"));
	assert_int_equal(count(me, "=== END"), 4);
	assert_int_equal(count(me, "Subject: [redmon] CRITICAL: md:md0 on db1 is critical"), 2);
	free(mb);
	run_for(f, 2000);
	mb = slurp(f, "b.txt");
	assert_int_equal(count(mb, "=== END"), 2);
	assert_int_equal(count(mb, "\nSubject: "), 2);
	/* The worst severity of the three, the state the last left. */
	assert_non_null(strstr(mb, "\nSubject: [redmon] CRITICAL: md:md0 on db1 is critical "
				   "(tolerates no further failure)\n"));
	a = strstr(mb, "\n  1. md:md0 (raid1) found: ok");
	b = strstr(mb, "\n  2. md:md0 (raid1) is critical");
	c = strstr(mb, "\n  3. md:md0 member sdb: active -> failed");
	assert_true(a && b && c && a < b && b < c);
	assert_non_null(strstr(mb, "\n3 events of md:md0 on db1, in order:\n"));
	assert_int_equal(count(mb, "\"idempotency_key\": \"db1:"), 4);
	free(mb);
	free(me);
}

/* A stop does not lose a mail waiting for its window: the drain sends it, without waiting. */
static void test_mail_burst_flushed_at_stop(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = { "sink.b.type=mail", "sink.b.mail_to=ops@example.org",
					  "sink.b.burst=1h", "sink.b.sendmail=%s/sendmail_b" };
	uint64_t t0;
	char *mb;

	write_sendmail(f, "b");
	open_sinks(f, ov, 4, true);
	degrade(f, 1);
	degrade(f, 0);
	run_for(f, 200);
	mb = slurp(f, "b.txt");
	assert_string_equal(mb, "");
	free(mb);
	t0 = mono_ms();
	sink_set_drain(f->set, 5000);
	assert_true(mono_ms() - t0 < 3000);
	mb = slurp(f, "b.txt");
	assert_int_equal(count(mb, "=== END"), 1);
	assert_non_null(strstr(mb, "\n3 events of md:md0 on db1, in order:\n"));
	free(mb);
}

/* A reload sends what the old set's mail sink holds; it goes out while the new set runs. */
static void test_mail_burst_flushed_at_reload(void **state)
{
	struct fixture *f = *state;
	static const char *const ov[] = { "sink.b.type=mail", "sink.b.mail_to=ops@example.org",
					  "sink.b.burst=1h", "sink.b.sendmail=%s/sendmail_b" };
	struct sink_set *old;
	struct config *old_cfg;
	char *mb;

	write_sendmail(f, "b");
	open_sinks(f, ov, 4, true);
	degrade(f, 1);
	old = f->set;
	old_cfg = f->cfg;
	f->set = NULL;
	open_sinks(f, ov, 4, true);
	sink_set_retire(f->set, old);
	run_for(f, 1000);
	mb = slurp(f, "b.txt");
	assert_int_equal(count(mb, "=== END"), 1);
	assert_non_null(strstr(mb, "md:md0 (raid1) found: ok"));
	free(mb);
	cfg_free(old_cfg);
}

/* By SMTP every recipient must be an address the envelope can carry; no program is checked. */
static void test_mail_smtp_addresses(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "sink.m.type=mail",
					   "sink.m.mail_to=Ops <ops@example.org, root@example.org",
					   "sink.m.smtp_url=smtp://127.0.0.1:1" };
	static const char *const good[] = {
		"sink.m.type=mail",
		"sink.m.mail_to=Ops <ops@example.org>, root@example.org",
		"sink.m.smtp_url=smtp://127.0.0.1:1",
		"sink.m.sendmail=/nonexistent/sendmail",
	};
	/* A local user, as the shipped config's mail_to = root: it goes as root@localhost. */
	static const char *const local[] = { "sink.m.type=mail", "sink.m.mail_to=root",
					     "sink.m.smtp_url=smtp://127.0.0.1:1" };
	static const char *const word[] = { "sink.m.type=mail", "sink.m.mail_to=root, the boss",
					    "sink.m.smtp_url=smtp://127.0.0.1:1" };
	const char *why = open_fails(f, bad, 3);

	assert_non_null(strstr(why, "sink m: mail_to: not a list of addresses for SMTP"));
	why = open_fails(f, word, 3);
	assert_non_null(strstr(why, "sink m: mail_to: not a list of addresses for SMTP"));
	open_sinks(f, good, 4, false);
	assert_non_null(f->set);
	sink_set_free(f->set);
	cfg_free(f->cfg);
	f->set = NULL;
	open_sinks(f, local, 3, false);
	assert_non_null(f->set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_severity_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_sink_reported_on_the_others, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reminders_and_heartbeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snmp_reminders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_timeout_and_test_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_textfile, setup, teardown),
		cmocka_unit_test(test_one_line_and_fingerprint),
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test_setup_teardown(test_webhook_key_is_one_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_host_one_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_gets_std_fds_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_program_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink_failed_error_escaped_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mail_burst_one_mail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_burst_flushed_at_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_burst_flushed_at_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_smtp_addresses, setup, teardown),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
