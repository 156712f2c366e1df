// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shared by fuzz_hwmon.c and fuzz_power_supply.c (included, not a target of
 * its own): turn a fuzz input into a small directory tree under a private
 * tmpfs directory, so the sysfs readers run on real files.
 *
 * Input: lines.  "PATH=TEXT" writes a file (TEXT with "\n" for newlines),
 * "PATH>TARGET" makes a symlink (any target: the readers must stay inside the
 * root), "PATH|" makes a FIFO, "PATH/" a directory.  PATH components may hold
 * any byte but '/' and NUL; "." and ".." components are dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tree_base[64];
static unsigned long tree_seq;

static void tree_rm(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *de;

		if (d) {
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
					tree_rm(dirfd(d), de->d_name);
			}
			closedir(d);
		} else {
			close(fd);
		}
		unlinkat(dfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dfd, name, 0);
	}
}

/*
 * mkdir -p of every parent of rel under rootfd, never following a symlink (the
 * input makes symlinks, some pointing out of the tree: "a>/etc" then "a/x=..."
 * must not write into /etc).  Returns an fd of rel's parent directory, and
 * the last component in *ret_last; -1 when a component is not a directory.
 */
static int tree_parent(int rootfd, char *rel, const char **ret_last)
{
	int dfd = dup(rootfd);
	char *comp = rel, *slash;

	while (dfd >= 0 && (slash = strchr(comp, '/')) != NULL) {
		int next;

		*slash = '\0';
		mkdirat(dfd, comp, 0755);
		/* O_PATH|O_NOFOLLOW gives the link itself: O_DIRECTORY then fails. */
		next = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(dfd);
		dfd = next;
		comp = slash + 1;
	}
	*ret_last = comp;
	return dfd;
}

/* Clean a path: drop empty, "." and ".." components; at most 12 of them. */
static size_t tree_path(const uint8_t *s, size_t n, char *out, size_t len)
{
	size_t o = 0, comps = 0, i = 0;

	while (i < n && comps < 12) {
		size_t j = i;

		while (j < n && s[j] != '/')
			j++;
		if (j > i && !(j - i == 1 && s[i] == '.') &&
		    !(j - i == 2 && s[i] == '.' && s[i + 1] == '.') && o + (j - i) + 2 < len) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, s + i, j - i);
			o += j - i;
			comps++;
		}
		i = j + 1;
	}
	out[o] = '\0';
	return o;
}

static void tree_base_remove(void)
{
	rmdir(tree_base); /* each input's tree is gone already */
}

/* Build the tree for data; returns an O_PATH fd of its root, or -1. */
static int tree_build(const uint8_t *data, size_t size)
{
	char root[128], rel[1024], text[4096];
	int rootfd;

	if (!tree_base[0]) {
		snprintf(tree_base, sizeof(tree_base), "%s/rm-fuzz-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(tree_base))
			abort();
		atexit(tree_base_remove);
	}
	snprintf(root, sizeof(root), "%s/t%lu", tree_base, tree_seq++);
	if (mkdir(root, 0755) < 0)
		return -1;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < size && rootfd >= 0;) {
		size_t end = i, op;

		while (end < size && data[end] != '\n')
			end++;
		for (op = i; op < end; op++) {
			if (data[op] == '=' || data[op] == '>' || data[op] == '|' ||
			    (data[op] == '/' && op + 1 == end))
				break;
		}
		if (op < end && tree_path(data + i, op - i, rel, sizeof(rel)) > 0) {
			size_t t = 0;
			const char *last;
			int pfd = tree_parent(rootfd, rel, &last);

			for (size_t k = op + 1; k < end && t + 1 < sizeof(text); k++) {
				if (data[k] == '\\' && k + 1 < end && data[k + 1] == 'n') {
					text[t++] = '\n';
					k++;
				} else {
					text[t++] = (char)data[k];
				}
			}
			text[t] = '\0';
			if (pfd < 0)
				goto next;
			switch (data[op]) {
			case '=': {
				int fd = openat(
					pfd, last,
					O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

				if (fd >= 0) {
					if (write(fd, text, t) < 0) {
						/* ignored: a short tree is still a tree */
					}
					close(fd);
				}
				break;
			}
			case '>':
				symlinkat(text, pfd, last);
				break;
			case '|':
				mkfifoat(pfd, last, 0644);
				break;
			default:
				mkdirat(pfd, last, 0755);
				break;
			}
			close(pfd);
		}
	next:
		i = end + 1;
	}
	return rootfd;
}

static void tree_drop(int rootfd)
{
	char name[32];
	int base;

	if (rootfd >= 0)
		close(rootfd);
	base = open(tree_base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return;
	snprintf(name, sizeof(name), "t%lu", tree_seq - 1);
	tree_rm(base, name);
	close(base);
}
