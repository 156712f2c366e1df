#!/usr/bin/env python3
"""A MegaRAID disk going offline, end to end: SNMP rows, a webhook alert with the bay, `check` CRITICAL.

The fake storcli64 of test_hwraid_megaraid.py (a script on PATH printing the
corpus's `/call show all J` capture of c0/v239, a RAID1 of 251:1 and 251:2,
or the same capture with one drive Offln) and real peers on 127.0.0.1,
every process stopped by PID: snmpd as AgentX master (own config, port and
persistent directory, test_snmp.Peers) and the HTTP receiver of
http_receiver.py.  `redmon daemon` runs live (no --root: the tool runs
through the child-process runner) with only the hwraid plugin, interval 1 s,
a JSON Lines sink (the reference events), a webhook sink to the receiver and
[snmp] enabled.

Cases: while optimal, the REDMON-MIB group row of c0/v239 is ok with margin
1 and both member rows active, and `redmon check` exits 0; the capture
switches to degraded: the events say critical and the drive failed; snmpget
and a walk of REDMON-MIB show the group row (name c0/v239, health critical,
margin 0, one member failed) and the offline drive's member row failed with
its state (the controller's word, Offln), its bay (redmonMemberLocation, enclosure:slot) and its smartctl
device; the webhook receives health_changed and member_changed, the latter
naming the drive, its bay and its device, with the sequence numbers of the
JSON sink's events; `redmon check` says CRITICAL (exit 2, margin 0) and names
the group; the capture goes back to optimal: the rows and a webhook
health_changed say ok again.  The expected bay, DID and controller are read
from the degraded capture itself (the one drive it shows Offln).
"""

import json
import os
import subprocess
import sys

import harness
import snmp_harness
import test_snmp as ts
from harness import TestError
from http_receiver import Receiver
from test_hwraid_megaraid import Fake, GROUP, smartctl_bus

NAME = "integration/hwraid_alerts/"
GROUP_NAME = GROUP.split(":", 1)[1]  # "c0/v239"
STEP = 15.0  # seconds: a tool run every second, a rescan of the subagent's rows


def offline_drive(capture):
    """(controller, bay, DID) of the one drive the capture shows Offln."""
    doc = json.loads(capture)
    found = []
    for c in doc["Controllers"]:
        ctl = c["Command Status"]["Controller"]
        for pd in c["Response Data"]["PD LIST"]:
            if pd["State"] == "Offln":
                found.append((ctl, pd["EID:Slt"], pd["DID"]))
    if len(found) != 1:
        raise TestError("the degraded capture shows %d offline drives, not one: %r" % (len(found), found))
    return found[0]


def write_conf(p, rx):
    conf = os.path.join(p.tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nrescan_interval = 1h\nuser = root\nstate_dir = %s\n"
                "[probe.hwraid]\ninterval = 1s\ntimeout = 5s\n"
                "[sink.events]\ntype = json\npath = %s\n"
                "[sink.web]\ntype = webhook\nurl = %s\nretry_initial = 100ms\nretry_max = 300ms\n"
                "[snmp]\nenabled = yes\nagentx_socket = unix:%s\nping_interval = 1s\nstate_file = %s\n" % (
                    os.path.join(p.tmp, "state"), p.events_path, rx.url, p.sock,
                    os.path.join(p.tmp, "snmp-index")))
    return conf


def rows(p):
    """The group row of c0/v239 and its member rows by name, from one walk of REDMON-MIB."""
    w = p.walk()
    gi = ts.group_index(w, GROUP)
    group = {obj: v for (obj, idx), v in w.items() if idx == gi and obj.startswith("redmonGroup")}
    members = {}
    for (obj, idx), v in w.items():
        if obj == "redmonMemberName" and idx.startswith(gi + "."):
            members[v] = {o: x for (o, i), x in w.items() if i == idx and o.startswith("redmonMember")}
            members[v]["_index"] = idx
    return gi, group, members


def webhook_bodies(rx):
    """The generic-format bodies the receiver accepted, parsed."""
    return [json.loads(r["body"]) for r in rx.requests() if r["path"] == "/alert" and r["status"] < 300]


def run(p, rx, fake, rep):
    ctl, bay, did = offline_drive(open(os.path.join(fake.d, "degraded.json")).read())
    device = "/dev/bus/%d megaraid,%d" % (smartctl_bus(ctl), did)

    def check(expect_rc, word):
        r = subprocess.run([os.path.join(p.build, "redmon"), "check", "--plugin-dir",
                            os.path.join(p.tmp, "plugins")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=fake.env(), timeout=60, universal_newlines=True,
                           errors="replace")
        if any(m in r.stderr for m in harness.SAN_MARKERS):
            return ["check: sanitizer report: %s" % harness.tail(r.stderr, 12)]
        if r.returncode != expect_rc or not r.stdout.startswith("REDMON " + word):
            return ["check exit %d (want %d, %s): %r %s" % (r.returncode, expect_rc, word, r.stdout,
                                                           harness.tail(r.stderr))]
        if expect_rc and GROUP_NAME not in r.stdout:
            return ["check does not name %s: %r" % (GROUP_NAME, r.stdout)]
        return []

    def optimal():
        p.wait(lambda: p.event("group_appeared", GROUP), "group_appeared %s" % GROUP)

        def ok_rows():
            try:
                _, g, m = rows(p)
            except TestError:
                return None
            return (g, m) if g.get("redmonGroupHealth") == ts.HEALTH["ok"] and len(m) == 2 else None
        g, m = p.wait(ok_rows, "the group row of %s, ok, with two members" % GROUP, STEP)
        out = []
        if g.get("redmonGroupMargin") != 1 or g.get("redmonGroupName") != GROUP_NAME:
            out.append("group row while optimal: %r" % g)
        for name, row in m.items():
            if row.get("redmonMemberRole") != ts.ROLE["active"]:
                out.append("member %s while optimal: %r" % (name, row))
        if bay not in m:
            out.append("no member row %s: %s" % (bay, sorted(m)))
        return out + check(0, "OK")

    def offline():
        last = p.read_events()[-1]["seq"] if p.read_events() else 0
        fake.mode("degraded")
        hc = p.wait(lambda: p.event("health_changed", GROUP, after=last), "health_changed of %s" % GROUP, STEP)
        mc = p.wait(lambda: p.event("member_changed", GROUP, bay, after=last), "member_changed of %s" % bay, STEP)
        out = []
        if hc["group"]["health"] != "critical" or mc["member"].get("role") != "failed":
            out.append("events: %r / %r" % (hc["group"], mc["member"]))
        return out, hc, mc

    def snmp_rows():
        def degraded_rows():
            gi, g, m = rows(p)
            return (gi, g, m) if g.get("redmonGroupHealth") == ts.HEALTH["critical"] else None
        gi, g, m = p.wait(degraded_rows, "redmonGroupHealth critical for %s" % GROUP, STEP)
        out = []
        want_g = {"redmonGroupName": GROUP_NAME, "redmonGroupProbe": "hwraid", "redmonGroupType": "raid1",
                  "redmonGroupMargin": 0, "redmonGroupMarginNominal": 1, "redmonGroupMembersTotal": 2,
                  "redmonGroupMembersFailed": 1}
        for obj, v in want_g.items():
            if g.get(obj) != v:
                out.append("%s.%s is %r, expected %r" % (obj, gi, g.get(obj), v))
        row = m.get(bay)
        if row is None:
            return out + ["no member row %s under group %s: %s" % (bay, gi, sorted(m))]
        want_m = {"redmonMemberRole": ts.ROLE["failed"], "redmonMemberLocation": bay,
                  "redmonMemberDevice": device}
        for obj, v in want_m.items():
            if row.get(obj) != v:
                out.append("%s.%s is %r, expected %r" % (obj, row["_index"], row.get(obj), v))
        if row.get("redmonMemberState") != "Offln":
            out.append("redmonMemberState.%s is %r, not the controller's word Offln" % (
                row["_index"], row.get("redmonMemberState")))
        others = [n for n, r in m.items() if n != bay and r.get("redmonMemberRole") != ts.ROLE["active"]]
        if others:
            out.append("members other than %s not active: %s" % (bay, others))
        # snmpget of single objects, as an operator's script asks
        mi = row["_index"]
        got = p.client("snmpget", ["-Oqv", "REDMON-MIB::redmonGroupHealth." + gi,
                                   "REDMON-MIB::redmonMemberLocation." + mi,
                                   "REDMON-MIB::redmonMemberRole." + mi]).split("\n")
        if [x.strip().strip('"') for x in got[:3]] != ["critical", bay, "failed"]:
            out.append("snmpget health, location, role: %r" % got)
        return out

    def webhook(hc, mc):
        def arrived():
            b = webhook_bodies(rx)
            seqs = {x.get("seq") for x in b}
            return b if hc["seq"] in seqs and mc["seq"] in seqs else None
        try:
            bodies = p.wait(arrived, "the webhook alerts seq %d and %d" % (hc["seq"], mc["seq"]), STEP)
        except TestError as e:
            return ["%s; received %r" % (e, [(x.get("seq"), x.get("event")) for x in webhook_bodies(rx)])]
        by_seq = {x["seq"]: x for x in bodies}
        out = []
        h, m = by_seq[hc["seq"]], by_seq[mc["seq"]]
        if h.get("event") != "health_changed" or (h.get("group") or {}).get("id") != GROUP or \
                h["group"].get("health") != "critical":
            out.append("health_changed alert: %r" % h)
        mem = m.get("member") or {}
        if m.get("event") != "member_changed" or (m.get("group") or {}).get("id") != GROUP:
            out.append("member_changed alert: %r" % m)
        if (mem.get("name"), mem.get("location"), mem.get("device"), mem.get("role")) != \
                (bay, bay, device, "failed"):
            out.append("the alert does not say which disk to pull (want bay %s, %s): %r" % (bay, device, mem))
        return out

    def recovered():
        last = p.read_events()[-1]["seq"]
        fake.mode("ok")
        hc = p.wait(lambda: p.event("health_changed", GROUP, after=last), "health_changed back", STEP)
        out = [] if hc["group"]["health"] == "ok" else ["health_changed back: %r" % hc["group"]]

        def ok_again():
            _, g, m = rows(p)
            return (g, m) if g.get("redmonGroupHealth") == ts.HEALTH["ok"] else None
        g, m = p.wait(ok_again, "the group row ok again", STEP)
        if (m.get(bay) or {}).get("redmonMemberRole") != ts.ROLE["active"]:
            out.append("member row %s after recovery: %r" % (bay, m.get(bay)))
        if not p.wait(lambda: any(x.get("seq") == hc["seq"] for x in webhook_bodies(rx)),
                      "the webhook health_changed back to ok", STEP):
            out.append("no webhook alert for the recovery")
        return out

    rep.run(NAME + "optimal-rows-and-check-ok", optimal)
    got = {}

    def offline_case():
        out, got["hc"], got["mc"] = offline()
        return out
    rep.run(NAME + "disk-offline-events", offline_case)
    if "mc" not in got:
        rep.skip(NAME + "snmp-rows-offline-drive", "no member_changed event")
        rep.skip(NAME + "webhook-alert-names-bay", "no member_changed event")
    else:
        rep.run(NAME + "snmp-rows-offline-drive", snmp_rows)
        rep.run(NAME + "webhook-alert-names-bay", webhook, got["hc"], got["mc"])
    rep.run(NAME + "check-critical-while-degraded", check, 2, "CRITICAL")
    rep.run(NAME + "recovered-rows-and-alert", recovered)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    snmp_harness.setup(args, rep, NAME, ("snmpd", "snmpbulkwalk", "snmpget"))
    p = ts.Peers(args.build)
    rx = Receiver(p.tmp)
    try:
        plugins = os.path.join(p.tmp, "plugins")
        os.unlink(os.path.join(plugins, "md.so"))  # the host's md arrays are not this test's
        os.symlink(os.path.abspath(os.path.join(args.build, "plugins", "hwraid.so")),
                   os.path.join(plugins, "hwraid.so"))
        fake = Fake(os.path.join(p.tmp, "fake"))
        rx.start()
        p.start_snmpd()
        conf = write_conf(p, rx)
        p.daemon = p.spawn([os.path.join(args.build, "redmon"), "daemon", "--plugin-dir", plugins, "-c", conf],
                           "daemon.log", fake.env())
        run(p, rx, fake, rep)
        rc = p.stop(p.daemon)
        rep.check(NAME + "daemon-stops", [] if rc == 0 else ["daemon exit %r: %s" % (rc, harness.tail(p.daemon_log()))])
    except (TestError, OSError, RuntimeError) as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if rep.failed and os.path.exists(os.path.join(p.tmp, "daemon.log")):
            sys.stderr.write("daemon log:\n" + harness.tail(p.daemon_log(), 30))
        rx.stop()
        if os.environ.get("REDMON_KEEP_TMP"):
            print("kept", p.tmp)
            for proc in (p.daemon, p.snmpd):
                p.stop(proc)
        else:
            p.cleanup()
    rep.exit()


if __name__ == "__main__":
    main()
