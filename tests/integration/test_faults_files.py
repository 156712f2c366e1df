#!/usr/bin/env python3
"""Fault tests on the files redmon reads: hostile file types, unreadable files,
files vanishing between readdir and read, a 10 MiB /proc/mdstat.

Every tree comes from bench/gen.py with its ground truth (md arrays, bonds,
PMBus supplies).  A fault must never hang redmon, crash it or make it lie:
where another source still tells (mdstat beside sysfs, sysfs beside
/proc/net/bonding) the verdict stays the ground truth's; where no source
tells, the group is `unknown` with a reason.

  hostile-types     a directory or a FIFO where a file is expected (the FIFO
                    has no writer: a plain open() would block forever)
  unreadable        mode-000 files read as nobody (setpriv), the nearest
                    stand-in for EIO without FUSE
  vanish-race       a thread deletes and recreates attribute files and member
                    directories while `redmon status` runs in a loop and a
                    daemon rescans every 100 ms
  mdstat-10MiB      /proc/mdstat of 10 MiB (108,000 arrays before the real ones;
                    no time limit under ASan)
"""

import os
import random
import shutil
import stat
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import faults  # noqa: E402
import harness  # noqa: E402
from harness import TestError  # noqa: E402

PLUGINS = ("md", "bond", "hwmon")
NAME = "integration/faults/"


def hostile_types(build, tmp):
    root, truth = faults.make_tree(tmp, md=12, bonds=9, psus=10)
    plugins = faults.plugin_dir(build, tmp, PLUGINS)
    hw = os.path.realpath(os.path.join(root, "sys/class/hwmon/hwmon0"))
    swaps = [
        ("sys/block/md0/md/array_state", "dir"),
        ("sys/block/md1/md/dev-sd1d0/state", "fifo"),
        ("sys/block/md3/md/sync_completed", "fifo"),
        ("sys/block/md4/md/rd1", "dir"),
        ("proc/net/bonding/bond0", "fifo"),
        ("proc/net/bonding/bond1", "dir"),
        ("sys/class/net/b2s1/bonding_slave/mii_status", "fifo"),
        (os.path.relpath(os.path.join(hw, "temp1_input"), root), "fifo"),
        (os.path.relpath(os.path.join(hw, "name"), root), "dir"),
    ]
    for rel, kind in swaps:
        p = os.path.join(root, rel)
        os.unlink(p)
        if kind == "dir":
            os.mkdir(p)
        else:
            os.mkfifo(p)
    doc, _ = faults.run_status(build, root, plugins, timeout=20)
    problems = []
    if doc["_seconds"] > 10:
        problems.append("took %.1fs" % doc["_seconds"])
    # hwmon0's name is a directory: that chip is not recognisable as a PSU, so
    # the set has one supply less; everything else must be the ground truth.
    others = {g for g in truth["groups"] if g != "hwmon:psu"}
    problems += faults.agreement(doc, truth, only=others)
    return problems


def unreadable(build, tmp):
    if not shutil.which("setpriv"):
        return ["setpriv (util-linux) is missing: cannot run as nobody"]
    base = os.path.join(tmp, "nobody")
    os.makedirs(base)
    os.chmod(tmp, 0o755)
    os.chmod(base, 0o755)
    # A copy of the binaries nobody can reach (the build tree may not be).
    bindir = os.path.join(base, "bin")
    os.makedirs(os.path.join(bindir, "plugins"))
    shutil.copy2(os.path.join(build, "redmon"), bindir)
    for p in PLUGINS:
        shutil.copy2(os.path.join(build, "plugins", p + ".so"), os.path.join(bindir, "plugins"))
    root, truth = faults.make_tree(base, md=12, bonds=9, psus=2)
    for dirpath, dirs, files in os.walk(base):
        for d in dirs:
            os.chmod(os.path.join(dirpath, d), 0o755)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    problems = []

    # 1. One source unreadable, the other still tells: the ground truth.
    for rel in ("sys/block/md2/md/dev-sd2d0/state", "sys/block/md1/md/array_state", "proc/net/bonding/bond1",
                "proc/net/bonding/bond2"):
        os.chmod(os.path.join(root, rel), 0)
    doc, _ = faults.run_status(bindir, root, os.path.join(bindir, "plugins"), timeout=20, argv_prefix=nobody)
    problems += ["other source: " + p for p in faults.agreement(doc, truth)]

    # 2. Both sources unreadable for md1 and md2 (mdstat too): unknown with a reason.
    os.chmod(os.path.join(root, "proc/mdstat"), 0)
    doc, p = faults.run_status(bindir, root, os.path.join(bindir, "plugins"), timeout=20, argv_prefix=nobody)
    got = {g["id"]: g for g in doc["groups"]}
    for gid in ("md:md1", "md:md2"):
        g = got.get(gid)
        if not g:
            problems.append("no source: %s missing" % gid)
        elif g["health"] != "unknown" or "unreadable" not in (g.get("reason") or ""):
            problems.append("no source: %s is %s (reason %r), expected unknown, unreadable" % (
                gid, g["health"], g.get("reason")))
    rest = {gid for gid in truth["groups"] if gid not in ("md:md1", "md:md2")}
    problems += ["no source: " + x for x in faults.agreement(doc, truth, only=rest)]
    if "mdstat" not in p.stderr:
        problems.append("no log line about the unreadable /proc/mdstat: %s" % harness.tail(p.stderr))
    return problems


class Churn(threading.Thread):
    """Deletes and recreates files and directories of a generated tree, each
    one briefly missing, until stopped; restores everything at the end."""

    def __init__(self, root, truth):
        super().__init__(daemon=True)
        self.root = root
        self.stop_flag = threading.Event()
        self.rounds = 0
        self.error = None
        rnd = random.Random(7)
        self.files = []
        for rel in open(os.path.join(root, "floor.list")).read().split():
            if rel != "proc/mdstat" and rnd.random() < 0.5:
                self.files.append(rel)
        self.dirs = ["sys/block/md%d/md/dev-sd%dd0" % (i, i) for i in range(truth["md"])]
        self.dirs += ["sys/class/net/b%ds1" % b for b in range(truth["bonds"])]
        self.stage = os.path.join(os.path.dirname(root), "churn-stage")
        os.makedirs(self.stage)

    def run(self):
        try:
            rnd = random.Random(11)
            while not self.stop_flag.is_set():
                rel = rnd.choice(self.files)
                p = os.path.join(self.root, rel)
                with open(p, "rb") as f:
                    data = f.read()
                os.unlink(p)
                time.sleep(0.0005)
                with open(p, "wb") as f:
                    f.write(data)
                d = rnd.choice(self.dirs)
                src, tmp = os.path.join(self.root, d), os.path.join(self.stage, "x")
                os.rename(src, tmp)
                time.sleep(0.0005)
                os.rename(tmp, src)
                self.rounds += 1
        except Exception as e:  # reported by the test
            self.error = e


def vanish_race(build, tmp):
    root, truth = faults.make_tree(tmp, md=24, bonds=18, psus=10)
    plugins = faults.plugin_dir(build, tmp, PLUGINS)
    d = faults.Daemon(build, tmp, root, plugins, rescan="100ms", tag="race")
    churn = Churn(root, truth)
    problems = []
    try:
        d.wait_events(lambda e: e.get("event") == "group_appeared", len(truth["groups"]), 20,
                      "group_appeared for all %d groups" % len(truth["groups"]))
        churn.start()
        deadline = time.monotonic() + 8
        runs = 0
        while time.monotonic() < deadline and runs < 60:
            doc, _ = faults.run_status(build, root, plugins, timeout=20)
            probes = {p["name"] for p in doc.get("probes", [])}
            if not set(PLUGINS) <= probes:
                problems.append("run %d: probes %s" % (runs, sorted(probes)))
            runs += 1
            if not d.alive():
                break
        churn.stop_flag.set()
        churn.join(timeout=10)
        if churn.error:
            problems.append("churn thread: %s" % churn.error)
        if churn.rounds < 10:
            problems.append("only %d churn rounds" % churn.rounds)
        d.check_alive()
        # Settled again: the ground truth, from status and from the daemon's next rescans.
        doc, _ = faults.run_status(build, root, plugins, timeout=20)
        problems += ["after the race: " + p for p in faults.agreement(doc, truth)]
        d.read()
        rc = d.stop()
        if rc != 0:
            problems.append("daemon exit %s after SIGTERM" % rc)
        problems += d.sanitizer_problems()
    finally:
        churn.stop_flag.set()
        d.kill()
    return problems


def mdstat_10mib(build, tmp, slow):
    root, truth = faults.make_tree(tmp, md=12)
    plugins = faults.plugin_dir(build, tmp, ("md",))
    p = os.path.join(root, "proc/mdstat")
    with open(p) as f:
        head, rest = f.read().split("\n", 1)
    # Newest arrays first, as the kernel lists them: 10 MiB of arrays without
    # sysfs before the 12 real ones (which sysfs also shows).
    pad, size, i = [], 0, 100000
    while size < 10 << 20:
        b = "md%d : active raid1 sdx%da[1] sdx%db[0]\n      976630464 blocks super 1.2 [2/2] [UU]\n\n" % (i, i, i)
        pad.append(b)
        size += len(b)
        i += 1
    with open(p, "w") as f:
        f.write(head + "\n" + "".join(pad) + rest)
    doc, proc = faults.run_status(build, root, plugins, timeout=300 if slow else 60)
    problems = []
    if doc["_seconds"] > 20 and not slow:
        problems.append("took %.1fs" % doc["_seconds"])
    problems += faults.agreement(doc, truth)
    md = [x for x in doc["probes"] if x["name"] == "md"]
    if not md:
        problems.append("no md probe entry")
    if "mdstat" not in proc.stderr:
        problems.append("nothing logged about the oversized /proc/mdstat")
    return problems


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(NAME + "files", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    # Under ASan (make sanitize) the 43,000 arrays of the 10 MiB mdstat take a
    # minute: the memory checks, not the speed, are the point there.
    slow = harness.sanitizer_build(os.path.join(args.build, "redmon"))
    for label, fn, extra in (("hostile-types", hostile_types, ()), ("unreadable", unreadable, ()),
                             ("vanish-race", vanish_race, ()), ("mdstat-10MiB", mdstat_10mib, (slow,))):
        with faults.Tmp("redmon-fault-") as tmp:
            rep.run(NAME + label, fn, args.build, tmp, *extra)
    rep.exit()


if __name__ == "__main__":
    main()
