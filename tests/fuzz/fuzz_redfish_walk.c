// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the Redfish walk (plugins/redfish/redfish_walk.c) and
 * its rules (redfish_groups.c) over a service made of the fuzz input.
 *
 * Input: records separated by the byte 0x1e, each "PATH\nJSON".  A get of
 * a path some record names is served that record's JSON; any other path the
 * next record in turn (so every resource the walk asks for is fuzz bytes);
 * an empty JSON is a get that fails.  The seeds are the corpus cases, one
 * record per resource (tests/fuzz/seeds/redfish_walk/).  Two walks run with
 * one memory, the second after the first's result, as the probe does.
 *
 * Checked: the walk ends within its bounds, never asks for a path it must
 * refuse, and every group is sane (names and reasons printable, counts and
 * margins consistent).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/redfish/redfish_walk.h"

#define MAX_RECORDS 256

struct record {
	const char *path; /* not NUL-terminated: path_len bytes */
	const char *json;
	size_t path_len, json_len;
};

struct fuzz_source {
	struct redfish_source src;
	struct record r[MAX_RECORDS];
	size_t n, next;
	unsigned gets;
};

static json_t *fuzz_get(struct redfish_source *src, const char *path, char *why, size_t len)
{
	struct fuzz_source *f = src->ctx;
	const struct record *rec = NULL;

	f->gets++;
	size_t n = strlen(path);

	if (!redfish_path_ok(path) || strstr(path, "/../") ||
	    (n >= 3 && !strcmp(path + n - 3, "/..")) || strchr(path, '?') || strchr(path, '#'))
		abort(); /* a path the walk must refuse */
	for (size_t i = 0; i < f->n && !rec; i++) {
		if (f->r[i].path_len == n && memcmp(f->r[i].path, path, f->r[i].path_len) == 0)
			rec = &f->r[i];
	}
	if (!rec && f->n)
		rec = &f->r[f->next++ % f->n];
	if (!rec || rec->json_len == 0) {
		snprintf(why, len, "%s: refused\n\x1b[31m by the fuzzer", path);
		return NULL;
	}
	return json_loadb(rec->json, rec->json_len, 0, NULL);
}

static void split(struct fuzz_source *f, const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end && f->n < MAX_RECORDS) {
		const char *rs = memchr(p, 0x1e, (size_t)(end - p)), *stop = rs ? rs : end;
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		struct record *r = &f->r[f->n++];

		r->path = p;
		r->path_len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		r->json = nl ? nl + 1 : stop;
		r->json_len = (size_t)(stop - r->json);
		p = rs ? rs + 1 : end;
	}
}

static void check_text(const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort(); /* a byte of the service breaking a line of a log or an event */
	}
}

static void check(const struct redfish_result *r)
{
	if (r->fetches > REDFISH_MAX_FETCHES + 1 || r->n > 2 * REDFISH_MAX_GROUPS)
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct redmon_group *g = &r->v[i].g;

		if (!g->name || !g->name[0] || !g->kind)
			abort();
		check_text(g->name);
		check_text(g->type);
		check_text(g->reason);
		if (g->margin != REDMON_MARGIN_UNKNOWN &&
		    (g->margin > g->margin_nominal || g->margin < -64))
			abort();
		if (g->members_total >= 0 && g->members_ok + g->members_failed > g->members_total)
			abort();
		if (g->members_total > 2 * REDFISH_MAX_MEMBERS)
			abort();
		for (size_t j = 0; j < g->n_members; j++) {
			const struct redmon_member *m = &g->members[j];

			if (!m->name || m->role >= REDMON_ROLE_COUNT_)
				abort();
			check_text(m->name);
			check_text(m->state);
			check_text(m->location);
			check_text(m->serial);
			check_text(m->reason);
		}
	}
	/* names are unique within a walk */
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = i + 1; j < r->n && j < i + 64; j++) {
			if (strcmp(r->v[i].g.name, r->v[j].g.name) == 0)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_source *f = calloc(1, sizeof(*f));
	struct redfish_walk *w = redfish_walk_new();
	char why[REDFISH_WHY];

	if (!f || !w)
		abort();
	f->src = (struct redfish_source){ .get = fuzz_get, .ctx = f };
	split(f, data, size);
	for (int k = 0; k < 2; k++) {
		struct redfish_result r;
		int rc = redfish_walk_run(w, &f->src, &r, why, sizeof(why));

		if (rc == 0)
			check(&r);
		else
			check_text(why);
		redfish_result_free(&r);
	}
	redfish_walk_free(w);
	free(f);
	return 0;
}
