#!/usr/bin/env python3
"""The smart probe: disk health joined to the members of the groups it threatens.

Captured tree: the md arrays of tests/corpus/md-mdstat/check_raid-centos6-raid1-raid0
(mirrors of sdaN and sdbN) with the capture of a disk reallocating sectors
saved as smartctl-sda.json (tests/corpus/smart/smartctl-exporter-ata-reallocated-304,
whose device is /dev/sda).  `redmon status --root DIR --json` must list the
disk in `disks` (warning, "304 reallocated sectors", its model and serial),
give every member on a partition of /dev/sda `risk` warning and none to those
on /dev/sdb, and every group `at_risk` 1.  A Redfish drive's own
FailurePredicted is its member's risk: in the DMTF mockup of
tests/corpus/redfish/dmtf-localstorage-raid1-global-spare with drive
35D38F11ACEF7BD3 set to FailurePredicted true, that member of the raid1
volume is failing (the other ok, the spare none) and the volume at_risk 1,
its health still the margin's (ok).

Live, with a fake smartctl and the fake storcli64 of test_hwraid_megaraid.py
on PATH (the MegaRAID RAID1 with 251:2 offline): the smart probe reads the
controller devices its `devices` option names; `status --json` shows
"/dev/bus/0 megaraid,0" warning (the fake prints the scrutiny capture of a
disk at 387 reallocated sectors for it), so the surviving member 251:1,
recorded by hwraid with that device string, gets risk warning and the
critical group at_risk 1 (the failed 251:2 has risk ok but is not active),
and the disks of the host (/sys/block) that the fake cannot
read are unknown with smartctl's reason.  The fake logs its arguments: every
run has `-n standby`, so no sleeping disk is woken.

Through the daemon (the same fakes, intervals of 1 s, events as JSON Lines):
the storcli array ok at first, the reallocating disk is announced
(disk_health_changed, warning, first seen); the array degraded (251:2
offline) raises second_failure_risk, critical, naming 251:1 and its disk;
the array ok again resolves it (info).  Every event follows
docs/alert.schema.json.  An Alertmanager-format webhook sink (to
tests/integration/http_receiver.py, resend_interval 1 s) gets
RedmonDiskHealth for the disk, and RedmonSecondFailureRisk (critical, the
group's id) firing and re-sent while the risk lasts, then resolved.  An exec
hook gets REDMON_DISK, REDMON_DISK_HEALTH, REDMON_DISK_REASON, REDMON_MEMBER
and REDMON_RESOLVED.
"""

import json
import os
import shutil
import subprocess
import tempfile

import signal

import time

import alerts_harness
import harness
import test_hwraid_megaraid as mr
from http_receiver import Receiver

SMART = os.path.join(harness.CORPUS, "smart")
REALLOC = os.path.join(SMART, "smartctl-exporter-ata-reallocated-304", "smartctl-j.json")
MR = os.path.join(SMART, "scrutiny-megaraid-two-disks-one-reallocating")
OPEN_FAILED = os.path.join(SMART, "scrutiny-open-device-failed", "smartctl-j.json")
MDSTAT = os.path.join(harness.CORPUS, "md-mdstat", "check_raid-centos6-raid1-raid0", "proc", "mdstat")

# A fake smartctl: megaraid,0 (the survivor, 251:1) the capture of the disk reallocating,
# megaraid,1 the healthy one, anything else an open failure.
SMARTCTL = """#!/bin/sh
echo "$*" >> {d}/smartctl-args
case "$*" in
*"-d megaraid,0 "*) cat {mr}/smartctl-j-d-megaraid1.json; exit 4 ;;
*"-d megaraid,1 "*) cat {mr}/smartctl-j-d-megaraid0.json; exit 4 ;;
*) cat {fail}; exit 2 ;;
esac
"""


def redmon(build, plugins, args, env=None):
    argv = [os.path.join(build, "redmon")] + args + ["--plugin-dir", plugins]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env or harness.test_env(), timeout=60, universal_newlines=True,
                       errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise harness.TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    if p.returncode not in (0, 1, 2):
        raise harness.TestError("redmon %s exit %d: %s" % (args[0], p.returncode, harness.tail(p.stderr)))
    return p


def plugin_dir(build, tmp, names):
    d = os.path.join(tmp, "plugins")
    os.makedirs(d)
    for n in names:
        shutil.copy(os.path.join(build, "plugins", n + ".so"), d)
    return d


def captured_tree(build):
    probs = []
    tmp = tempfile.mkdtemp(prefix="redmon-smart-")
    try:
        os.makedirs(os.path.join(tmp, "root", "proc"))
        root = os.path.join(tmp, "root")
        shutil.copy(MDSTAT, os.path.join(root, "proc", "mdstat"))
        shutil.copy(REALLOC, os.path.join(root, "smartctl-sda.json"))
        plugins = plugin_dir(build, tmp, ("md", "smart"))
        doc = json.loads(redmon(build, plugins, ["status", "--json", "--root", root]).stdout)
        probs += harness.status_problems(doc, root)
        disks = doc.get("disks")
        want = [{"device": "/dev/sda", "health": "warning", "reason": "304 reallocated sectors",
                 "model": "ST3500418AS", "serial": "REDACTED"}]
        if disks != want:
            probs.append("disks %r, want %r" % (disks, want))
        groups = {g["id"]: g for g in doc["groups"]}
        for gid in ("md:md0", "md:md1", "md:md2", "md:md3", "md:md4"):
            g = groups.get(gid)
            if not g:
                probs.append("no group %s" % gid)
                continue
            if g.get("at_risk") != 1:
                probs.append("%s at_risk %r" % (gid, g.get("at_risk")))
            for m in g["members"]:
                want = "warning" if m["name"].startswith("sda") else None
                if m.get("risk") != want:
                    probs.append("%s member %s risk %r, want %r" % (gid, m["name"], m.get("risk"), want))
            if g["health"] not in ("ok", "nonredundant"):
                probs.append("%s health %s: a disk's health never changes the margin's" % (gid, g["health"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return probs


REDFISH = os.path.join(harness.CORPUS, "redfish", "dmtf-localstorage-raid1-global-spare")
VOLUME = "redfish:Systems/437XR1138R2/Storage/1/Volumes/1"


def redfish_failure_predicted(build):
    probs = []
    tmp = tempfile.mkdtemp(prefix="redmon-smart-")
    try:
        root = os.path.join(tmp, "root")
        shutil.copytree(REDFISH, root)
        changed = 0
        for d, _, files in os.walk(root):
            if os.path.basename(d) == "35D38F11ACEF7BD3" and "index.json" in files:
                p = os.path.join(d, "index.json")
                with open(p) as f:
                    doc = json.load(f)
                doc["FailurePredicted"] = True
                with open(p, "w") as f:
                    json.dump(doc, f)
                changed += 1
        if not changed:
            return ["drive 35D38F11ACEF7BD3 not found in %s" % REDFISH]
        plugins = plugin_dir(build, tmp, ("redfish", "md"))
        doc = json.loads(redmon(build, plugins, ["status", "--json", "--root", root]).stdout)
        probs += harness.status_problems(doc, root)
        g = [g for g in doc["groups"] if g["id"] == VOLUME]
        if len(g) != 1:
            return probs + ["no group %s" % VOLUME]
        risks = {m["name"]: m.get("risk") for m in g[0]["members"]}
        if risks != {"3F5A8C54207B7233": "ok", "35D38F11ACEF7BD3": "failing", "32ADF365C6C1B7BD": None}:
            probs.append("member risks %r" % risks)
        if g[0]["at_risk"] != 1 or g[0]["health"] != "ok":
            probs.append("%s at_risk %r health %s" % (VOLUME, g[0]["at_risk"], g[0]["health"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return probs


def live_fake(build):
    probs = []
    tmp = tempfile.mkdtemp(prefix="redmon-smart-")
    try:
        fake = fakes(tmp)
        fake.mode("degraded")
        plugins = plugin_dir(build, tmp, ("hwraid", "smart"))
        p = redmon(build, plugins, ["status", "--json", "-o",
                                    "probe.smart.devices=/dev/bus/0 megaraid,0; /dev/bus/0 megaraid,1"],
                   env=fake.env())
        doc = json.loads(p.stdout)
        disks = {d["device"]: d for d in doc.get("disks", [])}
        d0 = disks.get("/dev/bus/0 megaraid,0")
        if not d0 or d0["health"] != "warning" or d0["reason"] != "387 reallocated sectors" or \
                d0["model"] != "WD4000FYYX":
            probs.append("megaraid,0: %r" % d0)
        d1 = disks.get("/dev/bus/0 megaraid,1")
        if not d1 or d1["health"] != "ok" or d1["reason"] is not None:
            probs.append("megaraid,1: %r" % d1)
        host = [d for name, d in disks.items() if not name.startswith("/dev/bus/")]
        for d in host:
            if d["health"] != "unknown" or "could not read it" not in (d["reason"] or ""):
                probs.append("host disk %r: the fake cannot read it, so unknown" % d)
        g = [g for g in doc["groups"] if g["id"] == mr.GROUP]
        if len(g) != 1:
            return probs + ["no group %s: %r" % (mr.GROUP, doc["groups"])]
        risks = {m.get("name"): m.get("risk") for m in g[0]["members"]}
        if risks != {"251:1": "warning", "251:2": "ok"}:
            probs.append("member risks %r" % risks)
        if g[0]["health"] != "critical" or g[0].get("at_risk") != 1:
            probs.append("group %s health %s at_risk %r" % (mr.GROUP, g[0]["health"], g[0].get("at_risk")))
        with open(os.path.join(tmp, "smartctl-args")) as f:
            runs = f.read().splitlines()
        if len(runs) != len(disks) or not all(r.startswith("-j -a -n standby ") for r in runs):
            probs.append("smartctl runs %r for %d disks" % (runs, len(disks)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return probs


def fakes(tmp):
    fake = mr.Fake(os.path.join(tmp, "storcli"))
    with open(os.path.join(fake.d, "bin", "smartctl"), "w") as f:
        f.write(SMARTCTL.format(d=tmp, mr=MR, fail=OPEN_FAILED))
    os.chmod(os.path.join(fake.d, "bin", "smartctl"), 0o755)
    return fake


def is_risk(e, resolved):
    return e.get("event") == "second_failure_risk" and e.get("resolved") is resolved and \
        (e.get("group") or {}).get("id") == mr.GROUP


def am_alerts(rx, name):
    """Every alert named name the receiver got, in order."""
    out = []
    for r in rx.requests():
        try:
            body = json.loads(r["body"])
        except ValueError:
            continue
        out += [a for a in body if isinstance(a, dict) and a.get("labels", {}).get("alertname") == name]
    return out


def firing(a):
    return "endsAt" in a and a["endsAt"] > time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


HOOK = """#!/usr/bin/python3
import json, os
with open(%r, "a") as f:
    f.write(json.dumps({k: v for k, v in os.environ.items() if k.startswith("REDMON_")}) + "\\n")
"""


def hook_env(path, event):
    """The REDMON_* environments the exec hook got for event."""
    runs = harness.json_lines(path)
    return [r for r in runs if r.get("REDMON_EVENT") == event]


def daemon(build, rep):
    tmp = tempfile.mkdtemp(prefix="redmon-smart-")
    proc = None
    rx = Receiver(tmp)
    hook, hook_out = os.path.join(tmp, "hook.py"), os.path.join(tmp, "hook.jsonl")
    try:
        with open(hook, "w") as f:
            f.write(HOOK % hook_out)
        os.chmod(hook, 0o755)
        rx.start()
        fake = fakes(tmp)
        fake.mode("ok")
        plugins = plugin_dir(build, tmp, ("hwraid", "smart"))
        events = os.path.join(tmp, "events.jsonl")
        err = tempfile.TemporaryFile()
        argv = [os.path.join(build, "redmon"), "daemon", "--plugin-dir", plugins,
                "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                "-o", "daemon.rescan_interval=1h", "-o", "daemon.user=root",
                "-o", "daemon.state_dir=" + os.path.join(tmp, "state"),
                "-o", "probe.hwraid.interval=1s", "-o", "probe.hwraid.timeout=5s",
                "-o", "probe.smart.interval=1s",
                "-o", "probe.smart.devices=/dev/bus/0 megaraid,0; /dev/bus/0 megaraid,1",
                "-o", "sink.am.type=webhook", "-o", "sink.am.url=" + rx.url,
                "-o", "sink.am.format=alertmanager", "-o", "sink.am.resend_interval=1s",
                "-o", "sink.hook.type=exec", "-o", "sink.hook.command=" + hook]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                env=fake.env())
        w = harness.EventWaiter(events, proc, err, 20.0)

        def disk_announced():
            new = w.wait_for([lambda e: e.get("event") == "disk_health_changed" and
                              (e.get("disk") or {}).get("device") == "/dev/bus/0 megaraid,0"])
            e = [e for e in new if e.get("event") == "disk_health_changed" and
                 e["disk"]["device"] == "/dev/bus/0 megaraid,0"][0]
            probs = []
            if (e["severity"], e["disk"]["health"], e["disk"]["reason"], e["previous"]["disk_health"]) != \
                    ("warning", "warning", "387 reallocated sectors", None):
                probs.append("disk_health_changed %r" % e)
            if any(e.get("event") == "second_failure_risk" for e in new):
                probs.append("second_failure_risk while the array is ok: %r" % new)
            return probs

        def risk_raised():
            fake.mode("degraded")
            new = w.wait_for([lambda e: is_risk(e, False)])
            e = [e for e in new if is_risk(e, False)][0]
            probs = []
            if e["severity"] != "critical" or e["at_risk_member"] != "251:1" or \
                    e["disk"]["device"] != "/dev/bus/0 megaraid,0":
                probs.append("second_failure_risk %r" % e)
            if "387 reallocated sectors" not in e["message"] or "251:1" not in e["message"]:
                probs.append("the message does not say which disk and why: %r" % e["message"])
            # fired, then re-sent (twice more) while it lasts
            if rx.wait_for(lambda _: len([a for a in am_alerts(rx, "RedmonSecondFailureRisk")
                                          if firing(a)]) >= 3, 10) is None:
                probs.append("RedmonSecondFailureRisk not firing and re-sent: %r"
                             % am_alerts(rx, "RedmonSecondFailureRisk"))
            a = am_alerts(rx, "RedmonSecondFailureRisk")[-1]
            if a["labels"].get("group") != mr.GROUP or a["labels"].get("severity") != "critical" or \
                    "387 reallocated sectors" not in a["annotations"].get("description", ""):
                probs.append("RedmonSecondFailureRisk %r" % a)
            d = [a for a in am_alerts(rx, "RedmonDiskHealth")
                 if a["labels"].get("disk") == "/dev/bus/0 megaraid,0" and firing(a)]
            if not d or d[-1]["labels"]["severity"] != "warning":
                probs.append("RedmonDiskHealth for megaraid,0: %r" % am_alerts(rx, "RedmonDiskHealth"))
            if rx.wait_for(lambda _: hook_env(hook_out, "second_failure_risk"), 10) is None:
                return probs + ["the exec hook did not run for second_failure_risk"]
            env = hook_env(hook_out, "second_failure_risk")[0]
            want = {"REDMON_DISK": "/dev/bus/0 megaraid,0", "REDMON_DISK_HEALTH": "warning",
                    "REDMON_DISK_REASON": "387 reallocated sectors", "REDMON_MEMBER": "251:1",
                    "REDMON_RESOLVED": "no", "REDMON_SEVERITY": "critical", "REDMON_GROUP": mr.GROUP}
            bad = {k: env.get(k) for k, v in want.items() if env.get(k) != v}
            if bad:
                probs.append("exec hook environment: %r, want %r" % (bad, want))
            return probs

        def risk_resolved():
            fake.mode("ok")
            new = w.wait_for([lambda e: is_risk(e, True)])
            e = [e for e in new if is_risk(e, True)][0]
            probs = [] if e["severity"] == "info" else ["resolved with severity %s" % e["severity"]]
            if rx.wait_for(lambda _: not firing(am_alerts(rx, "RedmonSecondFailureRisk")[-1]), 10) is None:
                probs.append("RedmonSecondFailureRisk still firing: %r"
                             % am_alerts(rx, "RedmonSecondFailureRisk")[-1])
            return probs

        rep.run("smart/daemon-disk-health-changed", disk_announced)
        rep.run("smart/daemon-second-failure-risk", risk_raised)
        rep.run("smart/daemon-second-failure-risk-resolved", risk_resolved)
        rep.check("smart/daemon-stops", harness.stop_daemon(proc, err))
        alerts_harness.check_schema(rep, "smart/events-schema", w.read())
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        rx.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    rep.check("smart/captured-tree-joined-to-md", captured_tree(args.build))
    rep.check("smart/live-fake-smartctl-behind-megaraid", live_fake(args.build))
    rep.check("smart/redfish-failure-predicted-is-failing", redfish_failure_predicted(args.build))
    daemon(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()
