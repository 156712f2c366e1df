/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening files of a probe's root directory without ever leaving it.
 *
 * A probe reads DIR/proc and DIR/sys (`--root DIR`, "/" in production).  A
 * captured or hostile tree may hold symlinks such as
 * sys/block/md1/md/level -> /etc/shadow or ../../../../etc/shadow; followed
 * with plain openat() they read the host's files and the daemon would send
 * them to every sink.  Every open of a probe goes through one of these two:
 *
 *   rootfs_open()          a path relative to the root fd, resolved as if the
 *                          root were "/" (openat2 RESOLVE_IN_ROOT): absolute
 *                          and ".." links are clamped to the root, as the
 *                          kernel's own sysfs links need;
 *   rootfs_open_beneath()  a path relative to a directory already opened in
 *                          the root (openat2 RESOLVE_BENEATH): any link or
 *                          ".." that would leave that directory fails with
 *                          EXDEV.  For kept-open directory fds (md/, bonding/).
 *
 * Magic links (/proc/PID/fd/N) are refused by both.  On kernels without
 * openat2 (before 5.6) both fall back to plain openat(): the live /proc and
 * /sys are safe with it, a hostile --root tree is not (docs/redmon.8 says so).
 *
 * Nothing here keeps state.
 */
#ifndef REDMON_PLUGINS_ROOTFS_H
#define REDMON_PLUGINS_ROOTFS_H

/* Both return an fd, or -1 with errno (EXDEV: the path leaves its base). */
int rootfs_open(int root_fd, const char *path, int flags);
int rootfs_open_beneath(int dir_fd, const char *path, int flags);

/*
 * rootfs_open() that tells why a file cannot be had: the fd, or -errno, with
 * -ENOENT when path does not exist and -ENOLINK when it is a symbolic link
 * leading nowhere inside the root (sys/block/md1/md/level -> /etc/shadow,
 * resolved as <root>/etc/shadow): an attribute that is there but cannot be
 * read, never one that is absent.
 */
int rootfs_open_checked(int root_fd, const char *path, int flags);

/*
 * Open path for reading, only when it is a regular file: -EISDIR for a
 * directory, -EINVAL for anything else (a FIFO or a device in a captured
 * tree must never block a scan).  The fd or -errno, as rootfs_open_checked().
 */
int rootfs_open_regular(int root_fd, const char *path);

#endif
