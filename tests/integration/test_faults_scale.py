#!/usr/bin/env python3
"""Fault test: 10,000 md arrays appear at once under a running daemon, then vanish at once
(1,000 under ASan).

The daemon starts on a tree with one array (md0) and a one-hour rescan, so
only its inotify watches can see the change.  bench/gen.py writes 10,001
arrays (every kind it knows: failed, recovering, reshaping, inactive ...) into
a staging tree; their sysfs directories are renamed into the live tree and
/proc/mdstat replaced in one rename.  Every new array must be reported
(group_appeared) with the ground truth's health within APPEAR_TIMEOUT, the
daemon must stay alive, and when all of them go at once every one must be
reported gone (group_vanished).
"""

import collections
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import faults  # noqa: E402
import harness  # noqa: E402
from harness import TestError  # noqa: E402

NAME = "integration/faults/"
APPEAR_TIMEOUT = 60.0


def scale(build, tmp, arrays):
    root, _ = faults.make_tree(tmp, md=1)
    stage, truth = faults.make_tree(tmp, md=arrays + 1, name="stage")
    plugins = faults.plugin_dir(build, tmp, ("md",))
    d = faults.Daemon(build, tmp, root, plugins, tag="scale")
    problems = []
    try:
        d.wait_events(lambda e: e.get("event") == "group_appeared", 1, 20, "group_appeared md:md0")
        rss0 = d.rss_kib()
        # All at once: directories first (each one rename), then mdstat.
        t0 = time.monotonic()
        for i in range(1, arrays + 1):
            os.rename(os.path.join(stage, "sys/block/md%d" % i), os.path.join(root, "sys/block/md%d" % i))
        os.rename(os.path.join(stage, "proc/mdstat"), os.path.join(root, "proc/mdstat"))
        want = {gid for gid in truth["groups"] if gid != "md:md0"}

        def appeared():
            d.read()
            d.check_alive()
            seen = {e["group"]["id"] for e in d.events if e.get("event") == "group_appeared"}
            return want <= seen
        try:
            faults.wait_until(appeared, APPEAR_TIMEOUT, "group_appeared for all %d arrays" % arrays)
        except TestError:
            seen = {e["group"]["id"] for e in d.events if e.get("event") == "group_appeared"}
            problems.append("after %.0fs, %d of %d arrays reported (%s)" % (
                APPEAR_TIMEOUT, len(want & seen), ARRAYS, harness.tail(d.stderr(), 3)))
        took = time.monotonic() - t0
        # The health each array was reported with, the last time.
        last = {}
        for e in d.events:
            g = e.get("group") or {}
            if g.get("id") in want:
                last[g["id"]] = g
        wrong = collections.Counter()
        for gid, g in last.items():
            if g.get("health") != truth["groups"][gid]["health"]:
                wrong[(truth["groups"][gid]["health"], g.get("health"))] += 1
        if wrong:
            problems.append("wrong health (truth, reported): %s" % dict(wrong))
        rss1 = d.rss_kib()
        sys.stderr.write("scale: %d arrays reported in %.1fs; RSS %d -> %d KiB\n" % (len(last), took, rss0, rss1))

        # And all gone at once: mdstat back to md0 alone, the directories away.
        if not problems:
            before = len(d.events)
            os.rename(os.path.join(root, "proc/mdstat"), os.path.join(stage, "proc/mdstat.big"))
            with open(os.path.join(tmp, "mdstat.small"), "w") as f:
                f.write("Personalities : [raid1] \n" + faults.MD0_OK + "\nunused devices: <none>\n")
            os.rename(os.path.join(tmp, "mdstat.small"), os.path.join(root, "proc/mdstat"))
            for i in range(1, arrays + 1):
                os.rename(os.path.join(root, "sys/block/md%d" % i), os.path.join(stage, "sys/block/md%d" % i))

            def vanished():
                d.read()
                d.check_alive()
                gone = {e["group"]["id"] for e in d.events[before:] if e.get("event") == "group_vanished"}
                return want <= gone
            try:
                faults.wait_until(vanished, APPEAR_TIMEOUT, "group_vanished for all %d arrays" % arrays)
            except TestError as e:
                problems.append(str(e))
        rc = d.stop(timeout=10)
        if rc != 0:
            problems.append("exit %s after SIGTERM" % rc)
        problems += d.sanitizer_problems()
    finally:
        d.kill()
    return problems


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(NAME + "10000-arrays-at-once", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    # Under ASan (make sanitize) a tenth: the memory checks, not the speed, are the point there.
    arrays = 1000 if harness.sanitizer_build(os.path.join(args.build, "redmon")) else 10000
    with faults.Tmp("redmon-fault-") as tmp:
        rep.run(NAME + "%d-arrays-at-once" % arrays, scale, args.build, tmp, arrays)
    rep.exit()


if __name__ == "__main__":
    main()
