#!/usr/bin/env python3
"""The redfish probe over a mockup tree under --root: the daemon walks it on its worker.

A copy of the corpus case dmtf-tower-psu-warning-volumes runs under `redmon
daemon --root` with `[probe.redfish] interval = 1s`, and its files are
rewritten as a BMC's answers change: a supply turns Absent (the set loses its
margin and the bay stays a member, missing), comes back; a drive of the RAID5
turns Critical; a fan of the bay set turns Absent; the service root goes away
(probe_failed, every group unknown) and comes back (probe_recovered).  One-shot:
with neither a mockup tree nor a url the probe reports nothing and is fine, and
a url under --root is not used.
"""

import json
import os
import shutil
import subprocess
import tempfile

import harness

CASE = "dmtf-tower-psu-warning-volumes"
PSU = "redfish:Chassis/Tower:psu"
FANS = "redfish:Chassis/Tower:fans-bay"
RAID5 = "redfish:Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes/Secondary"
STEP_TIMEOUT = 8.0


def resource(root, path):
    return os.path.join(root, "redfish", "v1", path, "index.json")


def set_status(root, path, status):
    """Rewrite one resource's Status in place, as a BMC's answer changes."""
    p = resource(root, path)
    with open(p) as f:
        doc = json.load(f)
    doc["Status"] = status
    with open(p, "w") as f:
        json.dump(doc, f)


def one_shot(rep, redmon):
    def nothing_to_read():
        d = tempfile.mkdtemp(prefix="rm-rf-")
        try:
            doc = redmon.status(d)
            probes = {p["name"]: p for p in doc["probes"]}
            out = []
            if probes.get("redfish", {}).get("status") != "ok":
                out.append("redfish probe %r" % probes.get("redfish"))
            out += ["unexpected group %s" % g["id"] for g in doc["groups"] if g["probe"] == "redfish"]
            return out
        finally:
            shutil.rmtree(d)
    rep.run("redfish/files/no-tree-no-url", nothing_to_read)

    def url_not_used_under_root():
        root = os.path.join(harness.CORPUS, "redfish", CASE)
        p = redmon.run(["status", "--json", "--root", root,
                        "-o", "probe.redfish.url=https://127.0.0.1:1"])
        if p.returncode != 0:
            return ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
        doc = json.loads(p.stdout)
        ids = [g["id"] for g in doc["groups"] if g["probe"] == "redfish"]
        return [] if PSU in ids and len(ids) == 8 else ["groups %s" % ids]
    rep.run("redfish/files/url-not-used-under-root", url_not_used_under_root)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = harness.Redmon(args.build)
    if not os.path.exists(os.path.join(args.build, "plugins", "redfish.so")):
        rep.fail("redfish/files", "%s/plugins/redfish.so is not built" % args.build)
        rep.exit()
    one_shot(rep, redmon)

    d = tempfile.mkdtemp(prefix="rm-rf-")
    root = os.path.join(d, "root")
    events = os.path.join(d, "events.jsonl")
    shutil.copytree(os.path.join(harness.CORPUS, "redfish", CASE), root)
    daemon = None
    try:
        err = tempfile.TemporaryFile()
        daemon = subprocess.Popen([os.path.join(args.build, "redmon"), "daemon", "--root", root,
                                   "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                                   "-o", "probe.redfish.interval=1s",
                                   "-o", "daemon.rescan_interval=1h"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  env=harness.test_env())
        wait_for = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT).wait_for

        def ev(kind, gid, **kw):
            def p(e):
                g = e.get("group") or {}
                if e.get("event") != kind or g.get("id") != gid:
                    return False
                for k, v in kw.items():
                    got = g.get(k) if k in ("health", "margin") else (e.get("member") or {}).get(k)
                    if got != v:
                        return False
                return True
            return p

        def appears():
            wait_for([ev("group_appeared", PSU, health="ok", margin=1),
                      ev("group_appeared", FANS, health="ok", margin=1),
                      ev("group_appeared", RAID5, health="ok", margin=1)])
            return []
        rep.run("redfish/daemon/groups-appear", appears)

        def psu_absent():
            bay2 = "Chassis/Tower/PowerSubsystem/PowerSupplies/Bay2"
            set_status(root, bay2, {"State": "Absent"})
            wait_for([ev("health_changed", PSU, health="critical", margin=0),
                      ev("member_changed", PSU, name="Bay2", previous_role="active", role="missing")])
            set_status(root, bay2, {"State": "Enabled", "Health": "OK"})
            wait_for([ev("health_changed", PSU, health="ok", margin=1),
                      ev("member_changed", PSU, name="Bay2", previous_role="missing", role="active")])
            return []
        rep.run("redfish/daemon/psu-absent-stays-missing", psu_absent)

        def drive_critical():
            disk = "Chassis/Tower/Drives/Disk-1-2"
            set_status(root, disk, {"State": "Enabled", "Health": "Critical"})
            wait_for([ev("health_changed", RAID5, health="critical", margin=0),
                      ev("member_changed", RAID5, name="Disk-1-2", role="failed")])
            set_status(root, disk, {"State": "Enabled", "Health": "OK"})
            wait_for([ev("health_changed", RAID5, health="ok", margin=1)])
            return []
        rep.run("redfish/daemon/raid5-drive-critical", drive_critical)

        def fan_absent():
            fan = "Chassis/Tower/ThermalSubsystem/Fans/Bay2"
            set_status(root, fan, {"State": "Absent"})
            wait_for([ev("health_changed", FANS, health="critical", margin=0),
                      ev("member_changed", FANS, name="Bay2", role="missing")])
            set_status(root, fan, {"State": "Enabled", "Health": "OK"})
            wait_for([ev("health_changed", FANS, health="ok", margin=1)])
            return []
        rep.run("redfish/daemon/fan-absent", fan_absent)

        def root_gone():
            p = resource(root, "")
            os.rename(p, p + ".away")
            wait_for([lambda e: e.get("event") == "probe_failed" and e.get("probe") == "redfish",
                      ev("health_changed", PSU, health="unknown"),
                      ev("health_changed", RAID5, health="unknown")])
            os.rename(p + ".away", p)
            wait_for([lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "redfish",
                      ev("health_changed", PSU, health="ok")])
            return []
        rep.run("redfish/daemon/service-root-gone", root_gone)

        rep.run("redfish/daemon/stops", harness.stop_daemon, daemon, err)
        daemon = None
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(d, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
