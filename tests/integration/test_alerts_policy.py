#!/usr/bin/env python3
"""Delivery policies: flap damping, reminders, heartbeats, the textfile, and the no-sink warning.

redmon runs on the fake probe (a 100 ms rescan).  Damping: with recovery_scans = 5
a recovery that lasts one scan is never announced, a lasting one is, after the
scans agreed; a failure is announced at once; a member churning between failed
and spare gives no member_changed until one role holds.  Reminders (remind = 1s) go only to
the sink that asked, numbered; heartbeats (heartbeat = 1s) carry a summary; the
Prometheus textfile follows the state.  Without any sink, redmon says loudly that
nobody will be notified.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from alerts_harness import check_schema, Daemon, Events, Tree, has, ini, parse_time, raid1, wait_until
from harness import TestError

NAME = "integration/alerts_policy/"


def health_changes(evs, since=0):
    return [e["group"]["health"] for e in evs[since:] if e["event"] == "health_changed"]


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-pol-")
    d = None
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0"))
        events = Events(os.path.join(tmp, "events.jsonl"))
        nag = Events(os.path.join(tmp, "nag.jsonl"))
        beat = Events(os.path.join(tmp, "beat.jsonl"))
        prom = os.path.join(tmp, "redmon.prom")
        later = os.path.join(tmp, "node-exporter")  # made while redmon runs
        conf = ini({
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms",
                       "recovery_scans": "5", "recovery_interval": "100ms"},
            "sink.all": {"type": "json", "path": events.path},
            "sink.nag": {"type": "json", "path": nag.path, "remind": "1s", "min_severity": "warning"},
            "sink.beat": {"type": "json", "path": beat.path, "heartbeat": "1s",
                          "min_severity": "critical"},
            "sink.prom": {"type": "textfile", "path": prom},
            "sink.later": {"type": "textfile", "path": os.path.join(later, "redmon.prom")},
        })
        d = Daemon(args.build, tmp, conf).start()
        events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)

        def failure_at_once():
            before = len(events.read())
            t0 = time.time()
            tree.set(raid1("md0", True))
            evs = events.wait_for(lambda e: has(e, "health_changed", "critical", since=before),
                                  "critical", d)
            took = parse_time([e for e in evs[before:] if e["event"] == "health_changed"][0]["time"]) - t0
            print("# damping: a failure was announced %.0f ms after the change (rescan 100 ms)" % (took * 1000))
            return [] if took < 1 else ["the failure took %.1fs" % took]
        rep.run(NAME + "failure-announced-at-once", failure_at_once)

        def flap_suppressed():
            before = len(events.read())
            # Back for about one scan, then failed again: 5 scans never agree.
            tree.set(raid1("md0"))
            time.sleep(0.15)  # the stimulus: a recovery lasting about one scan (not a wait for a result)
            tree.set(raid1("md0", True))
            # Six more scans, each seen through a change of another group: a recovery
            # announced late (damping that only delays) would show up among them.
            for i in range(6):
                n = len(events.read())
                tree.set(raid1("md0", True), ("marker", 1, 1, [("m%d" % i, "active")]))
                events.wait_for(lambda e: any(x["group"]["id"] == "fake:marker" for x in e[n:]
                                              if x.get("group")), "marker %d" % i, d)
            changes = [c for c in health_changes(events.read(), before)]
            return ["a flap was announced: %s" % changes] if changes else []
        rep.run(NAME + "flap-suppressed", flap_suppressed)

        def recovery_after_scans():
            before = len(events.read())
            t0 = time.time()
            tree.set(raid1("md0"), ("marker", 1, 1, [("m5", "active")]))
            evs = events.wait_for(lambda e: has(e, "health_changed", "ok", since=before), "recovery", d)
            ev = [e for e in evs[before:] if e["event"] == "health_changed"][0]
            took = parse_time(ev["time"]) - t0
            print("# damping: a recovery was announced %.0f ms after the change (recovery_scans 5, "
                  "100 ms apart)" % (took * 1000))
            out = []
            # Rechecks and rescans both count, 100 ms apart each: 5 scans take 200 ms at least.
            if took < 0.18:
                out.append("announced after %.0f ms: 5 scans cannot have agreed" % (took * 1000))
            if ev["previous"]["health"] != "critical":
                out.append("previous %r" % ev["previous"])
            return out
        rep.run(NAME + "recovery-after-scans-agree", recovery_after_scans)

        def reminders():
            nag.read()
            before_nag = len(nag.all)
            before = len(events.read())
            tree.set(raid1("md0", True), ("marker", 1, 1, [("m5", "active")]))
            events.wait_for(lambda e: has(e, "health_changed", "critical", since=before), "critical", d)
            evs = nag.wait_for(lambda e: len([x for x in e[before_nag:] if x["event"] == "reminder"]) >= 2,
                               "two reminders", d, timeout=6)
            rem = [x for x in evs[before_nag:] if x["event"] == "reminder"]
            out = []
            if [r["reminder"]["number"] for r in rem[:2]] != [1, 2]:
                out.append("numbers %s" % [r["reminder"]["number"] for r in rem])
            gap = parse_time(rem[1]["time"]) - parse_time(rem[0]["time"])
            if not 0.8 < gap < 1.5:
                out.append("reminders %.2fs apart, want 1s" % gap)
            if rem[0]["sink"] != "nag" or rem[0]["group"]["health"] != "critical":
                out.append("reminder %s" % rem[0])
            if any(e["event"] == "reminder" for e in events.read()):
                out.append("a reminder reached sink all, which did not ask for one")
            return out
        rep.run(NAME + "reminders-only-where-asked", reminders)

        def heartbeat():
            evs = beat.wait_for(lambda e: len([x for x in e if x["event"] == "heartbeat"]) >= 3,
                                "three heartbeats", d, timeout=6)
            hb = [x for x in evs if x["event"] == "heartbeat"]
            out = []
            s = hb[-1].get("summary") or {}
            if s.get("groups") != 2 or s.get("worst") != "critical":
                out.append("summary %s" % s)
            if any(e["event"] == "heartbeat" for e in events.read()):
                out.append("a heartbeat reached sink all")
            # min_severity = critical drops info events, but never the heartbeat it asked for.
            if any(e["event"] == "group_appeared" for e in evs):
                out.append("min_severity ignored")
            return out
        rep.run(NAME + "heartbeat", heartbeat)

        def textfile():
            def current():
                try:
                    with open(prom) as f:
                        return f.read()
                except FileNotFoundError:
                    return ""
            want = 'redmon_group_health{group="fake:md0",probe="fake",health="critical"} 1'
            wait_until(lambda: want in current(), "md0 critical in %s" % prom, daemon=d)
            text = current()
            out = []
            for line in ('redmon_group_margin{group="fake:md0",probe="fake"} 0',
                         'redmon_group_margin_nominal{group="fake:md0",probe="fake"} 1',
                         'redmon_group_members{group="fake:md0",probe="fake",state="failed"} 1',
                         'redmon_member_role{group="fake:md0",probe="fake",member="sdb",role="failed"} 1',
                         'redmon_probe_up{probe="fake"} 1'):
                if line not in text:
                    out.append("missing: %s" % line)
            if 'redmon_group_member_slots{group="fake:md0",probe="fake"} 2' not in text:
                out.append("no member_slots of md0")
            if 'state="total"' in text:
                out.append("the slot total is still a state of redmon_group_members")
            # Each scan rewrites the file through a temporary one renamed over
            # it: one may be there for an instant, but none may stay.
            def no_temporary():
                return not [f for f in os.listdir(tmp) if f.startswith("redmon.prom.")]
            try:
                wait_until(no_temporary, "no redmon.prom.* left", daemon=d)
            except TestError:
                out.append("temporary files left: %s" % os.listdir(tmp))
            return out
        rep.run(NAME + "textfile", textfile)

        def scan_time(text):
            m = re.search(r"^redmon_last_scan_timestamp_seconds ([0-9.]+)$", text, re.M)
            return float(m.group(1)) if m else None

        def textfile_every_scan():
            # Nothing changes, yet the file is rewritten at each rescan (every 100 ms):
            # a redmon that stops scanning is visible as a stale timestamp.
            with open(prom) as f:
                t0 = scan_time(f.read())
            if t0 is None:
                return ["no redmon_last_scan_timestamp_seconds in %s" % prom]
            time.sleep(0.5)
            with open(prom) as f:
                t1 = scan_time(f.read())
            out = []
            if t1 is None or t1 <= t0:
                out.append("scan time did not move in 0.5 s of 100 ms rescans: %s -> %s"
                           % (t0, t1))
            if t1 is not None and abs(time.time() - t1) > 5:
                out.append("scan time %s is not now (%s)" % (t1, time.time()))
            return out
        rep.run(NAME + "textfile-rewritten-every-scan", textfile_every_scan)

        def textfile_directory_later():
            # The collector directory missing at start is no error: said once, and the
            # file appears once the directory does (node_exporter installed later).
            out = []
            if d.proc.poll() is not None:
                return ["the daemon stopped over a missing directory"]
            said = d.stderr().count("does not exist (is node_exporter")
            if said != 1:
                out.append("the missing directory was said %d times, want once" % said)
            os.mkdir(later)
            try:
                wait_until(lambda: os.path.exists(os.path.join(later, "redmon.prom")),
                           "the file in the directory made later", daemon=d)
            except TestError as e:
                out.append(str(e))
            if [e for e in events.read() if e["event"] == "sink_failed"
                    and e.get("sink") == "later"]:
                out.append("a directory yet to come raised sink_failed")
            return out
        rep.run(NAME + "textfile-directory-made-later", textfile_directory_later)

        # A disk kicked out and re-added over and over (failed <-> spare, the margin 0
        # all along) is damped like a health flap: no member_changed storm.
        def member_churn_damped():
            before = len(events.read())
            churned = ("md0", 0, 1, [("sda", "active"), ("sdb", "spare")])
            for i in range(10):
                tree.set(churned, ("marker", 1, 1, [("c%d" % i, "active")]))
                time.sleep(0.12)  # the stimulus: one scan as a spare, then failed again
                n = len(events.read())
                tree.set(raid1("md0", True), ("marker", 1, 1, [("d%d" % i, "active")]))
                events.wait_for(lambda e: any(x.get("member", {}).get("name") == "d%d" % i
                                              for x in e[n:]), "marker d%d" % i, d)
            churn = [e for e in events.read()[before:]
                     if e["event"] == "member_changed" and e["group"]["id"] == "fake:md0"]
            out = ["%d member_changed for md0 during the churn" % len(churn)] if churn else []
            # Held as a spare: announced once the scans agree, exactly once.
            n = len(events.read())
            tree.set(churned, ("marker", 1, 1, [("e", "active")]))
            evs = events.wait_for(lambda e: any(x["event"] == "member_changed" and
                                                x["group"]["id"] == "fake:md0" for x in e[n:]),
                                  "sdb as a spare", d)
            got = [(x["member"]["name"], x["member"].get("previous_role"), x["member"]["role"])
                   for x in evs[n:] if x["event"] == "member_changed" and x["group"]["id"] == "fake:md0"]
            if got != [("sdb", "failed", "spare")]:
                out.append("after the churn: %s" % got)
            tree.set(raid1("md0", True), ("marker", 1, 1, [("m5", "active")]))
            return out
        rep.run(NAME + "member-churn-damped", member_churn_damped)

        check_schema(rep, NAME + "json-schema", events.read() + nag.read() + beat.read())

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)

        def no_sink_warning():
            nd = Daemon(args.build, tmp, ini({"daemon": {"rescan_interval": "100ms"}}), name="nosink")
            out_path = os.path.join(tmp, "nosink.out")
            with open(out_path, "w") as out_f:
                nd.start(stdout=out_f)
                try:
                    wait_until(lambda: "NOBODY WILL BE NOTIFIED" in nd.stderr(), "the warning", daemon=nd)
                    wait_until(lambda: "nobody notified" in nd.stderr(), "the per-event warning",
                               daemon=nd)
                    wait_until(lambda: os.path.getsize(out_path) > 0, "JSON on stdout", daemon=nd)
                finally:
                    rc = nd.stop()
            with open(out_path) as f:
                first = f.readline()
            out = [] if '"event":"group_appeared"' in first else ["stdout: %r" % first[:100]]
            line = [l for l in nd.stderr().splitlines() if "NOBODY" in l][0]
            if "warning" not in line:
                out.append("not at warning level: %r" % line)
            return out + ([] if rc == 0 else ["exit %s" % rc])
        rep.run(NAME + "no-sink-warning", no_sink_warning)

        # Reload while hook runs are queued: every one still runs, in order.
        def reload_keeps_queued_runs():
            runs = os.path.join(tmp, "runs.txt")
            hook = os.path.join(tmp, "slow.sh")
            with open(hook, "w") as f:
                f.write("#!/bin/sh\nsleep 0.3\necho \"$REDMON_SEQ\" >> %s\n" % runs)
            os.chmod(hook, 0o755)
            rtree_dir = os.path.join(tmp, "reload")
            os.makedirs(rtree_dir)
            rtree = Tree(rtree_dir)
            rtree.set(*[raid1("r%d" % i) for i in range(6)])
            rd = Daemon(args.build, rtree_dir, ini({
                "daemon": {"state_dir": os.path.join(rtree_dir, "state"), "rescan_interval": "100ms"},
                "sink.slow": {"type": "exec", "command": hook}}), name="reload")
            rd.start()
            try:
                wait_until(lambda: os.path.exists(runs), "the first hook run", daemon=rd)
                rd.proc.send_signal(signal.SIGHUP)
                wait_until(lambda: "reloading configuration" in rd.stderr(), "the reload", daemon=rd)

                def done():
                    with open(runs) as f:
                        return len(f.read().split()) >= 6
                wait_until(done, "6 hook runs across the reload", daemon=rd)
            finally:
                rc = rd.stop()
            with open(runs) as f:
                seqs = [int(x) for x in f.read().split()]
            out = [] if seqs == list(range(1, 7)) else ["runs %s, want 1..6 in order" % seqs]
            return out + ([] if rc == 0 else ["exit %s" % rc]) + rd.sanitizer_problems()
        rep.run(NAME + "reload-keeps-queued-hook-runs", reload_keeps_queued_runs)
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
