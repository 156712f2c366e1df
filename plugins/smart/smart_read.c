// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smartctl -j -a: what decides a disk's health.  smartctl's exit status is a
 * bit mask (smartctl(8), EXIT STATUS): bits 0-2 mean it could not read the
 * disk, bit 3 "SMART status check returned DISK FAILING", bits 4-7 are
 * history (attributes once below threshold, error and self-test log
 * entries), which is why exit status 64 alone is no failure.  The verdict:
 *   failing: smart_status.passed false; NVMe critical_warning set; a
 *            pre-failure attribute at or below its (non-zero) threshold;
 *   warning: reallocated (5), pending (197) or offline-uncorrectable (198)
 *            sectors above 0, SCSI grown defects, NVMe media errors, NVMe
 *            percentage_used >= 90, device error log entries rising;
 *   unknown: no smart_status (a RAID volume, a USB bridge without
 *            pass-through, an open failure), with smartctl's own message.
 */
#include "smart_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../lib/psu_util.h"
#include "../lib/strbuf.h"

#define WEAR_WARN_PERCENT 90

static void copy_text(const char *s, char *dst, size_t cap)
{
	strv_copy_printable((struct strv){ .p = s ? s : "", .n = s ? strlen(s) : 0 }, dst, cap);
}

static const char *str_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An integer member, or -1 when absent, not an integer or negative. */
static int64_t int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v)
								: -1;
}

/* "/dev/sda", or "/dev/sda megaraid,1" for a device type "sat+megaraid,1". */
static void device_name(json_t *dev, char *dst, size_t cap)
{
	const char *name = str_at(dev, "name"), *type = str_at(dev, "type");
	const char *plus = type ? strrchr(type, '+') : NULL;
	char buf[160];

	if (!name) {
		dst[0] = 0;
		return;
	}
	if (type && strchr(type, ','))
		snprintf(buf, sizeof(buf), "%s %s", name, plus ? plus + 1 : type);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	copy_text(buf, dst, cap);
}

static void identify(json_t *root, struct smart_disk *d)
{
	const char *model = str_at(root, "model_name");
	char buf[128];

	device_name(json_object_get(root, "device"), d->device, sizeof(d->device));
	if (!model)
		model = str_at(root, "scsi_model_name");
	if (!model && str_at(root, "scsi_vendor") && str_at(root, "scsi_product")) {
		snprintf(buf, sizeof(buf), "%s %s", str_at(root, "scsi_vendor"),
			 str_at(root, "scsi_product"));
		model = buf;
	}
	copy_text(model, d->model, sizeof(d->model));
	copy_text(str_at(root, "serial_number"), d->serial, sizeof(d->serial));
}

/* Raise the verdict to at least h, adding why. */
static void add(struct smart_disk *d, enum redmon_risk h, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(struct smart_disk *d, enum redmon_risk h, const char *fmt, ...)
{
	char buf[SMART_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (d->health == REDMON_RISK_OK || h > d->health)
		d->health = h;
	psu_text_add(d->reason, sizeof(d->reason), "; ", "%s", buf);
}

/* The first error message smartctl printed, as the reason it could not read the disk. */
static void tool_message(json_t *smartctl, char *dst, size_t cap)
{
	json_t *msgs = json_object_get(smartctl, "messages"), *m;
	size_t i;

	dst[0] = 0;
	json_array_foreach(msgs, i, m)
	{
		const char *sev = str_at(m, "severity"), *s = str_at(m, "string");

		if (s && (!dst[0] || (sev && strcmp(sev, "error") == 0)))
			copy_text(s, dst, cap);
		if (s && sev && strcmp(sev, "error") == 0)
			return;
	}
}

static const struct {
	int64_t id;
	const char *what;
} sector_attrs[] = {
	{ 5, "reallocated sectors" },
	{ 197, "pending sectors" },
	{ 198, "offline-uncorrectable sectors" },
};

static void judge_attribute(json_t *a, struct smart_disk *d)
{
	int64_t id = int_at(a, "id"), value = int_at(a, "value"), thresh = int_at(a, "thresh");
	json_t *raw = json_object_get(a, "raw");
	int64_t rawv = int_at(raw, "value");
	const char *name = str_at(a, "name");
	char nm[48];

	copy_text(name ? name : "attribute", nm, sizeof(nm));
	if (json_is_true(json_object_get(json_object_get(a, "flags"), "prefailure")) &&
	    thresh > 0 && value >= 0 && value <= thresh)
		add(d, REDMON_RISK_FAILING, "%s (%lld) at or below its threshold %lld", nm,
		    (long long)value, (long long)thresh);
	for (size_t i = 0; i < sizeof(sector_attrs) / sizeof(sector_attrs[0]); i++) {
		/* The low 32 bits: some vendors pack other counts above them. */
		int64_t n = rawv & 0xffffffff;

		if (id == sector_attrs[i].id && rawv > 0 && n > 0)
			add(d, REDMON_RISK_WARNING, "%lld %s", (long long)n, sector_attrs[i].what);
	}
}

static void judge_ata(json_t *root, struct smart_disk *d)
{
	json_t *table = json_object_get(json_object_get(root, "ata_smart_attributes"), "table");
	json_t *log = json_object_get(root, "ata_smart_error_log"), *a;
	int64_t n;
	size_t i;

	json_array_foreach(table, i, a) judge_attribute(a, d);
	n = int_at(json_object_get(log, "extended"), "count");
	if (n < 0)
		n = int_at(json_object_get(log, "summary"), "count");
	if (n >= 0)
		d->error_log = n;
}

static const char *const nvme_warnings[] = {
	"available spare below threshold",
	"temperature out of range",
	"reliability degraded",
	"media placed in read-only mode",
	"volatile memory backup failed",
	"persistent memory region unreliable",
};

static void judge_nvme(json_t *root, struct smart_disk *d)
{
	json_t *log = json_object_get(root, "nvme_smart_health_information_log");
	int64_t cw = int_at(log, "critical_warning"), media = int_at(log, "media_errors");
	int64_t used = int_at(log, "percentage_used");
	char names[160] = "";

	if (!log)
		return;
	for (size_t i = 0; cw > 0 && i < sizeof(nvme_warnings) / sizeof(nvme_warnings[0]); i++) {
		if (cw & (1 << i))
			psu_text_add(names, sizeof(names), ", ", "%s", nvme_warnings[i]);
	}
	if (cw > 0)
		add(d, REDMON_RISK_FAILING, "NVMe critical warning 0x%02llx (%s)", (long long)cw,
		    names[0] ? names : "reserved bits");
	if (media > 0)
		add(d, REDMON_RISK_WARNING, "%lld NVMe media errors", (long long)media);
	if (used >= WEAR_WARN_PERCENT)
		add(d, REDMON_RISK_WARNING, "%lld%% of rated endurance used", (long long)used);
	if (int_at(log, "num_err_log_entries") >= 0)
		d->error_log = int_at(log, "num_err_log_entries");
}

static void judge_scsi(json_t *root, struct smart_disk *d)
{
	int64_t grown = int_at(root, "scsi_grown_defect_list");

	if (grown > 0)
		add(d, REDMON_RISK_WARNING, "%lld grown defects", (long long)grown);
}

/* Asleep under -n standby: smartctl says so and exits 2 without reading. */
static bool in_standby(json_t *smartctl)
{
	json_t *msgs = json_object_get(smartctl, "messages"), *m;
	size_t i;

	json_array_foreach(msgs, i, m)
	{
		const char *s = str_at(m, "string");

		if (s && (strstr(s, "STANDBY") || strstr(s, "SLEEP")))
			return true;
	}
	return false;
}

static void judge(json_t *root, int64_t prev_error_log, struct smart_disk *d)
{
	json_t *smartctl = json_object_get(root, "smartctl");
	json_t *status = json_object_get(root, "smart_status");
	int64_t exit_status = int_at(smartctl, "exit_status");
	char msg[160];

	identify(root, d);
	if (!json_is_boolean(json_object_get(status, "passed"))) {
		d->standby = in_standby(smartctl);
		tool_message(smartctl, msg, sizeof(msg));
		d->health = REDMON_RISK_UNKNOWN;
		if (d->standby)
			snprintf(d->reason, sizeof(d->reason), "in standby, not woken to be read");
		else if (msg[0])
			snprintf(d->reason, sizeof(d->reason), "smartctl could not read it: %s",
				 msg);
		else
			snprintf(d->reason, sizeof(d->reason),
				 "smartctl reported no SMART status (exit status %lld)",
				 (long long)exit_status);
		return;
	}
	d->health = REDMON_RISK_OK;
	if (json_is_false(json_object_get(status, "passed")))
		add(d, REDMON_RISK_FAILING, "SMART overall-health self-assessment failed");
	judge_ata(root, d);
	judge_nvme(root, d);
	judge_scsi(root, d);
	if (prev_error_log >= 0 && d->error_log > prev_error_log)
		add(d, REDMON_RISK_WARNING, "error log grew from %lld to %lld entries",
		    (long long)prev_error_log, (long long)d->error_log);
}

int smart_judge(const char *text, size_t len, int64_t prev_error_log, struct smart_disk *ret)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	*ret = (struct smart_disk){ .health = REDMON_RISK_UNKNOWN, .error_log = -1 };
	if (!json_is_object(root)) {
		char why[SMART_TEXT_MAX];

		json_decref(root);
		/* jansson's text may quote the input: printable only. */
		snprintf(why, sizeof(why), "smartctl output is not JSON: %s",
			 root ? "not an object" : jerr.text);
		copy_text(why, ret->reason, sizeof(ret->reason));
		return -EINVAL;
	}
	judge(root, prev_error_log, ret);
	json_decref(root);
	return 0;
}
