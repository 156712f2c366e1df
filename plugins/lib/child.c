/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runner: posix_spawn (glibc's is a vfork: safe in a threaded process,
 * and it reports an exec failure as its return value), then one poll loop over
 * the two pipes until both close, the deadline passes or stdout overflows.
 * The child's group is its own, killed only while its leader is unreaped
 * (running or a zombie): the group id cannot then belong to anyone else.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536

struct run {
	pid_t pid;
	int out_fd, err_fd; /* read ends; -1 once at EOF */
	uint64_t deadline;  /* CLOCK_MONOTONIC, ms */
	uint32_t timeout_ms, out_max;
	size_t out_alloc;
	size_t err_len;
	struct redmon_cmd_result *res;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* 0 when path is a regular file we may execute, else -errno. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

static int take_path(const char *path, char *buf, size_t len)
{
	int rc;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	rc = executable(path);
	if (rc < 0)
		return rc;
	strcpy(buf, path);
	return 0;
}

int child_find_tool(const char *tool, const char *configured, char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (configured && configured[0])
		return take_path(configured, buf, len);
	if (!tool || !tool[0])
		return -EINVAL;
	if (strchr(tool, '/'))
		return take_path(tool, buf, len);
	if (!path)
		path = strchr(CHILD_ENV_PATH, '=') + 1;
	while (*path) {
		size_t n = strcspn(path, ":");
		int w;

		/* An empty or relative entry means the working directory: never. */
		if (path[0] == '/') {
			w = snprintf(buf, len, "%.*s/%s", (int)n, path, tool);
			if (w > 0 && (size_t)w < len && executable(buf) == 0)
				return 0;
		}
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

void child_result_free(struct redmon_cmd_result *r)
{
	if (!r)
		return;
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}

static void set_reason(struct redmon_cmd_result *r, const char *what, int err)
{
	snprintf(r->err, sizeof(r->err), "%s: %s", what, strerror(err));
}

/* Pipes for stdout and stderr: read ends non-blocking, write ends as the child gets them. */
static int make_pipes(int out[2], int err[2])
{
	out[0] = out[1] = err[0] = err[1] = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int spawn(const char *const argv[], int out_w, int err_w, pid_t *ret_pid)
{
	static const char *const env[] = { CHILD_ENV_PATH, CHILD_ENV_LOCALE, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	if (!rc)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!rc) /* not whatever directory we happen to be in */
		rc = posix_spawn_file_actions_addchdir_np(&fa, "/");
	/* Its own group; default signal handling (we ignore SIGPIPE), nothing blocked. */
	if (!rc)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
							     POSIX_SPAWN_SETSIGMASK |
							     POSIX_SPAWN_SETSIGDEF);
	if (!rc)
		rc = posix_spawnattr_setpgroup(&attr, 0);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(&attr, &all);
	if (!rc)
		rc = posix_spawn(ret_pid, argv[0], &fa, &attr, (char *const *)argv,
				 (char *const *)env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

/* Read what stdout has; false when it went over the cap. */
static bool read_out(struct run *r)
{
	struct redmon_cmd_result *res = r->res;
	size_t want = res->out_len + READ_CHUNK + 1;
	char *p;
	ssize_t n;

	if (want > r->out_alloc) {
		p = realloc(res->out, want);
		if (!p)
			return false;
		res->out = p;
		r->out_alloc = want;
	}
	n = read(r->out_fd, res->out + res->out_len, READ_CHUNK);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close_fd(&r->out_fd);
		return true;
	}
	res->out_len += (size_t)n;
	if (res->out_len > r->out_max) {
		res->out_len = r->out_max;
		res->truncated = true;
		return false;
	}
	return true;
}

/* stderr: the first bytes are kept, the rest drained so the tool never blocks on it. */
static void read_err(struct run *r)
{
	char buf[4096];
	size_t room = sizeof(r->res->err) - 1 - r->err_len;
	ssize_t n = read(r->err_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(&r->err_fd);
		return;
	}
	if ((size_t)n < room)
		room = (size_t)n;
	memcpy(r->res->err + r->err_len, buf, room);
	r->err_len += room;
}

/* Read both pipes until both close: 0, -ETIMEDOUT, -EFBIG (or -ENOMEM) for stdout. */
static int pump(struct run *r)
{
	while (r->out_fd >= 0 || r->err_fd >= 0) {
		struct pollfd pfd[2] = { { .fd = r->out_fd, .events = POLLIN },
					 { .fd = r->err_fd, .events = POLLIN } };
		uint64_t now = now_ms();
		int n;

		if (now >= r->deadline)
			return -ETIMEDOUT;
		n = poll(pfd, 2, (int)(r->deadline - now));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (pfd[0].revents && !read_out(r))
			return r->res->truncated ? -EFBIG : -ENOMEM;
		if (pfd[1].revents)
			read_err(r);
	}
	return 0;
}

/* Pipes closed: wait (to the deadline) for a zombie, unreaped so its group stays ours. */
static int wait_exit(struct run *r)
{
	long step_ns = 1000000;

	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
		    errno != EINTR)
			return -errno;
		if (si.si_pid == r->pid)
			return 0;
		if (now_ms() >= r->deadline)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = step_ns }, NULL);
		if (step_ns < 32000000)
			step_ns *= 2;
	}
}

/* Kill what is left of the group, then reap the leader: no zombie stays. */
static void finish(struct run *r)
{
	int status;

	kill(-r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0) {
		if (errno != EINTR)
			return;
	}
	if (WIFEXITED(status))
		r->res->exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->res->term_signal = WTERMSIG(status);
}

/* r's limits (0: the defaults) and deadline; -EINVAL with the reason in r->res->err. */
static int set_limits(struct run *r, const char *const argv[], uint32_t timeout_ms,
		      uint32_t out_max)
{
	struct redmon_cmd_result *res = r->res;

	if (!argv || !argv[0] || argv[0][0] != '/') {
		snprintf(res->err, sizeof(res->err), "%s: not an absolute path",
			 argv && argv[0] ? argv[0] : "(no program)");
		return -EINVAL;
	}
	r->timeout_ms = timeout_ms ? timeout_ms : REDMON_CMD_TIMEOUT_MS_DEFAULT;
	r->out_max = out_max ? out_max : REDMON_CMD_OUT_MAX_DEFAULT;
	if (r->timeout_ms > REDMON_CMD_TIMEOUT_MS_MAX || r->out_max > REDMON_CMD_OUT_MAX_MAX) {
		snprintf(res->err, sizeof(res->err), "timeout or output cap over the limit");
		return -EINVAL;
	}
	r->deadline = now_ms() + r->timeout_ms;
	return 0;
}

/* stderr stays the reason when it said something; else what happened. */
static void describe_end(const struct run *r, int rc)
{
	struct redmon_cmd_result *res = r->res;

	if (res->err[0] || rc == 0)
		return;
	if (rc == -ETIMEDOUT)
		snprintf(res->err, sizeof(res->err), "killed after %u ms (timeout)", r->timeout_ms);
	else if (rc == -EFBIG)
		snprintf(res->err, sizeof(res->err), "killed for writing more than %u bytes",
			 r->out_max);
	else
		set_reason(res, "reading its output", -rc);
}

int child_run(const char *const argv[], uint32_t timeout_ms, uint32_t out_max,
	      struct redmon_cmd_result *ret)
{
	struct run r = { .pid = -1, .out_fd = -1, .err_fd = -1, .res = ret };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->exit_status = -1;
	rc = set_limits(&r, argv, timeout_ms, out_max);
	if (rc < 0)
		return rc;
	ret->out = calloc(1, 1); /* a run that printed nothing still gives "" */
	rc = ret->out ? make_pipes(out, err) : -ENOMEM;
	if (rc == 0)
		rc = spawn(argv, out[1], err[1], &r.pid);
	close_fd(&out[1]);
	close_fd(&err[1]);
	r.out_fd = out[0];
	r.err_fd = err[0];
	if (rc < 0) {
		set_reason(ret, argv[0], -rc);
		child_result_free(ret);
		goto out;
	}
	rc = pump(&r);
	if (rc == 0)
		rc = wait_exit(&r);
	ret->timed_out = rc == -ETIMEDOUT;
	finish(&r);
	describe_end(&r, rc);
out:
	close_fd(&r.out_fd);
	close_fd(&r.err_fd);
	if (ret->out)
		ret->out[ret->out_len] = 0;
	return rc;
}
