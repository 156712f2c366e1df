#!/usr/bin/env python3
"""redmonSpofFound and redmonGroupSpof through real peers: snmpd (AgentX master) and snmptrapd.

The peers and routes of test_snmp.py (direct v2c, v3 trap, v3 inform, and v2c
forwarded by the master), on 127.0.0.1 and a unix AgentX socket, stopped by
PID.  The daemon reads a tree whose md1 is a raid1 of sda1 and sda2, two
partitions of one disk (sys/class/block links as the kernel makes them, see
test_daemon_spof.py), and md2 a raid1 of sdb1 and sdc1 on two controllers.
Every route gets redmonSpofFound for md1 with the group's varbinds (health
ok, unchanged), redmonGroupSpof naming the disk and redmonNotifSeq the seq
of the JSON event spof_found; md2 gets none; a walk shows redmonGroupSpof of
md1 as status --json's spof, and md2's empty.
"""

import time

import snmp_harness
import test_snmp as ts
from test_daemon_spof import disk

NAME = "integration/snmp_spof/"
REASON = "members sda1 and sda2 are partitions of one disk, sda"
MD1 = """md1 : active raid1 sda2[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD2 = """md2 : active raid1 sdc1[1] sdb1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""


def run(p, rep):
    t = p.tree
    disk(t.root, "0000:00:1f.2", 0, "sda", 2)
    disk(t.root, "0000:00:1f.2", 1, "sdb", 1)
    disk(t.root, "0000:03:00.0", 2, "sdc", 1)
    t.mdstat(MD1, MD2)
    t.array("md1", "raid1", ["sda1", "sda2"])
    t.array("md2", "raid1", ["sdb1", "sdc1"])
    p.start_trapd()
    p.start_snmpd()
    p.start_daemon()
    p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
           "REDMON-MIB through snmpd")

    def spof_found():
        ev = p.wait(lambda: p.event("spof_found", "md:md1"), "spof_found event")
        out = []
        if ev["severity"] != "info" or ev.get("spof") != REASON:
            out.append("event %r" % ev)
        w = p.walk()
        gi = ts.group_index(w, "md:md1")
        for route, tr in ts.wait_routes(p, "redmonSpofFound", 0,
                                        lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == ev["seq"],
                                        "md1 on one disk").items():
            out += ts.check_group_trap(tr, gi, "md:md1", "md1", "raid1", ts.HEALTH["ok"], ts.HEALTH["ok"],
                                       1, 1, ev["seq"])
            got = tr["vars"].get("REDMON-MIB::redmonGroupSpof.%s" % gi)
            if got != REASON:
                out.append("%s: redmonGroupSpof.%s is %r" % (route, gi, got))
            if REASON not in str(tr["vars"].get("REDMON-MIB::redmonNotifText.0")):
                out.append("%s: redmonNotifText does not name the reason" % route)
        time.sleep(1.0)  # more rescans: nothing for md2, nothing again for md1
        others = [x for x in p.traps_of("redmonSpofFound", 0)
                  if x["vars"].get("REDMON-MIB::redmonNotifSeq.0") != ev["seq"]]
        if others:
            out.append("other redmonSpofFound: %r" % others)
        return out

    def walk_shows_spof():
        w = p.walk()
        out = []
        for gid, want in (("md:md1", REASON), ("md:md2", "")):
            got = w.get(("redmonGroupSpof", ts.group_index(w, gid)))
            if got != want:
                out.append("redmonGroupSpof of %s is %r, expected %r" % (gid, got, want))
        return out + ts.compare_with_status(p, w)

    rep.run(NAME + "spof-found-on-every-route", spof_found)
    rep.run(NAME + "walk-shows-spof", walk_shows_spof)


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run)
