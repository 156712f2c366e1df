// SPDX-License-Identifier: GPL-2.0-or-later
/* Hidden single points of failure from sysfs links: see spof.h. */
#include "spof.h"

#include "rootfs.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Names shown in a reason are cut here, so that four of them fit in one. */
#define SHOW_MAX 33
/* Names listed in one reason before "and N more". */
#define LIST_MAX 4
/* Groups beyond this many members are checked on their first ones only. */
#define CHECK_MAX 64
/* The longest link target read; sysfs device paths are far shorter. */
#define TARGET_MAX 1024

bool spof_name_ok(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, SPOF_NAME_MAX);
	if (n == 0 || n >= SPOF_NAME_MAX || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	return strv_is_graph(strv_make(name, n));
}

/*
 * The text of link dir/name (dir below the root, opened in it), NUL-terminated
 * in buf.  0, or -errno: -EINVAL when it is not a link, -ENAMETOOLONG when
 * the target does not fit.
 */
static int read_link(int root_fd, const char *dir, const char *name, char *buf, size_t cap)
{
	int dfd = rootfs_open(root_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (dfd < 0)
		return -errno;
	n = readlinkat(dfd, name, buf, cap);
	e = errno;
	close(dfd);
	if (n < 0)
		return -e;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* The target of block device name's class link (sys/class/block, else sys/block). */
static int block_link(int root_fd, const char *name, char *buf, size_t cap)
{
	int r;

	if (!spof_name_ok(name))
		return -EINVAL;
	r = read_link(root_fd, "sys/class/block", name, buf, cap);
	if (r == -ENOENT || r == -ENOTDIR)
		r = read_link(root_fd, "sys/block", name, buf, cap);
	return r;
}

/* Whether path (below the root) exists, links followed inside the root only. */
static bool exists(int root_fd, const char *path)
{
	int fd = rootfs_open(root_fd, path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The n-th last '/'-separated component of path (n = 0: the last), in out; false if none. */
static bool component_from_end(const char *path, size_t nth, char *out, size_t cap)
{
	size_t end = strlen(path);

	while (end > 0 && path[end - 1] == '/')
		end--;
	for (;;) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (start == end)
			return false;
		if (nth == 0) {
			if (end - start >= cap)
				return false;
			memcpy(out, path + start, end - start);
			out[end - start] = '\0';
			return true;
		}
		nth--;
		end = start;
		while (end > 0 && path[end - 1] == '/')
			end--;
	}
}

int spof_whole_disk(int root_fd, const char *name, char disk[SPOF_NAME_MAX])
{
	char target[TARGET_MAX], path[SPOF_NAME_MAX + 32];
	int r = block_link(root_fd, name, target, sizeof(target));

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "sys/class/block/%s/partition", name);
	if (!exists(root_fd, path)) {
		memcpy(disk, name, strlen(name) + 1);
		return 0;
	}
	/* ".../block/sdb/sdb1": the disk is the directory holding the partition. */
	if (!component_from_end(target, 1, disk, SPOF_NAME_MAX) || !spof_name_ok(disk))
		return -ENOENT;
	/* Only a disk the root knows: a link's text alone never names one. */
	snprintf(path, sizeof(path), "sys/class/block/%s", disk);
	if (!exists(root_fd, path)) {
		snprintf(path, sizeof(path), "sys/block/%s", disk);
		if (!exists(root_fd, path))
			return -ENOENT;
	}
	return 1;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* "dddd:bb:dd.f" exactly, as the kernel names a PCI function (lower-case hex). */
static bool is_pci_function(const char *s, size_t n)
{
	static const char shape[] = "hhhh:hh:hh.f";

	if (n != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'h' && !is_hex(s[i]))
			return false;
		if (shape[i] == 'f' && (s[i] < '0' || s[i] > '7'))
			return false;
		if ((shape[i] == ':' || shape[i] == '.') && s[i] != shape[i])
			return false;
	}
	return true;
}

/* The last PCI function component of a link's target: 0, or -ENOENT. */
static int last_pci(const char *target, char fn[SPOF_PCI_MAX])
{
	const char *found = NULL, *p = target;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (is_pci_function(p, n))
			found = p;
		p += n;
		p += *p == '/';
	}
	if (!found)
		return -ENOENT;
	memcpy(fn, found, 12);
	fn[12] = '\0';
	return 0;
}

int spof_block_pci(int root_fd, const char *name, char fn[SPOF_PCI_MAX])
{
	char target[TARGET_MAX];
	int r = block_link(root_fd, name, target, sizeof(target));

	return r < 0 ? r : last_pci(target, fn);
}

int spof_net_pci(int root_fd, const char *ifname, char fn[SPOF_PCI_MAX])
{
	char target[TARGET_MAX], dir[SPOF_NAME_MAX + 16];
	int r;

	if (!spof_name_ok(ifname))
		return -EINVAL;
	snprintf(dir, sizeof(dir), "sys/class/net/%s", ifname);
	r = read_link(root_fd, dir, "device", target, sizeof(target));
	return r < 0 ? r : last_pci(target, fn);
}

bool spof_add(struct spof_reasons *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n >= SPOF_REASONS_MAX)
		return false;
	va_start(ap, fmt);
	vsnprintf(r->text[r->n], SPOF_REASON_MAX, fmt, ap);
	va_end(ap);
	r->ptr[r->n] = r->text[r->n];
	r->n++;
	return true;
}

/*
 * "sdb1 and sdb2", "a, b and c", "a, b, c, d and 2 more" of the names whose
 * index has key[i] equal to want, in name order (so that the reason does not
 * change with the order a source lists them in: a new text would be a new
 * reason), each a printable copy cut at SHOW_MAX.  n <= CHECK_MAX.
 */
static void list_names(const char *const *names, const char (*key)[SPOF_NAME_MAX], size_t n,
		       const char *want, char *out, size_t cap)
{
	size_t pick[CHECK_MAX], total = 0, len = 0, shown;
	char show[SHOW_MAX];

	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (!key[i][0] || strcmp(key[i], want))
			continue;
		/* Insertion by name: a few members. */
		for (j = total; j > 0 && strcmp(names[pick[j - 1]], names[i]) > 0; j--)
			pick[j] = pick[j - 1];
		pick[j] = i;
		total++;
	}
	out[0] = '\0';
	for (shown = 0; shown < total && shown < LIST_MAX; shown++) {
		const char *sep = shown == 0 ? "" : (shown + 1 == total ? " and " : ", ");

		strv_copy_printable(strv_c(names[pick[shown]]), show, sizeof(show));
		len += (size_t)snprintf(out + len, cap - len, "%s%s", sep, show);
		if (len >= cap)
			return;
	}
	if (shown < total)
		snprintf(out + len, cap - len, " and %zu more", total - shown);
}

/* Whether names[i] repeats an earlier name (a hostile listing): it counts once. */
static bool repeated(const char *const *names, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(names[j], names[i]))
			return true;
	return false;
}

/* Whether key[i] is the first index holding its value. */
static bool first_of(const char (*key)[SPOF_NAME_MAX], size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(key[j], key[i]))
			return false;
	return true;
}

/* How many indices hold key[i]'s value. */
static size_t count_of(const char (*key)[SPOF_NAME_MAX], size_t n, size_t i)
{
	size_t c = 0;

	for (size_t j = 0; j < n; j++)
		c += !strcmp(key[j], key[i]);
	return c;
}

void spof_check_disks(int root_fd, const char *const *names, size_t n, struct spof_reasons *r)
{
	char disk[CHECK_MAX][SPOF_NAME_MAX], fn[CHECK_MAX][SPOF_NAME_MAX];
	char list[SPOF_REASON_MAX], show[SHOW_MAX];
	size_t n_fn = 0, n_dup = 0, disks = 0;
	bool all_fn = true;

	if (n > CHECK_MAX)
		n = CHECK_MAX;
	for (size_t i = 0; i < n; i++) {
		disk[i][0] = fn[i][0] = '\0';
		if (repeated(names, i)) {
			n_dup++; /* counted at its first listing */
			continue;
		}
		if (spof_whole_disk(root_fd, names[i], disk[i]) < 0) {
			disk[i][0] = '\0';
			all_fn = false;
			continue;
		}
		if (spof_block_pci(root_fd, disk[i], fn[i]) == 0)
			n_fn++;
		else
			all_fn = false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!disk[i][0] || !first_of(disk, i))
			continue;
		disks++;
		if (count_of(disk, n, i) < 2)
			continue;
		list_names(names, disk, n, disk[i], list, sizeof(list));
		strv_copy_printable(strv_c(disk[i]), show, sizeof(show));
		spof_add(r, "members %s are partitions of one disk, %s", list, show);
	}
	if (n - n_dup >= 2 && all_fn && n_fn == n - n_dup && disks >= 2 &&
	    count_of(fn, n, 0) == n_fn)
		spof_add(r, "every member is behind one controller, %s", fn[0]);
}

void spof_check_nics(int root_fd, const char *const *names, size_t n, struct spof_reasons *r)
{
	char card[CHECK_MAX][SPOF_NAME_MAX], list[SPOF_REASON_MAX];

	if (n > CHECK_MAX)
		n = CHECK_MAX;
	for (size_t i = 0; i < n; i++) {
		char fn[SPOF_PCI_MAX];

		card[i][0] = '\0';
		if (!repeated(names, i) && spof_net_pci(root_fd, names[i], fn) == 0) {
			fn[10] = '\0'; /* "dddd:bb:dd.f" without ".f": the card */
			memcpy(card[i], fn, 11);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!card[i][0] || !first_of(card, i) || count_of(card, n, i) < 2)
			continue;
		list_names(names, card, n, card[i], list, sizeof(list));
		spof_add(r, "slaves %s are ports of one card, %s", list, card[i]);
	}
}

uint64_t spof_memo_key(const char *const *names, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		for (const unsigned char *p = (const unsigned char *)names[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ull;
		h = (h ^ 0) * 0x100000001b3ull; /* the separator: "ab","c" is not "a","bc" */
	}
	return h;
}

bool spof_memo_get(const struct spof_memo *m, uint64_t key, struct spof_reasons *r)
{
	const char *p = m->text;

	if (!m->valid || m->key != key)
		return false;
	r->n = 0;
	for (size_t i = 0; i < m->n && i < SPOF_REASONS_MAX; i++) {
		size_t len = strlen(p);

		memcpy(r->text[i], p, len + 1);
		r->ptr[i] = r->text[i];
		r->n++;
		p += len + 1;
	}
	return true;
}

int spof_memo_put(struct spof_memo *m, uint64_t key, const struct spof_reasons *r)
{
	size_t size = 0, at = 0;
	char *text = NULL;

	for (size_t i = 0; i < r->n; i++)
		size += strlen(r->ptr[i]) + 1;
	if (size) {
		text = malloc(size);
		if (!text) {
			spof_memo_free(m);
			return -ENOMEM;
		}
		for (size_t i = 0; i < r->n; i++) {
			size_t len = strlen(r->ptr[i]) + 1;

			memcpy(text + at, r->ptr[i], len);
			at += len;
		}
	}
	free(m->text);
	*m = (struct spof_memo){ .key = key, .valid = true, .text = text, .n = r->n };
	return 0;
}

void spof_memo_free(struct spof_memo *m)
{
	free(m->text);
	*m = (struct spof_memo){ 0 };
}
