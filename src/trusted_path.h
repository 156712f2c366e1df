/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a program redmon is about to run (an exec hook, sendmail) can be
 * replaced by someone else.  redmon runs them with its own privileges, often
 * root: a hook in a directory others can write to, or a symbolic link into
 * one, is a root shell for whoever can write there.
 *
 * The rule (sudo's and OpenSSH's for their helpers): every entry on the way to
 * the program, symbolic links followed one by one, belongs to root or to the
 * user the program will run as; a directory on the way is writable by nobody
 * else, unless it is a root-owned sticky directory such as /tmp (there nobody
 * may replace an entry they do not own); the program itself is a regular file
 * writable by nobody else.
 */
#ifndef REDMON_TRUSTED_PATH_H
#define REDMON_TRUSTED_PATH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Check path (absolute) for a program run as user uid (pass geteuid(): the
 * user redmon is now, who runs it).  0 when trusted; else -errno
 * (-EPERM: someone else could replace it, -ENOENT, -ELOOP, ...) and a
 * sentence naming the entry at fault in why.  Does not log.
 */
int trusted_path_check(const char *path, uid_t uid, char *why, size_t whylen);

#endif
