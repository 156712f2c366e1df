/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two hwmon readers.  Both fill the same struct hwmon_chip array (sorted
 * by chip name) and leave every judgement to hwmon_class.c; they differ only
 * in where the numbers come from.  The caller frees with hwmon_chips_free().
 */
#ifndef REDMON_HWMON_READ_H
#define REDMON_HWMON_READ_H

#include <stddef.h>

#include "hwmon_class.h"

/*
 * Captured trees (--root): read ROOT/sys/class/hwmon/<hwmonN>/ the way
 * libsensors 3.6 does (name, device link, old-style attributes in device/),
 * converting sysfs units (mV, mA, uW, m degrees C) to libsensors units.
 * Symlinks resolve inside the root.  A missing class directory is no chip.
 * Returns 0 or -errno.
 */
int hwmon_sysfs_read(int root_fd, struct hwmon_chip **ret, size_t *ret_n);

/*
 * The live system through libsensors: sensors_init() with config (a
 * sensors.conf(5) path, or NULL/"" for none: raw chip data, no renamed
 * labels or ignored features), read every chip, sensors_cleanup().
 * Returns 0 or -errno with err set.
 */
int hwmon_lsensors_read(const char *config, struct hwmon_chip **ret, size_t *ret_n, char *err,
			size_t errlen);

#endif /* REDMON_HWMON_READ_H */
