#!/usr/bin/env python3
"""The descriptors probes keep open follow need, and together stay within the limit.

The daemon runs under an open-file limit of LIMIT (prlimit, soft and hard) on
generated trees, rescanning every RESCAN.  The core keeps a quarter of the
limit and splits the rest among the probes by what each one's last full scan
read (src/fd_shares.c):

* many md arrays and two bonds: bond keeps all its few files and md the rest,
  more than the 3/8 of the limit it had when the parts were fixed;
* as many bonds as arrays, both wanting more than half: each keeps about half
  of what is split, bond far more than the 1/8 it had.

In both the daemon never holds more descriptors than the limit allows, stays
alive, and reports every group as the ground truth says.  The kept files are
counted from /proc/PID/fd, by where their links lead in the tree.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import faults  # noqa: E402
import harness  # noqa: E402
from harness import TestError  # noqa: E402

NAME = "integration/fd_shares/"
LIMIT = 1024
SPLIT = LIMIT - LIMIT // 4  # what the core splits among probes (fd_shares_total_for)
RESCAN = "300ms"
SETTLE = 30.0  # only for a split that never settles: then the test fails


def kept(d, root):
    """(md files, bond files, every descriptor) the daemon holds open now."""
    md = bond = total = 0
    fd_dir = "/proc/%d/fd" % d.pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue  # closed meanwhile
        total += 1
        rel = os.path.relpath(target, root)
        if rel.startswith("sys/block/md") or rel == "proc/mdstat":
            md += 1
        elif rel.startswith("proc/net/bonding") or rel.startswith("sys/class/net") or \
                rel.startswith("sys/devices/virtual/net"):
            bond += 1
    return md, bond, total


def split(build, tmp, md_arrays, bonds, want):
    """Run the daemon on a tree of md_arrays and bonds until want(md, bond) holds."""
    root, truth = faults.make_tree(tmp, md=md_arrays, bonds=bonds, name="t%d-%d" % (md_arrays, bonds))
    plugins = faults.plugin_dir(build, tmp, ("md", "bond"))
    d = faults.Daemon(build, tmp, root, plugins, rescan=RESCAN, tag="fd%d-%d" % (md_arrays, bonds),
                      argv_prefix=("prlimit", "--nofile=%d:%d" % (LIMIT, LIMIT)))
    problems = []
    seen = []
    try:
        d.wait_events(lambda e: e.get("event") == "group_appeared", len(truth["groups"]), 60,
                      "every group appeared")
        deadline = time.monotonic() + SETTLE
        while True:
            d.check_alive()
            counts = kept(d, os.path.realpath(root))
            seen.append(counts)
            if counts[2] > LIMIT - 64:
                problems.append("%d descriptors open under a limit of %d" % (counts[2], LIMIT))
                break
            if want(counts[0], counts[1]):
                break
            if time.monotonic() > deadline:
                problems.append("the split never settled as wanted: (md, bond, all) %s" % seen[-5:])
                break
            time.sleep(0.1)
        # The daemon's own view: the health each group was last reported with.
        d.read()
        last = {}
        for e in d.events:
            g = e.get("group") or {}
            if g.get("id") in truth["groups"]:
                last[g["id"]] = g.get("health")
        wrong = ["%s %s, want %s" % (gid, last.get(gid), t["health"])
                 for gid, t in truth["groups"].items() if last.get(gid) != t["health"]]
        if wrong:
            problems.append("%d groups reported wrong: %s" % (len(wrong), wrong[:3]))
        # Every sample, not only the last: the limit holds while the split moves.
        over = [c for c in seen if c[2] > LIMIT - 64]
        if over:
            problems.append("over the limit while settling: %s" % over[:3])
        problems += d.sanitizer_problems()
    finally:
        d.stop()
    if problems:
        raise TestError("; ".join(problems))
    sys.stderr.write("fd_shares: %d arrays, %d bonds: (md, bond, all) %s\n" % (md_arrays, bonds, seen[-1]))


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(NAME + "md-takes-what-bond-leaves", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    with faults.Tmp("redmon-fdshares-") as tmp:
        # Two bonds read a few dozen files; 200 arrays about 2,000, more than the split.
        rep.run(NAME + "md-takes-what-bond-leaves", split, args.build, tmp, 200, 2,
                lambda md, bond: md > SPLIT - 100 and md > LIMIT * 3 // 8 + 100)
        # Both want more than half: about half each, bond far above its old eighth.
        rep.run(NAME + "even-split-when-both-want-more", split, args.build, tmp, 200, 200,
                lambda md, bond: md > SPLIT // 2 - 50 and bond > SPLIT // 2 - 50)
    rep.exit()


if __name__ == "__main__":
    main()
