/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MegaRAID/PERC driver of hwraid: storcli, storcli64, perccli, perccli64,
 * storcli2 and perccli2, in JSON ("... show all J") and in plain text.
 *
 * Both forms print the same tables (TOPOLOGY, VD LIST, PD LIST, BBU and
 * CacheVault information) under the same column names, so both parsers
 * (megaraid_json.c, megaraid_text.c) reduce a table row to a struct mr_row of
 * column names and values and hand it to one of the mr_add_*() functions,
 * which collect every controller, virtual drive, physical drive and topology
 * row into a struct mr_set; mr_build() then makes the logical drives.  Several
 * outputs (the controller's, the per-VD and the per-drive ones) go into one
 * set: a row seen twice fills in what the first lacked.
 */
#ifndef REDMON_HWRAID_MEGARAID_H
#define REDMON_HWRAID_MEGARAID_H

#include <stdbool.h>
#include <stddef.h>

#include "hwraid.h"

#define MR_COLS 24
#define MR_VAL	64

/* One table row: column names and their values (copied, printable, cut). */
struct mr_row {
	size_t n;
	const char *key[MR_COLS];
	char val[MR_COLS][MR_VAL];
};

/* The value of column key, or NULL when the row has no such column. */
const char *mr_get(const struct mr_row *r, const char *key);
/* Append a column (value copied printable, cut at MR_VAL - 1); ignored when the row is full. */
void mr_put(struct mr_row *r, const char *key, const char *val, size_t len);

struct mr_ctl {
	int id;
	char status[MR_VAL]; /* "Controller Status", "" when not seen */
	char bbu[MR_VAL];    /* BBU, CacheVault or energy pack state, "" when none */
	char bbu_what[16];
	int foreign, ubad; /* drives */
	char ubad_at[MR_VAL];
};

struct mr_vd {
	int ctl, dg, vd;
	char type[MR_VAL], state[MR_VAL], cache[MR_VAL], default_cache[MR_VAL];
	int span_depth, per_span; /* -1 unknown */
};

struct mr_pd {
	int ctl, eid, slot, did; /* eid, did -1 when none */
	int dg;			 /* -1: none ("-") */
	int span;		 /* from TOPOLOGY, -1 unknown */
	char state[MR_VAL], status[MR_VAL], model[MR_VAL], serial[MR_VAL], sp[8];
};

/* A TOPOLOGY drive row. */
struct mr_topo {
	int ctl, dg, span;
	int eid, slot; /* -2 when "-" (a missing drive) */
	char state[MR_VAL];
};

struct mr_set {
	struct mr_ctl *ctl;
	size_t n_ctl, cap_ctl;
	struct mr_vd *vd;
	size_t n_vd, cap_vd;
	struct mr_pd *pd;
	size_t n_pd, cap_pd;
	struct mr_topo *topo;
	size_t n_topo, cap_topo;
	int ok_blocks;	      /* controller blocks whose command succeeded */
	int no_controller;    /* blocks saying "No Controller found" */
	char failure[MR_VAL]; /* the description of another failure */
	/* the one megaraid_sas SCSI host's number (live), when host_known */
	bool host_known;
	int host;
};

void mr_set_free(struct mr_set *s);

/* The controller numbered id (added when new), or NULL. */
struct mr_ctl *mr_ctl(struct mr_set *s, int id);
/* The command status of one controller block: "Success", "Failure" and its description. */
int mr_command_status(struct mr_set *s, int ctl, const char *status, const char *desc);
/* Rows of the tables, each for controller ctl; 0, -EINVAL (row not understood) or -ENOMEM. */
int mr_add_vd(struct mr_set *s, int ctl, const struct mr_row *r);
int mr_add_pd(struct mr_set *s, int ctl, const struct mr_row *r);
int mr_add_topo(struct mr_set *s, int ctl, const struct mr_row *r);
/* BBU_Info, Cachevault_Info, Energy Pack Info: what and its state. */
void mr_add_bbu(struct mr_set *s, int ctl, const char *what, const char *state);
/* VDn Properties of a per-VD output. */
void mr_vd_props(struct mr_set *s, int ctl, int vd, int span_depth, int per_span,
		 const char *init_cache);
/* The serial of drive eid:slot (eid -1: none) from a per-drive output. */
void mr_pd_serial(struct mr_set *s, int ctl, int eid, int slot, const char *serial);

/* Parse "12", or -1 for "-" and ""; -EINVAL else. */
int mr_int(const char *v, int *ret);

/* One output into s, JSON or text by its first byte: 0, -EINVAL, -ENOMEM. */
int mr_parse_json(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen);
int mr_parse_text(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen);
int mr_parse_any(struct mr_set *s, const char *buf, size_t len, char *err, size_t errlen);

/* The logical drives of s into *ret (appended): 0 or -ENOMEM. */
int mr_build(const struct mr_set *s, struct hwraid_result *ret);

#endif
