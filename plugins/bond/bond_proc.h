/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parser of /proc/net/bonding/<bond> (drivers/net/bonding/bond_procfs.c).
 *
 * The text is "Key: value" lines: a master part, then one block per slave
 * opened by "Slave Interface: <name>".  What is printed depends on the kernel
 * version, the mode and the reader:
 *  - lines come and go between versions ("Min links", "LACP active", "Peer
 *    Notification Delay", "ARP Missed Max", the LACP churn lines and "Speed:
 *    Unknown" were added over the years; documentation excerpts lack the
 *    banner), so no line is required and order is not relied on;
 *  - "Primary Slave" / "Currently Active Slave" only for modes with a primary
 *    (active-backup, balance-tlb, balance-alb), the ARP lines only when
 *    arp_interval > 0, the "802.3ad info" part and per-slave aggregator lines
 *    only in 802.3ad;
 *  - recent kernels print "System priority/MAC", "Active Aggregator Info"
 *    (or "bond X has no active aggregator") and the per-slave "details
 *    actor/partner lacp pdu" blocks only when the reader has CAP_NET_ADMIN:
 *    a non-root view silently lacks them (old kernels always printed the
 *    aggregator part).
 * Unknown lines are skipped; indentation (tabs or spaces) is not relied on.
 */
#ifndef REDMON_BOND_PROC_H
#define REDMON_BOND_PROC_H

#include <stddef.h>

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
