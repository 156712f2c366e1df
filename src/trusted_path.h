/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a program redmon runs (a hook, sendmail), often as root, can be
 * replaced by someone else: then it is a root shell for them.  The rule
 * (sudo's and OpenSSH's): every entry on the way, symbolic links followed
 * one by one, belongs to root or the user it runs as; a directory on the way
 * is writable by nobody else unless it is root's and sticky (/tmp); the
 * program is a regular file writable by nobody else.
 */
#ifndef REDMON_TRUSTED_PATH_H
#define REDMON_TRUSTED_PATH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Check absolute path for a program run as uid (geteuid()): 0 when trusted,
 * else -errno (-EPERM: others could replace it) and the entry at fault in why.
 */
int trusted_path_check(const char *path, uid_t uid, char *why, size_t whylen);

/*
 * The same for a directory (the plugin directory): what is in it can be
 * replaced by nobody but root and uid.  0 when trusted, else -errno and why.
 */
int trusted_dir_check(const char *path, uid_t uid, char *why, size_t whylen);

#endif
