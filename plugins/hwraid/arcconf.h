/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Adaptec/Microchip driver of hwraid: arcconf's plain text.
 *
 * "arcconf GETCONFIG N AL" (or "... LD") prints, per logical device, a block
 * of "Key : value" lines and its segments ("Group 1, Segment 0 : Present
 * (Controller:1,Enclosure:0,Slot:2) SERIAL"), then, with AL, the physical
 * devices ("Device #0", "Reported Location : Enclosure 0, Slot 0", "Model").
 * "arcconf GETSTATUS N" prints the running tasks ("Logical device : 0",
 * "Current operation : Rebuild", "Percentage complete : 1").  Both parsers
 * append to or complete one struct hwraid_result; neither logs.
 */
#ifndef REDMON_HWRAID_ARCCONF_H
#define REDMON_HWRAID_ARCCONF_H

#include <stddef.h>

#include "hwraid.h"

/* What an output is, by its content. */
enum arc_kind { ARC_CONFIG, ARC_STATUS, ARC_NONE /* "Controllers found: 0" */, ARC_UNKNOWN };

enum arc_kind arc_kind(const char *buf, size_t len);

/*
 * The logical devices of one GETCONFIG output of controller ctl (numbered
 * from 1) appended to ret: 0, -EINVAL (a line not understood, why in err) or
 * -ENOMEM.  Controller 1's devices are named "ldN", another's "cK/ldN".
 * host: the controller's aacraid number (N of /dev/aacN), or -1 when not
 * known; when known, a member whose physical device reports its target and
 * LUN on channel 0 gets smartctl's "/dev/aacN aacraid,N,LUN,TARGET".
 */
int arc_parse_config(const char *buf, size_t len, int ctl, int host, struct hwraid_result *ret,
		     char *err, size_t errlen);

/* The rebuild progress of one GETSTATUS output of controller ctl onto ret's devices. */
int arc_parse_status(const char *buf, size_t len, int ctl, struct hwraid_result *ret, char *err,
		     size_t errlen);

/*
 * The controller number in a capture's name ("arcconf-getconfig-2-al.txt": 2)
 * or a command's ("arcconf GETSTATUS 2"), else 1.
 */
int arc_ctl_of(const char *name);

/*
 * The controllers of any arcconf output, from its "Controllers found: N"
 * line (arcconf numbers them 1 to N): 1..N into ret (at most max), the
 * count; -EINVAL without such a line.
 */
int arc_controllers(const char *buf, size_t len, int *ret, size_t max);

#endif
