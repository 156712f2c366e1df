/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwraid: hardware RAID controllers read through their vendor tools, one
 * driver per tool family (plugins/hwraid/README.md says why).
 *
 * A driver turns the captured outputs of its tool into logical drives
 * (struct hwraid_ld): the controller's own words for the drive and each of
 * its physical drives, already sorted into conditions.  The rules of this
 * file (hwraid_ld_eval()) turn one logical drive into a redundancy group, the
 * same way for every family: the margin from the RAID level, worst case, per
 * span where the tool says which drive sits in which span.  Nothing here logs
 * or keeps state.
 */
#ifndef REDMON_HWRAID_H
#define REDMON_HWRAID_H

#include <stdbool.h>
#include <stddef.h>

#include "redmon/plugin.h"

#define HWRAID_NAME 32 /* "c0/v239" */
/*
 * A word of the tool (a state, a RAID level): kept whole up to 63 bytes,
 * printable, so that a reason can name any word we do not know.
 */
#define HWRAID_WORD   64
#define HWRAID_TEXT   48  /* model, serial, device */
#define HWRAID_REASON 512 /* the reason of a logical drive */

/* What a physical drive is doing for its logical drive. */
enum hwraid_pd_cond {
	HWRAID_PD_OK = 0,     /* in service */
	HWRAID_PD_FAILED,     /* failed or offline: counted in members_failed */
	HWRAID_PD_REBUILDING, /* in its slot, being rebuilt */
	HWRAID_PD_MISSING,    /* the slot is empty */
	HWRAID_PD_COPYBACK,   /* a copy-back target: the slot's data is still whole elsewhere */
	HWRAID_PD_SPARE,      /* dedicated or global hot spare */
	HWRAID_PD_UNKNOWN,    /* a state word we do not know: counted as lost */
};

/* What the controller says of the logical drive as a whole. */
enum hwraid_ld_cond {
	HWRAID_LD_OK = 0,   /* optimal */
	HWRAID_LD_DEGRADED, /* degraded or partially degraded: at least one member lost */
	HWRAID_LD_RECOVERY, /* recovering: a rebuild runs */
	HWRAID_LD_OFFLINE,  /* service lost */
	HWRAID_LD_UNKNOWN,  /* a state word we do not know */
};

struct hwraid_pd {
	char name[HWRAID_NAME];	  /* the bay, "252:0": also its location */
	char state[HWRAID_WORD];  /* the tool's word, "Onln" */
	char model[HWRAID_TEXT];  /* "" when not known */
	char serial[HWRAID_TEXT]; /* "" when not known */
	char device[HWRAID_TEXT]; /* how smartctl reaches it, "" when not known */
	char reason[64];	  /* a warning about the drive (predicted to fail), "" when none */
	enum hwraid_pd_cond cond;
	int span; /* span (array) within the logical drive, -1 when not known */
};

struct hwraid_ld {
	char name[HWRAID_NAME];	      /* "c0/v0": digits and fixed text only */
	char level[HWRAID_WORD];      /* "raid10", as hwraid_level() normalised it; "" unknown */
	char level_word[HWRAID_WORD]; /* the tool's level word when level is "", for the reason */
	char state[HWRAID_WORD];      /* the tool's word, "Optl" */
	enum hwraid_ld_cond cond;
	int total; /* configured member slots, -1 when only the listed drives are known */
	int spares;
	double progress;      /* percent of a rebuild, or -1 */
	struct hwraid_pd *pd; /* members and spares, owned */
	size_t n_pd, cap_pd;
	char reason[HWRAID_REASON]; /* controller trouble etc., "" when none */
};

/* A driver's answer: every logical drive it found, owned (hwraid_result_free()). */
struct hwraid_result {
	struct hwraid_ld *ld;
	size_t n_ld, cap_ld;
	bool none; /* the tool said there is no controller at all */
};

void hwraid_result_free(struct hwraid_result *r);

/* A logical drive appended to r (zeroed, total -1, progress -1), or NULL (-ENOMEM or too many). */
struct hwraid_ld *hwraid_ld_add(struct hwraid_result *r);
/* A physical drive appended to ld (zeroed, span -1), or NULL. */
struct hwraid_pd *hwraid_pd_add(struct hwraid_ld *ld);
/* Append ", text" (or text when empty) to ld->reason, cut safely when full. */
void hwraid_reason_add(struct hwraid_ld *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The controllers a per-controller tool lists beyond the HWRAID_MAX_CTL it is
 * asked about (n of them; ids holds the numbers of at least the first
 * min(n, 4), which are named): in the reason of every logical drive of r from
 * index first on (this driver's), so that a host with more controllers is
 * told which ones were not read.  0, or, when there is no such logical drive
 * to carry the reason, -E2BIG with the same words in err: the probe fails
 * rather than say nothing.  n 0: nothing.
 */
int hwraid_ctl_skipped(struct hwraid_result *r, size_t first, const int *ids, size_t n, char *err,
		       size_t errlen);

/*
 * Normalise a RAID level word ("RAID10", "RAID 1E", "raid6") into out
 * ("raid10", "raid1e", "raid6"): true when it is one the rules know (0, 1, 5,
 * 6, 00, 10, 50, 60, 1E), else false and out "".
 */
bool hwraid_level(const char *word, char *out, size_t len);

/*
 * Keep the tool's own level word (len bytes at word, printable, bounded) in
 * ld->level_word when ld->level is still "": the reason then names it.
 */
void hwraid_level_unknown(struct hwraid_ld *ld, const char *word, size_t len);

/*
 * The margin when every member is fine for a normalised level and a member
 * count (a RAID1 of two drives 1, of more drives mirrored pairs 1, RAID5 1,
 * RAID6 2, RAID10/50 1, RAID60 2, RAID0/00 0, HPE's triple mirrors raid1adm
 * and raid10adm 2), or -1 for an unknown level.
 */
int hwraid_nominal(const char *level);

/*
 * One logical drive as a group: g's counts, margin and activity, members in
 * mem (room for ld->n_pd), g->reason pointing into reason (len bytes).
 * Strings point into ld, mem and reason: they live as long as those.
 */
void hwraid_ld_eval(const struct hwraid_ld *ld, struct redmon_group *g, struct redmon_member *mem,
		    char *reason, size_t len);

/*
 * A driver: the tools of one family and the parser of their outputs.  The
 * plugin finds the first tool on PATH (or at the configured path), registers
 * commands[i] after it, runs them in order at each interval and hands the
 * outputs to parse(); under --root it hands parse() every file of the root
 * whose name starts with one of prefixes, recognised by content.
 */
struct hwraid_output {
	const char *name; /* the command or file, for reasons */
	const char *buf;  /* NUL-terminated */
	size_t len;
	bool main; /* the command whose failure fails the probe (the others add detail) */
	/*
	 * A per-controller driver's live output: the kernel's number for its
	 * controller, as the disk tools address it (aacraid: N of /dev/aacN,
	 * smartctl's aacraid,N,...), when host_known; a bus_driver's: the
	 * number of the one SCSI host of that driver (N of /dev/bus/N).
	 */
	bool host_known;
	int host;
};

#define HWRAID_MAX_ARGS 8
/*
 * In a word of a command of a per-controller driver: the controller's number,
 * the whole word ("GETCONFIG", HWRAID_CTL) or inside it ("/c" HWRAID_CTL,
 * "/c8" for controller 8).
 */
#define HWRAID_CTL "{ctl}"
/*
 * The most controllers a per-controller driver reads: the first its list
 * names.  The others are not silent: the driver's parser names them in its
 * logical drives' reasons (hwraid_ctl_skipped()).
 */
#define HWRAID_MAX_CTL 16

struct hwraid_driver {
	const char *name; /* "megaraid": option keys <name>_path */
	const char *what; /* "MegaRAID/PERC", for logs */
	/* another driver's name: when that one's tool is found, this one is not run (same controllers) */
	const char *superseded_by;
	const char *const *tools;    /* NULL-terminated, preferred first */
	const char *const *prefixes; /* NULL-terminated capture file name prefixes */
	const char *const (*commands)[HWRAID_MAX_ARGS]; /* argv after the tool, NULL-terminated */
	size_t n_commands;				/* commands[0] is the main one */
	/*
	 * Parse the outputs into *ret: 0, or -EINVAL (nothing understood) /
	 * -EPROTO (the tool said it failed) / -ENOMEM with why in err.
	 */
	int (*parse)(const struct hwraid_output *out, size_t n, struct hwraid_result *ret,
		     char *err, size_t errlen);
	/*
	 * Optional, for a tool that reads one controller per command (arcconf,
	 * tw_cli, sas2ircu): list_command (argv after the tool) runs once at
	 * init, as root, and controllers() reads the controller numbers from its
	 * output into ret (at most max, as the tool numbers them): their count, 0
	 * when the tool says there is none, or -EINVAL.  The commands without
	 * HWRAID_CTL are registered once ("tw_cli show", which also says at each
	 * run which controllers there are now), then every command with it once
	 * per controller, HWRAID_CTL replaced by the number.  Every output is
	 * named by its command ("arcconf GETCONFIG 2 AL", "tw_cli /c8 show
	 * all").  NULL: the commands run as they are.
	 */
	const char *const *list_command;
	int (*controllers)(const char *buf, size_t len, int *ret, size_t max);
	/*
	 * With list_command: the controller read when the list cannot be had
	 * (arcconf numbers from 1, tw_cli and sas2ircu from 0), or when it says
	 * there is none and every command is per controller (which then says so
	 * at each run).
	 */
	int first_ctl;
	/*
	 * Optional, with list_command: the kernel driver of the controllers
	 * (/sys/class/scsi_host/hostN/proc_name, "aacraid").  When the host has
	 * exactly one such SCSI host and the tool one controller, that host's
	 * unique_id is the controller's output's host.
	 */
	const char *scsi_driver;
	/*
	 * Optional, for a driver without list_command whose drives smartctl
	 * reaches as "/dev/bus/N -d megaraid,D": the kernel driver of its
	 * controllers ("megaraid_sas").  When the host has exactly one such SCSI
	 * host, its number N is every output's host (live only).
	 */
	const char *bus_driver;
};

/* Whether a command (words after the tool) names a controller: HWRAID_CTL in a word. */
bool hwraid_command_per_ctl(const char *const words[HWRAID_MAX_ARGS]);

/* A command as it runs: the tool, its words, NULL; the words that carry a number in text. */
struct hwraid_argv {
	const char *argv[HWRAID_MAX_ARGS + 1];
	char text[128];
};

/*
 * The argv of tool and words for controller ctl (-1: a command without
 * HWRAID_CTL) into *a, every HWRAID_CTL replaced by the number: 0, or
 * -E2BIG (the words do not fit) / -EINVAL (HWRAID_CTL without a controller).
 * a->argv points into tool, words and a->text.
 */
int hwraid_argv_make(struct hwraid_argv *a, const char *tool,
		     const char *const words[HWRAID_MAX_ARGS], int ctl);

/*
 * The unique_id of the one SCSI host (below root_fd, sys/class/scsi_host)
 * whose proc_name is driver, or -1 when there is none, more than one, or one
 * without a readable number: which host is which of several controllers, the
 * tools do not say.
 */
int hwraid_only_host(int root_fd, const char *driver);
/* The same, the host's number (N of hostN) instead of its unique_id. */
int hwraid_only_host_no(int root_fd, const char *driver);

extern const struct hwraid_driver hwraid_megaraid;
extern const struct hwraid_driver hwraid_arcconf;
extern const struct hwraid_driver hwraid_smartarray;
extern const struct hwraid_driver hwraid_megacli;
extern const struct hwraid_driver hwraid_mptstatus;
extern const struct hwraid_driver hwraid_dmraid;
extern const struct hwraid_driver hwraid_twcli;
extern const struct hwraid_driver hwraid_sas2ircu;

#endif
