/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwmon PSU classification, shared by both ways of reading hwmon: libsensors
 * on the live system (hwmon_lsensors.c) and plain sysfs files under --root
 * (hwmon_sysfs.c).  Each reader only fills struct hwmon_chip with attribute
 * names (the sysfs file names of Documentation/hwmon/sysfs-interface.rst,
 * which are also libsensors' subfeature names), values in libsensors units
 * (V, A, W, RPM, degrees C) and labels; every rule about which chip is a PSU
 * and what makes a supply not ok lives here, once.
 */
#ifndef REDMON_HWMON_CLASS_H
#define REDMON_HWMON_CLASS_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/psu_set.h"
#include "redmon/plugin.h"

#define HWMON_NAME_MAX 128 /* a hwmon "name" (prefix) this long or longer is an error */
/* A chip name is the prefix and at most "-i2c-99999-3ff": with room to spare. */
#define HWMON_CHIP_NAME_MAX (HWMON_NAME_MAX + 32)
#define HWMON_ATTR_MAX	    32 /* "power12_lcrit_alarm" and the like */
#define HWMON_LABEL_MAX	    48
#define HWMON_CHIP_ATTRS    512	  /* per chip, bounds a hostile tree */
#define HWMON_CHIPS_MAX	    65536 /* beyond: the scan fails loudly, never a silent cut */

struct hwmon_attr {
	char name[HWMON_ATTR_MAX]; /* "in1_alarm" */
	double value;
};

/* Sized to use: sensor is an owned "in1\0vin" (one allocation), text points into it. */
struct hwmon_label {
	char *sensor;	  /* "in1" */
	const char *text; /* "vin", at most HWMON_LABEL_MAX - 1 bytes */
};

/*
 * Strings are sized to use (1000 chips add up): name, prefix and location
 * point into one owned block (hwmon_chip_set_id()), error at a text of its
 * own only when there is one.  In a reader's answer none is NULL; a chip
 * made by hand (zeroed) may have them NULL, read through hwmon_str().
 */
struct hwmon_chip {
	const char *name;     /* libsensors style: "dps650ab-i2c-3-58" */
	const char *prefix;   /* the hwmon "name" attribute: "dps650ab" */
	const char *location; /* "i2c 3-0058", or "" */
	struct hwmon_attr *attrs;
	size_t n_attrs, cap_attrs;
	struct hwmon_label *labels;
	size_t n_labels, cap_labels;
	/*
	 * A fan controller whose channels make a fan set (hwmon_fan.h): set by
	 * the reader before values are read, it selects which values are needed.
	 */
	bool fans;
	/*
	 * What could not be read ("name: Permission denied"), or "".  A chip
	 * whose name could not be read has prefix "" and name set to what
	 * locates it ("hwmon3"): it may be a supply, nobody can tell.
	 */
	const char *error;
	char *id;	 /* owned: name, prefix and location point into it */
	char *own_error; /* owned: the text error points at, when it is not "" */
};

/* s, or "" for NULL. */
static inline const char *hwmon_str(const char *s)
{
	return s ? s : "";
}

/*
 * Set c's name, prefix and location (NULL: "") as one allocation, the old
 * one freed; 0 or -ENOMEM (then c is unchanged).
 */
int hwmon_chip_set_id(struct hwmon_chip *c, const char *name, const char *prefix,
		      const char *location);

/*
 * Set c's error to the formatted text, or to "" when fmt is NULL.  Never
 * fails: out of memory, the error says so (the chip is unreadable still).
 */
void hwmon_chip_set_error(struct hwmon_chip *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free what c owns (attrs, labels, id, error) and zero it. */
void hwmon_chip_free(struct hwmon_chip *c);

/*
 * Does the attribute name matter to the classification?  Only in, curr,
 * power, fan and temp channels, and of those their _input, _fault and
 * *_alarm files (and _label, through hwmon_chip_label()); and fanN_enable,
 * for fan sets.
 */
bool hwmon_attr_wanted(const char *name);

/*
 * Of those, the ones a verdict reads (hwmon_classify()): every _fault and
 * *_alarm, and the _input of an "in" channel that c labels "vin".  The
 * other inputs (currents, powers, fans, temperatures) are never read.
 * For a fan set (c->fans) only what hwmon_fan_value_needed() names.
 */
bool hwmon_value_needed(const struct hwmon_chip *c, const char *name);

/*
 * Split an attribute name: "fan12_enable" is type "fan" (one of in, curr,
 * power, fan, temp), index 12 (at most 4 digits), sub "enable".  false when
 * it is not of that form.
 */
bool hwmon_attr_split(const char *name, const char **ret_type, long *ret_idx, const char **ret_sub);

/* Add one value (skipped unless wanted); 0, -E2BIG past HWMON_CHIP_ATTRS, -ENOMEM. */
int hwmon_chip_add(struct hwmon_chip *c, const char *name, double value);
/* Record sensor's label ("in1", "vin"); 0 or -ENOMEM.  Bad bytes are kept. */
int hwmon_chip_label(struct hwmon_chip *c, const char *sensor, const char *text);
void hwmon_chips_free(struct hwmon_chip *v, size_t n);

/*
 * Is a chip with this hwmon name a PSU?  The built-in list of PSU drivers
 * (hwmon_class.c) or one of the comma-separated fnmatch(3) patterns in extra;
 * '-' and '_' compare equal (the kernel allows either in a name).
 */
bool hwmon_is_psu_chip(const char *prefix, const char *extra);

/*
 * Is prefix one of the n names of builtin, or does it match one of the
 * patterns (fnmatch(3), separated by commas or blanks)?  '-' and '_' compare
 * equal.  builtin is written with '_'.
 */
bool hwmon_chip_matches(const char *prefix, const char *const *builtin, size_t n,
			const char *patterns);

/* One PSU chip to member condition, state and reason. */
void hwmon_classify(const struct hwmon_chip *c, struct psu_view *ret);

/*
 * Build the PSU group ("psu") from chips, sorted by name as both readers
 * give them (a name repeated counts once), into the probe's set p: PSU chips,
 * and chips whose name could not be read (unknown members: the margin is
 * unknown); others ignored.  On 0 *g points into p until the next call.
 * -ENODATA: no PSU group.
 */
int hwmon_psu_eval(struct psu_group *p, const struct hwmon_chip *chips, size_t n, const char *extra,
		   int required, struct redmon_group *g);

#endif /* REDMON_HWMON_CLASS_H */
