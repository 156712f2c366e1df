/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugins/lib/strbuf.c: views, strict numbers, and bounded reads of hostile files. */
#include "cmocka_all.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/lib/strbuf.h"

/* A temporary file holding n bytes of text, opened for reading. */
static int file_with(const void *text, size_t n)
{
	char path[] = "/tmp/strbuf-test-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	unlink(path);
	return fd;
}

static void test_lines_and_tokens(void **state)
{
	struct strv rest = strv_c("a b\n\n  c\t d  \nlast"), line, tok;

	(void)state;
	assert_true(strv_next_line(&rest, &line));
	assert_true(strv_eq(line, "a b"));
	assert_true(strv_next_line(&rest, &line));
	assert_true(strv_is_blank(line));
	assert_true(strv_next_line(&rest, &line));
	assert_true(strv_next_token(&line, &tok) && strv_eq(tok, "c"));
	assert_true(strv_next_token(&line, &tok) && strv_eq(tok, "d"));
	assert_false(strv_next_token(&line, &tok));
	/* No newline at the end: the last line is still a line. */
	assert_true(strv_next_line(&rest, &line) && strv_eq(line, "last"));
	assert_false(strv_next_line(&rest, &line));
	assert_int_equal(strv_c(NULL).n, 0);
}

/* Lists as options give them: "a, b,c", separators anywhere, none at all. */
static void test_items(void **state)
{
	struct strv rest = strv_c(" ,a, bb,,c ,"), item;

	(void)state;
	assert_true(strv_next_item(&rest, ", ", &item) && strv_eq(item, "a"));
	assert_true(strv_next_item(&rest, ", ", &item) && strv_eq(item, "bb"));
	assert_true(strv_next_item(&rest, ", ", &item) && strv_eq(item, "c"));
	assert_false(strv_next_item(&rest, ", ", &item));
	rest = strv_c(NULL);
	assert_false(strv_next_item(&rest, ", ", &item));
	rest = strv_c(" , ");
	assert_false(strv_next_item(&rest, ", ", &item));
}

static void test_trim_and_compare(void **state)
{
	struct strv s = strv_trim(strv_c(" \t\r\v\fword\n\n"));

	(void)state;
	assert_true(strv_eq(s, "word"));
	assert_true(strv_starts(s, "wo") && strv_ends(s, "rd"));
	assert_false(strv_starts(s, "words") || strv_ends(s, "swords"));
	assert_true(strv_eq(strv_ltrim(strv_c("  x ")), "x "));
	assert_true(strv_is_blank(strv_c(" \n\t")));
	/* A NUL inside a view is a byte like any other, never its end. */
	assert_false(strv_eq(strv_make("ab\0c", 4), "ab"));
	assert_true(strv_is_graph(strv_c("md0[1](F)")));
	assert_false(strv_is_graph(strv_c("")));
	assert_false(strv_is_graph(strv_make("a\0b", 3)));
	assert_false(strv_is_graph(strv_c("caf\xc3\xa9")));
	assert_true(strv_has_control(strv_c("a\x1b[2J")));
	assert_false(strv_has_control(strv_c("caf\xc3\xa9")));
}

/* str_concat/str_copy: what snprintf("%s%s...") writes and returns, for every size. */
static void test_concat_like_snprintf(void **state)
{
	const char *a = "sys/class/net/", *b = "bond0", *c = "/bonding";

	(void)state;
	for (size_t len = 0; len <= 32; len++) {
		char got[32], want[32];
		int n;

		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		n = snprintf(want, len, "%s%s%s", a, b, c);
		assert_int_equal(str_concat(got, len, a, b, c, (const char *)NULL), (size_t)n);
		assert_memory_equal(got, want, sizeof(got)); /* nothing past the end written */
		n = snprintf(want, len, "%s", b);
		assert_int_equal(str_copy(got, len, b), (size_t)n);
		assert_memory_equal(got, want, sizeof(got));
	}
	{
		char buf[4] = "abc";

		assert_int_equal(str_concat(buf, sizeof(buf), (const char *)NULL), 0);
		assert_string_equal(buf, "");
		assert_int_equal(
			str_concat(buf, sizeof(buf), "", "ab", "", "c", (const char *)NULL), 3);
		assert_string_equal(buf, "abc");
	}
}

static void test_numbers(void **state)
{
	long long v = 7;
	unsigned long long u = 7;

	(void)state;
	assert_int_equal(strv_to_ll(strv_c("-12"), -100, 100, &v), 0);
	assert_int_equal(v, -12);
	assert_int_equal(strv_to_ll(strv_c("101"), -100, 100, &v), -ERANGE);
	assert_int_equal(strv_to_ll(strv_c("9223372036854775808"), 0, 1, &v), -ERANGE);
	assert_int_equal(strv_to_ll(strv_c(""), 0, 1, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c("-"), -1, 1, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c(" 1"), 0, 9, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c("1 "), 0, 9, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c("+1"), 0, 9, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c("0x1"), 0, 9, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_make("1\0002", 3), 0, 999, &v), -EINVAL);
	assert_int_equal(strv_to_ll(strv_c("1234567890123456789012345678901234"), 0, 1, &v),
			 -ERANGE);
	assert_int_equal(v, -12); /* untouched on failure */
	/* The edges of long long, as strtoll() has them. */
	assert_int_equal(strv_to_ll(strv_c("-9223372036854775808"), LLONG_MIN, 0, &v), 0);
	assert_true(v == LLONG_MIN);
	assert_int_equal(strv_to_ll(strv_c("9223372036854775807"), 0, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(strv_to_ll(strv_c("-9223372036854775809"), LLONG_MIN, 0, &v), -ERANGE);
	assert_int_equal(strv_to_ll(strv_c("-0"), 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(strv_to_ll(strv_c("99999999999999999999"), 0, LLONG_MAX, &v), -ERANGE);
	assert_int_equal(strv_to_u64(strv_c("18446744073709551615"), &u), 0);
	assert_true(u == 18446744073709551615ull);
	assert_int_equal(strv_to_u64(strv_c("18446744073709551616"), &u), -ERANGE);
	assert_int_equal(strv_to_u64(strv_c("-1"), &u), -EINVAL);
}

static void test_hex_and_mac(void **state)
{
	unsigned long long v = 0;
	uint8_t mac[6] = { 0 };

	(void)state;
	assert_int_equal(strv_to_hex(strv_c("0x1303"), &v), 0);
	assert_int_equal(v, 0x1303);
	assert_int_equal(strv_to_hex(strv_c("ff"), &v), 0);
	assert_int_equal(v, 0xff);
	assert_int_equal(strv_to_hex(strv_c("0x"), &v), -EINVAL);
	assert_int_equal(strv_to_hex(strv_c("-1"), &v), -EINVAL);
	assert_int_equal(strv_to_hex(strv_c("0x 1"), &v), -EINVAL);
	assert_int_equal(strv_to_hex(strv_c("1ffffffffffffffff"), &v), -ERANGE);
	assert_int_equal(strv_to_hex(strv_c("0x0000000000000000000000000000001"), &v), -EINVAL);
	assert_int_equal(strv_to_mac(strv_c("00:1b:21:Ab:cd:ef"), mac), 0);
	assert_int_equal(mac[0], 0x00);
	assert_int_equal(mac[3], 0xab);
	assert_int_equal(mac[5], 0xef);
	assert_int_equal(strv_to_mac(strv_c("00:1b:21:ab:cd"), mac), -EINVAL);
	assert_int_equal(strv_to_mac(strv_c("00-1b-21-ab-cd-ef"), mac), -EINVAL);
	assert_int_equal(strv_to_mac(strv_c("00:1b:21:ab:cd:eg"), mac), -EINVAL);
}

static void test_safe_copies(void **state)
{
	char dst[8];
	char *d;

	(void)state;
	strv_copy_printable(strv_make("a\0b\x1b\xc3\xa9zzzz", 10), dst, sizeof(dst));
	assert_string_equal(dst, "a?b???z"); /* cut at cap - 1, no byte above 0x7e */
	d = strv_dup_nocontrol(strv_make("e\nth\0\xc3\xa9", 7), 6);
	assert_non_null(d);
	assert_string_equal(d, "e?th?\xc3"); /* UTF-8 kept, controls replaced, cut at max */
	free(d);
}

static void test_reserve_grows_and_keeps(void **state)
{
	struct strbuf b = { 0 };

	(void)state;
	assert_int_equal(strbuf_reserve(&b, 10), 0);
	memcpy(b.p, "123456789", 10);
	assert_int_equal(strbuf_reserve(&b, 5), 0); /* never shrinks */
	assert_int_equal(b.cap, 10);
	assert_int_equal(strbuf_reserve(&b, 100000), 0);
	assert_true(b.cap >= 100000);
	assert_string_equal(b.p, "123456789");
	strbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.cap, 0);
	strbuf_free(NULL);
}

/* A file far larger than the first allocation: the buffer grows, nothing is lost. */
static void test_read_grows(void **state)
{
	size_t n = 100000;
	char *text = malloc(n);
	struct strbuf b = { 0 };
	bool cut = true;
	int fd;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	fd = file_with(text, n);
	assert_int_equal(strbuf_read_fd(&b, fd, n, 0, &cut), 0);
	assert_false(cut);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.p, text, n);
	assert_int_equal(b.p[n], '\0');
	/* Read again from offset 0, whatever the file position. */
	assert_int_equal(strbuf_read_fd(&b, fd, n, STRBUF_TO_EOF, &cut), 0);
	assert_int_equal(b.len, n);
	close(fd);
	free(text);
	strbuf_free(&b);
}

/*
 * A big file's buffer, doubled past it, keeps an eighth more than the file:
 * a re-read of it or of a slightly longer one neither grows nor moves it,
 * and small reads into it do not shrink it.
 */
/* strbuf_add: any bytes, NUL inside included, appended in order with a NUL after. */
static void test_add_bytes(void **state)
{
	struct strbuf b = { 0 };
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(strbuf_add(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "a\0b", 4); /* the NUL after */
	assert_int_equal(strbuf_add(&b, big, sizeof(big)), 0);
	assert_int_equal(b.len, 3 + sizeof(big));
	assert_true(b.cap > b.len);
	assert_memory_equal(b.p + 3, big, sizeof(big));
	assert_int_equal(b.p[b.len], 0);
	assert_int_equal(strbuf_add(&b, NULL, 0), 0);
	assert_int_equal(b.len, 3 + sizeof(big));
	strbuf_free(&b);
}

static void test_read_fits_big_files(void **state)
{
	size_t n = 70000, longer = n + 1000;
	char *text = malloc(longer);
	struct strbuf b = { 0 };
	size_t cap;
	char *p;
	int fd;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < longer; i++)
		text[i] = (char)('a' + i % 26);
	fd = file_with(text, n);
	assert_int_equal(strbuf_read_fd(&b, fd, 1 << 20, STRBUF_TO_EOF, NULL), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.p, text, n);
	/* Doubling from 4 KiB gave 128 KiB; fitted, it is the file and an eighth. */
	assert_true(b.cap >= n + 2);
	assert_true(b.cap <= n + n / 8 + 2);
	cap = b.cap;
	p = b.p;
	assert_int_equal(strbuf_read_fd(&b, fd, 1 << 20, STRBUF_TO_EOF, NULL), 0);
	assert_int_equal(b.len, n);
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.p, p);
	close(fd);
	fd = file_with(text, longer);
	assert_int_equal(strbuf_read_fd(&b, fd, 1 << 20, STRBUF_TO_EOF, NULL), 0);
	assert_int_equal(b.len, longer);
	assert_memory_equal(b.p, text, longer);
	assert_int_equal(b.cap, cap);
	close(fd);
	fd = file_with("1\n", 2);
	assert_int_equal(strbuf_read_fd(&b, fd, 1 << 20, 0, NULL), 0);
	assert_string_equal(b.p, "1\n");
	assert_int_equal(b.cap, cap);
	close(fd);
	free(text);
	strbuf_free(&b);
}

/* An overlong file is cut at max and says so; one of exactly max is not cut. */
static void test_read_truncates(void **state)
{
	struct strbuf b = { 0 };
	bool cut = false;
	int fd = file_with("0123456789", 10);

	(void)state;
	assert_int_equal(strbuf_read_fd(&b, fd, 4, 0, &cut), 0);
	assert_true(cut);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.p, "0123");
	assert_int_equal(strbuf_read_fd(&b, fd, 10, 0, &cut), 0);
	assert_false(cut);
	assert_string_equal(b.p, "0123456789");
	assert_int_equal(strbuf_read_fd(&b, fd, 9, STRBUF_TO_EOF, &cut), 0);
	assert_true(cut);
	assert_int_equal(b.len, 9);
	assert_int_equal(strbuf_read_fd(&b, fd, 0, 0, &cut), -EINVAL);
	close(fd);
	strbuf_free(&b);
}

/* NUL bytes, no newline, an empty file: the bytes as they are, b->len says how many. */
static void test_read_hostile_content(void **state)
{
	struct strbuf b = { 0 };
	int fd = file_with("1\0002", 3);

	(void)state;
	assert_int_equal(strbuf_read_fd(&b, fd, 64, 0, NULL), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "1\0002", 3);
	close(fd);
	fd = file_with("", 0);
	assert_int_equal(strbuf_read_fd(&b, fd, 64, 0, NULL), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	close(fd);
	/* A descriptor that cannot be read: an error, and nothing in b. */
	fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(strbuf_read_fd(&b, fd, 64, 0, NULL), -EBADF);
	assert_int_equal(b.len, 0);
	close(fd);
	strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_tokens),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_trim_and_compare),
		cmocka_unit_test(test_concat_like_snprintf),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_hex_and_mac),
		cmocka_unit_test(test_safe_copies),
		cmocka_unit_test(test_reserve_grows_and_keeps),
		cmocka_unit_test(test_read_grows),
		cmocka_unit_test(test_add_bytes),
		cmocka_unit_test(test_read_fits_big_files),
		cmocka_unit_test(test_read_truncates),
		cmocka_unit_test(test_read_hostile_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
