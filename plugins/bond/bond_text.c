// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text helpers of the bond probe: see bond_text.h.
 */
#include "bond_text.h"

#include "../lib/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct bstr bstr_c(const char *s)
{
	return bstr_make(s, s ? strlen(s) : 0);
}

bool bstr_next_line(struct bstr *rest, struct bstr *ret_line)
{
	const char *nl;

	if (rest->n == 0)
		return false;
	nl = memchr(rest->p, '\n', rest->n);
	if (nl) {
		*ret_line = bstr_make(rest->p, (size_t)(nl - rest->p));
		rest->n -= (size_t)(nl - rest->p) + 1;
		rest->p = nl + 1;
	} else {
		*ret_line = *rest;
		rest->p += rest->n;
		rest->n = 0;
	}
	return true;
}

bool bstr_next_token(struct bstr *rest, struct bstr *ret_tok)
{
	size_t i = 0, start;

	while (i < rest->n && is_blank(rest->p[i]))
		i++;
	if (i == rest->n) {
		rest->p += rest->n;
		rest->n = 0;
		return false;
	}
	start = i;
	while (i < rest->n && !is_blank(rest->p[i]))
		i++;
	*ret_tok = bstr_make(rest->p + start, i - start);
	rest->p += i;
	rest->n -= i;
	return true;
}

struct bstr bstr_trim(struct bstr s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool bstr_eq(struct bstr s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool bstr_starts(struct bstr s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

/* Copy a short token into buf as a C string; false when it does not fit. */
static bool to_cstr(struct bstr s, char *buf, size_t cap)
{
	if (s.n == 0 || s.n >= cap || memchr(s.p, 0, s.n))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	return true;
}

int bstr_to_ll(struct bstr s, long long min, long long max, long long *ret)
{
	char buf[32], *end;
	long long v;

	if (!to_cstr(s, buf, sizeof(buf)))
		return -EINVAL;
	if (!(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (end == buf || *end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int bstr_to_hex(struct bstr s, unsigned long long *ret)
{
	char buf[32], *end, *p = buf;
	unsigned long long v;

	if (!to_cstr(s, buf, sizeof(buf)))
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	/* strtoull would take a sign or blanks: allow hex digits only. */
	if (!*p || strspn(p, "0123456789abcdefABCDEF") != strlen(p))
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, 16);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	return 0;
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

int bstr_to_mac(struct bstr s, uint8_t ret[6])
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

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

char *bstr_dup(struct bstr s, size_t max)
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

bool bstr_has_control(struct bstr s)
{
	for (size_t i = 0; i < s.n; i++) {
		if (is_control(s.p[i]))
			return true;
	}
	return false;
}

bool bond_ifname_valid(struct bstr s)
{
	if (s.n == 0 || s.n > BOND_IFNAME_MAX)
		return false;
	if (bstr_eq(s, ".") || bstr_eq(s, ".."))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == '/' || c == ':' || is_blank(c) || is_control(c))
			return false;
	}
	return true;
}

void bbuf_free(struct bbuf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static int bbuf_reserve(struct bbuf *b, size_t cap)
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

/*
 * ENOENT from an open in the root: is the last component there as a
 * symlink (one leading out of the root, clamped to a path that does not
 * exist, or dangling)?  sysfs attributes are never links: such a file is
 * there but cannot be read, which is not the same as absent.
 */
static int absent_or_link(int root_fd, const char *path)
{
	int fd = rootfs_open(root_fd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -ENOENT;
	close(fd);
	return -ELOOP;
}

int bond_open_regular(int root_fd, const char *path)
{
	struct stat st;
	int fd, r;

	fd = rootfs_open(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? absent_or_link(root_fd, path) : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	return fd;
}

int bond_read_fd(int fd, bool at_zero, size_t max, struct bbuf *b, bool *ret_truncated)
{
	size_t len = 0;
	bool more = false;
	int r = 0;

	b->len = 0;
	/*
	 * sysfs and proc files report size 0 (or 4096): read until EOF, growing
	 * the buffer, and one byte past max to tell a cut file from a full one.
	 * A short read is the end: sysfs and seq_file reads fill the buffer
	 * while there is more, and so do reads of regular files, which signals
	 * do not interrupt.  That saves the second read, returning 0, per file.
	 */
	for (;;) {
		size_t want;
		ssize_t n;

		if (len + 1 >= b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 4096;

			if (cap > max + 2)
				cap = max + 2;
			if (len + 1 >= cap) {
				more = true;
				break;
			}
			r = bbuf_reserve(b, cap);
			if (r < 0)
				break;
		}
		want = b->cap - 1 - len;
		n = at_zero ? pread(fd, b->p + len, want, (off_t)len) : read(fd, b->p + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			more = true;
			len = max;
			break;
		}
		if ((size_t)n < want)
			break;
	}
	if (r < 0) {
		if (b->p)
			b->p[0] = 0;
		return r;
	}
	if (!b->p) {
		r = bbuf_reserve(b, 1);
		if (r < 0)
			return r;
	}
	b->len = len;
	b->p[len] = 0;
	if (ret_truncated)
		*ret_truncated = more;
	return 0;
}

int bond_read_file(int root_fd, const char *path, size_t max, struct bbuf *b, bool *ret_truncated)
{
	int fd, r;

	b->len = 0;
	fd = bond_open_regular(root_fd, path);
	if (fd < 0)
		return fd;
	r = bond_read_fd(fd, false, max, b, ret_truncated);
	close(fd);
	return r;
}
