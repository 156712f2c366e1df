/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands probes run (register_command / run_command of the plugin ABI),
 * and the privileged helper that runs them once the daemon has given up root.
 *
 * Privilege separation as OpenBSD's daemons do it: as `redmon daemon`
 * starts, privhelper_start() forks a small process that stays root when the
 * daemon drops to its user, and does one thing: run, one at a time, the
 * exact argv lists the probes registered in their init(), and nothing else
 * (no shell, no other program, no other argument).  The daemon asks over a
 * SOCK_SEQPACKET socketpair; the helper checks the request against its own
 * copy of the list, checks the program's path (src/trusted_path.h: nobody but root can
 * replace it), runs it with plugins/lib's runner and sends back the result.
 * The daemon never regains root: a daemon taken over can make the helper run
 * the registered commands, no more.  The helper dies with the daemon
 * (PR_SET_PDEATHSIG) and on EOF of its socket.
 *
 * Without a helper (the daemon keeps its credentials; status, check) the
 * same commands run in the calling process through the same runner: a probe
 * cannot tell which.
 */
#ifndef REDMON_PRIVHELPER_H
#define REDMON_PRIVHELPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
 * probes' init() (their registrations then reach it) and before dropping
 * privileges.  0 or -errno (logged).
 */
int privhelper_start(struct privhelper *ph);

/*
 * Add argv (copied) for the probe named owner, with its limits (0: the
 * defaults); with a helper, it is added there too.  After privhelper_seal()
 * only a command already in the list is accepted (a reload re-registers the
 * same ones).  Returns its id (>= 0) or -errno with why filled: -EINVAL
 * (relative program, bad limits, too long), -EPERM (a program others could
 * replace, or a new command after the seal), -ENOMEM, -EPIPE (the helper is
 * gone).  Safe from any thread.
 */
int privhelper_register(struct privhelper *ph, const char *owner, const char *const argv[],
			uint32_t timeout_ms, uint32_t out_max, char *why, size_t whylen);

/*
 * Fix the list (at the daemon's start, helper or not; before dropping
 * privileges).  A helper with nothing to run exits now; one with commands
 * closes its list too.  0, or -EPIPE (logged) when the helper is gone.
 */
int privhelper_seal(struct privhelper *ph);

/*
 * Run command id of owner, through the helper when there is one: the
 * contract of run_command() in redmon/plugin.h (*ret always filled).
 * Requests from several threads are served one at a time.
 */
int privhelper_run(struct privhelper *ph, const char *owner, int id, struct redmon_cmd_result *ret);

/* The probe_commands (src/probe.h) a probe_env hands the probes, served by ph. */
void privhelper_commands(struct privhelper *ph, struct probe_commands *ret);

/* Close the helper's socket (it exits), reap it, free the list.  NULL is a no-op. */
void privhelper_free(struct privhelper *ph);

#endif
