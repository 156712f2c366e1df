// SPDX-License-Identifier: GPL-2.0-or-later
/* Text views, number parsing and the growable buffer: see strbuf.h. */
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

struct strv strv_c(const char *s)
{
	return strv_make(s, s ? strlen(s) : 0);
}

size_t str_concat(char *buf, size_t len, ...)
{
	const char *s;
	size_t at = 0;
	va_list ap;

	if (len)
		buf[0] = '\0';
	va_start(ap, len);
	while ((s = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(s);

		if (at < len) {
			size_t k = n < len - 1 - at ? n : len - 1 - at;

			memcpy(buf + at, s, k);
			buf[at + k] = '\0';
		}
		at += n;
	}
	va_end(ap);
	return at;
}

size_t str_copy(char *buf, size_t len, const char *src)
{
	return str_concat(buf, len, src, (const char *)NULL);
}

bool strv_next_line(struct strv *rest, struct strv *ret_line)
{
	const char *nl = rest->n ? memchr(rest->p, '\n', rest->n) : NULL;
	size_t len = nl ? (size_t)(nl - rest->p) : rest->n, skip = len + (nl != NULL);

	if (rest->n == 0)
		return false;
	*ret_line = strv_make(rest->p, len);
	rest->p += skip;
	rest->n -= skip;
	return true;
}

bool strv_next_token(struct strv *rest, struct strv *ret_tok)
{
	size_t i = 0;

	*rest = strv_ltrim(*rest);
	if (rest->n == 0)
		return false;
	while (i < rest->n && !strv_blank_char(rest->p[i]))
		i++;
	*ret_tok = strv_make(rest->p, i);
	rest->p += i;
	rest->n -= i;
	return true;
}

bool strv_next_item(struct strv *rest, const char *seps, struct strv *ret_item)
{
	size_t i = 0, n = strlen(seps);

	while (rest->n > 0 && memchr(seps, rest->p[0], n)) {
		rest->p++;
		rest->n--;
	}
	if (rest->n == 0)
		return false;
	while (i < rest->n && !memchr(seps, rest->p[i], n))
		i++;
	*ret_item = strv_make(rest->p, i);
	rest->p += i;
	rest->n -= i;
	return true;
}

bool strv_is_blank(struct strv s)
{
	return strv_trim(s).n == 0;
}

bool strv_ends(struct strv s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

bool strv_is_graph(struct strv s)
{
	/* Bytes from 0x80 fail one test or the other, whether char is signed or not. */
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < 0x21 || s.p[i] > 0x7e)
			return false;
	return s.n > 0;
}

bool strv_has_control(struct strv s)
{
	for (size_t i = 0; i < s.n; i++)
		if (is_control(s.p[i]))
			return true;
	return false;
}

/*
 * The decimal digits of s, a '-' first when sign_ok: its magnitude in *mag
 * and sign in *neg; -EINVAL (empty, not digits) or -ERANGE (31 bytes or
 * more, or past 2^64 - 1).  Parsed here, not by strtoll() on a copy: numbers
 * are read by the hundred at every scan.
 */
static int number_value(struct strv s, bool sign_ok, bool *neg, unsigned long long *mag)
{
	size_t i = sign_ok && s.n && s.p[0] == '-' ? 1 : 0;
	unsigned long long v = 0;
	bool over = false;

	if (s.n == 0 || i == s.n)
		return -EINVAL;
	if (s.n >= 32)
		return -ERANGE;
	for (size_t k = i; k < s.n; k++) {
		if (s.p[k] < '0' || s.p[k] > '9')
			return -EINVAL;
		over |= __builtin_mul_overflow(v, 10u, &v);
		over |= __builtin_add_overflow(v, (unsigned)(s.p[k] - '0'), &v);
	}
	if (over)
		return -ERANGE;
	*neg = i == 1;
	*mag = v;
	return 0;
}

int strv_to_ll(struct strv s, long long min, long long max, long long *ret)
{
	unsigned long long mag;
	long long v;
	bool neg;
	int r = number_value(s, true, &neg, &mag);

	if (r < 0)
		return r;
	if (mag > (unsigned long long)LLONG_MAX + (neg ? 1 : 0))
		return -ERANGE;
	v = !neg ? (long long)mag : mag == 0 ? 0 : -(long long)(mag - 1) - 1;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int strv_to_duration_ms(struct strv s, uint64_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 } };
	unsigned long long v;
	size_t k = 0;

	while (k < s.n && s.p[k] >= '0' && s.p[k] <= '9')
		k++;
	if (k == 0 || strv_to_u64(strv_make(s.p, k), &v) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strv_eq(strv_make(s.p + k, s.n - k), units[i].unit)) {
			if (v > UINT64_MAX / units[i].ms)
				return -EINVAL;
			*ret = v * units[i].ms;
			return 0;
		}
	}
	return -EINVAL;
}

int strv_to_u64(struct strv s, unsigned long long *ret)
{
	bool neg;

	return number_value(s, false, &neg, ret);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int strv_to_hex(struct strv s, unsigned long long *ret)
{
	unsigned long long v = 0;

	if (s.n >= 32) /* no value has that many digits: not one we know */
		return -EINVAL;
	if (strv_starts(s, "0x") || strv_starts(s, "0X"))
		s = strv_make(s.p + 2, s.n - 2);
	if (s.n == 0)
		return -EINVAL;
	for (size_t i = 0; i < s.n; i++) {
		int d = hexval(s.p[i]);

		if (d < 0)
			return -EINVAL;
		if (v > (~0ull >> 4))
			return -ERANGE;
		v = v << 4 | (unsigned)d;
	}
	*ret = v;
	return 0;
}

int strv_to_mac(struct strv s, uint8_t ret[6])
{
	uint8_t mac[6];

	/* %pM in lib/vsprintf.c: six lower-case hex pairs joined by ':'. */
	if (s.n != 17)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++) {
		int hi = hexval(s.p[i * 3]), lo = hexval(s.p[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s.p[i * 3 + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, mac, sizeof(mac));
	return 0;
}

void strv_copy_printable(struct strv s, char *dst, size_t cap)
{
	size_t i, n = s.n < cap - 1 ? s.n : cap - 1;

	for (i = 0; i < n; i++) /* as in strv_is_graph(), signed char or not */
		dst[i] = s.p[i] >= 0x20 && s.p[i] <= 0x7e ? s.p[i] : '?';
	dst[n] = '\0';
}

char *strv_dup_nocontrol(struct strv s, size_t max)
{
	size_t n = s.n < max ? s.n : max;
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = is_control(s.p[i]) ? '?' : s.p[i];
	d[n] = 0;
	return d;
}

int strbuf_reserve(struct strbuf *b, size_t cap)
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

int strbuf_grow(struct strbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;

	while (cap < need)
		cap *= 2;
	return strbuf_reserve(b, cap);
}

int strbuf_add(struct strbuf *b, const void *bytes, size_t n)
{
	if (strbuf_grow(b, b->len + n + 1) < 0)
		return -ENOMEM;
	if (n)
		memcpy(b->p + b->len, bytes, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int strbuf_addf(struct strbuf *b, const char *sep, const char *fmt, ...)
{
	size_t at = b->len, s = at && sep ? strlen(sep) : 0;
	va_list ap;
	int n;

	if (strbuf_grow(b, at + s + 1) < 0)
		return -ENOMEM;
	memcpy(b->p + at, s ? sep : "", s);
	va_start(ap, fmt);
	n = vsnprintf(b->p + at + s, b->cap - at - s, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto fail;
	/* Formatted once into the room there was; again only when it did not fit. */
	if (at + s + (size_t)n >= b->cap) {
		if (strbuf_grow(b, at + s + (size_t)n + 1) < 0)
			goto fail;
		va_start(ap, fmt);
		vsnprintf(b->p + at + s, b->cap - at - s, fmt, ap);
		va_end(ap);
	}
	b->len = at + s + (size_t)n;
	return 0;
fail:
	b->p[at] = '\0';
	return n < 0 ? -EINVAL : -ENOMEM;
}

void strbuf_free(struct strbuf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Room for one more byte and the NUL: geometric, never beyond max + 2. */
static int grow(struct strbuf *b, size_t max)
{
	size_t cap = b->cap < 4096 ? 4096 : b->cap * 2;

	return strbuf_reserve(b, cap > max + 2 ? max + 2 : cap);
}

/* Buffers of reads this large or less keep the room they doubled to: at most 32 KiB spare. */
#define READ_FIT_MIN ((size_t)64 << 10)

/*
 * After a read of len bytes that grew the buffer: one doubled well past them
 * gives back all but an eighth more (and the 2 bytes a read to the end
 * needs), so a re-read of the same file, or of one a little longer, fits
 * without growing.  A probe keeps its big buffers between scans (two of
 * /proc/mdstat with 1,000 arrays: 2 x 256 KiB for 2 x 151 KiB read).  Only
 * after growing: a buffer that also reads small files is not shrunk by them,
 * to grow again at the next big one.  Out of memory: as it was.
 */
static void fit_read(struct strbuf *b, size_t len)
{
	size_t keep = len + len / 8 + 2;
	char *p;

	if (b->cap <= READ_FIT_MIN || keep >= b->cap - b->cap / 4)
		return;
	p = realloc(b->p, keep);
	if (p) {
		b->p = p;
		b->cap = keep;
	}
}

int strbuf_read_fd(struct strbuf *b, int fd, size_t max, unsigned int flags, bool *ret_truncated)
{
	size_t len = 0;
	bool more = false, grew = false;

	b->len = 0;
	if (max == 0 || max >= SIZE_MAX / 2)
		return -EINVAL;
	/* Up to max + 1 bytes: the one past max tells a cut file from a full one. */
	for (;;) {
		size_t want;
		ssize_t n;
		int r;

		if (len + 1 >= b->cap) {
			r = grow(b, max);
			if (r < 0)
				return r;
			grew = true;
		}
		want = b->cap - 1 - len;
		if (want > max + 1 - len)
			want = max + 1 - len;
		n = pread(fd, b->p + len, want, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			b->p[0] = '\0';
			return -errno;
		}
		len += (size_t)n;
		if (len > max) {
			more = true;
			len = max;
			break;
		}
		if (n == 0 || ((size_t)n < want && !(flags & STRBUF_TO_EOF)))
			break;
	}
	if (grew)
		fit_read(b, len);
	b->len = len;
	b->p[len] = '\0';
	if (ret_truncated)
		*ret_truncated = more;
	return 0;
}
