/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's transport, both ends.  The daemon side never blocks:
 * a client that sends slowly, never reads or never closes is dropped at its
 * deadline, and at most CTL_MAX_CLIENTS are served at once, so a stuck
 * monitoring agent costs a few fds, never the event loop.
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "log.h"
#include "loop.h"
#include "loop_timer.h"

#define CTL_MAX_CLIENTS 16
#define CTL_REQUEST_MAX (64 << 10)
/* The whole exchange, request to last byte out: a status of 1000 groups is 2 MB. */
#define CTL_CLIENT_MS 5000
/* What a client takes in at most: a bigger answer is no answer. */
#define CTL_ANSWER_MAX (256u << 20)

struct ctl_client {
	struct ctl_server *s;
	int fd;
	struct ctl_peer peer;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	struct loop_timer *deadline;
};

struct ctl_server {
	struct loop *loop;
	int fd;
	ctl_handler handler;
	void *ctx;
	struct ctl_client *clients[CTL_MAX_CLIENTS];
};

static void client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->s;

	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	}
	loop_del(s->loop, c->fd);
	close(c->fd);
	loop_timer_free(c->deadline);
	free(c->in);
	free(c->out);
	free(c);
}

static void on_client_deadline(void *ctx)
{
	struct ctl_client *c = ctx;

	log_info("control socket: client pid %ld too slow, dropped", (long)c->peer.pid);
	client_close(c);
}

/* The answer object to c->out; -ENOMEM. */
static int answer(struct ctl_client *c, int code, const char *output, const char *refused)
{
	json_t *o = json_pack("{s:i, s:s}", "exit", code, "output", output ? output : "");

	if (o && refused)
		json_object_set_new(o, "refused", json_string(refused));
	c->out = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!c->out)
		return -ENOMEM;
	c->out_len = strlen(c->out);
	return 0;
}

/* A whole request is in: run it and start the answer. */
static int serve(struct ctl_client *c)
{
	struct ctl_server *s = c->s;
	const char *refused = NULL;
	json_error_t jerr;
	json_t *req = json_loadb(c->in, c->in_len, JSON_REJECT_DUPLICATES, &jerr);
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;
	int code, rc;

	if (!json_is_object(req)) {
		json_decref(req);
		return answer(c, 2, "redmon: the daemon got no request it understands\n", NULL);
	}
	out = open_memstream(&text, &text_len);
	if (!out) {
		json_decref(req);
		return -ENOMEM;
	}
	code = s->handler(s->ctx, req, &c->peer, out, &refused);
	json_decref(req);
	if (fclose(out) != 0) {
		free(text);
		return -ENOMEM;
	}
	rc = answer(c, code, text, refused);
	free(text);
	return rc;
}

static void on_client(void *ctx, int fd, uint32_t revents)
{
	struct ctl_client *c = ctx;

	if (!c->out && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));
		char *nl;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (n == 0 && c->in_len == 0) ||
		    c->in_len + (size_t)n > CTL_REQUEST_MAX) {
			client_close(c);
			return;
		}
		if (n > 0) {
			char *in = realloc(c->in, c->in_len + (size_t)n + 1);

			if (!in) {
				client_close(c);
				return;
			}
			c->in = in;
			memcpy(c->in + c->in_len, buf, (size_t)n);
			c->in_len += (size_t)n;
			c->in[c->in_len] = '\0';
		}
		/* One request: up to its newline, or all there is at the client's EOF. */
		nl = memchr(c->in, '\n', c->in_len);
		if (!nl && n > 0)
			return;
		if (nl)
			c->in_len = (size_t)(nl - c->in);
		if (serve(c) < 0) {
			log_err("control socket: out of memory answering pid %ld",
				(long)c->peer.pid);
			client_close(c);
			return;
		}
		loop_del(c->s->loop, fd);
		if (loop_add(c->s->loop, fd, EPOLLOUT, on_client, c) < 0) {
			client_close(c);
			return;
		}
		revents = EPOLLOUT;
	}
	if (c->out && (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		while (c->out_off < c->out_len) {
			ssize_t n = write(fd, c->out + c->out_off, c->out_len - c->out_off);

			if (n < 0 && errno == EAGAIN)
				return;
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			c->out_off += (size_t)n;
		}
		client_close(c);
	}
}

static void on_accept(void *ctx, int fd, uint32_t revents)
{
	struct ctl_server *s = ctx;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_client *c;
	size_t slot = CTL_MAX_CLIENTS;
	int cfd;

	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	for (size_t i = 0; i < CTL_MAX_CLIENTS && slot == CTL_MAX_CLIENTS; i++)
		slot = s->clients[i] ? slot : i;
	/* Busy: the client hears EOF and scans by itself (it says so). */
	if (slot == CTL_MAX_CLIENTS || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    !(c = calloc(1, sizeof(*c)))) {
		close(cfd);
		return;
	}
	c->s = s;
	c->fd = cfd;
	c->peer = (struct ctl_peer){ .uid = cred.uid, .gid = cred.gid, .pid = cred.pid };
	if (loop_timer_new(s->loop, on_client_deadline, c, &c->deadline) < 0 ||
	    loop_timer_arm(c->deadline, CTL_CLIENT_MS) < 0 ||
	    loop_add(s->loop, cfd, EPOLLIN, on_client, c) < 0) {
		loop_timer_free(c->deadline);
		close(cfd);
		free(c);
		return;
	}
	s->clients[slot] = c;
}

static int sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || path[0] != '/' || strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* A socket file at path that nobody answers on goes; anything else stays (-EEXIST / -EADDRINUSE). */
static int clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(sun->sun_path) < 0 && errno != ENOENT ? -errno : 0;
}

int ctl_server_open(const char *path, const char *group, struct loop *l, ctl_handler h, void *ctx,
		    struct ctl_server **ret, char *why, size_t len)
{
	struct ctl_server *s;
	struct sockaddr_un sun;
	mode_t old_mask;
	int rc;

	if (sun_of(path, &sun) < 0)
		return errbuf_set(why, len, -ENAMETOOLONG,
				  "%s: not an absolute path of at most %zu bytes", path,
				  sizeof(sun.sun_path) - 1);
	rc = clear_stale(&sun);
	if (rc == -EEXIST)
		return errbuf_set(why, len, rc, "%s exists and is no socket: left alone", path);
	if (rc == -EADDRINUSE)
		return errbuf_set(why, len, rc, "another daemon answers at %s", path);
	if (rc < 0)
		return errbuf_set(why, len, rc, "%s: %s", path, strerror(-rc));
	s = calloc(1, sizeof(*s));
	if (!s)
		return errbuf_set(why, len, -ENOMEM, "out of memory");
	s->loop = l;
	s->handler = h;
	s->ctx = ctx;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = -errno;
		free(s);
		return errbuf_set(why, len, rc, "socket: %s", strerror(-rc));
	}
	/* Born 0660: no moment where others could connect. */
	old_mask = umask(0117);
	rc = bind(s->fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old_mask);
	if (rc == 0 && group) {
		struct group *gr = getgrnam(group);

		/* The group's members (nagios under NRPE) may ask; without it only the owner. */
		if (gr && chown(path, (uid_t)-1, gr->gr_gid) < 0)
			log_warn("control socket %s: cannot give it to group %s: %s", path, group,
				 strerror(errno));
		else if (!gr)
			log_info("control socket %s: no group %s: only root and the daemon's user "
				 "may ask",
				 path, group);
	}
	if (rc == 0 && listen(s->fd, CTL_MAX_CLIENTS) < 0)
		rc = -errno;
	if (rc < 0) {
		close(s->fd);
		free(s);
		return errbuf_set(why, len, rc, "%s: %s", path, strerror(-rc));
	}
	*ret = s;
	return 0;
}

int ctl_server_serve(struct ctl_server *s)
{
	return s ? loop_add(s->loop, s->fd, EPOLLIN, on_accept, s) : 0;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (s->clients[i])
			client_close(s->clients[i]);
	}
	loop_del(s->loop, s->fd);
	close(s->fd);
	/*
	 * The file stays: after the privilege drop the daemon may not remove it
	 * (/run/redmon is root's); a client finds it dead (ECONNREFUSED) and
	 * the next start replaces it.
	 */
	free(s);
}

/* --- the client ------------------------------------------------------------ */

static int64_t left_ms(int64_t deadline)
{
	int64_t now = (int64_t)mono_ms();

	return deadline > now ? deadline - now : 0;
}

/* Wait for events on fd until deadline: 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&p, 1, (int)left_ms(deadline));

		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			int rc = wait_fd(fd, POLLOUT, deadline);

			if (rc < 0)
				return rc;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Everything until EOF into *ret (NUL-terminated); 0 or -errno. */
static int read_all(int fd, int64_t deadline, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int rc = 0;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *b = cap + 65536 > CTL_ANSWER_MAX ? NULL : realloc(buf, cap + 65536);

			if (!b) {
				rc = cap + 65536 > CTL_ANSWER_MAX ? -EPROTO : -ENOMEM;
				break;
			}
			buf = b;
			cap += 65536;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			rc = -errno;
			break;
		}
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int ctl_ask(const char *path, const json_t *req, int timeout_ms, json_t **ret)
{
	int64_t deadline = (int64_t)mono_ms() + timeout_ms;
	struct sockaddr_un sun;
	char *text = NULL, *in = NULL;
	size_t in_len = 0;
	json_t *o;
	int fd, rc;

	if (sun_of(path, &sun) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Blocking, with the timeout as SO_SNDTIMEO: a Unix socket's connect()
	 * waits there while the daemon's backlog is full (non-blocking, it only
	 * says EAGAIN, with nothing to poll for).
	 */
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };

	rc = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ? -errno : 0;
	if (rc == 0)
		rc = connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	if (rc == -EAGAIN || rc == -EINPROGRESS)
		rc = -ETIMEDOUT;
	if (rc == 0 && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		rc = -errno;
	text = rc == 0 ? json_dumps(req, JSON_COMPACT) : NULL;
	if (rc == 0 && !text)
		rc = -ENOMEM;
	if (rc == 0)
		rc = send_all(fd, text, strlen(text), deadline);
	if (rc == 0)
		rc = send_all(fd, "\n", 1, deadline);
	if (rc == 0)
		rc = read_all(fd, deadline, &in, &in_len);
	close(fd);
	free(text);
	if (rc < 0)
		return rc;
	o = json_loadb(in, in_len, 0, NULL);
	free(in);
	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "exit")) ||
	    !json_is_string(json_object_get(o, "output"))) {
		json_decref(o);
		return -EPROTO;
	}
	*ret = o;
	return 0;
}
