#!/usr/bin/env python3
"""The zfs probe through the daemon, with a fake zpool on PATH.

zfsutils is not in this machine's package sources, so a temporary
directory holds bin/zpool, a shell script that prints a real capture chosen
by a mode file beside it (the runner gives a tool only PATH and LC_ALL, so
the script names its files by absolute path), and logs its arguments:

  ok        tests/captures/zfs/openzfs-docs-draid-online-distributed-spare (tank: draid1 of 11, a spare AVAIL)
  rebuild   tests/captures/zfs/openzfs-docs-draid-rebuild-to-distributed-spare
            (sdg UNAVAIL, spare-6 rebuilt onto the distributed spare, 57.17%)
  hang      sleeps for 10 minutes
  garbage   prints a line that is no zpool status output

`redmon daemon` (only the zfs plugin, interval 1 s, timeout 2 s; this
machine has no /proc/spl, so zpool runs each interval) must: run
`zpool status -p`; report zfs:tank ok with margin 1; on `rebuild`,
health_changed to critical with activity recovery and member_changed sdg to
missing; on `hang`, probe_failed naming the timeout and the group unknown;
on `garbage`, still failed, the reason saying the output is not zpool
status output; on `ok`, probe_recovered and the group ok.  One-shot
`redmon check` exits 0 when ok, 2 in the rebuild, 3 with garbage; without
zpool on PATH, no group and exit 0.  As root, `--user nobody`: the daemon
is nobody and zpool still runs, as root, through the privileged helper.

Under `--root DIR` nothing runs: a daemon on a captured tree (the corpus's
kstat states) reports each pool from DIR/proc/spl/kstat/zfs and, with
rescans otherwise an hour apart, turns poolz1 failed within seconds of its
state file being replaced by FAULTED (inotify), and back.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness
from harness import TestError

CAPS = os.path.join(harness.REPO, "tests", "captures", "zfs")
OK = os.path.join(CAPS, "openzfs-docs-draid-online-distributed-spare", "zpool-status.txt")
REBUILD = os.path.join(CAPS, "openzfs-docs-draid-rebuild-to-distributed-spare", "zpool-status.txt")
KSTAT = os.path.join(harness.CORPUS, "zfs", "node-exporter-kstat-pool-states")
GROUP = "zfs:tank"
NOBODY = 65534
STEP = 10.0

SCRIPT = """#!/bin/sh
# A fake zpool for tests/integration/test_zfs.py.
echo "$*" >> {d}/args
mode=$(cat {d}/mode)
case "$mode" in
ok) cat {d}/ok.txt ;;
rebuild) cat {d}/rebuild.txt ;;
hang) sleep 600 ;;
*) echo "zpool: something went wrong, sorry" ;;
esac
"""


class Fake:
    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "bin"))
        os.chmod(d, 0o755)
        os.chmod(os.path.join(d, "bin"), 0o755)
        shutil.copy(OK, os.path.join(d, "ok.txt"))
        shutil.copy(REBUILD, os.path.join(d, "rebuild.txt"))
        tool = os.path.join(d, "bin", "zpool")
        with open(tool, "w") as f:
            f.write(SCRIPT.format(d=d))
        os.chmod(tool, 0o755)
        self.mode("ok")

    def mode(self, m):
        tmp = os.path.join(self.d, "mode.new")
        with open(tmp, "w") as f:
            f.write(m + "\n")
        os.rename(tmp, os.path.join(self.d, "mode"))

    def env(self):
        env = harness.test_env()
        env["PATH"] = os.path.join(self.d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
        return env


def redmon(build, plugins, env, args, timeout=30):
    argv = [os.path.join(build, "redmon")] + args + ["--plugin-dir", plugins]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env, timeout=timeout, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    return p


def group_event(ev, gid=GROUP, health=None):
    g = ev.get("group") or {}
    return ev.get("event") in ("group_appeared", "health_changed") and g.get("id") == gid and \
        (health is None or g.get("health") == health)


def start_daemon(build, plugins, tmp, env, extra):
    events = os.path.join(tmp, "events.jsonl")
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--plugin-dir", plugins,
            "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
            "-o", "daemon.rescan_interval=1h", "-o", "daemon.user=root",
            "-o", "daemon.state_dir=" + os.path.join(tmp, "state")] + extra
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
    return proc, err, harness.EventWaiter(events, proc, err, STEP)


def live(build, rep, tmp, plugins):
    fake = Fake(os.path.join(tmp, "fake"))
    proc, err, w = start_daemon(build, plugins, tmp, fake.env(),
                                ["-o", "probe.zfs.interval=1s", "-o", "probe.zfs.timeout=2s"])
    try:
        def appeared():
            new = w.wait_for([lambda e: group_event(e, health="ok")])
            g = [e for e in new if group_event(e)][-1]["group"]
            probs = []
            if (g.get("margin"), g.get("members_total"), g.get("spares"), g.get("type")) != (1, 11, 1, "draid1"):
                probs.append("tank: %r" % g)
            with open(os.path.join(fake.d, "args")) as f:
                asked = set(l.strip() for l in f)
            if asked != {"status -p"}:
                probs.append("zpool was asked %r" % asked)
            return probs

        def check_ok():
            p = redmon(build, plugins, fake.env(), ["check"])
            return [] if p.returncode == 0 and "OK" in p.stdout else \
                ["check exit %d: %r %s" % (p.returncode, p.stdout, harness.tail(p.stderr))]

        def rebuild():
            fake.mode("rebuild")
            new = w.wait_for([lambda e: group_event(e, health="critical"),
                              lambda e: e.get("event") == "member_changed" and
                              (e.get("member") or {}).get("name") == "sdg"])
            g = [e for e in new if group_event(e)][-1]["group"]
            m = [e for e in new if e.get("event") == "member_changed" and e["member"]["name"] == "sdg"][-1]
            probs = []
            if g.get("activity") != "recovery" or abs((g.get("progress") or 0) - 57.17) > 0.1:
                probs.append("activity %r %r" % (g.get("activity"), g.get("progress")))
            if m["member"].get("role") != "missing":
                probs.append("sdg: %r" % m["member"])
            if "spare-6" not in (g.get("reason") or ""):
                probs.append("reason %r" % g.get("reason"))
            return probs

        def check_critical():
            p = redmon(build, plugins, fake.env(), ["check"])
            if p.returncode != 2 or "CRITICAL" not in p.stdout:
                return ["check exit %d: %r %s" % (p.returncode, p.stdout, harness.tail(p.stderr))]
            p = redmon(build, plugins, fake.env(), ["status", "--json"])
            g = [g for g in json.loads(p.stdout)["groups"] if g["id"] == GROUP]
            if len(g) != 1 or g[0]["margin"] != 0 or g[0]["members_ok"] != 10:
                return ["status --json: %r" % g]
            return []

        def hang():
            fake.mode("hang")
            t0 = time.monotonic()
            new = w.wait_for([lambda e: e.get("event") == "probe_failed" and e.get("probe") == "zfs",
                              lambda e: group_event(e, health="unknown")])
            why = json.dumps([e for e in new if e.get("event") == "probe_failed"][-1])
            if "no answer within 2000 ms" not in why:
                return ["probe_failed does not name the timeout: %s" % why[:300]]
            if time.monotonic() - t0 > 8:
                return ["took %.1fs" % (time.monotonic() - t0)]
            return []

        def garbage():
            fake.mode("garbage")
            deadline = time.monotonic() + STEP
            doc = {}
            while time.monotonic() < deadline:
                p = redmon(build, plugins, fake.env(), ["status", "--json"])
                doc = json.loads(p.stdout)
                probe = [x for x in doc.get("probes", []) if x.get("name") == "zfs"]
                if probe and probe[0].get("status") == "failed" and \
                        "not zpool status output" in str(probe[0].get("error")):
                    break
                time.sleep(0.2)
            else:
                return ["status with garbage: %r" % doc.get("probes")]
            p = redmon(build, plugins, fake.env(), ["check"])
            return [] if p.returncode == 3 else ["check exit %d with garbage: %r" % (p.returncode, p.stdout)]

        def recovered():
            fake.mode("ok")
            w.wait_for([lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "zfs",
                        lambda e: group_event(e, health="ok")])

        def no_tool():
            p = redmon(build, plugins, harness.test_env(), ["check", "--empty", "ok"])
            # No tool is no failure: nothing found, which --empty ok turns into OK.
            if p.returncode != 0 or "no redundancy groups found" not in p.stdout:
                return ["without zpool: exit %d %r" % (p.returncode, p.stdout)]
            return []

        rep.run("zfs/daemon-appeared-ok", appeared)
        rep.run("zfs/check-ok", check_ok)
        rep.run("zfs/daemon-rebuild-critical", rebuild)
        rep.run("zfs/check-critical-status-json", check_critical)
        rep.run("zfs/daemon-zpool-hangs", hang)
        rep.run("zfs/zpool-prints-garbage", garbage)
        rep.run("zfs/daemon-recovers", recovered)
        rep.run("zfs/no-zpool-no-group", no_tool)
        rep.check("zfs/daemon-stops", harness.stop_daemon(proc, err))
        if os.geteuid() == 0:
            rep.run("zfs/daemon-as-nobody-zpool-as-root", as_nobody, build, tmp, fake, plugins)
        else:
            rep.skip("zfs/daemon-as-nobody-zpool-as-root", "needs root (to drop privileges)")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def as_nobody(build, tmp, fake, plugins):
    """`--user nobody`: the daemon drops to nobody; zpool still runs, as root,
    through the privileged helper (redmon-priv, the daemon's child)."""
    os.chmod(tmp, 0o755)  # nobody reads the plugin; its own files go to a dir of its own
    mine = os.path.join(tmp, "nobody")
    os.makedirs(mine)
    os.chown(mine, NOBODY, NOBODY)
    fake.mode("ok")
    os.remove(os.path.join(fake.d, "args"))
    proc, err, w = start_daemon(build, plugins, mine, fake.env(),
                                ["--user", "nobody", "-o", "probe.zfs.interval=1s"])
    try:
        w.wait_for([lambda e: group_event(e, health="ok")])
        with open("/proc/%d/status" % proc.pid) as f:
            uid = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        helpers = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/status" % pid) as f:
                    st = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
            except OSError:
                continue
            if st.get("PPid") == str(proc.pid) and st.get("Name") == "redmon-priv":
                helpers.append(st)
        probs = []
        if uid != [str(NOBODY)] * 4:
            probs.append("the daemon runs as uid %r, not nobody" % uid)
        if len(helpers) != 1 or helpers[0].get("Uid", "").split()[:1] != ["0"]:
            probs.append("no root redmon-priv child: %r" % helpers)
        return probs + harness.stop_daemon(proc, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def captured_root(build, rep, tmp, plugins):
    root = os.path.join(tmp, "root")
    shutil.copytree(KSTAT, root)
    os.remove(os.path.join(root, "expected.json"))
    state = os.path.join(root, "proc", "spl", "kstat", "zfs", "poolz1", "state")
    d = os.path.join(tmp, "rootd")
    os.makedirs(d)
    proc, err, w = start_daemon(build, plugins, d, harness.test_env(), ["--root", root])
    try:
        def appeared():
            w.wait_for([lambda e: group_event(e, "zfs:pool1", "nonredundant"),
                        lambda e: group_event(e, "zfs:pool2", "failed"),
                        lambda e: group_event(e, "zfs:poolz1", "critical")])

        def replace(text):
            with open(state + ".new", "w") as f:
                f.write(text)
            os.rename(state + ".new", state)

        def faulted():
            t0 = time.monotonic()
            replace("FAULTED\n")
            w.wait_for([lambda e: group_event(e, "zfs:poolz1", "failed")], timeout=5)
            replace("DEGRADED\n")
            w.wait_for([lambda e: group_event(e, "zfs:poolz1", "critical")], timeout=5)
            return [] if time.monotonic() - t0 < 5 else ["took %.1fs" % (time.monotonic() - t0)]

        rep.run("zfs/root-daemon-kstat-pools", appeared)
        rep.run("zfs/root-daemon-inotify-state-change", faulted)
        rep.check("zfs/root-daemon-stops", harness.stop_daemon(proc, err))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="redmon-zfs-")
    try:
        plugins = os.path.join(tmp, "plugins")
        os.makedirs(plugins)
        shutil.copy(os.path.join(args.build, "plugins", "zfs.so"), plugins)
        live(args.build, rep, tmp, plugins)
        captured_root(args.build, rep, tmp, plugins)
    finally:
        if os.environ.get("REDMON_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()
