// SPDX-License-Identifier: GPL-2.0-or-later
/* A probe's secret file: see secret.h. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_READ_MAX 1024 /* what is read of the file: a password, not a document */

int secret_file_read(const char *path, const char *limit, char *out, size_t out_size, char *why,
		     size_t why_len)
{
	char buf[SECRET_READ_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		int rc = -errno;

		snprintf(why, why_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(why, why_len,
			 "%s must be a regular file readable by its owner only (chmod 600)", path);
		close(fd);
		return -EPERM;
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	if (len >= out_size) {
		snprintf(why, why_len, "%s: longer than %zu bytes%s%s", path,
			 out_size ? out_size - 1 : 0, limit ? ": " : "", limit ? limit : "");
		explicit_bzero(buf, sizeof(buf));
		return -EINVAL;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 0;
}
