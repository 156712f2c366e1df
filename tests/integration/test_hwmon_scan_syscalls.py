#!/usr/bin/env python3
"""An unchanged hwmon scan opens no attribute file: strace of the daemon's periodic scans.

The daemon polls a two-supply tree (test_hwmon_sensors.Tree) every 100 ms, once on
--root (inotify keeps the listings: plugins/hwmon/hwmon_sysfs.c) and once on the live
root in a private mount namespace, through libsensors (alarms, faults and, without a
sensors config, inputs preaded from kept files, labels asked once:
plugins/hwmon/hwmon_lsensors.c).  After its first scan, strace follows every thread
until it has seen at least MIN_PREADS preads (a count, not a time, says when: about
twenty scans, so that a --root check of every listing, every 16th scan, is among
them).  No file of a chip (name, label, input, alarm, fault) may be opened in that
window: each is read through its kept descriptor.  Needs root (unshare, ptrace) and
strace; otherwise the test is skipped.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import harness
from test_hwmon_sensors import Tree, in_ns

MIN_PREADS = 400
DEADLINE = 60.0  # only for a daemon that stopped scanning: then the test fails
ATTR = re.compile(r'open(?:at2?)?\([^"]*"([^"]*/(?:name|\w+_(?:label|input|alarm|fault)))"')


def wait_events(path, proc):
    """Until the daemon's first scan wrote its events."""
    deadline = time.time() + 30
    while not (os.path.exists(path) and os.path.getsize(path) > 0):
        if proc.poll() is not None or time.time() > deadline:
            raise harness.TestError("no first scan (daemon exit %s)" % proc.poll())
        time.sleep(0.05)


def traced(pid, out):
    """strace -f -p pid into out until MIN_PREADS preads; (preads, files of a chip opened)."""
    st = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=pread64,openat,openat2,open",
                           "-o", out, "-p", str(pid)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + DEADLINE
    try:
        while True:
            time.sleep(0.2)
            with open(out, errors="replace") as f:
                text = f.read()
            n = text.count("pread64(")
            if n >= MIN_PREADS or time.time() > deadline or st.poll() is not None:
                break
    finally:
        st.terminate()
        st.wait(10)
    with open(out, errors="replace") as f:
        text = f.read()
    return text.count("pread64("), ATTR.findall(text)


def run_case(rep, name, argv, events, d):
    err = tempfile.TemporaryFile()
    daemon = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                              env=harness.test_env())
    try:
        def one():
            wait_events(events, daemon)
            n, opened = traced(daemon.pid, os.path.join(d, name + ".strace"))
            out = []
            if n < MIN_PREADS:
                out.append("only %d preads in %.0f s: the daemon stopped scanning?" % (n, DEADLINE))
            if opened:
                out.append("%d files of a chip opened in %d preads' worth of scans, e.g. %s" % (
                    len(opened), n, sorted(set(opened))[:3]))
            return out
        rep.run("hwmon/syscalls/" + name, one)
    finally:
        problems = harness.stop_daemon(daemon, err)
        if problems:
            rep.fail("hwmon/syscalls/%s-stops" % name, "; ".join(problems))


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if os.geteuid() != 0:
        rep.skip("hwmon/syscalls", "needs root (unshare --mount, strace -p)")
        rep.exit()
    for tool in ("strace", "unshare"):
        if not shutil.which(tool):
            rep.skip("hwmon/syscalls", "%s not installed" % tool)
            rep.exit()
    d = tempfile.mkdtemp(prefix="rm-hwsys-")
    try:
        # On the live root too: its own state directory and no control socket,
        # never the host's /var/lib/redmon or /run/redmon.
        os.makedirs(os.path.join(d, "state"))
        daemon = [os.path.join(args.build, "redmon"), "daemon", "-o", "sink.t.type=json",
                  "-o", "daemon.rescan_interval=1h", "-o", "probe.hwmon.poll_interval=100ms",
                  "-o", "daemon.state_dir=" + os.path.join(d, "state"), "-o", "daemon.socket="]
        plugins = os.path.join(d, "plugins")
        os.makedirs(plugins)
        os.symlink(os.path.join(args.build, "plugins", "hwmon.so"), os.path.join(plugins, "hwmon.so"))
        daemon += ["--plugin-dir", plugins]

        root = os.path.join(d, "root")
        Tree(os.path.join(root, "sys"), absolute=False)
        live = Tree(os.path.join(d, "live"), absolute=True)
        # A listing taken in the second its directory last changed is not trusted
        # and taken again at the next check (hwmon_sysfs.c): let the trees be still
        # for a second first (a wait for a state, not a timed assertion).
        time.sleep(1.2)
        events = os.path.join(d, "root.jsonl")
        run_case(rep, "root", daemon + ["-o", "sink.t.path=" + events, "--root", root], events, d)

        events = os.path.join(d, "live.jsonl")
        # Reads the live root as root on purpose: no drop to the redmon user.
        run_case(rep, "live", in_ns(live, daemon + ["-o", "sink.t.path=" + events, "-o", "daemon.user=root"]),
                 events, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
