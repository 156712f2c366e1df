/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe for tests/integration/test_privhelper.py: it registers one command
 * (option run, words split on spaces) in init() and, at each scan, logs one
 * line per attempt, which the test reads from the daemon's stderr:
 *
 *   cmd: relative rc=N              registering a relative program
 *   cmd: run rc=N exit=N signal=N out=FIRST-LINE err=FIRST-LINE
 *   cmd: unregistered-id rc=N err=...
 *   cmd: late-register rc=N         registering in scan()
 *   cmd: rogue-registered rc=N out=...  the registered argv, sent on the raw socket
 *   cmd: rogue-malformed rc=N ...   the same, its last NUL cut off
 *   cmd: rogue-add rc=N err=...     adding "/bin/sh -c id -u" to the sealed list
 *   cmd: rogue rc=N err=...         then running it
 *
 * The last two act as a daemon taken over would: they find the helper's
 * socket among the process's fds and speak its protocol directly.  Without a
 * helper (commands run in-process) they log "rogue: no helper socket".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/privhelper.h"
#include "redmon/plugin.h"

#define MAX_WORDS 16

struct inst {
	const struct redmon_host_ops *ops;
	struct redmon_host *h;
	char words[512];
	const char *argv[MAX_WORDS + 1];
	int id;
};

static const struct redmon_option_spec options[] = {
	{ .key = "run",
	  .type = REDMON_OPT_STRING,
	  .default_value = "/usr/bin/id -u",
	  .help = "the command to register, words split on spaces" },
	{ 0 }
};

static void split(struct inst *i, const char *run)
{
	size_t n = 0;
	char *save = NULL;

	snprintf(i->words, sizeof(i->words), "%s", run);
	for (char *w = strtok_r(i->words, " ", &save); w && n < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		i->argv[n++] = w;
	i->argv[n] = NULL;
}

static int init(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret)
{
	static const char *const relative[] = { "id", "-u", NULL };
	struct inst *i = calloc(1, sizeof(*i));

	if (!i)
		return -ENOMEM;
	i->ops = ops;
	i->h = h;
	if (!REDMON_HOST_HAS(ops, run_command)) {
		free(i);
		return -EOPNOTSUPP;
	}
	split(i, ops->option(h, "run"));
	ops->log(h, REDMON_LOG_NOTICE, "cmd: relative rc=%d",
		 ops->register_command(h, relative, 0, 0));
	i->id = ops->register_command(h, i->argv, 2000, 0);
	ops->log(h, REDMON_LOG_NOTICE, "cmd: registered id=%d", i->id);
	*ret = i;
	return 0;
}

static void fini(void *inst)
{
	free(inst);
}

/* The first line of s, for a log line. */
static const char *first_line(char *s)
{
	if (!s)
		return "";
	s[strcspn(s, "\n")] = 0;
	return s;
}

/* The helper's socket: the one AF_UNIX SOCK_SEQPACKET fd of the process, or -1. */
static int find_helper_socket(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int type = 0, domain = 0;
		socklen_t len = sizeof(type);

		if (*end || fd <= 2 || fd > 65535 || fd == dirfd(d) ||
		    getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
			continue;
		len = sizeof(domain);
		if (type == SOCK_SEQPACKET &&
		    getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		    domain == AF_UNIX)
			found = (int)fd;
	}
	closedir(d);
	return found;
}

/* Send one message and read the whole answer; the reply header in *rep. */
static int raw_send(int sock, const void *msg, size_t len, struct privhelper_reply *rep, char *out,
		    size_t outlen)
{
	char buf[4096];
	size_t got = 0;

	if (send(sock, msg, len, 0) != (ssize_t)len ||
	    recv(sock, rep, sizeof(*rep), 0) != (ssize_t)sizeof(*rep))
		return -EIO;
	out[0] = 0;
	while (got < rep->out_len) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);

		if (n <= 0)
			return -EIO;
		if (got + (size_t)n < outlen) {
			memcpy(out + got, buf, (size_t)n);
			out[got + (size_t)n] = 0;
		}
		got += (size_t)n;
	}
	return 0;
}

/* argv as the daemon encodes a request (src/privhelper.h); its length. */
static size_t encode(uint32_t op, const char *const argv[], uint32_t seq, char *buf)
{
	struct privhelper_req req = { .seq = seq, .op = op, .timeout_ms = 2000 };
	size_t len = sizeof(req);

	for (; argv[req.argc]; req.argc++) {
		size_t n = strlen(argv[req.argc]) + 1;

		memcpy(buf + len, argv[req.argc], n);
		len += n;
	}
	memcpy(buf, &req, sizeof(req));
	return len;
}

static int raw_request(int sock, const char *const argv[], struct privhelper_reply *rep, char *out,
		       size_t outlen)
{
	char buf[4096];

	return raw_send(sock, buf, encode(PRIVHELPER_OP_RUN, argv, 0x7e57, buf), rep, out, outlen);
}

/* The registered argv with its last NUL cut off: the helper must not read past it. */
static int malformed_request(int sock, const char *const argv[], struct privhelper_reply *rep,
			     char *out, size_t outlen)
{
	char buf[4096];

	return raw_send(sock, buf, encode(PRIVHELPER_OP_RUN, argv, 0x7e58, buf) - 1, rep, out,
			outlen);
}

static void rogue(struct inst *i)
{
	static const char *const shell[] = { "/bin/sh", "-c", "id -u", NULL };
	struct privhelper_reply rep;
	char out[256], buf[4096];
	int sock = find_helper_socket();

	if (sock < 0) {
		i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: rogue: no helper socket");
		return;
	}
	if (raw_request(sock, i->argv, &rep, out, sizeof(out)) == 0)
		i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: rogue-registered rc=%d out=%s", rep.rc,
			    first_line(out));
	if (malformed_request(sock, i->argv, &rep, out, sizeof(out)) == 0)
		i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: rogue-malformed rc=%d out=%s err=%s",
			    rep.rc, first_line(out), first_line(rep.err));
	if (raw_send(sock, buf, encode(PRIVHELPER_OP_ADD, shell, 0x7e59, buf), &rep, out,
		     sizeof(out)) == 0)
		i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: rogue-add rc=%d err=%s", rep.rc,
			    first_line(rep.err));
	if (raw_request(sock, shell, &rep, out, sizeof(out)) == 0)
		i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: rogue rc=%d out=%s err=%s", rep.rc,
			    first_line(out), first_line(rep.err));
}

static int scan(void *inst)
{
	static const char *const late[] = { "/bin/sh", "-c", "id -u", NULL };
	struct inst *i = inst;
	struct redmon_cmd_result res;
	struct redmon_group g = {
		.name = "cmd", .kind = "test", .type = "cmd", .margin = 1, .margin_nominal = 1
	};
	int rc = i->ops->run_command(i->h, i->id, &res);

	i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: run rc=%d exit=%d signal=%d out=%s err=%s", rc,
		    res.exit_status, res.term_signal, first_line(res.out), first_line(res.err));
	free(res.out);
	rc = i->ops->run_command(i->h, i->id + 1000, &res);
	i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: unregistered-id rc=%d err=%s", rc, res.err);
	free(res.out);
	i->ops->log(i->h, REDMON_LOG_NOTICE, "cmd: late-register rc=%d",
		    i->ops->register_command(i->h, late, 0, 0));
	rogue(i);
	return i->ops->report(i->h, &g);
}

const struct redmon_plugin redmon_plugin = {
	.abi_version = REDMON_ABI_VERSION,
	.size = sizeof(struct redmon_plugin),
	.member_size = sizeof(struct redmon_member),
	.group_size = sizeof(struct redmon_group),
	.name = "cmd",
	.description = "test probe: runs a registered command (privileged helper tests)",
	.options = options,
	.init = init,
	.fini = fini,
	.scan = scan,
};
