/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redmon plugin ABI.  A probe plugin is a shared object exporting one symbol,
 * REDMON_PLUGIN_SYMBOL: a const struct redmon_plugin with designated
 * initialisers, which the core reads only as far as its abi_version and size
 * cover.  A plugin never calls core symbols: all it needs comes through the
 * struct redmon_host_ops handed to its init().
 *
 * The core copies strings passed to it before the call returns; strings it
 * hands to the plugin (option values, the root path) stay valid until fini().
 */
#ifndef REDMON_PLUGIN_H
#define REDMON_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Bump on any incompatible change of a struct or enum below.  Appending a
 * member to struct redmon_host_ops is compatible (see REDMON_HOST_HAS).
 */
#define REDMON_ABI_VERSION 1u

#define REDMON_PLUGIN_SYMBOL "redmon_plugin"

/* Log levels, numerically equal to syslog(3) priorities. */
enum redmon_log_level {
	REDMON_LOG_ERR = 3,
	REDMON_LOG_WARNING = 4,
	REDMON_LOG_NOTICE = 5,
	REDMON_LOG_INFO = 6,
	REDMON_LOG_DEBUG = 7,
};

/* What a member is doing for its group right now. */
enum redmon_role {
	REDMON_ROLE_ACTIVE = 0, /* in service (md: in sync; bond: usable slave) */
	REDMON_ROLE_SPARE,	/* idle hot spare, not in a slot */
	REDMON_ROLE_STANDBY,	/* healthy but not carrying load (backup slave) */
	REDMON_ROLE_REBUILDING, /* in a slot, being recovered, not yet in sync */
	REDMON_ROLE_FAILED,	/* explicitly failed */
	REDMON_ROLE_MISSING,	/* a configured slot with no member in it */
	REDMON_ROLE_UNKNOWN,	/* the source did not say */
	REDMON_ROLE_COUNT_
};

/* Background work running on a group. */
enum redmon_activity {
	REDMON_ACTIVITY_NONE = 0,
	REDMON_ACTIVITY_RECOVERY, /* rebuilding lost redundancy onto a member */
	REDMON_ACTIVITY_RESYNC,	  /* re-syncing members after an unclean stop */
	REDMON_ACTIVITY_RESHAPE,  /* changing level, layout or member count */
	REDMON_ACTIVITY_CHECK,	  /* scrub, read-only */
	REDMON_ACTIVITY_REPAIR,	  /* scrub that rewrites mismatches */
	REDMON_ACTIVITY_DELAYED,  /* a resync/recovery queued behind another array */
	REDMON_ACTIVITY_PENDING,  /* a resync waiting for the first write (read-only) */
	REDMON_ACTIVITY_COUNT_
};

/*
 * How close a member is to failing, from its disk's health: NONE for a member
 * that is no disk the probe knows the health of (a NIC, a PSU).  A disk's
 * own health (struct redmon_disk) is one of OK..UNKNOWN, never NONE.
 */
enum redmon_risk {
	REDMON_RISK_NONE = 0,
	REDMON_RISK_OK,
	REDMON_RISK_WARNING, /* still working, but wearing: reallocated sectors, media errors */
	REDMON_RISK_FAILING, /* its own self-test says it fails, or a threshold is crossed */
	REDMON_RISK_UNKNOWN, /* a disk whose health could not be read */
	REDMON_RISK_COUNT_
};

/* Margin value meaning "the probe could not tell" (health becomes unknown). */
#define REDMON_MARGIN_UNKNOWN INT32_MIN

/*
 * One member of a redundancy group.  Only name is mandatory; NULL elsewhere
 * means "not known".
 */
struct redmon_member {
	const char *name;
	enum redmon_role role;
	const char *state;  /* state text as the source printed it */
	const char *device; /* device path, e.g. /dev/sdb1 */
	const char *serial;
	const char *location; /* slot, bay, port */
	const char *reason;   /* why this member is not fine, in words */
	/*
	 * Appended after ABI 1's first layout: the core reads it only from a
	 * plugin whose descriptor's member_size covers it, else takes NONE.
	 */
	enum redmon_risk risk;
};

/* sizeof(struct redmon_member) in ABI 1's first layout, before risk. */
#define REDMON_MEMBER_SIZE_V1 offsetof(struct redmon_member, risk)

/*
 * One disk's health as a disk-health probe (smart) reads it, reported with
 * report_disk().  device names it as smartctl does: "/dev/sda", or
 * "/dev/bus/0 megaraid,1" behind a controller.  The core joins a group's
 * members to it by their device (whole disk, or that controller string).
 */
struct redmon_disk {
	const char *device;	 /* mandatory */
	enum redmon_risk health; /* OK, WARNING, FAILING or UNKNOWN */
	const char *reason;	 /* why, in words; mandatory unless OK */
	const char *model;	 /* NULL if not known */
	const char *serial;	 /* NULL if not known */
};

/*
 * One redundancy group as a probe sees it.  The probe computes counts and the
 * margin; the core derives health from margin and margin_nominal:
 *   margin == REDMON_MARGIN_UNKNOWN      -> unknown
 *   margin < 0                           -> failed (service lost)
 *   margin_nominal == 0                  -> nonredundant
 *   margin >= margin_nominal             -> ok
 *   margin == 0                          -> critical
 *   otherwise                            -> degraded
 */
struct redmon_group {
	const char *name;	/* unique within the probe; id = "<probe>:<name>" */
	const char *kind;	/* "raid", "nic", "psu", ... */
	const char *type;	/* "raid1", "802.3ad", "n+1", ... */
	int members_total;	/* configured slots; -1 if unknown */
	int members_ok;		/* in service now; -1 if unknown */
	int members_failed;	/* explicitly failed */
	int spares;		/* idle hot spares */
	int32_t margin;		/* further failures survivable, worst case */
	int32_t margin_nominal; /* the margin when every member is fine */
	enum redmon_activity activity;
	double progress;    /* percent done of activity, or -1 */
	const char *reason; /* why it is not ok (or a notable quirk), NULL if none */
	const struct redmon_member *members;
	size_t n_members;
	/*
	 * Appended after ABI 1's first layout: the core reads them only from a
	 * plugin whose descriptor's group_size covers them, else takes none.
	 *
	 * spof: hidden single points of failure of the group, each a reason in
	 * words ("md0's members sdb1 and sdb2 are partitions of one disk, sdb").
	 * Informational: a health never comes from them.
	 */
	const char *const *spof;
	size_t n_spof;
	/*
	 * The last completed scrub (md check, ZFS or btrfs scrub, a controller's
	 * patrol read or consistency check) as the source reports it: when, in
	 * Unix seconds (0: the source does not say; the core then counts from
	 * what it saw itself), and what it found wrong in words (NULL: nothing,
	 * or not known).
	 */
	int64_t scrub_time;
	const char *scrub_found;
	/*
	 * Seconds the source estimates are left of the activity (md from
	 * sync_speed and sync_completed; a tool's own estimate); 0: it does not
	 * say, and the core estimates from the progress it sees move.
	 */
	int64_t eta_s;
};

/* sizeof(struct redmon_group) in ABI 1's first layout, before spof. */
#define REDMON_GROUP_SIZE_V1 offsetof(struct redmon_group, spof)

/* Option value types, checked by the core before the plugin sees a value. */
enum redmon_option_type {
	REDMON_OPT_STRING = 0,
	REDMON_OPT_BOOL,     /* yes/no/true/false/on/off/1/0 */
	REDMON_OPT_UINT,     /* decimal, within [min, max] */
	REDMON_OPT_DURATION, /* seconds, optional suffix ms/s/m/h, within [min, max] ms */
	REDMON_OPT_ENUM,     /* one of the '|'-separated words in choices */
	/*
	 * The absolute path of a file holding a secret, or empty: refused unless
	 * a regular file (no symlink) of root or the daemon's user, mode go-rwx.
	 */
	REDMON_OPT_SECRET_FILE,
};

struct redmon_option_spec {
	const char *key;
	enum redmon_option_type type;
	const char *default_value; /* NULL: unset unless configured */
	uint64_t min, max;	   /* UINT and DURATION (milliseconds) */
	const char *choices;	   /* ENUM */
	const char *help;	   /* one line for docs and --help */
};

struct redmon_host; /* opaque: one per probe instance */

/* register_command() limits when 0 is given, and the largest accepted. */
#define REDMON_CMD_TIMEOUT_MS_DEFAULT 10000u
#define REDMON_CMD_TIMEOUT_MS_MAX     600000u
#define REDMON_CMD_OUT_MAX_DEFAULT    (1u << 20)
#define REDMON_CMD_OUT_MAX_MAX	      (64u << 20)
#define REDMON_CMD_ERR_MAX	      1024

/* One run of a command (run_command(), plugins/lib's child_run()); err says why it did not run. */
struct redmon_cmd_result {
	int exit_status; /* 0-255 when it exited, else -1 */
	int term_signal; /* the signal that ended it (SIGKILL after a timeout), else 0 */
	bool timed_out;	 /* killed, with its process group, at the timeout */
	bool truncated;	 /* killed for writing more than the output cap */
	char *out; /* stdout, NUL-terminated; NULL if it did not run; the caller free(3)s it */
	size_t out_len;
	/* The first bytes of stderr (NUL-terminated), or why it did not run. */
	char err[REDMON_CMD_ERR_MAX];
};

/* Services the core offers a plugin, each taking init()'s host handle; outlives the instance. */
struct redmon_host_ops {
	uint32_t abi_version;
	uint32_t size;

	/* Log one line (no trailing newline needed), prefixed with the probe name. */
	void (*log)(struct redmon_host *h, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* The configured value of a declared option, else its default; NULL if unset. */
	const char *(*option)(struct redmon_host *h, const char *key);

	/* The root directory every path is relative to: "/" or the --root argument. */
	const char *(*root)(struct redmon_host *h);

	/* An O_PATH|O_DIRECTORY fd of root(), for openat(); owned by the core. */
	int (*root_fd)(struct redmon_host *h);

	/* True when root() is the host's real "/" (kernel notifications work). */
	bool (*root_is_live)(struct redmon_host *h);

	/*
	 * False in one-shot commands (status, check): the plugin should not set
	 * up watches (inotify, udev, netlink) it would never be asked about.
	 */
	bool (*events_wanted)(struct redmon_host *h);

	/*
	 * Report one group.  Only valid inside scan(); the core copies everything.
	 * Returns 0, -EINVAL for a group without a name or with an out-of-range
	 * enum, or -ENOMEM.  A name reported twice in one scan keeps only one
	 * report (the core logs the duplicate).
	 */
	int (*report)(struct redmon_host *h, const struct redmon_group *g);

	/* Why the current scan failed (probe status, event): call before scan() returns < 0. */
	void (*scan_error)(struct redmon_host *h, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

	/*
	 * Watch fd for epoll events (EPOLLIN, EPOLLPRI): on_fd() is called when it
	 * fires.  The plugin keeps fd; it calls unwatch_fd() before closing it.
	 */
	int (*watch_fd)(struct redmon_host *h, int fd, uint32_t events);
	void (*unwatch_fd)(struct redmon_host *h, int fd);

	/*
	 * New ops are appended here, leaving abi_version alone: a plugin calling
	 * one checks REDMON_HOST_HAS(ops, op) first, to load on an older core.
	 */

	/*
	 * Declare, in init() only, a command exactly as it will run: argv (NULL
	 * terminated, argv[0] absolute, e.g. from child_find_tool()), timeout and
	 * output cap (0: the defaults above).  Returns an id for run_command(), or
	 * -EINVAL (relative path, over a limit), -EPERM (a program others could
	 * replace: src/trusted_path.h; or after init()), -ENOMEM; why is logged.
	 * With privileges dropped, these commands, and only these, run as root in
	 * a helper (redmon(8), PRIVILEGES).  No shell, a minimal environment.
	 */
	int (*register_command)(struct redmon_host *h, const char *const argv[],
				uint32_t timeout_ms, uint32_t out_max);

	/*
	 * Run a registered command, blocking up to its timeout.  0 when it ran
	 * (whatever its exit status), -ETIMEDOUT or -EFBIG when killed at the
	 * timeout or output cap, -ENOENT for an id not registered, or another
	 * -errno.  *ret is always filled; ret->out is the caller's to free(3).
	 */
	int (*run_command)(struct redmon_host *h, int id, struct redmon_cmd_result *ret);

	/*
	 * Report one disk's health, like report() only inside scan(); size is
	 * sizeof(struct redmon_disk) as the plugin was built (so the struct may
	 * grow).  Returns 0, -EINVAL (no device, health NONE or out of range,
	 * no reason but for OK, size too small), or -ENOMEM.  A device reported
	 * twice in one scan keeps the first.
	 */
	int (*report_disk)(struct redmon_host *h, const struct redmon_disk *d, size_t size);

	/*
	 * In scan(), instead of report(): group name is exactly as this plugin
	 * reported it in the scan before, so the core need not be handed it
	 * again (a probe that re-reads only what its change notifications
	 * named).  Returns 0 when the core keeps it so, or -ENOENT when it
	 * cannot (this scan must hand over every group, the last scan did not
	 * report that name, or it was kept or reported already in this one):
	 * then report() it.  The core hands over every group from time to time
	 * regardless, so a group kept wrongly is set right within minutes.
	 */
	int (*keep)(struct redmon_host *h, const char *name);

	/*
	 * How many descriptors this probe may keep open between scans, given
	 * that it would keep want (the files its last full scan read; SIZE_MAX
	 * before it knows).  The core splits what the descriptor limit leaves
	 * it among the probes that ask, each up to its want, so the answer
	 * changes as theirs do: ask once in init() (nothing is held then) and
	 * again before each full scan, and close what is beyond the answer at
	 * once.  plugins/lib's fdcache_follow_share() does all that.
	 */
	size_t (*fd_share)(struct redmon_host *h, size_t want);

	/*
	 * From scan() only: scan again right after this scan.  A change
	 * notification covers only what happens after its watch is set, so a
	 * probe that set a new watch after reading what it covers (a directory
	 * first seen in this scan) must read it once more, or a change in
	 * between goes unseen until the periodic rescan.
	 */
	void (*rescan)(struct redmon_host *h);
};

/* Whether ops (of whatever core loaded the plugin) has the member op. */
#define REDMON_HOST_HAS(ops, op)                                                                   \
	((ops)->size >= offsetof(struct redmon_host_ops, op) + sizeof((ops)->op) && (ops)->op)

/*
 * The descriptor: .abi_version = REDMON_ABI_VERSION, .size = sizeof(struct
 * redmon_plugin), .member_size = sizeof(struct redmon_member), .group_size =
 * sizeof(struct redmon_group).
 */
struct redmon_plugin {
	uint32_t abi_version;
	uint32_t size;
	const char *name;			  /* [a-z0-9_]+, the probe name in ids and config */
	const char *description;		  /* one line */
	const struct redmon_option_spec *options; /* terminated by a NULL key; may be NULL */

	/*
	 * Create an instance: 0 and *ret_inst, or -errno after logging why.  It
	 * runs on the main thread; scan(), on_fd() and fini() then run on a
	 * thread of the instance's own, one at a time (docs/plugins.md, Threads).
	 */
	int (*init)(const struct redmon_host_ops *ops, struct redmon_host *h, void **ret_inst);

	/* Destroy an instance: unwatch and close its fds, free its memory.  NULL is a no-op. */
	void (*fini)(void *inst);

	/*
	 * One full scan: report every group through ops->report().  Return 0, or
	 * -errno after ops->scan_error() when the probe could not scan at all
	 * (a single bad group is reported with REDMON_MARGIN_UNKNOWN and a reason).
	 */
	int (*scan)(void *inst);

	/*
	 * A watched fd fired with revents.  Drain or re-arm it and return 1 when a
	 * rescan is wanted, 0 when not, or -errno.  May be NULL if nothing is watched.
	 */
	int (*on_fd)(void *inst, int fd, uint32_t revents);

	/*
	 * Appended after ABI 1's first layout, like the members below it will be:
	 * the core reads each only when size covers it.
	 *
	 * Set it to sizeof(struct redmon_member): the stride of
	 * redmon_group.members, and how much of a member the core may read.  A
	 * descriptor too short to hold it means REDMON_MEMBER_SIZE_V1; one that
	 * holds it with a value below that is refused at load.
	 */
	uint32_t member_size;

	/*
	 * Set it to sizeof(struct redmon_group): how much of a group the core
	 * may read.  A descriptor too short to hold it means REDMON_GROUP_SIZE_V1;
	 * one that holds it with a value below that is refused at load.
	 */
	uint32_t group_size;
};

#ifdef __cplusplus
}
#endif

#endif /* REDMON_PLUGIN_H */
