// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwmon through libsensors on the live system: see hwmon_read.h.
 *
 * libsensors learns every chip and feature in sensors_init() (a walk of
 * /sys/class/hwmon and each chip's attributes) and keeps them in global
 * state.  Doing that every scan was most of a scan's cost, so the state is
 * kept and sensors_init() runs again only when:
 *  - this reader has not initialised it (first scan, or another reader did
 *    since), or the sensors config path changed;
 *  - /sys/class/hwmon lists other entries than at the last scan (names and
 *    inode numbers: a chip came, went, or took another's hwmonN; kernfs does
 *    not reuse an inode number soon);
 *  - a value could not be read at the last scan (the chip may be going).
 * Values themselves are read afresh by every sensors_get_value().
 *
 * libsensors has no fanN_enable (lib/sysfs.c knows no such subfeature), so
 * for a fan set (hwmon_fan.h) each fan's fanN_enable is read here, from the
 * chip's directory, through a plugins/lib fdcache (one pread per scan); a
 * disabled channel's values are not asked for (they may fail by design).
 * The kept files are closed when libsensors learns the chips again.
 *
 * The state is the process's: a mutex guards it and records which reader's
 * sensors_init() is in force.  There is one hwmon probe instance, but a
 * reload may start a new one while the old one finishes.
 */
#include "hwmon_read.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sensors/error.h>
#include <sensors/sensors.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwmon_fan.h"
#include "../lib/fdcache.h"
#include "../lib/psu_util.h"
#include "redmon/grow.h"

#define CLASS_PATH "/sys/class/hwmon"

/* One class directory entry, for telling whether the chips changed. */
struct lsig {
	char name[65];
	ino_t ino;
};

struct hwmon_lsensors {
	char *config;	  /* the config path of the sensors_init() in force */
	struct lsig *sig; /* the class directory at the last scan, readdir order */
	size_t n_sig;
	bool reinit; /* a value could not be read: init again at the next scan */
	/* Fan sets: which chips, and their fanN_enable files kept open. */
	char *psu_chips, *fan_chips;
	int root_fd;
	struct fdcache enables;
	struct strbuf value;
};

/* Kept fanN_enable files at most: a few per fan controller. */
#define ENABLES_KEPT 256

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct hwmon_lsensors *lib_owner; /* whose sensors_init() is in force */

/*
 * Read the class directory into r->sig; true when it differs from the last
 * scan's (or cannot be read, or memory ran out: init again to be safe).
 */
static bool class_changed(struct hwmon_lsensors *r)
{
	struct lsig *old = r->sig, *cur = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	bool changed;
	DIR *d;

	d = opendir(CLASS_PATH);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(cur->name))
				continue;
			if (!grow_one((void **)&cur, &cap, n, sizeof(*cur), 32)) {
				free(cur);
				closedir(d);
				r->n_sig = 0;
				return true;
			}
			memset(&cur[n], 0, sizeof(cur[n]));
			snprintf(cur[n].name, sizeof(cur[n].name), "%s", de->d_name);
			cur[n].ino = de->d_ino;
			n++;
		}
		closedir(d);
	}
	changed = !d || n != r->n_sig || (n && memcmp(cur, old, n * sizeof(*cur)) != 0);
	free(old);
	r->sig = cur;
	r->n_sig = n;
	return changed;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hwmon_chip *)a)->name, ((const struct hwmon_chip *)b)->name);
}

static int attr_by_name(const void *a, const void *b)
{
	return strcmp(((const struct hwmon_attr *)a)->name, ((const struct hwmon_attr *)b)->name);
}

/* Sort chips by name and each chip's attributes by name (stable output). */
static void chips_sort(struct hwmon_chip *v, size_t n)
{
	/* Attributes too: readdir and libsensors list them in different orders. */
	for (size_t i = 0; i < n; i++) {
		if (v[i].n_attrs > 1)
			qsort(v[i].attrs, v[i].n_attrs, sizeof(*v[i].attrs), attr_by_name);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
}

struct hwmon_lsensors *hwmon_lsensors_new(void)
{
	struct hwmon_lsensors *r = calloc(1, sizeof(*r));

	if (r) {
		r->root_fd = -1;
		fdcache_init(&r->enables, ENABLES_KEPT, NULL, NULL);
	}
	return r;
}

int hwmon_lsensors_set_chips(struct hwmon_lsensors *r, int root_fd, const char *psu_chips,
			     const char *fan_chips)
{
	char *p, *f;

	psu_chips = psu_chips ? psu_chips : "";
	fan_chips = fan_chips ? fan_chips : "";
	r->root_fd = root_fd;
	if (r->psu_chips && r->fan_chips && strcmp(r->psu_chips, psu_chips) == 0 &&
	    strcmp(r->fan_chips, fan_chips) == 0)
		return 0; /* asked every scan: no copy when nothing changed */
	p = strdup(psu_chips);
	f = strdup(fan_chips);
	if (!p || !f) {
		free(p);
		free(f);
		return -ENOMEM;
	}
	free(r->psu_chips);
	free(r->fan_chips);
	r->psu_chips = p;
	r->fan_chips = f;
	return 0;
}

void hwmon_lsensors_free(struct hwmon_lsensors *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&lib_lock);
	if (lib_owner == r) {
		sensors_cleanup();
		lib_owner = NULL;
	}
	pthread_mutex_unlock(&lib_lock);
	free(r->config);
	free(r->sig);
	free(r->psu_chips);
	free(r->fan_chips);
	fdcache_free(&r->enables);
	strbuf_free(&r->value);
	free(r);
}

/* sensors_init() with config for r; 0 or -errno with err set.  Under lib_lock. */
static int lib_init(struct hwmon_lsensors *r, const char *config, char *err, size_t errlen)
{
	const char *path = *config ? config : "/dev/null";
	char *copy = strdup(config);
	FILE *f;
	int rc;

	if (lib_owner) {
		sensors_cleanup();
		lib_owner = NULL;
	}
	if (!copy) {
		snprintf(err, errlen, "reading sensors: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "sensors config %s: %s", path, strerror(-rc));
		free(copy);
		return rc;
	}
	rc = sensors_init(f);
	fclose(f);
	if (rc != 0) {
		snprintf(err, errlen, "libsensors: %s", sensors_strerror(rc));
		sensors_cleanup();
		free(copy);
		return -EIO;
	}
	free(r->config);
	r->config = copy;
	r->reinit = false;
	fdcache_flush(&r->enables); /* the chips may be others now */
	lib_owner = r;
	return 0;
}

/*
 * Is fan feature feat of a fan set's chip c disabled (fanN_enable 0)?  The
 * value read is added to c; one that cannot be read goes into c->error and
 * the channel counts as in use (its values are still read).  0 or -ENOMEM.
 */
static int fan_disabled(struct hwmon_lsensors *r, const sensors_chip_name *chip,
			const sensors_feature *feat, struct hwmon_chip *c, bool *ret_off)
{
	char path[1200], name[HWMON_ATTR_MAX + 8];
	long long v;
	int rc;

	*ret_off = false;
	snprintf(name, sizeof(name), "%s_enable", feat->name);
	snprintf(path, sizeof(path), "%.1000s/%s", chip->path ? chip->path : "", name);
	rc = fdcache_read(&r->enables, r->root_fd, path, 0, &r->value, 32, NULL);
	if (rc == -ENOENT)
		return 0; /* no fanN_enable: in use */
	if (rc == 0 && strv_to_ll(strv_trim(strv_c(r->value.p)), LLONG_MIN, LLONG_MAX, &v) == 0) {
		*ret_off = v == 0;
		return hwmon_chip_add(c, name, (double)v) == -ENOMEM ? -ENOMEM : 0;
	}
	if (!c->error[0])
		snprintf(c->error, sizeof(c->error), "%s: %s", name,
			 rc < 0 ? psu_read_strerror(rc) : "not a number");
	return 0;
}

/* Fill c from chip; *failed is set when a value could not be read.  0 or -ENOMEM. */
static int read_chip(struct hwmon_lsensors *r, const sensors_chip_name *chip, struct hwmon_chip *c,
		     bool *failed)
{
	const sensors_feature *feat;
	int f = 0, rc = 0;

	if (sensors_snprintf_chip_name(c->name, sizeof(c->name), chip) < 0)
		snprintf(c->name, sizeof(c->name), "%s", chip->prefix);
	snprintf(c->prefix, sizeof(c->prefix), "%s", chip->prefix);
	if (chip->bus.type == SENSORS_BUS_TYPE_I2C)
		snprintf(c->location, sizeof(c->location), "i2c %d-%04x", chip->bus.nr,
			 (unsigned int)chip->addr);
	c->fans = !hwmon_is_psu_chip(c->prefix, r->psu_chips ? r->psu_chips : "") &&
		  hwmon_is_fan_chip(c->prefix, r->fan_chips ? r->fan_chips : "");
	while (rc == 0 && (feat = sensors_get_features(chip, &f)) != NULL) {
		const sensors_subfeature *sf;
		char *label = sensors_get_label(chip, feat);
		int s = 0, err;
		bool off = false;

		/* libsensors falls back to the feature name when there is no label. */
		if (label && strcmp(label, feat->name) != 0)
			rc = hwmon_chip_label(c, feat->name, label);
		free(label);
		if (rc == 0 && c->fans && feat->type == SENSORS_FEATURE_FAN)
			rc = fan_disabled(r, chip, feat, c, &off);
		while (rc == 0 && !off &&
		       (sf = sensors_get_all_subfeatures(chip, feat, &s)) != NULL) {
			double v;

			/* Only what a verdict reads (the vin input, alarms, faults). */
			if (!(sf->flags & SENSORS_MODE_R) || !hwmon_value_needed(c, sf->name))
				continue;
			if ((err = sensors_get_value(chip, sf->number, &v)) < 0) {
				*failed = true;
				/* The chip did not answer: no value, and unknown, as in sysfs. */
				if (!c->error[0])
					snprintf(c->error, sizeof(c->error), "%s: %s", sf->name,
						 sensors_strerror(err));
				continue;
			}
			rc = hwmon_chip_add(c, sf->name, v);
			if (rc == -E2BIG)
				rc = 0;
		}
	}
	return rc;
}

int hwmon_lsensors_scan(struct hwmon_lsensors *r, const char *config, struct hwmon_chip **ret,
			size_t *ret_n, char *err, size_t errlen)
{
	const sensors_chip_name *chip;
	struct hwmon_chip *v = NULL;
	size_t n = 0, cap = 0;
	bool failed = false;
	int nr = 0, rc;

	config = config ? config : "";
	pthread_mutex_lock(&lib_lock);
	if (class_changed(r) || lib_owner != r || r->reinit || !r->config ||
	    strcmp(r->config, config) != 0) {
		rc = lib_init(r, config, err, errlen);
		if (rc < 0) {
			pthread_mutex_unlock(&lib_lock);
			return rc;
		}
	}
	rc = 0;
	fdcache_begin(&r->enables);
	while (rc == 0 && (chip = sensors_get_detected_chips(NULL, &nr)) != NULL) {
		if (n >= HWMON_CHIPS_MAX)
			rc = -E2BIG;
		else if (!grow_one((void **)&v, &cap, n, sizeof(*v), 8))
			rc = -ENOMEM;
		if (rc < 0)
			break;
		memset(&v[n], 0, sizeof(v[n]));
		rc = read_chip(r, chip, &v[n++], &failed);
	}
	fdcache_sweep(&r->enables);
	r->reinit = failed || rc < 0;
	pthread_mutex_unlock(&lib_lock);
	if (rc < 0) {
		snprintf(err, errlen, "reading sensors: %s", strerror(-rc));
		hwmon_chips_free(v, n);
		return rc;
	}
	chips_sort(v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}
