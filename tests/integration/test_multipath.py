#!/usr/bin/env python3
"""The multipath probe through redmon itself.

This machine's kernel has no device-mapper, so no live map exists: the maps
are --root trees (a copy of tests/captures/multipath/fixture-multipathd-4path-one-faulty
with every path healthy), and the tools are fake ones.

* daemon: `redmon daemon --root TMP` (only the multipath plugin, rescan every
  300 ms) reports mpathb ok (group_appeared); multipathd's capture then says sdh
  failed faulty (health_changed degraded, margin 2, and member_changed sdh); the capture removed, the
  multipath target's status says two paths F and then the SCSI fallback
  alone says three paths offline (critical, the fallback named in the
  reason); all healthy again: health_changed ok.
* `redmon check --root`: exit 0 (ok), 1 (degraded), 2 (critical), 3 (a
  path no source can vouch for: unknown).
* tools (live root, fake multipathd and dmsetup first on PATH): a multipathd
  that hangs is killed at the probe's timeout and a dmsetup printing
  garbage is refused, and still `redmon status` answers within the timeout
  and a bit, and both tools ran with exactly the registered argv.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import TestError

CAP = os.path.join(harness.REPO, "tests", "captures", "multipath")
FOUR = os.path.join(CAP, "fixture-multipathd-4path-one-faulty")
HEALTHY_PATHS = """hcil    dev dev_t pri dm_st  chk_st dev_st  next_check
2:0:0:1 sdf 8:80  50  active ready  running XX........ 4/20
3:0:0:1 sdg 8:96  50  active ready  running XX........ 4/20
4:0:0:1 sdh 8:112 50  active ready  running XX........ 4/20
5:0:0:1 sdi 8:128 50  active ready  running XX........ 4/20
"""
TWO_F = "mpathb: 0 3221225472 multipath 2 0 0 0 2 1 A 0 2 0 8:80 A 0 8:96 F 2 E 0 2 0 8:112 F 3 8:128 A 0\n"


def put(root, rel, text):
    path = os.path.join(root, rel)
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def plugin_dir(build, tmp):
    d = os.path.join(tmp, "plugins")
    os.makedirs(d)
    os.symlink(os.path.join(build, "plugins", "multipath.so"), os.path.join(d, "multipath.so"))
    return d


def mpath_event(kind, health, needle=None):
    def pred(e):
        g = e.get("group") or {}
        return (e.get("event") == kind and g.get("id") == "multipath:mpathb" and g.get("health") == health
                and (needle is None or needle in json.dumps(e)))
    return pred


def daemon_events(build, tmp):
    root = os.path.join(tmp, "root")
    shutil.copytree(FOUR, root, symlinks=True)
    put(root, "multipathd-show-paths.txt", HEALTHY_PATHS)
    events = os.path.join(tmp, "events.jsonl")
    conf = os.path.join(tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\n")
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--root", root, "--plugin-dir", plugin_dir(build, tmp),
            "-c", conf, "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
            "-o", "daemon.rescan_interval=300ms"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=harness.test_env())
    problems = []
    try:
        w = harness.EventWaiter(events, proc, err, 10)
        w.wait_for([mpath_event("group_appeared", "ok")], timeout=10)
        put(root, "multipathd-show-paths.txt", HEALTHY_PATHS.replace(
            "4:0:0:1 sdh 8:112 50  active ready ", "4:0:0:1 sdh 8:112 50  failed faulty"))
        got = w.wait_for([mpath_event("health_changed", "degraded"),
                          mpath_event("member_changed", "degraded", '"sdh"')])
        g = [e for e in got if mpath_event("health_changed", "degraded")(e)][0]["group"]
        if g.get("margin") != 2 or g.get("margin_nominal") != 3:
            problems.append("degraded: margin %r of %r, expected 2 of 3" % (g.get("margin"), g.get("margin_nominal")))
        os.unlink(os.path.join(root, "multipathd-show-paths.txt"))
        put(root, "dmsetup-status.txt", TWO_F)
        w.wait_for([lambda e: (e.get("group") or {}).get("id") == "multipath:mpathb"
                    and (e.get("group") or {}).get("margin") == 1])
        os.unlink(os.path.join(root, "dmsetup-status.txt"))
        for sd in ("sdf", "sdg", "sdh"):
            put(root, "sys/block/%s/device/state" % sd, "offline\n")
        w.wait_for([mpath_event("health_changed", "critical", "fallback")])
        for sd in ("sdf", "sdg", "sdh"):
            put(root, "sys/block/%s/device/state" % sd, "running\n")
        w.wait_for([mpath_event("health_changed", "ok")])
    finally:
        if proc.poll() is None:
            problems += harness.stop_daemon(proc, err)
        err.close()
    return problems


def check_codes(build, tmp):
    redmon = harness.Redmon(build)
    problems = []
    cases = {0: os.path.join(CAP, "kernel-doc-queue-length-2path"), 1: FOUR,
             2: os.path.join(CAP, "fixture-dm-2path-one-failed")}
    unknown = os.path.join(tmp, "unknown")
    shutil.copytree(os.path.join(CAP, "fixture-scsi-fallback-2path-offline"), unknown, symlinks=True)
    os.unlink(os.path.join(unknown, "sys/block/sde/device/state"))
    cases[3] = unknown
    for want, root in sorted(cases.items()):
        p = redmon.run(["check", "--root", root, "--plugin-dir", plugin_dir(build, os.path.join(tmp, "p%d" % want))])
        if p.returncode != want:
            problems.append("%s: check exit %d, expected %d: %r" % (os.path.basename(root), p.returncode, want,
                                                                   p.stdout[:300]))
    return problems


FAKE_MULTIPATHD = """#!/bin/sh
echo "multipathd $*" >> {d}/ran
exec sleep 30
"""
FAKE_DMSETUP = """#!/bin/sh
echo "dmsetup $*" >> {d}/ran
printf 'm: 0 10 multipath 2 0 0 0 9 1 A\\n'
"""


def tools(build, tmp):
    d = os.path.join(tmp, "tools")
    os.makedirs(os.path.join(d, "bin"))
    for name, text in (("multipathd", FAKE_MULTIPATHD), ("dmsetup", FAKE_DMSETUP)):
        path = os.path.join(d, "bin", name)
        with open(path, "w") as f:
            f.write(text.format(d=d))
        os.chmod(path, 0o755)
    env = harness.test_env()
    env["PATH"] = os.path.join(d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
    argv = [os.path.join(build, "redmon"), "status", "--json", "--plugin-dir", plugin_dir(build, d),
            "-o", "probe.multipath.timeout=1s"]
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env, timeout=20, universal_newlines=True)
    took = time.monotonic() - t0
    problems = []
    if took > 5:
        problems.append("status took %.1fs with a multipathd hanging past a 1s timeout" % took)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return problems + ["status printed no JSON (exit %d): %r %r" % (p.returncode, p.stdout[:200], p.stderr[-300:])]
    probe = [x for x in doc.get("probes", []) if x.get("name") == "multipath"]
    if not probe or probe[0].get("status") != "ok":
        problems.append("probe multipath: %r" % probe)
    with open(os.path.join(d, "ran")) as f:
        ran = sorted(f.read().split("\n")[:-1])
    if ran != ["dmsetup status --target multipath", "multipathd show paths"]:
        problems.append("ran %r" % ran)
    return problems


def real_dmsetup(build, tmp):
    """The real dmsetup of this machine (no device-mapper in its kernel: it
    exits 1, "Failure to communicate with kernel device-mapper driver"):
    the probe runs it, stays ok and, with no map in /sys, reports no group."""
    if not os.access("/usr/sbin/dmsetup", os.X_OK):
        raise harness.TestError("/usr/sbin/dmsetup is not installed (scripts/install-deps.sh)")
    p = harness.Redmon(build).run(["status", "--json", "--plugin-dir", plugin_dir(build, tmp),
                                   "-o", "probe.multipath.dmsetup_path=/usr/sbin/dmsetup"])
    doc = json.loads(p.stdout)
    probe = [x for x in doc.get("probes", []) if x.get("name") == "multipath"]
    problems = [] if probe and probe[0].get("status") == "ok" else ["probe multipath: %r" % probe]
    maps = os.path.isdir("/sys/block") and any(
        n.startswith("dm-") for n in os.listdir("/sys/block"))
    if not maps and doc.get("groups"):
        problems.append("groups without a map in /sys: %r" % doc["groups"])
    return problems


def main():
    args = harness.parse_args(__doc__)
    rep = harness.Reporter()
    with tempfile.TemporaryDirectory(prefix="redmon-mpath-") as tmp:
        for name, fn in (("daemon-events", daemon_events), ("check-exit-codes", check_codes),
                         ("hanging-and-garbage-tools", tools), ("real-dmsetup", real_dmsetup)):
            sub = os.path.join(tmp, name)
            os.makedirs(sub)
            rep.run("multipath/" + name, fn, args.build, sub)
    rep.exit()


if __name__ == "__main__":
    main()
