/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the bond probe knows about one bond after reading its sources: the
 * facts, not yet a verdict (bond_rules.h decides).  Both readers fill the
 * same struct: /proc/net/bonding/<bond> first (one consistent seq_file
 * snapshot), then sysfs fills only what is still unknown.
 *
 * Every field has an "unknown" value, because either source may be missing
 * and a non-root reader of /proc sees fewer lines (bond_procfs.c prints the
 * aggregator, system and LACP PDU details only under capable(CAP_NET_ADMIN)).
 */
#ifndef REDMON_BOND_INFO_H
#define REDMON_BOND_INFO_H

#include "../lib/strbuf.h"

/* The longest interface name the kernel allows (IFNAMSIZ - 1). */
#define BOND_IFNAME_MAX 15

/*
 * True when s is a name dev_valid_name() (net/core/dev.c) accepts: 1..15
 * bytes, not "." or "..", no '/', ':', NUL or blank; and no control byte (as
 * systemd's ifname_valid()): a bond's name is printed as is in events.  Only
 * such names are ever used in a path.
 */
bool bond_ifname_valid(struct strv s);

/* Numbered as the kernel numbers them (BOND_MODE_* in include/net/bonding.h). */
enum bond_mode {
	BOND_MODE_UNKNOWN = -1,
	BOND_MODE_RR = 0,
	BOND_MODE_AB = 1,
	BOND_MODE_XOR = 2,
	BOND_MODE_BROADCAST = 3,
	BOND_MODE_8023AD = 4,
	BOND_MODE_TLB = 5,
	BOND_MODE_ALB = 6,
};

/* A slave's link as bonding sees it (bond_slave_link_status() in bonding.h). */
enum bond_link {
	BOND_LINK_UNKNOWN = 0,
	BOND_LINK_UP,	/* "up" */
	BOND_LINK_FAIL, /* "going down": down, still used until downdelay ends */
	BOND_LINK_DOWN, /* "down" */
	BOND_LINK_BACK, /* "going back": up, not used until updelay ends */
};

/* operstate (RFC 2863, Documentation/networking/operstates.rst). */
enum bond_oper {
	BOND_OPER_UNKNOWN = 0, /* absent, or "unknown" */
	BOND_OPER_UP,
	BOND_OPER_DOWN,	 /* "down", "lowerlayerdown", "notpresent" */
	BOND_OPER_OTHER, /* "dormant", "testing" */
};

enum bond_duplex {
	BOND_DUPLEX_UNKNOWN = 0,
	BOND_DUPLEX_HALF,
	BOND_DUPLEX_FULL,
};

/* Which directory holds a slave's sysfs attributes (bond_sysfs_slave_dir()). */
enum bond_slave_dir {
	BOND_DIR_NONE = 0, /* none found, or not looked for */
	BOND_DIR_CLASS,	   /* sys/class/net/<slave> */
	BOND_DIR_LOWER,	   /* sys/class/net/<bond>/lower_<slave> */
	BOND_DIR_SLAVE,	   /* sys/class/net/<bond>/slave_<slave> (older kernels) */
};

/* Which source said something. */
#define BOND_SRC_PROC  0x1u
#define BOND_SRC_SYSFS 0x2u

/* The longest name kept from a source; longer text is cut. */
#define BOND_NAME_KEEP 64

/*
 * Facts a source showed but the probe could not read or parse, one mask per
 * reader (bad_proc, bad_sysfs): unless another source gave the fact, the
 * margin is unknown and a reason names it and where (bond_rules.c).  A fact
 * absent from every source is not "bad": captures lack files.
 */
#define BOND_BAD_MODE	     0x001u /* "Bonding Mode", bonding/mode */
#define BOND_BAD_SLAVES	     0x002u /* bonding/slaves */
#define BOND_BAD_CARRIER     0x004u /* the bond's "MII Status", bonding/mii_status */
#define BOND_BAD_OPER	     0x008u /* operstate */
#define BOND_BAD_FLAGS	     0x010u /* flags */
#define BOND_BAD_MIN_LINKS   0x020u /* "Min links", bonding/min_links */
#define BOND_BAD_AGG	     0x040u /* active "Aggregator ID", bonding/ad_aggregator */
#define BOND_BAD_PORTS	     0x080u /* "Number of ports", bonding/ad_num_ports */
#define BOND_BAD_PARTNER_MAC 0x100u /* "Partner Mac Address", bonding/ad_partner_mac */
/* A slave's (struct bond_slave bad_*). */
#define BOND_BAD_S_LINK	       0x01u /* "MII Status", bonding_slave/mii_status */
#define BOND_BAD_S_OPER	       0x02u /* operstate */
#define BOND_BAD_S_AGG	       0x04u /* "Aggregator ID", bonding_slave/ad_aggregator_id */
#define BOND_BAD_S_ACTOR       0x08u /* actor "port state", ad_actor_oper_port_state */
#define BOND_BAD_S_PARTNER     0x10u /* partner "port state", ad_partner_oper_port_state */
#define BOND_BAD_S_PARTNER_MAC 0x20u /* partner "system mac address" (/proc only) */

struct bond_slave {
	char *name;	 /* owned, NUL-free; may be no valid ifname (from /proc) */
	bool name_valid; /* bond_ifname_valid(): safe to use in a path */
	unsigned int sources;
	enum bond_link link;
	enum bond_oper oper;
	int is_active;	 /* sysfs bonding_slave/state: 1 active, 0 backup, -1 unknown */
	long long speed; /* Mbps, -1 unknown */
	enum bond_duplex duplex;
	long long link_failures; /* link_failure_count, -1 unknown */
	/* 802.3ad */
	bool agg_known;	   /* agg_id below was printed */
	int agg_id;	   /* -1 = "N/A": not attached to an aggregator */
	int actor_state;   /* LACP actor oper port state, -1 unknown */
	int partner_state; /* LACP partner oper port state, -1 unknown */
	bool partner_mac_known;
	uint8_t partner_mac[6];
	/* Where sysfs showed its attributes (bond_sysfs_read()), for the inotify watches. */
	enum bond_slave_dir dir;
	unsigned int bad_proc, bad_sysfs; /* BOND_BAD_S_* */
};

struct bond_info {
	char *name; /* owned, a valid ifname */
	unsigned int sources;
	enum bond_mode mode;
	int miimon;	  /* ms, -1 unknown */
	int arp_interval; /* ms, -1 unknown */
	int arp_targets;  /* number of ARP targets, -1 unknown */
	int min_links;	  /* -1 unknown */
	bool primary_known;
	char *primary; /* owned; NULL = none (or unknown, see primary_known) */
	bool active_known;
	char *active; /* owned; current active slave, NULL = none */
	int carrier;  /* bond "MII Status": 1 up, 0 down, -1 unknown */
	enum bond_oper oper;
	int admin_up;	 /* IFF_UP from sysfs flags: 1, 0, -1 unknown */
	bool slaves_cut; /* slave list cut: sysfs "++more++", or /proc read cut */
	/* 802.3ad: the active aggregator */
	bool agg_visible; /* the source showed it (or said there is none) */
	bool no_active_agg;
	int active_agg;	  /* aggregator id, -1 unknown */
	int active_ports; /* ports in it, -1 unknown */
	bool partner_mac_known;
	uint8_t partner_mac[6];

	unsigned int bad_proc, bad_sysfs; /* BOND_BAD_* */

	struct bond_slave *slaves;
	size_t n_slaves, cap_slaves;
};

/* Start an empty bond named name (copied).  Returns 0 or -ENOMEM (info unchanged). */
int bond_info_init(struct bond_info *info, const char *name);

/* Free everything info owns; NULL is a no-op.  info can be reused after bond_info_init(). */
void bond_info_free(struct bond_info *info);

/*
 * The slave called name, or NULL.  bond_info_add_slave() returns it in *ret,
 * appended first (name copied, at most BOND_NAME_KEEP bytes, every field
 * unknown) when new, and marks source (BOND_SRC_*) in it; 0 or -ENOMEM.
 */
struct bond_slave *bond_info_find_slave(const struct bond_info *info, struct strv name);
int bond_info_add_slave(struct bond_info *info, struct strv name, unsigned int source,
			struct bond_slave **ret);

/*
 * A slave's aggregator id as /proc and sysfs print it: "N/A" (attached to
 * none: agg_id -1) or a number.  Sets agg_known and agg_id; false (s
 * unchanged) when v is neither.
 */
bool bond_slave_set_agg(struct bond_slave *s, struct strv v);

/*
 * The primary or active slave as /proc and sysfs print it ("em3
 * (primary_reselect failure)", "eth0"): the first token into *name (a copy),
 * NULL when there is none or it is the text none; sets *known.  0 or -ENOMEM.
 */
int bond_info_set_ref(struct strv v, const char *none, bool *known, char **name);

/*
 * The path of a slave directory of the given kind (not BOND_DIR_NONE) under
 * the root, written to buf, without looking whether it exists.  Returns 0,
 * -EINVAL or -ENAMETOOLONG.
 */
int bond_slave_dir_path(const char *bond, const char *slave, enum bond_slave_dir kind, char *buf,
			size_t len);

/* The kernel's short mode names ("802.3ad", "active-backup", ...), "unknown" else. */
const char *bond_mode_name(enum bond_mode mode);

/* A mode from its short name, as sysfs bonding/mode prints it; BOND_MODE_UNKNOWN else. */
enum bond_mode bond_mode_from_name(struct strv s);

/* MII status text ("up", "going down", ...) to enum, and back ("unknown"). */
enum bond_link bond_link_from_text(struct strv s);
const char *bond_link_name(enum bond_link l);

#endif /* REDMON_BOND_INFO_H */
