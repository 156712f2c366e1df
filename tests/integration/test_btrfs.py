#!/usr/bin/env python3
"""The btrfs probe against real btrfs filesystems on loop devices, and through the daemon.

Live (root /, this machine's kernel): raid1 on two loop devices and raid1c3 on
three are ok with margin 1 and 2; unmounted, one device detached and mounted
`-o degraded`, raid1 is critical and raid1c3 degraded, the missing devid
named; `redmon check` exits 0, 2 and 1 on them.  A daemon on the live root sees
the raid1 appear, go away at the unmount and come back critical, with the
missing member, by its own means (block uevents and the periodic rescan).
Every loop device and mount is removed in every exit path (btrfs_loop.Lab), and
the test checks at its end that `losetup -a` and /proc/mounts are as before.

Under --root (a tree captured by tests/captures/btrfs/capture.py, copied): a
daemon watching it by inotify reports devid 2 going missing and coming back,
error counters that rise, and garbage in an attribute or in a captured
`btrfs scrub status` (unknown with a reason, never a crash).  No tool is run
by the probe (it reads sysfs only), so there is no hanging tool to test.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import TestError
from btrfs_loop import Lab, have_btrfs, loops, mounts

STEP_TIMEOUT = 10.0
CAPTURE = os.path.join(harness.REPO, "tests", "captures", "btrfs", "raid1-two-devices")


def plugin_dir(build, d):
    """A plugin folder with the btrfs probe only, so other probes' groups (this
    machine's bonds, sensors) do not decide `redmon check`'s exit code."""
    p = os.path.join(d, "plugins")
    os.makedirs(p)
    shutil.copy(os.path.join(build, "plugins", "btrfs.so"), p)
    return p


def group(doc, uuid):
    g = [x for x in doc["groups"] if x["id"] == "btrfs:" + uuid]
    if not g:
        raise TestError("no btrfs:%s in %s" % (uuid, [x["id"] for x in doc["groups"]]))
    return g[0]


def status(redmon, pdir, root=None):
    args = ["status", "--json", "--plugin-dir", pdir] + (["--root", root] if root else [])
    p = redmon.run(args)
    if p.returncode != 0:
        raise TestError("status exited %d: %s" % (p.returncode, harness.tail(p.stderr)))
    return json.loads(p.stdout)


def expect(g, **want):
    out = harness.group_problems(g, g["id"])
    for k, v in want.items():
        if g.get(k) != v:
            out.append("%s: %s is %r, expected %r" % (g["id"], k, g.get(k), v))
    return out


def member(g, name, role):
    m = [x for x in g["members"] if x["name"] == name]
    if not m:
        return ["no member %s: %s" % (name, [x["name"] for x in g["members"]])]
    return [] if m[0]["role"] == role else ["%s role %s, expected %s" % (name, m[0]["role"], role)]


def check_exit(redmon, pdir, want):
    p = redmon.run(["check", "--plugin-dir", pdir])
    if p.returncode != want:
        return ["check exited %d, expected %d: %s" % (p.returncode, want, p.stdout.strip())]
    return []


def live_case(rep, redmon, pdir, n, profile, margin, degraded_health, degraded_margin):
    name = "btrfs/live/%s-%d" % (profile, n)
    with Lab() as lab:
        devs = lab.attach(n)
        uuid = lab.mkfs(devs, profile, profile)
        lab.mount(devs[0])

        def healthy():
            g = group(status(redmon, pdir), uuid)
            out = expect(g, health="ok", margin=margin, margin_nominal=margin, type=profile,
                         members_total=n, members_ok=n)
            return out + check_exit(redmon, pdir, 0)
        rep.run(name + "/ok", healthy)

        def degraded():
            lab.umount()
            doc = status(redmon, pdir)
            if any(g["id"] == "btrfs:" + uuid for g in doc["groups"]):
                return ["unmounted, still reported"]
            lab.detach(devs[-1])
            lab.mount(devs[0], "degraded")
            g = group(status(redmon, pdir), uuid)
            out = expect(g, health=degraded_health, margin=degraded_margin, members_total=n,
                         members_ok=n - 1)
            out += member(g, "devid %d" % n, "missing")
            if "devid %d missing" % n not in (g.get("reason") or ""):
                out.append("reason %r does not name devid %d" % (g.get("reason"), n))
            return out + check_exit(redmon, pdir, 2 if degraded_health == "critical" else 1)
        rep.run(name + "/degraded-mount", degraded)


def live_daemon(rep, build, pdir, d):
    """The daemon on the live root: appear, vanish at unmount, come back critical."""
    events = os.path.join(d, "live-events.jsonl")
    err = tempfile.TemporaryFile()
    daemon = None
    with Lab() as lab:
        try:
            devs = lab.attach(2)
            uuid = lab.mkfs(devs, "raid1", "raid1")
            gid = "btrfs:" + uuid
            lab.mount(devs[0])
            daemon = subprocess.Popen(
                [os.path.join(build, "redmon"), "daemon", "--plugin-dir", pdir, "--user", "root",
                 "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                 "-o", "daemon.rescan_interval=1s"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                env=harness.test_env())
            wait_for = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT).wait_for

            def ev(kind, **kw):
                def p(e):
                    g = e.get("group") or {}
                    if e.get("event") != kind or g.get("id") != gid:
                        return False
                    return all(g.get(k) == v for k, v in kw.items())
                return p

            def appear_vanish_degraded():
                wait_for([ev("group_appeared", health="ok", margin=1)])
                lab.umount()
                t0 = time.time()
                wait_for([ev("group_vanished")])
                lab.detach(devs[1])
                lab.mount(devs[0], "degraded")
                evs = wait_for([ev("group_appeared", health="critical", margin=0)])
                took = time.time() - t0
                g = [e["group"] for e in evs if (e.get("group") or {}).get("id") == gid][-1]
                out = [] if "devid 2 missing" in (g.get("reason") or "") else \
                    ["reason %r" % g.get("reason")]
                print("  (unmount to critical re-appearance: %.2fs)" % took)
                return out
            rep.run("btrfs/daemon/live-appear-vanish-degraded", appear_vanish_degraded)
            rep.run("btrfs/daemon/live-stops", harness.stop_daemon, daemon, err)
            daemon = None
        finally:
            if daemon and daemon.poll() is None:
                daemon.kill()
                daemon.wait()


def put(path, text):
    """Rewritten in place, as sysfs values change."""
    with open(path, "w") as f:
        f.write(text)


def root_daemon(rep, build, pdir, d):
    """The daemon under --root, watching a captured tree by inotify."""
    root = os.path.join(d, "root")
    shutil.copytree(CAPTURE, root, symlinks=True)
    uuid = os.listdir(os.path.join(root, "sys", "fs", "btrfs"))[0]
    gid = "btrfs:" + uuid
    fs = os.path.join(root, "sys", "fs", "btrfs", uuid)
    events = os.path.join(d, "root-events.jsonl")
    err = tempfile.TemporaryFile()
    daemon = subprocess.Popen(
        [os.path.join(build, "redmon"), "daemon", "--root", root, "--plugin-dir", pdir,
         "-o", "sink.t.type=json", "-o", "sink.t.path=" + events, "-o", "daemon.rescan_interval=1h"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=harness.test_env())
    try:
        waiter = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT)
        wait_for = waiter.wait_for

        def ev(kind, **kw):
            def p(e):
                g = e.get("group") or {}
                if e.get("event") != kind or g.get("id") != gid:
                    return False
                for k, v in kw.items():
                    got = g.get(k) if k in ("health", "margin", "reason") else (e.get("member") or {}).get(k)
                    if got != v:
                        return False
                return True
            return p

        def missing_and_back():
            wait_for([ev("group_appeared", health="ok", margin=1)])
            put(os.path.join(fs, "devinfo", "2", "missing"), "1\n")
            wait_for([ev("health_changed", health="critical", margin=0),
                      ev("member_changed", name="devid 2", role="missing")])
            put(os.path.join(fs, "devinfo", "2", "missing"), "0\n")
            wait_for([ev("health_changed", health="ok", margin=1)])
            return []
        rep.run("btrfs/daemon/root-missing-and-back", missing_and_back)

        def counters_rise():
            put(os.path.join(fs, "devinfo", "1", "error_stats"),
                "write_errs 0\nread_errs 3\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n")
            evs = wait_for([ev("member_changed", name="devid 1")])
            g = [e["group"] for e in evs if (e.get("member") or {}).get("name") == "devid 1"][-1]
            m = [x for x in g["members"] if x["name"] == "devid 1"][0]
            out = [] if m.get("reason") == "read_errs rose from 0 to 3" else ["member reason %r" % m.get("reason")]
            if "devid 1: read_errs rose from 0 to 3" not in (g.get("reason") or ""):
                out.append("group reason %r" % g.get("reason"))
            # The rise stays a reason at the next scans (a change elsewhere makes one),
            # until the counters are reset (`btrfs device stats -z`).
            n = len(waiter.read())
            put(os.path.join(fs, "label"), "renamed\n")
            time.sleep(1.0)
            if [e for e in waiter.read()[n:] if (e.get("member") or {}).get("name") == "devid 1"]:
                out.append("the rise was forgotten at the next scan")
            put(os.path.join(fs, "devinfo", "1", "error_stats"),
                "write_errs 0\nread_errs 0\nflush_errs 0\ncorruption_errs 0\ngeneration_errs 0\n")
            evs = wait_for([ev("member_changed", name="devid 1")])
            g = [e["group"] for e in evs if (e.get("member") or {}).get("name") == "devid 1"][-1]
            if g.get("reason"):
                out.append("after the reset, group reason %r" % g.get("reason"))
            return out
        rep.run("btrfs/daemon/root-error-counters-rise", counters_rise)

        def garbage():
            put(os.path.join(fs, "devinfo", "2", "missing"), "\x00\xff garbage\n")
            evs = wait_for([ev("health_changed", health="unknown")])
            g = [e["group"] for e in evs if (e.get("group") or {}).get("id") == gid][-1]
            out = [] if "content not understood" in (g.get("reason") or "") else ["reason %r" % g.get("reason")]
            put(os.path.join(fs, "devinfo", "2", "missing"), "0\n")
            wait_for([ev("health_changed", health="ok", margin=1)])
            scrub = os.path.join(root, "btrfs-scrub-status-%s.txt" % uuid)
            put(scrub, "\x1b[2J not a scrub status at all\n" * 100)
            doc = harness.Redmon(build).run(["status", "--json", "--plugin-dir", pdir, "--root", root])
            g = group(json.loads(doc.stdout), uuid)
            if "btrfs-scrub-status" not in (g.get("reason") or "") or g["health"] != "ok":
                out.append("garbage scrub status: health %s reason %r" % (g["health"], g.get("reason")))
            os.unlink(scrub)
            return out
        rep.run("btrfs/daemon/root-garbage", garbage)
        rep.run("btrfs/daemon/root-stops", harness.stop_daemon, daemon, err)
        daemon = None
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = harness.Redmon(args.build)
    if not os.path.exists(os.path.join(args.build, "plugins", "btrfs.so")):
        rep.fail("btrfs", "%s/plugins/btrfs.so is not built" % args.build)
        rep.exit()
    d = tempfile.mkdtemp(prefix="rm-btrfs-")
    before = (loops(), mounts()) if os.geteuid() == 0 else None
    try:
        pdir = plugin_dir(args.build, d)
        root_daemon(rep, args.build, pdir, d)
        why = have_btrfs()
        if why:
            rep.skip("btrfs/live", why)
        else:
            live_case(rep, redmon, pdir, 2, "raid1", 1, "critical", 0)
            live_case(rep, redmon, pdir, 3, "raid1c3", 2, "degraded", 1)
            live_daemon(rep, args.build, pdir, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if before is not None:
        rep.check("btrfs/no-loop-device-or-mount-left",
                  [] if (loops(), mounts()) == before else
                  ["losetup -a or /proc/mounts differ from before the test"])
    rep.exit()


if __name__ == "__main__":
    main()
