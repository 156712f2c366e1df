/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in for a storage tool (smartctl, zpool) in bench/probes.py: prints
 * the capture saved beside its own executable (PATH.out, PATH being what
 * /proc/self/exe names) and exits 0, whatever its arguments.  The probes run
 * tools with a bare environment (PATH and LC_ALL only), so the capture is
 * found by the program's own path, not by a variable.  As small as a program
 * that prints a file can be: exec, one open, reads and writes, exit; its CPU
 * is the floor of any run of the real tool.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[PATH_MAX + 8], buf[65536];
	ssize_t n = readlink("/proc/self/exe", path, PATH_MAX);
	int fd;

	if (n < 0) {
		perror("/proc/self/exe");
		return 2;
	}
	memcpy(path + n, ".out", 5);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));

			if (w < 0) {
				perror("write");
				return 2;
			}
			off += w;
		}
	}
	close(fd);
	return n < 0 ? 2 : 0;
}
