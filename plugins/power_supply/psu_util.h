/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by the three PSU probes (power_supply, hwmon, ipmi):
 * a growable string, bounded file reads under a directory fd, checked number
 * parsing and the duration syntax of the core's option checker.
 *
 * The sources are compiled into each plugin that needs them (a plugin links
 * nothing from the core or from another plugin), so nothing here has state.
 */
#ifndef REDMON_PSU_UTIL_H
#define REDMON_PSU_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated string that grows; an allocation failure sticks in .oom. */
struct psu_str {
	char *p;
	size_t n, cap;
	bool oom;
};

void psu_str_addf(struct psu_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void psu_str_vaddf(struct psu_str *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append sep first unless the string is empty. */
void psu_str_sep(struct psu_str *s, const char *sep);
/* The text ("" when nothing was added); owned by s. */
const char *psu_str_get(const struct psu_str *s);
void psu_str_reset(struct psu_str *s);
void psu_str_free(struct psu_str *s);

/*
 * Read at most max - 1 bytes of the regular file path (relative to dirfd) into
 * buf and NUL-terminate it; one trailing newline is dropped.  Embedded NUL
 * bytes end the text.  Returns the length, or -errno (-ENOENT when missing,
 * -EINVAL for a file that is not regular: a FIFO in a captured tree must not
 * block a scan).  buf is untouched when the file cannot be opened or is not
 * regular; after a read error mid-way its content is unspecified.
 */
int psu_read_text_at(int dirfd, const char *path, char *buf, size_t max);
/* The same from an open fd (read from offset 0 with pread). */
int psu_read_text_fd(int fd, char *buf, size_t max);

/*
 * openat() relative to root_fd that keeps every symlink inside the root (a
 * captured tree's absolute links must not reach the host): openat2
 * RESOLVE_IN_ROOT, or plain openat on kernels before 5.6.  -1 with errno.
 */
int psu_open_in_root(int root_fd, const char *path, int flags);

/*
 * The root-relative path of dir/name with one link level followed as text: a
 * symlink's target, or the content of a regular file standing in for a link
 * (captures of sysfs often store links that way).  A directory gives
 * dir/name.  The result keeps the target's last component, so its basename
 * is meaningful ("3-0058", "i2c").  0, -ENAMETOOLONG, -EINVAL or -errno.
 */
int psu_follow_link(int root_fd, const char *dir, const char *name, char *out, size_t len);

/* Parse a whole decimal integer (surrounding blanks allowed); 0 or -EINVAL/-ERANGE. */
int psu_parse_ll(const char *s, long long *ret);

/* "30", "30s", "500ms", "5m", "1h" to milliseconds; 0 or -EINVAL. */
int psu_parse_duration_ms(const char *s, uint64_t *ret);

/* Monotonic clock in milliseconds. */
uint64_t psu_now_ms(void);

#endif /* REDMON_PSU_UTIL_H */
