/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parser of /proc/net/bonding/<bond> (drivers/net/bonding/bond_procfs.c):
 * "Key: value" lines, a master part, then one block per slave opened by
 * "Slave Interface: <name>".  What is printed depends on the kernel version
 * (lines were added over the years; documentation excerpts lack the banner),
 * the mode (the primary and active slave only with a primary, the ARP lines
 * only when arp_interval > 0, the 802.3ad parts only in 802.3ad) and the
 * reader: recent kernels print the system priority/MAC, "Active Aggregator
 * Info" and the LACP PDU details only under CAP_NET_ADMIN.  So no line is
 * required, order and indentation are not relied on, unknown lines are
 * skipped.
 */
#ifndef REDMON_BOND_PROC_H
#define REDMON_BOND_PROC_H

#include "bond_info.h"

/* The largest /proc/net/bonding file read; a bond of 1000 slaves is ~ 600 KiB. */
#define BOND_PROC_MAX (1024 * 1024)

/*
 * Parse len bytes of text (any bytes; no NUL needed) into info, which
 * bond_info_init() prepared.  Fills only what the text says; marks info and
 * each slave seen with BOND_SRC_PROC.  Returns 0, or -ENOMEM (info then holds
 * what was parsed so far and must still be freed).
 */
int bond_proc_parse(const char *text, size_t len, struct bond_info *info);

#endif /* REDMON_BOND_PROC_H */
