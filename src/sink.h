/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sinks deliver events (docs/alerts.md).  Each configured [sink.NAME] becomes
 * one sink of its type behind a small vtable (struct sink_ops): json (JSON
 * Lines), exec (a hook program), webhook (HTTP POST through a durable spool),
 * syslog, mail (through sendmail) and textfile (Prometheus node_exporter).
 * The set is rebuilt on reload.
 *
 * The dispatcher (sink.c) filters events per sink (severity, events meant
 * for one sink), runs the time-based policies (reminders, SNMP's with them;
 * heartbeats), and
 * turns a sink's own trouble into events on the other sinks (sink_failed,
 * sink_recovered, spool_overflow), published on the bus, which delivers
 * them after the event being delivered.  Nothing here blocks the loop: programs
 * run under posix_spawn with a pidfd, HTTP goes through the curl multi
 * interface, syslog through a non-blocking socket.  The process must ignore
 * SIGPIPE (the daemon and test-alert do): a hook may close its input unread.
 */
#ifndef REDMON_SINK_H
#define REDMON_SINK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "event.h"
#include "policy.h"

struct agg;
struct bus;
struct loop;
struct loop_timer;
struct sink_set;

/* What sinks need from their owner; everything borrowed, outliving the set. */
struct sink_env {
	struct loop *loop;
	const char *host;
	/* The announced state: read by reminders, heartbeats and the textfile. */
	const struct agg *agg;
	/* The sinks' own events, reminders and heartbeats go out on it (NULL: test-alert). */
	struct bus *bus;
	const char *state_dir; /* NULL: no state; webhook sinks then need spool_dir */
};

/*
 * Open every sink of cfg (a JSON sink on stdout when none is configured).
 * A webhook sink's spool may hold alerts from before a restart: the bus's
 * sequence is raised past them.  Returns 0 and *ret, or -errno with a message in err
 * (nothing opened then).
 */
int sink_set_open(const struct config *cfg, const struct sink_env *env, struct sink_set **ret,
		  char *err, size_t errlen);

/* Deliver one event to every sink it is meant for. */
void sink_set_emit(struct sink_set *s, const struct event *ev);

/* A probe's scan ended (whether anything changed or not): sinks that follow scans look. */
void sink_set_scanned(struct sink_set *s);

/* At start: say loudly when no configured sink will notify anybody. */
void sink_set_log_reach(const struct sink_set *s);

/* A text identifying the configured sinks (names, types, targets), for the state file. */
void sink_set_fingerprint(const struct config *cfg, char *buf, size_t len);

/*
 * Send at once what sinks hold back (a mail sink's bursts): before a reload
 * opens the next set, so that a spool the next set reads holds them.
 */
void sink_set_flush(struct sink_set *s);

/* Run the loop until no sink is busy, at most timeout_ms (flushing first). */
void sink_set_drain(struct sink_set *s, uint64_t timeout_ms);

/*
 * Reload: old stops taking events and closes what it can at once; hook runs
 * it still has queued finish in the background, owned by next (freed with it
 * at the latest).  Spooled webhook alerts are picked up by next's sinks.
 */
void sink_set_retire(struct sink_set *next, struct sink_set *old);

/*
 * `redmon test-alert`: send ev through every sink (or only the one named),
 * bypassing spools and queues, wait for each result (bounded by the sink's
 * timeout) and print "NAME: ok" or "NAME: FAILED: reason" to out.  Returns
 * the number of failures, or -ENOENT if only names no sink.
 */
int sink_set_test(struct sink_set *s, const char *only, const struct event *ev, FILE *out);

void sink_set_free(struct sink_set *s);

/* --- for the sink types (sink_*.c) -------------------------------------- */

/* One event as every sink may want it, rendered once. */
struct alert {
	const struct event *ev;
	const char *host;
	const char *key;  /* idempotency key "<host>:<seq>" */
	json_t *json;	  /* event_to_json() */
	const char *line; /* json, compact, on one line ending in a newline */
	size_t line_len;  /* without the newline */
};

struct sink;

struct sink_ops {
	const char *type;
	/*
	 * Open with the typed [sink.NAME] settings; 0 or -errno with a message
	 * in err.  What it set in k->priv before failing is freed by close.
	 */
	int (*open)(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen);
	/* Take one alert; report the outcome, now or later, with sink_result(). */
	void (*deliver)(struct sink *k, const struct alert *a);
	/* test-alert: deliver a now, bypassing spool and queue; finish with sink_test_done(). */
	void (*test)(struct sink *k, const struct alert *a);
	/* Optional: work in flight. */
	bool (*busy)(const struct sink *k);
	/* Optional (reload): stop everything except runs already queued. */
	void (*retire)(struct sink *k);
	/* Optional: send at once what waits to be grouped (a stop, a reload). */
	void (*flush)(struct sink *k);
	/* Optional: a probe's scan ended, changed or not (the textfile's freshness). */
	void (*scanned)(struct sink *k);
	void (*close)(struct sink *k);
};

extern const struct sink_ops sink_json_ops, sink_exec_ops, sink_webhook_ops, sink_syslog_ops,
	sink_mail_ops, sink_textfile_ops;

struct sink {
	struct sink_set *set;
	const struct sink_ops *ops;
	char *name;
	enum sink_type type;
	int min_severity;
	struct remind remind;
	uint64_t heartbeat_ms; /* 0: off */
	struct loop_timer *heartbeat;
	uint64_t timeout_ms; /* one delivery at most (test-alert waits that long) */
	unsigned fail_after; /* failures in a row that raise sink_failed */
	uint64_t failures;   /* in a row */
	bool alarmed;	     /* sink_failed raised for this run of failures */
	bool overflowing;    /* dropping alerts now */
	uint64_t dropped;    /* alerts dropped since the sink opened */
	void *priv;
	/* test-alert */
	bool test_started, test_finished;
	int test_rc;
	char test_why[512];
};

const struct sink_env *sink_env(const struct sink *k);

/*
 * A delivery finished: rc 0, or -errno and why, one line as text_one_line()
 * writes it (quote what a peer said through it); the sink_failed event
 * carries the bytes it stands for, escaped once by each output.  Counts failures in a row,
 * logs the first (and each, when every failure loses an alert: lost), and
 * raises sink_failed after fail_after of them, sink_recovered after.
 */
void sink_result(struct sink *k, int rc, bool lost, const char *why);

/*
 * n alerts were dropped from a full spool or queue: the first drop of a run
 * is logged and raises spool_overflow; sink_overflow_end() (room again) logs
 * how many went in all.
 */
void sink_overflow(struct sink *k, uint64_t n);
void sink_overflow_end(struct sink *k);

/* test-alert: the outcome of ops->test. */
void sink_test_done(struct sink *k, int rc, const char *why);

/*
 * The Prometheus text exposition of a's groups (sink_textfile.c), written at
 * now_ms, the last scan at scanned_ms (0: none yet); 0 or -EIO.
 */
int textfile_render(const struct agg *a, const char *host, int64_t now_ms, int64_t scanned_ms,
		    FILE *f);

/*
 * A webhook URL as it may be shown (logs, sink_failed events, test-alert):
 * its userinfo replaced by "***@", its query by "?***" and its fragment by
 * "#***" (secrets), into buf (truncated to len, always terminated).  Scheme,
 * host, port and path stay: they say where the alert went.
 */
void url_redact(const char *url, char *buf, size_t len);

/* t in milliseconds. */
int64_t ts_ms(const struct timespec *t);

/* "text" with control characters and invalid UTF-8 escaped (\xNN), for one-line outputs. */
void text_one_line(const char *s, char *buf, size_t len);
/* The same, whatever the length, in a string the caller frees; NULL on allocation failure. */
char *text_one_line_dup(const char *s);

/*
 * Whether the program of every exec and mail sink of cfg is one only root or
 * we could have put there (trusted_path.h): 0, or -errno with the reason in
 * err.  The sinks check again when they open and before each run; this is
 * for --check-config, which opens none.
 */
int sink_check_programs(const struct config *cfg, char *err, size_t errlen);

/* sink_check_programs() for one program of sink name (NULL: no "sink NAME: " in err). */
int sink_check_program(const char *name, const char *path, char *err, size_t errlen);

#endif
