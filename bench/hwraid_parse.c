// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hwraid probe's parsing CPU, in process: read a capture, then `passes`
 * times hand it to the MegaRAID driver's parse() and turn every logical drive
 * into a group (hwraid_ld_eval()), as one scan does.  Prints JSON: CPU ns per
 * pass (CLOCK_PROCESS_CPUTIME_ID), logical drives and how many are not whole.
 * Built and run by bench/hwraid.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plugins/hwraid/hwraid.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct hwraid_output out = { .main = true };
	size_t n_ld = 0, not_whole = 0;
	long passes;
	double t0;

	if (argc != 3 || (passes = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: %s CAPTURE PASSES\n", argv[0]);
		return 2;
	}
	out.name = argv[1];
	out.buf = slurp(argv[1], &out.len);
	t0 = cpu_ns();
	for (long i = 0; i < passes; i++) {
		struct hwraid_result res = { 0 };
		char err[256] = "";

		if (hwraid_megaraid.parse(&out, 1, &res, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", argv[1], err);
			return 1;
		}
		n_ld = res.n_ld;
		not_whole = 0;
		for (size_t k = 0; k < res.n_ld; k++) {
			struct redmon_member *mem = calloc(res.ld[k].n_pd + 1, sizeof(*mem));
			struct redmon_group g;
			char reason[1024];

			hwraid_ld_eval(&res.ld[k], &g, mem, reason, sizeof(reason));
			not_whole += g.margin < g.margin_nominal;
			free(mem);
		}
		hwraid_result_free(&res);
	}
	printf("{\"ns_per_pass\": %.0f, \"logical_drives\": %zu, \"not_whole\": %zu}\n",
	       (cpu_ns() - t0) / (double)passes, n_ld, not_whole);
	free((void *)out.buf);
	return 0;
}
