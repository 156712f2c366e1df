/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by the three PSU probes (power_supply, hwmon, ipmi):
 * a growable string, bounded file reads under a directory fd, checked number
 * parsing and the duration syntax of the core's option checker.
 *
 * The sources are compiled into each plugin that needs them (a plugin links
 * nothing from the core or from another plugin), so nothing here has state.
 */
#ifndef REDMON_PSU_UTIL_H
#define REDMON_PSU_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Append sep (unless buf holds text already) and a formatted item to buf, a
 * fixed buffer of len bytes: what does not fit is cut, and buf stays
 * NUL-terminated.  For the short texts of a verdict (state, reason).
 */
void psu_text_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Read at most max - 1 bytes of the regular file path (relative to dirfd) into
 * buf and NUL-terminate it; one trailing newline is dropped.  Embedded NUL
 * bytes end the text.  Returns the length, or -errno (-ENOENT when missing,
 * -EINVAL for a file that is not regular: a FIFO in a captured tree must not
 * block a scan).  buf is untouched when the file cannot be opened or is not
 * regular; after a read error mid-way its content is unspecified.
 */
int psu_read_text_at(int dirfd, const char *path, char *buf, size_t max);
/* The same from an open fd (read from offset 0 with pread). */
int psu_read_text_fd(int fd, char *buf, size_t max);

/*
 * Read the file at path, relative to root_fd and resolved inside the root
 * (rootfs_open(): absolute and ".." links never leave it), as
 * psu_read_text_fd() does.  Length or -errno.  -ENOENT only when path names
 * no entry at all; an entry that is there but leads nowhere inside the root
 * (a symlink to a missing path, or to one outside the root, which resolves
 * to a missing path inside it) is -ENOLINK: it is unreadable, not absent.
 */
int psu_read_in_root(int root_fd, const char *path, char *buf, size_t max);

/*
 * Read file name of the directory dirfd (opened inside the root) the same
 * way, never leaving that directory (rootfs_open_beneath(): a link out of it
 * is -EXDEV).  One lookup instead of a walk from the root.  -ENOENT only
 * when there is no entry name; a link to nothing is -ENOLINK.
 */
int psu_read_beneath(int dirfd, const char *name, char *buf, size_t max);

/*
 * Words for a read error (-errno) of psu_read_in_root(), psu_read_beneath()
 * or psu_read_text_fd() in a reason: "a link that leads nowhere in the
 * root", "a link out of its directory", "not a regular file", else
 * strerror().
 */
const char *psu_read_strerror(int rc);

/*
 * The root-relative path of dir/name with one link level followed as text: a
 * symlink's target, or the content of a regular file standing in for a link
 * (captures of sysfs often store links that way).  A directory gives
 * dir/name.  The result keeps the target's last component, so its basename
 * is meaningful ("3-0058", "i2c").  The directory is opened inside the root
 * and the file standing for a link is never followed out of it.  0,
 * -ENAMETOOLONG, -EINVAL or -errno (-ENOENT: dir/name is not there).
 */
int psu_follow_link(int root_fd, const char *dir, const char *name, char *out, size_t len);

/* Monotonic clock in milliseconds. */
uint64_t psu_now_ms(void);

#endif /* REDMON_PSU_UTIL_H */
