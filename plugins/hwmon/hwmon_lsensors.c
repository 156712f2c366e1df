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
 *
 * Values are read afresh every scan, but not through libsensors when that
 * gives the same number: sensors_get_value() opens, reads and closes the
 * file each time (fopen, fstat, two reads, close: lib/sysfs.c
 * sensors_read_sysfs_attr()), five system calls a value.  A value no
 * sensors.conf(5) compute line can touch (an alarm or a fault: a
 * subfeature without SENSORS_COMPUTE_MAPPING; any value when there is no
 * config) is read here instead, from the chip's directory through a
 * plugins/lib fdcache: one pread a scan once kept open (sysfs runs show()
 * again at offset 0), as the --root reader, and scaled as libsensors does
 * (scaling(), from lib/sysfs.c get_type_scaling()).  With a config, inputs
 * go through libsensors.  Labels are libsensors' too, but asked once:
 * sensors_get_label() reads the _label file each call (a driver's labels are
 * fixed), so they are kept until libsensors learns the chips again, when the
 * kept files are closed too (a path may be another chip's then).  A kept
 * file whose chip went answers ENODEV: reopened, it is gone, the value is
 * missing and the next scan learns the chips again.  A real sysfs attribute
 * is never replaced by rename; a test standing a plain tree in for /sys must
 * rewrite values in place (tests/integration/test_hwmon_sensors.py).
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

/* One feature's label as sensors_get_label() gave it after the sensors_init() in force. */
struct lab {
	const sensors_chip_name *chip; /* libsensors' own, stable until sensors_cleanup() */
	int feat;
	char text[HWMON_LABEL_MAX];
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
	struct fdcache values; /* alarms and faults kept open (see above) */
	struct lab *labs;      /* every label asked since sensors_init(), in scan order */
	size_t n_labs, cap_labs, cursor;
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

struct hwmon_lsensors *hwmon_lsensors_new(size_t budget)
{
	struct hwmon_lsensors *r = calloc(1, sizeof(*r));

	if (r) {
		r->root_fd = -1;
		fdcache_init(&r->enables, ENABLES_KEPT, NULL, NULL);
		fdcache_init(&r->values, budget, NULL, NULL);
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

void hwmon_lsensors_follow_share(struct hwmon_lsensors *r, const struct redmon_host_ops *ops,
				 struct redmon_host *h)
{
	fdcache_follow_share(&r->values, ops, h, 0);
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
	fdcache_free(&r->values);
	free(r->labs);
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
	fdcache_flush(&r->values);
	r->n_labs = 0; /* the chip pointers are others now */
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
		hwmon_chip_set_error(c, "%s: %s", name,
				     rc < 0 ? psu_read_strerror(rc) : "not a number");
	return 0;
}

/* What libsensors 3.6 divides a sysfs value by (lib/sysfs.c get_type_scaling()). */
static double scaling(sensors_subfeature_type type)
{
	switch ((int)type & 0xFF80) {
	case SENSORS_SUBFEATURE_IN_INPUT:
	case SENSORS_SUBFEATURE_TEMP_INPUT:
	case SENSORS_SUBFEATURE_CURR_INPUT:
	case SENSORS_SUBFEATURE_HUMIDITY_INPUT:
		return 1000;
	case SENSORS_SUBFEATURE_FAN_INPUT:
		return 1;
	case SENSORS_SUBFEATURE_POWER_AVERAGE:
	case SENSORS_SUBFEATURE_ENERGY_INPUT:
		return 1000000;
	}
	switch (type) {
	case SENSORS_SUBFEATURE_POWER_AVERAGE_INTERVAL:
	case SENSORS_SUBFEATURE_VID:
	case SENSORS_SUBFEATURE_TEMP_OFFSET:
		return 1000;
	default:
		return 1;
	}
}

/*
 * The value of subfeature sf of chip into *ret: from the kept file when no
 * compute line can apply (see the head comment), else sensors_get_value().
 * 0, or -1 with c->error set (the first failure of the chip).
 */
static int get_value(struct hwmon_lsensors *r, const sensors_chip_name *chip,
		     const sensors_subfeature *sf, struct hwmon_chip *c, double *ret)
{
	char path[1200];
	long long v;
	int rc;

	if (((sf->flags & SENSORS_COMPUTE_MAPPING) && r->config && r->config[0]) || !chip->path) {
		rc = sensors_get_value(chip, sf->number, ret);
		if (rc < 0 && !c->error[0])
			hwmon_chip_set_error(c, "%s: %s", sf->name, sensors_strerror(rc));
		return rc < 0 ? -1 : 0;
	}
	snprintf(path, sizeof(path), "%.1000s/%s", chip->path, sf->name);
	rc = fdcache_read(&r->values, r->root_fd, path, 0, &r->value, 32, NULL);
	if (rc == 0 && strv_to_ll(strv_trim(strv_c(r->value.p)), LLONG_MIN, LLONG_MAX, &v) == 0) {
		*ret = (double)v / scaling(sf->type);
		return 0;
	}
	if (!c->error[0])
		hwmon_chip_set_error(c, "%s: %s", sf->name,
				     rc < 0 ? psu_read_strerror(rc) : "not a number");
	return -1;
}

/*
 * The label of feature feat into c, as sensors_get_label() gives it, asked
 * once per sensors_init() (see the head comment).  A scan asks in the order
 * of the last: the entry after the last found is tried first.  0 or -ENOMEM.
 */
static int chip_label(struct hwmon_lsensors *r, const sensors_chip_name *chip,
		      const sensors_feature *feat, struct hwmon_chip *c)
{
	const struct lab *l = NULL;
	char *label;

	if (r->cursor < r->n_labs && r->labs[r->cursor].chip == chip &&
	    r->labs[r->cursor].feat == feat->number)
		l = &r->labs[r->cursor++];
	for (size_t i = 0; !l && i < r->n_labs; i++) {
		if (r->labs[i].chip == chip && r->labs[i].feat == feat->number) {
			l = &r->labs[i];
			r->cursor = i + 1;
		}
	}
	if (!l) {
		label = sensors_get_label(chip, feat);
		if (!label)
			return 0; /* out of memory in libsensors: no label this time */
		if (grow_one((void **)&r->labs, &r->cap_labs, r->n_labs, sizeof(*r->labs), 32)) {
			r->labs[r->n_labs] = (struct lab){ .chip = chip, .feat = feat->number };
			snprintf(r->labs[r->n_labs].text, sizeof(r->labs[r->n_labs].text), "%s",
				 label);
			l = &r->labs[r->n_labs++];
			r->cursor = r->n_labs;
		}
		free(label);
		if (!l)
			return -ENOMEM;
	}
	/* libsensors falls back to the feature name when there is no label. */
	return strcmp(l->text, feat->name) != 0 ? hwmon_chip_label(c, feat->name, l->text) : 0;
}

/* Fill c from chip; *failed is set when a value could not be read.  0 or -ENOMEM. */
static int read_chip(struct hwmon_lsensors *r, const sensors_chip_name *chip, struct hwmon_chip *c,
		     bool *failed)
{
	char name[HWMON_NAME_MAX], prefix[HWMON_NAME_MAX], location[HWMON_NAME_MAX] = "";
	const sensors_feature *feat;
	int f = 0, rc = 0;

	if (sensors_snprintf_chip_name(name, sizeof(name), chip) < 0)
		snprintf(name, sizeof(name), "%s", chip->prefix);
	snprintf(prefix, sizeof(prefix), "%s", chip->prefix);
	if (chip->bus.type == SENSORS_BUS_TYPE_I2C)
		snprintf(location, sizeof(location), "i2c %d-%04x", chip->bus.nr,
			 (unsigned int)chip->addr);
	c->error = "";
	if (hwmon_chip_set_id(c, name, prefix, location) < 0)
		return -ENOMEM;
	c->fans = !hwmon_is_psu_chip(c->prefix, r->psu_chips ? r->psu_chips : "") &&
		  hwmon_is_fan_chip(c->prefix, r->fan_chips ? r->fan_chips : "");
	while (rc == 0 && (feat = sensors_get_features(chip, &f)) != NULL) {
		const sensors_subfeature *sf;
		int s = 0;
		bool off = false;

		rc = chip_label(r, chip, feat, c);
		if (rc == 0 && c->fans && feat->type == SENSORS_FEATURE_FAN)
			rc = fan_disabled(r, chip, feat, c, &off);
		while (rc == 0 && !off &&
		       (sf = sensors_get_all_subfeatures(chip, feat, &s)) != NULL) {
			double v;

			/* Only what a verdict reads (the vin input, alarms, faults). */
			if (!(sf->flags & SENSORS_MODE_R) || !hwmon_value_needed(c, sf->name))
				continue;
			if (get_value(r, chip, sf, c, &v) < 0) {
				/* The chip did not answer: no value, and unknown, as in sysfs. */
				*failed = true;
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
	fdcache_begin(&r->values);
	r->cursor = 0;
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
	fdcache_sweep(&r->values);
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
