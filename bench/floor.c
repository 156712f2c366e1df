/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The syscall floor of a redundancy monitor: read exactly the files a complete
 * monitor needs (bench/gen.py writes them to ROOT/floor.list), once per pass,
 * and nothing else: no parsing, no allocation, no output.
 *
 *   floor ROOT LIST PASSES orc     open, read, close every file each pass
 *   floor ROOT LIST PASSES pread   open every file once, then one pread at
 *                                  offset 0 per file and pass (what sysfs
 *                                  attribute polling allows); as many
 *                                  as RLIMIT_NOFILE allows (raised to its
 *                                  hard limit), the rest as in orc
 *
 * Prints one JSON object: files, passes, bytes per pass, and the process CPU
 * time (CLOCK_PROCESS_CPUTIME_ID) of the passes alone, total and per pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)

static char buf[BUF_SIZE];

static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Read one open file to its end; returns the bytes read or -1. */
static long long drain(int fd, int use_pread)
{
	long long total = 0;
	ssize_t n;

	for (;;) {
		n = use_pread ? pread(fd, buf, BUF_SIZE, total) : read(fd, buf, BUF_SIZE);
		if (n < 0)
			return errno == EINTR ? drain(fd, use_pread) : -1;
		total += n;
		if ((size_t)n < BUF_SIZE)
			return total; /* a short read: sysfs and regular files are done */
	}
}

/* Load LIST: one path per line, relative to the root.  Returns the count. */
static size_t load_list(const char *path, char ***ret)
{
	FILE *f = fopen(path, "re");
	char line[4096], **v = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				exit(2);
		}
		v[n] = strdup(line);
		if (!v[n++])
			exit(2);
	}
	fclose(f);
	*ret = v;
	return n;
}

int main(int argc, char **argv)
{
	char **files, *end;
	long long t0, t1, bytes = 0;
	long passes;
	size_t n, i;
	int root, use_pread, *fds = NULL, errors = 0;
	long kept = 0;
	struct rlimit rl = { .rlim_cur = 1024 };

	if (argc != 5 || (strcmp(argv[4], "orc") && strcmp(argv[4], "pread"))) {
		fprintf(stderr, "usage: floor ROOT LIST PASSES orc|pread\n");
		return 2;
	}
	passes = strtol(argv[3], &end, 10);
	if (*end || passes < 1) {
		fprintf(stderr, "floor: bad PASSES %s\n", argv[3]);
		return 2;
	}
	use_pread = strcmp(argv[4], "pread") == 0;
	root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		perror(argv[1]);
		return 2;
	}
	n = load_list(argv[2], &files);
	if (use_pread) {

		/* As redmon does at start: the soft open-file limit up to the hard one. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		fds = calloc(n ? n : 1, sizeof(*fds));
		if (!fds)
			return 2;
		for (i = 0; i < n; i++) {
			/* Past the open-file limit (less a few spare) a file is opened per pass. */
			fds[i] = kept + 16 < (long)rl.rlim_cur - 64
					 ? openat(root, files[i], O_RDONLY | O_CLOEXEC)
					 : -1;
			if (fds[i] >= 0)
				kept++;
			else if (errno != EMFILE && kept + 16 < (long)rl.rlim_cur - 64) {
				perror(files[i]);
				return 2;
			}
		}
	}
	t0 = cpu_ns();
	for (long p = 0; p < passes; p++) {
		bytes = 0;
		for (i = 0; i < n; i++) {
			long long got;

			if (use_pread && fds[i] >= 0) {
				got = drain(fds[i], 1);
			} else {
				int fd = openat(root, files[i], O_RDONLY | O_CLOEXEC);

				if (fd < 0) {
					errors++;
					continue;
				}
				got = drain(fd, 0);
				close(fd);
			}
			if (got < 0)
				errors++;
			else
				bytes += got;
		}
	}
	t1 = cpu_ns();
	printf("{\"mode\": \"%s\", \"files\": %zu, \"passes\": %ld, \"bytes_per_pass\": %lld, "
	       "\"kept_open\": %ld, \"errors\": %d, \"cpu_ns\": %lld, \"cpu_ns_per_pass\": %.1f}\n",
	       argv[4], n, passes, bytes, kept, errors, t1 - t0,
	       (double)(t1 - t0) / (double)passes);
	return errors ? 1 : 0;
}
