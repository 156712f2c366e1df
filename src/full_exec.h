/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The light `redmon` links neither net-snmp nor libcurl (loading them is most
 * of the cost of a one-shot `redmon check`); the commands that need them run
 * in redmond, the full program built from the same sources, which redmon
 * execs with the same arguments (exec keeps the PID: systemd's MAINPID and
 * sd_notify() stay right for `redmon daemon`).
 */
#ifndef REDMON_FULL_EXEC_H
#define REDMON_FULL_EXEC_H

#include <stddef.h>

/* name in the directory of the running program (/proc/self/exe), into buf: 0 or -errno. */
int exe_dir_path(const char *name, char *buf, size_t len);

/*
 * Where redmond is for this binary, found as the plugins are (runtime.c):
 * beside the binary (the build tree), else ../lib/redmon/redmond from it (an
 * install under any PREFIX), else REDMON_LIBEXECDIR/redmond.  Never from PATH
 * or the environment.  Into buf: 0, or -ENAMETOOLONG.
 */
int full_exec_path(char *buf, size_t len);

/* Replace this process by redmond with argv; returns only on failure, -errno, path in buf. */
int full_exec(char *const argv[], char *buf, size_t len);

#endif
