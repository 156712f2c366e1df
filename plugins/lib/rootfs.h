/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening files of a probe's root directory without ever leaving it.
 *
 * A probe reads DIR/proc and DIR/sys (`--root DIR`, "/" in production).  A
 * captured or hostile tree may hold links such as sys/block/md1/md/level ->
 * /etc/shadow (or ../../../../etc/shadow): followed by a plain openat(), the
 * daemon would read the host's file and send it to every sink.  So every
 * open of a probe goes through one of these (openat2(2); magic links such as
 * /proc/PID/fd/N are refused).  Without openat2 (before Linux 5.6, a
 * seccomp filter refusing it, valgrind) the path is walked one component
 * at a time, each link's text read and walked the same way (rootfs.c,
 * walk_open()): slower, as safe.  Nothing here keeps state.
 */
#ifndef REDMON_PLUGINS_ROOTFS_H
#define REDMON_PLUGINS_ROOTFS_H

/*
 * Both return an fd, or -1 with errno.  rootfs_open() resolves path as if
 * root_fd were "/" (RESOLVE_IN_ROOT: absolute and ".." links are clamped to
 * the root, as the kernel's own sysfs links need); rootfs_open_beneath()
 * refuses, with EXDEV, any link or ".." leaving dir_fd, a directory already
 * opened in the root (RESOLVE_BENEATH: for kept-open md/ and bonding/ fds).
 */
int rootfs_open(int root_fd, const char *path, int flags);
int rootfs_open_beneath(int dir_fd, const char *path, int flags);

/*
 * rootfs_open() that tells why: the fd, or -errno, -ENOENT when path does not
 * exist and -ENOLINK for a link leading nowhere inside the root (there but
 * unreadable, never absent).
 */
int rootfs_open_checked(int root_fd, const char *path, int flags);

/*
 * rootfs_open_checked() for reading a regular file only: -EISDIR for a
 * directory, -EINVAL for anything else (a FIFO must never block a scan).
 */
int rootfs_open_regular(int root_fd, const char *path);

#endif
