/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands probes run (register_command / run_command of the plugin ABI),
 * and the privileged helper that runs them once the daemon has given up root.
 *
 * Privilege separation as OpenBSD's daemons do it: privhelper_start() forks
 * a small process that stays root when the daemon drops to its user, and
 * runs, one at a time, the exact argv lists the probes registered in their
 * init(), nothing else (no shell, no other program or argument).  The daemon
 * asks over a SOCK_SEQPACKET socketpair; the helper checks the request
 * against its own copy of the list and the program's path
 * (src/trusted_path.h), runs it with plugins/lib's runner and sends back the
 * result.  A daemon taken over can make it run the registered commands, no
 * more.  It dies with the daemon (PR_SET_PDEATHSIG) and on EOF of its socket.
 * Without a helper (status, check, no drop) the same runner runs them here.
 */
#ifndef REDMON_PRIVHELPER_H
#define REDMON_PRIVHELPER_H

#include <stddef.h>
#include <stdint.h>

#include "redmon/plugin.h"

struct privhelper;
struct probe_commands;

/*
 * The wire format (host byte order: both ends are one binary).  A request
 * is one message: the header, then argc NUL-terminated strings and nothing
 * else.  ADD (before SEAL only) puts argv with its limits on the helper's
 * list; SEAL (no argv) closes the list; RUN (after SEAL only) runs an entry
 * of the list, named by its argv and limits.  A reply is the header message
 * (rc: ADD's index, SEAL's count, RUN's child_run() result, or -errno), then
 * RUN's output in messages of at most PRIVHELPER_CHUNK bytes.
 */
#define PRIVHELPER_REQ_MAX  65536
#define PRIVHELPER_CHUNK    32768
#define PRIVHELPER_ARGC_MAX 64

enum privhelper_op {
	PRIVHELPER_OP_ADD = 1,
	PRIVHELPER_OP_SEAL,
	PRIVHELPER_OP_RUN,
};

struct privhelper_req {
	uint32_t seq;
	uint32_t op; /* enum privhelper_op */
	uint32_t argc;
	uint32_t timeout_ms, out_max; /* as registered (0: the defaults) */
};

struct privhelper_reply {
	uint32_t seq; /* the request's */
	int32_t rc;
	int32_t exit_status;
	int32_t term_signal;
	uint8_t timed_out, truncated;
	uint32_t out_len;
	char err[REDMON_CMD_ERR_MAX];
};

/* An empty command list, commands run in-process.  0 or -ENOMEM. */
int privhelper_new(struct privhelper **ret);

/*
 * Fork the helper, as root, while this is the only thread: before the
 * probes' init() register and privileges drop.  0 or -errno (logged).
 */
int privhelper_start(struct privhelper *ph);

/*
 * Add argv (copied) for the probe named owner, with its limits (0: the
 * defaults), to the helper's list too; after privhelper_seal() only one
 * already listed (a reload re-registers the same).  Its id (>= 0) or -errno
 * with why: -EINVAL (relative program, bad limits, too long), -EPERM (a
 * program others could replace, a new one after the seal), -ENOMEM, -EPIPE
 * (the helper is gone).  Safe from any thread.
 */
int privhelper_register(struct privhelper *ph, const char *owner, const char *const argv[],
			uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen);

/*
 * Fix the list before privileges drop; a helper with nothing to run exits
 * now.  0, or -EPIPE (logged) when the helper is gone.
 */
int privhelper_seal(struct privhelper *ph);

/*
 * Run command id of owner, through the helper if any, one request at a time:
 * the contract of run_command() in redmon/plugin.h (*ret always filled).
 */
int privhelper_run(struct privhelper *ph, const char *owner, int id, struct redmon_cmd_result *ret);

/* The probe_commands (src/probe.h) a probe_env hands the probes, served by ph. */
void privhelper_commands(struct privhelper *ph, struct probe_commands *ret);

/* Close the helper's socket (it exits), reap it, free the list.  NULL is a no-op. */
void privhelper_free(struct privhelper *ph);

#endif
