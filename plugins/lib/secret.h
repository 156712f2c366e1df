/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A probe's secret file (a BMC password): the first line of a file nobody
 * else can read.  The core checked it as a REDMON_OPT_SECRET_FILE (owner
 * included: only it knows the daemon's user) before init; this checks again
 * what it reads, on the fd it reads from.
 */
#ifndef REDMON_SECRET_H
#define REDMON_SECRET_H

#include <stddef.h>

/*
 * The first line of path into out (out_size bytes, the line at most
 * out_size - 1 of them): not a symlink, a regular file (O_NONBLOCK: a FIFO
 * does not block), closed to group and others.  0, or -errno with why (a
 * line naming the file for the probe to log: never the secret); a line too
 * long is -EINVAL, and `limit` ("an IPMI 2.0 password has at most 20
 * bytes"), when not NULL, ends why.  No copy of the secret is left on the
 * stack.
 */
int secret_file_read(const char *path, const char *limit, char *out, size_t out_size, char *why,
		     size_t why_len);

#endif /* REDMON_SECRET_H */
