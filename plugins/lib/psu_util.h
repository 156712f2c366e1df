/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the three PSU probes (power_supply, hwmon, ipmi) read their own way:
 * one small attribute into a fixed buffer, inside the root (rootfs.h), and
 * the short texts of a verdict.  Nothing here has state.
 */
#ifndef REDMON_PSU_UTIL_H
#define REDMON_PSU_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Append sep (unless buf is empty) and a formatted item to buf, a fixed buffer
 * of len bytes, cut safely when full: the short texts of a verdict.
 */
void psu_text_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Read at most max - 1 bytes of the regular file at path (below root_fd,
 * rootfs_open_checked()) into buf, NUL-terminated, without one trailing
 * newline; an embedded NUL ends the text.  The length, or -errno: -ENOENT
 * (no entry at all), -ENOLINK (a link leading nowhere inside the root:
 * unreadable, not absent), -EINVAL (not a regular file: a FIFO must not block
 * a scan).  buf is untouched when the file cannot be opened or is not
 * regular, unspecified after a read error.
 */
int psu_read_in_root(int root_fd, const char *path, char *buf, size_t max);

/*
 * The same for file name of dirfd, a directory opened inside the root: one
 * lookup, never leaving dirfd (rootfs_open_beneath(): a link out is -EXDEV).
 */
int psu_read_beneath(int dirfd, const char *name, char *buf, size_t max);

/*
 * Words for a read error of the two above: "a link that leads nowhere in the
 * root", "a link out of its directory", "not a regular file", else strerror().
 */
const char *psu_read_strerror(int rc);

/* The text of symlink name in directory dirfd into buf; 0, -ENAMETOOLONG or -errno. */
int psu_read_link(int dirfd, const char *name, char *buf, size_t len);

/*
 * The root-relative path of dir/name with one link level followed as text: a
 * symlink's target, or the content of a regular file standing in for a link
 * (as captures of sysfs store them); a directory gives dir/name.  Its
 * basename is the target's ("3-0058", "i2c").  Nothing is followed out of the
 * root.  0, -ENAMETOOLONG, -EINVAL or -errno (-ENOENT: dir/name is not there).
 */
int psu_follow_link(int root_fd, const char *dir, const char *name, char *out, size_t len);

/* Monotonic clock in milliseconds. */
uint64_t psu_now_ms(void);

#endif /* REDMON_PSU_UTIL_H */
