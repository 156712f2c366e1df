#!/usr/bin/env python3
"""redmonSecondFailureRisk through real peers: snmpd (AgentX master) and snmptrapd.

The peers and routes of test_snmp.py (direct v2c, v3 trap, v3 inform, and v2c
forwarded by the master), on 127.0.0.1 and a unix AgentX socket, stopped by
PID.  The daemon reads a captured tree: md1, a raid1 of sda1 and sdb1, and
smartctl-sda.json, the capture of a disk at 304 reallocated sectors
(tests/corpus/smart/smartctl-exporter-ata-reallocated-304), read by the smart
probe.  sdb1 fails: md1 is critical and depends on sda1 alone, so every route
gets redmonSecondFailureRisk with md1's varbinds, redmonMemberName sda1
(redmonGroupIndex.redmonMemberIndex) and a redmonNotifText naming /dev/sda
and why, the seq of the JSON event second_failure_risk.
"""

import os
import shutil

import harness
import snmp_harness
import test_snmp as ts

NAME = "integration/smart_snmp/"
REALLOC = os.path.join(harness.CORPUS, "smart", "smartctl-exporter-ata-reallocated-304", "smartctl-j.json")


def run(p, rep):
    t = p.tree
    t.mdstat(ts.MD1_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    shutil.copy(REALLOC, os.path.join(t.root, "smartctl-sda.json"))
    p.start_trapd()
    p.start_snmpd()
    p.start_daemon()
    p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
           "REDMON-MIB through snmpd")

    def second_failure_risk():
        w = p.walk()
        gi = ts.group_index(w, "md:md1")
        mi = ts.member_index(w, gi, "sda1")
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"] if p.read_events() else 0
        t.put("sys/block/md1/md/dev-sdb1/state", "faulty\n")
        t.put("sys/block/md1/md/degraded", "1\n")
        t.unlink("sys/block/md1/md/rd1")
        t.mdstat(ts.MD1_FAILED)
        ev = p.wait(lambda: p.event("second_failure_risk", "md:md1", after=last), "second_failure_risk event")
        out = []
        if ev["severity"] != "critical" or ev["at_risk_member"] != "sda1" or ev["disk"]["device"] != "/dev/sda":
            out.append("event %r" % ev)
        for route, tr in ts.wait_routes(p, "redmonSecondFailureRisk", since,
                                        lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == ev["seq"],
                                        "md1 at risk").items():
            out += ts.check_group_trap(tr, gi, "md:md1", "md1", "raid1", ts.HEALTH["critical"],
                                       ts.HEALTH["critical"], 0, 0, ev["seq"])
            v = tr["vars"]
            if v.get("REDMON-MIB::redmonMemberName.%s" % mi) != "sda1":
                out.append("%s: redmonMemberName.%s is %r" % (route, mi, v.get("REDMON-MIB::redmonMemberName.%s" % mi)))
            text = str(v.get("REDMON-MIB::redmonNotifText.0"))
            if "/dev/sda" not in text or "304 reallocated sectors" not in text:
                out.append("%s: redmonNotifText %r does not say which disk and why" % (route, text))
        return out
    rep.run(NAME + "second-failure-risk-on-every-route", second_failure_risk)


class SmartPeers(ts.Peers):
    """test_snmp's peers with the smart plugin beside md."""

    def __init__(self, build):
        super().__init__(build)
        os.symlink(os.path.join(build, "plugins", "smart.so"), os.path.join(self.tmp, "plugins", "smart.so"))


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run, peers=SmartPeers)
