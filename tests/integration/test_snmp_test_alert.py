#!/usr/bin/env python3
"""`redmon test-alert` through SNMP: redmonTest to the real snmpd and snmptrapd.

The peers of test_snmp.py: snmpd as AgentX master forwarding v2c traps to
snmptrapd, and redmon's direct v2c, v3 trap and v3 inform targets to the
same snmptrapd; the daemon runs too, serving REDMON-MIB through the same
master, on a temporary md tree.

- test-alert with that config: "snmp: ok" (acknowledged by the master),
  the trap_v2c and inform_v3 targets ok, trap_v3 named as not tested, exit
  0; redmonTest with the test text and redmonNotifSeq 0 arrives through the
  master, the v2c target and the inform target; the daemon still serves
  REDMON-MIB after (test-alert registered nothing and left cleanly);
- --sink snmp: only the SNMP lines, exit 0;
- a master that is not there (another socket): "snmp: FAILED: no AgentX
  master at ..." and exit 1, as a failed sink;
- --sink snmp with [snmp] disabled: exit 2, "no sink named", as for any
  unknown name;
- agentx_socket = none and no target: "snmp: nothing to test", exit 0.
"""

import os
import subprocess

import harness
import snmp_harness
import test_snmp as ts

NAME = "integration/snmp_test_alert/"
TEXT = "test alert (redmon test-alert): alerts from this host reach you"


def test_alert(p, *extra):
    r = subprocess.run([os.path.join(p.build, "redmon"), "test-alert", "-c", p.conf,
                        "--plugin-dir", os.path.join(p.tmp, "plugins")] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=60, env=harness.test_env())
    return r.returncode, r.stdout, r.stderr


def run(p, rep):
    t = p.tree
    t.mdstat(ts.MD1_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    p.start_trapd()
    p.start_snmpd()
    p.start_daemon()
    p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
           "REDMON-MIB through snmpd")

    def every_route():
        since = len(p.read_traps())
        rc, out, err = test_alert(p)
        problems = [] if rc == 0 else ["exit %d: %r %r" % (rc, out, harness.tail(err))]
        lines = out.splitlines()
        for want in ("snmp: ok", "snmp trap_v2c 127.0.0.1:%d: ok" % p.trap_port,
                     "snmp inform_v3 127.0.0.1:%d: ok" % p.trap_port,
                     "snmp trap_v3 127.0.0.1:%d: not tested" % p.trap_port, "events: ok"):
            if not any(line.startswith(want) for line in lines):
                problems.append("no line starting %r in %r" % (want, out))
        routes = ("v2c via master", "v2c direct", "v3 inform")

        def arrived():
            got = {x["route"]: x for x in p.traps_of("redmonTest", since)}
            return got if all(r in got for r in routes) else None
        try:
            got = p.wait(arrived, "redmonTest on %s" % ", ".join(routes))
        except harness.TestError as e:
            return problems + [str(e) + ": got %s" % sorted({x["route"] for x in p.traps_of("redmonTest", since)})]
        for route in routes:
            v = got[route]["vars"]
            if v.get("REDMON-MIB::redmonNotifText.0") != TEXT or v.get("REDMON-MIB::redmonNotifSeq.0") != 0:
                problems.append("%s: %s" % (route, got[route]["raw"][:300]))
        # The daemon's registration is untouched: REDMON-MIB still answers.
        if "md:md1" not in p.client("snmpget", ["REDMON-MIB::redmonGroupId.1"], check=False):
            problems.append("REDMON-MIB no longer served after test-alert")
        return problems
    rep.run(NAME + "redmonTest-on-every-route", every_route)

    def only_snmp():
        rc, out, err = test_alert(p, "--sink", "snmp")
        lines = out.splitlines()
        problems = [] if rc == 0 else ["exit %d: %r %r" % (rc, out, harness.tail(err))]
        if any(line.startswith("events:") for line in lines) or not any(line.startswith("snmp: ok") for line in lines):
            problems.append("--sink snmp printed %r" % out)
        return problems
    rep.run(NAME + "sink-snmp-only", only_snmp)

    def no_master():
        rc, out, err = test_alert(p, "--sink", "snmp", "-o",
                                  "snmp.agentx_socket=unix:" + os.path.join(p.tmp, "nobody.sock"))
        problems = [] if rc == 1 else ["exit %d, expected 1 (a failed sink)" % rc]
        if not any(line.startswith("snmp: FAILED: no AgentX master at unix:") and "nobody.sock" in line
                   for line in out.splitlines()):
            problems.append("no clear failure line in %r (stderr %r)" % (out, harness.tail(err)))
        return problems
    rep.run(NAME + "no-master-fails", no_master)

    def snmp_disabled():
        rc, out, err = test_alert(p, "--sink", "snmp", "-o", "snmp.enabled=no")
        problems = [] if rc == 2 else ["exit %d, expected 2 (no such sink)" % rc]
        if "no sink named 'snmp'" not in err or "snmp:" in out:
            problems.append("stdout %r, stderr %r" % (out, err))
        return problems
    rep.run(NAME + "snmp-disabled-is-no-sink", snmp_disabled)

    def nothing_to_send():
        conf = os.path.join(p.tmp, "none.conf")
        with open(conf, "w") as f:
            f.write("[snmp]\nenabled = yes\nagentx_socket = none\n")
        r = subprocess.run([os.path.join(p.build, "redmon"), "test-alert", "-c", conf, "--plugin-dir",
                            os.path.join(p.tmp, "plugins"), "--sink", "snmp"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=30, env=harness.test_env())
        if r.returncode != 0 or not r.stdout.startswith("snmp: nothing to test") or r.stderr:
            return ["no master, no target: exit %d, %r, %r" % (r.returncode, r.stdout, r.stderr)]
        return []
    rep.run(NAME + "no-destination-says-so", nothing_to_send)


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run)
