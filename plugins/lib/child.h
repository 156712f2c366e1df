/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a command-line tool (storcli, ssacli, arcconf, zpool, smartctl) the
 * way a probe may trust it: argv only, never a shell; the program by absolute
 * path, found once (child_find_tool()), with only CHILD_ENV_PATH and
 * CHILD_ENV_LOCALE (parseable output) in its environment, stdin from
 * /dev/null, no other descriptor of ours, and "/" as working directory; in a
 * process group of its own, killed whole at the timeout or when stdout goes
 * over the cap (a helper it forked leaves nothing behind), and whatever is
 * left of it when the tool exits; stderr's first bytes kept as the reason.
 *
 * The core's privileged helper (src/privhelper.c) runs tools with it too, so
 * a probe sees the same result whichever process ran the tool.  Nothing here
 * logs or keeps state; every call is safe from any thread.
 */
#ifndef REDMON_PLUGINS_CHILD_H
#define REDMON_PLUGINS_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "redmon/plugin.h"

#define CHILD_ENV_PATH	 "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define CHILD_ENV_LOCALE "LC_ALL=C"

/*
 * The absolute path of a tool into buf: configured when set (a probe's `path`
 * option, absolute), else the first executable regular file named tool in
 * the absolute directories of $PATH.  Call it once, at init, so that a later
 * change of PATH or of the working directory does not change what runs.  0,
 * or -EINVAL (a relative path), -ENOENT, -EACCES, -ENAMETOOLONG.
 */
int child_find_tool(const char *tool, const char *configured, char *buf, size_t len);

/*
 * Run argv (argv[0] an absolute path) for up to timeout_ms, keeping at most
 * out_max bytes of stdout (0: REDMON_CMD_*_DEFAULT).  0 when it ran to its end
 * (exit status or signal in *ret), -ETIMEDOUT or -EFBIG when it was killed at
 * the timeout or for more output, else -errno when it could not run.  *ret is
 * filled on every return: ret->err holds stderr's first bytes, or why it did
 * not run; ret->out (stdout, NUL-terminated; NULL when it did not start) is
 * the caller's: child_result_free().
 */
int child_run(const char *const argv[], uint32_t timeout_ms, uint32_t out_max,
	      struct redmon_cmd_result *ret);

/* Free what a result owns (its output); the struct itself is the caller's. */
void child_result_free(struct redmon_cmd_result *r);

#endif
