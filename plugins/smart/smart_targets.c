// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The disks of a host for smartctl.  /sys/block holds one entry per block
 * device (Documentation/ABI/stable/sysfs-block); a whole disk backed by
 * hardware has a `device` link, which loop, ram, md and dm devices lack.
 * Partitions live below their disk, so the top level is whole disks only.
 * Optical drives (sr), floppies and network block devices are skipped: they
 * have no SMART worth a verdict.  A disk that appears later is read after a
 * restart: the command lines a probe runs are registered at start only.
 */
#include "smart_targets.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redmon/grow.h"
#include "../lib/rootfs.h"

static const char *const not_disks[] = { "loop", "ram", "zram", "md",	"dm-", "sr",
					 "fd",	 "nbd", "rbd",	"drbd", "zd" };

bool smart_is_disk_name(const char *name)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/'))
		return false;
	for (size_t i = 0; i < sizeof(not_disks) / sizeof(not_disks[0]); i++) {
		if (strncmp(name, not_disks[i], strlen(not_disks[i])) == 0)
			return false;
	}
	return true;
}

static struct smart_target *add(struct smart_targets *t)
{
	if (!grow_one((void **)&t->v, &t->cap, t->n, sizeof(*t->v), 8))
		return NULL;
	t->v[t->n] = (struct smart_target){ .cmd_id = -1, .error_log = -1 };
	return &t->v[t->n++];
}

static int add_device(struct smart_targets *t, const char *name, const char *type)
{
	struct smart_target *d;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].name, name) == 0 && strcmp(t->v[i].type, type) == 0)
			return 0;
	}
	if (strlen(name) >= sizeof(d->name) || strlen(type) >= sizeof(d->type))
		return -ENAMETOOLONG;
	d = add(t);
	if (!d)
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->type, sizeof(d->type), "%s", type);
	/* smartctl's own name for it: "sat+megaraid,1" shows as "megaraid,1" */
	if (strchr(type, ','))
		snprintf(d->device, sizeof(d->device), "%s %s", name,
			 strrchr(type, '+') ? strrchr(type, '+') + 1 : type);
	else
		snprintf(d->device, sizeof(d->device), "%s", name);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* scandir() of a directory of the root, by its fd. */
static int list_dir(int root_fd, const char *path, struct dirent ***ret)
{
	int fd = rootfs_open(root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char self[64];

	if (fd < 0)
		return -errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int n = scandir(self, ret, NULL, by_name);
	int e = errno;

	close(fd);
	return n < 0 ? -e : n;
}

int smart_targets_sysfs(struct smart_targets *t, int root_fd)
{
	struct dirent **e;
	int n = list_dir(root_fd, "sys/block", &e), rc = 0;
	int dir = rootfs_open(root_fd, "sys/block", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char rel[300], dev[300];
	struct stat st;

	for (int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "%s/device", e[i]->d_name);
		if (rc == 0 && dir >= 0 && smart_is_disk_name(e[i]->d_name) &&
		    fstatat(dir, rel, &st, 0) == 0) {
			snprintf(dev, sizeof(dev), "/dev/%s", e[i]->d_name);
			rc = add_device(t, dev, "");
		}
		free(e[i]);
	}
	if (n >= 0)
		free(e);
	if (dir >= 0)
		close(dir);
	return n < 0 ? n : rc;
}

static bool valid_name(const char *s)
{
	return strncmp(s, "/dev/", 5) == 0 && !strstr(s, "..") &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.:") ==
		       strlen(s);
}

static bool valid_type(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789,+_") == strlen(s);
}

static int add_entry(struct smart_targets *t, char *entry, char *why, size_t len)
{
	char *save = NULL, *name = strtok_r(entry, " \t", &save);
	char *type = name ? strtok_r(NULL, " \t", &save) : NULL;

	if (!name)
		return 0;
	if (!valid_name(name) || (type && !valid_type(type)) || strtok_r(NULL, " \t", &save)) {
		snprintf(why, len, "devices: '%.64s' is not \"/dev/NAME [TYPE]\"", name);
		return -EINVAL;
	}
	return add_device(t, name, type ? type : "");
}

int smart_targets_option(struct smart_targets *t, const char *list, char *why, size_t len)
{
	char *copy = strdup(list ? list : ""), *save = NULL;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (char *e = strtok_r(copy, ";", &save); e && rc == 0; e = strtok_r(NULL, ";", &save))
		rc = add_entry(t, e, why, len);
	free(copy);
	return rc;
}

int smart_targets_captures(struct smart_targets *t, int root_fd)
{
	struct dirent **e;
	int n = list_dir(root_fd, ".", &e), rc = 0;
	struct smart_target *d;

	for (int i = 0; i < n; i++) {
		const char *nm = e[i]->d_name;
		size_t l = strlen(nm);

		if (rc == 0 && strncmp(nm, "smartctl-", 9) == 0 && l >= 15 &&
		    strcmp(nm + l - 5, ".json") == 0 && l < sizeof(d->file)) {
			d = add(t);
			if (d)
				snprintf(d->file, sizeof(d->file), "%s", nm);
			else
				rc = -ENOMEM;
		}
		free(e[i]);
	}
	if (n >= 0)
		free(e);
	return n < 0 ? n : rc;
}

void smart_target_judge(struct smart_target *d, const char *out, size_t len)
{
	struct smart_disk v;

	smart_judge(out, len, d->error_log, &v);
	if (v.standby && d->have_last)
		return;
	if (v.error_log >= 0)
		d->error_log = v.error_log;
	d->last = v;
	d->have_last = true;
}

void smart_targets_free(struct smart_targets *t)
{
	free(t->v);
	*t = (struct smart_targets){ 0 };
}
