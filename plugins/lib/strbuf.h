/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text for parsers of untrusted files: byte views that need no NUL (struct
 * strv: a line or token of /proc/mdstat or of a sysfs attribute), strict
 * numbers, and one growable buffer (struct strbuf) a probe keeps across scans
 * so that steady-state scans do not allocate.  Nothing logs; 0 or -errno.
 */
#ifndef REDMON_PLUGINS_STRBUF_H
#define REDMON_PLUGINS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view of n bytes at p; not NUL-terminated, may contain any byte. */
struct strv {
	const char *p;
	size_t n;
};

static inline struct strv strv_make(const char *p, size_t n)
{
	return (struct strv){ p, n };
}

/* A view of a NUL-terminated C string (NULL: the empty view). */
struct strv strv_c(const char *s);

/* Split the next line (without its '\n') off *rest.  False when *rest is empty. */
bool strv_next_line(struct strv *rest, struct strv *ret_line);

/* Split the next blank-separated token off *rest.  False when none is left. */
bool strv_next_token(struct strv *rest, struct strv *ret_tok);

/* The same for an item of a list separated by any bytes of seps (", " for "a, b,c"). */
bool strv_next_item(struct strv *rest, const char *seps, struct strv *ret_item);

/* Space, tab, CR, LF, VT or FF. */
static inline bool strv_blank_char(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Without leading (ltrim) or leading and trailing blanks (strv_blank_char()).
 * Inline: the parsers trim every line, key and value they read.
 */
static inline struct strv strv_ltrim(struct strv s)
{
	while (s.n > 0 && strv_blank_char(s.p[0])) {
		s.p++;
		s.n--;
	}
	return s;
}

static inline struct strv strv_trim(struct strv s)
{
	s = strv_ltrim(s);
	while (s.n > 0 && strv_blank_char(s.p[s.n - 1]))
		s.n--;
	return s;
}
bool strv_is_blank(struct strv s);
bool strv_ends(struct strv s, const char *lit);

/*
 * Whether s is lit, or starts with it.  Inline: the parsers compare each line
 * with a row of literals, whose length the compiler then knows, so a
 * mismatch is usually one comparison of lengths (issue 19: out of line,
 * strlen() and the call were a fifth of bond's scan).
 */
static inline bool strv_eq(struct strv s, const char *lit)
{
	size_t n = __builtin_strlen(lit);

	return s.n == n && __builtin_memcmp(s.p, lit, n) == 0;
}

static inline bool strv_starts(struct strv s, const char *lit)
{
	size_t n = __builtin_strlen(lit);

	return s.n >= n && __builtin_memcmp(s.p, lit, n) == 0;
}

/*
 * Concatenate the strings up to the NULL after them into buf, a buffer of
 * len bytes, cut to fit and always NUL-ended (when len > 0): their total
 * length, as snprintf(buf, len, "%s%s...") returns, so >= len says it was
 * cut.  Without parsing a format: paths and state words are built by the
 * hundred at every scan (issue 19: snprintf was a sixth of the probes'
 * instructions).  str_copy() is the same for one string.
 */
size_t str_concat(char *buf, size_t len, ...) __attribute__((sentinel));
size_t str_copy(char *buf, size_t len, const char *src);

/* True when every byte is printable ASCII (0x21..0x7e), and s is not empty. */
bool strv_is_graph(struct strv s);

/* Whether s holds a control byte (below 0x20, or DEL). */
bool strv_has_control(struct strv s);

/*
 * Parse all of s as a decimal integer in [min, max]: digits after an optional
 * '-', nothing else.  0 with *ret set, or -EINVAL (not a number) / -ERANGE
 * (out of range, or 32 bytes or more: no 64-bit value is that long).
 */
int strv_to_ll(struct strv s, long long min, long long max, long long *ret);

/* The same for unsigned 64-bit values (no sign allowed). */
int strv_to_u64(struct strv s, unsigned long long *ret);

/*
 * Parse a duration as the core's option checker does: digits, then no unit
 * (seconds), "s", "ms", "m" or "h".  0 with milliseconds in *ret, or -EINVAL.
 */
int strv_to_duration_ms(struct strv s, uint64_t *ret);

/* Parse "0x1303" or "1303" (hex digits only) into *ret; 0 or -EINVAL / -ERANGE. */
int strv_to_hex(struct strv s, unsigned long long *ret);

/* Parse a 6-byte MAC "aa:bb:cc:dd:ee:ff" (hex pairs, ':' separated); 0 or -EINVAL. */
int strv_to_mac(struct strv s, uint8_t ret[6]);

/*
 * Copy s into dst (capacity cap >= 1) as a C string cut at cap - 1 bytes, with
 * '?' for every byte not printable ASCII: reasons and states must be UTF-8.
 */
void strv_copy_printable(struct strv s, char *dst, size_t cap);

/*
 * Copy s into a new C string (NULL when out of memory) of at most max bytes,
 * every control byte (NUL, line breaks, ESC, DEL) replaced by '?' so that a
 * name read from a file never breaks a line of an event or a log.
 */
char *strv_dup_nocontrol(struct strv s, size_t max);

/* A growable byte buffer, kept across scans. */
struct strbuf {
	char *p;
	size_t len; /* bytes of content; p[len] is a NUL after a read */
	size_t cap; /* bytes allocated */
};

/* Make room for at least cap bytes.  Returns 0 or -ENOMEM (b unchanged). */
int strbuf_reserve(struct strbuf *b, size_t cap);

/* The same, doubling the capacity (from 64): appends cost amortised O(1). */
int strbuf_grow(struct strbuf *b, size_t need);

/* Append n bytes (any bytes), NUL after them: 0, or -ENOMEM with b unchanged. */
int strbuf_add(struct strbuf *b, const void *bytes, size_t n);

/*
 * Append sep (unless b is empty or sep is NULL) and the formatted text, b->p
 * staying NUL-terminated: 0, or -ENOMEM with b unchanged.  b->len = 0 empties b.
 */
int strbuf_addf(struct strbuf *b, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The text of b; "" when it is empty (b->p may then be NULL).  Owned by b. */
static inline const char *strbuf_str(const struct strbuf *b)
{
	return b->len ? b->p : "";
}

/* Free the bytes; NULL is a no-op.  b can be used again as is. */
void strbuf_free(struct strbuf *b);

/*
 * Read the whole of fd from offset 0 with pread() into b, at most max bytes
 * (then NUL-terminated); *ret_truncated (may be NULL) says whether the file
 * held more.  0 or -errno; on error b->len is 0.  pread() at offset 0
 * restarts a seq_file such as /proc/mdstat from its first record
 * (fs/seq_file.c seq_read_iter) and re-arms sysfs poll() on a kept-open
 * attribute (fs/kernfs/file.c).  A short read ends the file (a sysfs
 * attribute is one show(); a seq_file read, like a regular file's, fills the
 * buffer while there is more), which saves the read that returns 0; with
 * STRBUF_TO_EOF, reads go on until one does (a file that may come in pieces).
 */
#define STRBUF_TO_EOF 0x1u
int strbuf_read_fd(struct strbuf *b, int fd, size_t max, unsigned int flags, bool *ret_truncated);

#endif
