// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * storcli's JSON ("... show all J"): {"Controllers": [{"Command Status":
 * {"Controller": N, "Status": "Success", ...}, "Response Data": {...}}]}.
 * In "Response Data": TOPOLOGY, VD LIST, PD LIST (or the per-VD "/cN/vM",
 * "PDs for VD M" and "VDM Properties"), "Drive /cN/eE/sS" rows with their
 * "Drive /cN/eE/sS - Detailed Information", BBU_Info, Cachevault_Info,
 * "Energy Pack Info" (perccli2) and "Status"."Controller Status".  Every
 * row goes through megaraid.c as a struct mr_row; anything else is ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "megaraid.h"
#include "../lib/strbuf.h"

/* A scalar as text: strings as they are, integers in decimal, else "". */
static void put(struct mr_row *r, const char *key, json_t *v)
{
	char num[32];

	if (json_is_string(v)) {
		mr_put(r, key, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		mr_put(r, key, num, strlen(num));
	} else {
		mr_put(r, key, "", 0);
	}
}

static int rows(struct mr_set *s, int ctl, json_t *list,
		int (*add)(struct mr_set *, int, const struct mr_row *))
{
	size_t i;
	json_t *o;

	if (!json_is_array(list))
		return -EINVAL;
	json_array_foreach(list, i, o)
	{
		struct mr_row r = { 0 };
		const char *k;
		json_t *v;
		int rc;

		if (!json_is_object(o))
			return -EINVAL;
		json_object_foreach(o, k, v) put(&r, k, v);
		rc = add(s, ctl, &r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* BBU_Info and Cachevault_Info rows carry State, Energy Pack Info rows Status. */
static void bbu(struct mr_set *s, int ctl, const char *what, json_t *list, const char *key)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o)
	{
		if (json_is_object(o) && json_is_string(json_object_get(o, key)))
			mr_add_bbu(s, ctl, what, str(o, key));
	}
}

static int int_of(json_t *v, int *ret)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 65535) {
		*ret = (int)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v))
		return mr_int(json_string_value(v), ret);
	return -EINVAL;
}

/* "VD0 Properties": span depth, drives per span and the initial write cache. */
static void vd_props(struct mr_set *s, int ctl, const char *key, json_t *o)
{
	int vd, depth = -1, per = -1;
	char num[16];
	size_t n = strspn(key + 2, "0123456789");

	if (n == 0 || n >= sizeof(num) || strcmp(key + 2 + n, " Properties") != 0)
		return;
	memcpy(num, key + 2, n);
	num[n] = '\0';
	if (mr_int(num, &vd) < 0 || vd < 0)
		return;
	if (int_of(json_object_get(o, "Span Depth"), &depth) < 0)
		depth = -1;
	if (int_of(json_object_get(o, "Number of Drives Per Span"), &per) < 0)
		per = -1;
	mr_vd_props(s, ctl, vd, depth, per, str(o, "Write Cache(initial setting)"));
}

/* Digits at *p into *ret (at most 65535), *p after them: 0, or -EINVAL. */
static int digits(const char **p, int *ret)
{
	size_t n = strspn(*p, "0123456789");
	long long v;

	if (n == 0 || n > 5 || strv_to_ll(strv_make(*p, n), 0, 65535, &v) < 0)
		return -EINVAL;
	*p += n;
	*ret = (int)v;
	return 0;
}

/*
 * "Drive /c0/e252/s0 - Detailed Information" (or /c0/s3, no enclosure): the
 * serial, from its "Drive /c0/e252/s0 Device attributes"."SN".
 */
static void drive_detail(struct mr_set *s, int ctl, const char *key, json_t *o)
{
	const char *p = key + strlen("Drive /c"), *sn;
	int c, e = -1, sl;
	char attrs[128];
	struct mr_row r = { 0 };

	if (digits(&p, &c) < 0 || c != ctl)
		return;
	if (strncmp(p, "/e", 2) == 0) {
		p += 2;
		if (digits(&p, &e) < 0)
			return;
	}
	if (strncmp(p, "/s", 2) != 0)
		return;
	p += 2;
	if (digits(&p, &sl) < 0 || strcmp(p, " - Detailed Information") != 0)
		return;
	snprintf(attrs, sizeof(attrs), "%.*s Device attributes", (int)(p - key), key);
	sn = str(json_object_get(o, attrs), "SN");
	if (!*sn)
		return;
	mr_put(&r, "SN", sn, strlen(sn)); /* trimmed, printable */
	mr_pd_serial(s, ctl, e, sl, r.val[0]);
}

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* One controller's "Response Data": tables first, then what refers to them. */
static int response(struct mr_set *s, int ctl, json_t *rd)
{
	const char *k;
	json_t *v;
	int rc = 0;

	json_object_foreach(rd, k, v)
	{
		if (strcmp(k, "VD LIST") == 0 || (starts(k, "/c") && strstr(k, "/v")))
			rc = rows(s, ctl, v, mr_add_vd);
		else if (strcmp(k, "PD LIST") == 0 || starts(k, "PDs for VD ") ||
			 (starts(k, "Drive /c") && json_is_array(v)))
			rc = rows(s, ctl, v, mr_add_pd);
		else if (strcmp(k, "TOPOLOGY") == 0)
			rc = rows(s, ctl, v, mr_add_topo);
		if (rc < 0)
			return rc;
	}
	json_object_foreach(rd, k, v)
	{
		if (strcmp(k, "Status") == 0 && json_is_object(v) &&
		    json_is_string(json_object_get(v, "Controller Status"))) {
			struct mr_ctl *c = mr_ctl(s, ctl);
			struct mr_row r = { 0 };

			if (!c)
				return -ENOMEM;
			put(&r, "", json_object_get(v, "Controller Status"));
			snprintf(c->status, sizeof(c->status), "%s", r.val[0]);
		} else if (strcmp(k, "BBU_Info") == 0) {
			bbu(s, ctl, "BBU", v, "State");
		} else if (strcmp(k, "Cachevault_Info") == 0) {
			bbu(s, ctl, "CacheVault", v, "State");
		} else if (strcmp(k, "Energy Pack Info") == 0) {
			bbu(s, ctl, "energy pack", v, "Status");
		} else if (starts(k, "VD") && json_is_object(v)) {
			vd_props(s, ctl, k, v);
		} else if (starts(k, "Drive /c") && json_is_object(v)) {
			drive_detail(s, ctl, k, v);
		}
	}
	return 0;
}

static int controller(struct mr_set *s, json_t *c, char *err, size_t errlen)
{
	json_t *cs = json_object_get(c, "Command Status"),
	       *rd = json_object_get(c, "Response Data");
	struct mr_row r = { 0 };
	int ctl = -1, rc;

	if (!json_is_object(cs) || !json_is_string(json_object_get(cs, "Status"))) {
		snprintf(err, errlen, "a controller without \"Command Status\"");
		return -EINVAL;
	}
	if (json_object_get(cs, "Controller") &&
	    int_of(json_object_get(cs, "Controller"), &ctl) < 0) {
		snprintf(err, errlen, "controller number not understood");
		return -EINVAL;
	}
	put(&r, "Status", json_object_get(cs, "Status"));
	put(&r, "Description", json_object_get(cs, "Description"));
	if (strcmp(r.val[0], "Success") == 0 && ctl < 0) {
		snprintf(err, errlen, "a controller block without its number");
		return -EINVAL;
	}
	rc = mr_command_status(s, ctl, r.val[0], r.val[1]);
	if (rc == 0 && strcmp(r.val[0], "Success") == 0 && json_is_object(rd))
		rc = response(s, ctl, rd);
	if (rc == -EINVAL)
		snprintf(err, errlen, "controller %d: a table row not understood", ctl);
	return rc;
}

int mr_parse_json(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je), *list, *c;
	size_t i;
	int rc = 0;

	if (!root) {
		snprintf(err, errlen, "not JSON (line %d: %s)", je.line, je.text);
		return -EINVAL;
	}
	list = json_object_get(root, "Controllers");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		snprintf(err, errlen, "JSON without \"Controllers\"");
		rc = -EINVAL;
	}
	json_array_foreach(list, i, c)
	{
		if (rc < 0)
			break;
		rc = json_is_object(c) ? controller(s, c, err, errlen) : -EINVAL;
		if (rc == -EINVAL && !json_is_object(c))
			snprintf(err, errlen, "a controller that is not an object");
	}
	json_decref(root);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}
