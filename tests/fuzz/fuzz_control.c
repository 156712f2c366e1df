/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the control socket's requests and the saved marks.
 *
 * First byte even: the rest is one request (as a client's bytes: JSON or
 * not) to control_handle() on an aggregator holding one degraded and one
 * vanished group, from root.  Its contract: an exit code 0-4, and a text; a
 * changed table still well formed (sorted, no empty mark).  First byte odd:
 * the rest is a state file's "marks" list: marks_from_json() keeps what is
 * whole, and what it kept survives marks_to_json() and back unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/agg.h"
#include "../../src/bus.h"
#include "../../src/control.h"
#include "../../src/log.h"
#include "../../src/marks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void changed(void *ctx)
{
	(void)ctx;
}

/* The table sorted by id, each mark holding something. */
static void check_table(const struct marks *m)
{
	const struct mark *k, *prev = NULL;

	for (size_t i = 0; (k = marks_at(m, i)); prev = k, i++) {
		if (prev && strcmp(prev->id, k->id) >= 0)
			abort();
		if (!k->ack.time && !k->maint.time && !k->gone_time)
			abort();
	}
}

static void one_request(const uint8_t *data, size_t size)
{
	struct redmon_member mb[] = { { .name = "sda1", .role = REDMON_ROLE_ACTIVE },
				      { .name = "sdb1", .role = REDMON_ROLE_FAILED } };
	struct redmon_group rg = { .name = "md0",
				   .kind = "raid",
				   .type = "raid6",
				   .members_total = 2,
				   .members_ok = 1,
				   .margin = 1,
				   .margin_nominal = 2,
				   .members = mb,
				   .n_members = 2 };
	struct group gone = { .id = "md:md9", .type = "raid1", .health = HEALTH_CRITICAL };
	struct snapshot s = { 0 };
	struct agg *a = NULL;
	struct bus *b = NULL;
	struct ctl_peer peer = { .uid = 0, .pid = 1 };
	json_t *req = json_loadb((const char *)data, size, 0, NULL);
	const char *refused = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int code;

	if (!json_is_object(req)) {
		json_decref(req);
		return;
	}
	if (agg_new(&a, 10) < 0 || bus_new(&b) < 0 || snapshot_add(&s, "md", &rg) < 0)
		abort();
	snapshot_sort(&s);
	if (agg_update(a, "md", &s, NULL) < 0 || marks_gone(agg_marks_edit(a), &gone, 1000) < 0)
		abort();
	struct control_env e = { .agg = a, .bus = b, .host = "h", .root = "/", .changed = changed };
	out = open_memstream(&text, &len);
	if (!out)
		abort();
	code = control_handle(&e, req, &peer, out, &refused);
	fclose(out);
	if (code < 0 || code > 4 || (refused && code != 2))
		abort();
	check_table(agg_marks(a));
	control_end_maintenance(&e, INT64_MAX);
	check_table(agg_marks(a));
	free(text);
	json_decref(req);
	snapshot_free(&s);
	bus_free(b);
	agg_free(a);
}

static void saved_marks(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL), *again, *twice;
	struct marks *m = marks_new(), *back = marks_new();
	unsigned bad = 0;

	if (!m || !back)
		abort();
	if (marks_from_json(m, j, &bad) < 0)
		abort();
	check_table(m);
	again = marks_to_json(m);
	bad = 0;
	if (marks_from_json(back, again, &bad) < 0 || bad)
		abort(); /* what was kept is whole */
	twice = marks_to_json(back);
	if (!json_equal(again, twice))
		abort();
	json_decref(j);
	json_decref(again);
	json_decref(twice);
	marks_free(m);
	marks_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;

	if (!quiet++)
		log_setup(LOG_TARGET_STDERR, LOG_ERR); /* the notices of every ack */
	if (size == 0)
		return 0;
	if (data[0] & 1)
		saved_marks(data + 1, size - 1);
	else
		one_request(data + 1, size - 1);
	return 0;
}
