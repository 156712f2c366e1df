// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The smartctl -j verdicts (plugins/smart/smart_read.c): every capture of
 * tests/corpus/smart against its expected.json (health, or one of its
 * acceptable_health, and the device name), then the rules a capture does not
 * show: a rising error log, standby, a prefail threshold, wear, bad input.
 * Run from the top of the tree.
 */
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hwraid_test.h"
#include "../../plugins/smart/smart_read.h"

#define CORPUS "tests/corpus/smart"

static const char *health_word(enum redmon_risk h)
{
	static const char *const w[] = { "none", "ok", "warning", "failing", "unknown" };

	return (unsigned)h < REDMON_RISK_COUNT_ ? w[h] : "?";
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_capture(const struct dirent *e)
{
	return strncmp(e->d_name, "smartctl", 8) == 0;
}

/* Whether the verdict is the expected health, or one the case accepts. */
static bool health_accepted(json_t *want, enum redmon_risk got)
{
	json_t *ok = json_object_get(want, "acceptable_health"), *h;
	size_t i;

	if (strcmp(json_string_value(json_object_get(want, "health")), health_word(got)) == 0)
		return true;
	json_array_foreach(ok, i, h)
	{
		if (strcmp(json_string_value(h), health_word(got)) == 0)
			return true;
	}
	return false;
}

/* One case: its captures in name order are its expected disks in order. */
static int check_case(const char *name)
{
	char path[512];
	struct dirent **files;
	json_error_t jerr;
	json_t *exp, *disks;
	bool tool_error;
	int n, failed = 0;

	snprintf(path, sizeof(path), "%s/%s/expected.json", CORPUS, name);
	exp = json_load_file(path, 0, &jerr);
	assert_non_null(exp);
	disks = json_object_get(exp, "disks");
	tool_error = json_is_true(json_object_get(exp, "tool_error"));
	snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
	n = scandir(path, &files, is_capture, by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		size_t len;
		char *buf;
		struct smart_disk d;
		json_t *want = json_array_get(disks, (size_t)i);

		snprintf(path, sizeof(path), "%s/%s/%s", CORPUS, name, files[i]->d_name);
		buf = slurp(path, &len);
		assert_non_null(buf);
		smart_judge(buf, len, -1, &d);
		free(buf);
		print_message("%s/%s: %s (%s) %s\n", name, files[i]->d_name, health_word(d.health),
			      d.reason, d.device);
		if (tool_error || !want) {
			/* no disk verdict: unknown, with smartctl's reason, never failing */
			failed += d.health != REDMON_RISK_UNKNOWN ||
				  !strstr(d.reason, "could not read");
		} else {
			failed += !health_accepted(want, d.health);
			failed += strcmp(d.device,
					 json_string_value(json_object_get(want, "device"))) != 0;
			failed += d.health != REDMON_RISK_OK && !d.reason[0];
		}
		free(files[i]);
	}
	free(files);
	json_decref(exp);
	return failed;
}

static int is_case(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void test_corpus(void **state)
{
	struct dirent **cases;
	int n = scandir(CORPUS, &cases, is_case, by_name), failed = 0;

	(void)state;
	assert_true(n >= 7);
	for (int i = 0; i < n; i++) {
		failed += check_case(cases[i]->d_name);
		free(cases[i]);
	}
	free(cases);
	assert_int_equal(failed, 0);
}

/* The reasons name what was found, as the verdict list words it. */
static void test_corpus_reasons(void **state)
{
	size_t len;
	char *buf = slurp(CORPUS "/smartctl-exporter-nvme-critical-warning-volatile-backup/"
				 "smartctl-j.json",
			  &len);
	struct smart_disk d;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(smart_judge(buf, len, -1, &d), 0);
	assert_int_equal(d.health, REDMON_RISK_FAILING);
	assert_non_null(strstr(d.reason, "self-assessment failed"));
	assert_non_null(strstr(d.reason, "0x10 (volatile memory backup failed)"));
	assert_string_equal(d.model, "SAMSUNG MZWLL3T2HAJQ-00005");
	assert_string_equal(d.serial, "REDACTED");
	free(buf);

	buf = slurp(CORPUS "/scrutiny-megaraid-two-disks-one-reallocating/"
			   "smartctl-j-d-megaraid1.json",
		    &len);
	assert_int_equal(smart_judge(buf, len, -1, &d), 0);
	assert_string_equal(d.reason, "387 reallocated sectors");
	free(buf);

	buf = slurp(CORPUS "/smartctl-exporter-scsi-grown-defects-260/smartctl-j.json", &len);
	assert_int_equal(smart_judge(buf, len, -1, &d), 0);
	assert_string_equal(d.reason, "260 grown defects");
	assert_string_equal(d.model, "SEAGATE ST373453LC");
	free(buf);

	/* exit status 64 with 12 old error log entries: ok, but 12 after 10 warns */
	buf = slurp(CORPUS "/smartctl-exporter-ata-error-log-exit-64/smartctl-j.json", &len);
	assert_int_equal(smart_judge(buf, len, -1, &d), 0);
	assert_int_equal(d.health, REDMON_RISK_OK);
	assert_int_equal(d.error_log, 12);
	assert_int_equal(smart_judge(buf, len, 12, &d), 0);
	assert_int_equal(d.health, REDMON_RISK_OK);
	assert_int_equal(smart_judge(buf, len, 10, &d), 0);
	assert_int_equal(d.health, REDMON_RISK_WARNING);
	assert_string_equal(d.reason, "error log grew from 10 to 12 entries");
	free(buf);
}

static void judge_str(const char *s, struct smart_disk *d)
{
	smart_judge(s, strlen(s), -1, d);
}

static void test_rules(void **state)
{
	struct smart_disk d;

	(void)state;
	judge_str("{\"smartctl\":{\"exit_status\":2,\"messages\":[{\"string\":"
		  "\"Device is in STANDBY mode, exit(2)\",\"severity\":\"information\"}]},"
		  "\"device\":{\"name\":\"/dev/sdc\",\"type\":\"sat\"}}",
		  &d);
	assert_int_equal(d.health, REDMON_RISK_UNKNOWN);
	assert_true(d.standby);
	assert_string_equal(d.device, "/dev/sdc");

	judge_str("{\"smart_status\":{\"passed\":true},\"ata_smart_attributes\":{\"table\":["
		  "{\"id\":1,\"name\":\"Raw_Read_Error_Rate\",\"value\":6,\"thresh\":6,"
		  "\"flags\":{\"prefailure\":true},\"raw\":{\"value\":0}},"
		  "{\"id\":194,\"name\":\"Temperature_Celsius\",\"value\":0,\"thresh\":0,"
		  "\"flags\":{\"prefailure\":false},\"raw\":{\"value\":40}}]}}",
		  &d);
	assert_int_equal(d.health, REDMON_RISK_FAILING);
	assert_string_equal(d.reason, "Raw_Read_Error_Rate (6) at or below its threshold 6");

	judge_str("{\"smart_status\":{\"passed\":true},\"nvme_smart_health_information_log\":"
		  "{\"critical_warning\":0,\"media_errors\":2,\"percentage_used\":90}}",
		  &d);
	assert_int_equal(d.health, REDMON_RISK_WARNING);
	assert_string_equal(d.reason, "2 NVMe media errors; 90% of rated endurance used");

	/* hostile: not JSON, wrong types, control bytes in names */
	judge_str("{\"smart_status\":", &d);
	assert_int_equal(d.health, REDMON_RISK_UNKNOWN);
	assert_non_null(strstr(d.reason, "not JSON"));
	judge_str("[1,2]", &d);
	assert_int_equal(d.health, REDMON_RISK_UNKNOWN);
	judge_str("{\"smart_status\":{\"passed\":\"yes\"},\"model_name\":\"a\\u001bb\"}", &d);
	assert_int_equal(d.health, REDMON_RISK_UNKNOWN);
	assert_string_equal(d.model, "a?b");
	assert_non_null(strstr(d.reason, "no SMART status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_reasons),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests_name("smart_read", tests, NULL, NULL);
}
