#!/usr/bin/env python3
"""Fault tests on the running daemon: SIGHUP storms and a probe that hangs.

  sighup-storm   100 SIGHUPs in a burst while md0 fails and recovers over and
                 over: the daemon survives, reports the next change, and holds
                 as many file descriptors as before
  hung-probe     a test probe (tests/fault/hang_plugin.c, compiled here) blocks
                 in scan(): the md probe beside it keeps reporting changes, the
                 hung probe is reported failed after probe_timeout with the
                 reason and its group turns unknown; when it answers again,
                 probe_recovered and its group is ok; SIGTERM while it hangs
                 ends the daemon cleanly (DESIGN.md: "a hung probe makes its
                 groups unknown and raises a probe alert, it never stalls the
                 others or the SNMP agent": SNMP runs on the main loop, which the md
                 events show alive; snmpd itself is not started here)
  hung-probe-status  `redmon status` with a hung probe answers after
                 probe_timeout with the other groups and the probe's failure
  idle-after-scan  once every probe answered a scan (here the one a SIGHUP
                 asks for), the main thread sleeps: the probe_timeout
                 watchdog is not left armed to wake it
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import faults  # noqa: E402
import harness  # noqa: E402
from harness import TestError  # noqa: E402

NAME = "integration/faults/"
STEP = 5.0  # seconds for a change to reach the JSON sink


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, every thread


def last_health(events, gid):
    """The health gid was last announced with (None: never)."""
    health = None
    for e in events:
        if (e.get("group") or {}).get("id") == gid and e.get("event") in ("group_appeared",
                                                                          "health_changed"):
            health = e["group"].get("health")
    return health


def wait_idle(pid, quiet=0.5, timeout=60.0):
    """Until the process used no CPU for quiet seconds (bounded by timeout)."""
    deadline = time.monotonic() + timeout
    last, since = cpu_ticks(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = cpu_ticks(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    raise TestError("the daemon never went idle within %.0fs of the storm" % timeout)


def md_bond_daemon(build, tmp, md, bonds, daemon_conf, tag):
    """A daemon (md and bond probes, [daemon] daemon_conf) on a generated tree
    of md arrays and bonds; returns (daemon, its root) once every group appeared."""
    root, truth = faults.make_tree(tmp, md=md, bonds=bonds)
    plugins = faults.plugin_dir(build, tmp, ("md", "bond"))
    conf = os.path.join(tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\n" + daemon_conf)
    d = faults.Daemon(build, tmp, root, plugins, conf=conf, tag=tag)
    try:
        n = len(truth["groups"])
        d.wait_events(lambda e: e.get("event") == "group_appeared", n, 20, "group_appeared for all %d groups" % n)
    except BaseException:
        d.kill()
        raise
    return d, root


def sighup_storm(build, tmp):
    d, root = md_bond_daemon(build, tmp, 12, 9, "progress_step = 10\n", "hup")
    problems = []
    try:
        fds0 = d.fds()
        stop = threading.Event()
        toggles = [0]

        def churn():
            failed = False
            while not stop.is_set():
                failed = not failed
                faults.set_md0(root, failed)
                toggles[0] += 1
                time.sleep(0.003)
            if failed:
                faults.set_md0(root, False)
        t = threading.Thread(target=churn, daemon=True)
        t.start()
        for _ in range(100):
            os.kill(d.pid, signal.SIGHUP)
        stop.set()
        t.join(timeout=10)
        d.check_alive()
        # The storm is over when the daemon is idle again (its reloads and their
        # scans done: under ASan that takes seconds) and has announced md0's
        # recovery (held until a scan recovery_interval later confirms it: a
        # failure before that is no change from what was announced): md0's next
        # change must then arrive within STEP.
        wait_idle(d.pid, quiet=2.0)
        d.read()
        if last_health(d.events, "md:md0") != "ok":
            idx = len(d.events)
            d.wait_events(lambda e: e in d.events[idx:] and faults.health_event("md:md0", "ok")(e), 1,
                          STEP, "md0's recovery announced after the storm")
        before = len(d.events)
        faults.set_md0(root, True)
        d.wait_events(lambda e: e in d.events[before:] and faults.health_event("md:md0", "critical")(e), 1, STEP,
                      "health_changed md:md0 -> critical after the storm")
        faults.set_md0(root, False)
        d.wait_events(lambda e: e in d.events[before:] and faults.health_event("md:md0", "ok")(e), 1, STEP,
                      "health_changed md:md0 -> ok after the storm")
        try:
            faults.wait_until(lambda: d.fds() == fds0, 5, "fd count back to %d (now %d)" % (fds0, d.fds()))
        except TestError as e:
            problems.append(str(e))
        seqs = [e.get("seq") for e in d.events]
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append("seq not 1..N across the storm")
        rc = d.stop()
        if rc != 0:
            problems.append("exit %s after SIGTERM: %s" % (rc, harness.tail(d.stderr())))
        problems += d.sanitizer_problems()
    finally:
        d.kill()
    return problems


def main_thread_switches(pid):
    """Context switches of the main thread: each is a wake-up (or a preemption)."""
    with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
        return sum(int(l.split()[1]) for l in f if l.split(":")[0].endswith("ctxt_switches"))


def idle_after_scan(build, tmp):
    d, _ = md_bond_daemon(build, tmp, 4, 2, "probe_timeout = 2s\n", "idle")
    problems = []
    try:
        os.kill(d.pid, signal.SIGHUP)  # a reload asks every probe for a scan
        faults.wait_until(lambda: "reloaded configuration" in d.stderr(), 10, "the reload's log line")
        wait_idle(d.pid, quiet=0.5)
        before = main_thread_switches(d.pid)
        time.sleep(2.5)  # past probe_timeout after the reload's requests
        after = main_thread_switches(d.pid)
        if after != before:
            problems.append("the idle main thread woke %d time(s) within probe_timeout + 0.5 s "
                            "of a scan every probe answered" % (after - before))
        d.check_alive()
        problems += d.sanitizer_problems()
    finally:
        d.kill()
    return problems


def build_hang_plugin(tmp):
    out = os.path.join(tmp, "hang.so")
    src = os.path.join(faults.FAULT_DIR, "hang_plugin.c")
    p = subprocess.run([os.environ.get("CC", "cc"), "-std=gnu11", "-O1", "-fPIC", "-shared",
                        "-I", os.path.join(faults.REPO, "include"), "-o", out, src],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if p.returncode != 0:
        raise TestError("cannot build the hang plugin: %s" % harness.tail(p.stdout))
    return out


NANOSLEEP = {35, 230}  # x86_64 nanosleep, clock_nanosleep


def in_sleep(pid):
    """Whether any thread of pid is in nanosleep (what sleep(3) calls)."""
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/syscall" % (pid, tid)) as f:
                nr = f.read().split()[0]
        except (OSError, IndexError):
            continue
        if nr.isdigit() and int(nr) in NANOSLEEP:
            return True
    return False


def hung_probe(build, tmp):
    root, truth = faults.make_tree(tmp, md=4)
    plugins = faults.plugin_dir(build, tmp, ("md",), extra=(build_hang_plugin(tmp),))
    d = faults.Daemon(build, tmp, root, plugins, rescan="500ms", tag="hang",
                      extra=("-o", "daemon.probe_timeout=1s"))
    hang = os.path.join(root, "hang")
    problems = []

    def expect(pred, what, timeout=STEP):
        try:
            d.wait_events(pred, 1, timeout, what)
        except TestError as e:
            problems.append(str(e))

    def new_since(before, pred):
        return lambda e: e in d.events[before:] and pred(e)

    try:
        d.wait_events(lambda e: e.get("event") == "group_appeared", len(truth["groups"]) + 1, 20,
                      "group_appeared for md0-md3 and hang:h0")
        # From the next rescan on, the hang probe's scan() does not return
        # while ROOT/hang exists: wait until a thread of the daemon sits in it.
        open(hang, "w").close()
        faults.wait_until(lambda: in_sleep(d.pid) or not d.alive(), 10, "the hang probe to block in scan()")
        t_hang = time.monotonic()  # a poll (tens of ms) after the blocking scan was asked for
        d.check_alive()
        before = len(d.events)
        faults.set_md0(root, True)
        expect(new_since(before, faults.health_event("md:md0", "critical")),
               "md:md0 -> critical while another probe hangs (the daemon is stalled)")
        # probe_timeout (1 s) after the request it did not answer: probe_failed
        # with the reason, and its group unknown.
        expect(lambda e: (e.get("event") == "probe_failed" and e.get("probe") == "hang" and
                          "probe_timeout" in str(e.get("error", e.get("reason", "")))),
               "probe_failed for the hung probe, naming probe_timeout")
        # Not before: one watchdog serves every probe, and md's requests, answered
        # meanwhile, must not make it count from theirs.
        early = time.monotonic() - t_hang
        if early < 0.9:
            problems.append("probe_failed %.2f s after the probe hung, before probe_timeout (1 s)" % early)
        expect(lambda e: (e.get("event") == "health_changed" and e["group"]["id"] == "hang:h0" and
                          e["group"]["health"] == "unknown"), "hang:h0 -> unknown")
        # Still serving the others: md0 recovers while the probe is hung.
        before = len(d.events)
        faults.set_md0(root, False)
        expect(new_since(before, faults.health_event("md:md0", "ok")), "md:md0 -> ok while the probe is hung")
        # The probe answers again: probe_recovered, its group back to ok.
        before = len(d.events)
        os.unlink(hang)
        expect(new_since(before, lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "hang"),
               "probe_recovered once the probe answers again")
        expect(new_since(before, faults.health_event("hang:h0", "ok")), "hang:h0 -> ok again")
        # Hung again, then SIGTERM: the daemon does not wait on the stuck thread.
        open(hang, "w").close()
        faults.wait_until(lambda: in_sleep(d.pid) or not d.alive(), 10, "the hang probe to block again")
        t0 = time.monotonic()
        rc = d.stop(timeout=15)
        took = time.monotonic() - t0
        if rc != 0:
            problems.append("SIGTERM with a hung probe: exit %s after %.1f s (want 0): %s" %
                            (rc, took, harness.tail(d.stderr())))
        problems += d.sanitizer_problems()
    finally:
        d.kill()
    return problems


def hung_probe_status(build, tmp):
    """`redmon status` waits probe_timeout at most for a hung probe, then reports it."""
    root, truth = faults.make_tree(tmp, md=2)
    plugins = faults.plugin_dir(build, tmp, ("md",), extra=(build_hang_plugin(tmp),))
    open(os.path.join(root, "hang"), "w").close()
    argv = [os.path.join(build, "redmon"), "status", "--json", "--root", root, "--plugin-dir", plugins,
            "-o", "daemon.probe_timeout=1s"]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, env=harness.test_env())
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return ["status printed no JSON (exit %d): %s" % (p.returncode, harness.tail(p.stderr.decode()))]
    problems = []
    ids = sorted(g["id"] for g in doc.get("groups", []))
    want = sorted(truth["groups"])
    if [i for i in ids if i.startswith("md:")] != want:
        problems.append("md groups %s, want %s" % (ids, want))
    failed = [pr for pr in doc.get("probes", []) if pr.get("name") == "hang"]
    if not failed or "probe_timeout" not in json.dumps(failed[0]):
        problems.append("status does not report the hung probe with its reason: %s" % doc.get("probes"))
    return problems


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(NAME + "daemon", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    tests = [("sighup-storm", sighup_storm), ("hung-probe", hung_probe), ("hung-probe-status", hung_probe_status),
             ("idle-after-scan", idle_after_scan)]
    for label, fn in tests:
        with faults.Tmp("redmon-fault-") as tmp:
            rep.run(NAME + label, fn, args.build, tmp)
    rep.exit()


if __name__ == "__main__":
    main()
