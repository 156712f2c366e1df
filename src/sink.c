/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dispatcher: which sink gets which event, the time-based policies
 * (reminders, heartbeats), and the sinks' own trouble as events.
 */
#include "sink.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "bus.h"
#include "json.h"
#include "log.h"
#include "marks.h"
#include "loop.h"
#include "loop_timer.h"
#include "state.h"
#include "trusted_path.h"

#define REAP_CHECK_MS 200

struct sink_set {
	struct sink_env env;
	struct sink **v;
	size_t n;
	bool unconfigured; /* no [sink.*]: the stdout default */
	struct loop_timer *remind_timer;
	int64_t remind_after;	   /* reminders up to this time (wall ms) are sent */
	struct remind snmp_remind; /* [snmp] remind, while [snmp] is enabled */
	/* Reload: the set this one replaced, finishing its hook runs. */
	struct sink_set *retired;
	struct sink_set *adopter; /* of a retired set */
	struct loop_timer *reap_timer;
};

static const struct sink_ops *const ops_by_type[] = {
	[SINK_JSON] = &sink_json_ops,	    [SINK_EXEC] = &sink_exec_ops,
	[SINK_WEBHOOK] = &sink_webhook_ops, [SINK_SYSLOG] = &sink_syslog_ops,
	[SINK_MAIL] = &sink_mail_ops,	    [SINK_TEXTFILE] = &sink_textfile_ops,
};

const struct sink_env *sink_env(const struct sink *k)
{
	return &k->set->env;
}

int64_t ts_ms(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

/*
 * esc (text_escape()d) with its control characters as \xNN into out (NULL:
 * count only), stopping before the byte that would leave less than 5 bytes of
 * len; the length written, without a terminating NUL.
 */
static size_t escape_controls(const char *esc, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = esc; *p && o + 5 < len; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c != 0x7f) {
			if (out)
				out[o] = (char)c;
			o++;
		} else {
			if (out)
				sprintf(out + o, "\\x%02X", c);
			o += 4;
		}
	}
	return o;
}

void text_one_line(const char *s, char *buf, size_t len)
{
	char tmp[2048];

	text_escape(s ? s : "", tmp, sizeof(tmp));
	if (len)
		buf[escape_controls(tmp, buf, len)] = 0;
}

char *text_one_line_dup(const char *s)
{
	size_t n = text_escape(s ? s : "", NULL, 0);
	char *esc = malloc(n + 1), *out = NULL;

	if (esc) {
		text_escape(s ? s : "", esc, n + 1);
		out = malloc(escape_controls(esc, NULL, SIZE_MAX) + 1);
	}
	if (out)
		out[escape_controls(esc, out, SIZE_MAX)] = 0;
	free(esc);
	return out;
}

/*
 * The reverse of text_one_line(): "\\" and "\xNN" back to the bytes they
 * stand for, anything else as it is.  A sink's reason arrives escaped (it
 * goes into one log line); the sink_failed event carries the bytes, so that
 * each output (JSON, a syslog line, a mail subject) escapes them once.
 */
static char *text_unescape_dup(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (out && *s) {
		unsigned v;

		if (s[0] == '\\' && s[1] == '\\') {
			*o++ = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
			   isxdigit((unsigned char)s[3]) && sscanf(s + 2, "%2x", &v) == 1 && v) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	if (out)
		*o = 0;
	return out;
}

/* --- the sinks' own events --------------------------------------------- */

/* An event of the sinks' own (test-alert has no bus: nobody to tell). */
static void publish(struct sink_set *s, const struct event *ev)
{
	if (s->env.bus && bus_publish(s->env.bus, ev) < 0)
		log_err("sink %s: out of memory raising %s", ev->sink ? ev->sink : "?",
			event_type_name(ev->type));
}

/* Raised from inside a delivery too: the bus delivers it after the event at hand. */
static void raise_own(struct sink_set *s, enum event_type type, const char *sink, const char *error,
		      uint64_t count)
{
	publish(s, &(struct event){ .type = type, .sink = sink, .error = error, .count = count });
}

void sink_result(struct sink *k, int rc, bool lost, const char *why)
{
	if (rc == 0) {
		if (k->failures)
			log_notice("sink %s: delivers again after %" PRIu64 " failure%s", k->name,
				   k->failures, k->failures == 1 ? "" : "s");
		if (k->alarmed)
			raise_own(k->set, EV_SINK_RECOVERED, k->name, NULL, k->failures);
		k->failures = 0;
		k->alarmed = false;
		return;
	}
	k->failures++;
	/* Every lost alert is worth a line; retries only the first of a run. */
	if (k->failures == 1 || lost)
		log_warn("sink %s: %s%s", k->name, why, lost ? "" : " (will retry)");
	else
		log_info("sink %s: %s (failure %" PRIu64 " in a row)", k->name, why, k->failures);
	if (!k->alarmed && k->failures >= k->fail_after) {
		char *raw = text_unescape_dup(why);

		k->alarmed = true;
		log_err("sink %s: failed %" PRIu64 " times in a row: %s", k->name, k->failures,
			why);
		raise_own(k->set, EV_SINK_FAILED, k->name, raw ? raw : why, k->failures);
		free(raw);
	}
}

void sink_overflow(struct sink *k, uint64_t n)
{
	k->dropped += n;
	if (k->overflowing)
		return;
	k->overflowing = true;
	log_warn("sink %s: queue full: dropping the oldest undelivered alerts", k->name);
	raise_own(k->set, EV_SPOOL_OVERFLOW, k->name, NULL, k->dropped);
}

void sink_overflow_end(struct sink *k)
{
	if (!k->overflowing)
		return;
	k->overflowing = false;
	log_warn("sink %s: room again; %" PRIu64 " alert%s dropped since start", k->name,
		 k->dropped, k->dropped == 1 ? "" : "s");
}

void sink_test_done(struct sink *k, int rc, const char *why)
{
	k->test_finished = true;
	k->test_rc = rc;
	snprintf(k->test_why, sizeof(k->test_why), "%s", why ? why : "");
}

/* --- reminders and heartbeats ------------------------------------------- */

/*
 * Publish recipient to's reminder about g due in (remind_after, now] (several
 * due at once, the host was asleep: only the latest), and lower *next to the
 * first one due after now.
 */
static void remind_group(struct sink_set *s, const struct group *g, const struct timespec *since,
			 const char *to, const struct remind *r, int64_t now, int64_t *next)
{
	struct event ev = {
		.type = EV_REMINDER, .probe = g->probe, .group = g, .sink = to, .since = *since
	};
	/* The clock went back: nothing is due, the next one counts from now. */
	int64_t after = s->remind_after < now ? s->remind_after : now, due;
	unsigned n;
	bool more;

	while ((more = policy_next_reminder(r, ts_ms(since), after, &n, &due)) && due <= now) {
		ev.reminder = n;
		after = due;
	}
	if (ev.reminder)
		publish(s, &ev);
	if (more && due < *next)
		*next = due;
}

/*
 * The one place that decides which group is reminded about, to whom: each
 * sink with its remind, and SNMP with [snmp] remind (redmonReminder, sent by
 * the subagent for the reminder events named REMIND_TO_SNMP).  Returns the
 * earliest reminder due after now (INT64_MAX: none).
 */
static int64_t remind_walk(struct sink_set *s, int64_t now)
{
	const struct agg *a = s->env.agg;
	struct agg_iter it = { 0 };
	const struct group *g;
	int64_t next = INT64_MAX;

	while ((g = agg_next_group(a, &it))) {
		struct timespec since;

		/* Acknowledged or in maintenance: the operator knows (redmon ack). */
		if (!policy_health_reminded(g->health) || !agg_since(a, g->id, &since) ||
		    marks_quiet(agg_marks(a), g->id, now))
			continue;
		for (size_t i = 0; i < s->n; i++)
			remind_group(s, g, &since, s->v[i]->name, &s->v[i]->remind, now, &next);
		if (s->snmp_remind.kind != REMIND_ONCE)
			remind_group(s, g, &since, REMIND_TO_SNMP, &s->snmp_remind, now, &next);
	}
	return next;
}

/* Arm the timer for next (remind_walk()). */
static void remind_arm(struct sink_set *s, int64_t next)
{
	int64_t now = wall_ms();

	if (next == INT64_MAX)
		loop_timer_disarm(s->remind_timer);
	else
		loop_timer_arm(s->remind_timer, next > now ? (uint64_t)(next - now) : 0);
}

static void on_remind(void *ctx)
{
	struct sink_set *s = ctx;
	int64_t now = wall_ms(), next = remind_walk(s, now);

	s->remind_after = now;
	remind_arm(s, next);
}

static void on_heartbeat(void *ctx)
{
	struct sink *k = ctx;
	struct event_summary sum;
	struct event ev = { .type = EV_HEARTBEAT, .sink = k->name, .summary = &sum };

	agg_summarize(k->set->env.agg, &sum);
	loop_timer_arm(k->heartbeat, k->heartbeat_ms);
	publish(k->set, &ev);
}

/* --- opening -------------------------------------------------------------- */

/* The reason goes on one line: a link's target is whatever its owner wrote. */
int sink_check_program(const char *name, const char *path, char *err, size_t errlen)
{
	char why[600], one_why[700], one_path[400];
	int rc = trusted_path_check(path, geteuid(), why, sizeof(why));

	if (rc == 0)
		return 0;
	text_one_line(why, one_why, sizeof(one_why));
	text_one_line(path, one_path, sizeof(one_path));
	snprintf(err, errlen, "%s%s%s%s to run %s: %s", name ? "sink " : "", name ? name : "",
		 name ? ": " : "", rc == -EPERM ? "refusing" : "unable", one_path, one_why);
	return rc;
}

int sink_check_programs(const struct config *cfg, char *err, size_t errlen)
{
	struct cfg_report rep = { 0 };
	int first = 0;

	for (size_t i = 0; i < cfg->n_sinks; i++) {
		const struct cfg_sink *set = &cfg->sinks[i];
		bool exec = set->type == SINK_EXEC;
		const char *prog = exec ? set->exec.command : set->mail.sendmail;
		char section[300], loc[300];
		int rc;

		/* A partial config (--check-config) may lack the program: reported already. */
		if ((!exec && set->type != SINK_MAIL) || !prog)
			continue;
		if (!exec && set->mail.smtp_url)
			continue; /* mail by SMTP: no program runs */
		rc = sink_check_program(set->name, prog, err, errlen);
		if (rc == 0)
			continue;
		snprintf(section, sizeof(section), "sink.%s", set->name);
		if (!*cfg_where(cfg, section, exec ? "command" : "sendmail", loc, sizeof(loc)))
			cfg_where(cfg, section, "type", loc, sizeof(loc));
		cfg_report_add(&rep, "%s: %s", loc, err);
		first = first ? first : rc;
	}
	cfg_report_to_err(&rep, err, errlen);
	cfg_report_free(&rep);
	return first;
}

static void sink_free(struct sink *k)
{
	if (!k)
		return;
	if (k->ops && k->priv)
		k->ops->close(k);
	loop_timer_free(k->heartbeat);
	free(k->name);
	free(k);
}

static int add_sink(struct sink_set *s, const struct cfg_sink *set, char *err, size_t errlen)
{
	struct sink *k = calloc(1, sizeof(*k)), **v;
	int rc;

	if (!k)
		return -ENOMEM;
	k->set = s;
	k->type = set->type;
	k->ops = ops_by_type[set->type];
	k->name = strdup(set->name);
	k->min_severity = set->min_severity;
	k->remind = set->remind;
	k->heartbeat_ms = set->heartbeat_ms;
	k->fail_after = set->fail_after;
	k->timeout_ms = 5000;
	v = k->name ? realloc(s->v, (s->n + 1) * sizeof(*v)) : NULL;
	if (v)
		s->v = v;
	rc = v ? k->ops->open(k, set, err, errlen) : -ENOMEM;
	if (rc < 0) {
		sink_free(k);
		return rc;
	}
	s->v[s->n++] = k;
	if (k->heartbeat_ms && s->env.agg) {
		rc = loop_timer_new(s->env.loop, on_heartbeat, k, &k->heartbeat);
		/* The first right away: a receiver sees a restart at once. */
		if (rc == 0)
			rc = loop_timer_arm(k->heartbeat, 0);
	}
	return rc;
}

int sink_set_open(const struct config *cfg, const struct sink_env *env, struct sink_set **ret,
		  char *err, size_t errlen)
{
	struct sink_set *s = calloc(1, sizeof(*s));
	bool reminders = false;
	int rc = 0;

	if (!s)
		return -ENOMEM;
	s->env = *env;
	s->remind_after = wall_ms();
	for (size_t i = 0; rc == 0 && i < cfg->n_sinks; i++)
		rc = add_sink(s, &cfg->sinks[i], err, errlen);
	if (rc == 0 && cfg->n_sinks == 0) {
		/* Built by hand: "-o sink.stdout.path=..." must not sneak in. */
		struct cfg_sink stdout_sink = { .name = "stdout", .type = SINK_JSON };

		sink_settings_defaults(sink_type_settings_of(SINK_JSON), &stdout_sink);
		s->unconfigured = true;
		rc = add_sink(s, &stdout_sink, err, errlen);
	}
	if (cfg->snmp.enabled)
		s->snmp_remind = cfg->snmp.remind;
	reminders = s->snmp_remind.kind != REMIND_ONCE;
	for (size_t i = 0; i < s->n; i++)
		reminders = reminders || s->v[i]->remind.kind != REMIND_ONCE;
	if (rc == 0 && reminders && env->agg)
		rc = loop_timer_new(env->loop, on_remind, s, &s->remind_timer);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "opening sinks: out of memory");
		sink_set_free(s);
		return rc;
	}
	if (s->remind_timer)
		remind_arm(s, remind_walk(s, s->remind_after));
	*ret = s;
	return 0;
}

/* A sink that tells somebody, as opposed to one that records (the JSON file, the textfile). */
static bool sink_tells(const struct sink *k)
{
	return k->type != SINK_JSON && k->type != SINK_TEXTFILE;
}

void sink_set_log_reach(const struct sink_set *s)
{
	bool notifies = false;

	if (s->unconfigured) {
		log_warn("NO SINK CONFIGURED: NOBODY WILL BE NOTIFIED of a failure. Events go to "
			 "standard output as JSON only; add a [sink.NAME] section "
			 "(redmon-alerts(7))");
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		notifies = notifies || sink_tells(s->v[i]);
	if (!notifies)
		log_warn("only json and textfile sinks are configured: events are recorded, but "
			 "nobody is notified unless something watches them (redmon-alerts(7))");
}

/* The target that makes a sink reach someone, for the fingerprint. */
static const char *sink_target(const struct cfg_sink *set, char *buf, size_t len)
{
	switch (set->type) {
	case SINK_JSON:
	case SINK_TEXTFILE:
		return set->path;
	case SINK_EXEC:
		return set->exec.command;
	case SINK_WEBHOOK:
		return set->webhook.url;
	case SINK_SYSLOG:
		return sink_facility_name(set->syslog.facility, buf, len);
	case SINK_MAIL:
		return set->mail.to;
	}
	return "";
}

void sink_set_fingerprint(const struct config *cfg, char *buf, size_t len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f) {
		snprintf(buf, len, "unknown");
		return;
	}
	for (size_t i = 0; i < cfg->n_sinks; i++) {
		char facility[16];
		const char *target = sink_target(&cfg->sinks[i], facility, sizeof(facility));

		fprintf(f, "%s=%d:%s\n", cfg->sinks[i].name, (int)cfg->sinks[i].type,
			target ? target : "");
	}
	if (cfg->n_sinks == 0)
		fputs("stdout", f);
	if (fclose(f) != 0 || !text) {
		free(text);
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "%016" PRIx64, state_hash(text));
	free(text);
}

/* --- delivery ------------------------------------------------------------ */

static bool sink_wants(const struct sink *k, const struct event *ev)
{
	bool named = ev->sink && strcmp(ev->sink, k->name) == 0;

	switch (ev->type) {
	case EV_SINK_FAILED:
	case EV_SINK_RECOVERED:
	case EV_SPOOL_OVERFLOW:
		/* About this sink: tell the others. */
		if (named)
			return false;
		break;
	case EV_REMINDER:
		if (!named)
			return false;
		break;
	case EV_HEARTBEAT:
		return named;
	case EV_TEST:
		return !ev->sink || named;
	default:
		break;
	}
	return (int)event_severity(ev) >= k->min_severity;
}

static int alert_render(struct alert *a, const struct event *ev, const char *host, char *key,
			size_t keylen)
{
	char *text, *line;
	int n;

	event_key(ev, host, key, keylen);
	a->ev = ev;
	a->host = host;
	a->key = key;
	a->json = event_to_json(ev, host);
	text = a->json ? json_dumps(a->json, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)
		       : NULL;
	n = text ? asprintf(&line, "%s\n", text) : -1;
	free(text);
	if (n < 0) {
		json_decref(a->json);
		return -ENOMEM;
	}
	a->line = line;
	a->line_len = (size_t)n - 1;
	return 0;
}

static void alert_free(struct alert *a)
{
	json_decref(a->json);
	free((char *)a->line);
}

void sink_set_emit(struct sink_set *s, const struct event *ev)
{
	/* A group in maintenance: its events are recorded, its alerts held (but the start's). */
	bool held = ev->maint_until && ev->type != EV_MAINTENANCE_STARTED;
	struct alert a;
	char key[320];
	bool taken = false;

	if (alert_render(&a, ev, s->env.host, key, sizeof(key)) < 0) {
		log_err("out of memory rendering event %" PRIu64, ev->seq);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (sink_wants(s->v[i], ev) && !(held && sink_tells(s->v[i]))) {
			s->v[i]->ops->deliver(s->v[i], &a);
			taken = true;
		}
	}
	/* Not one meant for someone else (SNMP's reminders): that one reaches somebody. */
	if (s->unconfigured && taken && event_severity(ev) >= SEV_WARNING) {
		const char *msg = json_string_value(json_object_get(a.json, "message"));

		log_warn("no sink configured, nobody notified: %s", msg ? msg : "?");
	}
	alert_free(&a);
	/*
	 * The schedule follows the groups' announcement times, and a vanished
	 * group's goes only once every subscriber saw it: look again on the
	 * next iteration.
	 */
	if (s->remind_timer && (ev->type == EV_GROUP_APPEARED || ev->type == EV_HEALTH_CHANGED ||
				ev->type == EV_GROUP_VANISHED || ev->type == EV_PROBE_FAILED ||
				ev->type == EV_MAINTENANCE_ENDED))
		loop_timer_arm(s->remind_timer, 0);
}

void sink_set_scanned(struct sink_set *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		if (s->v[i]->ops->scanned)
			s->v[i]->ops->scanned(s->v[i]);
	}
}

/* Work in flight that a clean stop should let finish (a hook running, a POST). */
static bool sink_set_busy(const struct sink_set *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const struct sink *k = s->v[i];

		if (k->ops->busy && k->ops->busy(k))
			return true;
	}
	return s && s->retired && sink_set_busy(s->retired);
}

void sink_set_flush(struct sink_set *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		if (s->v[i]->ops->flush)
			s->v[i]->ops->flush(s->v[i]);
	}
}

void sink_set_drain(struct sink_set *s, uint64_t timeout_ms)
{
	uint64_t deadline = mono_ms() + timeout_ms;

	sink_set_flush(s);
	if (sink_set_busy(s))
		log_notice("waiting up to %llu ms for alerts in flight",
			   (unsigned long long)timeout_ms);
	while (sink_set_busy(s) && mono_ms() < deadline) {
		if (loop_run_once(s->env.loop, 100) < 0)
			break;
	}
	if (sink_set_busy(s))
		log_warn("stopping with alerts still in flight (webhook alerts stay spooled)");
}

/* --- reload ---------------------------------------------------------------- */

void sink_set_free(struct sink_set *s)
{
	if (!s)
		return;
	sink_set_free(s->retired);
	for (size_t i = 0; i < s->n; i++)
		sink_free(s->v[i]);
	loop_timer_free(s->remind_timer);
	loop_timer_free(s->reap_timer);
	free(s->v);
	free(s);
}

/* A retired set frees itself once its last hook run is done. */
static void on_reap_check(void *ctx)
{
	struct sink_set *s = ctx;

	if (sink_set_busy(s)) {
		loop_timer_arm(s->reap_timer, REAP_CHECK_MS);
		return;
	}
	if (s->adopter)
		s->adopter->retired = s->retired;
	if (s->retired)
		s->retired->adopter = s->adopter;
	s->retired = NULL;
	sink_set_free(s);
}

void sink_set_retire(struct sink_set *next, struct sink_set *old)
{
	if (!old)
		return;
	for (size_t i = 0; i < old->n; i++) {
		struct sink *k = old->v[i];

		loop_timer_free(k->heartbeat);
		k->heartbeat = NULL;
		if (k->ops->flush)
			k->ops->flush(k);
		if (k->ops->retire)
			k->ops->retire(k);
	}
	loop_timer_free(old->remind_timer);
	old->remind_timer = NULL;
	if (!sink_set_busy(old) ||
	    loop_timer_new(old->env.loop, on_reap_check, old, &old->reap_timer) < 0 ||
	    loop_timer_arm(old->reap_timer, REAP_CHECK_MS) < 0) {
		/* Idle (or no timer to wait with): go now; a running hook is killed. */
		struct sink_set *older = old->retired;

		old->retired = NULL;
		sink_set_free(old);
		old = older;
	}
	/* One generation waits at most: a run still queued two reloads ago is killed. */
	if (old && old->retired) {
		sink_set_free(old->retired);
		old->retired = NULL;
	}
	if (old)
		old->adopter = next;
	sink_set_free(next->retired);
	next->retired = old;
}

/* --- test-alert ------------------------------------------------------------ */

int sink_set_test(struct sink_set *s, const char *only, const struct event *ev, FILE *out)
{
	uint64_t wait_ms = 0, deadline;
	size_t failed = 0;
	bool chosen = false, pending;
	struct alert a;
	char key[320];

	for (size_t i = 0; i < s->n; i++) {
		struct sink *k = s->v[i];

		k->test_started = !only || strcmp(only, k->name) == 0;
		chosen = chosen || k->test_started;
		if (k->test_started && k->timeout_ms > wait_ms)
			wait_ms = k->timeout_ms;
	}
	if (!chosen)
		return -ENOENT;
	if (alert_render(&a, ev, s->env.host, key, sizeof(key)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i]->test_started)
			s->v[i]->ops->test(s->v[i], &a);
	}
	deadline = mono_ms() + wait_ms + 1000;
	do {
		pending = false;
		for (size_t i = 0; i < s->n; i++)
			pending = pending || (s->v[i]->test_started && !s->v[i]->test_finished);
	} while (pending && mono_ms() < deadline && loop_run_once(s->env.loop, 100) == 0);
	for (size_t i = 0; i < s->n; i++) {
		struct sink *k = s->v[i];

		if (!k->test_started)
			continue;
		if (!k->test_finished)
			snprintf(k->test_why, sizeof(k->test_why), "no result within %llu ms",
				 (unsigned long long)k->timeout_ms);
		if (k->test_finished && k->test_rc == 0) {
			fprintf(out, "%s: ok\n", k->name);
		} else {
			fprintf(out, "%s: FAILED: %s\n", k->name, k->test_why);
			failed++;
		}
	}
	alert_free(&a);
	return (int)failed;
}
