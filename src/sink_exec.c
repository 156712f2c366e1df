/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child processes without a shell, and the two sinks built on them: exec
 * hooks and mail.
 *
 * A job runs with posix_spawn(): argv[0] is an absolute path that only root
 * or we can have put there (trusted_path.h, checked before every run), the
 * arguments and environment are strings handed to execve() as they are, so a
 * device name holding quotes or "$(...)" reaches the program intact and is
 * never interpreted; names are escaped to one line (a newline as \x0A), as
 * in the JSON.  The child gets a clean signal state, its own process group
 * (the timeout kills its children too), the alert on standard input, a pipe
 * for its output, and no other descriptor of ours.  The loop learns of its
 * exit through a pidfd; standard input is written without blocking.  A sink
 * runs one job at a time, in order, from a bounded queue.
 *
 * The hook sink is mdadm's PROGRAM and smartd's -M exec: argv is
 * (event, group, member), the environment carries every field as REDMON_*,
 * and standard input the JSON event.
 *
 * Mail goes through the local sendmail program (`sendmail -t -oi`, as mdadm's
 * MAILADDR and smartd's -m do).  The events of one group that arrive within
 * the sink's burst window go as one mail (a failing disk brings
 * health_changed, member_changed and rebuild_started together: one mail to
 * read, not three); a stop or a reload sends what waits (mail_flush()).  The
 * text is mail_render.c's.  Headers never carry raw names: whatever is
 * built from a host, group or member name (the subject, the idempotency key)
 * is escaped to one line (and MIME-encoded when not ASCII), so a name with a
 * newline cannot add a header; mail_to and mail_from hold no control
 * character (config.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"
#include "mail_render.h"
#include "mail_smtp.h"
#include "sink.h"

#define KILL_GRACE_MS 2000
#define OUTPUT_KEPT   1024
#define BURST_MAX     50 /* events a mail: a burst that fills up goes at once */
#define HOOK_PATH     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* One run of a program: argv[0] an absolute path, input for its standard input. */
struct job {
	char **argv; /* NULL-terminated, owned */
	char **envp; /* NULL-terminated, owned */
	char *input; /* owned */
	size_t input_len;
	bool test;
	struct job *next;
};

struct child {
	struct runner *r;
	struct job *job;
	pid_t pid;
	int pidfd, in_fd, out_fd;
	size_t in_off;
	char out[OUTPUT_KEPT];
	size_t out_len;
	struct loop_timer *timer;
	bool term_sent;
	uint64_t started;
};

/* The queue of a sink's jobs and the one running. */
struct runner {
	struct sink *k;
	struct job *head, **tail;
	size_t n, max;
	struct child *running;
};

/* --- jobs -------------------------------------------------------------------- */

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	strv_free(j->argv);
	strv_free(j->envp);
	free(j->input);
	free(j);
}

/* Append s (taken) to the NULL-terminated vector *v (NULL: empty). */
static int strv_push(char ***v, char *s)
{
	size_t n = 0;
	char **nv;

	if (!s)
		return -ENOMEM;
	while (*v && (*v)[n])
		n++;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

/* Append one argument (one_line: a name, escaped as job_setenv() writes values). */
static int job_arg(struct job *j, const char *arg, bool one_line)
{
	return strv_push(&j->argv, one_line ? text_one_line_dup(arg) : strdup(arg));
}

/* Append "NAME=value" (value as text_one_line_dup() writes it); 0 or -ENOMEM. */
static int job_setenv(struct job *j, const char *name, const char *value)
{
	char *s, *text;
	int n;

	if (!value)
		return 0;
	text = text_one_line_dup(value);
	n = text ? asprintf(&s, "%s=%s", name, text) : -1;
	free(text);
	return strv_push(&j->envp, n < 0 ? NULL : s);
}

/* --- one child --------------------------------------------------------------- */

/* Stop watching *fd and close it (-1: nothing to do). */
static void unwatch(struct child *c, int *fd)
{
	if (*fd < 0)
		return;
	loop_del(sink_env(c->r->k)->loop, *fd);
	close(*fd);
	*fd = -1;
}

static void child_free(struct child *c)
{
	unwatch(c, &c->pidfd);
	unwatch(c, &c->in_fd);
	unwatch(c, &c->out_fd);
	loop_timer_free(c->timer);
	job_free(c->job);
	free(c);
}

static void kill_group(pid_t pid, int sig)
{
	kill(-pid, sig);
	kill(pid, sig); /* in case it left our process group */
}

/* Keep the first OUTPUT_KEPT bytes of what the child prints; drain the rest. */
static void on_output(void *ctx, int fd, uint32_t revents)
{
	struct child *c = ctx;
	char buf[4096];
	size_t room;
	ssize_t n;

	(void)fd;
	(void)revents;
	while (c->out_fd >= 0) {
		n = read(c->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				unwatch(c, &c->out_fd);
			return;
		}
		room = sizeof(c->out) - 1 - c->out_len;
		if ((size_t)n < room)
			room = (size_t)n;
		memcpy(c->out + c->out_len, buf, room);
		c->out_len += room;
	}
}

/* Write what is left of the input; close the pipe when done (or the child stopped reading). */
static void on_input(void *ctx, int fd, uint32_t revents)
{
	struct child *c = ctx;
	struct job *j = c->job;

	(void)fd;
	(void)revents;
	while (c->in_off < j->input_len) {
		ssize_t n = write(c->in_fd, j->input + c->in_off, j->input_len - c->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break; /* EPIPE: the program does not read its input; its business */
		c->in_off += (size_t)n;
	}
	unwatch(c, &c->in_fd);
}

static void runner_pump(struct runner *r);

/* How a run ended, in words: exit status, signal or timeout, then the first line it printed. */
static int describe(struct child *c, int status, char *buf, size_t len)
{
	char how[128], out[300];
	int rc = 0;

	if (c->term_sent) {
		snprintf(how, sizeof(how), "timed out after %.1fs (killed)",
			 (double)c->r->k->timeout_ms / 1000);
		rc = -ETIMEDOUT;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(how, sizeof(how), "exited 0");
	} else if (WIFEXITED(status)) {
		snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(status));
		rc = -EIO;
	} else {
		snprintf(how, sizeof(how), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		rc = -EINTR;
	}
	/* c->out is zeroed past out_len: its first line ends at a newline or a NUL. */
	c->out[strcspn(c->out, "\n")] = 0;
	text_one_line(c->out, out, sizeof(out));
	snprintf(buf, len, "%s%s%s", how, *out ? ": " : "", out);
	return rc;
}

static void child_finish(struct child *c, int status)
{
	struct runner *r = c->r;
	struct sink *k = r->k;
	char why[512], what[400], line[1024];
	bool test = c->job->test;
	int rc;

	on_output(c, c->out_fd, 0);
	rc = describe(c, status, why, sizeof(why));
	snprintf(what, sizeof(what), "%s (%s)", c->job->argv[0], c->job->argv[1]);
	snprintf(line, sizeof(line), "%s %s", what, why);
	if (rc == 0)
		log_info("sink %s: %s exited 0 after %" PRIu64 " ms", k->name, what,
			 mono_ms() - c->started);
	r->running = NULL;
	child_free(c);
	if (test)
		sink_test_done(k, rc, why);
	else
		sink_result(k, rc, true, line);
	runner_pump(r);
}

static void on_exit_fd(void *ctx, int fd, uint32_t revents)
{
	struct child *c = ctx;
	int status = 0;
	pid_t p;

	(void)fd;
	(void)revents;
	do
		p = waitpid(c->pid, &status, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == 0)
		return; /* not yet: the pidfd says so only once it has exited */
	child_finish(c, status);
}

static void on_timeout(void *ctx)
{
	struct child *c = ctx;

	if (!c->term_sent) {
		c->term_sent = true;
		kill_group(c->pid, SIGTERM);
		loop_timer_arm(c->timer, KILL_GRACE_MS);
		return;
	}
	kill_group(c->pid, SIGKILL);
}

/*
 * Start j with the pipes as standard input, output and error and no other
 * descriptor (the daemon holds some without O_CLOEXEC: libraries' sockets, a
 * webhook's connection), in a process group of its own, with the signals the
 * daemon blocks or ignores back at default; 0 or -errno.
 */
static int child_spawn(const struct job *j, int in, int out, pid_t *ret_pid)
{
	static const int sigs[] = { SIGPIPE, SIGTERM, SIGINT,  SIGHUP, SIGCHLD,
				    SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&def, sigs[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(ret_pid, j->argv[0], &fa, &at, j->argv, j->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -rc;
}

/*
 * Start job j (taken on success); 0 or -errno with why filled.  The program
 * is checked again right before: its path may have changed since the sink
 * opened, and it runs with our privileges.
 */
static int child_start(struct runner *r, struct job *j, struct child **ret, char *why,
		       size_t whylen)
{
	struct loop *l = sink_env(r->k)->loop;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	struct child *c;
	int rc;

	rc = sink_check_program(NULL, j->argv[0], why, whylen);
	if (rc < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->r = r;
	c->pidfd = -1;
	rc = pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ? -errno : 0;
	c->in_fd = in[1];
	c->out_fd = out[0];
	if (rc == 0)
		rc = child_spawn(j, in[0], out[1], &c->pid);
	/* The child's ends (closing -1 after a failed pipe2() is harmless). */
	close(in[0]);
	close(out[1]);
	if (rc < 0) {
		child_free(c);
		return rc;
	}
	c->started = mono_ms();
	c->pidfd = pidfd_open(c->pid, 0);
	if (c->pidfd < 0 || fcntl(c->in_fd, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(c->out_fd, F_SETFL, O_NONBLOCK) < 0)
		rc = -errno;
	if (rc == 0)
		rc = loop_add(l, c->pidfd, EPOLLIN, on_exit_fd, c);
	if (rc == 0)
		rc = loop_add(l, c->out_fd, EPOLLIN, on_output, c);
	if (rc == 0)
		rc = loop_add(l, c->in_fd, EPOLLOUT, on_input, c);
	if (rc == 0)
		rc = loop_timer_new(l, on_timeout, c, &c->timer);
	if (rc == 0)
		rc = loop_timer_arm(c->timer, r->k->timeout_ms);
	if (rc < 0) {
		kill_group(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		child_free(c);
		return rc;
	}
	c->job = j;
	on_input(c, c->in_fd, EPOLLOUT);
	*ret = c;
	return 0;
}

/* --- the runner: one job at a time, in order ------------------------------- */

static struct job *runner_pop(struct runner *r)
{
	struct job *j = r->head;

	if (j) {
		r->head = j->next;
		if (!r->head)
			r->tail = &r->head;
		j->next = NULL;
		r->n--;
	}
	return j;
}

static void runner_pump(struct runner *r)
{
	struct job *j;

	while (!r->running && (j = runner_pop(r))) {
		char why[800] = "";
		bool test = j->test;
		int rc = child_start(r, j, &r->running, why, sizeof(why));

		if (rc == 0)
			break;
		if (!*why)
			snprintf(why, sizeof(why), "cannot run %s: %s", j->argv[0], strerror(-rc));
		job_free(j);
		if (test)
			sink_test_done(r->k, rc, why);
		else
			sink_result(r->k, rc, true, why);
	}
	if (r->n < r->max)
		sink_overflow_end(r->k);
}

/* Queue job (taken) and start it when nothing runs; the oldest queued is dropped when full. */
static void runner_push(struct runner *r, struct job *j)
{
	if (r->n >= r->max) {
		job_free(runner_pop(r));
		sink_overflow(r->k, 1);
	}
	*r->tail = j;
	r->tail = &j->next;
	r->n++;
	runner_pump(r);
}

/* Free the queue and kill what runs. */
static void runner_stop(struct runner *r)
{
	struct job *j;

	while ((j = runner_pop(r)))
		job_free(j);
	if (r->running) {
		struct child *c = r->running;

		kill_group(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		child_free(c);
	}
}

/* --- the sinks: exec and mail ----------------------------------------------- */

struct program_sink {
	struct runner runner;
	char *program;		/* the hook, or sendmail */
	char *to;		/* mail only */
	char *from;		/* mail only; NULL: sendmail's default */
	uint64_t burst_ms;	/* mail only; 0: a mail per event */
	struct burst *bursts;	/* mail only: groups' mails waiting for their window's end */
	struct mail_smtp *smtp; /* mail by SMTP (smtp_url) instead of sendmail; NULL: sendmail */
};

static void bursts_free(struct program_sink *p);

static void program_close(struct sink *k)
{
	struct program_sink *p = k->priv;

	bursts_free(p);
	runner_stop(&p->runner);
	mail_smtp_free(p->smtp);
	free(p->program);
	free(p->to);
	free(p->from);
	free(p);
}

/* The program is checked now (a typo is an error at start) and again before each run. */
static int program_open(struct sink *k, const struct cfg_sink *set, char *err, size_t errlen)
{
	struct program_sink *p = calloc(1, sizeof(*p));
	bool mail = k->type == SINK_MAIL;
	const char *from = mail ? set->mail.from : NULL;
	unsigned queue_max = mail ? set->mail.queue_max : set->exec.queue_max;

	if (!p)
		return -ENOMEM;
	k->priv = p;
	k->timeout_ms = mail ? set->mail.timeout_ms : set->exec.timeout_ms;
	p->runner = (struct runner){ .k = k, .max = queue_max ? queue_max : 1 };
	p->runner.tail = &p->runner.head;
	p->program = strdup(mail ? set->mail.sendmail : set->exec.command);
	p->to = mail ? strdup(set->mail.to) : NULL;
	p->from = from ? strdup(from) : NULL;
	p->burst_ms = mail ? set->mail.burst_ms : 0;
	if (!p->program || (mail && !p->to) || (from && !p->from))
		return -ENOMEM;
	if (mail && set->mail.smtp_url)
		return mail_smtp_new(k, set->mail.smtp_url, from, p->to, queue_max, &p->smtp, err,
				     errlen);
	if (access(p->program, X_OK) < 0)
		return errbuf_set(err, errlen, -errno, "sink %s: %s%s: %s%s", k->name,
				  mail ? "" : "command ", p->program, strerror(errno),
				  mail ? " (install a mail transfer agent, or set sendmail)" : "");
	return sink_check_program(k->name, p->program, err, errlen);
}

static int setenv_num(struct job *j, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return job_setenv(j, name, buf);
}

static int setenv_time(struct job *j, const char *name, const struct timespec *t)
{
	char buf[40];

	format_utc_ms(t, buf, sizeof(buf));
	return job_setenv(j, name, buf);
}

static int group_env(struct job *j, const struct group *g)
{
	char buf[32];
	int rc = 0;

	rc |= job_setenv(j, "REDMON_GROUP", g->id);
	rc |= job_setenv(j, "REDMON_GROUP_NAME", g->name);
	rc |= job_setenv(j, "REDMON_GROUP_KIND", g->kind);
	rc |= job_setenv(j, "REDMON_GROUP_TYPE", g->type);
	rc |= job_setenv(j, "REDMON_HEALTH", health_name(g->health));
	if (margin_shown(g) >= 0)
		rc |= setenv_num(j, "REDMON_MARGIN", margin_shown(g));
	rc |= setenv_num(j, "REDMON_MARGIN_NOMINAL", g->margin_nominal);
	if (g->members_total >= 0)
		rc |= setenv_num(j, "REDMON_MEMBERS_TOTAL", g->members_total);
	if (g->members_ok >= 0)
		rc |= setenv_num(j, "REDMON_MEMBERS_OK", g->members_ok);
	rc |= setenv_num(j, "REDMON_MEMBERS_FAILED", g->members_failed);
	rc |= setenv_num(j, "REDMON_SPARES", g->spares);
	rc |= job_setenv(j, "REDMON_ACTIVITY", activity_name(g->activity));
	if (g->progress >= 0) {
		snprintf(buf, sizeof(buf), "%.1f", g->progress);
		rc |= job_setenv(j, "REDMON_PROGRESS", buf);
	}
	rc |= job_setenv(j, "REDMON_REASON", g->reason);
	return rc;
}

static const char *role_or_absent(int role)
{
	return role == ROLE_ABSENT ? "absent" : role_name((enum redmon_role)role);
}

/* disk_health_changed and second_failure_risk: the disk, and the member at risk. */
static int disk_env(struct job *j, const struct event *ev)
{
	int rc = 0;

	if (ev->disk) {
		rc |= job_setenv(j, "REDMON_DISK", ev->disk->device);
		rc |= job_setenv(j, "REDMON_DISK_HEALTH", risk_name(ev->disk->health));
		rc |= job_setenv(j, "REDMON_DISK_REASON", ev->disk->reason);
	}
	if (ev->type == EV_DISK_HEALTH_CHANGED && ev->disk_prev_health != REDMON_RISK_NONE)
		rc |= job_setenv(j, "REDMON_PREVIOUS_DISK_HEALTH",
				 risk_name((enum redmon_risk)ev->disk_prev_health));
	if (ev->type == EV_SECOND_FAILURE_RISK) {
		rc |= job_setenv(j, "REDMON_MEMBER", ev->member_name);
		rc |= job_setenv(j, "REDMON_RESOLVED", ev->resolved ? "yes" : "no");
	}
	return rc;
}

/* Who acknowledged, or put in maintenance, the group (redmon ack, redmon maintenance). */
static int operator_env(struct job *j, const struct event *ev)
{
	struct timespec t;
	int rc = job_setenv(j, "REDMON_BY", ev->by);

	if (ev->ack_time) {
		t = (struct timespec){ .tv_sec = ev->ack_time / 1000 };
		rc |= job_setenv(j, "REDMON_ACK_BY", ev->ack_by);
		rc |= job_setenv(j, "REDMON_ACK_COMMENT", ev->ack_comment);
		rc |= setenv_time(j, "REDMON_ACK_TIME", &t);
	}
	if (ev->maint_until) {
		t = (struct timespec){ .tv_sec = ev->maint_until / 1000 };
		rc |= job_setenv(j, "REDMON_MAINTENANCE_BY", ev->maint_by);
		rc |= setenv_time(j, "REDMON_MAINTENANCE_UNTIL", &t);
	}
	return rc;
}

/*
 * Every field of the event as REDMON_*, each on one line: a name's newline
 * must not forge a line in whatever log the hook writes (job_setenv()).
 */
static int event_env(struct job *j, const struct alert *a)
{
	const struct event *ev = a->ev;
	char msg[1024], buf[40];
	int rc = 0;

	event_message(ev, msg, sizeof(msg));
	rc |= strv_push(&j->envp, strdup(HOOK_PATH));
	rc |= job_setenv(j, "REDMON_VERSION", "1");
	rc |= setenv_num(j, "REDMON_SEQ", (long long)ev->seq);
	rc |= setenv_time(j, "REDMON_TIME", &ev->time);
	rc |= job_setenv(j, "REDMON_HOST", a->host);
	rc |= job_setenv(j, "REDMON_EVENT", event_type_name(ev->type));
	rc |= job_setenv(j, "REDMON_SEVERITY", event_severity_name(event_severity(ev)));
	rc |= job_setenv(j, "REDMON_PROBE", ev->probe);
	rc |= job_setenv(j, "REDMON_MESSAGE", msg);
	rc |= job_setenv(j, "REDMON_IDEMPOTENCY_KEY", a->key);
	rc |= job_setenv(j, "REDMON_ERROR", ev->error);
	rc |= job_setenv(j, "REDMON_SINK", ev->sink);
	if (ev->type == EV_SPOF_FOUND)
		rc |= job_setenv(j, "REDMON_SPOF", ev->spof); /* one line, as every value */
	rc |= operator_env(j, ev);
	if (ev->group)
		rc |= group_env(j, ev->group);
	if (ev->type == EV_HEALTH_CHANGED) {
		rc |= job_setenv(j, "REDMON_PREVIOUS_HEALTH", health_name(ev->prev_health));
		if (ev->prev_margin >= 0)
			rc |= setenv_num(j, "REDMON_PREVIOUS_MARGIN", ev->prev_margin);
	}
	if (ev->type == EV_REBUILD_FINISHED) {
		rc |= job_setenv(j, "REDMON_PREVIOUS_ACTIVITY", activity_name(ev->prev_activity));
		if (ev->prev_progress >= 0) {
			snprintf(buf, sizeof(buf), "%.1f", ev->prev_progress);
			rc |= job_setenv(j, "REDMON_PREVIOUS_PROGRESS", buf);
		}
	}
	if (ev->type == EV_MEMBER_CHANGED) {
		rc |= job_setenv(j, "REDMON_MEMBER", ev->member_name);
		rc |= job_setenv(j, "REDMON_MEMBER_ROLE", role_or_absent(ev->member_role));
		rc |= job_setenv(j, "REDMON_MEMBER_PREVIOUS_ROLE",
				 role_or_absent(ev->member_prev_role));
		rc |= job_setenv(j, "REDMON_MEMBER_STATE", ev->member_state);
	}
	rc |= disk_env(j, ev);
	/* scrub_overdue, scrub_found_errors: the age and the findings the message sums up */
	if ((ev->type == EV_SCRUB_OVERDUE || ev->type == EV_SCRUB_FOUND_ERRORS) && ev->group) {
		if (ev->group->scrub_last > 0) {
			struct timespec t = { .tv_sec = (time_t)ev->group->scrub_last };

			rc |= setenv_time(j, "REDMON_LAST_SCRUB", &t);
			rc |= setenv_num(j, "REDMON_SCRUB_AGE_S",
					 (long long)ev->group->scrub_age_s);
		}
		rc |= job_setenv(j, "REDMON_SCRUB_FOUND", ev->group->scrub_found);
	}
	if (ev->type == EV_SINK_FAILED || ev->type == EV_SINK_RECOVERED)
		rc |= setenv_num(j, "REDMON_FAILURES", (long long)ev->count);
	if (ev->type == EV_SPOOL_OVERFLOW)
		rc |= setenv_num(j, "REDMON_DROPPED", (long long)ev->count);
	if (ev->type == EV_REMINDER) {
		rc |= setenv_num(j, "REDMON_REMINDER", ev->reminder);
		rc |= setenv_time(j, "REDMON_REMINDER_SINCE", &ev->since);
	}
	if (ev->summary) {
		rc |= setenv_num(j, "REDMON_SUMMARY_GROUPS", (long long)ev->summary->groups);
		rc |= job_setenv(j, "REDMON_SUMMARY_WORST", health_name(ev->summary->worst));
	}
	return rc ? -ENOMEM : 0;
}

/* argv (command, event, group, member), the environment and the JSON line on stdin. */
static int hook_job(struct job *j, const char *command, const struct alert *a)
{
	const struct event *ev = a->ev;

	j->input = strdup(a->line);
	j->input_len = a->line_len + 1;
	if (!j->input || job_arg(j, command, false) < 0 ||
	    job_arg(j, event_type_name(ev->type), false) < 0 ||
	    job_arg(j, ev->group ? ev->group->id : "", true) < 0 ||
	    job_arg(j, ev->member_name, true) < 0 || event_env(j, a) < 0)
		return -ENOMEM;
	return 0;
}

/* RFC 2047 "B" encoding for a header holding UTF-8, in one encoded word per chunk. */
static void put_encoded(FILE *f, const char *s)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i = 0;

	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	if (i == n) {
		fputs(s, f);
		return;
	}
	/* 45 bytes a word keeps each line under 78 characters; cut only between characters. */
	for (i = 0; i < n;) {
		size_t chunk = n - i < 45 ? n - i : 45;

		while (chunk < n - i && ((unsigned char)s[i + chunk] & 0xc0) == 0x80)
			chunk--;
		fputs(i ? "\n =?UTF-8?B?" : "=?UTF-8?B?", f); /* sendmail -t takes LF */
		for (size_t j = 0; j < chunk; j += 3) {
			unsigned v = (unsigned char)s[i + j] << 16;
			size_t left = chunk - j;

			if (left > 1)
				v |= (unsigned char)s[i + j + 1] << 8;
			if (left > 2)
				v |= (unsigned char)s[i + j + 2];
			fputc(b64[(v >> 18) & 63], f);
			fputc(b64[(v >> 12) & 63], f);
			fputc(left > 1 ? b64[(v >> 6) & 63] : '=', f);
			fputc(left > 2 ? b64[v & 63] : '=', f);
		}
		fputs("?=", f);
		i += chunk;
	}
}

/*
 * A mail being put together: the events of one group within the sink's
 * burst window (or a single event), each rendered when it arrived.  The
 * subject says the worst severity and what the last event left the group
 * in; the idempotency key is the first event's.
 */
struct burst {
	struct sink *k;
	char *group; /* its id; NULL: an event without a group */
	struct mail_part *parts;
	size_t n;
	enum event_severity worst;
	char subject[600]; /* one line, raw UTF-8 */
	char *group_text;  /* as the last event left the group */
	char key[320];	   /* the first event's */
	uint64_t seq;	   /* the first event's: the mail's name in an SMTP spool */
	enum event_type last_type;
	struct loop_timer *timer; /* the window's end */
	struct burst *next;
};

static void burst_free(struct burst *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		mail_part_clear(&b->parts[i]);
	free(b->parts);
	free(b->group_text);
	free(b->group);
	loop_timer_free(b->timer);
	free(b);
}

/* Close's end: pending bursts are dropped (a stop drains them first: mail_flush()). */
static void bursts_free(struct program_sink *p)
{
	while (p->bursts) {
		struct burst *b = p->bursts;

		p->bursts = b->next;
		burst_free(b);
	}
}

/* Add a's event to b; 0 or -ENOMEM (b unchanged but for what it held). */
static int burst_add(struct burst *b, const struct alert *a)
{
	struct mail_part *v = realloc(b->parts, (b->n + 1) * sizeof(*v)), part;
	char *text;

	if (!v)
		return -ENOMEM;
	b->parts = v;
	if (mail_part_new(a, &part) < 0)
		return -ENOMEM;
	if (mail_group_text(a->ev, &text) < 0) {
		mail_part_clear(&part);
		return -ENOMEM;
	}
	v[b->n] = part;
	if (b->n == 0 || v[b->n].severity > b->worst)
		b->worst = v[b->n].severity;
	if (b->n == 0) {
		text_one_line(a->key, b->key, sizeof(b->key));
		b->seq = a->ev->seq;
	}
	b->n++;
	free(b->group_text);
	b->group_text = text;
	b->last_type = a->ev->type;
	mail_subject(a->ev, b->worst, a->host, b->subject, sizeof(b->subject));
	return 0;
}

/*
 * The message of b into *ret (len *ret_len, LF line ends): the headers
 * naming the recipients (sendmail -t reads them; by SMTP they are the
 * envelope's too), a text body, the JSON.  0 or -ENOMEM (*ret freed).
 */
static int render_mail(char **ret, size_t *ret_len, const struct program_sink *m,
		       const struct burst *b)
{
	const char *host = sink_env(b->k)->host;
	char date[64];
	FILE *f = open_memstream(ret, ret_len);
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	if (!f)
		return -ENOMEM;
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	fprintf(f, "To: %s\n", m->to);
	if (m->from)
		fprintf(f, "From: %s\n", m->from);
	else if (m->smtp) /* sendmail adds one; by SMTP the envelope sender says it */
		fprintf(f, "From: %s\n", mail_smtp_sender(m->smtp));
	if (m->smtp) /* sendmail adds one too: unique by host, sequence and time */
		fprintf(f, "Message-ID: <redmon.%llu.%lld%s\n", (unsigned long long)b->seq,
			(long long)wall_ms(), strchr(mail_smtp_sender(m->smtp), '@'));
	fputs("Subject: ", f);
	put_encoded(f, b->subject);
	fprintf(f,
		"\nDate: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n"
		"X-Redmon-Event: %s\nX-Redmon-Idempotency-Key: ",
		date, event_type_name(b->last_type));
	put_encoded(f, b->key);
	fputs("\n\n", f);
	rc = mail_body(f, b->parts, b->n, b->group, b->group_text, host);
	if (fclose(f) == 0 && rc == 0)
		return 0;
	free(*ret);
	*ret = NULL;
	return -ENOMEM;
}

static int mail_job(struct job *j, const struct program_sink *m, const struct burst *b)
{
	if (job_arg(j, m->program, false) < 0 || job_arg(j, "-t", false) < 0 ||
	    job_arg(j, "-oi", false) < 0 ||
	    job_setenv(j, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		return -ENOMEM;
	return render_mail(&j->input, &j->input_len, m, b);
}

/* A job that could not be built: reported at once. */
static void job_failed(struct sink *k, bool test)
{
	if (test)
		sink_test_done(k, -ENOMEM, "out of memory");
	else
		sink_result(k, -ENOMEM, true,
			    k->type == SINK_MAIL ? "out of memory preparing a mail"
						 : "out of memory preparing the hook");
}

/* Queue the mail of b (freed), or report why it cannot go. */
/* By SMTP: spooled, then sent (test-alert: sent now); b is freed. */
static void burst_send_smtp(struct sink *k, struct burst *b, bool test)
{
	struct program_sink *p = k->priv;
	char *msg = NULL;
	size_t len = 0;

	if (render_mail(&msg, &len, p, b) < 0) {
		burst_free(b);
		job_failed(k, test);
		return;
	}
	if (test)
		mail_smtp_test(p->smtp, msg, len);
	else
		mail_smtp_queue(p->smtp, b->seq, msg, len);
	free(msg);
	burst_free(b);
}

static void burst_send(struct sink *k, struct burst *b, bool test)
{
	struct program_sink *p = k->priv;
	struct job *j;

	if (!b->n) { /* its only event did not fit in memory: reported then */
		burst_free(b);
		return;
	}
	if (p->smtp) {
		burst_send_smtp(k, b, test);
		return;
	}
	j = calloc(1, sizeof(*j));

	if (j && mail_job(j, p, b) == 0) {
		j->test = test;
		burst_free(b);
		runner_push(&p->runner, j);
		return;
	}
	job_free(j);
	burst_free(b);
	job_failed(k, test);
}

/* Take b out of the sink's pending bursts. */
static void burst_unlink(struct program_sink *p, struct burst *b)
{
	for (struct burst **at = &p->bursts; *at; at = &(*at)->next) {
		if (*at == b) {
			*at = b->next;
			b->next = NULL;
			return;
		}
	}
}

/* The window closed: the burst goes as one mail. */
static void on_burst_end(void *ctx)
{
	struct burst *b = ctx;
	struct program_sink *p = b->k->priv;

	burst_unlink(p, b);
	burst_send(b->k, b, false);
}

/* The pending burst of group, or a new one whose window starts now; NULL on ENOMEM. */
static struct burst *burst_of(struct sink *k, const char *group)
{
	struct program_sink *p = k->priv;
	struct burst *b;

	for (b = p->bursts; b; b = b->next) {
		if (strcmp(b->group, group) == 0)
			return b;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->k = k;
	b->group = strdup(group);
	if (!b->group || loop_timer_new(sink_env(k)->loop, on_burst_end, b, &b->timer) < 0 ||
	    loop_timer_arm(b->timer, p->burst_ms) < 0) {
		burst_free(b);
		return NULL;
	}
	b->next = p->bursts;
	p->bursts = b;
	return b;
}

/*
 * A mail for a: an event of a group joins the group's burst (a new one opens
 * a window of burst_ms; a full one goes at once); any other event, or every
 * event when burst_ms is 0 or for test-alert, is a mail of its own.
 */
static void mail_run(struct sink *k, const struct alert *a, bool test)
{
	struct program_sink *p = k->priv;
	bool alone = test || !a->ev->group || p->burst_ms == 0;
	struct burst *b = alone ? calloc(1, sizeof(*b)) : burst_of(k, a->ev->group->id);

	if (b && alone)
		b->k = k;
	if (!b || burst_add(b, a) < 0) {
		/* A burst keeps what it had; the event that did not fit is the one lost. */
		if (alone)
			burst_free(b);
		job_failed(k, test);
		return;
	}
	if (alone) {
		burst_send(k, b, test);
	} else if (b->n >= BURST_MAX) {
		burst_unlink(p, b);
		burst_send(k, b, false);
	}
}

/* Send every pending burst now (stop, reload): nothing waits for its window then. */
static void mail_flush(struct sink *k)
{
	struct program_sink *p = k->priv;
	struct burst *b;

	while ((b = p->bursts)) {
		p->bursts = b->next;
		b->next = NULL;
		burst_send(k, b, false);
	}
}

/* Queue a's run (test: for test-alert); a job that cannot be built is reported at once. */
static void program_run(struct sink *k, const struct alert *a, bool test)
{
	struct program_sink *p = k->priv;
	struct job *j;

	if (k->type == SINK_MAIL) {
		mail_run(k, a, test);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (j && hook_job(j, p->program, a) == 0) {
		j->test = test;
		runner_push(&p->runner, j);
		return;
	}
	job_free(j);
	job_failed(k, test);
}

static void program_deliver(struct sink *k, const struct alert *a)
{
	program_run(k, a, false);
}

static void program_test(struct sink *k, const struct alert *a)
{
	program_run(k, a, true);
}

static bool program_busy(const struct sink *k)
{
	const struct program_sink *p = k->priv;

	return p->runner.running || p->runner.head || p->bursts ||
	       (p->smtp && mail_smtp_busy(p->smtp));
}

/* Reload: the next set's sink takes over an SMTP spool (bursts went in before it opened). */
static void mail_retire(struct sink *k)
{
	struct program_sink *p = k->priv;

	if (p->smtp)
		mail_smtp_retire(p->smtp);
}

const struct sink_ops sink_exec_ops = {
	.type = "exec",
	.open = program_open,
	.deliver = program_deliver,
	.test = program_test,
	.busy = program_busy,
	.close = program_close,
};

const struct sink_ops sink_mail_ops = {
	.type = "mail",
	.open = program_open,
	.deliver = program_deliver,
	.test = program_test,
	.busy = program_busy,
	.flush = mail_flush,
	.retire = mail_retire,
	.close = program_close,
};
