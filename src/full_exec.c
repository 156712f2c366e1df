/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "full_exec.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A regular file someone may execute; what exec would refuse is reported by exec itself. */
static bool is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int exe_dir_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int w;

	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	exe[n] = 0;
	w = snprintf(buf, len, "%s/%s", dirname(exe), name);
	return w > 0 && (size_t)w < len ? 0 : -ENAMETOOLONG;
}

/*
 * The same trust as the plugins dlopen()ed from beside the binary: whoever
 * can write there can already replace redmon itself.
 */
int full_exec_path(char *buf, size_t len)
{
	static const char *const beside[] = { "redmond", "../lib/redmon/redmond" };
	int w;

	for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		if (exe_dir_path(beside[i], buf, len) == 0 && is_program(buf))
			return 0;
	}
	w = snprintf(buf, len, "%s/redmond", REDMON_LIBEXECDIR);
	return w > 0 && (size_t)w < len ? 0 : -ENAMETOOLONG;
}

int full_exec(char *const argv[], char *buf, size_t len)
{
	int rc = full_exec_path(buf, len);

	if (rc < 0)
		return rc;
	execv(buf, argv);
	return -errno;
}
