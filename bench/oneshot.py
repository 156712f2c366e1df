#!/usr/bin/env python3
"""redmon one-shot commands against exec'ing /bin/true: what a command costs before it does anything.

    python3 bench/oneshot.py [--build build] [--build old=DIR ...] [--rounds 15] [--runs 20]

For each build, in every round, side by side: /bin/true, `redmon check` on a
host with no group (an empty --root tree, no configuration file: no plugin
has a data source there, so a build with NAME.sources loads none, an older
one loads every plugin), `redmon check` answered by a daemon (`redmond
daemon --root EMPTY` with a configuration file whose [daemon] socket the
client reads with -c, no --root: the client's process only, not the
daemon's work) and `redmon --help`; each run `--runs` times.
Per run: the CPU of the whole process (wait4 rusage, user + system: exec,
dynamic linking, relocations, plugin loading, and for a light redmon that
execs redmond that one too) and its wall time.  Only ratios measured in the
same round count (the machine is shared): the median and min-max over rounds
of the per-round ratio to /bin/true.  bench/run prints the same rows.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TRUE = "/bin/true"
# The target for `redmon check` on a host with no group (issue 19).
TARGET_CHECK_VS_TRUE = 2.0


def one_run(argv, env):
    """CPU (ns, whole process) and wall time (ns) of one run of argv."""
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                         env=env)
    _, st, ru = os.wait4(p.pid, 0)
    wall = time.monotonic_ns() - t0
    code = os.waitstatus_to_exitcode(st)
    # check with no group: UNKNOWN (3) by default; anything else is not what is measured.
    if code not in (0, 3):
        raise RuntimeError("%s exited %s" % (" ".join(argv), code))
    return int((ru.ru_utime + ru.ru_stime) * 1e9), wall


def commands(exe, root, conf):
    c = {"true": [TRUE], "check": [exe, "check", "--root", root], "help": [exe, "--help"]}
    if conf:
        c["daemon"] = [exe, "check", "-c", conf]
    return c


def daemon_conf(d, root):
    """A configuration for a daemon of the build snapshot d on root; its path."""
    state = os.path.join(d, "state")
    os.makedirs(state, exist_ok=True)
    conf = os.path.join(d, "redmon.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nsocket = %s\nstate_dir = %s\n" % (os.path.join(d, "d.sock"), state))
    return conf


def start_daemon(d, root, env):
    """redmond of snapshot d as a daemon on root, once `status` says it answers; (proc, conf) or (None, None)."""
    redmond = os.path.join(d, "redmond")
    if not os.path.exists(redmond):
        return None, None
    conf = daemon_conf(d, root)
    log = open(os.path.join(d, "daemon.log"), "w")
    proc = subprocess.Popen([redmond, "daemon", "--root", root, "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log, env=env)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        p = subprocess.run([os.path.join(d, "redmon"), "status", "--json", "-c", conf], capture_output=True,
                           text=True, env=env)
        if '"source": "daemon"' in p.stdout:
            return proc, conf
        time.sleep(0.2)
    stop_daemon(proc)
    sys.stderr.write("oneshot: the daemon of %s did not answer (see %s): no daemon row\n" % (d, log.name))
    return None, None


def stop_daemon(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=15)


def snapshot(build, dest):
    """Copy a build's binaries (redmon, redmond where built, plugins/): a rebuild must not change what is measured."""
    os.makedirs(dest)
    for f in ("redmon", "redmond"):
        if os.path.exists(os.path.join(build, f)):
            shutil.copy2(os.path.join(build, f), dest)
    shutil.copytree(os.path.join(build, "plugins"), os.path.join(dest, "plugins"),
                    ignore=shutil.ignore_patterns("lib"))
    return dest


def measure(builds, rounds, runs, base):
    """builds: [(label, dir)].  Returns {label: {"rounds": [...], "ratios": {...}, "ms": {...}}}."""
    env = dict(os.environ, REDMON_CONF="")
    root = os.path.join(base, "empty-root")
    os.makedirs(root, exist_ok=True)
    snaps = [(label, snapshot(d, os.path.join(base, "oneshot-" + label))) for label, d in builds]
    res = {label: {"rounds": []} for label, _ in snaps}
    daemons = {}
    try:
        for label, d in snaps:
            daemons[label] = start_daemon(d, root, env)
        measure_rounds(snaps, daemons, root, env, rounds, runs, res)
    finally:
        for proc, _ in daemons.values():
            stop_daemon(proc)
    for label, r in res.items():
        rows = r["rounds"]
        kinds = [k for k in ("check", "daemon", "help") if k in rows[0]]
        r["ratios"] = {}
        for k in kinds:
            for m in ("cpu", "wall"):
                xs = [x[k][m] / x["true"][m] for x in rows if x["true"][m]]
                r["ratios"]["%s/true %s" % (k, m)] = med_range(xs)
        r["ms"] = {"%s %s" % (k, m): statistics.median(x[k][m] for x in rows) / 1e6
                   for k in ["true"] + kinds for m in ("cpu", "wall")}
    return res


def measure_rounds(snaps, daemons, root, env, rounds, runs, res):
    for _ in range(rounds):
        for label, d in snaps:
            cmds = commands(os.path.join(d, "redmon"), root, daemons[label][1])
            row = {k: {"cpu": [], "wall": []} for k in cmds}
            # Interleaved run by run: a burst of load hits every command alike.
            for _ in range(runs):
                for k, argv in cmds.items():
                    cpu, wall = one_run(argv, env)
                    row[k]["cpu"].append(cpu)
                    row[k]["wall"].append(wall)
            res[label]["rounds"].append({k: {m: statistics.median(v) for m, v in x.items()} for k, x in row.items()})


def med_range(xs):
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt_r(r):
    return "-" if not r else "%.1f (%.1f-%.1f)" % (r["median"], r["min"], r["max"])


def print_rows(res, out=sys.stdout):
    hdr = ("build", "true", "check", "daemon", "help", "check/true CPU", "check/true wall", "daemon/true CPU",
           "daemon/true wall", "help/true CPU", "help/true wall")
    rows = []
    for label, r in res.items():
        ms, q = r["ms"], r["ratios"]
        d_ms = "%.2f ms" % ms["daemon cpu"] if "daemon cpu" in ms else "-"
        rows.append((label, "%.2f ms" % ms["true cpu"], "%.2f ms" % ms["check cpu"], d_ms, "%.2f ms" % ms["help cpu"],
                     fmt_r(q["check/true cpu"]), fmt_r(q["check/true wall"]), fmt_r(q.get("daemon/true cpu")),
                     fmt_r(q.get("daemon/true wall")), fmt_r(q["help/true cpu"]), fmt_r(q["help/true wall"])))
    n = len(next(iter(res.values()))["rounds"])
    print("one-shot commands, whole process (CPU: wait4 rusage), over exec'ing %s: median (min-max) over %d "
          "interleaved rounds of the per-round ratio; check: an empty --root, no config, scanning by itself; "
          "daemon: check answered by a daemon on that root (the client's CPU only)" % (TRUE, n), file=out)
    w = [max(len(h), *(len(x[i]) for x in rows)) for i, h in enumerate(hdr)]
    print("  " + "  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)), file=out)
    for x in rows:
        print("  " + "  ".join(v.ljust(w[i]) for i, v in enumerate(x)), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", action="append", default=[],
                    help="LABEL=DIR or DIR (repeatable; default: build)")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--runs", type=int, default=20, help="runs of each command per round")
    a = ap.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    builds = []
    for b in a.build or ["build"]:
        label, _, d = b.rpartition("=")
        d = d if os.path.isabs(d) else os.path.join(here, d)
        if not os.path.exists(os.path.join(d, "redmon")):
            sys.exit("oneshot: %s/redmon is missing: run make first" % d)
        builds.append((label or os.path.basename(d.rstrip("/")), d))
    base = tempfile.mkdtemp(prefix="redmon-oneshot-")
    try:
        res = measure(builds, a.rounds, a.runs, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print_rows(res)
    for label, r in res.items():
        v = r["ratios"]["check/true cpu"]
        print("  %s: check <= %.0fx /bin/true (CPU): %s (%.1fx)" % (
            label, TARGET_CHECK_VS_TRUE, "met" if v["median"] <= TARGET_CHECK_VS_TRUE else "MISSED", v["median"]))


if __name__ == "__main__":
    main()
