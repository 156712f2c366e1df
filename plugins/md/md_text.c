/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers of the md probe: see md_text.h.
 */
#include "md_text.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct md_str md_str_c(const char *s)
{
	return md_str_make(s, strlen(s));
}

bool md_str_next_line(struct md_str *rest, struct md_str *ret_line)
{
	const char *nl;

	if (rest->n == 0)
		return false;
	nl = memchr(rest->p, '\n', rest->n);
	if (!nl) {
		*ret_line = *rest;
		rest->p += rest->n;
		rest->n = 0;
		return true;
	}
	*ret_line = md_str_make(rest->p, (size_t)(nl - rest->p));
	rest->n -= (size_t)(nl - rest->p) + 1;
	rest->p = nl + 1;
	return true;
}

bool md_str_next_token(struct md_str *rest, struct md_str *ret_tok)
{
	size_t i = 0, start;

	while (i < rest->n && (is_space(rest->p[i]) || rest->p[i] == '\n'))
		i++;
	if (i == rest->n) {
		rest->p += rest->n;
		rest->n = 0;
		return false;
	}
	start = i;
	while (i < rest->n && !is_space(rest->p[i]) && rest->p[i] != '\n')
		i++;
	*ret_tok = md_str_make(rest->p + start, i - start);
	rest->p += i;
	rest->n -= i;
	return true;
}

struct md_str md_str_ltrim(struct md_str s)
{
	while (s.n > 0 && (is_space(s.p[0]) || s.p[0] == '\n')) {
		s.p++;
		s.n--;
	}
	return s;
}

struct md_str md_str_trim(struct md_str s)
{
	s = md_str_ltrim(s);
	while (s.n > 0 && (is_space(s.p[s.n - 1]) || s.p[s.n - 1] == '\n'))
		s.n--;
	return s;
}

bool md_str_is_blank(struct md_str s)
{
	return md_str_trim(s).n == 0;
}

bool md_str_eq(struct md_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool md_str_starts(struct md_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

bool md_str_ends(struct md_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

bool md_str_is_graph(struct md_str s)
{
	size_t i;

	if (s.n == 0)
		return false;
	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x21 || c > 0x7e)
			return false;
	}
	return true;
}

/*
 * Copy a number token into a C string for strtoll/strtoull.  64-bit decimals
 * have at most 20 digits; anything longer is out of range anyway.
 */
static int number_token(struct md_str s, bool sign_ok, char *buf, size_t cap)
{
	size_t i = 0;

	if (s.n == 0)
		return -EINVAL;
	if (s.n >= cap)
		return -ERANGE;
	if (sign_ok && s.p[0] == '-')
		i = 1;
	if (i == s.n)
		return -EINVAL;
	for (; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EINVAL;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return 0;
}

int md_str_to_long(struct md_str s, long long min, long long max, long long *ret)
{
	char buf[32], *end;
	long long v;
	int r;

	r = number_token(s, true, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || end != buf + s.n)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int md_str_to_u64(struct md_str s, unsigned long long *ret)
{
	char buf[32], *end;
	unsigned long long v;
	int r;

	r = number_token(s, false, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || end != buf + s.n)
		return -EINVAL;
	*ret = v;
	return 0;
}

void md_str_copy_safe(struct md_str s, char *dst, size_t cap)
{
	size_t i, n = s.n < cap - 1 ? s.n : cap - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		dst[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
	}
	dst[n] = '\0';
}

int md_buf_reserve(struct md_buf *b, size_t cap)
{
	char *p;

	if (cap <= b->cap)
		return 0;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void md_buf_free(struct md_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Grow b geometrically, but never beyond limit bytes. */
static int buf_grow(struct md_buf *b, size_t limit)
{
	size_t want = b->cap < 4096 ? 4096 : b->cap * 2;

	if (want > limit)
		want = limit;
	if (want <= b->cap)
		return -ENOMEM;
	return md_buf_reserve(b, want);
}

static ssize_t pread_retry(int fd, void *p, size_t n, size_t off)
{
	ssize_t r;

	do
		r = pread(fd, p, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * pread() from offset 0 rather than read(): it restarts a seq_file such as
 * /proc/mdstat from its first record (fs/seq_file.c seq_read_iter), and it
 * re-arms sysfs poll() on a kept-open attribute (fs/kernfs/file.c).
 */
int md_read_fd(int fd, struct md_buf *b, size_t max, bool *ret_truncated)
{
	size_t off = 0;
	bool truncated = false;
	int r;

	b->len = 0;
	if (max == 0 || max >= SIZE_MAX / 2)
		return -EINVAL;
	for (;;) {
		size_t room;
		ssize_t n;

		if (off == max) {
			char probe;

			/* Full: one more byte tells "exactly max" from "cut". */
			n = pread_retry(fd, &probe, 1, off);
			if (n < 0)
				return -errno;
			truncated = n > 0;
			break;
		}
		if (b->cap < off + 2) { /* one byte of content, one for the NUL */
			r = buf_grow(b, max + 1);
			if (r < 0)
				return r;
		}
		room = b->cap - 1 - off;
		if (room > max - off)
			room = max - off;
		n = pread_retry(fd, b->p + off, room, off);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	b->p[off] = '\0';
	b->len = off;
	*ret_truncated = truncated;
	return 0;
}

int md_read_record(int fd, struct md_buf *b, size_t max, bool *ret_truncated)
{
	ssize_t n;
	int r;

	b->len = 0;
	if (max == 0 || max >= SIZE_MAX / 2)
		return -EINVAL;
	/* max + 1 bytes of room: one byte more tells "exactly max" from "cut". */
	r = md_buf_reserve(b, max + 2);
	if (r < 0)
		return r;
	n = pread_retry(fd, b->p, max + 1, 0);
	if (n < 0)
		return -errno;
	*ret_truncated = (size_t)n > max;
	b->len = (size_t)n > max ? max : (size_t)n;
	b->p[b->len] = '\0';
	return 0;
}
