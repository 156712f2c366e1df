#!/usr/bin/env python3
"""redmonReminder through the real snmpd and snmptrapd, per [snmp] remind.

The peers of test_snmp.py (snmpd as AgentX master forwarding v2c, and the
direct v2c, v3 trap and v3 inform routes into one snmptrapd); the daemon
reads a temporary md tree with md1, a raid1 of sda1 and sdb1, and has
[snmp] remind = 1s, its JSON sink the default remind = once.

- md1 loses sdb1 (critical): redmonReminder 1 and then 2 arrive on every
  route with the group's objects (previous health and margin = the current
  ones: nothing changed), redmonGroupDegradedSince (the time it went
  critical) and a redmonNotifText naming the reminder's number;
- the JSON sink gets no reminder event: the SNMP reminders are SNMP's;
- a daemon with no sink at all (events on stdout, "nobody notified"
  warnings) reminds over SNMP without calling those reminders unheard;
- md1 back to ok: redmonGroupRecovered, and no reminder after it.
"""

import os
import re
import time

import harness
import snmp_harness
import test_snmp as ts

NAME = "integration/snmp_remind/"
SINCE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2},\d{1,2}:\d{1,2}:\d{1,2}\.\d,[+-]\d{1,2}:\d{1,2}$")


class RemindPeers(ts.Peers):
    """test_snmp's peers, the daemon reminding over SNMP every second."""

    def write_conf(self, fast_path=None):
        super().write_conf(fast_path)
        with open(self.conf, "a") as f:
            f.write("remind = 1s\n")  # [snmp] is the last section


def reminder_number(trap):
    m = re.match(r"^reminder (\d+): ", str(trap["vars"].get("REDMON-MIB::redmonNotifText.0")))
    return int(m.group(1)) if m else None


def run(p, rep):
    t = p.tree
    t.mdstat(ts.MD1_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    p.start_trapd()
    p.start_snmpd()
    p.start_daemon()
    p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
           "REDMON-MIB through snmpd")
    p.wait(lambda: p.event("group_appeared", "md:md1"), "md1 appears")
    gi = ts.group_index(p.walk(), "md:md1")
    state = {}

    def reminders_while_critical():
        since = len(p.read_traps())
        t.put("sys/block/md1/md/dev-sdb1/state", "faulty\n")
        t.put("sys/block/md1/md/degraded", "1\n")
        t.unlink("sys/block/md1/md/rd1")
        t.mdstat(ts.MD1_FAILED)
        ev = p.wait(lambda: p.event("health_changed", "md:md1"), "md1 critical")
        out = []
        for n in (1, 2):
            for route, tr in ts.wait_routes(p, "redmonReminder", since, lambda x: reminder_number(x) == n,
                                            "reminder %d" % n).items():
                out += ts.check_group_trap(tr, gi, "md:md1", "md1", "raid1", ts.HEALTH["critical"],
                                           ts.HEALTH["critical"], 0, 0, tr["vars"].get("REDMON-MIB::redmonNotifSeq.0"))
                seq = tr["vars"].get("REDMON-MIB::redmonNotifSeq.0")
                if not isinstance(seq, int) or seq <= ev["seq"]:
                    out.append("%s: reminder %d has redmonNotifSeq %r, not after the change's %d" %
                               (route, n, seq, ev["seq"]))
                ds = tr["vars"].get("REDMON-MIB::redmonGroupDegradedSince.%s" % gi)
                if not SINCE_RE.match(str(ds)):
                    out.append("%s: redmonGroupDegradedSince.%s is %r, not a DateAndTime" % (route, gi, ds))
                text = str(tr["vars"].get("REDMON-MIB::redmonNotifText.0"))
                if "md:md1" not in text or "critical" not in text:
                    out.append("%s: redmonNotifText %r does not say which group is still what" % (route, text))
        state["ds"] = ds
        return out
    rep.run(NAME + "reminders-on-every-route", reminders_while_critical)

    def degraded_since_is_the_change():
        # The walk's redmonGroupDegradedSince is the same time the reminders carry.
        w = p.walk()
        got = w.get(("redmonGroupDegradedSince", gi))
        return [] if got == state.get("ds") else [
            "redmonGroupDegradedSince.%s: table %r, reminder %r" % (gi, got, state.get("ds"))]
    rep.run(NAME + "degraded-since-as-the-table", degraded_since_is_the_change)

    def json_sink_not_reminded():
        got = [e for e in p.read_events() if e["event"] == "reminder"]
        return ["the json sink (remind = once) got reminders: %r" % got[:2]] if got else []
    rep.run(NAME + "sinks-keep-their-own-remind", json_sink_not_reminded)

    def no_sink_but_snmp():
        # No [sink.*]: events go to stdout with a warning that nobody hears of
        # them, but SNMP's reminders are heard (by SNMP): no such warning for them.
        since = len(p.read_traps())
        conf = os.path.join(p.tmp, "nosink.conf")
        with open(conf, "w") as f:
            f.write("[snmp]\nenabled = yes\nagentx_socket = none\nstate_file = %s\nremind = 1s\n"
                    "trap_v2c = 127.0.0.1:%d direct\n" % (os.path.join(p.tmp, "nosink-index"), p.trap_port))
        main_daemon = p.daemon
        p.daemon = p.spawn([os.path.join(p.build, "redmon"), "daemon", "--root", t.root, "--plugin-dir",
                            os.path.join(p.tmp, "plugins"), "-c", conf], "nosink.log", harness.test_env())
        try:
            p.wait(lambda: [x for x in p.traps_of("redmonReminder", since, "v2c direct")
                            if reminder_number(x) == 1 and "md:md1" in x["raw"]], "the no-sink daemon's reminder")
            time.sleep(0.3)
        finally:
            rc = p.stop(p.daemon)
            p.daemon = main_daemon
        with open(os.path.join(p.tmp, "nosink.log"), errors="replace") as f:
            log = f.read()
        out = [] if rc == 0 else ["exit %r" % rc]
        if "NO SINK CONFIGURED" not in log:
            out.append("the no-sink warning at start is missing: %r" % harness.tail(log))
        bad = [line for line in log.splitlines() if "nobody notified: reminder" in line]
        if bad:
            out.append("SNMP's reminder logged as heard by nobody: %r" % bad[0])
        return out
    rep.run(NAME + "no-sink-but-snmp-reminded", no_sink_but_snmp)

    def none_after_recovery():
        since = len(p.read_traps())
        t.put("sys/block/md1/md/dev-sdb1/state", "in_sync\n")
        t.put("sys/block/md1/md/degraded", "0\n")
        t.link("sys/block/md1/md/rd1", "dev-sdb1")
        t.mdstat(ts.MD1_OK)
        ts.wait_routes(p, "redmonGroupRecovered", since, lambda x: True, "md1 ok again")
        after = len(p.read_traps())
        time.sleep(2.5)
        late = p.traps_of("redmonReminder", after)
        return ["%d reminders after the recovery: %s" % (len(late), late[0]["raw"][:200])] if late else []
    rep.run(NAME + "no-reminder-after-recovery", none_after_recovery)


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run, peers=RemindPeers)
