// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwmon from plain sysfs files under a root directory: see hwmon_read.h.
 *
 * Layout (Documentation/hwmon/sysfs-interface.rst, and what libsensors 3.6
 * lib/sysfs.c accepts): /sys/class/hwmon/hwmonN is a link to the device's
 * hwmon directory holding "name" and the attributes; older drivers put both
 * in the parent device directory (hwmonN/device/).  The chip name follows
 * libsensors: "<name>-i2c-<bus>-<addr>" for an I2C client "3-0058",
 * "<name>-isa-<addr>" for a platform device "nct6775.656", else
 * "<name>-virtual-0".
 */
#include "hwmon_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../power_supply/psu_util.h"

static int read_text(int root_fd, const char *path, char *buf, size_t len)
{
	int fd = psu_open_in_root(root_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int n;

	if (fd < 0)
		return -errno;
	n = psu_read_text_fd(fd, buf, len);
	close(fd);
	return n;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* libsensors' chip name and our location, from the device and its subsystem. */
static void chip_identity(int root_fd, const char *hw, struct hwmon_chip *c)
{
	char devp[1024], subp[1100], dev[128] = "", subsys[64] = "";
	unsigned int bus, addr, isa;
	char tail;

	if (psu_follow_link(root_fd, hw, "device", devp, sizeof(devp)) == 0) {
		snprintf(dev, sizeof(dev), "%.127s", base(devp));
		if (psu_follow_link(root_fd, devp, "subsystem", subp, sizeof(subp)) == 0)
			snprintf(subsys, sizeof(subsys), "%.63s", base(subp));
	}
	if (strcmp(subsys, "i2c") == 0 && sscanf(dev, "%u-%x%c", &bus, &addr, &tail) == 2 &&
	    bus < 100000 && addr < 0x400) {
		snprintf(c->name, sizeof(c->name), "%.100s-i2c-%u-%x", c->prefix, bus, addr);
		snprintf(c->location, sizeof(c->location), "i2c %.100s", dev);
	} else if (strcmp(subsys, "platform") == 0 && strchr(dev, '.') &&
		   sscanf(strchr(dev, '.') + 1, "%u%c", &isa, &tail) == 1 && isa < 0x10000) {
		snprintf(c->name, sizeof(c->name), "%.100s-isa-%04x", c->prefix, isa);
		snprintf(c->location, sizeof(c->location), "platform %.100s", dev);
	} else {
		snprintf(c->name, sizeof(c->name), "%.100s-virtual-0", c->prefix);
	}
}

/* in, curr, temp in milli-units; power in micro-watts; fan in RPM. */
static double scale(const char *name)
{
	if (strncmp(name, "power", 5) == 0)
		return 1e6;
	if (strncmp(name, "fan", 3) == 0)
		return 1;
	return 1000;
}

static int read_attrs(int root_fd, const char *dir, struct hwmon_chip *c)
{
	struct dirent *de;
	char path[1200], buf[128];
	int fd, rc = 0;
	DIR *d;

	fd = psu_open_in_root(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		long long v;

		if (len >= HWMON_ATTR_MAX || n[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.900s/%.255s", dir, n);
		if (len > 6 && strcmp(n + len - 6, "_label") == 0) {
			char sensor[HWMON_ATTR_MAX], probe[HWMON_ATTR_MAX + 8];

			snprintf(sensor, sizeof(sensor), "%.*s", (int)(len - 6), n);
			snprintf(probe, sizeof(probe), "%s_input", sensor);
			/* Only labels of channels we know (in1, fan2, ...). */
			if (hwmon_attr_wanted(probe) &&
			    read_text(root_fd, path, buf, sizeof(buf)) >= 0)
				rc = hwmon_chip_label(c, sensor, buf);
			continue;
		}
		if (!hwmon_attr_wanted(n))
			continue;
		if (read_text(root_fd, path, buf, sizeof(buf)) < 0 || psu_parse_ll(buf, &v) < 0)
			continue; /* unreadable (EIO from a chip) or garbage: no value */
		rc = hwmon_chip_add(c, n,
				    len > 6 && strcmp(n + len - 6, "_input") == 0
					    ? (double)v / scale(n)
					    : (double)v);
		if (rc == -E2BIG)
			rc = 0;
	}
	closedir(d);
	return rc;
}

int hwmon_sysfs_read(int root_fd, struct hwmon_chip **ret, size_t *ret_n)
{
	struct hwmon_chip *v = NULL, *c;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, rc = 0;
	DIR *d;

	fd = psu_open_in_root(root_fd, "sys/class/hwmon", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*ret = NULL;
			*ret_n = 0;
			return 0;
		}
		return -errno;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char hw[1024], path[1100], prefix[HWMON_NAME_MAX];
		const char *attrdir = hw;

		if (de->d_name[0] == '.' || strlen(de->d_name) > 64)
			continue;
		/* The class entry links to the device's hwmon directory. */
		if (psu_follow_link(root_fd, "sys/class/hwmon", de->d_name, hw, sizeof(hw)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/name", hw);
		if (read_text(root_fd, path, prefix, sizeof(prefix)) < 0) {
			/* Old style: name and attributes in the device directory. */
			if (psu_follow_link(root_fd, hw, "device", path, sizeof(path)) < 0 ||
			    strlen(path) + 6 >= sizeof(path))
				continue;
			attrdir = path;
			{
				char np[1200];

				snprintf(np, sizeof(np), "%s/name", path);
				if (read_text(root_fd, np, prefix, sizeof(prefix)) < 0)
					continue; /* libsensors skips a chip without a name too */
			}
		}
		if (!prefix[0])
			continue;
		rc = hwmon_chips_push(&v, &n, &cap, &c);
		if (rc < 0)
			break;
		snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
		chip_identity(root_fd, hw, c);
		rc = read_attrs(root_fd, attrdir, c);
		if (rc == -ENOENT || rc == -ENOTDIR || rc == -EACCES)
			rc = 0;
	}
	closedir(d);
	if (rc < 0) {
		hwmon_chips_free(v, n);
		return rc;
	}
	hwmon_chips_sort(v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}
