#!/usr/bin/env python3
"""State across restarts: what changed while redmon was down is reported as a change, nothing twice.

redmon runs on the fake probe with its state in the test's directory and is
stopped and started around changes: a disk that fails while it is stopped is a
health_changed on start (not group_appeared), a restart with nothing changed
announces nothing, the sequence never goes back (even after SIGKILL), a torn or
edited state file is reported, moved aside and not trusted, and a new set of
sinks hears every group afresh.
"""

import glob
import json
import os
import shutil
import sys
import tempfile

import harness
from alerts_harness import check_schema, Daemon, Events, Tree, has, ini, raid1
from harness import TestError

NAME = "integration/state_restart/"


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-state-")
    state = os.path.join(tmp, "state")
    state_file = os.path.join(state, "state.json")
    d = None
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0"), raid1("md1"))
        events = Events(os.path.join(tmp, "events.jsonl"))

        def conf(path=events.path):
            return ini({"daemon": {"state_dir": state, "rescan_interval": "100ms"},
                        "sink.log": {"type": "json", "path": path}})
        d = Daemon(args.build, tmp, conf())

        def last_seq():
            return max(e["seq"] for e in events.read())

        def restart(change=None, kill=False):
            """Stop (SIGTERM, or SIGKILL), apply change, start; return the index of the next event."""
            if kill:
                d.kill()
            elif d.stop() != 0:
                raise TestError("daemon exited non-zero: %s" % harness.tail(d.stderr()))
            if change:
                change()
            n = len(events.read())
            d.start()
            return n

        def mark(n, label):
            """A change of another group; returns the events from n up to and with it."""
            tree.set(raid1("md0", failed_now[0]), raid1("md1"), ("marker", 1, 1, [(label, "active")]))
            return events.wait_for(lambda e: any((x.get("group") or {}).get("id") == "fake:marker"
                                                 for x in e[n:]), "marker " + label, d)[n:]
        failed_now = [False]

        d.start()
        events.wait_for(lambda e: len([x for x in e if x["event"] == "group_appeared"]) == 2, "2 groups", d)

        def change_while_stopped():
            seq = last_seq()
            failed_now[0] = True
            n = restart(lambda: tree.set(raid1("md0", True), raid1("md1")))
            evs = events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)[n:]
            out = []
            if any(e["event"] == "group_appeared" for e in evs):
                out.append("a known group was announced as new: %s" % [e["event"] for e in evs])
            hc = [e for e in evs if e["event"] == "health_changed"][0]
            if hc["group"]["id"] != "fake:md0" or hc["previous"] != {"health": "ok", "margin": 1}:
                out.append("health_changed %s previous %s" % (hc["group"]["id"], hc["previous"]))
            if evs[0]["seq"] != seq + 1:
                out.append("sequence %d after %d: a clean stop continues exactly" % (evs[0]["seq"], seq))
            return out
        rep.run(NAME + "change-while-stopped", change_while_stopped)

        def nothing_new():
            n = restart()
            evs = mark(n, "a")
            first = evs[0]
            if (first.get("group") or {}).get("id") != "fake:marker":
                return ["announced again on a restart with no change: %s" % [e["event"] for e in evs]]
            return []
        rep.run(NAME + "restart-announces-nothing-new", nothing_new)

        def sigkill_sequence():
            before = last_seq()
            n = len(events.read())
            mark(n, "b")  # events, then SIGKILL with no clean stop
            seen = last_seq()
            n = restart(kill=True)
            evs = mark(n, "c")
            out = []
            if min(e["seq"] for e in evs) <= seen:
                out.append("sequence went back after SIGKILL: %d after %d" % (evs[0]["seq"], seen))
            print("# state: after SIGKILL the sequence continued at %d (last seen %d, reserve %d)"
                  % (evs[0]["seq"], seen, evs[0]["seq"] - seen - 1))
            return out + ([] if seen > before else ["no event before the kill"])
        rep.run(NAME + "sigkill-sequence-never-back", sigkill_sequence)

        def corrupt(name, damage, want_seq_kept):
            def case():
                seq = last_seq()
                n = restart(lambda: damage())
                evs = events.wait_for(lambda e: len([x for x in e[n:] if x["event"] == "group_appeared"])
                                      >= 2, "groups announced afresh", d)[n:]
                out = []
                err = d.stderr()
                if "is not valid" not in err or "not trusted" not in err:
                    out.append("not reported: %s" % harness.tail(err))
                if not [l for l in err.splitlines() if "is not valid" in l and ": error: " in l]:
                    out.append("not logged at error level")
                aside = glob.glob(state_file + ".corrupt-*")
                if not aside:
                    out.append("not moved aside: %s" % os.listdir(state))
                for f in aside:
                    os.unlink(f)
                if want_seq_kept and evs[0]["seq"] <= seq:
                    out.append("sequence %d after %d" % (evs[0]["seq"], seq))
                # Replaced: the next save is a valid file again.
                mark(len(events.read()), name)
                with open(state_file) as f:
                    if json.load(f).get("format") != "redmon-state":
                        out.append("state file not replaced")
                return out
            return case

        def torn():
            with open(state_file, "r+") as f:
                f.truncate(os.path.getsize(state_file) // 2)

        def edited():
            with open(state_file) as f:
                doc = json.load(f)
            for g in doc["state"]["probes"][0]["groups"]:
                if g["group"]["id"] == "fake:md0":  # critical: saying ok hides a failure
                    g["group"]["health"] = "ok"
                    g["margin_raw"] = 1
            with open(state_file, "w") as f:
                json.dump(doc, f)
        rep.run(NAME + "torn-file-replaced", corrupt("torn", torn, True))
        rep.run(NAME + "edited-file-replaced", corrupt("edited", edited, True))

        def other_sinks():
            seq = last_seq()
            other = Events(os.path.join(tmp, "other.jsonl"))
            n_other = 0
            d.stop()
            d.write_conf(conf(other.path))
            d.start()
            evs = other.wait_for(lambda e: len([x for x in e[n_other:] if x["event"] == "group_appeared"])
                                 >= 3, "every group for the new sink", d)
            out = []
            if evs[0]["seq"] <= seq:
                out.append("sequence %d after %d" % (evs[0]["seq"], seq))
            if "set of sinks" not in d.stderr():
                out.append("no notice: %s" % harness.tail(d.stderr()))
            return out
        rep.run(NAME + "new-sinks-hear-everything", other_sinks)

        check_schema(rep, NAME + "json-schema", events.read())

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            d.kill()
        if rep.failed and d:
            sys.stderr.write("daemon stderr:\n" + d.stderr())
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
