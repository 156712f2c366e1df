#!/usr/bin/env python3
"""Fault test: the state file's disk is full (issue 7): reported, old state kept.

The state directory is a small tmpfs in a private mount namespace (the script
runs itself again under `unshare -m --propagation private`; SKIP where that is
not allowed), filled up by a filler file while the daemon runs on the fake
probe.  The JSON sink writes outside the tmpfs.

  full-old-state-kept       changes while full: state.json byte for byte as
                            before, no temporary file left
  full-reported-once        one error line with the path and ENOSPC, however
                            many scans retry
  full-alerts-flow          every change is announced, the sequence without a
                            gap, past the 64 numbers the file reserved
  full-reserved-in-place    those numbers are reserved in state.seq, written
                            in place on the full disk
  full-sigkill-restart      SIGKILL and a start on the still full disk: the
                            sequence goes on upward, the old state is diffed
  full-sigterm-restart      a clean stop that cannot save says so; the next
                            start goes on upward
  space-again-saved         space freed: the next scan saves the whole current
                            state and the log says so, once
  space-again-exact         a clean stop and start then continue the sequence
                            exactly, nothing announced twice
  read-only-alerts-flow     a start on the file system remounted read-only
                            (EROFS): alerts flow, the failed save and the
                            unreserved sequence each logged once, naming
                            the number a restart would continue after
  read-only-writable-again  remounted read-write: the next scan saves
"""

import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import fullfs  # noqa: E402
import harness  # noqa: E402
from alerts_harness import Daemon, Events, Tree, ini, raid1, wait_until  # noqa: E402
from harness import TestError  # noqa: E402

NAME = "integration/faults_state/"
EXTRA = 80  # groups appearing at once: more events than one reservation (64) covers


def disks(n):
    return [("disk%03d" % i, 1, 1, [("a", "active"), ("b", "active")]) for i in range(n)]


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not fullfs.in_namespace():
        rc, why = fullfs.run_in_namespace()
        if why:
            rep.skip(NAME + "disk-full", why)
            rep.exit()
        sys.exit(rc)

    tmp = tempfile.mkdtemp(prefix="rm-fstate-")
    state = os.path.join(tmp, "state")
    state_file = os.path.join(state, "state.json")
    mark_file = os.path.join(state, "state.seq")
    filler = os.path.join(state, "filler")
    os.mkdir(state)
    why = fullfs.mount_tmpfs(state, "256k")
    if why:
        rep.skip(NAME + "disk-full", why)
        shutil.rmtree(tmp, ignore_errors=True)
        rep.exit()
    d = None
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0"), raid1("md1"))
        events = Events(os.path.join(tmp, "events.jsonl"))
        d = Daemon(args.build, tmp, ini({
            "daemon": {"state_dir": state, "rescan_interval": "100ms"},
            "sink.log": {"type": "json", "path": events.path}}))

        def run_log():
            """The daemon's log lines of its current (last) run."""
            return d.stderr().split("--- start\n")[-1].splitlines()

        def lines(needle, level=None):
            return [l for l in run_log() if needle in l and (level is None or ": %s: " % level in l)]

        def last_seq():
            return max(e["seq"] for e in events.read())

        def wait_events(pred, what, since):
            return events.wait_for(lambda e: pred(e[since:]), what, d)[since:]

        def count(evs, event, gid=None):
            return len([e for e in evs if e["event"] == event
                        and (gid is None or (e.get("group") or {}).get("id") == gid)])

        def read_state():
            with open(state_file) as f:
                return json.load(f)

        d.start()
        wait_events(lambda e: count(e, "group_appeared") == 2, "2 groups", 0)
        wait_until(lambda: os.path.exists(state_file) and read_state()["state"]["seq"] == last_seq(),
                   "the first save", daemon=d)
        with open(state_file, "rb") as f:
            old = f.read()
        filled = fullfs.fill(filler)
        if fullfs.free_bytes(state) != 0:
            raise TestError("the tmpfs is not full after %d bytes" % filled)
        print("# filled the state tmpfs with %d bytes" % filled)

        # Three scans with changes while full, each one a save that fails.
        n0, seq0 = len(events.read()), last_seq()
        tree.set(raid1("md0", True), raid1("md1"))
        wait_events(lambda e: count(e, "health_changed", "fake:md0") == 1, "md0 critical", n0)
        tree.set(raid1("md0", True), raid1("md1"), *disks(EXTRA))
        wait_events(lambda e: count(e, "group_appeared") == EXTRA, "%d groups appearing" % EXTRA, n0)
        tree.set(raid1("md0", True), raid1("md1", True), *disks(EXTRA))
        want = 1 + 1 + EXTRA + 2  # md0 health+member, the new groups, md1 health+member
        full_evs = wait_events(lambda e: count(e, "member_changed", "fake:md1") == 1 and len(e) >= want,
                               "md1 critical", n0)

        def old_state_kept():
            out = []
            with open(state_file, "rb") as f:
                if f.read() != old:
                    out.append("state.json changed while the disk was full")
            left = sorted(set(os.listdir(state)) - {"lock", "state.json", "state.seq", "filler"})
            if left:
                out.append("files left in the state directory: %s" % left)
            return out
        rep.run(NAME + "full-old-state-kept", old_state_kept)

        def reported_once():
            errs = lines("state: cannot save")
            want = "state: cannot save %s: No space left on device (ENOSPC)" % state_file
            out = []
            if len(errs) != 1:
                out.append("%d lines, not one: %s" % (len(errs), errs[:3]))
            elif want not in errs[0] or ": error: " not in errs[0]:
                out.append("not an error line with the path and errno: %s" % errs[0])
            print("# log: %s" % (errs[0] if errs else "nothing"))
            return out
        rep.run(NAME + "full-reported-once", reported_once)

        def alerts_flow():
            seqs = [e["seq"] for e in full_evs]
            out = []
            if seqs != list(range(seq0 + 1, seq0 + 1 + len(seqs))):
                out.append("sequence not continuous from %d: %s..." % (seq0 + 1, seqs[:5]))
            if len(full_evs) != want:
                out.append("%d events while full, expected %d" % (len(full_evs), want))
            if seqs and seqs[-1] <= read_state()["state"]["seq_reserved"]:
                out.append("never went past the saved reservation: the test proves nothing")
            return out
        rep.run(NAME + "full-alerts-flow", alerts_flow)

        def mark_value():
            with open(mark_file) as f:
                text = f.read()
            parts = text.split()
            if len(parts) != 4 or parts[0] != "redmon-seq" or parts[1] != "1":
                raise TestError("state.seq is not a mark: %r" % text)
            return int(parts[2])

        def reserved_in_place():
            m, last = mark_value(), last_seq()
            print("# state.seq reserved up to %d, last event %d" % (m, last))
            return [] if m >= last else ["state.seq says %d, events went up to %d" % (m, last)]
        rep.run(NAME + "full-reserved-in-place", reserved_in_place)

        def restart_upward(kill):
            def case():
                out = []
                if kill:
                    d.kill()
                else:
                    rc = d.stop()
                    if rc != 0:
                        out.append("exit %s" % rc)
                    if not [l for l in d.stderr().splitlines() if "stopping without saving" in l]:
                        out.append("the failed save at stop was not logged")
                seen = last_seq()  # every event the stopped run wrote
                n = len(events.read())
                d.start()
                # Diffed against the old file (md0 and md1 ok, no disks): announced again.
                evs = wait_events(lambda e: count(e, "group_appeared") == EXTRA
                                  and count(e, "member_changed") == 2, "the diff against the old state", n)
                if min(e["seq"] for e in evs) <= seen:
                    out.append("sequence went back: %d after %d" % (min(e["seq"] for e in evs), seen))
                if count(evs, "group_appeared", "fake:md0"):
                    out.append("md0 announced as new: the old state was not used")
                if not lines("reserved the sequence up to"):
                    out.append("start did not say it continues after state.seq")
                if len(lines("state: cannot save")) != 1:
                    out.append("this run reported %d times" % len(lines("state: cannot save")))
                print("# restart (%s) on the full disk: last seen %d, continued at %d" % (
                    "SIGKILL" if kill else "SIGTERM", seen, min(e["seq"] for e in evs)))
                return out
            return case
        rep.run(NAME + "full-sigkill-restart", restart_upward(True))
        rep.run(NAME + "full-sigterm-restart", restart_upward(False))

        def saved_again():
            os.unlink(filler)
            wait_until(lambda: lines("state: saved %s again" % state_file), "the save after space came back",
                       daemon=d)
            seq = last_seq()  # nothing changes meanwhile: the save is of the last event
            doc = read_state()
            body = doc["state"]
            out = []
            if body["seq"] != seq:
                out.append("saved seq %d, last event %d" % (body["seq"], seq))
            groups = {g["group"]["id"]: g["group"]["health"] for p in body["probes"] for g in p["groups"]}
            if groups.get("fake:md0") != "critical" or groups.get("fake:md1") != "critical":
                out.append("md0/md1 saved as %s/%s" % (groups.get("fake:md0"), groups.get("fake:md1")))
            if len(groups) != 2 + EXTRA:
                out.append("%d groups saved, %d current" % (len(groups), 2 + EXTRA))
            if len(lines("state: saved")) != 1 or not lines("state: saved", "notice"):
                out.append("recovery logged %s" % lines("state: saved"))
            print("# log: %s" % lines("state: saved")[0])
            return out
        rep.run(NAME + "space-again-saved", saved_again)

        def exact_after_clean_stop():
            rc = d.stop()
            seq = last_seq()
            out = ["exit %s" % rc] if rc != 0 else []
            n = len(events.read())
            d.start()
            tree.set(raid1("md0", True), raid1("md1", True), *disks(EXTRA), ("marker", 1, 1, [("m", "active")]))
            evs = wait_events(lambda e: count(e, "group_appeared", "fake:marker") == 1, "the marker", n)
            if (evs[0].get("group") or {}).get("id") != "fake:marker":
                out.append("announced again after the save: %s" % [e["event"] for e in evs[:5]])
            if evs[0]["seq"] != seq + 1:
                out.append("sequence %d after %d: a clean stop continues exactly" % (evs[0]["seq"], seq))
            if lines("cannot"):
                out.append("errors on a disk with room: %s" % lines("cannot"))
            rc = d.stop()
            return out + (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "space-again-exact", exact_after_clean_stop)

        # A read-only file system: not even the mark can be written.
        def read_only():
            r = fullfs.remount(state, "ro")
            if r:
                raise TestError(r)
            n, seq = len(events.read()), last_seq()
            d.start()
            tree.set(raid1("md0"), raid1("md1", True), *disks(EXTRA), ("marker", 1, 1, [("m", "active")]))
            evs = wait_events(lambda e: count(e, "member_changed", "fake:md0") == 1, "md0 ok again", n)
            out = []
            if [e["seq"] for e in evs] != list(range(seq + 1, seq + 1 + len(evs))):
                out.append("sequence not continuous from %d: %s" % (seq + 1, [e["seq"] for e in evs]))
            wait_until(lambda: lines("cannot reserve"), "the unreserved sequence logged", daemon=d)
            errs = lines("state: cannot save %s: Read-only file system (EROFS)" % state_file, "error")
            if len(errs) != 1:
                out.append("%d EROFS lines, not one: %s" % (len(errs), lines("state:")))
            unres = lines("cannot reserve the sequence past %d in %s either" % (seq, mark_file), "error")
            if len(unres) != 1:
                out.append("the unreserved sequence logged %d times: %s" % (len(unres), lines("reserve")))
            print("# log: %s" % (unres[0] if unres else lines("reserve")))
            return out
        rep.run(NAME + "read-only-alerts-flow", read_only)

        def writable_again():
            r = fullfs.remount(state, "rw")
            if r:
                raise TestError(r)
            wait_until(lambda: lines("state: saved %s again" % state_file), "the save after rw", daemon=d)
            out = []
            if read_state()["state"]["seq"] != last_seq():
                out.append("saved seq %d, last event %d" % (read_state()["state"]["seq"], last_seq()))
            rc = d.stop()
            return out + (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "read-only-writable-again", writable_again)
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            d.kill()
        if rep.failed and d:
            sys.stderr.write("daemon stderr:\n" + d.stderr())
        fullfs.umount(state)
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
