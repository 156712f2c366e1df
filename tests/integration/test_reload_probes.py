#!/usr/bin/env python3
"""SIGHUP that disables and re-enables a probe, and reopens the JSON file.

The daemon runs on a copy of the demo tree with a config file.  Rewriting the
file with `[probe.md] enabled = no` and sending SIGHUP must make every md group
vanish (group_vanished) without any probe_failed/probe_recovered noise; setting
it back must make them appear again.  The bond groups must be untouched.  Each
successful reload is logged.  After the events file is renamed away (logrotate)
a SIGHUP makes the next events go to a new file at the configured path.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import TestError  # noqa: E402

NAME = "integration/reload/"
WAIT = 5.0
MD_GROUPS = {"md:md0", "md:md1", "md:md2"}


def read_events(path):
    return harness.json_lines(path)


def wait_events(path, start, pred, what):
    """Events after index start until pred(new events) holds; bounded."""
    deadline = time.monotonic() + WAIT
    while True:
        evs = read_events(path)[start:]
        if pred(evs):
            return evs
        if time.monotonic() > deadline:
            raise TestError("after %.0fs still waiting for %s; got %s" % (
                WAIT, what, [(e["event"], (e.get("group") or {}).get("id")) for e in evs]))
        time.sleep(0.02)


def ids(evs, event):
    return {e["group"]["id"] for e in evs if e["event"] == event}


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="redmon-reload-")
    root = os.path.join(tmp, "root")
    shutil.copytree(os.path.join(harness.REPO, "tests", "fixtures", "demo"), root, symlinks=True)
    conf = os.path.join(tmp, "redmon.conf")
    events = os.path.join(tmp, "events.jsonl")

    def write_conf(md_enabled):
        with open(conf + ".new", "w") as f:
            f.write("[daemon]\nrescan_interval = 1h\n[probe.md]\nenabled = %s\n"
                    "[sink.t]\ntype = json\npath = %s\n" % ("yes" if md_enabled else "no", events))
        os.rename(conf + ".new", conf)

    write_conf(True)
    err = open(os.path.join(tmp, "stderr"), "w")
    daemon = subprocess.Popen([os.path.join(args.build, "redmon"), "daemon", "--root", root, "-c", conf,
                               "-o", "probe.ipmi.enabled=no", "-o", "probe.hwmon.enabled=no",
                               "-o", "probe.power_supply.enabled=no"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                              env=harness.test_env())
    try:
        def started():
            evs = wait_events(events, 0, lambda e: MD_GROUPS | {"bond:bond0"} <= ids(e, "group_appeared"),
                              "group_appeared for md0-md2 and bond0")
            return [] if len(evs) == 4 else ["expected 4 events at start, got %d" % len(evs)]
        rep.run(NAME + "start", started)

        def disable():
            n = len(read_events(events))
            write_conf(False)
            daemon.send_signal(signal.SIGHUP)
            evs = wait_events(events, n, lambda e: MD_GROUPS <= ids(e, "group_vanished"),
                              "group_vanished for md0-md2")
            time.sleep(0.3)  # a settle window for stray events (none may come)
            evs = read_events(events)[n:]
            extra = [(e["event"], e.get("probe")) for e in evs if e["event"] != "group_vanished"]
            out = ["unexpected events on disable: %s" % extra] if extra else []
            if ids(evs, "group_vanished") != MD_GROUPS:
                out.append("vanished %s" % sorted(ids(evs, "group_vanished")))
            return out
        rep.run(NAME + "disable-md-vanishes", disable)

        def enable():
            n = len(read_events(events))
            write_conf(True)
            daemon.send_signal(signal.SIGHUP)
            evs = wait_events(events, n, lambda e: MD_GROUPS <= ids(e, "group_appeared"),
                              "group_appeared for md0-md2 again")
            bad = [e["event"] for e in evs if e["event"] in ("probe_failed", "probe_recovered")]
            return ["probe noise on enable: %s" % bad] if bad else []
        rep.run(NAME + "enable-md-appears", enable)

        def reload_logged():
            with open(err.name, errors="replace") as f:
                said = f.read().count("reloaded configuration: 1 sink")
            return [] if said == 2 else ["%d reloads logged as done, want 2" % said]
        rep.run(NAME + "reload-logged", reload_logged)

        def rotated():
            # logrotate's rename, then its postrotate reload: a new file gets what follows.
            os.rename(events, events + ".1")
            daemon.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + WAIT
            while not os.path.exists(events) and time.monotonic() < deadline:
                time.sleep(0.02)
            n_old = len(read_events(events + ".1"))
            write_conf(False)
            daemon.send_signal(signal.SIGHUP)
            wait_events(events, 0, lambda e: MD_GROUPS <= ids(e, "group_vanished"),
                        "group_vanished in the new file")
            out = []
            if len(read_events(events + ".1")) != n_old:
                out.append("events still appended to the rotated file")
            return out
        rep.run(NAME + "sighup-reopens-rotated-file", rotated)

        def stops():
            daemon.send_signal(signal.SIGTERM)
            try:
                rc = daemon.wait(timeout=5)
            except subprocess.TimeoutExpired:
                return ["no exit within 5 s of SIGTERM"]
            return [] if rc == 0 else ["exit %d: %s" % (rc, harness.tail(open(err.name).read()))]
        rep.run(NAME + "sigterm", stops)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        err.close()
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
