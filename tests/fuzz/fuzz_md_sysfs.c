/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> files of a temporary root -> the real sysfs
 * reader, the mdstat parser, merge and groups (md_scan_read + md_scan_emit).
 *
 * Input: two bytes say which of the files below exist (bit i: file i), one
 * byte of switches (rd0/rd1 as symlinks or files, dev-b present), then the
 * contents of the files in order, separated by NUL bytes; proc/mdstat, last,
 * takes the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/md/md_scan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"sys/block/md0/md/level",
	"sys/block/md0/md/array_state",
	"sys/block/md0/md/raid_disks",
	"sys/block/md0/md/degraded",
	"sys/block/md0/md/sync_action",
	"sys/block/md0/md/sync_completed",
	"sys/block/md0/md/layout",
	"sys/block/md0/md/metadata_version",
	"sys/block/md0/md/dev-sda/state",
	"sys/block/md0/md/dev-sda/slot",
	"sys/block/md0/md/dev-sdb/state",
	"sys/block/md0/md/dev-sdb/slot",
	"sys/block/md0/md/rd0",
	"sys/block/md0/md/rd1",
	"proc/mdstat",
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

static char root[256];
static int root_fd = -1;
static struct md_scan scan;
static struct fdcache fdc;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	/* tmpfs when there is one: file churn per input is the bottleneck */
	if (!tmp || !tmp[0])
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/fuzz_md_sysfs.XXXXXX", tmp);
	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	mkdirs("proc");
	mkdirs("sys");
	mkdirs("sys/block");
	mkdirs("sys/block/md0");
	mkdirs("sys/block/md0/md");
	mkdirs("sys/block/md0/md/dev-sda");
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		abort();
	/* A small budget: exercises both the cached and the open-read-close path. */
	fdcache_init(&fdc, 8, NULL, NULL);
	return 0;
}

static void place(const char *rel, const uint8_t *p, size_t n, bool exists, bool symlink_it)
{
	char path[512], target[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (!exists)
		return;
	if (symlink_it) {
		if (n == 0 || n >= sizeof(target) || memchr(p, '\0', n))
			return;
		memcpy(target, p, n);
		target[n] = '\0';
		if (symlink(target, path) < 0)
			return;
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return; /* dev-sdb absent this round */
	if (n > 0 && write(fd, p, n) < 0)
		abort();
	close(fd);
}

static void check_text(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

static int check(void *ctx, const struct redmon_group *g)
{
	size_t i;

	(void)ctx;
	check_text(g->name);
	check_text(g->reason);
	if (g->margin != REDMON_MARGIN_UNKNOWN &&
	    (g->margin < -1 || g->margin > g->margin_nominal || g->members_ok > g->members_total))
		abort();
	for (i = 0; i < g->n_members; i++) {
		check_text(g->members[i].name);
		check_text(g->members[i].state);
		check_text(g->members[i].device);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int mask, sw;
	const uint8_t *p, *end = data + size;
	char devb[512];
	size_t i;

	if (size < 3)
		return 0;
	mask = data[0] | (unsigned int)data[1] << 8;
	sw = data[2];
	p = data + 3;

	snprintf(devb, sizeof(devb), "%s/sys/block/md0/md/dev-sdb", root);
	if (sw & 4)
		mkdir(devb, 0755);
	for (i = 0; i < N_FILES; i++) {
		const uint8_t *q = p;
		bool last = i == N_FILES - 1;

		while (q < end && (last || *q != '\0'))
			q++;
		place(files[i], p, (size_t)(q - p), mask & (1u << i),
		      (i == 12 && (sw & 1)) || (i == 13 && (sw & 2)));
		p = q < end ? q + 1 : end;
	}
	if (!(sw & 4))
		nftw(devb, rm_one, 4, FTW_DEPTH | FTW_PHYS);

	fdcache_begin(&fdc);
	if (md_scan_read(&scan, root_fd, (sw & 8) ? &fdc : NULL) < 0)
		abort();
	fdcache_sweep(&fdc);
	if (sw & 16)
		fdcache_flush(&fdc); /* files are rewritten in place and by unlink: reopen */
	if (md_scan_emit(&scan, check, NULL) < 0)
		abort();
	return 0;
}
