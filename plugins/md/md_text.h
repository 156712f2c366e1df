/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers of the md probe: byte slices that need no terminating NUL,
 * whitespace tokens, strict number parsing, and a growable buffer that a scan
 * reuses so that steady-state scans do not allocate.
 *
 * Nothing here logs; every function returns 0 or -errno (or a bool).
 */
#ifndef REDMON_MD_TEXT_H
#define REDMON_MD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A view of n bytes at p; not NUL-terminated, may contain any byte. */
struct md_str {
	const char *p;
	size_t n;
};

static inline struct md_str md_str_make(const char *p, size_t n)
{
	struct md_str s = { p, n };
	return s;
}

/* A view of a NUL-terminated C string. */
struct md_str md_str_c(const char *s);

/* Split the next line (without its '\n') off *rest.  False when *rest is empty. */
bool md_str_next_line(struct md_str *rest, struct md_str *ret_line);

/* Split the next whitespace-separated token off *rest.  False when none is left. */
bool md_str_next_token(struct md_str *rest, struct md_str *ret_tok);

struct md_str md_str_trim(struct md_str s);
struct md_str md_str_ltrim(struct md_str s);
bool md_str_is_blank(struct md_str s);
bool md_str_eq(struct md_str s, const char *lit);
bool md_str_starts(struct md_str s, const char *lit);
bool md_str_ends(struct md_str s, const char *lit);

/* True when every byte is printable ASCII (0x21..0x7e), and s is not empty. */
bool md_str_is_graph(struct md_str s);

/*
 * Parse all of s as a decimal integer in [min, max] (strtoll, full checks: no
 * sign other than a leading '-', no blanks, no trailing bytes).  Returns 0 and
 * stores *ret, or -EINVAL (not a number) / -ERANGE (out of range).
 */
int md_str_to_long(struct md_str s, long long min, long long max, long long *ret);

/* The same for unsigned 64-bit values (no sign allowed). */
int md_str_to_u64(struct md_str s, unsigned long long *ret);

/*
 * Copy s into dst (capacity cap >= 1) as a C string, replacing every byte that
 * is not printable ASCII by '?' and cutting at cap - 1 bytes.  Used for text
 * that ends up in reasons and state strings, which must be valid UTF-8.
 */
void md_str_copy_safe(struct md_str s, char *dst, size_t cap);

/* A growable byte buffer, kept across scans. */
struct md_buf {
	char *p;
	size_t len; /* bytes of content */
	size_t cap; /* bytes allocated */
};

/* Make room for at least cap bytes.  Returns 0 or -ENOMEM (b unchanged). */
int md_buf_reserve(struct md_buf *b, size_t cap);
void md_buf_free(struct md_buf *b);

/*
 * Read the whole of fd from offset 0 with pread() into b, at most max bytes
 * (b->p[b->len] is then a NUL).  Sets *ret_truncated when the file holds more
 * than max bytes.  Returns 0 or -errno; on error b->len is 0.
 */
int md_read_fd(int fd, struct md_buf *b, size_t max, bool *ret_truncated);

/*
 * The same for a file that is one record, such as a sysfs attribute (one
 * show() call, at most a page): a single pread() of max + 1 bytes returns all
 * of it, so a short read is its end and no second read is needed to see 0.
 * Regular files read this way too (a short read ends them).
 */
int md_read_record(int fd, struct md_buf *b, size_t max, bool *ret_truncated);

#endif /* REDMON_MD_TEXT_H */
