/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command list and the privileged helper (privhelper.h says why).  The
 * probes register while the daemon is still root (nothing is lost trusting
 * it); once it seals the list the helper trusts nothing it sends: a request
 * names a command by its whole argv and limits, which must equal a listed
 * entry.  Each side keeps its own list; the daemon's maps a probe's ids.
 */
#include "privhelper.h"

#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../plugins/lib/child.h"
#include "errbuf.h"
#include "log.h"
#include "loop_timer.h"
#include "privdrop.h"
#include "probe.h"
#include "trusted_path.h"

/*
 * What RAID and disk tools need, and no more: SCSI pass-through and
 * controller ioctls (CAP_SYS_RAWIO, CAP_SYS_ADMIN), device nodes and files
 * root has closed (CAP_DAC_*).  The bounding set is what each tool runs with.
 */
#define HELPER_CAPS                                                                                \
	((1ull << CAP_SYS_ADMIN) | (1ull << CAP_SYS_RAWIO) | (1ull << CAP_DAC_OVERRIDE) |          \
	 (1ull << CAP_DAC_READ_SEARCH))

/* The daemon's wait for an answer beyond the command's own timeout. */
#define REPLY_SLACK_MS 5000

struct command {
	char *owner; /* the probe that registered it */
	char **argv; /* NULL-terminated, owned */
	size_t argc;
	uint32_t timeout_ms, out_max;
};

struct privhelper {
	pthread_mutex_t lock; /* the list, sealed; the helper's registrations */
	struct command **v;   /* each allocated once: a pointer stays valid while the list grows */
	size_t n;
	bool sealed;

	pthread_mutex_t io; /* one request at a time on sock */
	int sock;	    /* the daemon's end; -1: commands run in-process */
	pid_t pid;
	uint32_t seq;
	bool gone; /* the helper died or misbehaved: commands fail until a restart */
};

int privhelper_new(struct privhelper **ret)
{
	struct privhelper *ph = calloc(1, sizeof(*ph));

	if (!ph)
		return -ENOMEM;
	pthread_mutex_init(&ph->lock, NULL);
	pthread_mutex_init(&ph->io, NULL);
	ph->sock = -1;
	*ret = ph;
	return 0;
}

static void command_free(struct command *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->owner);
	free(c);
}

static struct command *command_new(const char *owner, const char *const argv[], size_t argc,
				   uint32_t timeout_ms, uint32_t out_max)
{
	struct command *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->timeout_ms = timeout_ms;
	c->out_max = out_max;
	c->owner = strdup(owner);
	c->argv = calloc(argc + 1, sizeof(*c->argv));
	if (!c->owner || !c->argv)
		goto fail;
	for (; c->argc < argc; c->argc++) {
		c->argv[c->argc] = strdup(argv[c->argc]);
		if (!c->argv[c->argc])
			goto fail;
	}
	return c;
fail:
	command_free(c);
	return NULL;
}

static bool same_argv(char *const a[], size_t argc, const char *const b[])
{
	size_t i;

	for (i = 0; i < argc; i++) {
		if (!b[i] || strcmp(a[i], b[i]) != 0)
			return false;
	}
	return b[i] == NULL;
}

static int check_command(const char *const argv[], uint32_t timeout_ms, uint32_t out_max,
			 size_t *argc, char *why, size_t whylen)
{
	size_t size = sizeof(struct privhelper_req); /* what argv takes in a request */

	if (!argv || !argv[0] || argv[0][0] != '/')
		return errbuf_set(why, whylen, -EINVAL, "%s: the program must be an absolute path",
				  argv && argv[0] ? argv[0] : "(none)");
	for (*argc = 0; argv[*argc] && *argc <= PRIVHELPER_ARGC_MAX; (*argc)++)
		size += strlen(argv[*argc]) + 1;
	if (*argc > PRIVHELPER_ARGC_MAX || size > PRIVHELPER_REQ_MAX)
		return errbuf_set(why, whylen, -EINVAL, "%s: more than %d arguments or %d bytes",
				  argv[0], PRIVHELPER_ARGC_MAX, PRIVHELPER_REQ_MAX);
	if (timeout_ms > REDMON_CMD_TIMEOUT_MS_MAX || out_max > REDMON_CMD_OUT_MAX_MAX)
		return errbuf_set(why, whylen, -EINVAL, "%s: timeout or output cap over the limit",
				  argv[0]);
	/* Run by root (the helper) or by us: nobody else may be able to replace it. */
	return trusted_path_check(argv[0], geteuid(), why, whylen);
}

/* The index of the entry with this argv and limits (and owner, unless NULL), or -1. */
static int find(const struct privhelper *ph, const char *owner, const char *const argv[],
		uint32_t timeout_ms, uint32_t out_max)
{
	for (size_t i = 0; i < ph->n; i++) {
		const struct command *c = ph->v[i];

		if ((!owner || strcmp(c->owner, owner) == 0) && c->timeout_ms == timeout_ms &&
		    c->out_max == out_max && same_argv(c->argv, c->argc, argv))
			return (int)i;
	}
	return -1;
}

static int append(struct privhelper *ph, const char *owner, const char *const argv[], size_t argc,
		  uint32_t timeout_ms, uint32_t out_max)
{
	struct command **v = realloc(ph->v, (ph->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ph->v = v;
	v[ph->n] = command_new(owner, argv, argc, timeout_ms, out_max);
	if (!v[ph->n])
		return -ENOMEM;
	return (int)ph->n++;
}

/* ---- the helper's side ---- */

/*
 * Split a request into *req and argv (PRIVHELPER_ARGC_MAX + 1 slots): a known
 * op, exactly argc strings (none for SEAL only), nothing after.  0 or -EBADMSG.
 */
static int parse_request(char *buf, size_t len, struct privhelper_req *req, const char **argv)
{
	size_t off = sizeof(*req);

	if (len < sizeof(*req))
		return -EBADMSG;
	memcpy(req, buf, sizeof(*req));
	if (req->argc > PRIVHELPER_ARGC_MAX ||
	    (req->op == PRIVHELPER_OP_SEAL) != (req->argc == 0) || req->op < PRIVHELPER_OP_ADD ||
	    req->op > PRIVHELPER_OP_RUN)
		return -EBADMSG;
	for (uint32_t i = 0; i < req->argc; i++) {
		char *nul = off < len ? memchr(buf + off, 0, len - off) : NULL;

		if (!nul)
			return -EBADMSG;
		argv[i] = buf + off;
		off = (size_t)(nul - buf) + 1;
	}
	argv[req->argc] = NULL;
	return off == len ? 0 : -EBADMSG;
}

/* Send the result: the header, then the output in chunks.  False: the daemon is gone. */
static bool send_reply(int sock, uint32_t seq, int rc, const struct redmon_cmd_result *res)
{
	struct privhelper_reply rep = {
		.seq = seq,
		.rc = rc,
		.exit_status = res->exit_status,
		.term_signal = res->term_signal,
		.timed_out = res->timed_out,
		.truncated = res->truncated,
		.out_len = res->out ? (uint32_t)res->out_len : 0,
	};

	memcpy(rep.err, res->err, sizeof(rep.err));
	if (send(sock, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep))
		return false;
	for (size_t off = 0; off < rep.out_len; off += PRIVHELPER_CHUNK) {
		size_t n = MIN(rep.out_len - off, PRIVHELPER_CHUNK);

		if (send(sock, res->out + off, n, MSG_NOSIGNAL) != (ssize_t)n)
			return false;
	}
	return true;
}

/* ADD, before the seal only: the entry's index (an equal entry's if there is one). */
static int helper_add(struct privhelper *ph, const char *const argv[],
		      const struct privhelper_req *req, struct redmon_cmd_result *res)
{
	size_t argc;
	int rc;

	if (ph->sealed) {
		snprintf(res->err, sizeof(res->err), "%s: the command list is sealed", argv[0]);
		log_warn("privileged helper: refused to add %s: the list is sealed", argv[0]);
		return -EPERM;
	}
	/* Not -1 for "absent": check_command() may fail with -EPERM, which is -1 too. */
	rc = check_command(argv, req->timeout_ms, req->out_max, &argc, res->err, sizeof(res->err));
	if (rc < 0)
		return rc;
	rc = find(ph, NULL, argv, req->timeout_ms, req->out_max);
	return rc >= 0 ? rc : append(ph, "", argv, argc, req->timeout_ms, req->out_max);
}

/* RUN, after the seal only: an entry of the list, its program still root's alone. */
static int helper_run(const struct privhelper *ph, const char *const argv[],
		      const struct privhelper_req *req, struct redmon_cmd_result *res)
{
	int i = ph->sealed ? find(ph, NULL, argv, req->timeout_ms, req->out_max) : -1;
	const struct command *c;
	int rc;

	if (i < 0) {
		snprintf(res->err, sizeof(res->err), "%s: not a registered command", argv[0]);
		log_warn("privileged helper: refused %s: not a registered command", argv[0]);
		return -EPERM;
	}
	c = ph->v[i];
	rc = trusted_path_check(c->argv[0], 0, res->err, sizeof(res->err));
	if (rc < 0) {
		log_warn("privileged helper: refused %s", res->err);
		return rc;
	}
	return child_run((const char *const *)c->argv, c->timeout_ms, c->out_max, res);
}

static int serve_one(struct privhelper *ph, char *buf, size_t len, uint32_t *seq,
		     struct redmon_cmd_result *res)
{
	const char *argv[PRIVHELPER_ARGC_MAX + 1];
	struct privhelper_req req;

	*res = (struct redmon_cmd_result){ .exit_status = -1 };
	*seq = 0;
	if (parse_request(buf, len, &req, argv) < 0)
		return errbuf_set(res->err, sizeof(res->err), -EBADMSG, "malformed request");
	*seq = req.seq;
	if (req.op == PRIVHELPER_OP_ADD)
		return helper_add(ph, argv, &req, res);
	if (req.op == PRIVHELPER_OP_RUN)
		return helper_run(ph, argv, &req, res);
	ph->sealed = true;
	return (int)ph->n;
}

static void __attribute__((noreturn)) serve(struct privhelper *ph, int sock)
{
	static char buf[PRIVHELPER_REQ_MAX];

	for (;;) {
		struct redmon_cmd_result res;
		uint32_t seq;
		ssize_t n = recv(sock, buf, sizeof(buf), MSG_TRUNC);
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(n == 0 ? 0 : 1); /* EOF: the daemon is gone */
		if ((size_t)n > sizeof(buf))
			n = 0; /* too long: malformed */
		rc = serve_one(ph, buf, (size_t)n, &seq, &res);
		if (!send_reply(sock, seq, rc, &res))
			_exit(1);
		child_result_free(&res);
	}
}

/* In the new process: keep only the socket, stay root with HELPER_CAPS, serve. */
static void __attribute__((noreturn)) helper_main(struct privhelper *ph, int sock, pid_t parent)
{
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* it died before the line above */
		_exit(0);
	prctl(PR_SET_NAME, "redmon-priv", 0, 0, 0);
	closelog(); /* its fd goes with the rest; syslog() opens a new one */
	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(1);
	close_range(4, ~0u, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN); /* reloads are the daemon's */
	signal(SIGINT, SIG_IGN); /* a terminal's ^C: the daemon exits, then we do */
	if (chdir("/") < 0 || privdrop_limit_caps(HELPER_CAPS) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_err("privileged helper: cannot set itself up: %s", strerror(errno));
		_exit(1);
	}
	serve(ph, 3);
}

int privhelper_start(struct privhelper *ph)
{
	pid_t parent = getpid();
	int sv[2];

	if (ph->sock >= 0 || ph->sealed)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("privileged helper: socketpair: %s", strerror(errno));
		return -errno;
	}
	ph->pid = fork();
	if (ph->pid < 0) {
		int rc = -errno;

		log_err("privileged helper: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (ph->pid == 0)
		helper_main(ph, sv[1], parent);
	close(sv[1]);
	ph->sock = sv[0];
	return 0;
}

/* ---- the daemon's side ---- */

/* The helper died or answered nonsense: say so once; every later command fails. */
static void helper_gone(struct privhelper *ph, struct redmon_cmd_result *res, const char *what)
{
	if (!ph->gone)
		log_err("privileged helper (pid %d): %s; commands fail until redmon restarts",
			ph->pid, what);
	ph->gone = true;
	shutdown(ph->sock, SHUT_RDWR);
	snprintf(res->err, sizeof(res->err), "the privileged helper is gone (%s)", what);
}

/* One message of exactly len bytes within deadline (mono ms); 0 or -errno. */
static int recv_exact(int sock, void *buf, size_t len, uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		uint64_t now = mono_ms();
		ssize_t n;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return -errno;
		n = recv(sock, buf, len, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue; /* nothing yet: the deadline is checked above */
		if (n < 0)
			return -errno;
		return (size_t)n == len ? 0 : -EBADMSG;
	}
}

/* A request for c (none for SEAL) into buf (PRIVHELPER_REQ_MAX bytes); its length. */
static size_t encode_request(uint32_t op, const struct command *c, uint32_t seq, char *buf)
{
	struct privhelper_req req = { .seq = seq, .op = op };
	size_t len = sizeof(req);

	if (c) {
		req.argc = (uint32_t)c->argc;
		req.timeout_ms = c->timeout_ms;
		req.out_max = c->out_max;
	}
	memcpy(buf, &req, sizeof(req));
	for (size_t i = 0; c && i < c->argc; i++) {
		size_t n = strlen(c->argv[i]) + 1; /* fits: checked at registration */

		memcpy(buf + len, c->argv[i], n);
		len += n;
	}
	return len;
}

/* The out_len bytes of output after a reply header, into res->out.  0 or -errno. */
static int read_output(int sock, uint32_t out_len, uint64_t deadline, struct redmon_cmd_result *res)
{
	res->out = malloc((size_t)out_len + 1);
	if (!res->out)
		return -ENOMEM;
	for (size_t off = 0; off < out_len; off += PRIVHELPER_CHUNK) {
		size_t n = MIN(out_len - off, PRIVHELPER_CHUNK);
		int rc = recv_exact(sock, res->out + off, n, deadline);

		if (rc < 0) {
			child_result_free(res);
			return rc;
		}
	}
	res->out[out_len] = 0;
	res->out_len = out_len;
	return 0;
}

/* One request and its answer, one at a time: the helper's rc (*res as child_run()'s), or -EPIPE. */
static int ask_helper(struct privhelper *ph, uint32_t op, const struct command *c,
		      struct redmon_cmd_result *res)
{
	uint32_t timeout = c && c->timeout_ms ? c->timeout_ms : REDMON_CMD_TIMEOUT_MS_DEFAULT;
	uint32_t out_max = c && c->out_max ? c->out_max : REDMON_CMD_OUT_MAX_DEFAULT;
	uint64_t deadline = mono_ms() + REPLY_SLACK_MS + timeout;
	struct privhelper_reply rep;
	char buf[PRIVHELPER_REQ_MAX];
	size_t len;
	int rc = -EPIPE;

	*res = (struct redmon_cmd_result){ .exit_status = -1 };
	pthread_mutex_lock(&ph->io);
	len = encode_request(op, c, ++ph->seq, buf);
	if (ph->gone || send(ph->sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		helper_gone(ph, res, "it does not take requests");
	else if (recv_exact(ph->sock, &rep, sizeof(rep), deadline) < 0 || rep.seq != ph->seq ||
		 rep.out_len > out_max)
		helper_gone(ph, res, "no answer, or not one to this request");
	else if (read_output(ph->sock, rep.out_len, deadline, res) < 0)
		helper_gone(ph, res, "its answer was cut short");
	else
		rc = rep.rc;
	pthread_mutex_unlock(&ph->io);
	if (rc == -EPIPE)
		return rc;
	res->exit_status = rep.exit_status;
	res->term_signal = rep.term_signal;
	res->timed_out = rep.timed_out;
	res->truncated = rep.truncated;
	memcpy(res->err, rep.err, sizeof(res->err));
	res->err[sizeof(res->err) - 1] = 0;
	if (rc < 0 && rc != -ETIMEDOUT && rc != -EFBIG)
		child_result_free(res); /* it did not run: no output, as in-process */
	return rc;
}

/* Before the seal, a new entry goes to the helper first: it checks it again. */
static int add_to_helper(struct privhelper *ph, const char *const argv[], size_t argc,
			 uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen)
{
	const struct command c = {
		.argv = (char **)argv, .argc = argc, .timeout_ms = timeout_ms, .out_max = out_max
	};
	struct redmon_cmd_result res;
	int rc = ask_helper(ph, PRIVHELPER_OP_ADD, &c, &res);

	child_result_free(&res);
	if (rc < 0)
		snprintf(why, whylen, "%s", res.err);
	return rc;
}

int privhelper_register(struct privhelper *ph, const char *owner, const char *const argv[],
			uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen)
{
	size_t argc = 0;
	int rc = check_command(argv, timeout_ms, out_max, &argc, why, whylen);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&ph->lock);
	rc = find(ph, owner, argv, timeout_ms, out_max);
	if (rc < 0 && ph->sealed) {
		rc = -EPERM;
		snprintf(why, whylen, "%s: commands are fixed at start: restart redmon to add one",
			 argv[0]);
	} else if (rc < 0) {
		rc = ph->sock >= 0 ? add_to_helper(ph, argv, argc, timeout_ms, out_max, why, whylen)
				   : 0;
		if (rc >= 0)
			rc = append(ph, owner, argv, argc, timeout_ms, out_max);
		if (rc == -ENOMEM)
			snprintf(why, whylen, "%s", strerror(ENOMEM));
	}
	pthread_mutex_unlock(&ph->lock);
	return rc;
}

/* Close our end (an idle helper exits at once) and reap it if it goes within a second. */
static void stop_helper(struct privhelper *ph)
{
	close(ph->sock);
	ph->sock = -1;
	/* A busy one finishes its command first; we cannot signal root. */
	for (int i = 0; i < 100 && waitpid(ph->pid, NULL, WNOHANG) == 0; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
}

int privhelper_seal(struct privhelper *ph)
{
	struct redmon_cmd_result res;
	int rc;

	pthread_mutex_lock(&ph->lock);
	ph->sealed = true;
	pthread_mutex_unlock(&ph->lock);
	if (ph->sock < 0)
		return 0;
	if (ph->n == 0) {
		stop_helper(ph); /* no probe needs root: nothing stays root */
		return 0;
	}
	rc = ask_helper(ph, PRIVHELPER_OP_SEAL, NULL, &res);
	child_result_free(&res);
	if (rc < 0)
		return rc;
	log_notice("privileged helper (pid %d) runs the probes' %zu command%s as root", ph->pid,
		   ph->n, ph->n == 1 ? "" : "s");
	for (size_t i = 0; i < ph->n; i++)
		log_info("privileged helper: [%zu] %s (probe %s)", i, ph->v[i]->argv[0],
			 ph->v[i]->owner);
	return 0;
}

int privhelper_run(struct privhelper *ph, const char *owner, int id, struct redmon_cmd_result *ret)
{
	const struct command *c = NULL;
	int rc;

	*ret = (struct redmon_cmd_result){ .exit_status = -1 };
	pthread_mutex_lock(&ph->lock);
	if (id >= 0 && (size_t)id < ph->n && strcmp(ph->v[id]->owner, owner) == 0)
		c = ph->v[id];
	pthread_mutex_unlock(&ph->lock);
	if (!c)
		return errbuf_set(ret->err, sizeof(ret->err), -ENOENT,
				  "no command registered with id %d", id);
	if (ph->sock >= 0)
		return ask_helper(ph, PRIVHELPER_OP_RUN, c, ret);
	rc = trusted_path_check(c->argv[0], geteuid(), ret->err, sizeof(ret->err));
	return rc < 0 ? rc
		      : child_run((const char *const *)c->argv, c->timeout_ms, c->out_max, ret);
}

static int cmds_register(void *ctx, const char *owner, const char *const argv[],
			 uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen)
{
	return privhelper_register(ctx, owner, argv, timeout_ms, out_max, why, whylen);
}

static int cmds_run(void *ctx, const char *owner, int id, struct redmon_cmd_result *ret)
{
	return privhelper_run(ctx, owner, id, ret);
}

void privhelper_commands(struct privhelper *ph, struct probe_commands *ret)
{
	*ret = (struct probe_commands){ .register_command = cmds_register,
					.run = cmds_run,
					.ctx = ph };
}

void privhelper_free(struct privhelper *ph)
{
	if (!ph)
		return;
	if (ph->sock >= 0)
		stop_helper(ph);
	for (size_t i = 0; i < ph->n; i++)
		command_free(ph->v[i]);
	free(ph->v);
	pthread_mutex_destroy(&ph->lock);
	pthread_mutex_destroy(&ph->io);
	free(ph);
}
