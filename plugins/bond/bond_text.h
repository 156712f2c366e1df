/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers of the bond probe: byte slices that need no terminating NUL,
 * strict number parsing, interface-name checks and bounded file reads.
 *
 * Nothing here logs; every function returns 0 or -errno (or a bool).
 */
#ifndef REDMON_BOND_TEXT_H
#define REDMON_BOND_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view of n bytes at p; not NUL-terminated, may contain any byte. */
struct bstr {
	const char *p;
	size_t n;
};

static inline struct bstr bstr_make(const char *p, size_t n)
{
	struct bstr s = { p, n };
	return s;
}

/* A view of a NUL-terminated C string. */
struct bstr bstr_c(const char *s);

/* Split the next line (without its '\n') off *rest.  False when *rest is empty. */
bool bstr_next_line(struct bstr *rest, struct bstr *ret_line);

/* Split the next blank-separated token off *rest.  False when none is left. */
bool bstr_next_token(struct bstr *rest, struct bstr *ret_tok);

/* Without leading and trailing blanks (space, tab, CR, LF, VT, FF). */
struct bstr bstr_trim(struct bstr s);

bool bstr_eq(struct bstr s, const char *lit);
bool bstr_starts(struct bstr s, const char *lit);

/*
 * Parse all of s as a decimal integer in [min, max] (strtoll with every
 * check: an optional leading '-', no blanks, no trailing bytes).  Returns 0 and
 * stores *ret, or -EINVAL (not a number) / -ERANGE (out of range).
 */
int bstr_to_ll(struct bstr s, long long min, long long max, long long *ret);

/* Parse "0x1303" or "1303" (hex) into *ret; 0 or -EINVAL / -ERANGE. */
int bstr_to_hex(struct bstr s, unsigned long long *ret);

/* Parse a 6-byte MAC "aa:bb:cc:dd:ee:ff" (hex pairs, ':' separated); 0 or -EINVAL. */
int bstr_to_mac(struct bstr s, uint8_t ret[6]);

/*
 * Copy s into a new C string of at most max bytes, with every control byte
 * (NUL, line breaks, ESC, DEL: below 0x20 and 0x7f) replaced by '?', so that
 * a name read from a file never breaks a line of an event or a log.  Returns
 * NULL when out of memory.
 */
char *bstr_dup(struct bstr s, size_t max);

/* Whether s holds a control byte (one bstr_dup() replaces). */
bool bstr_has_control(struct bstr s);

/* The longest interface name the kernel allows (IFNAMSIZ - 1). */
#define BOND_IFNAME_MAX 15

/*
 * True when s is a name the kernel accepts for a network interface, as
 * dev_valid_name() in net/core/dev.c checks it: 1..15 bytes, not "." or "..",
 * no '/', ':', NUL or blank; and, stricter than the kernel (as systemd's
 * ifname_valid()), no control byte, because a bond's name is printed as is
 * in events and logs.  Only such names are ever used in a path.
 */
bool bond_ifname_valid(struct bstr s);

/* A growable byte buffer, reused across reads. */
struct bbuf {
	char *p;
	size_t len; /* bytes of content; p[len] is a NUL when p != NULL */
	size_t cap; /* bytes allocated */
};

void bbuf_free(struct bbuf *b);

/*
 * Read the regular file at path (relative to the probe's root root_fd, and
 * never leaving it: rootfs_open()) into b, at most max bytes;
 * *ret_truncated (may be NULL) says whether more was there.  A FIFO, device
 * or directory is refused with -EINVAL / -EISDIR (a captured tree must never
 * block a scan).  Returns 0 or -errno: -ENOENT when absent, -ELOOP when path
 * is a symlink that leads nowhere inside the root (one planted to reach a
 * host file: there, but not readable); on error b->len is 0.
 */
int bond_read_file(int root_fd, const char *path, size_t max, struct bbuf *b, bool *ret_truncated);

/*
 * Open path (relative to root_fd, resolved inside it) for reading, only when
 * it is a regular file (-EINVAL / -EISDIR otherwise).  Returns the fd or
 * -errno, as bond_read_file().
 */
int bond_open_regular(int root_fd, const char *path);

/*
 * Read the open file fd into b as bond_read_file() does: from its current
 * position, or with at_zero from offset 0 by pread() (a kept-open file).
 */
int bond_read_fd(int fd, bool at_zero, size_t max, struct bbuf *b, bool *ret_truncated);

#endif /* REDMON_BOND_TEXT_H */
