#!/usr/bin/env python3
"""Memory of the daemon per probe: RssAnon and VmRSS of `redmon daemon` on a
bench/gen.py tree holding one kind only (N md arrays, N bonds or N PMBus
supplies), with that kind's plugin alone in the plugin directory, after the
first scan and `--scans` rescans.  Builds are compared side by side: each
round starts every build once per probe and N, in turn, and the table gives
the median over rounds (memory is not timing-sensitive, but where the heap's
holes fall can differ from one start to the next).

    python3 bench/mem_probe.py --build new=build --build old=/tmp/old/build \
        --n 100,1000 --rounds 3

Never a timed test: nothing here fails a build."""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("gen", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                   "gen.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

# probe name -> (plugin, gen.generate(root, md, bonds, psus) counts for N)
PROBES = {
    "md": ("md", lambda n: (n, 0, 0)),
    "bond": ("bond", lambda n: (0, n, 0)),
    "hwmon": ("hwmon", lambda n: (0, 0, max(n, 2))),
}


def status_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    return out


def cpu_ns(pid):
    """CPU of every live thread of pid (ns, sum_exec_runtime); the daemon's
    threads live as long as it does, so the sum loses nothing here."""
    total = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def minflt(pid):
    """Minor page faults of the whole process (every thread): what a page given
    back and touched again costs, counted rather than timed."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def run_one(build, root, plugin, ngroups, interval_ms, scans, work):
    plugdir = os.path.join(work, "plugins")
    shutil.rmtree(plugdir, ignore_errors=True)
    os.makedirs(plugdir)
    os.symlink(os.path.abspath(os.path.join(build, "plugins", plugin + ".so")), os.path.join(plugdir, plugin + ".so"))
    events = os.path.join(work, "events.jsonl")
    if os.path.exists(events):
        os.unlink(events)
    err = open(os.path.join(work, "daemon.err"), "w")
    argv = [os.path.join(build, "redmon"), "daemon", "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
            "-o", "daemon.rescan_interval=%dms" % interval_ms, "--root", root, "--plugin-dir", plugdir]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    err.close()
    try:
        deadline = time.monotonic() + 120
        while count_lines(events) < ngroups and proc.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError("no first scan in 120 s")
            time.sleep(0.05)
        if proc.poll() is not None:
            raise RuntimeError("daemon exited %s: %s" % (proc.returncode, open(err.name).read()[-2000:]))
        first = status_kib(proc.pid)
        c0, t0, f0 = cpu_ns(proc.pid), time.monotonic(), minflt(proc.pid)
        time.sleep(scans * interval_ms / 1000.0)
        c1, t1, f1 = cpu_ns(proc.pid), time.monotonic(), minflt(proc.pid)
        if proc.poll() is not None:
            raise RuntimeError("daemon exited %s" % proc.returncode)
        after = status_kib(proc.pid)
        # CPU per rescan (timer wake-ups included), as bench/run's daemon scan.
        scans_seen = (t1 - t0) * 1000 / interval_ms
        return {"first": first, "after": after, "scan_cpu_us": (c1 - c0) / 1e3 / scans_seen,
                "minflt_per_scan": (f1 - f0) / scans_seen}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", action="append", required=True, help="LABEL=DIR (DIR holds redmon and plugins/)")
    ap.add_argument("--n", default="100,1000")
    ap.add_argument("--probes", default="md,bond,hwmon")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scans", type=int, default=10, help="rescans after the first scan before reading")
    ap.add_argument("--out", help="write the raw figures as JSON here")
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.build]
    ns = [int(x) for x in a.n.split(",")]
    probes = a.probes.split(",")
    base = tempfile.mkdtemp(prefix="redmon-memprobe-")
    raw = {}
    try:
        trees = {}
        for p in probes:
            for n in ns:
                root = os.path.join(base, "%s-%d" % (p, n))
                truth = gen.generate(root, *PROBES[p][1](n))
                trees[p, n] = (root, len(truth["groups"]))
        for r in range(a.rounds):
            for p in probes:
                for n in ns:
                    root, ngroups = trees[p, n]
                    # A scan of 1000 arrays takes a few hundred ms on a loaded machine.
                    interval = 100 if n <= 100 else 1000
                    for label, build in builds:
                        work = os.path.join(base, "work")
                        os.makedirs(work, exist_ok=True)
                        res = run_one(build, root, PROBES[p][0], ngroups, interval, a.scans, work)
                        raw.setdefault("%s/%s/%d" % (label, p, n), []).append(res)
                        print("round %d %-6s %-5s N=%-5d RssAnon %6d VmRSS %6d scan CPU %8.0f us, %6.1f faults" % (
                            r, label, p, n, res["after"]["RssAnon"], res["after"]["VmRSS"], res["scan_cpu_us"],
                            res["minflt_per_scan"]),
                            file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("| probe | N | " + " | ".join("%s RssAnon | %s VmRSS | %s scan CPU us | %s faults/scan" % (lb, lb, lb, lb)
                                        for lb, _ in builds) + " |")
    print("|---|---|" + "---|---|---|---|" * len(builds))
    for p in probes:
        for n in ns:
            cells = []
            for label, _ in builds:
                rs = raw["%s/%s/%d" % (label, p, n)]
                cells.append("%d" % statistics.median(x["after"]["RssAnon"] for x in rs))
                cells.append("%d" % statistics.median(x["after"]["VmRSS"] for x in rs))
                cells.append("%.0f" % statistics.median(x["scan_cpu_us"] for x in rs))
                cells.append("%.1f" % statistics.median(x["minflt_per_scan"] for x in rs))
            print("| %s | %d | %s |" % (p, n, " | ".join(cells)))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
