/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Durable files and the alert spool.
 *
 * write_file_atomic() is the one way redmon replaces a file so that a crash
 * leaves either the old or the new content: temporary file, fsync, rename,
 * fsync of the directory.  The state file, the Prometheus textfile and the
 * spool all use it.
 *
 * A spool is one directory holding one file per undelivered alert, named by
 * its sequence number (zero-padded, so names sort as numbers).  It is bounded:
 * storing beyond max drops the oldest entries.  Its entries survive SIGKILL
 * and reboots; delivery takes them in sequence order.
 */
#ifndef REDMON_SPOOL_H
#define REDMON_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* mkdir -p path (each missing component with mode); 0 or -errno. */
int mkdir_parents(const char *path, mode_t mode);

/*
 * Open directory path, each missing component made with mode when make, as
 * the kernel resolves it but following a symbolic link only when root or we
 * own it: started as root, redmon opens directories below the state
 * directory, which the service user owns, and a link planted there must not
 * turn root's mkdir, unlink or rename to another directory (/etc).  The fd
 * (O_RDONLY | O_DIRECTORY) or -errno (-ELOOP: a link of someone else).
 */
int open_dir_made(const char *path, mode_t mode, bool make);

/* Write all of data to fd, retrying short writes and EINTR; 0 or -errno. */
int write_all(int fd, const void *data, size_t len);

/*
 * Replace dirfd/name with data: write "<name>.tmp", fsync, rename over name,
 * fsync dirfd.  mode applies to a new file.  0 or -errno (name untouched).
 */
int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/*
 * Read all of dirfd/name (at most max bytes) into a new NUL-terminated buffer;
 * a symbolic link, FIFO or other non-regular file is refused (-ELOOP, -EPERM).
 */
int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);
/* The same from an open fd: 0 or -errno; -EFBIG when it has more than max bytes. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);

struct spool;

/*
 * Open (creating it) the spool directory dir holding at most max entries:
 * removes temporary files a crash left, lists the entries in order.
 * dir NULL: a spool in memory only (where there is no state directory),
 * every spool_put() returning 1.  0 and *ret, or -errno.
 */
int spool_open(const char *dir, size_t max, struct spool **ret);

size_t spool_count(const struct spool *s);
/* The lowest / highest sequence number stored, 0 when empty. */
uint64_t spool_first(const struct spool *s);
uint64_t spool_last(const struct spool *s);
/* The spool's directory (borrowed), for files of the caller's own beside the entries. */
int spool_dirfd(const struct spool *s);

/*
 * Store data as entry seq, durably, before returning 0.  When the disk
 * refuses it (full, read-only, I/O error) the entry is kept in memory in its
 * place in the queue and 1 is returned: not durable, lost if the process
 * ends before it is delivered.  When the spool is full the oldest entries
 * (never keep, the one being delivered) are removed first and *ret_dropped
 * says how many.  -errno on failure (nothing stored: out of memory).
 */
int spool_put(struct spool *s, uint64_t seq, const void *data, size_t len, uint64_t keep,
	      size_t *ret_dropped);

/* Read entry seq into a new buffer; 0 or -errno. */
int spool_read(struct spool *s, uint64_t seq, char **ret, size_t *ret_len);

/* Delivered: remove entry seq.  0 or -errno. */
int spool_remove(struct spool *s, uint64_t seq);

/* Refused for good by the receiver: rename it to <name>.rejected, out of the queue. */
int spool_set_aside(struct spool *s, uint64_t seq);

void spool_free(struct spool *s);

#endif
