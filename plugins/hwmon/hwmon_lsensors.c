// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwmon through libsensors on the live system: see hwmon_read.h.
 *
 * libsensors keeps global state and learns the chips in sensors_init(), so a
 * read brackets itself with sensors_init()/sensors_cleanup(): a supply that is
 * hot-plugged (its PMBus client appears) is seen at the next scan, and no
 * state outlives the call.  Only the hwmon plugin calls this, from the core's
 * single thread.
 */
#include "hwmon_read.h"

#include <errno.h>
#include <sensors/error.h>
#include <sensors/sensors.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_chip(const sensors_chip_name *chip, struct hwmon_chip *c)
{
	const sensors_feature *feat;
	int f = 0, rc = 0;

	if (sensors_snprintf_chip_name(c->name, sizeof(c->name), chip) < 0)
		snprintf(c->name, sizeof(c->name), "%s", chip->prefix);
	snprintf(c->prefix, sizeof(c->prefix), "%s", chip->prefix);
	if (chip->bus.type == SENSORS_BUS_TYPE_I2C)
		snprintf(c->location, sizeof(c->location), "i2c %d-%04x", chip->bus.nr,
			 (unsigned int)chip->addr);
	while (rc == 0 && (feat = sensors_get_features(chip, &f)) != NULL) {
		const sensors_subfeature *sf;
		char *label = sensors_get_label(chip, feat);
		int s = 0;

		/* libsensors falls back to the feature name when there is no label. */
		if (label && strcmp(label, feat->name) != 0)
			rc = hwmon_chip_label(c, feat->name, label);
		free(label);
		while (rc == 0 && (sf = sensors_get_all_subfeatures(chip, feat, &s)) != NULL) {
			double v;

			/* Only what a verdict reads (the vin input, alarms, faults). */
			if (!(sf->flags & SENSORS_MODE_R) || !hwmon_value_needed(c, sf->name))
				continue;
			if (sensors_get_value(chip, sf->number, &v) < 0)
				continue; /* the chip did not answer: no value, as in sysfs */
			rc = hwmon_chip_add(c, sf->name, v);
			if (rc == -E2BIG)
				rc = 0;
		}
	}
	return rc;
}

int hwmon_lsensors_read(const char *config, struct hwmon_chip **ret, size_t *ret_n, char *err,
			size_t errlen)
{
	const sensors_chip_name *chip;
	struct hwmon_chip *v = NULL, *c;
	size_t n = 0, cap = 0;
	const char *path = config && *config ? config : "/dev/null";
	FILE *f;
	int nr = 0, rc;

	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "sensors config %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = sensors_init(f);
	fclose(f);
	if (rc != 0) {
		snprintf(err, errlen, "libsensors: %s", sensors_strerror(rc));
		sensors_cleanup();
		return -EIO;
	}
	rc = 0;
	while (rc == 0 && (chip = sensors_get_detected_chips(NULL, &nr)) != NULL) {
		rc = hwmon_chips_push(&v, &n, &cap, &c);
		if (rc == 0)
			rc = read_chip(chip, c);
	}
	sensors_cleanup();
	if (rc < 0) {
		snprintf(err, errlen, "reading sensors: %s", strerror(-rc));
		hwmon_chips_free(v, n);
		return rc;
	}
	hwmon_chips_sort(v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}
